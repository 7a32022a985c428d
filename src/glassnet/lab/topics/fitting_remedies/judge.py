"""fitting_remedies' verdicts: the over-fitting rule per data set and remedy, combined per claim,
and the under-fitting rule per remedy against its base; plus the tables that show them."""

from __future__ import annotations

import numpy as np

from glassnet.lab import Result, Text, Verdict
from glassnet.lab.kit.fitting import (
    OVERFIT_RULE,
    TRAIN_POINTS,
    UNDERFIT_RULE,
    VAL_POINTS,
    overfit_verdict,
    underfit_verdict,
)
from glassnet.lab.report.formatting import pm_percent as pm
from glassnet.lab.topics.fitting_remedies.measure import Study
from glassnet.lab.topics.fitting_remedies.settings import (
    DROPOUT,
    HEAVY_L2,
    HIDDEN,
    L2,
    LIGHT_L2,
    PATIENCE,
    REMEDY_CLAIMS,
    ROBUST_UNDERFIT,
    SMALL_HIDDEN,
    TREE_DEPTH,
    UNDER_PAIRS,
)


def compare(train, val, base_gap: float, base_val: float) -> tuple[dict, str, list]:
    """The deciding numbers, the OVERFIT_RULE verdict and the table cells of one remedy."""
    gap = float(np.mean(np.subtract(train, val)))
    d_gap, d_val = 100 * (base_gap - gap), 100 * (float(np.mean(val)) - base_val)
    numbers = {
        ("train %", "训练准确率 %"): round(100 * float(np.mean(train)), 2),
        ("val %", "验证准确率 %"): round(100 * float(np.mean(val)), 2),
        ("gap narrowed by", "gap 缩小"): round(d_gap, 2),
        ("val gain", "验证准确率提升"): round(d_val, 2),
    }
    verdict = overfit_verdict(d_gap, d_val)
    cells = [pm(train), pm(val), pm(np.subtract(train, val)), f"{d_gap:+.1f}", f"{d_val:+.1f}"]
    return numbers, verdict, [*cells, verdict]


def _gap_and_mean(pair: tuple[list, list]) -> tuple[float, float]:
    train, val = pair
    return float(np.mean(np.subtract(train, val))), float(np.mean(val))


def _base_row(label: Text, setting: str, pair: tuple[list, list], blanks: int) -> list:
    train, val = pair
    return [label, setting, pm(train), pm(val), pm(np.subtract(train, val)), *["-"] * blanks]


def overfit_rows(study: Study, members: int) -> tuple[list, dict]:
    """The table rows of one study, and {remedy: (numbers, verdict)}."""
    f, sizes = study.finals, [study.features, *HIDDEN, 10]
    small = [study.features, *SMALL_HIDDEN, 10]
    base = _gap_and_mean(f["base"])
    rows, judged = [_base_row(Text("base", "基线"), f"MLP {sizes}", f["base"], 3)], {}
    for key, label, setting in (
        ("small", Text("smaller model", "更小的模型"), f"MLP {small}"),
        ("l2", Text("L2 penalty", "L2 正则"), f"lambda = {L2}"),
        ("dropout", Text("dropout", "dropout"), f"p = {DROPOUT}"),
        ("augment", Text("augmentation", "数据增强"), study.augment_text),
    ):
        numbers, verdict, cells = compare(*f[key], *base)
        judged[key] = (numbers, verdict)
        rows.append([label, setting, *cells])
    numbers, verdict, cells = compare(*f["ensemble"], *_gap_and_mean(f["members"]))
    judged["ensemble"] = (numbers, verdict)
    label = Text("ensemble (against its members' mean)", "集成(相对于其成员的均值)")
    rows.append([label, f"{members} base models", *cells])
    numbers, verdict, cells = compare(*f["early"], *base)
    judged["early"] = (numbers, verdict)
    epochs = ", ".join(str(c.epoch[b]) for (_, c), (b, _) in zip(study.base_runs, study.stops))
    setting = f"val_loss, patience {PATIENCE}; restored epoch(s) " + epochs
    rows.append([Text("early stopping", "早停"), setting, *cells])
    _, _, cells = compare(*f["best_acc"], *base)
    label = Text("(early stopping on val accuracy, for comparison)", "(按验证准确率早停,仅作对照)")
    rows.append([label, "best val_acc epoch", *cells[:-1], "-"])
    label = Text(
        "linear model, raw + pairwise products (base of the next row)",
        "线性模型,原始特征 + 两两乘积(下一行的基线)",
    )
    rows.append(_base_row(label, f"{study.quad_features} features", f["quad"], 3))
    numbers, verdict, cells = compare(*f["raw"], *_gap_and_mean(f["quad"]))
    judged["features"] = (numbers, verdict)
    rows.append([Text("fewer features", "减少特征"), f"{study.features} raw features", *cells])
    return rows, judged


def combine(verdicts: list[str]) -> Verdict:
    """holds when every part holds, does not hold when every part does not hold, partly otherwise."""
    if all(v == "holds" for v in verdicts):
        return Verdict.HOLDS
    if all(v == "does not hold" for v in verdicts):
        return Verdict.DOES_NOT_HOLD
    return Verdict.PARTLY


def judge_overfit(result: Result, studies: list[Study], judged: list[dict]) -> None:
    """One verdict per over-fitting claim, combined over data sets (and L2 and dropout)."""
    intro = result.text("combined_rule")
    rule = Text(intro.en + OVERFIT_RULE.en, intro.zh + OVERFIT_RULE.zh)
    for key, claim in (*REMEDY_CLAIMS.items(), ("regularisation", "regularisation")):
        parts = ["l2", "dropout"] if key == "regularisation" else [key]
        numbers, verdicts = {}, []
        for study, study_judged in zip(studies, judged):
            for part in parts:
                part_numbers, verdict = study_judged[part]
                prefix = f"{study.name}{' ' + part if key == 'regularisation' else ''}"
                numbers.update(
                    {
                        Text(f"{prefix}: {en}", f"{prefix}:{zh}"): value
                        for (en, zh), value in part_numbers.items()
                    }
                )
                verdicts.append(f"{prefix}: {verdict}")
        verdict = combine([v.split(": ")[1] for v in verdicts])
        result.judge(claim, verdict, numbers, rule, note="; ".join(verdicts))


def under_labels(trees: int) -> dict:
    """The under-fitting table's row label and setting per model, in table order."""
    return {
        "linear": (Text("linear model (base)", "线性模型(基线)"), "40 raw features"),
        "features": (Text("more features", "增加特征"), "40 + 820 pairwise products"),
        "capacity": (Text("more capacity", "增加模型复杂度"), f"MLP {[40, *HIDDEN, 10]}"),
        "heavy_l2": (
            Text("heavily regularised MLP (base)", "强正则的 MLP(基线)"),
            f"lambda = {HEAVY_L2}",
        ),
        "light_l2": (Text("less regularisation", "减小正则权重"), f"lambda = {LIGHT_L2}"),
        "sgd": (
            Text("MLP trained with plain SGD (base)", "普通 SGD 训练的 MLP(基线)"),
            "SGD lr 0.01",
        ),
        "adam": (
            Text(
                "better optimiser (judged under bias_variance)",
                "更好的优化器(在 bias_variance 中判定)",
            ),
            "Adam lr 1e-3",
        ),
        "tree": (Text("one decision tree (base)", "一棵决策树(基线)"), f"depth {TREE_DEPTH}"),
        "boost": (Text("boosting", "boosting 集成"), f"AdaBoost, {trees} trees"),
    }


def judge_underfit_claim(result: Result, claim: str, base: tuple, remedy: tuple) -> tuple:
    """UNDERFIT_RULE on `remedy` against `base` (train accs, val accs): (d_train, d_val, verdict)."""
    (base_train, base_val), (train, val) = base, remedy
    d_train = 100 * float(np.mean(train) - np.mean(base_train))
    d_val = 100 * float(np.mean(val) - np.mean(base_val))
    verdict = underfit_verdict(d_train, d_val)
    if claim is None:
        return d_train, d_val, verdict
    robust = claim in ROBUST_UNDERFIT
    margin = None
    if robust:
        margin = result.say(
            "underfit_margin",
            d_train=d_train,
            d_val=d_val,
            train_points=TRAIN_POINTS,
            val_points=VAL_POINTS,
        )
    numbers = {
        Text("base train %", "基线训练准确率 %"): round(100 * float(np.mean(base_train)), 2),
        Text("train %", "训练准确率 %"): round(100 * float(np.mean(train)), 2),
        Text("train gain (points)", "训练准确率提升(百分点)"): round(d_train, 2),
        Text("val gain (points)", "验证准确率提升(百分点)"): round(d_val, 2),
    }
    result.judge(claim, verdict, numbers, UNDERFIT_RULE, robust=robust, margin=margin)
    return d_train, d_val, verdict


def judge_underfit(result: Result, measured: dict, trees: int) -> list:
    """Judge each under-fitting remedy against its base; returns the table rows."""
    rows = []
    for key, (label, setting) in under_labels(trees).items():
        train, val = measured[key]
        if key not in UNDER_PAIRS:
            rows.append([label, setting, pm(train), pm(val), "-", "-", "-"])
            continue
        base_key, claim = UNDER_PAIRS[key]
        d_train, d_val, verdict = judge_underfit_claim(
            result, claim, measured[base_key], measured[key]
        )
        rows.append(
            [label, setting, pm(train), pm(val), f"{d_train:+.1f}", f"{d_val:+.1f}", verdict]
        )
    return rows
