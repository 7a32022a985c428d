"""Zero initialisation: why not, when it is fine, and whether "the gradient vanishes" is the reason.

With every weight 0 (or every weight of a layer equal), the hidden units of a layer compute
the same function of the input, receive the same gradient, and so stay equal after every
update: the layer behaves like a single unit however wide it is. With tanh or ReLU the
all-zero net is worse still: every hidden output is 0 and so is every weight gradient, so
only the output biases learn (the class frequencies). A network with no hidden layer has
no such problem: each output unit has its own target, so zero is as good a start as any
for this convex problem (softmax regression).

Measured on the 8x8 digits (standardised), SGD with momentum 0.9, lr 0.05, batches of 64:

- softmax regression and a 1-hidden-layer sigmoid net from zero vs Xavier init;
- a 2-hidden-layer MLP (64-32-32-10) with tanh, ReLU and sigmoid from zeros, from a
  constant (every weight 1/fan_in) and from the standard random init (Xavier for tanh and
  sigmoid, He for ReLU): accuracy, the weight-gradient norms of the hidden layers before
  the first step and after the last, how different the units of each hidden layer are
  after training (`unit_spread`: 0 means bitwise equal) and the rank of the hidden
  activations;
- the symmetric runs again in float64, and (quick/full) a float64 run whose constant init
  is perturbed by a relative 1e-12. Why float64: with this machine's OpenBLAS, identical
  columns of a float32 matrix product come out different in the last bits (measured:
  ~1e-7 relative), while in float64 they come out bitwise equal; so float32 rounding can
  seed an asymmetry that training may then amplify.
"""

from __future__ import annotations

import numpy as np

from glassnet import nn
from glassnet.lab import (
    Result,
    Text,
    Verdict,
    experiment,
    new_figure,
    verdict_by_threshold,
)
from glassnet.lab.kit import inits as T
from glassnet.lab.kit.costs import add_cost_table, timed
from glassnet.lab.kit.data import Split, digits_standardised
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.kit.stats import mean_std_finite
from glassnet.lab.report.formatting import pm_finite, sci

STEPS = {"smoke": 150, "quick": 600, "full": 2000}
SEEDS = {"smoke": 1, "quick": 3, "full": 5}
LR, MOMENTUM, BATCH = 0.05, 0.9, 64
HIDDEN = [64, 32, 32, 10]
RANDOM = {
    "tanh": "xavier",
    "sigmoid": "xavier",
    "relu": "he",
}  # the standard random init per activation
ACTIVATIONS = ("tanh", "relu", "sigmoid")
EQUAL = (
    1e-4  # units whose relative spread stays <= this are "still equal" (float32 rounding is ~1e-7)
)
PERTURBATION = 1e-12

# decision thresholds, fixed before any run
GAP_HOLDS = 0.20  # not_all_zero: random init beats zero init by >= 20 accuracy points
SINGLE_HOLDS, SINGLE_PARTLY = 0.02, 0.05  # single_layer_ok: |acc(zeros) - acc(xavier)|
VANISHED = 1e-3  # zero_vanishing: hidden gradient norm below 1e-3 of the random init's


def _spread(model: nn.Module) -> float:
    return max(T.unit_spread(layer) for layer in T.linears(model)[:-1])


def _rank(model: nn.Module, x: np.ndarray) -> int:
    return max(T.numerical_rank(h) for h in T.activation_outputs(model, x))


def _hidden_norm(norms: list[float]) -> float | None:
    """The norm of all hidden-layer weight gradients together (None for a net without hidden layers)."""
    return float(np.sqrt(np.sum(np.square(norms[:-1])))) if len(norms) > 1 else None


def _one(
    data: Split,
    sizes: list[int],
    activation: str,
    scheme: str,
    steps: int,
    seed: int,
    salt: int,
    perturb: float = 0.0,
    trace: list | None = None,
) -> dict:
    """Train one net; returns its measurements (and the model, for the figures)."""
    rng = np.random.default_rng([seed, salt])
    model = T.build_mlp(sizes, activation, scheme, rng)
    if data.x_train.dtype == np.float64:
        model = model.double()
    if perturb:
        for layer in T.linears(model)[:-1]:
            layer.weight.data[...] *= 1 + perturb * rng.standard_normal(layer.weight.shape)
    callback = None
    if trace is not None:

        def callback(step: int, net: nn.Module) -> None:
            if step % 10 == 0:
                trace.append((step, _spread(net)))

    run = T.train(
        model,
        data,
        steps,
        LR,
        rng,
        batch_size=BATCH,
        momentum=MOMENTUM,
        grad_norms=True,
        callback=callback,
    )
    hidden = len(sizes) > 2
    return {
        "test": run.test_accuracy,
        "train": run.train_accuracy,
        "diverged": run.diverged,
        "spread": _spread(model) if hidden else T.unit_spread(T.linears(model)[0]),
        "rank": _rank(model, data.x_test) if hidden else None,
        "g_start": _hidden_norm(run.grad_norms_start),
        "g_end": _hidden_norm(run.grad_norms_end),
        "losses": run.losses,
        "model": model,
    }


def _symmetry_caption(
    result: Result, broken: list[str], symmetric: int, perturbed: dict | None
) -> Text:
    """The symmetry figure's caption: which float32 nets split in this run, and whether the
    float64 perturbation (quick and full mode) grew."""
    extra = Text("", "")
    if perturbed is not None:
        extra = result.say(
            "perturbation",
            spread=sci(perturbed["spread"]),
            spread_value=perturbed["spread"] - EQUAL,
            equal=EQUAL,
        )
    return result.say(
        "symmetry_caption",
        mode=result.mode,
        split_nets=len(broken),
        symmetric_nets=symmetric,
        split_names=", ".join(broken) or "-",
        perturbation=extra.en,
        perturbation_zh=extra.zh,
    )


def _figures(
    result: Result, curves: dict, traces: dict, models: dict, symmetry_caption: Text
) -> None:
    fig, axes = new_figure(10.0, 3.0, ncols=3)
    for ax, activation in zip(axes, ACTIVATIONS):
        for scheme, style in (("zeros", "-"), ("constant", "--"), (RANDOM[activation], "-")):
            losses = curves[(activation, scheme)]
            ax.plot(T.smooth(losses, 20), style, label=scheme)
        ax.set(
            title=f"{activation}, 64-32-32-10", xlabel="step", ylabel="batch loss (running mean)"
        )
        ax.legend(fontsize=8)
    result.add_figure(
        fig,
        "loss_curves",
        Text(
            "Training loss of the 2-hidden-layer net from zeros, from a constant and from the standard random init "
            "(float32, first seed). Zero-initialised tanh and ReLU nets only learn the class frequencies (loss ln 10).",
            "两层隐藏层网络分别从全零、常数与标准随机初始化开始的训练损失(float32,第一个种子)。全零初始化的 tanh 与 ReLU "
            "网络只能学到类别频率(损失 ln 10)。",
        ),
    )
    fig, ax = new_figure(6.5, 3.2)
    for label, points in traces.items():
        steps, spreads = zip(*points)
        ax.plot(steps, np.maximum(spreads, 1e-18), label=label)
    ax.set(
        yscale="log",
        xlabel="step",
        ylabel="relative spread between hidden units",
        title="Does the symmetry break? (0 plotted as 1e-18)",
    )
    ax.axhline(EQUAL, color="gray", linestyle=":", linewidth=0.8)
    ax.legend(fontsize=7)
    result.add_figure(
        fig,
        "symmetry_spread",
        symmetry_caption,
    )
    fig, axes = new_figure(10.0, 2.8, ncols=len(models))
    for ax, (label, model) in zip(np.atleast_1d(axes), models.items()):
        weight = np.asarray(T.linears(model)[0].weight.data, dtype=np.float64)
        ax.imshow(
            weight,
            aspect="auto",
            cmap="coolwarm",
            vmin=-np.abs(weight).max(),
            vmax=np.abs(weight).max(),
        )
        ax.set(title=label, xlabel="input pixel", ylabel="hidden unit")
        ax.title.set_fontsize(8)
    result.add_figure(
        fig,
        "first_layer_weights",
        Text(
            "First-layer weights after training (one row per hidden unit). Equal rows: the layer acts as one unit.",
            "训练后第一层的权重(每行一个隐藏单元)。各行相同:整层相当于一个单元。",
        ),
    )


@experiment("zero_init")
def run(mode: str, seed: int) -> Result:
    steps, seeds = STEPS[mode], [seed + k for k in range(SEEDS[mode])]
    result = Result.start(
        "zero_init",
        mode,
        seed,
        setup=Text(
            f"8x8 digits (1077 train, 720 held out), standardised per pixel. SGD, momentum {MOMENTUM}, lr {LR}, batch "
            f"{BATCH}, {steps} steps, {len(seeds)} seed(s) (the seed draws the random inits and the batch order). "
            f"Models: softmax regression (64-10), a 1-hidden-layer sigmoid net (64-32-10), and 64-32-32-10 MLPs with "
            f"tanh, ReLU and sigmoid from zeros, from a constant 1/fan_in and from Xavier (tanh, sigmoid) or He (ReLU) "
            f"init; biases start at 0. Symmetric runs are repeated in float64. Unit spread = max |unit_i - unit_1| / "
            f"max |weight| over the hidden layers (0: bitwise equal); units count as equal while it is <= {EQUAL:g}.",
            f"8x8 手写数字(训练 1077,留出 720),逐像素标准化。SGD,动量 {MOMENTUM},学习率 {LR},批大小 {BATCH},"
            f"{steps} 步,{len(seeds)} 个种子(种子决定随机初始化与批次顺序)。模型:softmax 回归(64-10)、一个隐藏层的 "
            f"sigmoid 网络(64-32-10),以及 tanh、ReLU、sigmoid 的 64-32-32-10 MLP,分别从全零、常数 1/fan_in、Xavier"
            f"(tanh、sigmoid)或 He(ReLU)初始化开始;偏置初始为 0。对称初始化的运行在 float64 下重复一次。单元差异 = "
            f"隐藏层中 max |unit_i - unit_1| / max |weight|(0 表示逐位相等);不超过 {EQUAL:g} 视为仍然相等。",
        ),
    )
    costs: list = []
    data32, data64 = digits_standardised(), digits_standardised().astype(np.float64)
    configs = [
        ("linear", [64, 10], "-", "zeros"),
        ("linear", [64, 10], "-", "xavier"),
        ("1 hidden", [64, 32, 10], "sigmoid", "zeros"),
        ("1 hidden", [64, 32, 10], "sigmoid", "xavier"),
    ]
    configs += [
        ("2 hidden", HIDDEN, act, scheme)
        for act in ACTIVATIONS
        for scheme in ("zeros", "constant", RANDOM[act])
    ]
    runs: dict[tuple, list[dict]] = {}
    traces: dict[str, list] = {}
    with one_blas_thread():
        with timed(costs, Text("float32 runs", "float32 运行")):
            for salt, (name, sizes, act, scheme) in enumerate(configs):
                for s in seeds:
                    trace = None
                    if (
                        s == seed
                        and name == "2 hidden"
                        and scheme in ("zeros", "constant")
                        and not (scheme == "zeros" and act != "sigmoid")
                    ):
                        trace = traces.setdefault(f"{act} {scheme}, float32", [])
                    runs.setdefault((name, act, scheme, "float32"), []).append(
                        _one(
                            data32,
                            sizes,
                            "relu" if act == "-" else act,
                            scheme,
                            steps,
                            s,
                            salt,
                            trace=trace,
                        )
                    )
        with timed(costs, Text("float64 runs", "float64 运行")):
            symmetric = [
                (name, sizes, act, scheme)
                for name, sizes, act, scheme in configs
                if name != "linear" and scheme in ("zeros", "constant")
            ]
            for salt, (name, sizes, act, scheme) in enumerate(symmetric):
                for s in seeds:
                    trace = (
                        traces.setdefault(f"{act} constant, float64", [])
                        if (
                            s == seed
                            and name == "2 hidden"
                            and act == "tanh"
                            and scheme == "constant"
                        )
                        else None
                    )
                    runs.setdefault((name, act, scheme, "float64"), []).append(
                        _one(data64, sizes, act, scheme, steps, s, 100 + salt, trace=trace)
                    )
            perturbed = None
            if mode != "smoke":
                perturbed = _one(
                    data64,
                    HIDDEN,
                    "tanh",
                    "constant",
                    steps,
                    seed,
                    200,
                    perturb=PERTURBATION,
                    trace=traces.setdefault(
                        f"tanh constant, float64, +{PERTURBATION:g} perturbation", []
                    ),
                )

    def values(key: tuple, field: str) -> list[float]:
        return [r[field] for r in runs[key]]

    def acc(key: tuple) -> float:
        return mean_std_finite(values(key, "test"))[0]

    rows = []
    for (name, act, scheme, precision), group in runs.items():
        rows.append(
            [
                name,
                act,
                scheme,
                precision,
                pm_finite(values((name, act, scheme, precision), "test")),
                pm_finite(values((name, act, scheme, precision), "train")),
                sci(max(r["spread"] for r in group)),
                "-" if group[0]["rank"] is None else max(r["rank"] for r in group),
                *(
                    ("-" if group[0][g] is None else sci(max(r[g] for r in group)))
                    for g in ("g_start", "g_end")
                ),
            ]
        )
    if perturbed is not None:
        rows.append(
            [
                "2 hidden",
                "tanh",
                f"constant + {PERTURBATION:g}",
                "float64",
                pm_finite([perturbed["test"]]),
                pm_finite([perturbed["train"]]),
                sci(perturbed["spread"]),
                perturbed["rank"],
                sci(perturbed["g_start"]),
                sci(perturbed["g_end"]),
            ]
        )
    result.add_table(
        Text(
            "Every run (mean ± std over seeds; spread, rank and gradients: the largest over seeds)",
            "所有运行(种子间的均值 ± 标准差;差异、秩与梯度取各种子中的最大值)",
        ),
        [
            Text("model", "模型"),
            Text("activation", "激活"),
            Text("init", "初始化"),
            Text("precision", "精度"),
            Text("test accuracy", "测试准确率"),
            Text("train accuracy", "训练准确率"),
            Text("unit spread after training", "训练后单元差异"),
            Text("rank of hidden activations", "隐藏激活的秩"),
            Text("|dL/dW| hidden, before step 1", "隐藏层 |dL/dW|,第 1 步前"),
            Text("|dL/dW| hidden, at the end", "隐藏层 |dL/dW|,结束时"),
        ],
        rows,
        note=Text(
            "Gradient norms: all hidden-layer weights together, on the whole train split. Chance "
            "accuracy is about 0.10.",
            "梯度范数:所有隐藏层权重合在一起,在整个训练集上计算。随机猜测的准确率约为 0.10。",
        ),
    )

    # not_all_zero
    gaps = {
        act: acc(("2 hidden", act, RANDOM[act], "float32"))
        - acc(("2 hidden", act, "zeros", "float32"))
        for act in ACTIVATIONS
    }
    verdict = (
        Verdict.HOLDS
        if min(gaps.values()) >= GAP_HOLDS
        else Verdict.PARTLY
        if max(gaps.values()) >= GAP_HOLDS
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "not_all_zero",
        verdict,
        {
            Text(f"accuracy gap, random - zeros, {act}", f"准确率差(随机 - 全零),{act}"): round(
                gap, 3
            )
            for act, gap in gaps.items()
        },
        Text(
            f"holds when the standard random init beats the all-zero init by at least {GAP_HOLDS:.2f} in "
            f"test accuracy (mean over seeds) for every activation; partly when for some; does not hold "
            f"otherwise",
            f"对每种激活,标准随机初始化的测试准确率(种子均值)都比全零初始化高至少 {GAP_HOLDS:.2f} 则成立;"
            f"只对部分激活如此为部分成立;否则不成立",
        ),
        robust=True,
        margin=Text(
            f"smallest gap {min(gaps.values()):.2f} against the threshold {GAP_HOLDS}",
            f"最小差距 {min(gaps.values()):.2f},阈值 {GAP_HOLDS}",
        ),
    )

    # single_layer_ok
    zero_acc, xavier_acc = (
        acc(("linear", "-", "zeros", "float32")),
        acc(("linear", "-", "xavier", "float32")),
    )
    diff = abs(zero_acc - xavier_acc)
    hidden_gap = acc(("1 hidden", "sigmoid", "xavier", "float32")) - acc(
        ("1 hidden", "sigmoid", "zeros", "float32")
    )
    result.judge(
        "single_layer_ok",
        verdict_by_threshold(diff, SINGLE_HOLDS, SINGLE_PARTLY, higher_is_better=False),
        {
            Text(
                "softmax regression from zeros: test accuracy", "softmax 回归全零初始化:测试准确率"
            ): round(zero_acc, 3),
            Text("from Xavier: test accuracy", "Xavier 初始化:测试准确率"): round(xavier_acc, 3),
            Text("|difference|", "|差值|"): round(diff, 3),
            Text(
                "output units' spread after training from zeros", "全零初始化训练后输出单元的差异"
            ): sci(min(values(("linear", "-", "zeros", "float32"), "spread"))),
            Text(
                "1 hidden sigmoid layer: accuracy gap Xavier - zeros",
                "一个 sigmoid 隐藏层:准确率差 Xavier - 全零",
            ): round(hidden_gap, 3),
        },
        Text(
            f"holds when softmax regression from zeros ends within {SINGLE_HOLDS} test accuracy of the same "
            f"model from Xavier init (mean over seeds); partly within {SINGLE_PARTLY}; does not hold otherwise",
            f"全零初始化的 softmax 回归与 Xavier 初始化的同一模型测试准确率(种子均值)相差不超过 {SINGLE_HOLDS} "
            f"则成立;不超过 {SINGLE_PARTLY} 为部分成立;否则不成立",
        ),
        robust=True,
        margin=Text(
            f"|difference| {diff:.3f} against {SINGLE_HOLDS}",
            f"|差值| {diff:.3f},阈值 {SINGLE_HOLDS}",
        ),
        note=Text(
            "'Single-layer' must mean no hidden layer: each output unit has its own target, so the units "
            "differ from the first step. With one hidden layer the zero init already falls behind (last "
            "number); how far depends on whether float32 rounding splits its units (see 'symmetry').",
            "“单层”只能指没有隐藏层:每个输出单元有自己的目标,从第一步起各单元就不同。只要有一个隐藏层,"
            "全零初始化就已经落后(最后一个数);落后多少取决于 float32 舍入是否把它的单元分开(见“symmetry”)。",
        ),
    )

    # zero_vanishing
    ratio_start = {
        act: values(("2 hidden", act, "zeros", "float32"), "g_start")[0]
        / values(("2 hidden", act, RANDOM[act], "float32"), "g_start")[0]
        for act in ACTIVATIONS
    }
    ratio_end = {
        act: max(values(("2 hidden", act, "zeros", "float32"), "g_end"))
        / values(("2 hidden", act, RANDOM[act], "float32"), "g_start")[0]
        for act in ACTIVATIONS
    }
    at_start, at_end = max(ratio_start.values()) < VANISHED, max(ratio_end.values()) < VANISHED
    verdict = (
        Verdict.HOLDS
        if at_start and at_end
        else Verdict.PARTLY
        if at_start
        else Verdict.DOES_NOT_HOLD
    )
    numbers = {
        Text(
            f"{act}: hidden |dL/dW|, zeros / random, before step 1",
            f"{act}:隐藏层 |dL/dW|,全零/随机,第 1 步前",
        ): sci(ratio_start[act])
        for act in ACTIVATIONS
    }
    numbers.update(
        {
            Text(f"{act}: the same at the end", f"{act}:结束时同一比值"): sci(ratio_end[act])
            for act in ACTIVATIONS
        }
    )
    result.judge(
        "zero_vanishing",
        verdict,
        numbers,
        Text(
            f"holds when the hidden-layer weight gradients of the zero-initialised nets are below "
            f"{VANISHED:g} of the random init's (before step 1) both before the first step and at the end, for "
            f"every activation; partly when they are before the first step but recover for some activation; "
            f"does not hold when they are not small at the start",
            f"对每种激活,全零初始化网络的隐藏层权重梯度在第一步前和训练结束时都低于随机初始化(第 1 步前)的 "
            f"{VANISHED:g} 则成立;第一步前如此但某种激活之后恢复为部分成立;一开始就不小则不成立",
        ),
        robust=True,
        margin=Text(
            "the zero-init gradients start at exactly 0; the sigmoid net's recover to "
            f"{ratio_end['sigmoid']:.2g} of the reference, "
            f"{ratio_end['sigmoid'] / VANISHED:.1f}x the threshold {VANISHED:g}",
            f"全零初始化的梯度一开始恰为 0;sigmoid 网络之后恢复到参考值的 "
            f"{ratio_end['sigmoid']:.2g},是阈值 {VANISHED:g} 的 "
            f"{ratio_end['sigmoid'] / VANISHED:.1f} 倍",
        ),
        note=Text(
            "Not 'vanishing' in the usual sense (shrinking with depth): the gradients are exactly 0, in a "
            "net of any depth, because the next layer's weights are 0 (and tanh(0) = ReLU(0) = 0). "
            "A sigmoid net's last layer moves first, then the hidden ones: they learn, but as one unit.",
            "这并不是通常意义上的梯度消失(随深度衰减):无论网络多深,梯度恰好为 0,因为下一层的权重为 0"
            "(且 tanh(0) = ReLU(0) = 0)。sigmoid 网络的最后一层先动起来,随后隐藏层也动了:它们在学,"
            "但作为一个单元在学。",
        ),
    )

    # symmetry
    sym64 = [r for key, group in runs.items() if key[3] == "float64" for r in group]
    symmetric32 = {
        key: group
        for key, group in runs.items()
        if key[3] == "float32" and key[0] != "linear" and key[2] in ("zeros", "constant")
    }
    sym32 = [r for group in symmetric32.values() for r in group]
    worst64 = max(r["spread"] for r in sym64)
    kept32 = sum(r["spread"] <= EQUAL for r in sym32)
    broken = sorted(
        f"{key[0]} {key[1]} {key[2]}"
        for key, group in symmetric32.items()
        if any(r["spread"] > EQUAL for r in group)
    )
    caption = _symmetry_caption(result, broken, len(symmetric32), perturbed)
    verdict = (
        Verdict.DOES_NOT_HOLD
        if worst64 > EQUAL
        else Verdict.HOLDS
        if kept32 == len(sym32)
        else Verdict.PARTLY
    )
    numbers = {
        Text("float64: largest unit spread after training", "float64:训练后最大单元差异"): sci(
            worst64
        ),
        Text(
            "float64: largest rank of a hidden layer's activations", "float64:隐藏层激活的最大秩"
        ): max(r["rank"] for r in sym64),
        Text(
            "float32 symmetric runs whose units stayed equal",
            "float32 对称运行中单元保持相等的次数",
        ): f"{kept32} of {len(sym32)}",
        Text("float32 runs where the units split", "float32 中单元分开的配置"): ", ".join(broken)
        or "-",
    }
    if perturbed is not None:
        numbers[
            Text(
                f"float64 tanh constant + {PERTURBATION:g}: spread after training",
                f"float64 tanh 常数 + {PERTURBATION:g}:训练后差异",
            )
        ] = sci(perturbed["spread"])
        numbers[Text("its test accuracy", "其测试准确率")] = round(perturbed["test"], 3)
    result.judge(
        "symmetry",
        verdict,
        numbers,
        Text(
            f"holds when the units of every hidden layer stay equal (spread <= {EQUAL:g}) after training from "
            f"every symmetric init, in float64 and in float32; partly when they stay equal in float64 (exact "
            f"arithmetic for these products) but split in some float32 run; does not hold when they split "
            f"even in float64",
            f"所有对称初始化训练后,每个隐藏层的单元在 float64 和 float32 中都保持相等(差异 <= {EQUAL:g})"
            f"则成立;float64 中(这些乘积在其中是精确对称的)保持相等、但某些 float32 运行中分开为部分成立;"
            f"float64 中也分开则不成立",
        ),
        note=Text(
            "The gradients are identical, so exact arithmetic never breaks the symmetry; but the symmetric "
            "state can be unstable: float32 BLAS rounding (~1e-7), or any 1e-12 asymmetry, can grow until "
            "the units split, and the net then starts to learn. 'Never' holds only where the arithmetic is "
            "exact or the symmetric state is stable (the nets not listed as split). Splitting takes "
            "hundreds of steps, so short runs (smoke mode) rarely see it, and where it happens depends on "
            "the BLAS library.",
            "梯度完全相同,所以精确运算下对称性永远不会被打破;但对称状态可能不稳定:float32 BLAS 的舍入误差"
            "(约 1e-7)或任何 1e-12 的不对称,都可能放大直到单元分开,之后网络开始学习。“永远”只在运算精确"
            "或对称状态稳定时成立(即未列为“分开”的网络)。分开需要几百步,短的运行(smoke 模式)很少看到;"
            "是否发生取决于 BLAS 库。",
        ),
    )

    first = {key: group[0] for key, group in runs.items()}
    curves = {
        (act, scheme): first[("2 hidden", act, scheme, "float32")]["losses"]
        for act in ACTIVATIONS
        for scheme in ("zeros", "constant", RANDOM[act])
    }
    models = {
        "sigmoid zeros, float32": first[("2 hidden", "sigmoid", "zeros", "float32")]["model"],
        "tanh constant, float32": first[("2 hidden", "tanh", "constant", "float32")]["model"],
        "tanh constant, float64": first[("2 hidden", "tanh", "constant", "float64")]["model"],
        "tanh Xavier, float32": first[("2 hidden", "tanh", "xavier", "float32")]["model"],
    }
    with timed(costs, Text("figures", "图")):
        _figures(result, curves, traces, models, caption)
    add_cost_table(result, costs)
    return result
