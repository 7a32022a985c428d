"""Judging an initialisation from the distribution of each layer's activations.

The notes: look at each layer's activations after initialisation; a good init gives a
uniform distribution over a fixed, stable, common interval; a fairly good result has mean
0 and variance 0.02 (tanh, ReLU). This experiment applies glassnet's diagnostics
(`glassnet.diagnose.activation_stats` and its alarms, the same as `glassnet diagnose`) to
an 8-hidden-layer MLP on the digits with good and bad inits, for tanh and ReLU, and then
trains every net to see whether the diagnosis at init predicted the outcome. It also
measures the shape (distance to a uniform distribution), the stability across layers and
the mean and variance of the activations of the two textbook-good pairs (Xavier + tanh,
He + ReLU).
"""

from __future__ import annotations

import numpy as np

import glassnet
from glassnet import diagnose, nn
from glassnet.lab import Result, Text, Verdict, experiment, new_figure
from glassnet.lab.kit import inits as T
from glassnet.lab.kit.costs import Costs, add_cost_table, timed
from glassnet.lab.kit.data import Split, digits_standardised
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.kit.stats import mean_std_finite
from glassnet.lab.report.formatting import pm_finite, sci

SIZES = [64] + [64] * 8 + [10]
INITS = ("he", "xavier", "small", "large", "zeros", "snippet")
ACTIVATIONS = ("tanh", "relu")
GOOD = (("tanh", "xavier"), ("relu", "he"))
BATCH = 256  # samples the diagnostics look at
STEPS = {"smoke": 200, "quick": 500, "full": 2000}
SEEDS = {"smoke": 1, "quick": 2, "full": 3}
LRS = {"smoke": (0.01,), "quick": (0.003, 0.01, 0.03, 0.1), "full": (0.003, 0.01, 0.03, 0.1)}

# decision thresholds, fixed before any run
TRAINS = 0.8  # a net "trains" when its best-lr test accuracy reaches 0.8 (chance 0.10)
AGREE_PARTLY = 0.75  # look_at_activations: share of configurations where the diagnosis is right
UNIFORM_KS, STABLE_SPREAD = 0.10, 2.0
MEAN_ZERO, VAR_LOW, VAR_HIGH = (
    0.05,
    0.01,
    0.04,
)  # "mean 0, variance 0.02": |mean| <= 0.05, var within 2x of 0.02


def ks_to_uniform(values: np.ndarray) -> float:
    """Kolmogorov-Smirnov distance between the values and a uniform distribution on their central 99% range."""
    v = np.sort(np.asarray(values, dtype=np.float64).ravel())
    low, high = np.quantile(v, [0.005, 0.995])
    if high <= low:
        return 1.0  # a point mass is as far from uniform as it gets
    uniform = np.clip((v - low) / (high - low), 0.0, 1.0)
    n = v.size
    upper = np.arange(1, n + 1) / n
    return float(max(np.abs(upper - uniform).max(), np.abs(upper - 1 / n - uniform).max()))


def _diagnose(model: nn.Module, data: Split) -> tuple[diagnose.ActivationStats, list, list]:
    x, y = glassnet.tensor(data.x_train[:BATCH]), glassnet.tensor(data.y_train[:BATCH])
    stats = diagnose.activation_stats(model, x)
    flow = diagnose.gradient_flow(model, (x, y), nn.CrossEntropyLoss(), lr=0.01)
    return stats, diagnose.activation_alarms(stats), diagnose.gradient_alarms(flow)


def _shape_note(result: Result, shape: dict) -> Text:
    """What this run measured of the activations' shape and scale across layers."""
    tanh, relu = shape["tanh"], shape["relu"]
    return result.say(
        "shape_note",
        tanh_ks=max(tanh["ks"]),
        relu_ks=max(relu["ks"]),
        relu_spread=relu["spread"],
        tanh_spread=tanh["spread"],
        layers=len(relu["ks"]),
        stable=STABLE_SPREAD,
        relu_over_stable=relu["spread"] - STABLE_SPREAD,
        tanh_over_stable=tanh["spread"] - STABLE_SPREAD,
    )


def measure(mode: str, seed: int, costs: Costs) -> tuple[dict, dict]:
    """Diagnose every (activation, init) at init, then train it over the lr grid:
    ({key: (stats, alarms, gradient alarms)}, {key: (best lr, test accuracies)})."""
    steps, seeds, lrs = STEPS[mode], [seed + k for k in range(SEEDS[mode])], LRS[mode]
    data = digits_standardised()
    diagnosed, outcome = {}, {}
    with one_blas_thread():
        with (
            timed(costs, Text("diagnostics at init", "初始化时的诊断")),
            np.errstate(over="ignore", invalid="ignore"),
        ):
            for act in ACTIVATIONS:
                for scheme in INITS:
                    model = T.build_mlp(SIZES, act, scheme, np.random.default_rng([seed, 1]))
                    diagnosed[(act, scheme)] = _diagnose(model, data)
        # the exploding inits overflow float32 on purpose: their runs stop as diverged, without warnings
        with timed(costs, Text("training", "训练")), np.errstate(over="ignore", invalid="ignore"):
            for act in ACTIVATIONS:
                for scheme in INITS:
                    by_lr = {}
                    for lr in lrs:
                        accs = []
                        for s in seeds:
                            rng = np.random.default_rng([s, 1])
                            model = T.build_mlp(SIZES, act, scheme, rng)
                            accs.append(T.train(model, data, steps, lr, rng).test_accuracy)
                        by_lr[lr] = accs
                    best = max(by_lr, key=lambda lr: mean_std_finite(by_lr[lr])[0])
                    outcome[(act, scheme)] = (best, by_lr[best])

    return diagnosed, outcome


def _diagnosis_table(result: Result, diagnosed: dict, outcome: dict) -> tuple[list, int]:
    """The diagnosis at init beside the outcome of training; returns (rows, how many were right)."""
    rows, agree = [], 0
    for key, (stats, alarms, grad_alarms) in diagnosed.items():
        layers = stats.activations()
        best, accs = outcome[key]
        trains = mean_std_finite(accs)[0] >= TRAINS
        right = bool(alarms) != trains
        agree += right
        rows.append(
            [
                *key,
                sci(layers[0].std),
                sci(layers[-1].std),
                ", ".join(sorted({a.kind for a in alarms})) or "-",
                str(alarms[0]) if alarms else "-",
                ", ".join(sorted({a.kind for a in grad_alarms})) or "-",
                f"{pm_finite(accs)} (lr {best:g})",
                Text("yes", "是") if trains else Text("no", "否"),
                Text("yes", "是") if right else Text("NO", "否"),
            ]
        )
    result.add_table(
        Text("The diagnosis at init against the outcome of training", "初始化时的诊断与训练结果"),
        [
            Text("activation", "激活"),
            Text("init", "初始化"),
            Text("std, first activation layer", "首个激活层标准差"),
            Text("std, last activation layer", "末个激活层标准差"),
            Text("activation alarms", "激活警报"),
            Text("first alarm", "第一条警报"),
            Text("gradient alarms (for comparison)", "梯度警报(对照)"),
            Text("test accuracy after training (best lr)", "训练后测试准确率(最佳学习率)"),
            Text("trains", "能训练"),
            Text("diagnosis right", "诊断正确"),
        ],
        rows,
    )
    return rows, agree


def _good_pairs(result: Result, diagnosed: dict, seed: int) -> dict:
    """The good (activation, init) pairs layer by layer at init; returns their shape numbers."""
    data = digits_standardised()
    good_rows, shape = [], {}
    for act, scheme in GOOD:
        stats = diagnosed[(act, scheme)][0]
        model = T.build_mlp(SIZES, act, scheme, np.random.default_rng([seed, 1]))
        outputs = T.activation_outputs(model, data.x_train[:BATCH])
        layers = stats.activations()
        ks = [ks_to_uniform(h) for h in outputs]
        stds = [row.std for row in layers]
        shape[act] = {
            "ks": ks,
            "spread": max(stds) / min(stds),
            "means": [row.mean for row in layers],
            "vars": [row.std**2 for row in layers],
        }
        for row, distance in zip(layers, ks):
            good_rows.append(
                [
                    f"{act} + {scheme}",
                    row.name,
                    f"{row.mean:.3f}",
                    f"{row.std**2:.3f}",
                    f"{row.std:.3f}",
                    f"{distance:.2f}",
                    f"{100 * (row.saturated if act == 'tanh' else row.zeros):.1f}%",
                ]
            )
    result.add_table(
        Text("The good pairs, layer by layer, at init", "两组好的初始化,逐层(初始化时)"),
        [
            Text("net", "网络"),
            Text("layer", "层"),
            Text("mean", "均值"),
            Text("variance", "方差"),
            Text("std", "标准差"),
            Text("KS distance to uniform", "与均匀分布的 KS 距离"),
            Text("saturated (tanh) / zeros (ReLU)", "饱和(tanh)/ 为 0(ReLU)"),
        ],
        good_rows,
        note=Text(
            "KS distance: largest gap between the values' CDF and a uniform CDF on their central 99% "
            "range (0: exactly uniform; a normal distribution gives about 0.1-0.2, ReLU's half of "
            "zeros at least 0.5).",
            "KS 距离:数值的经验分布函数与其中间 99% 区间上均匀分布函数之间的最大差距(0 表示完全均匀;"
            "正态分布约 0.1-0.2,ReLU 一半为 0 至少 0.5)。",
        ),
    )
    return shape


@experiment("init_diagnosis")
def run(mode: str, seed: int) -> Result:
    steps, seeds, lrs = STEPS[mode], SEEDS[mode], LRS[mode]
    result = Result.start("init_diagnosis", mode, seed)
    result.setup = result.say(
        "setup", batch=BATCH, steps=steps, lrs=list(lrs), seeds=seeds, trains=TRAINS
    )
    costs: Costs = []
    diagnosed, outcome = measure(mode, seed, costs)
    rows, agree = _diagnosis_table(result, diagnosed, outcome)
    shape = _good_pairs(result, diagnosed, seed)
    _judge(result, agree, len(rows), rows, shape)
    with timed(costs, Text("figures", "图")):
        _figures(result, diagnosed)
    add_cost_table(result, costs)
    return result


def _judge_look(result: Result, agree: int, total: int, rows: list) -> None:
    misses = [f"{row[0]} {row[1]}" for row in rows if row[-1].en == "NO"]
    share = agree / total
    result.judge(
        "look_at_activations",
        Verdict.HOLDS
        if agree == total
        else Verdict.PARTLY
        if share >= AGREE_PARTLY
        else Verdict.DOES_NOT_HOLD,
        {
            Text(
                "configurations where the activation alarms at init predict the outcome",
                "初始化时的激活警报正确预测训练结果的配置数",
            ): f"{agree} of {total}",
            Text("missed", "预测错误"): ", ".join(misses) or "-",
        },
        Text(
            f"prediction: a net with an activation alarm at init fails to train, one without trains (test "
            f"accuracy >= {TRAINS} at its best lr); holds when right for every configuration, partly for at "
            f"least {AGREE_PARTLY:.0%}, does not hold otherwise",
            f"预测:初始化时有激活警报的网络训练不起来,没有警报的能训练(最佳学习率下测试准确率 >= {TRAINS});"
            f"全部预测正确则成立,至少 {AGREE_PARTLY:.0%} 正确为部分成立,否则不成立",
        ),
        robust=True,
        margin=Text(
            f"{agree} of {total} right: 'partly' needs {int(np.ceil(AGREE_PARTLY * total))}; "
            "'holds' would need the all-zero tanh net flagged, which no distribution alarm "
            "can do (its std is 0 everywhere)",
            f"{total} 个中 {agree} 个正确:“部分成立”需要 {int(np.ceil(AGREE_PARTLY * total))} "
            "个;“成立”需要全零 tanh 网络被报警,而任何基于分布的警报都做不到(它处处标准差为 0)",
        ),
        note=Text(
            "The distributions see scale problems (collapse, explosion, saturation, dead units) but not "
            "symmetry: an all-zero tanh net outputs exactly 0 everywhere, its std is 0 from the first "
            "layer on, and no alarm compares it with anything; an all-equal init (topic zero_init) gives "
            "normal-looking distributions with every unit identical.",
            "分布能看出尺度问题(崩塌、爆炸、饱和、死单元),却看不出对称性:全零的 tanh 网络处处输出 0,"
            "从第一层起标准差就是 0,没有任何警报可以比较;全相同的初始化(见 zero_init)给出看似正常的分布,"
            "而所有单元完全相同。",
        ),
    )


def _judge_stable(result: Result, shape: dict) -> None:
    uniform = all(k <= UNIFORM_KS for s in shape.values() for k in s["ks"])
    stable = all(s["spread"] <= STABLE_SPREAD for s in shape.values())
    spreads = ", ".join(f"{s['spread']:.2f}" for s in shape.values())
    largest_ks = ", ".join(f"{max(s['ks']):.2f}" for s in shape.values())
    numbers = {}
    for act, s in shape.items():
        numbers[
            Text(
                f"{act}: KS distance to uniform, range over the layers",
                f"{act}:各层与均匀分布的 KS 距离范围",
            )
        ] = f"{min(s['ks']):.2f} - {max(s['ks']):.2f}"
        numbers[
            Text(f"{act}: largest / smallest layer std", f"{act}:各层标准差的最大/最小之比")
        ] = round(s["spread"], 2)
    result.judge(
        "stable_distribution",
        Verdict.HOLDS
        if uniform and stable
        else Verdict.PARTLY
        if uniform or stable
        else Verdict.DOES_NOT_HOLD,
        numbers,
        Text(
            f"for Xavier + tanh and He + ReLU at init: 'uniform' when every layer's KS distance to a uniform "
            f"distribution is <= {UNIFORM_KS}; 'stable interval' when the largest layer std is within "
            f"{STABLE_SPREAD:g}x the smallest; holds when both, partly when one, does not hold when neither",
            f"对初始化时的 Xavier + tanh 与 He + ReLU:每层与均匀分布的 KS 距离都 <= {UNIFORM_KS} 算“均匀”;"
            f"最大层标准差不超过最小的 {STABLE_SPREAD:g} 倍算“稳定区间”;两者都满足则成立,满足其一为部分成立,"
            f"都不满足则不成立",
        ),
        margin=Text(
            f"the largest KS distances are {largest_ks} (tanh, ReLU) against {UNIFORM_KS}; the std "
            f"spreads {spreads} against {STABLE_SPREAD:g}",
            f"最大 KS 距离 {largest_ks}(tanh、ReLU),阈值 {UNIFORM_KS};标准差之比 {spreads},"
            f"阈值 {STABLE_SPREAD:g}",
        ),
        note=_shape_note(result, shape),
    )


def _judge_mean_var(result: Result, shape: dict) -> None:
    conditions = {}
    for act, s in shape.items():
        conditions[f"{act} mean 0"] = max(abs(m) for m in s["means"]) <= MEAN_ZERO
        conditions[f"{act} variance 0.02"] = all(VAR_LOW <= v <= VAR_HIGH for v in s["vars"])
    met = sum(conditions.values())
    numbers = {}
    for act, s in shape.items():
        numbers[Text(f"{act}: largest |mean| over the layers", f"{act}:各层最大 |均值|")] = round(
            max(map(abs, s["means"])), 3
        )
        numbers[Text(f"{act}: variance range over the layers", f"{act}:各层方差范围")] = (
            f"{min(s['vars']):.3f} - {max(s['vars']):.3f}"
        )
    numbers[Text("conditions met", "满足的条件")] = (
        ", ".join(k for k, v in conditions.items() if v) or "none"
    )
    result.judge(
        "mean0_var002",
        Verdict.HOLDS
        if met == len(conditions)
        else Verdict.PARTLY
        if met
        else Verdict.DOES_NOT_HOLD,
        numbers,
        Text(
            f"four conditions, each over every layer at init: tanh (Xavier) |mean| <= {MEAN_ZERO}, tanh variance "
            f"in [{VAR_LOW}, {VAR_HIGH}] (0.02 within 2x), the same two for ReLU (He); holds when all four, "
            f"partly when one to three, does not hold when none",
            f"四个条件,每个都针对初始化时的每一层:tanh(Xavier)|均值| <= {MEAN_ZERO},tanh 方差在 [{VAR_LOW}, "
            f"{VAR_HIGH}](0.02 的 2 倍以内),ReLU(He)同样两条;四条都满足则成立,满足一到三条为部分成立,"
            f"都不满足则不成立",
        ),
        robust=True,
        margin=Text(
            "each condition is missed or met by a wide margin: see the numbers",
            "每个条件都以很大的差距满足或不满足:见数值",
        ),
        note=Text(
            "ReLU outputs are never negative, so their mean cannot be 0; and the activation variance "
            "follows the input's scale, so no fixed number can mark a good init. 0.02 is a common std of "
            "the weights (DCGAN, BERT and GPT-2 draw them from N(0, 0.02^2)), not of the activations.",
            "ReLU 的输出从不为负,均值不可能为 0;激活值的方差随输入尺度而变,没有哪个固定数值能标志好的初始化。"
            "0.02 是常见的权重标准差(DCGAN、BERT、GPT-2 都从 N(0, 0.02^2) 取权重),而不是激活值的。",
        ),
    )


def _judge(result: Result, agree: int, total: int, rows: list, shape: dict) -> None:
    _judge_look(result, agree, total, rows)
    _judge_stable(result, shape)
    _judge_mean_var(result, shape)


def _figures(result: Result, diagnosed: dict) -> None:
    for key, name, caption in (
        (
            ("tanh", "xavier"),
            "histograms_tanh_xavier",
            Text(
                "glassnet.diagnose.plot_histograms at init, tanh + Xavier (a good init): the spread narrows slowly with "
                "depth, no saturation.",
                "初始化时的 glassnet.diagnose.plot_histograms,tanh + Xavier(好的初始化):"
                "分布随深度缓慢变窄,没有饱和。",
            ),
        ),
        (
            ("tanh", "large"),
            "histograms_tanh_large",
            Text(
                "The same for tanh + N(0, 1) (a bad init): every layer piles up at -1 and +1, where the gradient "
                "vanishes.",
                "tanh + N(0, 1)(坏的初始化):每一层都堆积在 -1 和 +1,那里梯度消失。",
            ),
        ),
    ):
        stats = diagnosed[key][0]
        result.add_figure(
            diagnose.plot_histograms(stats, title=f"{key[0]} + {key[1]}: activations at init"),
            name,
            caption,
            dpi=80,
        )
    fig, axes = new_figure(10.0, 3.4, ncols=2)
    for ax, act in zip(axes, ACTIVATIONS):
        for scheme in INITS:
            stds = [row.std for row in diagnosed[(act, scheme)][0].activations()]
            if max(stds) > 0:  # the all-zero net (std 0 everywhere) has no place on a log axis
                ax.plot(range(1, len(stds) + 1), stds, "o-", ms=3, label=scheme)
        ax.set(
            yscale="log",
            title=f"{act}: std of each activation layer at init",
            xlabel="layer",
            ylabel="std",
        )
        ax.legend(fontsize=7)
    result.add_figure(
        fig,
        "std_by_layer",
        Text(
            "Std of each activation layer at init for every init (zeros, with std 0 everywhere, is not drawn).",
            "每种初始化下各激活层在初始化时的标准差(全零初始化处处标准差为 0,未画出)。",
        ),
    )
