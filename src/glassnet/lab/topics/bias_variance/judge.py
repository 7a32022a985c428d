"""bias_variance's verdicts: one judge per claim of the notes, each returning its guideline row
(the guideline, what it should change, the measured change, the verdict).

Bias is read as the training error (what the model cannot fit), variance as the gap between
training and test accuracy (what it fits but does not carry over). Comparisons are seed by
seed: a claim holds only where the mean clears its threshold and every seed moves its way.
"""

from __future__ import annotations

import numpy as np

from glassnet.lab import Result, Text, Verdict
from glassnet.lab.kit.fitting import (
    OVERFIT_GAP_POINTS,
    OVERFIT_RULE,
    Scores,
    choose_on_val,
    combine,
    overfit_verdict,
    overfits,
)
from glassnet.lab.topics.bias_variance.measure import err
from glassnet.lab.topics.bias_variance.settings import (
    BIG,
    BIGGER_POINTS,
    DEEP,
    DEEPER_POINTS,
    DEFAULT_LRS,
    GAP_RATIO,
    MORE_DATA_TEST_POINTS,
    OPTIMISER_POINTS,
    SEARCH_POINTS,
    SMALL,
)


def by_count(passed: list[bool]) -> Verdict:
    """holds when every part passed, partly when some did, does not hold when none did."""
    count = sum(bool(p) for p in passed)
    if count == len(passed):
        return Verdict.HOLDS
    return Verdict.PARTLY if count else Verdict.DOES_NOT_HOLD


def lower_error(base: Scores, other: Scores, part: str = "train") -> tuple[float, bool]:
    """(points by which `other`'s error is below `base`'s, whether every seed is below)."""
    per_seed = 100 * (np.asarray(getattr(other, part)) - np.asarray(getattr(base, part)))
    return float(np.mean(per_seed)), bool(np.all(per_seed > 0))


def judge_bigger_model(result: Result, s: dict, curves: dict) -> list:
    """A bigger or deeper model lowers the training error (bias)."""
    n_max = s["sizes"][-1]
    small, big, deep = curves["small"][n_max], curves["big"][n_max], curves["deep"]
    bigger, every_big = lower_error(small, big)
    deeper, every_deep = lower_error(small, deep)
    passed = [bigger >= BIGGER_POINTS and every_big, deeper >= DEEPER_POINTS and every_deep]
    verdict = by_count(passed)
    numbers = {
        Text(f"train error %, small {SMALL}", f"训练误差 %,小模型 {SMALL}"): round(err(small), 2),
        Text(f"train error %, big {BIG}", f"训练误差 %,大模型 {BIG}"): round(err(big), 2),
        Text(f"train error %, deeper {DEEP}", f"训练误差 %,更深的 {DEEP}"): round(err(deep), 2),
    }
    rule = result.say(
        "rule_bigger", n_max=n_max, bigger_points=BIGGER_POINTS, deeper_points=DEEPER_POINTS
    )
    note = result.say(
        "note_bigger",
        bigger=bigger,
        bigger_abs=abs(bigger),
        every_big=float(every_big),
        deeper=deeper,
        deeper_abs=abs(deeper),
        every_deep=float(every_deep),
    )
    result.judge("bias_bigger_model", verdict, numbers, rule, note=note)
    measured = f"train error: bigger {-bigger:+.1f} pts, deeper {-deeper:+.1f} pts"
    return [
        Text("low bias: a bigger model, deeper layers", "低偏差:更大的模型,更深的层"),
        Text("training error down", "训练误差下降"),
        measured,
        verdict,
    ]


def best_lrs(optimisers: dict) -> dict[str, float]:
    """Each optimiser's learning rate with the highest mean training accuracy."""
    return {
        label: max(grid, key=lambda lr, g=grid: g[lr].pct("train"))
        for label, grid in optimisers.items()
    }


def judge_better_optimizer(result: Result, s: dict, optimisers: dict) -> list:
    """Momentum and Adam, each at its best lr, lower the training error below SGD's best (bias)."""
    best = best_lrs(optimisers)
    sgd = optimisers["SGD"][best["SGD"]]
    gains = {k: lower_error(sgd, optimisers[k][best[k]]) for k in ("momentum 0.9", "Adam")}
    verdict = by_count([g >= OPTIMISER_POINTS and every for g, every in gains.values()])
    numbers = {
        Text(
            f"train error %, {k} (best lr {best[k]:g})", f"训练误差 %,{k}(最佳学习率 {best[k]:g})"
        ): round(err(grid[best[k]]), 2)
        for k, grid in optimisers.items()
    }
    defaults = {k: err(optimisers[k][lr]) for k, lr in DEFAULT_LRS.items()}
    rule = result.say(
        "rule_optimizer", n_opt=s["n_opt"], steps=s["opt_steps"], points=OPTIMISER_POINTS
    )
    note = result.say(
        "note_optimizer",
        momentum=gains["momentum 0.9"][0],
        momentum_abs=abs(gains["momentum 0.9"][0]),
        adam=gains["Adam"][0],
        adam_abs=abs(gains["Adam"][0]),
        sgd_default=defaults["SGD"],
        momentum_default=defaults["momentum 0.9"],
        adam_default=defaults["Adam"],
    )
    result.judge("bias_better_optimizer", verdict, numbers, rule, note=note)
    measured = ", ".join(f"{k} {-g:+.1f} pts" for k, (g, _) in gains.items())
    return [
        Text("low bias: a better optimiser", "低偏差:更好的优化器"),
        Text("training error down", "训练误差下降"),
        "train error vs SGD: " + measured,
        verdict,
    ]


def judge_more_data(result: Result, s: dict, curves: dict) -> list:
    """More data closes the train-test gap and raises the test accuracy (variance)."""
    n_min, n_max = s["sizes"][0], s["sizes"][-1]
    few, many = curves["big"][n_min], curves["big"][n_max]
    ratio = many.gap() / few.gap()
    gain, every = lower_error(few, many, "test")
    verdict = by_count([ratio <= GAP_RATIO, gain >= MORE_DATA_TEST_POINTS and every])
    numbers = {
        Text(f"gap (points) at {n_min} signals", f"{n_min} 个信号时的 gap(百分点)"): round(
            few.gap(), 2
        ),
        Text(f"gap (points) at {n_max} signals", f"{n_max} 个信号时的 gap(百分点)"): round(
            many.gap(), 2
        ),
        Text("test gain (points)", "测试准确率提升(百分点)"): round(gain, 2),
    }
    rule = result.say(
        "rule_more_data",
        n_max=n_max,
        n_min=n_min,
        gap_ratio=GAP_RATIO,
        points=MORE_DATA_TEST_POINTS,
    )
    note = result.say(
        "note_more_data", ratio=ratio, gain=gain, gain_abs=abs(gain), every=float(every)
    )
    result.judge("variance_more_data", verdict, numbers, rule, note=note)
    measured = f"gap {few.gap():.1f} -> {many.gap():.1f} pts, test {gain:+.1f} pts"
    return [
        Text("low variance: more data", "低方差:更多数据"),
        Text("gap down, test error down", "gap 与测试误差下降"),
        measured,
        verdict,
    ]


def regulariser_parts(result: Result, regular: dict, names: tuple[str, ...]) -> list[dict]:
    """OVERFIT_RULE on each regulariser at its validation-chosen strength, against the base."""
    base, out = regular["base"]["none"], []
    for name in names:
        chosen = choose_on_val(regular[name])
        verdict, n = overfit_verdict(base, regular[name][chosen])
        sentence = result.say(
            "regulariser_part",
            name=name,
            chosen=chosen,
            test_gain=n["test_gain"],
            test_abs=abs(n["test_gain"]),
            every_seed=n["every_seed"],
            gap_narrowed=n["gap_narrowed"],
            gap_abs=abs(n["gap_narrowed"]),
            verdict=verdict,
        )
        numbers = {
            Text(f"{name}: chosen", f"{name}:选中"): chosen,
            Text(f"{name}: gap narrowed by (points)", f"{name}:gap 缩小(百分点)"): round(
                n["gap_narrowed"], 2
            ),
            Text(f"{name}: test gain (points)", f"{name}:测试准确率提升(百分点)"): round(
                n["test_gain"], 2
            ),
        }
        out.append({"verdict": verdict, "numbers": numbers, "sentence": sentence, "d": n})
    return out


def judge_regularisers(result: Result, s: dict, regular: dict) -> list[list]:
    """variance_regularisation (L2 and dropout) and variance_adversarial (FGSM training)."""
    base = regular["base"]["none"]
    check = result.say(
        "overfit_check",
        gap=base.gap("val"),
        margin=base.gap("val") - OVERFIT_GAP_POINTS,
        needed=OVERFIT_GAP_POINTS,
        n_reg=s["n_reg"],
    )
    rows = []
    for claim, names, label in (
        (
            "variance_regularisation",
            ("L2", "dropout"),
            Text("low variance: regularisation, dropout", "低方差:正则化,dropout"),
        ),
        (
            "variance_adversarial",
            ("adversarial",),
            Text(
                "low variance: adversarial networks (adversarial training)",
                "低方差:对抗神经网络(按对抗训练理解)",
            ),
        ),
    ):
        reading = result.text(f"reading_{claim}")
        if not overfits(base):
            result.judge(
                claim,
                Verdict.NOT_MEASURED,
                {},
                OVERFIT_RULE,
                note=Text(reading.en + " " + check.en, reading.zh + check.zh),
            )
            rows.append([label, Text("gap down", "gap 下降"), "-", Verdict.NOT_MEASURED])
            continue
        parts = regulariser_parts(result, regular, names)
        verdict = combine([p["verdict"] for p in parts])
        numbers = {k: v for p in parts for k, v in p["numbers"].items()}
        texts = [reading, check, *(p["sentence"] for p in parts)]
        result.judge(
            claim,
            verdict,
            numbers,
            OVERFIT_RULE,
            note=Text(" ".join(t.en for t in texts), "".join(t.zh for t in texts)),
        )
        measured = "; ".join(
            f"{n}: gap {-p['d']['gap_narrowed']:+.1f} pts, test {p['d']['test_gain']:+.1f} pts"
            for n, p in zip(names, parts)
        )
        rows.append([label, Text("gap down", "gap 下降"), measured, verdict])
    return rows


def search_gains(found: list[list[dict]]) -> dict[str, list[float]]:
    """Per seed, in points: the chosen configuration's gains over the default."""
    out: dict[str, list[float]] = {"val": [], "test": [], "train": [], "gap": []}
    for configs in found:
        default = configs[0]["score"]
        chosen = max(configs[1:], key=lambda c: c["score"][1])["score"]
        out["train"].append(100 * (chosen[0] - default[0]))
        out["val"].append(100 * (chosen[1] - default[1]))
        out["test"].append(100 * (chosen[2] - default[2]))
        out["gap"].append(100 * ((chosen[0] - chosen[2]) - (default[0] - default[2])))
    return out


def judge_search(result: Result, s: dict, found: list[list[dict]]) -> list:
    """The configuration a search chooses on validation also wins on the untouched test split."""
    g = {k: float(np.mean(v)) for k, v in search_gains(found).items()}
    every = all(t > 0 for t in search_gains(found)["test"])
    if g["test"] >= SEARCH_POINTS and every:
        verdict = Verdict.HOLDS
    else:
        verdict = Verdict.PARTLY if g["val"] >= SEARCH_POINTS else Verdict.DOES_NOT_HOLD
    numbers = {
        Text("configurations tried per seed", "每个种子尝试的配置数"): s["search"],
        Text(
            "validation gain over the default (points)", "相对默认配置的验证准确率提升(百分点)"
        ): round(g["val"], 2),
        Text("test gain over the default (points)", "相对默认配置的测试准确率提升(百分点)"): round(
            g["test"], 2
        ),
        Text("chosen: train accuracy change (points)", "选中配置:训练准确率变化(百分点)"): round(
            g["train"], 2
        ),
        Text("chosen: gap change (points)", "选中配置:gap 变化(百分点)"): round(g["gap"], 2),
    }
    note = result.say(
        "note_search",
        test=g["test"],
        test_abs=abs(g["test"]),
        every=float(every),
        train=g["train"],
        train_abs=abs(g["train"]),
        gap=g["gap"],
        gap_abs=abs(g["gap"]),
    )
    result.judge(
        "hyperparameters",
        verdict,
        numbers,
        result.say("rule_search", points=SEARCH_POINTS),
        note=note,
    )
    measured = f"val {g['val']:+.1f} pts, test {g['test']:+.1f} pts"
    return [
        Text("low bias and variance: search hyper-parameters", "低偏差与低方差:搜索超参数"),
        Text("test error down", "测试误差下降"),
        measured,
        verdict,
    ]
