"""Evaluating a model: train/validation/test discipline, the confusion matrix, precision/recall/F1, bias/variance.

Three measurements on MNIST-1D, one per line of the notes:

* Splits. A pool of MLPs with random hyper-parameters is trained on the training
  signals. Their training accuracy overstates their test accuracy (what over-fitting
  means); and the validation accuracy of the model *chosen* on validation overstates
  its accuracy on fresh data (the winner of a selection is partly lucky). The second
  is measured by re-splitting the 2,000 held-out signals at random into 'validation'
  and 'test' halves many times, choosing on one half and scoring on the other.
* Accuracy, precision, recall, F1 with `glassnet.metrics` (checked against
  scikit-learn), on the chosen model's test predictions: the 10-class confusion
  matrix, and a one-against-rest task where accuracy and recall each hide a failure
  the other exposes.
* Bias and variance of a classifier under 0-1 loss (Domingos 2000): several copies of
  a model trained on disjoint training sets; the 'main prediction' is their vote.
  Bias = how often the vote is wrong; variance = how often a copy departs from the vote.

Every setting and threshold below was fixed before the first run.
"""

from __future__ import annotations

import numpy as np

from glassnet import metrics
from glassnet.lab import Result, Text, Verdict, experiment, new_figure
from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.data import mnist1d as mnist1d_split
from glassnet.lab.kit.evaluate import accuracy, predict_logits, softmax
from glassnet.lab.kit.fit import Recipe, fit, mlp, seeded
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.report.formatting import pm_percent as pm

SETTINGS = {
    "smoke": {
        "n_train": 1000,
        "candidates": 4,
        "steps": 400,
        "resplits": 500,
        "copies": 3,
        "n_copy": 300,
        "copy_steps": 300,
    },
    "quick": {
        "n_train": None,
        "candidates": 10,
        "steps": 1500,
        "resplits": 2000,
        "copies": 5,
        "n_copy": 500,
        "copy_steps": 1000,
    },
    "full": {
        "n_train": None,
        "candidates": 30,
        "steps": 3000,
        "resplits": 5000,
        "copies": 5,
        "n_copy": 500,
        "copy_steps": 3000,
    },
}
SPACE = {
    "lr": (1e-4, 3e-2),
    "width": [16, 32, 64, 128, 256],
    "depth": [1, 2, 3],
    "dropout": [0.0, 0.2, 0.5],
}
SMALL, BIG = [40, 16, 10], [40, 128, 128, 10]
POSITIVE = 3  # the one-against-rest task: "is it a 3?" (about 10% positives), fixed in advance
TRAIN_GAP_POINTS, OPTIMISM_POINTS, BV_POINTS = 5.0, 0.5, 2.0
MAJORITY_ACCURACY, MINORITY_ACCURACY, SPEARMAN = 0.85, 0.2, 0.5


def _candidates(s: dict, split, seed: int) -> list[dict]:
    rng = np.random.default_rng([seed, 21])
    pool = []
    for index in range(s["candidates"]):
        width, depth = int(rng.choice(SPACE["width"])), int(rng.choice(SPACE["depth"]))
        lr, dropout = (
            float(np.exp(rng.uniform(*np.log(SPACE["lr"])))),
            float(rng.choice(SPACE["dropout"])),
        )
        sizes = [40, *[width] * depth, 10]
        model = seeded(100 * seed + index, mlp, sizes, dropout)
        curve = fit(
            model,
            split.x_train,
            split.y_train,
            Recipe(steps=s["steps"], lr=lr, eval_every=10**9),
            seed=seed + index,
        )
        pool.append(
            {
                "label": f"MLP {sizes}, lr {lr:.1e}, dropout {dropout}",
                "model": model,
                "train": curve.train_acc[-1],
                "val_logits": predict_logits(model, split.x_val),
                "test_logits": predict_logits(model, split.x_test),
            }
        )
    for candidate in pool:
        candidate["val"] = accuracy(candidate["val_logits"], split.y_val)
        candidate["test"] = accuracy(candidate["test_logits"], split.y_test)
    return pool


def _selection_optimism(pool: list[dict], split, resplits: int, seed: int) -> dict:
    """Choose on one random half of the held-out signals, score on the other: how much the choice flatters."""
    y = np.concatenate([split.y_val, split.y_test])
    hits = np.stack(
        [np.concatenate([c["val_logits"], c["test_logits"]]).argmax(1) == y for c in pool]
    )  # (K, M)
    rng = np.random.default_rng([seed, 22])
    half = len(y) // 2
    chosen_gap, mean_gap, picks = [], [], np.zeros(len(pool), dtype=np.int64)
    for _ in range(resplits):
        order = rng.permutation(len(y))
        a, b = hits[:, order[:half]].mean(axis=1), hits[:, order[half:]].mean(axis=1)
        best = int(np.argmax(a))
        picks[best] += 1
        chosen_gap.append(a[best] - b[best])
        mean_gap.append(float(np.mean(a - b)))
    chosen_gap = 100 * np.asarray(chosen_gap)
    return {
        "optimism": float(chosen_gap.mean()),
        "low": float(np.percentile(chosen_gap, 2.5)),
        "high": float(np.percentile(chosen_gap, 97.5)),
        "unselected": 100 * float(np.mean(mean_gap)),
        "picks": picks,
        "gaps": chosen_gap,
    }


def _metric_checks(y: np.ndarray, predicted: np.ndarray) -> float:
    """Largest difference between glassnet.metrics and sklearn.metrics over every metric used here."""
    from sklearn import metrics as reference  # lazy: scikit-learn is slow to import

    worst = float(
        np.abs(
            metrics.confusion_matrix(y, predicted) - reference.confusion_matrix(y, predicted)
        ).max()
    )
    worst = max(
        worst, abs(metrics.accuracy_score(y, predicted) - reference.accuracy_score(y, predicted))
    )
    for average in (None, "macro", "weighted", "micro"):
        ours = metrics.precision_recall_fscore_support(
            y, predicted, average=average, zero_division=0
        )
        theirs = reference.precision_recall_fscore_support(
            y, predicted, average=average, zero_division=0
        )
        for a, b in zip(ours[:3], theirs[:3]):
            worst = max(
                worst, float(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float)).max())
            )
    return worst


def _binary(y: np.ndarray, predicted: np.ndarray) -> dict:
    precision, recall, f1, _ = metrics.precision_recall_fscore_support(
        y, predicted, average="binary", zero_division=0
    )
    return {
        "accuracy": metrics.accuracy_score(y, predicted),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
    }


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    ranks = [np.argsort(np.argsort(v, kind="stable"), kind="stable").astype(float) for v in (a, b)]
    return float(np.corrcoef(*ranks)[0, 1])


@experiment("evaluation")
def run(mode: str, seed: int) -> Result:
    with one_blas_thread():
        return _run(mode, seed)


def _run(mode: str, seed: int) -> Result:
    s = SETTINGS[mode]
    split = mnist1d_split(s["n_train"], seed=seed)
    result = Result.start("evaluation", mode, seed)
    result.setup = result.say(
        "setup",
        split=split.describe(),
        candidates=s["candidates"],
        width=SPACE["width"],
        depth=SPACE["depth"],
        lr=SPACE["lr"],
        dropout=SPACE["dropout"],
        steps=s["steps"],
        resplits=s["resplits"],
        positive=POSITIVE,
        copies=s["copies"],
        small=SMALL,
        big=BIG,
        n_copy=s["n_copy"],
        copy_steps=s["copy_steps"],
    )
    timing = []
    with Clock() as clock:
        pool = _candidates(s, split, seed)
    timing.append([Text("candidate models", "候选模型"), round(clock.cpu, 2)])
    chosen = max(pool, key=lambda c: c["val"])
    optimism = _selection_optimism(pool, split, s["resplits"], seed)
    _candidate_table(result, pool, chosen)
    _judge_splits(result, pool, optimism)

    predicted = chosen["test_logits"].argmax(1)
    sweep = _judge_metrics(result, split.y_test, chosen["test_logits"], predicted)

    with Clock() as clock:
        decomposition = _bias_variance(s, split, seed)
    timing.append([Text("bias/variance copies", "偏差/方差模型副本"), round(clock.cpu, 2)])
    _judge_bias_variance(result, decomposition)
    _figures(result, split.y_test, predicted, sweep, optimism, decomposition)
    result.add_table(
        Text("CPU time per part (this process)", "各部分 CPU 时间(本进程)"),
        [Text("part", "部分"), Text("CPU s", "CPU 秒")],
        timing,
    )
    return result


def _candidate_table(result: Result, pool: list[dict], chosen: dict) -> None:
    result.add_table(
        Text("Candidate models", "候选模型"),
        [
            Text("model", "模型"),
            Text("train %", "训练 %"),
            Text("val %", "验证 %"),
            Text("test %", "测试 %"),
            Text("chosen on val", "按验证集选中"),
        ],
        [
            [
                c["label"],
                round(100 * c["train"], 1),
                round(100 * c["val"], 1),
                round(100 * c["test"], 1),
                c is chosen,
            ]
            for c in pool
        ],
    )


def _judge_splits(result: Result, pool: list[dict], optimism: dict) -> None:
    train_gap = 100 * float(np.mean([c["train"] - c["test"] for c in pool]))
    parts = (train_gap >= TRAIN_GAP_POINTS, optimism["optimism"] >= OPTIMISM_POINTS)
    verdict = (
        Verdict.HOLDS if all(parts) else Verdict.PARTLY if any(parts) else Verdict.DOES_NOT_HOLD
    )
    result.add_table(
        Text("What each estimate says about test accuracy", "各种估计对测试准确率的偏差"),
        [
            Text("estimate", "估计"),
            Text("overstates test accuracy by (points)", "高估测试准确率(百分点)"),
        ],
        [
            [
                Text("training accuracy, mean over candidates", "训练准确率,候选模型均值"),
                round(train_gap, 2),
            ],
            [
                Text(
                    "validation accuracy of the chosen model (random re-splits)",
                    "被选模型的验证准确率(随机重划分)",
                ),
                f"{optimism['optimism']:.2f} (95% of re-splits: {optimism['low']:.1f} to {optimism['high']:.1f})",
            ],
            [
                Text(
                    "validation accuracy of any model, unselected", "未经选择的任一模型的验证准确率"
                ),
                round(optimism["unselected"], 3),
            ],
        ],
    )
    result.judge(
        "splits",
        verdict,
        {
            Text(
                "training accuracy minus test accuracy, mean (points)",
                "训练准确率减测试准确率,均值(百分点)",
            ): round(train_gap, 2),
            Text(
                "chosen model: validation minus fresh-half accuracy, mean (points)",
                "被选模型:验证准确率减另一半准确率,均值(百分点)",
            ): round(optimism["optimism"], 2),
            Text(
                "unselected models: the same difference (points)", "未经选择的模型:同一差值(百分点)"
            ): round(optimism["unselected"], 3),
        },
        Text(
            f"holds when the training accuracy overstates the test accuracy by at least {TRAIN_GAP_POINTS:g} points "
            f"(so training data cannot judge a model) AND the chosen model's validation accuracy overstates its accuracy "
            f"on fresh data by at least {OPTIMISM_POINTS:g} point on average (so the data that chose a model cannot "
            f"give its final score: a third, untouched set is needed); partly when one of the two; does not hold "
            f"otherwise",
            f"训练准确率比测试准确率高至少 {TRAIN_GAP_POINTS:g} 个百分点(训练数据不能评判模型),且被选模型的验证准确率平均比新数据上的"
            f"准确率高至少 {OPTIMISM_POINTS:g} 个百分点(用来选模型的数据不能给出最终成绩:需要第三份未动用的数据),则成立;"
            f"只满足其一为部分成立;否则不成立",
        ),
    )


METRICS_RULE = Text(
    f"holds when (1) glassnet.metrics equals scikit-learn to 1e-12, (2) the always-'no' classifier scores "
    f"accuracy >= {MAJORITY_ACCURACY} with recall 0 (accuracy alone hides it), (3) always-'yes' scores recall 1 "
    f"with accuracy <= {MINORITY_ACCURACY} (recall alone hides it) and (4) raising the threshold never raises "
    f"recall while precision rises with it (Spearman >= {SPEARMAN}); partly when (1) and at least one other "
    f"hold; does not hold otherwise",
    f"(1) glassnet.metrics 与 scikit-learn 相差不超过 1e-12,(2)“总说不是”的分类器准确率 >= {MAJORITY_ACCURACY} 而召回率"
    f"为 0(只看准确率会漏掉它),(3)“总说是”召回率为 1 而准确率 <= {MINORITY_ACCURACY}(只看召回率会漏掉它),(4)提高阈值"
    f"召回率从不上升而精确率随之上升(Spearman >= {SPEARMAN}),全部满足则成立;(1) 加上至少另一条满足为部分成立;否则不成立",
)


def _class_table(result: Result, y: np.ndarray, predicted: np.ndarray) -> float:
    """Per-class precision, recall and F1 of the chosen model; returns the largest gap to scikit-learn."""
    worst = _metric_checks(y, predicted)
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        y, predicted, zero_division=0
    )
    rows = [
        [
            str(c),
            round(float(precision[c]), 3),
            round(float(recall[c]), 3),
            round(float(f1[c]), 3),
            int(support[c]),
        ]
        for c in range(len(support))
    ]
    for average in ("macro", "weighted"):
        p, r, f, _ = metrics.precision_recall_fscore_support(
            y, predicted, average=average, zero_division=0
        )
        rows.append([f"{average} avg", round(p, 3), round(r, 3), round(f, 3), int(support.sum())])
    rows.append(
        ["accuracy", "-", "-", round(metrics.accuracy_score(y, predicted), 3), int(support.sum())]
    )
    result.add_table(
        Text(
            "The chosen model on the test split: per-class precision, recall, F1",
            "被选模型在测试集上的各类精确率、召回率、F1",
        ),
        [
            Text("class", "类别"),
            Text("precision", "精确率"),
            Text("recall", "召回率"),
            "F1",
            Text("support", "样本数"),
        ],
        rows,
    )
    return worst


def _one_against_rest(y: np.ndarray, logits: np.ndarray, predicted: np.ndarray) -> dict:
    """The binary task: the degenerate classifiers, the model, and the threshold sweep."""
    truth = (y == POSITIVE).astype(np.int64)
    score = softmax(logits)[:, POSITIVE]
    classifiers = {
        "always 'no'": np.zeros_like(truth),
        "always 'yes'": np.ones_like(truth),
        "model, threshold 0.5": (score >= 0.5).astype(np.int64),
    }
    scores = {name: _binary(truth, guess) for name, guess in classifiers.items()}
    worst = _metric_checks(truth, classifiers["model, threshold 0.5"])
    thresholds = np.linspace(0.05, 0.95, 19)
    sweep = [_binary(truth, (score >= t).astype(np.int64)) for t in thresholds]
    recalls, precisions = (
        np.array([m["recall"] for m in sweep]),
        np.array([m["precision"] for m in sweep]),
    )
    defined = np.array(
        [(score >= t).any() for t in thresholds]
    )  # precision is 0/0 when nothing is predicted
    monotone = bool(np.all(np.diff(recalls) <= 1e-12))
    rho = (
        _spearman(thresholds[defined], precisions[defined]) if defined.sum() >= 3 else float("nan")
    )
    return dict(
        truth=truth,
        scores=scores,
        worst=worst,
        thresholds=thresholds,
        sweep=sweep,
        monotone=monotone,
        rho=rho,
    )


def _binary_table(result: Result, truth: np.ndarray, scores: dict) -> None:
    result.add_table(
        Text(
            f"One against rest: 'is it a {POSITIVE}?' ({truth.mean():.1%} positives)",
            f"一对多:“是不是 {POSITIVE}?”(正例占 {truth.mean():.1%})",
        ),
        [
            Text("classifier", "分类器"),
            Text("accuracy", "准确率"),
            Text("precision", "精确率"),
            Text("recall", "召回率"),
            "F1",
        ],
        [
            [
                name,
                round(m["accuracy"], 3),
                round(m["precision"], 3),
                round(m["recall"], 3),
                round(m["f1"], 3),
            ]
            for name, m in scores.items()
        ],
    )


def _judge_metrics(
    result: Result, y: np.ndarray, logits: np.ndarray, predicted: np.ndarray
) -> tuple:
    """Judge 'accuracy_recall'; returns (thresholds, metrics per threshold, Spearman rho) for the figure."""
    worst = _class_table(result, y, predicted)
    binary = _one_against_rest(y, logits, predicted)
    truth, scores, thresholds, sweep = (
        binary[k] for k in ("truth", "scores", "thresholds", "sweep")
    )
    worst, monotone, rho = max(worst, binary["worst"]), binary["monotone"], binary["rho"]
    _binary_table(result, truth, scores)
    no, yes = scores["always 'no'"], scores["always 'yes'"]
    parts = {
        "metrics agree with scikit-learn": worst <= 1e-12,
        "accuracy hides 'always no'": no["accuracy"] >= MAJORITY_ACCURACY and no["recall"] == 0.0,
        "recall hides 'always yes'": yes["recall"] == 1.0 and yes["accuracy"] <= MINORITY_ACCURACY,
        "threshold trades recall for precision": monotone and rho >= SPEARMAN,
    }
    passed = sum(parts.values())
    verdict = (
        Verdict.HOLDS
        if passed == len(parts)
        else Verdict.PARTLY
        if parts["metrics agree with scikit-learn"] and passed >= 2
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "accuracy_recall",
        verdict,
        {
            Text(
                "largest |glassnet - scikit-learn| over all metrics",
                "所有指标中 |glassnet - scikit-learn| 的最大值",
            ): worst,
            Text("'always no': accuracy", "“总说不是”:准确率"): round(no["accuracy"], 4),
            Text("'always no': recall", "“总说不是”:召回率"): no["recall"],
            Text("'always yes': recall", "“总说是”:召回率"): yes["recall"],
            Text("'always yes': accuracy", "“总说是”:准确率"): round(yes["accuracy"], 4),
            Text("recall never rises with the threshold", "召回率随阈值单调不增"): monotone,
            Text("Spearman(threshold, precision)", "Spearman(阈值, 精确率)"): round(rho, 3),
        },
        METRICS_RULE,
        robust=True,
        margin=Text(
            f"(1) is exact; (2) and (3) depend only on the share of {POSITIVE}s in the test split ({truth.mean():.1%}): "
            f"accuracy {no['accuracy']:.3f} against {MAJORITY_ACCURACY} and {yes['accuracy']:.3f} against "
            f"{MINORITY_ACCURACY}; (4) Spearman {rho:.2f} against {SPEARMAN}",
            f"(1) 是精确比较;(2)(3) 只取决于测试集中 {POSITIVE} 的比例({truth.mean():.1%}):准确率 {no['accuracy']:.3f} 对 "
            f"{MAJORITY_ACCURACY},{yes['accuracy']:.3f} 对 {MINORITY_ACCURACY};(4) Spearman {rho:.2f} 对 {SPEARMAN}",
        ),
        note=Text(
            "准确率 beside 召回率 most often means precision; the pair accuracy/recall exposes both degenerate "
            "classifiers here, and precision/recall trade off through the threshold, so both readings are "
            "measured. " + "; ".join(f"{k}: {'yes' if v else 'no'}" for k, v in parts.items()),
            "与召回率并列时,“准确率”多指精确率(查准率);这里准确率/召回率这一对能识破两个退化分类器,而精确率与召回率随阈值此消彼长,"
            "两种理解都测量了。",
        ),
    )
    return thresholds, sweep, rho


def _bias_variance(s: dict, split, seed: int) -> dict:
    out = {}
    for name, sizes, offset in (("small", SMALL, 1), ("big", BIG, 2)):
        predictions, train, val = [], [], []
        for copy in range(s["copies"]):
            rows = slice(copy * s["n_copy"], (copy + 1) * s["n_copy"])  # disjoint training sets
            x, y = split.x_train[rows], split.y_train[rows]
            model = seeded(1000 * offset + 10 * seed + copy, mlp, sizes)
            curve = fit(
                model,
                x,
                y,
                Recipe(steps=s["copy_steps"], eval_every=10**9),
                seed=seed + copy,
                val=(split.x_val, split.y_val),
            )
            predictions.append(predict_logits(model, split.x_test).argmax(1))
            train.append(curve.train_acc[-1])
            val.append(curve.val_acc[-1])
        out[name] = {**domingos(np.stack(predictions), split.y_test), "train": train, "val": val}
    return out


def domingos(votes: np.ndarray, y: np.ndarray, classes: int = 10) -> dict[str, float]:
    """Bias, variance and mean error (in %) of 0-1 loss (Domingos 2000) from the predictions of several copies.

    votes: (copies, N) class predictions. The main prediction of a sample is the copies' most
    frequent answer (ties: the lowest class); bias = share of samples whose main prediction
    is wrong; variance = share of (copy, sample) pairs that depart from the main prediction.
    """
    counts = np.stack([(votes == c).sum(axis=0) for c in range(classes)])  # (classes, N)
    main = counts.argmax(axis=0)
    return {
        "bias": 100 * float(np.mean(main != y)),
        "variance": 100 * float(np.mean(votes != main[None, :])),
        "error": 100 * float(np.mean(votes != y[None, :])),
    }


def _judge_bias_variance(result: Result, d: dict) -> None:
    small, big = d["small"], d["big"]
    parts = (
        small["bias"] - big["bias"] >= BV_POINTS,
        big["variance"] - small["variance"] >= BV_POINTS,
    )
    verdict = (
        Verdict.HOLDS if all(parts) else Verdict.PARTLY if any(parts) else Verdict.DOES_NOT_HOLD
    )
    result.add_table(
        Text("Bias and variance under 0-1 loss (test split)", "0-1 损失下的偏差与方差(测试集)"),
        [
            Text("model", "模型"),
            Text("mean error %", "平均误差 %"),
            Text("bias %", "偏差 %"),
            Text("variance %", "方差 %"),
            Text("train acc %", "训练准确率 %"),
            Text("val acc %", "验证准确率 %"),
        ],
        [
            [
                f"{name} {sizes}",
                round(v["error"], 2),
                round(v["bias"], 2),
                round(v["variance"], 2),
                pm(v["train"]),
                pm(v["val"]),
            ]
            for (name, v), sizes in zip(d.items(), (SMALL, BIG))
        ],
        note=Text(
            "Bias: the copies' majority vote is wrong. Variance: a copy disagrees with the vote.",
            "偏差:各副本的多数投票错误;方差:某个副本与投票结果不一致。",
        ),
    )
    result.judge(
        "variance_bias",
        verdict,
        {
            Text("bias %, small", "偏差 %,小模型"): round(small["bias"], 2),
            Text("bias %, big", "偏差 %,大模型"): round(big["bias"], 2),
            Text("variance %, small", "方差 %,小模型"): round(small["variance"], 2),
            Text("variance %, big", "方差 %,大模型"): round(big["variance"], 2),
            Text("mean error %, small", "平均误差 %,小模型"): round(small["error"], 2),
            Text("mean error %, big", "平均误差 %,大模型"): round(big["error"], 2),
        },
        Text(
            f"holds when bias and variance tell the two models apart in opposite directions: the small model's bias at "
            f"least {BV_POINTS:g} points above the big one's AND the big model's variance at least {BV_POINTS:g} points "
            f"above the small one's (one error rate cannot say which cure each needs); partly when only one of the "
            f"two; does not hold otherwise",
            f"偏差与方差从相反方向区分两个模型时成立:小模型的偏差比大模型高至少 {BV_POINTS:g} 个百分点,且大模型的方差比小模型高至少 "
            f"{BV_POINTS:g} 个百分点(单一的错误率说不出各自需要哪种补救);只满足其一为部分成立;否则不成立",
        ),
    )


def _threshold_caption(
    result: Result, y: np.ndarray, thresholds: np.ndarray, sweep: list, rho: float
) -> Text:
    """What the threshold sweep measured, in words that follow the numbers."""
    accuracy = [m["accuracy"] for m in sweep]
    return result.say(
        "threshold_caption",
        positive=POSITIVE,
        negatives=float(np.mean(y != POSITIVE)),
        accuracy_low=min(accuracy),
        accuracy_high=max(accuracy),
        recall_first=sweep[0]["recall"],
        recall_last=sweep[-1]["recall"],
        rho=rho,
    )


def _figures(
    result: Result, y: np.ndarray, predicted: np.ndarray, sweep: tuple, optimism: dict, d: dict
) -> None:
    _metrics_figure(result, y, predicted, sweep)
    _selection_figure(result, optimism, d)


def _metrics_figure(result: Result, y: np.ndarray, predicted: np.ndarray, sweep: tuple) -> None:
    fig, (left, right) = new_figure(10.5, 4.0, ncols=2)
    matrix = metrics.confusion_matrix(y, predicted, num_classes=10)
    image = left.imshow(matrix, cmap="Blues")
    for (i, j), value in np.ndenumerate(matrix):
        left.text(
            j,
            i,
            str(value),
            ha="center",
            va="center",
            fontsize=6,
            color="white" if value > matrix.max() / 2 else "black",
        )
    left.set(
        title="Confusion matrix (test split)",
        xlabel="predicted class",
        ylabel="true class",
        xticks=range(10),
        yticks=range(10),
    )
    fig.colorbar(image, ax=left, shrink=0.8)
    thresholds, sweep, rho = sweep
    for key, style in (("accuracy", "-"), ("precision", "--"), ("recall", "-."), ("f1", ":")):
        right.plot(thresholds, [m[key] for m in sweep], style, label=key)
    right.set(
        title=f"'Is it a {POSITIVE}?': metrics against the threshold",
        xlabel="threshold on p(class)",
        ylim=(0, 1.02),
    )
    right.legend(fontsize=8)
    result.add_figure(
        fig,
        "confusion_and_threshold",
        _threshold_caption(result, y, thresholds, sweep, rho),
    )


def _selection_figure(result: Result, optimism: dict, d: dict) -> None:
    fig, (left, right) = new_figure(10.0, 3.4, ncols=2)
    left.hist(optimism["gaps"], bins=30, color="C0", alpha=0.8)
    left.axvline(optimism["optimism"], color="C3", label=f"mean {optimism['optimism']:.2f}")
    left.axvline(0, color="black", lw=0.8)
    left.set(
        title="Chosen model: validation minus fresh-half accuracy",
        xlabel="points",
        ylabel="re-splits",
    )
    left.legend(fontsize=8)
    names = list(d)
    positions = np.arange(len(names))
    right.bar(positions - 0.2, [d[n]["bias"] for n in names], 0.4, label="bias")
    right.bar(positions + 0.2, [d[n]["variance"] for n in names], 0.4, label="variance")
    right.set_xticks(positions, [f"small {SMALL}", f"big {BIG}"], fontsize=8)
    right.set(title="Bias and variance (0-1 loss, Domingos 2000)", ylabel="% of test signals")
    right.legend(fontsize=8)
    result.add_figure(
        fig,
        "selection_and_bias_variance",
        Text(
            "Left: over random re-splits of the held-out signals, how much the validation score of the model chosen on it "
            "exceeds the same model's score on the other half. Right: bias and variance of a small and a big MLP.",
            "左:在留出信号的多次随机重划分中,按验证集选出的模型在验证集上的得分比它在另一半上的得分高出多少。右:小 MLP 与大 MLP 的偏差与方差。",
        ),
    )
