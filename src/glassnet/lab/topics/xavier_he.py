"""Xavier vs He: which initialisation keeps the signal alive through depth, for tanh and for ReLU.

A layer y = W x with fan_in inputs gives Var(y) = fan_in Var(W) Var(x) (zero-mean weights,
independent inputs), and on the way back Var(dx) = fan_out Var(W) Var(dy). Xavier (Glorot &
Bengio 2010) takes Var(W) = 2 / (fan_in + fan_out): both factors about 1 for an activation
with slope 1 at 0, such as tanh. ReLU zeroes half its inputs and halves the second moment,
so He (He et al. 2015) takes Var(W) = 2 / fan_in; with Xavier a ReLU stack loses a factor
sqrt(2) of std per layer.

Four measurements:

1. the std of every layer's activations at init through 16 hidden layers of 256 units
   (digits as input), for tanh and ReLU, with Xavier, Xavier with gain 5/3, He,
   N(0, 0.01^2) and the notes' snippet;
2. fan_in and fan_out measured as variance gains (forward: Var(y) / (Var(x) Var(W));
   backward: Var(dx) / (Var(dy) Var(W)) at interior positions), against the notes'
   "number of output channels";
3. training a 10-layer tanh net with each init, and a 30-layer plain ReLU net with He and
   with Xavier (He et al. 2015, figure 3), each init at its best learning rate of one grid;
4. the notes' snippet np.random.rand(fan_in, fan_out) / np.sqrt(fan_in / 2), which draws
   from U[0, 1): every weight positive, mean 1 / sqrt(2 fan_in) (its CS231n original uses
   randn, which is He init).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

import glassnet
from glassnet import nn
from glassnet.lab import Result, Text, Verdict, experiment, new_figure
from glassnet.lab.kit import inits as T
from glassnet.lab.kit.costs import Costs, add_cost_table, timed
from glassnet.lab.kit.data import Split, digits_standardised
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.kit.stats import mean_std_finite
from glassnet.lab.report.formatting import pm_finite, sci
from glassnet.nn import init as nn_init

PROBE_SIZES = [64] + [256] * 16 + [10]
PROBE_INITS = {
    "tanh": ("xavier", "xavier53", "he", "small", "snippet"),
    "relu": ("xavier", "he", "small", "snippet"),
}
SEEDS = {"smoke": 1, "quick": 2, "full": 3}
STEPS = {
    "smoke": (200, 300),
    "quick": (600, 600),
    "full": (2000, 2000),
}  # (tanh 10 layers, ReLU 30 layers)
LRS = {
    "smoke": ((0.01,), (0.003, 0.01)),
    "quick": ((0.001, 0.003, 0.01, 0.03),) * 2,
    "full": ((0.001, 0.003, 0.01, 0.03),) * 2,
}
TANH_NET, RELU_NET = [64] + [64] * 10 + [10], [64] + [64] * 30 + [10]
TANH_INITS, RELU_INITS = ("xavier", "xavier53", "he", "small"), ("he", "xavier")
FAN_LAYERS = (
    ("Linear(64, 32)", lambda: nn.Linear(64, 32), (512, 64)),
    ("Conv2d(3, 16, 5)", lambda: nn.Conv2d(3, 16, 5), (32, 3, 16, 16)),
    ("Conv2d(16, 32, 3)", lambda: nn.Conv2d(16, 32, 3), (32, 16, 16, 16)),
    ("Conv2d(32, 8, 1)", lambda: nn.Conv2d(32, 8, 1), (32, 32, 16, 16)),
)

# decision thresholds, fixed before any run
STEADY, SHRUNK, COLLAPSED = (
    0.5,
    0.1,
    0.01,
)  # std ratio last/first layer: steady >= 0.5, collapsed <= 0.01
FAN_TOLERANCE = 0.10  # a definition "agrees" within 10% of the measured gain
TRAINS, STALLS, BEATS = 0.5, 0.2, 0.2  # train accuracy: trains >= 0.5, stalls <= 0.2 (chance 0.1)
CLOSE, NEAR = 0.02, 0.05  # xavier_tanh: within 0.02 (or 0.05) of the best init
SATURATED = 0.05


# -- 1. std through depth -------------------------------------------------------------------
def _probe(x: np.ndarray, activation: str, scheme: str, seed: int) -> dict:
    model = T.build_mlp(PROBE_SIZES, activation, scheme, np.random.default_rng([seed, 1]))
    outputs = T.activation_outputs(model, x)
    stds = [float(h.std()) for h in outputs]
    last = outputs[-1]
    return {
        "stds": stds,
        "ratio": stds[-1] / stds[0] if stds[0] else math.nan,
        "mean_last": float(last.mean()),
        "saturated": float((np.abs(last) > 0.99).mean()) if activation == "tanh" else None,
        "zeros": float((last == 0).mean()) if activation == "relu" else None,
        "corr": T.mean_unit_correlation(last),
        "max_saturated": max(float((np.abs(h) > 0.99).mean()) for h in outputs)
        if activation == "tanh"
        else None,
    }


# -- 2. fans as measured variance gains ----------------------------------------------------------
def _fans(seed: int) -> list[dict]:
    rng = np.random.default_rng([seed, 2])
    rows = []
    for name, make, shape in FAN_LAYERS:
        layer = make()
        nn_init.normal_(layer.weight, 0.0, 1.0, generator=rng)
        nn_init.zeros_(layer.bias)
        x = glassnet.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
        y = layer(x)
        g = rng.standard_normal(tuple(y.shape)).astype(np.float32)
        (y * glassnet.tensor(g)).sum().backward()
        w2 = float(np.mean(np.square(layer.weight.data, dtype=np.float64)))
        dx = np.asarray(x.grad.data, dtype=np.float64)
        if dx.ndim == 4:  # interior inputs: used by every kernel position (stride 1, no padding)
            k = layer.kernel_size[0]
            dx = dx[:, :, k - 1 : dx.shape[2] - k + 1, k - 1 : dx.shape[3] - k + 1]
        fan_in, fan_out = nn_init._calculate_fan_in_and_fan_out(layer.weight)
        rows.append(
            {
                "name": name,
                "shape": tuple(layer.weight.shape),
                "out_channels": int(layer.weight.shape[0]),
                "fan_in": fan_in,
                "fan_out": fan_out,
                "forward_gain": float(np.mean(np.square(y.data, dtype=np.float64)))
                / (float(np.mean(np.square(x.data, dtype=np.float64))) * w2),
                "backward_gain": float(np.mean(np.square(dx)))
                / (float(np.mean(np.square(g, dtype=np.float64))) * w2),
            }
        )
    return rows


def _sci_pm(values: list[float]) -> str:
    mean, std = mean_std_finite(values)
    return sci(mean) if len(values) == 1 else f"{sci(mean)} ± {sci(std)} (n={len(values)})"


def _agrees(value: float, measured: float) -> bool:
    return abs(value / measured - 1) <= FAN_TOLERANCE


# -- 3. training ----------------------------------------------------------------------------------
def _train(
    data: Split, sizes: list[int], activation: str, scheme: str, lr: float, steps: int, seed: int
) -> T.Run:
    rng = np.random.default_rng([seed, 3])
    model = T.build_mlp(sizes, activation, scheme, rng)
    return T.train(model, data, steps, lr, rng, track=(TRAINS,))


def _best(runs: dict, net: str, scheme: str) -> tuple[float, float]:
    """(lr, mean final train accuracy) of the best lr for one init."""
    scores = {
        lr: mean_std_finite([r.train_accuracy for r in group])[0]
        for (n, s, lr), group in runs.items()
        if n == net and s == scheme
    }
    lr = max(scores, key=lambda key: scores[key])
    return lr, scores[lr]


def _figures(result: Result, probes: dict, runs: dict, best: dict) -> None:
    fig, axes = new_figure(10.0, 3.4, ncols=2)
    for ax, activation in zip(axes, ("tanh", "relu")):
        for scheme in PROBE_INITS[activation]:
            stds = np.mean([p["stds"] for p in probes[(activation, scheme)]], axis=0)
            ax.plot(range(1, len(stds) + 1), np.maximum(stds, 1e-30), "o-", ms=3, label=scheme)
        ax.set(
            yscale="log",
            title=f"{activation}: 16 layers of 256 units, at init",
            xlabel="layer",
            ylabel="std of the activations",
        )
        ax.legend(fontsize=7)
    result.add_figure(
        fig,
        "std_through_depth",
        Text(
            "Std of each layer's activations at init (digits as input). Xavier slows the decay for tanh but does not "
            "stop it (gain 5/3 does); for ReLU only He keeps the std; the notes' snippet explodes.",
            "初始化时各层激活值的标准差(输入为手写数字)。对 tanh,Xavier 减缓但没有阻止衰减(增益 5/3 可以);对 ReLU 只有 "
            "He 保持标准差;笔记中的代码会让它爆炸。",
        ),
    )
    fig, axes = new_figure(10.0, 3.4, ncols=2)
    for ax, (net, inits, title) in zip(
        axes,
        (
            ("tanh 10", TANH_INITS, "tanh, 10 hidden layers"),
            ("relu 30", RELU_INITS, "ReLU, 30 hidden layers"),
        ),
    ):
        for scheme in inits:
            lr = best[(net, scheme)][0]
            ax.plot(T.smooth(runs[(net, scheme, lr)][0].losses, 25), label=f"{scheme} (lr {lr:g})")
        ax.set(
            title=f"{title}, best lr per init", xlabel="step", ylabel="batch loss (running mean)"
        )
        ax.legend(fontsize=7)
    result.add_figure(
        fig,
        "training",
        Text(
            "Training loss at each init's best learning rate (first seed).",
            "各初始化在其最佳学习率下的训练损失(第一个种子)。",
        ),
    )


def _plateau_note(result: Result, he: float, xavier: float) -> Text:
    """The fixed note on the plateau, then where this run's Xavier net ended."""
    fixed = result.text("plateau_note")
    measured = result.say(
        "plateau_run",
        mode=result.mode,
        xavier=xavier,
        he=he,
        stalls=STALLS,
        above_stall=xavier - STALLS,
    )
    return Text(fixed.en + measured.en, fixed.zh + measured.zh)


def measure(mode: str, seed: int, costs: Costs) -> tuple[dict, list, dict]:
    """The std probe and the fans at init, then every training run: (probes, fans, runs)."""
    seeds = [seed + k for k in range(SEEDS[mode])]
    (tanh_steps, relu_steps), (tanh_lrs, relu_lrs) = STEPS[mode], LRS[mode]
    data = digits_standardised()
    # a diverging run (large lr) overflows float32 on purpose: it stops and is counted as diverged, without warnings
    with one_blas_thread(), np.errstate(over="ignore", invalid="ignore"):
        with timed(costs, Text("std probe and fans", "标准差探针与扇入扇出")):
            probes = {
                (act, scheme): [_probe(data.x_train, act, scheme, s) for s in seeds]
                for act, schemes in PROBE_INITS.items()
                for scheme in schemes
            }
            fans = _fans(seed)
        runs: dict[tuple, list[T.Run]] = {}
        with timed(costs, Text("training: tanh, 10 layers", "训练:tanh,10 层")):
            for scheme in TANH_INITS:
                for lr in tanh_lrs:
                    runs[("tanh 10", scheme, lr)] = [
                        _train(data, TANH_NET, "tanh", scheme, lr, tanh_steps, s) for s in seeds
                    ]
        with timed(costs, Text("training: ReLU, 30 layers", "训练:ReLU,30 层")):
            for scheme in RELU_INITS:
                for lr in relu_lrs:
                    runs[("relu 30", scheme, lr)] = [
                        _train(data, RELU_NET, "relu", scheme, lr, relu_steps, s) for s in seeds
                    ]
    return probes, fans, runs


def _probe_tables(result: Result, probes: dict, fans: list) -> None:
    result.add_table(
        Text("Activation std through 16 layers at init", "初始化时 16 层中激活值的标准差"),
        [
            Text("activation", "激活"),
            Text("init", "初始化"),
            Text("std, layer 1", "第 1 层标准差"),
            Text("std, layer 8", "第 8 层标准差"),
            Text("std, layer 16", "第 16 层标准差"),
            Text("ratio layer 16 / layer 1", "第 16 层 / 第 1 层"),
            Text("layer 16: saturated (tanh) or zero (ReLU)", "第 16 层:饱和(tanh)或为 0(ReLU)"),
            Text("layer 16: mean |corr| between units", "第 16 层:单元间平均 |相关系数|"),
        ],
        [
            [
                act,
                scheme,
                *(sci(np.mean([p["stds"][i] for p in group])) for i in (0, 7, 15)),
                _sci_pm([p["ratio"] for p in group]),
                f"{np.mean([p['saturated'] if act == 'tanh' else p['zeros'] for p in group]):.2f}",
                sci(np.mean([p["corr"] for p in group])),
            ]
            for (act, scheme), group in probes.items()
        ],
    )
    result.add_table(
        Text("fan_in and fan_out, defined and measured", "fan_in 与 fan_out:定义与实测"),
        [
            Text("layer", "层"),
            Text("weight shape", "权重形状"),
            Text("notes: output channels", "笔记:输出通道数"),
            "fan_in = C_in k^2",
            Text("measured Var(y) / (Var(x) Var(W))", "实测 Var(y) / (Var(x) Var(W))"),
            "fan_out = C_out k^2",
            Text("measured Var(dx) / (Var(dy) Var(W))", "实测 Var(dx) / (Var(dy) Var(W))"),
        ],
        [
            [
                f["name"],
                "x".join(map(str, f["shape"])),
                f["out_channels"],
                f["fan_in"],
                f"{f['forward_gain']:.1f}",
                f["fan_out"],
                f"{f['backward_gain']:.1f}",
            ]
            for f in fans
        ],
    )


def _runs_table(result: Result, runs: dict, best: dict) -> None:
    rows = []
    for (net, scheme, lr), group in runs.items():
        reached = [r.steps_to[TRAINS] for r in group]
        rows.append(
            [
                net,
                scheme,
                lr,
                "*" if best[(net, scheme)][0] == lr else "",
                pm_finite([r.train_accuracy for r in group]),
                pm_finite([r.test_accuracy for r in group]),
                ", ".join("-" if s is None else str(s) for s in reached),
                sum(r.diverged for r in group),
            ]
        )
    result.add_table(
        Text("Training runs", "训练结果"),
        [
            Text("net", "网络"),
            Text("init", "初始化"),
            "lr",
            Text("best lr", "最佳学习率"),
            Text("final train accuracy", "最终训练准确率"),
            Text("test accuracy", "测试准确率"),
            Text(
                f"step reaching {TRAINS} train accuracy, per seed",
                f"达到 {TRAINS} 训练准确率的步数(每个种子)",
            ),
            Text("diverged", "发散"),
        ],
        rows,
        note=Text(
            "Accuracy checked every 25 steps on the whole train split; chance is 0.10.",
            "每 25 步在整个训练集上检查准确率;随机猜测为 0.10。",
        ),
    )


@experiment("xavier_he")
def run(mode: str, seed: int) -> Result:
    seeds = SEEDS[mode]
    (tanh_steps, relu_steps), (tanh_lrs, relu_lrs) = STEPS[mode], LRS[mode]
    result = Result.start("xavier_he", mode, seed)
    result.setup = result.say(
        "setup",
        seeds=seeds,
        tanh_steps=tanh_steps,
        relu_steps=relu_steps,
        tanh_lrs=list(tanh_lrs),
        relu_lrs=list(relu_lrs),
    )
    costs: Costs = []
    probes, fans, runs = measure(mode, seed, costs)
    _probe_tables(result, probes, fans)
    best = {
        (net, scheme): _best(runs, net, scheme)
        for net, inits in (("tanh 10", TANH_INITS), ("relu 30", RELU_INITS))
        for scheme in inits
    }
    _runs_table(result, runs, best)

    def ratio(act: str, scheme: str) -> float:
        return mean_std_finite([p["ratio"] for p in probes[(act, scheme)]])[0]

    _judge(result, probes, fans, best, ratio, runs)
    with timed(costs, Text("figures", "图")):
        _figures(result, probes, runs, best)
    add_cost_table(result, costs)
    return result


def _judge(
    result: Result,
    probes: dict,
    fans: list[dict],
    best: dict,
    ratio: Callable[[str, str], float],
    runs: dict[tuple, list[T.Run]],
) -> None:
    r_xavier, r_small, r_relu_x, r_relu_he = (
        ratio("tanh", "xavier"),
        ratio("tanh", "small"),
        ratio("relu", "xavier"),
        ratio("relu", "he"),
    )
    tanh_sat = max(p["max_saturated"] for p in probes[("tanh", "xavier")])
    # glorot_std_through_depth
    verdict = (
        Verdict.DOES_NOT_HOLD
        if r_small > COLLAPSED
        else Verdict.HOLDS
        if r_xavier >= STEADY
        else Verdict.PARTLY
        if r_xavier >= SHRUNK
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "glorot_std_through_depth",
        verdict,
        {
            Text(
                "tanh, Xavier: std ratio layer 16 / layer 1", "tanh,Xavier:第 16 层 / 第 1 层标准差"
            ): sci(r_xavier),
            Text("tanh, N(0, 0.01^2): the same", "tanh,N(0, 0.01^2):同上"): sci(r_small),
            Text("tanh, Xavier with gain 5/3: the same", "tanh,增益 5/3 的 Xavier:同上"): sci(
                ratio("tanh", "xavier53")
            ),
        },
        Text(
            f"holds when over 16 tanh layers Xavier keeps the std ratio last/first >= {STEADY} and the small "
            f"init lets it fall to <= {COLLAPSED}; partly when Xavier's ratio is >= {SHRUNK} (a slow decay, "
            f"not a collapse) and the small init collapses; does not hold otherwise",
            f"16 层 tanh 中 Xavier 使末层/首层标准差之比 >= {STEADY} 且小初始化使其降到 <= {COLLAPSED} 则成立;"
            f"Xavier 的比值 >= {SHRUNK}(缓慢衰减而非崩塌)且小初始化崩塌为部分成立;否则不成立",
        ),
        robust=True,
        margin=Text(
            f"Xavier's ratio {r_xavier:.2f} sits between {SHRUNK} and {STEADY}; the small "
            f"init's {r_small:.1e} is far below {COLLAPSED}",
            f"Xavier 的比值 {r_xavier:.2f} 位于 {SHRUNK} 与 {STEADY} 之间;小初始化的 "
            f"{r_small:.1e} 远低于 {COLLAPSED}",
        ),
        note=Text(
            "With slope 1 at 0 and Var(W) = 1/n, tanh's curvature still shrinks the variance a little per "
            "layer (q -> q - 2q^2), so the std decays like 1/sqrt(2 * layer): slowly, but it decays. "
            "PyTorch's gain 5/3 for tanh compensates and keeps it steady.",
            "即使 0 处斜率为 1、Var(W) = 1/n,tanh 的弯曲仍让方差每层缩小一点(q -> q - 2q^2),标准差按 "
            "1/sqrt(2 * 层数) 衰减:缓慢,但确实衰减。PyTorch 对 tanh 的增益 5/3 正好补偿,使其保持稳定。",
        ),
    )
    # fan_in / fan_out
    for claim, key, gain in (
        ("fan_in", "fan_in", "forward_gain"),
        ("fan_out", "fan_out", "backward_gain"),
    ):
        notes_ok = [f["name"] for f in fans if _agrees(f["out_channels"], f[gain])]
        standard_ok = sum(_agrees(f[key], f[gain]) for f in fans)
        worst_standard = max(abs(f[key] / f[gain] - 1) for f in fans)
        misses = [
            max(f["out_channels"] / f[gain], f[gain] / f["out_channels"])
            for f in fans
            if f["name"] not in notes_ok
        ]
        closest_miss = f"{min(misses):.1f}x" if misses else "-"
        verdict = (
            Verdict.HOLDS
            if len(notes_ok) == len(fans)
            else Verdict.PARTLY
            if notes_ok
            else Verdict.DOES_NOT_HOLD
        )
        result.judge(
            claim,
            verdict,
            {
                Text(
                    "layers where 'output channels' matches the measured gain",
                    "“输出通道数”与实测增益一致的层",
                ): ", ".join(notes_ok) or "none",
                Text("layers measured", "测量的层数"): len(fans),
                Text(
                    f"layers where {key} = C_{'in' if key == 'fan_in' else 'out'} k^2 matches",
                    f"{key} = C_{'in' if key == 'fan_in' else 'out'} k^2 一致的层数",
                ): standard_ok,
            },
            Text(
                f"the gain {'Var(y)/(Var(x)Var(W))' if key == 'fan_in' else 'Var(dx)/(Var(dy)Var(W))'} measures "
                f"{key}; holds when the number of output channels is within {FAN_TOLERANCE:.0%} of it in every "
                f"layer; partly in some; does not hold in none",
                f"增益 {'Var(y)/(Var(x)Var(W))' if key == 'fan_in' else 'Var(dx)/(Var(dy)Var(W))'} 就是 {key};"
                f"输出通道数在每个层都与它相差不超过 {FAN_TOLERANCE:.0%} 则成立;部分层一致为部分成立;都不一致则不成立",
            ),
            robust=True,
            margin=Text(
                f"the measured gains are within {worst_standard:.1%} of {key}; where "
                f"'output channels' disagrees it is off by {closest_miss} or more",
                f"实测增益与 {key} 相差不超过 {worst_standard:.1%};“输出通道数”不一致之处"
                f"至少相差 {closest_miss}",
            ),
            note=Text(
                "fan_in is the number of inputs of one unit, C_in x kernel area (PyTorch: weight.size(1) "
                "x receptive field); fan_out is C_out x kernel area. Only a Linear or 1x1 conv's fan_out is "
                "the number of output channels.",
                "fan_in 是一个单元的输入个数,即 C_in x 卷积核面积(PyTorch:weight.size(1) x 感受野);fan_out "
                "是 C_out x 卷积核面积。只有全连接层或 1x1 卷积的 fan_out 才等于输出通道数。",
            ),
        )
    # init_snippet
    snippet = probes[("relu", "snippet")]
    r_snip, corr = (
        mean_std_finite([p["ratio"] for p in snippet])[0],
        mean_std_finite([p["corr"] for p in snippet])[0],
    )
    verdict = (
        Verdict.HOLDS
        if 1 / 2 <= r_snip <= 2 and corr < 0.5
        else Verdict.DOES_NOT_HOLD
        if r_snip > 10 or r_snip < 0.1 or corr > 0.9
        else Verdict.PARTLY
    )
    fan = PROBE_SIZES[1]
    result.judge(
        "init_snippet",
        verdict,
        {
            Text(
                "ReLU, snippet: std ratio layer 16 / layer 1",
                "ReLU,笔记代码:第 16 层 / 第 1 层标准差",
            ): sci(r_snip),
            Text(
                "ReLU, snippet: mean |corr| between units at layer 16",
                "ReLU,笔记代码:第 16 层单元间平均 |相关|",
            ): sci(corr),
            Text(
                "tanh, snippet: share saturated at layer 16", "tanh,笔记代码:第 16 层饱和比例"
            ): round(float(np.mean([p["saturated"] for p in probes[("tanh", "snippet")]])), 3),
            Text(
                f"weight mean for fan_in {fan}: 1/sqrt(2 fan_in)",
                f"fan_in 为 {fan} 时的权重均值:1/sqrt(2 fan_in)",
            ): sci(1 / math.sqrt(2 * fan)),
            Text("ReLU, He (randn version): std ratio", "ReLU,He(randn 版本):标准差之比"): sci(
                r_relu_he
            ),
        },
        Text(
            "holds when, through 16 ReLU layers, the snippet keeps the std ratio last/first within [0.5, 2] "
            "and the units' mean |correlation| below 0.5 (as He init does); does not hold when the ratio is "
            "above 10 or below 0.1 or the correlation above 0.9; partly otherwise",
            "在 16 层 ReLU 中,笔记代码使末层/首层标准差之比保持在 [0.5, 2] 且单元间平均 |相关| 低于 0.5"
            "(如 He 初始化)则成立;比值大于 10 或小于 0.1,或相关大于 0.9,则不成立;否则部分成立",
        ),
        robust=True,
        margin=Text(
            f"ratio {r_snip:.1e} against 10, correlation {corr:.2f} against 0.9",
            f"比值 {r_snip:.1e}(阈值 10),相关 {corr:.2f}(阈值 0.9)",
        ),
        note=Text(
            "np.random.rand draws from U[0, 1): every weight is positive, so each unit sums its inputs "
            "with the same sign: the mean grows by about sqrt(fan_in / 2) per layer and all units carry "
            "the same signal. The source (CS231n) uses np.random.randn: that is He init, the 'he' row.",
            "np.random.rand 从 U[0, 1) 取值:每个权重都为正,每个单元以相同符号累加输入:均值每层增长约 "
            "sqrt(fan_in / 2) 倍,所有单元携带同一个信号。出处(CS231n)用的是 np.random.randn,那正是 He "
            "初始化,即表中的 'he' 行。",
        ),
    )
    # he_deep_relu
    (lr_he, he), (lr_x, xavier) = best[("relu 30", "he")], best[("relu 30", "xavier")]
    trains, stalls = he >= TRAINS, xavier <= STALLS
    verdict = (
        Verdict.HOLDS
        if trains and stalls
        else Verdict.PARTLY
        if he - xavier >= BEATS
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "he_deep_relu",
        verdict,
        {
            Text("He: best final train accuracy", "He:最佳最终训练准确率"): round(he, 3),
            Text("He: its best lr", "He:其最佳学习率"): lr_he,
            Text("Xavier: best final train accuracy", "Xavier:最佳最终训练准确率"): round(
                xavier, 3
            ),
            Text("Xavier: its best lr", "Xavier:其最佳学习率"): lr_x,
            **{
                Text(
                    f"{name}: step first reaching {TRAINS} train accuracy, per seed",
                    f"{name}:首次达到 {TRAINS} 训练准确率的步数(每个种子)",
                ): ", ".join(
                    "never" if r.steps_to[TRAINS] is None else str(r.steps_to[TRAINS])
                    for r in runs[("relu 30", scheme, lr)]
                )
                for name, scheme, lr in (("He", "he", lr_he), ("Xavier", "xavier", lr_x))
            },
        },
        Text(
            f"with each init at its best lr of the grid: holds when He reaches a final train accuracy >= "
            f"{TRAINS} and Xavier stays <= {STALLS} (chance 0.10); partly when He beats Xavier by >= {BEATS} "
            f"but one threshold is missed; does not hold otherwise",
            f"每种初始化取网格中的最佳学习率:He 的最终训练准确率 >= {TRAINS} 且 Xavier <= {STALLS}(随机为 0.10)"
            f"则成立;He 比 Xavier 高 >= {BEATS} 但有一个阈值未达到为部分成立;否则不成立",
        ),
        note=_plateau_note(result, he, xavier),
    )
    # xavier_not_relu
    shrinks, he_steady = r_relu_x <= SHRUNK, STEADY <= r_relu_he <= 1 / STEADY
    depth_ok = shrinks and he_steady
    train_ok = xavier <= he - BEATS
    result.judge(
        "xavier_not_relu",
        Verdict.HOLDS
        if depth_ok and train_ok
        else Verdict.PARTLY
        if depth_ok or train_ok
        else Verdict.DOES_NOT_HOLD,
        {
            Text(
                "ReLU, Xavier: std ratio layer 16 / layer 1", "ReLU,Xavier:第 16 层 / 第 1 层标准差"
            ): sci(r_relu_x),
            Text("ReLU, He: the same", "ReLU,He:同上"): sci(r_relu_he),
            Text(
                "30 layers: best train accuracy He - Xavier", "30 层:最佳训练准确率 He - Xavier"
            ): round(he - xavier, 3),
        },
        Text(
            f"holds when (a) through 16 ReLU layers Xavier's std ratio is <= {SHRUNK} while He's stays in "
            f"[{STEADY}, {1 / STEADY:g}] and (b) at 30 layers Xavier's best train accuracy is >= {BEATS} below "
            f"He's; partly when only one of (a), (b); does not hold when neither",
            f"(a) 16 层 ReLU 中 Xavier 的标准差之比 <= {SHRUNK} 而 He 的保持在 [{STEADY}, {1 / STEADY:g}],且 (b) "
            f"30 层时 Xavier 的最佳训练准确率比 He 低 >= {BEATS},则成立;只满足其一为部分成立;都不满足则不成立",
        ),
        robust=True,
        margin=Text(
            f"Xavier's ratio {r_relu_x:.1e} against {SHRUNK}, He's {r_relu_he:.2f} inside "
            f"[{STEADY}, {1 / STEADY:g}], the accuracy gap {he - xavier:.2f} against {BEATS}",
            f"Xavier 的比值 {r_relu_x:.1e}(阈值 {SHRUNK}),He 的 {r_relu_he:.2f} 在 "
            f"[{STEADY}, {1 / STEADY:g}] 内,准确率差 {he - xavier:.2f}(阈值 {BEATS})",
        ),
        note=Text(
            "Xavier's Var(W) = 1/n is half of what ReLU needs: the std falls by sqrt(2) per layer. At a few "
            "layers this is harmless; it matters with depth.",
            "Xavier 的 Var(W) = 1/n 只是 ReLU 所需的一半:标准差每层下降 sqrt(2) 倍。层数少时无妨,深了才有影响。",
        ),
    )
    # xavier_tanh
    acc_x = best[("tanh 10", "xavier")][1]
    top = max(best[("tanh 10", s)][1] for s in TANH_INITS)
    gap = top - acc_x
    healthy = tanh_sat < SATURATED and r_xavier >= SHRUNK
    verdict = (
        Verdict.HOLDS
        if gap <= CLOSE and healthy
        else Verdict.PARTLY
        if (gap <= NEAR and healthy) or gap <= CLOSE
        else Verdict.DOES_NOT_HOLD
    )
    numbers = {
        Text(
            f"10-layer tanh, {s}: best final train accuracy", f"10 层 tanh,{s}:最佳最终训练准确率"
        ): round(best[("tanh 10", s)][1], 3)
        for s in TANH_INITS
    }
    numbers.update(
        {
            Text("Xavier: gap to the best init", "Xavier:与最佳初始化的差距"): round(gap, 3),
            Text(
                "Xavier at init: largest share of saturated units in a layer (16-layer probe)",
                "Xavier 初始化时:某层饱和单元的最大比例(16 层探针)",
            ): round(tanh_sat, 4),
            Text(
                "Xavier at init: std ratio layer 16 / layer 1",
                "Xavier 初始化时:第 16 层 / 第 1 层标准差",
            ): sci(r_xavier),
        }
    )
    result.judge(
        "xavier_tanh",
        verdict,
        numbers,
        robust=True,
        margin=Text(
            f"gap {gap:.3f} against {CLOSE}, saturation {tanh_sat:.3f} against {SATURATED}, std ratio "
            f"{r_xavier:.2f} against {SHRUNK}",
            f"差距 {gap:.3f}(阈值 {CLOSE}),饱和 {tanh_sat:.3f}(阈值 {SATURATED}),标准差之比 "
            f"{r_xavier:.2f}(阈值 {SHRUNK})",
        ),
        rule=Text(
            f"holds when the 10-layer tanh net from Xavier ends within {CLOSE} train accuracy of the best "
            f"init (each at its best lr) and at init no layer has {SATURATED:.0%} or more saturated units and "
            f"the std ratio over 16 layers is >= {SHRUNK}; partly when within {NEAR} with a healthy init, or "
            f"within {CLOSE} without; does not hold otherwise",
            f"10 层 tanh 网络用 Xavier 初始化时的最终训练准确率与最佳初始化相差不超过 {CLOSE}(各取最佳学习率),"
            f"且初始化时没有哪层的饱和单元达到 {SATURATED:.0%}、16 层标准差之比 >= {SHRUNK},则成立;"
            f"初始化健康且相差不超过 {NEAR},或相差不超过 {CLOSE} 但初始化不健康,为部分成立;否则不成立",
        ),
    )
