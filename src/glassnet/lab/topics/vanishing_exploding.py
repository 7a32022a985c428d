"""Vanishing and exploding gradients: per-layer gradient norms by depth, and why.

The notes: "when a network has too many layers, the earlier layers, because of the products
taken while differentiating, end up with weights and biases abnormally large or small".

Setup: MLPs of `depth` hidden layers of WIDTH units (Linear -> activation, zero biases, a
Linear output layer) on one fixed mini-batch of MNIST-1D, with sigmoid, tanh and ReLU, each
with its matched initialisation (Xavier for sigmoid and tanh, with PyTorch's gains 1 and
5/3; He for ReLU) and with too-large weights (every weight N(0, 1): the unscaled
`np.random.randn` of many tutorials, 8x the 1/sqrt(64) scale). `glassnet.diagnose.gradient_flow`
gives each weight's gradient norm ||dL/dW_l|| and the backward signal RMS(dL/dz_l) at each
Linear output z_l. The mechanism is checked quantitatively: back-propagation through one
layer computes delta_l = phi'(z_l) * (W_{l+1}^T delta_{l+1}), so, with the weights
independent of the signal, the RMS of the signal changes by the local factor

    f_l = RMS(phi'(z_l)) * sqrt(n_{l+1} * mean(W_{l+1}^2))

and the first-to-last ratio should be the product of the f_l. The factors use only the
forward pass and the weights, so agreement is a real test of "products of many factors".
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

import glassnet
from glassnet import nn, optim
from glassnet.diagnose import gradient_flow, plot_gradient_flow
from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.curve import probe_split as mnist1d_split
from glassnet.lab.registry import experiment
from glassnet.lab.result import Result, Verdict, new_figure
from glassnet.lab.text import Text
from glassnet.models.mlp import MLP
from glassnet.nn import init as nn_init

WIDTH, BATCH = 64, 256
DEPTHS = {
    "smoke": [2, 8, 16],
    "quick": [2, 4, 8, 16, 32],
    "full": [2, 4, 8, 16, 24, 32],
}  # ReLU N(0,1) overflows float32 past ~45
SEEDS = {"smoke": 2, "quick": 5, "full": 10}
TRAIN_STEPS = {"smoke": 20, "quick": 50, "full": 200}
TRAIN_LR = 0.01  # plain SGD, a common default
ACTIVATIONS = ("sigmoid", "tanh", "relu")
MATCHED = {"sigmoid": "xavier", "tanh": "xavier", "relu": "kaiming"}
LARGE_STD = 1.0
COLORS = {"sigmoid": "tab:red", "tanh": "tab:orange", "relu": "tab:blue"}

# thresholds, fixed before measuring (log10 units: 1 = a factor of 10)
GROWS_DECADES = (
    2.0  # too_many_layers: |log10 ratio| at the deepest depth exceeds the shallowest's by this
)
FINE_DECADES = (
    1.0  # ... and a configuration whose |log10 ratio| stays below this at the deepest is 'fine'
)
EXPLODES_DECADES = 1.0  # large_init_explodes: first/last >= 10
PRODUCT_TOL = (0.5, 0.2)  # product_of_factors: |pred - meas| <= max(0.5, 0.2 |meas|) decades
PRODUCT_HOLDS, PRODUCT_PARTLY = (
    0.9,
    0.6,
)  # share of cases (|meas| >= 1 decade) predicted within tolerance
ABNORMAL = 10.0  # weights_abnormal: ||W_T|| / ||W_0|| >= 10 or <= 1/10 (or non-finite)


def config_name(activation: str, init: str) -> str:
    scheme = (
        {"xavier": "Xavier", "kaiming": "He"}[MATCHED[activation]]
        if init == "matched"
        else "N(0,1)"
    )
    return f"{activation}, {scheme}"


def build(depth: int, activation: str, init: str, seed: int) -> MLP:
    """A depth-hidden-layer MLP with the matched init, or every weight N(0, LARGE_STD^2); biases 0."""
    glassnet.manual_seed(seed)
    model = MLP([40] + [WIDTH] * depth + [10], activation, init=MATCHED[activation])
    if init == "large":
        for layer in model.modules():
            if isinstance(layer, nn.Linear):
                nn_init.normal_(layer.weight, 0.0, LARGE_STD)
    return model


def derivative(activation: str, z: np.ndarray) -> np.ndarray:
    """phi'(z) for the three activations (float64)."""
    z = z.astype(np.float64)
    if activation == "sigmoid":
        s = 0.5 * (1.0 + np.tanh(0.5 * z))
        return s * (1.0 - s)
    if activation == "tanh":
        return 1.0 - np.tanh(z) ** 2
    return (z > 0).astype(np.float64)


def _log10(value: float) -> float:
    return math.log10(value) if value > 0 and math.isfinite(value) else math.nan


@dataclass
class Profile:
    """One network's gradients: per-Linear weight-gradient norms, backward-signal RMS, local factors."""

    weight_grads: list[float]  # ||dL/dW_l||, input side first
    signal: list[float]  # RMS(dL/dz_l) at each Linear output, input side first
    factors: list[float]  # f_l, l = 1..depth (signal factor from z_{l+1} back to z_l)
    phi_rms: list[float]  # RMS(phi'(z_l))
    weight_gain: list[float]  # sqrt(n_{l+1} mean(W_{l+1}^2))
    flow: object = None

    @property
    def weight_ratio(self) -> float:
        return _log10(self.weight_grads[0]) - _log10(self.weight_grads[-1])

    @property
    def signal_ratio(self) -> float:
        return _log10(self.signal[0]) - _log10(self.signal[-1])

    @property
    def predicted(self) -> float:
        return float(sum(_log10(f) for f in self.factors))


def profile(model: MLP, activation: str, x: np.ndarray, y: np.ndarray) -> Profile:
    """gradient_flow on (x, y) plus the pre-activations z_l (forward hooks on the activations)."""
    pre: list[np.ndarray] = []
    kinds = (nn.Sigmoid, nn.Tanh, nn.ReLU)
    hooks = [
        m.register_forward_hook(lambda module, args, out: pre.append(args[0].data.copy()))
        for m in model.modules()
        if isinstance(m, kinds)
    ]
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            flow = gradient_flow(
                model, (glassnet.from_numpy(x), glassnet.from_numpy(y)), nn.CrossEntropyLoss()
            )
    finally:
        for handle in hooks:
            handle.remove()
    weights = [
        layer.weight.data.astype(np.float64)
        for layer in model.modules()
        if isinstance(layer, nn.Linear)
    ]
    phi = [float(np.sqrt(np.mean(derivative(activation, z) ** 2))) for z in pre]
    gain = [float(np.sqrt(w.shape[0] * np.mean(w * w))) for w in weights[1:]]
    return Profile(
        weight_grads=[row.grad_norm for row in flow.params if row.is_weight],
        signal=[row.grad_rms for row in flow.layers if row.class_name == "Linear"],
        factors=[p * g for p, g in zip(phi, gain)],
        phi_rms=phi,
        weight_gain=gain,
        flow=flow,
    )


def train_norms(model: MLP, data, steps: int, seed: int) -> dict[str, float]:
    """Plain SGD for `steps` steps; the first and last Linear weights' norm ratios ||W_T|| / ||W_0||."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    first0, last0 = (
        float(np.linalg.norm(m.weight.data.astype(np.float64))) for m in (linears[0], linears[-1])
    )
    start = linears[0].weight.data.astype(np.float64).copy()
    optimizer = optim.SGD(model.parameters(), lr=TRAIN_LR)
    rng = np.random.default_rng(seed)
    loss_fn = nn.CrossEntropyLoss()
    first_grad = math.nan
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for step in range(
            steps
        ):  # no stopping on divergence: what happens to the weights is the question
            index = rng.integers(0, len(data.y_train), 64)
            optimizer.zero_grad()
            loss = loss_fn(
                model(glassnet.from_numpy(data.x_train[index])),
                glassnet.from_numpy(data.y_train[index]),
            )
            loss.backward()
            if step == 0:
                first_grad = float(np.linalg.norm(linears[0].weight.grad.data.astype(np.float64)))
            optimizer.step()
        first = linears[0].weight.data.astype(np.float64)
        first_t, last_t = (
            float(np.linalg.norm(first)),
            float(np.linalg.norm(linears[-1].weight.data.astype(np.float64))),
        )
        change = float(np.linalg.norm(first - start)) / first0
    return {
        "first": first_t / first0,
        "last": last_t / last0,
        "change": change,
        "update": TRAIN_LR * first_grad / first0,
    }


def _abnormal(ratio: float) -> bool:
    return not math.isfinite(ratio) or ratio >= ABNORMAL or ratio <= 1 / ABNORMAL


def _ms(values: list[float]) -> tuple[float, float]:
    array = np.asarray(values, dtype=np.float64)
    finite = array[np.isfinite(array)]
    return (float(finite.mean()), float(finite.std())) if finite.size else (math.nan, math.nan)


def _fmt(values: list[float]) -> str:
    mean, std = _ms(values)
    return (
        "nan"
        if math.isnan(mean)
        else f"{mean:+.2f} ± {std:.2f}"
        if len(values) > 1
        else f"{mean:+.2f}"
    )


@experiment("vanishing_exploding")
def run(mode: str, seed: int) -> Result:
    clock = Clock()
    depths, seeds, steps = DEPTHS[mode], SEEDS[mode], TRAIN_STEPS[mode]
    deepest, shallowest = max(depths), min(depths)
    result = Result.start(
        "vanishing_exploding",
        mode,
        seed,
        setup=Text(
            f"MLPs with depth in {depths} hidden layers of {WIDTH} units (Linear -> activation, zero biases, Linear "
            f"output), on one fixed batch of {BATCH} MNIST-1D training samples, cross-entropy loss. Activations sigmoid, "
            f"tanh and ReLU, each with its matched initialisation (Xavier uniform with gain 1 for sigmoid and 5/3 for "
            f"tanh; He normal for ReLU) and with too-large weights N(0, 1) (the unscaled randn, {math.sqrt(WIDTH):.0f}x "
            f"the 1/sqrt(fan_in) scale). {seeds} seeds per configuration (weights and batch). Gradients from "
            f"glassnet.diagnose.gradient_flow: ||dL/dW_l|| per Linear weight and the backward signal RMS(dL/dz_l) at "
            f"each Linear output. Logarithms are base 10: -3 means 1000x smaller at the first layer than at the last. "
            f"The weights' fate is measured by {steps} plain-SGD steps (lr {TRAIN_LR}, batch 64) at depth {deepest}.",
            f"深度 {depths} 个隐藏层、每层 {WIDTH} 个单元的 MLP(Linear -> 激活,偏置为 0,最后是 Linear 输出层),在一个固定的 "
            f"{BATCH} 个 MNIST-1D 训练样本的批次上计算交叉熵。激活函数为 sigmoid、tanh 和 ReLU,各自使用匹配的初始化"
            f"(sigmoid 用增益 1、tanh 用增益 5/3 的 Xavier 均匀分布;ReLU 用 He 正态分布),以及过大的权重 N(0, 1)"
            f"(未缩放的 randn,是 1/sqrt(fan_in) 尺度的 {math.sqrt(WIDTH):.0f} 倍)。每个配置 {seeds} 个随机种子(权重与批次)。"
            f"梯度来自 glassnet.diagnose.gradient_flow:每个 Linear 权重的 ||dL/dW_l||,以及每个 Linear 输出处的反向信号 "
            f"RMS(dL/dz_l)。对数以 10 为底:-3 表示第一层比最后一层小 1000 倍。权重的变化用深度 {deepest} 的网络做 {steps} "
            f"步普通 SGD(lr {TRAIN_LR},批大小 64)来测量。",
        ),
    )
    data = mnist1d_split()
    configs = [(activation, init) for init in ("matched", "large") for activation in ACTIVATIONS]
    profiles: dict[tuple[str, str, int], list[Profile]] = {}
    for activation, init in configs:
        for depth in depths:
            runs = []
            for k in range(seeds):
                index = np.random.default_rng(seed * 1000 + k).choice(
                    len(data.y_train), BATCH, replace=False
                )
                model = build(depth, activation, init, seed * 1000 + k)
                runs.append(profile(model, activation, data.x_train[index], data.y_train[index]))
            profiles[(activation, init, depth)] = runs

    def mean_abs(activation: str, init: str, depth: int) -> float:
        return abs(_ms([p.signal_ratio for p in profiles[(activation, init, depth)]])[0])

    # -- tables -------------------------------------------------------------------------
    rows = []
    for activation, init in configs:
        rows.append(
            [config_name(activation, init)]
            + [_fmt([p.signal_ratio for p in profiles[(activation, init, d)]]) for d in depths]
        )
    result.add_table(
        Text(
            "Backward signal, log10 RMS(dL/dz_first) / RMS(dL/dz_last), by depth (mean ± std over seeds)",
            "反向信号 log10 RMS(dL/dz_first) / RMS(dL/dz_last),按深度(各种子的均值 ± 标准差)",
        ),
        [Text("configuration", "配置")] + [Text(f"depth {d}", f"深度 {d}") for d in depths],
        rows,
    )
    rows = []
    for activation, init in configs:
        runs = profiles[(activation, init, deepest)]
        rows.append(
            [
                config_name(activation, init),
                _fmt([p.weight_ratio for p in runs]),
                _fmt([p.signal_ratio for p in runs]),
                _fmt([p.predicted for p in runs]),
                f"{10 ** _ms([np.mean(np.log10(p.factors)) for p in runs])[0]:.3g}",
                f"{np.mean([np.mean(p.phi_rms) for p in runs]):.3g}",
                f"{np.mean([np.mean(p.weight_gain) for p in runs]):.3g}",
                f"{np.median([p.weight_grads[0] for p in runs]):.3g}",
            ]
        )
    result.add_table(
        Text(
            f"Depth {deepest}: weight gradients, backward signal and the product of local factors (log10 first/last)",
            f"深度 {deepest}:权重梯度、反向信号与局部因子之积(log10 第一层/最后一层)",
        ),
        [
            Text("configuration", "配置"),
            Text("weight grad ||dL/dW||", "权重梯度 ||dL/dW||"),
            Text("signal RMS(dL/dz)", "信号 RMS(dL/dz)"),
            Text("predicted: sum log10 f_l", "预测:sum log10 f_l"),
            Text("per-layer factor f (geometric mean)", "每层因子 f(几何平均)"),
            Text("RMS phi'(z)", "RMS phi'(z)"),
            Text("sqrt(n mean W^2)", "sqrt(n mean W^2)"),
            Text("||dL/dW_1|| (median)", "||dL/dW_1||(中位数)"),
        ],
        rows,
        note=Text(
            "f_l = RMS(phi'(z_l)) * sqrt(n_{l+1} mean(W_{l+1}^2)) uses only the forward pass and the weights.",
            "f_l = RMS(phi'(z_l)) * sqrt(n_{l+1} mean(W_{l+1}^2)) 只用到前向传播与权重。",
        ),
    )

    # -- too_many_layers --------------------------------------------------------------------
    growth = {(a, i): mean_abs(a, i, deepest) - mean_abs(a, i, shallowest) for a, i in configs}
    grows = [config_name(a, i) for (a, i), g in growth.items() if g >= GROWS_DECADES]
    fine = [config_name(a, i) for a, i in configs if mean_abs(a, i, deepest) < FINE_DECADES]
    verdict = (
        Verdict.HOLDS
        if len(grows) == len(configs)
        else Verdict.PARTLY
        if grows
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "too_many_layers",
        verdict,
        {
            Text(
                f"configurations whose |log10 signal ratio| grows by >= {GROWS_DECADES:g} from depth {shallowest} to "
                f"{deepest}",
                f"|log10 信号比| 从深度 {shallowest} 到 {deepest} 增加 >= {GROWS_DECADES:g} 的配置",
            ): ", ".join(grows) or "none",
            Text(
                f"configurations still within 10x at depth {deepest}",
                f"深度 {deepest} 时仍在 10 倍以内的配置",
            ): ", ".join(fine) or "none",
            **{
                Text(
                    f"growth, {config_name(a, i)} (decades)", f"增长,{config_name(a, i)}(数量级)"
                ): round(g, 2)
                for (a, i), g in growth.items()
            },
        },
        Text(
            f"per configuration, m(D) = |mean over seeds of log10 RMS(dL/dz_first)/RMS(dL/dz_last)| at depth D; "
            f"'grows' when m({deepest}) - m({shallowest}) >= {GROWS_DECADES:g}. Holds when every configuration grows; "
            f"partly when at least one does (depth amplifies it, but does not cause it alone); does not hold when "
            f"none does",
            f"对每个配置,m(D) = 深度 D 时 log10 RMS(dL/dz_first)/RMS(dL/dz_last) 的种子均值的绝对值;"
            f"m({deepest}) - m({shallowest}) >= {GROWS_DECADES:g} 记为“增长”。所有配置都增长则成立;至少一个增长为部分成立"
            f"(深度会放大问题,但单靠深度不会引起问题);都不增长则不成立",
        ),
        robust=True,
        margin=Text(
            f"sigmoid+Xavier grows by ~{growth[('sigmoid', 'matched')]:.0f} decades against "
            f"the {GROWS_DECADES:g} needed; ReLU+He stays near 0",
            f"sigmoid+Xavier 增长约 {growth[('sigmoid', 'matched')]:.0f} 个数量级,阈值为 "
            f"{GROWS_DECADES:g};ReLU+He 保持在 0 附近",
        ),
        note=result.say(
            "depth_note",
            relu_growth=growth[("relu", "matched")],
            shallowest=shallowest,
            deepest=deepest,
            relu_beyond_10x=abs(growth[("relu", "matched")]) - 1.0,
        ),
    )

    # -- product_of_factors -------------------------------------------------------------------
    cases = [
        (p.signal_ratio, p.predicted)
        for runs in profiles.values()
        for p in runs
        if math.isfinite(p.signal_ratio) and abs(p.signal_ratio) >= 1.0
    ]
    within = [
        abs(pred - meas) <= max(PRODUCT_TOL[0], PRODUCT_TOL[1] * abs(meas)) for meas, pred in cases
    ]
    share = float(np.mean(within)) if within else math.nan
    verdict = (
        Verdict.NOT_MEASURED
        if not cases
        else Verdict.HOLDS
        if share >= PRODUCT_HOLDS
        else Verdict.PARTLY
        if share >= PRODUCT_PARTLY
        else Verdict.DOES_NOT_HOLD
    )
    errors = [abs(pred - meas) for meas, pred in cases]
    result.judge(
        "product_of_factors",
        verdict,
        {
            Text("networks whose signal ratio is beyond 10x", "信号比超过 10 倍的网络数"): len(
                cases
            ),
            Text("predicted within tolerance", "在容差内预测正确"): int(sum(within)),
            Text("share", "比例"): round(share, 3),
            Text("median |predicted - measured| (decades)", "|预测 - 实测| 中位数(数量级)"): round(
                float(np.median(errors)), 3
            )
            if errors
            else None,
            Text("largest |measured| (decades)", "最大 |实测|(数量级)"): round(
                max(abs(m) for m, _ in cases), 1
            )
            if cases
            else None,
        },
        Text(
            f"over every network (configuration, depth, seed) whose measured log10 signal ratio is at least 1 in "
            f"size, the product of the local factors must predict it within max({PRODUCT_TOL[0]}, "
            f"{PRODUCT_TOL[1]} x |measured|) decades; holds when >= {PRODUCT_HOLDS:.0%} are, partly when >= "
            f"{PRODUCT_PARTLY:.0%}, else does not hold",
            f"对所有实测 log10 信号比绝对值至少为 1 的网络(配置、深度、种子),局部因子之积必须在 max({PRODUCT_TOL[0]}, "
            f"{PRODUCT_TOL[1]} x |实测|) 个数量级内预测它;>= {PRODUCT_HOLDS:.0%} 做到则成立,>= {PRODUCT_PARTLY:.0%} "
            f"为部分成立,否则不成立",
        ),
        robust=True,
        margin=Text(
            f"{share:.0%} within tolerance against the {PRODUCT_HOLDS:.0%} needed",
            f"{share:.0%} 在容差内,阈值为 {PRODUCT_HOLDS:.0%}",
        ),
    )

    # -- large_init_explodes ---------------------------------------------------------------------
    weight_ratio = {
        a: _ms([p.weight_ratio for p in profiles[(a, "large", deepest)]])[0] for a in ACTIVATIONS
    }
    signal_ratio = {
        a: _ms([p.signal_ratio for p in profiles[(a, "large", deepest)]])[0] for a in ACTIVATIONS
    }
    all_weights = all(weight_ratio[a] >= EXPLODES_DECADES for a in ACTIVATIONS)
    some = any(
        weight_ratio[a] >= EXPLODES_DECADES or signal_ratio[a] >= EXPLODES_DECADES
        for a in ACTIVATIONS
    )
    verdict = Verdict.HOLDS if all_weights else Verdict.PARTLY if some else Verdict.DOES_NOT_HOLD
    large_runs = {a: profiles[(a, "large", deepest)] for a in ACTIVATIONS}
    large_phi = {
        a: float(np.mean([np.mean(p.phi_rms) for p in runs])) for a, runs in large_runs.items()
    }
    large_factor = {
        a: float(10 ** np.mean([np.mean(np.log10(p.factors)) for p in runs]))
        for a, runs in large_runs.items()
    }
    large_first = {
        a: float(np.median([p.weight_grads[0] for p in runs])) for a, runs in large_runs.items()
    }
    matched_first = {
        a: float(np.median([p.weight_grads[0] for p in profiles[(a, "matched", deepest)]]))
        for a in ACTIVATIONS
    }
    numbers: dict = {}
    for a in ACTIVATIONS:
        numbers[
            Text(
                f"{a}, N(0,1): log10 weight-grad first/last",
                f"{a},N(0,1):log10 权重梯度 第一层/最后一层",
            )
        ] = round(weight_ratio[a], 2)
        numbers[
            Text(f"{a}, N(0,1): log10 signal first/last", f"{a},N(0,1):log10 信号 第一层/最后一层")
        ] = round(signal_ratio[a], 2)
    result.judge(
        "large_init_explodes",
        verdict,
        numbers,
        Text(
            f"at depth {deepest} with N(0, 1) weights, mean over seeds: holds when the weight gradient's "
            f"log10 first/last ratio is >= {EXPLODES_DECADES:g} for all three activations; partly when the "
            f"weight gradient or the backward signal grows by >= 10x toward the input for at least one; "
            f"does not hold otherwise",
            f"深度 {deepest}、权重 N(0, 1),取种子均值:三种激活函数的权重梯度 log10 第一层/最后一层之比都 >= "
            f"{EXPLODES_DECADES:g} 则成立;至少一种激活函数的权重梯度或反向信号朝输入方向增长 >= 10 倍为部分成立;"
            f"否则不成立",
        ),
        robust=True,
        margin=Text(
            f"ReLU's weight-gradient ratio is {weight_ratio['relu']:+.1f} and sigmoid's "
            f"{weight_ratio['sigmoid']:+.1f} against the +{EXPLODES_DECADES:g} needed for 'holds'; tanh's "
            f"{weight_ratio['tanh']:+.1f} keeps it above 'does not hold'",
            f"ReLU 的权重梯度比为 {weight_ratio['relu']:+.1f},sigmoid 为 {weight_ratio['sigmoid']:+.1f},"
            f"“成立”需要 +{EXPLODES_DECADES:g};tanh 为 {weight_ratio['tanh']:+.1f},使结论高于“不成立”",
        ),
        note=Text(
            "With ReLU the forward activations grow by the same per-layer factor as the backward "
            "signal, and dL/dW_l = delta_l x_(l-1)^T multiplies the two, so every weight gradient is "
            "huge by about the same amount: the explosion shows in the backward signal and in the "
            f"gradients' absolute size (median ||dL/dW_1|| {large_first['relu']:.2g}, against "
            f"{matched_first['relu']:.2g} with He init), not as a first/last ratio. With sigmoid, "
            f"large weights saturate the units: RMS phi'(z) falls to {large_phi['sigmoid']:.2f}, the "
            f"per-layer factor to {large_factor['sigmoid']:.2f}, and the gradient vanishes instead. "
            f"tanh saturates too (RMS phi'(z) {large_phi['tanh']:.2f}) but the 8x weights win: factor "
            f"{large_factor['tanh']:.2f} per layer, so its gradients explode.",
            "使用 ReLU 时,前向激活与反向信号按相同的每层因子增长,而 dL/dW_l = delta_l x_(l-1)^T 是两者的乘积,"
            "因此每一层的权重梯度都大致同样巨大:爆炸体现在反向信号和梯度的绝对大小上(||dL/dW_1|| 中位数 "
            f"{large_first['relu']:.2g},He 初始化时为 {matched_first['relu']:.2g}),而不是第一层/最后一层之比。"
            f"使用 sigmoid 时,大权重使单元饱和:RMS phi'(z) 降到 {large_phi['sigmoid']:.2f},每层因子降到 "
            f"{large_factor['sigmoid']:.2f},梯度反而消失。tanh 也会饱和(RMS phi'(z) {large_phi['tanh']:.2f}),"
            f"但 8 倍的权重占了上风:每层因子 {large_factor['tanh']:.2f},所以梯度爆炸。",
        ),
    )

    # -- weights_abnormal ------------------------------------------------------------------------
    fates = {}
    for activation, init in (("sigmoid", "matched"), ("relu", "large"), ("relu", "matched")):
        model = build(deepest, activation, init, seed * 1000 + 999)
        fates[(activation, init)] = train_norms(model, data, steps, seed)
    vanishing, exploding = fates[("sigmoid", "matched")], fates[("relu", "large")]
    hits = [_abnormal(vanishing["first"]), _abnormal(exploding["first"])]
    verdict = Verdict.HOLDS if all(hits) else Verdict.PARTLY if any(hits) else Verdict.DOES_NOT_HOLD
    result.add_table(
        Text(
            f"Depth {deepest}: the first layer's weights after {steps} SGD steps (lr {TRAIN_LR})",
            f"深度 {deepest}:{steps} 步 SGD(lr {TRAIN_LR})后第一层的权重",
        ),
        [
            Text("configuration", "配置"),
            Text("||W_1|| after / before", "||W_1|| 训练后/训练前"),
            Text("||W_1 - W_1(0)|| / ||W_1(0)||", "||W_1 - W_1(0)|| / ||W_1(0)||"),
            Text("||W_last|| after / before", "||W_last|| 训练后/训练前"),
            Text("first step's lr ||dL/dW_1|| / ||W_1||", "第一步的 lr ||dL/dW_1|| / ||W_1||"),
        ],
        [
            [
                config_name(a, i),
                f"{v['first']:.4g}",
                f"{v['change']:.3g}",
                f"{v['last']:.4g}",
                f"{v['update']:.3g}",
            ]
            for (a, i), v in fates.items()
        ],
    )
    result.judge(
        "weights_abnormal",
        verdict,
        {
            Text(
                "vanishing (sigmoid, Xavier): ||W_1|| after / before",
                "梯度消失(sigmoid,Xavier):||W_1|| 训练后/训练前",
            ): vanishing["first"],
            Text("vanishing: relative change of W_1", "梯度消失:W_1 的相对变化"): vanishing[
                "change"
            ],
            Text(
                "exploding (ReLU, N(0,1)): ||W_1|| after / before",
                "梯度爆炸(ReLU,N(0,1)):||W_1|| 训练后/训练前",
            ): exploding["first"],
            Text("exploding: first step's update ratio", "梯度爆炸:第一步的更新比"): exploding[
                "update"
            ],
        },
        Text(
            f"after {steps} plain-SGD steps at depth {deepest}, a weight matrix is 'abnormal' when its norm grew "
            f"or shrank {ABNORMAL:g}x (or became non-finite). Holds when the first layer's weights are abnormal in "
            f"both the vanishing and the exploding network; partly when in one; does not hold in neither",
            f"在深度 {deepest} 上做 {steps} 步普通 SGD 后,权重矩阵的范数增大或缩小 {ABNORMAL:g} 倍(或变为非有限值)即为“异常”。"
            f"梯度消失和梯度爆炸两个网络的第一层权重都异常则成立;其中一个异常为部分成立;都不异常则不成立",
        ),
        robust=True,
        margin=Text(
            f"the vanishing network's ||W_1|| ratio is {vanishing['first']:.3g}, far inside "
            f"[1/{ABNORMAL:g}, {ABNORMAL:g}]; the exploding one's first update ratio is "
            f"{exploding['update']:.2g}",
            f"梯度消失网络的 ||W_1|| 比为 {vanishing['first']:.3g},远在 [1/{ABNORMAL:g}, {ABNORMAL:g}] "
            f"之内;梯度爆炸网络第一步的更新比为 {exploding['update']:.2g}",
        ),
        note=result.say(
            "frozen_note",
            update=vanishing["update"],
            change=vanishing["change"],
            update_over_resolution=vanishing["update"] / 6e-8,
        ),
    )

    _figures(result, profiles, depths, deepest, seeds)
    result.add_table(
        Text("Cost", "耗时"),
        [Text("CPU seconds", "CPU 秒"), Text("wall seconds", "墙钟秒")],
        [[round(clock.cpu, 2), round(clock.wall, 2)]],
        note=Text("reported, never asserted", "仅报告,不作断言"),
    )
    return result


def _figures(result: Result, profiles: dict, depths: list[int], deepest: int, seeds: int) -> None:
    fig, (left, right) = new_figure(10.0, 3.8, ncols=2)
    for (activation, init, depth), runs in profiles.items():
        style = "-" if init == "matched" else "--"
        if depth == deepest:
            grads = runs[0].weight_grads
            left.semilogy(
                range(1, len(grads) + 1),
                grads,
                style,
                color=COLORS[activation],
                marker=".",
                ms=3,
                label=config_name(activation, init),
            )
    left.set(
        title=f"||dL/dW_l|| per layer, depth {deepest} (seed 0)",
        xlabel="Linear layer (1 = input side)",
        ylabel="weight-gradient norm",
    )
    left.legend(fontsize=7)
    for activation in ACTIVATIONS:
        for init, style in (("matched", "-"), ("large", "--")):
            means = [_ms([p.signal_ratio for p in profiles[(activation, init, d)]]) for d in depths]
            right.errorbar(
                depths,
                [m for m, _ in means],
                yerr=[s for _, s in means],
                fmt=style,
                marker="o",
                ms=3,
                color=COLORS[activation],
                capsize=2,
                label=config_name(activation, init),
            )
    right.axhline(0, color="gray", lw=0.7)
    right.set(
        title="backward signal, first / last layer",
        xlabel="hidden layers",
        ylabel="log10 RMS ratio",
    )
    right.set_xscale("log", base=2)
    right.minorticks_off()
    right.set_xticks(depths, [str(d) for d in depths])
    result.add_figure(
        fig,
        "gradient_by_depth",
        Text(
            "Left: each layer's weight-gradient norm at the deepest depth (solid: matched init; dashed: N(0, 1) weights). "
            f"Right: log10 of the backward signal's first/last ratio against depth (mean and std over {seeds} seeds): "
            "straight lines, as a product of per-layer factors predicts.",
            "左:最深网络中每层的权重梯度范数(实线:匹配的初始化;虚线:N(0, 1) 权重)。右:反向信号第一层/最后一层之比的 "
            f"log10 随深度的变化({seeds} 个种子的均值与标准差):呈直线,正如每层因子连乘所预言的。",
        ),
    )

    fig, axes = new_figure(4.8, 4.2)
    for (activation, init, _), runs in profiles.items():
        axes.plot(
            [p.signal_ratio for p in runs],
            [p.predicted for p in runs],
            "o" if init == "matched" else "x",
            color=COLORS[activation],
            ms=4,
            alpha=0.7,
        )
    span = [
        v
        for runs in profiles.values()
        for p in runs
        for v in (p.signal_ratio, p.predicted)
        if math.isfinite(v)
    ]
    low, high = min(span) - 1, max(span) + 1
    line = np.linspace(low, high, 50)
    axes.plot(line, line, color="gray", lw=0.8)
    axes.fill_between(
        line,
        line - np.maximum(PRODUCT_TOL[0], PRODUCT_TOL[1] * abs(line)),
        line + np.maximum(PRODUCT_TOL[0], PRODUCT_TOL[1] * abs(line)),
        color="gray",
        alpha=0.15,
    )
    for activation in ACTIVATIONS:
        axes.plot([], [], "o", color=COLORS[activation], label=activation)
    axes.plot([], [], "x", color="k", label="N(0,1) weights")
    axes.set(
        title="product of local factors vs measurement",
        xlabel="measured log10 first/last signal",
        ylabel="predicted: sum of log10 f_l",
    )
    axes.legend(fontsize=7)
    result.add_figure(
        fig,
        "factor_product",
        Text(
            "Each network's measured first/last backward-signal ratio against the product of its per-layer factors "
            "f_l = RMS(phi'(z_l)) sqrt(n mean W^2), computed from the forward pass alone; the band is the tolerance.",
            "每个网络实测的反向信号第一层/最后一层之比,与只由前向传播算出的每层因子 f_l = RMS(phi'(z_l)) sqrt(n mean W^2) "
            "之积的对比;灰带为容差。",
        ),
    )

    flow = profiles[("sigmoid", "matched", deepest)][0].flow
    figure = plot_gradient_flow(
        flow, title=f"glassnet diagnose: sigmoid + Xavier, {deepest} hidden layers"
    )
    result.add_figure(
        figure,
        "diagnose_sigmoid",
        Text(
            "The diagnostics' gradient-flow figure for the deepest sigmoid network: every parameter's gradient norm "
            "(top) and every layer's backward-signal RMS (bottom), input side on the left.",
            "诊断工具为最深的 sigmoid 网络画的梯度流图:每个参数的梯度范数(上)与每层反向信号的 RMS(下),输入端在左。",
        ),
    )
