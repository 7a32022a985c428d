"""Bias and variance read from learning curves, and the notes' guidelines checked against them.

A learning curve trains the same model on growing subsets of MNIST-1D (100 to 3,000
signals) and plots its training and validation error against the subset size. Its
two readings (Andrew Ng's machine-learning course):

    high bias      both errors high and close together; more data does not help
    high variance  training error far below validation error; the gap closes with more data

Bias here is the training error (what the model cannot fit), variance the gap to the
validation error (what it fits but does not carry over). Each guideline of the notes
is then one measured change: a bigger or deeper model and a better optimiser against
the training error; more data, regularisation, dropout and adversarial training
against the gap; a hyper-parameter search against the error on an untouched test set.

All settings and thresholds below were fixed before the first run.
"""

from __future__ import annotations

import numpy as np

from glassnet.lab import Result, Text, Verdict, experiment, new_figure
from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.data import mnist1d as mnist1d_split
from glassnet.lab.kit.evaluate import accuracy, predict_logits
from glassnet.lab.kit.fit import Recipe, fit, mlp, seeded
from glassnet.lab.kit.fitting import OVERFIT_RULE, overfit_verdict
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.report.formatting import pm_percent as pm

SETTINGS = {
    "smoke": {
        "sizes": [100, 400, 1600],
        "min_steps": 300,
        "epochs": 10,
        "seeds": 1,
        "n_reg": 400,
        "search": 3,
        "n_search": 400,
    },
    "quick": {
        "sizes": [100, 200, 400, 800, 1600, 3000],
        "min_steps": 800,
        "epochs": 30,
        "seeds": 3,
        "n_reg": 400,
        "search": 10,
        "n_search": 800,
    },
    "full": {
        "sizes": [100, 200, 400, 800, 1600, 3000],
        "min_steps": 2000,
        "epochs": 100,
        "seeds": 5,
        "n_reg": 400,
        "search": 30,
        "n_search": 800,
    },
}
SMALL, BIG, DEEP = [40, 16, 10], [40, 128, 128, 10], [40, 16, 16, 16, 10]
DROPOUT, L2, ADVERSARIAL_EPS = 0.5, 1e-3, 0.1
BIGGER_POINTS, DEEPER_POINTS, OPTIMISER_POINTS = 5.0, 2.0, 5.0
GAP_RATIO, MORE_DATA_VAL_POINTS, SEARCH_POINTS = 0.5, 5.0, 1.0
SEARCH_SPACE = {
    "lr": (1e-4, 3e-2),
    "width": [16, 32, 64, 128, 256],
    "depth": [1, 2, 3],
    "dropout": [0.0, 0.2, 0.5],
    "l2": [0.0, 1e-4, 1e-3, 1e-2],
}


def _steps(n: int, s: dict) -> int:
    """The training budget for n signals: at least `min_steps` steps and `epochs` epochs (batch 50)."""
    return max(s["min_steps"], s["epochs"] * -(-n // 50))


def _train(build, n: int, s: dict, seed: int, offset: int, **recipe) -> dict:
    """Train `build()` on the first n training signals; final train/val accuracy (and the model)."""
    split = mnist1d_split(n, seed=seed)
    model = seeded(1000 * offset + seed, build)
    curve = fit(
        model,
        split.x_train,
        split.y_train,
        Recipe(steps=_steps(n, s), eval_every=10**9, **recipe),
        seed=seed,
        val=(split.x_val, split.y_val),
    )
    return {"train": curve.train_acc[-1], "val": curve.val_acc[-1], "model": model, "split": split}


def _err(values: list[float]) -> float:
    return 100 * (1 - float(np.mean(values)))


@experiment("bias_variance")
def run(mode: str, seed: int) -> Result:
    with one_blas_thread():
        return _run(mode, seed)


def _run(mode: str, seed: int) -> Result:
    s = SETTINGS[mode]
    seeds = [seed + r for r in range(s["seeds"])]
    sizes, n_max = s["sizes"], s["sizes"][-1]
    result = Result.start(
        "bias_variance",
        mode,
        seed,
        setup=Text(
            f"MNIST-1D, validation set of 1,000 signals from the train split, training subsets of {sizes} signals, "
            f"{len(seeds)} seed(s) (the subset and the initialisation change with the seed). Models: small MLP {SMALL}, "
            f"big MLP {BIG}, big MLP with dropout {DROPOUT}; Adam lr 1e-3, batch 50, max({s['min_steps']} steps, "
            f"{s['epochs']} epochs) per run. At {n_max} signals also a deeper {DEEP} and the big MLP trained with "
            f"plain SGD (lr 0.01 and 0.1), SGD with momentum 0.9 (lr 0.01) and Adam. At {s['n_reg']} signals the big "
            f"MLP with L2 lambda={L2}, dropout {DROPOUT}, and FGSM adversarial training (eps {ADVERSARIAL_EPS}, the "
            f"loss averaged over clean and adversarial inputs). A random search of {s['search']} configurations "
            f"(lr log-uniform in {SEARCH_SPACE['lr']}, width {SEARCH_SPACE['width']}, depth {SEARCH_SPACE['depth']}, "
            f"dropout {SEARCH_SPACE['dropout']}, L2 {SEARCH_SPACE['l2']}) at {s['n_search']} signals, chosen on "
            f"validation accuracy and scored once on the untouched test split (1,000 signals). Errors are 1 - "
            f"accuracy in %, mean (± std) over seeds.",
            f"数据 MNIST-1D,验证集为训练划分中的 1,000 个信号,训练子集大小为 {sizes},{len(seeds)} 个种子(子集与初始化随种子变化)。"
            f"模型:小 MLP {SMALL},大 MLP {BIG},带 dropout {DROPOUT} 的大 MLP;Adam lr 1e-3,batch 50,每次训练 "
            f"max({s['min_steps']} 步, {s['epochs']} 个 epoch)。在 {n_max} 个信号上另外训练更深的 {DEEP},以及分别用普通 SGD"
            f"(lr 0.01 与 0.1)、动量 0.9 的 SGD(lr 0.01)和 Adam 训练的大 MLP。在 {s['n_reg']} 个信号上训练带 L2 lambda={L2}、"
            f"dropout {DROPOUT} 以及 FGSM 对抗训练(eps {ADVERSARIAL_EPS},损失为干净输入与对抗输入的平均)的大 MLP。在 "
            f"{s['n_search']} 个信号上随机搜索 {s['search']} 组超参数,按验证准确率选择,并只在未动用过的测试集(1,000 个信号)"
            f"上评估一次。误差为 1 - 准确率(%),多个种子的均值(± 标准差)。",
        ),
    )
    timing = []

    with Clock() as clock:  # learning curves
        curves = {
            name: {n: [_train(build, n, s, r, offset) for r in seeds] for n in sizes}
            for name, build, offset in (
                ("small", lambda: mlp(SMALL), 1),
                ("big", lambda: mlp(BIG), 2),
                ("dropout", lambda: mlp(BIG, DROPOUT), 3),
            )
        }
    timing.append([Text("learning curves", "学习曲线"), round(clock.cpu, 2)])
    rows = []
    for n in sizes:
        row = [n]
        for name in ("small", "big", "dropout"):
            runs = curves[name][n]
            row += [pm([1 - r["train"] for r in runs]), pm([1 - r["val"] for r in runs])]
        rows.append(row)
    result.add_table(
        Text(
            "Learning curves: error % against training-set size",
            "学习曲线:误差 % 随训练集大小的变化",
        ),
        [
            Text("signals", "信号数"),
            Text("small: train", "小模型:训练"),
            Text("small: val", "小模型:验证"),
            Text("big: train", "大模型:训练"),
            Text("big: val", "大模型:验证"),
            Text("big + dropout: train", "大模型 + dropout:训练"),
            Text("big + dropout: val", "大模型 + dropout:验证"),
        ],
        rows,
    )

    with Clock() as clock:  # at the largest size: depth and optimisers
        deep = [_train(lambda: mlp(DEEP), n_max, s, r, 4) for r in seeds]
        optimisers = {
            label: [_train(lambda: mlp(BIG), n_max, s, r, 5, **options) for r in seeds]
            for label, options in (
                ("SGD lr 0.01", {"optimizer": "sgd", "lr": 0.01}),
                ("SGD lr 0.1", {"optimizer": "sgd", "lr": 0.1}),
                ("momentum 0.9, lr 0.01", {"optimizer": "momentum", "lr": 0.01}),
            )
        }
        optimisers["Adam lr 1e-3"] = curves["big"][n_max]
    timing.append([Text("depth and optimisers", "深度与优化器"), round(clock.cpu, 2)])
    with Clock() as clock:  # at n_reg: regularisers against the gap
        n_reg = s["n_reg"]
        base = (
            curves["big"][n_reg]
            if n_reg in sizes
            else [_train(lambda: mlp(BIG), n_reg, s, r, 2) for r in seeds]
        )
        regular = {
            "dropout": curves["dropout"][n_reg]
            if n_reg in sizes
            else [_train(lambda: mlp(BIG, DROPOUT), n_reg, s, r, 3) for r in seeds],
            "L2": [_train(lambda: mlp(BIG), n_reg, s, r, 6, l2=L2) for r in seeds],
            "adversarial": [
                _train(lambda: mlp(BIG), n_reg, s, r, 7, adversarial_eps=ADVERSARIAL_EPS)
                for r in seeds
            ],
        }
    timing.append([Text("regularisers", "正则化方法"), round(clock.cpu, 2)])
    with Clock() as clock:
        search = _search(s, seed)
    timing.append([Text("hyper-parameter search", "超参数搜索"), round(clock.cpu, 2)])

    guideline_rows = _judge(result, s, curves, deep, optimisers, base, regular, search)
    result.add_table(
        Text("The notes' guidelines against the measurements", "笔记中的指导方针与测量结果"),
        [
            Text("guideline", "方针"),
            Text("what it should change", "应当改变什么"),
            Text("measured", "测量值"),
            Text("verdict", "结论"),
        ],
        guideline_rows,
    )
    result.add_table(
        Text(
            "Optimisers on the big MLP, all training signals, same budget",
            "同一预算下大 MLP 的优化器对比",
        ),
        [
            Text("optimiser", "优化器"),
            Text("train error %", "训练误差 %"),
            Text("val error %", "验证误差 %"),
        ],
        [
            [label, pm([1 - r["train"] for r in runs]), pm([1 - r["val"] for r in runs])]
            for label, runs in optimisers.items()
        ],
    )
    result.add_table(
        Text(
            "Hyper-parameter search (chosen on validation, scored on test)",
            "超参数搜索(按验证集选择,在测试集上评估)",
        ),
        [
            Text("configuration", "配置"),
            Text("train %", "训练 %"),
            Text("val %", "验证 %"),
            Text("test %", "测试 %"),
        ],
        [
            [
                c["label"],
                round(100 * c["train"], 1),
                round(100 * c["val"], 1),
                round(100 * c["test"], 1) if "test" in c else "-",
            ]
            for c in search["rows"]
        ],
        note=Text(
            "Only the default and the chosen configuration are scored on the test split.",
            "只有默认配置与被选中的配置在测试集上评估。",
        ),
    )
    _figure(result, sizes, curves)
    result.add_table(
        Text("CPU time per part (this process)", "各部分 CPU 时间(本进程)"),
        [Text("part", "部分"), Text("CPU s", "CPU 秒")],
        timing,
    )
    return result


def _search(s: dict, seed: int) -> dict:
    """Random search at n_search signals; the default (big MLP, Adam 1e-3, no regulariser) is configuration 0."""
    rng = np.random.default_rng([seed, 11])
    n = s["n_search"]
    configs = [
        {
            "label": f"default: MLP {BIG}, lr 1e-3",
            "sizes": BIG,
            "lr": 1e-3,
            "dropout": 0.0,
            "l2": 0.0,
        }
    ]
    for _ in range(s["search"]):
        width, depth = (
            int(rng.choice(SEARCH_SPACE["width"])),
            int(rng.choice(SEARCH_SPACE["depth"])),
        )
        lr = float(np.exp(rng.uniform(*np.log(SEARCH_SPACE["lr"]))))
        dropout, l2 = (
            float(rng.choice(SEARCH_SPACE["dropout"])),
            float(rng.choice(SEARCH_SPACE["l2"])),
        )
        sizes = [40, *[width] * depth, 10]
        configs.append(
            {
                "label": f"MLP {sizes}, lr {lr:.1e}, dropout {dropout}, L2 {l2}",
                "sizes": sizes,
                "lr": lr,
                "dropout": dropout,
                "l2": l2,
            }
        )
    for index, config in enumerate(configs):
        run = _train(
            lambda c=config: mlp(c["sizes"], c["dropout"]),
            n,
            s,
            seed,
            20 + index,
            lr=config["lr"],
            l2=config["l2"],
        )
        config.update(train=run["train"], val=run["val"], model=run["model"], split=run["split"])
    chosen = max(configs[1:], key=lambda c: c["val"])
    for config in (configs[0], chosen):
        config["test"] = accuracy(
            predict_logits(config["model"], config["split"].x_test), config["split"].y_test
        )
    chosen["label"] = "chosen: " + chosen["label"]
    rows = [{k: v for k, v in c.items() if k not in ("model", "split")} for c in configs]
    return {"default": configs[0], "chosen": chosen, "rows": rows}


def _judge(
    result: Result,
    s: dict,
    curves: dict,
    deep: list,
    optimisers: dict,
    base: list,
    regular: dict,
    search: dict,
) -> list:
    sizes, n_max, n_reg = s["sizes"], s["sizes"][-1], s["n_reg"]
    rows = []
    train = {name: [r["train"] for r in curves[name][n_max]] for name in ("small", "big")}
    val = {name: [r["val"] for r in curves[name][n_max]] for name in ("small", "big")}
    bigger = _err(train["small"]) - _err(train["big"])
    deeper = _err(train["small"]) - _err([r["train"] for r in deep])
    verdict = (
        Verdict.HOLDS
        if bigger >= BIGGER_POINTS and deeper >= DEEPER_POINTS
        else Verdict.PARTLY
        if bigger >= BIGGER_POINTS or deeper >= DEEPER_POINTS
        else Verdict.DOES_NOT_HOLD
    )
    numbers = {
        Text(f"train error %, small {SMALL}", f"训练误差 %,小模型 {SMALL}"): round(
            _err(train["small"]), 2
        ),
        Text(f"train error %, big {BIG}", f"训练误差 %,大模型 {BIG}"): round(_err(train["big"]), 2),
        Text(f"train error %, deeper {DEEP}", f"训练误差 %,更深的 {DEEP}"): round(
            _err([r["train"] for r in deep]), 2
        ),
        Text("val error %, small", "验证误差 %,小模型"): round(_err(val["small"]), 2),
        Text("val error %, big", "验证误差 %,大模型"): round(_err(val["big"]), 2),
    }
    result.judge(
        "bias_bigger_model",
        verdict,
        numbers,
        Text(
            f"at {n_max} signals: holds when the big model's training error is at least {BIGGER_POINTS:g} points below the "
            f"small model's AND the deeper model's (same width as the small one) at least {DEEPER_POINTS:g} points below; "
            f"partly when only one is; does not hold otherwise",
            f"在 {n_max} 个信号上:大模型的训练误差比小模型低至少 {BIGGER_POINTS:g} 个百分点,且更深的模型(与小模型同宽)低至少 "
            f"{DEEPER_POINTS:g} 个百分点,则成立;只满足其一为部分成立;否则不成立",
        ),
    )
    rows.append(
        [
            Text("low bias: a bigger model, deeper layers", "低偏差:更大的模型,更深的层"),
            Text("training error down", "训练误差下降"),
            f"train error: bigger {-bigger:+.1f} pts, deeper {-deeper:+.1f} pts",
            verdict,
        ]
    )

    sgd = _err([r["train"] for r in optimisers["SGD lr 0.01"]])
    gains = {
        label: sgd - _err([r["train"] for r in runs])
        for label, runs in optimisers.items()
        if label in ("momentum 0.9, lr 0.01", "Adam lr 1e-3")
    }
    hits = sum(gain >= OPTIMISER_POINTS for gain in gains.values())
    verdict = Verdict.HOLDS if hits == 2 else Verdict.PARTLY if hits == 1 else Verdict.DOES_NOT_HOLD
    numbers = {
        Text(f"train error %, {label}", f"训练误差 %,{label}"): round(
            _err([r["train"] for r in runs]), 2
        )
        for label, runs in optimisers.items()
    }
    weakest = min(gains.values())
    result.judge(
        "bias_better_optimizer",
        verdict,
        numbers,
        robust=True,
        margin=Text(
            f"the smaller gain over plain SGD is {weakest:.1f} points of training error against {OPTIMISER_POINTS:g}",
            f"相对普通 SGD 的较小提升为 {weakest:.1f} 个百分点的训练误差(阈值 {OPTIMISER_POINTS:g})",
        ),
        rule=Text(
            f"the big MLP at {n_max} signals, same number of steps: holds when momentum AND Adam each end at least "
            f"{OPTIMISER_POINTS:g} points of training error below plain SGD with lr 0.01; partly when one does; does not "
            f"hold otherwise (plain SGD with lr 0.1 is reported, not judged: a tuned lr is part of a 'better scheme')",
            f"大 MLP、{n_max} 个信号、相同步数:动量与 Adam 的训练误差都比 lr 0.01 的普通 SGD 低至少 {OPTIMISER_POINTS:g} 个百分点则成立;"
            f"只有一个做到为部分成立;否则不成立(lr 0.1 的普通 SGD 只报告、不参与判定:调好的学习率本身就是“更好的方案”的一部分)",
        ),
    )
    rows.append(
        [
            Text("low bias: a better optimiser", "低偏差:更好的优化器"),
            Text("training error down", "训练误差下降"),
            "train error: "
            + ", ".join(f"{label} {-gain:+.1f} pts" for label, gain in gains.items()),
            verdict,
        ]
    )

    def gap(runs: list) -> float:
        return 100 * float(np.mean([r["train"] - r["val"] for r in runs]))

    small_gap, large_gap = gap(curves["big"][sizes[0]]), gap(curves["big"][n_max])
    val_gain = 100 * (
        np.mean([r["val"] for r in curves["big"][n_max]])
        - np.mean([r["val"] for r in curves["big"][sizes[0]]])
    )
    parts = (large_gap <= GAP_RATIO * small_gap, val_gain >= MORE_DATA_VAL_POINTS)
    verdict = (
        Verdict.HOLDS if all(parts) else Verdict.PARTLY if any(parts) else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "variance_more_data",
        verdict,
        robust=True,
        margin=Text(
            f"gap ratio {large_gap / small_gap:.2f} against {GAP_RATIO:g}, validation gain {val_gain:.1f} points against "
            f"{MORE_DATA_VAL_POINTS:g}",
            f"gap 之比 {large_gap / small_gap:.2f}(阈值 {GAP_RATIO:g}),验证准确率提升 {val_gain:.1f} 个百分点(阈值 "
            f"{MORE_DATA_VAL_POINTS:g})",
        ),
        numbers={
            Text(
                f"gap (points) at {sizes[0]} signals", f"{sizes[0]} 个信号时的 gap(百分点)"
            ): round(small_gap, 2),
            Text(f"gap (points) at {n_max} signals", f"{n_max} 个信号时的 gap(百分点)"): round(
                large_gap, 2
            ),
            Text("validation gain (points)", "验证准确率提升(百分点)"): round(float(val_gain), 2),
        },
        rule=Text(
            f"the big MLP's learning curve: holds when its train-validation gap at {n_max} signals is at most "
            f"{GAP_RATIO:g} x the gap at {sizes[0]} AND its validation accuracy rises by at least "
            f"{MORE_DATA_VAL_POINTS:g} points; partly when one of the two; does not hold otherwise",
            f"大 MLP 的学习曲线:{n_max} 个信号时的训练-验证 gap 不超过 {sizes[0]} 个信号时的 {GAP_RATIO:g} 倍,且验证准确率提高至少 "
            f"{MORE_DATA_VAL_POINTS:g} 个百分点,则成立;只满足其一为部分成立;否则不成立",
        ),
    )
    rows.append(
        [
            Text("low variance: more data", "低方差:更多数据"),
            Text("gap down, validation error down", "gap 与验证误差下降"),
            f"gap {small_gap:.1f} -> {large_gap:.1f} pts, val +{val_gain:.1f} pts",
            verdict,
        ]
    )

    base_gap, base_val = gap(base), 100 * float(np.mean([r["val"] for r in base]))
    judged = {}
    for name, runs in regular.items():
        d_gap, d_val = (
            base_gap - gap(runs),
            100 * float(np.mean([r["val"] for r in runs])) - base_val,
        )
        judged[name] = (overfit_verdict(d_gap, d_val), round(d_gap, 2), round(d_val, 2))
    parts = [judged["L2"][0], judged["dropout"][0]]
    verdict = (
        Verdict.HOLDS
        if parts == ["holds"] * 2
        else Verdict.DOES_NOT_HOLD
        if parts == ["does not hold"] * 2
        else Verdict.PARTLY
    )
    numbers = {}
    for name in ("L2", "dropout"):
        numbers[Text(f"{name}: gap narrowed by (points)", f"{name}:gap 缩小(百分点)")] = judged[
            name
        ][1]
        numbers[Text(f"{name}: validation gain (points)", f"{name}:验证准确率提升(百分点)")] = (
            judged[name][2]
        )
    result.judge(
        "variance_regularisation",
        verdict,
        numbers,
        Text(
            f"the big MLP at {n_reg} signals, against itself unregularised; one rule, applied to L2 and to dropout; the "
            f"claim holds when both hold, does not hold when both do not, partly otherwise. The rule: "
            + OVERFIT_RULE.en,
            f"大 MLP、{n_reg} 个信号,与不加正则的自身比较;同一条规则分别用于 L2 与 dropout;两者都成立则论断成立,都不成立则不成立,"
            f"否则部分成立。规则:" + OVERFIT_RULE.zh,
        ),
        note=Text(f"L2: {parts[0]}; dropout: {parts[1]}", f"L2:{parts[0]};dropout:{parts[1]}"),
    )
    rows.append(
        [
            Text("low variance: regularisation, dropout", "低方差:正则化,dropout"),
            Text("gap down", "gap 下降"),
            (
                f"L2: gap {-judged['L2'][1]:+.1f} pts, val {judged['L2'][2]:+.1f} pts; "
                f"dropout: gap {-judged['dropout'][1]:+.1f} pts, val {judged['dropout'][2]:+.1f} pts"
            ),
            verdict,
        ]
    )

    adv = judged["adversarial"]
    result.judge(
        "variance_adversarial",
        adv[0],
        {
            Text("gap narrowed by (points)", "gap 缩小(百分点)"): adv[1],
            Text("validation gain (points)", "验证准确率提升(百分点)"): adv[2],
        },
        Text(
            f"FGSM adversarial training (Goodfellow et al. 2015), the big MLP at {n_reg} signals: "
            + OVERFIT_RULE.en,
            f"FGSM 对抗训练(Goodfellow 等,2015),大 MLP、{n_reg} 个信号:" + OVERFIT_RULE.zh,
        ),
        note=Text(
            "'对抗神经网络' can mean GANs (generating extra data) or adversarial training; the lab measures adversarial "
            "training, the reading that is a variance remedy by itself.",
            "“对抗神经网络”可能指 GAN(生成额外数据)或对抗训练;实验室测量的是对抗训练,它本身就是一种降低方差的方法。",
        ),
    )
    rows.append(
        [
            Text(
                "low variance: adversarial networks (read as adversarial training)",
                "低方差:对抗神经网络(按对抗训练理解)",
            ),
            Text("gap down", "gap 下降"),
            f"gap {-adv[1]:+.1f} pts, val {adv[2]:+.1f} pts",
            adv[0],
        ]
    )

    default, chosen = search["default"], search["chosen"]
    val_gain, test_gain = (
        100 * (chosen["val"] - default["val"]),
        100 * (chosen["test"] - default["test"]),
    )
    verdict = (
        Verdict.HOLDS
        if val_gain >= SEARCH_POINTS and test_gain >= SEARCH_POINTS
        else Verdict.PARTLY
        if val_gain >= SEARCH_POINTS
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "hyperparameters",
        verdict,
        {
            Text("configurations tried", "尝试的配置数"): s["search"],
            Text(
                "validation gain over the default (points)", "相对默认配置的验证准确率提升(百分点)"
            ): round(val_gain, 2),
            Text(
                "test gain over the default (points)", "相对默认配置的测试准确率提升(百分点)"
            ): round(test_gain, 2),
            Text(
                "chosen: train accuracy change (points)", "选中配置:训练准确率变化(百分点)"
            ): round(100 * (chosen["train"] - default["train"]), 2),
            Text("chosen: gap change (points)", "选中配置:gap 变化(百分点)"): round(
                100 * ((chosen["train"] - chosen["val"]) - (default["train"] - default["val"])), 2
            ),
        },
        Text(
            f"holds when the configuration chosen on validation beats the default by at least {SEARCH_POINTS:g} point on "
            f"validation AND on the untouched test split; partly when only on validation (the gain does not survive a "
            f"fresh test); does not hold when no configuration beats the default on validation by that much",
            f"按验证集选出的配置在验证集和未动用的测试集上都比默认配置高至少 {SEARCH_POINTS:g} 个百分点则成立;只在验证集上做到为部分成立"
            f"(提升在新的测试集上没有保持);没有配置在验证集上领先这么多则不成立",
        ),
    )
    rows.append(
        [
            Text("low bias and variance: search hyper-parameters", "低偏差与低方差:搜索超参数"),
            Text("test error down", "测试误差下降"),
            f"val {val_gain:+.1f} pts, test {test_gain:+.1f} pts",
            verdict,
        ]
    )
    return rows


def _figure(result: Result, sizes: list, curves: dict) -> None:
    fig, (left, right) = new_figure(10.0, 3.6, ncols=2)
    styles = {
        "small": ("C0", f"small {SMALL}"),
        "big": ("C3", f"big {BIG}"),
        "dropout": ("C2", "big + dropout"),
    }
    for name, (color, label) in styles.items():
        train = [_err([r["train"] for r in curves[name][n]]) for n in sizes]
        val = [_err([r["val"] for r in curves[name][n]]) for n in sizes]
        left.plot(sizes, train, "--o", color=color, ms=3, label=f"{label}: train")
        left.plot(sizes, val, "-o", color=color, ms=3, label=f"{label}: val")
        right.plot(sizes, np.subtract(val, train), "-o", color=color, ms=3, label=label)
    left.set(title="Learning curves", xlabel="training signals", ylabel="error %", xscale="log")
    left.legend(fontsize=7)
    right.set(
        title="Variance: validation minus training error",
        xlabel="training signals",
        ylabel="gap (points)",
        xscale="log",
    )
    right.legend(fontsize=7)
    result.add_figure(
        fig,
        "learning_curves",
        Text(
            "Left: training (dashed) and validation (solid) error against the number of training signals. The small "
            "model's two curves meet high up (bias); the big model's start far apart and close with more data "
            "(variance). Right: the gap alone.",
            "左:训练误差(虚线)与验证误差(实线)随训练信号数的变化。小模型的两条曲线在高处汇合(偏差);大模型的两条曲线起初相距很远,"
            "随数据增多而靠拢(方差)。右:单独画出 gap。",
        ),
    )
