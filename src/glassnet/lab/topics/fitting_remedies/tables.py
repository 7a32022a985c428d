"""fitting_remedies' tables: every strength of every remedy (the one chosen on validation
marked), per over-fitting data set and for the under-fitting study, and the CPU time."""

from __future__ import annotations

from glassnet.lab import Result, Text
from glassnet.lab.kit.fitting import Scores, choose_on_val
from glassnet.lab.report.formatting import pm_percent as pm
from glassnet.lab.topics.fitting_remedies.judge import NAMES, over_check
from glassnet.lab.topics.fitting_remedies.measure import Study

COLUMNS = [
    Text("remedy", "方法"),
    Text("setting", "设置"),
    Text("train acc %", "训练准确率 %"),
    Text("val acc %", "验证准确率 %"),
    Text("test acc %", "测试准确率 %"),
    Text("train - test (points)", "训练 - 测试(百分点)"),
    Text("chosen on validation", "验证集选中"),
]


def row(label: str | Text, setting: str, scores: Scores, mark: str = "") -> list:
    cells = [pm(scores.train), pm(scores.val), pm(scores.test), f"{scores.gap():.1f}"]
    return [label, setting, *cells, mark]


def sweep_rows(label: str, sweep: dict[str, Scores], chosen: str | None = None) -> list[list]:
    """Each strength of one remedy, the one chosen on validation marked."""
    chosen = chosen or choose_on_val(sweep)
    return [row(label, key, s, "yes" if key == chosen else "") for key, s in sweep.items()]


def overfit_table(result: Result, study: Study) -> None:
    rows = [row(Text("base", "基线"), "MLP, members' mean", study.base)]
    for remedy in ("small", "l2", "dropout", "augment", "ensemble"):
        rows += sweep_rows(NAMES[remedy], study.sweeps[remedy])
    early = study.sweeps["early"]
    rows += [row("early stopping (val_loss)", k, s) for k, s in early.items()]
    features = dict(study.sweeps["features"])
    rows.append(
        row(
            Text("linear model (base)", "线性模型(基线)"),
            "raw + all pairwise products",
            features.pop("all"),
        )
    )
    rows += sweep_rows(NAMES["features"], features)
    title = result.say("overfit_table_title", study=study.name, n_train=len(study.load(0).y_train))
    check, fixed = over_check(result, study.name, study.base), result.text("overfit_table_note")
    note = Text(check.en + " " + fixed.en, check.zh + fixed.zh)
    result.add_table(title, COLUMNS, rows, note=note)


def underfit_table(result: Result, under: dict) -> None:
    rows = [row(Text("linear model (base)", "线性模型(基线)"), *next(iter(under["base"].items())))]
    for part in ("more_features", "less_l2", "capacity", "boost"):
        rows += sweep_rows(NAMES[part], under[part])
    for part, label in (
        ("heavy", "heavy penalty (other reading's base)"),
        ("boost_other", "boosting, other variants"),
    ):
        rows += [row(label, k, s) for k, s in under[part].items()]
    result.add_table(
        result.text("underfit_table_title"), COLUMNS, rows, note=result.text("underfit_table_note")
    )


def timing_table(result: Result, over: list[Study], under_cpu: float) -> None:
    rows = [[Text(f"over-fitting, {s.name}", f"过拟合,{s.name}"), round(s.cpu, 2)] for s in over]
    rows.append([Text("under-fitting, MNIST-1D", "欠拟合,MNIST-1D"), round(under_cpu, 2)])
    columns = [Text("part", "部分"), Text("CPU s", "CPU 秒")]
    result.add_table(result.text("timing_title"), columns, rows)
