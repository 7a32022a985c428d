"""Residual networks vs plain networks as depth grows (He, Zhang, Ren & Sun, CVPR 2016).

The notes make five claims; this experiment measures each on the CIFAR-style nets of
`glassnet.models.resnet_cifar` (6n + 2 layers, BatchNorm after every conv), narrowed to
widths 8/16/32 and fed the 8x8 digits (1,077 training images), and on their plain twins
(the same layers without the additions, the same parameter count):

  * degradation: train every depth for the same SGD steps and compare TRAINING error: a
    deeper plain net that fits its own training set worse is not over-fitting, it is
    harder to optimise (the paper's figure 1 and 6);
  * the gradient that reaches the first layer: `glassnet.diagnose.gradient_flow` at
    initialisation (RMS of dL/dy at the first conv over that at the classifier), and the
    first conv's gradient norm at every training step;
  * "a deeper net is at least as good, given ideal training": the notes' proof is a
    construction (add identity layers to a shallow net). With residual blocks it can be
    built exactly: copy a trained shallow ResNet into a deeper one and zero the last BN
    of every extra block, so each extra block is relu(0 + x) = x. Its training error must
    equal the shallow net's; then we ask whether SGD finds such solutions by itself;
  * efficiency: parameters and multiply-accumulates per image (glassnet.summary), and the
    measured CPU time per step (reported, never asserted).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

import glassnet
from glassnet import nn
from glassnet.data.datasets.digits import Digits
from glassnet.diagnose import gradient_flow
from glassnet.lab import Result, Text, Verdict, experiment, new_figure
from glassnet.lab.kit import sequences as ts
from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.report.formatting import pm
from glassnet.models.resnet_cifar import CifarResNet
from glassnet.summary import summary

WIDTHS, LR, MOMENTUM, BATCH, PROBE = (8, 16, 32), 0.1, 0.9, 64, 128
CONFIG = {
    "smoke": {"depths": (8, 32), "steps": 100, "replicates": 1},
    "quick": {"depths": (8, 20, 44), "steps": 300, "replicates": 1},
    "full": {"depths": (8, 20, 32, 44, 56), "steps": 1000, "replicates": 3},
}
FAMILIES = {"plain": None, "resnet": "A"}
DEGRADES, DEGRADES_PARTLY = (
    0.05,
    0.01,
)  # training-error rise (deepest - shallowest) that counts as degradation
NO_WORSE = 0.01  # "no worse": the deeper net's training error at most this above
LOSSLESS = (0.1, 10.0)  # first/last backward-signal ratio counted as "no large loss or gain"
EXACT = 1e-5  # construction: largest |logit difference| allowed


def digits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The 8x8 digits, standardised with the training split's mean and std."""
    train, test = Digits("train"), Digits("test")
    mean, std = float(train.data.mean()), float(train.data.std())
    return (train.data - mean) / std, train.targets, (test.data - mean) / std, test.targets


def build(family: str, depth: int, model_seed: int) -> CifarResNet:
    glassnet.manual_seed(model_seed)
    return CifarResNet(depth, 10, FAMILIES[family], in_channels=1, widths=WIDTHS)


@dataclass
class Runs:
    """Per (family, depth): lists over seeds; plus costs, and replicate 0's curves and shallowest ResNet."""

    train_error: dict = field(default_factory=dict)
    test_error: dict = field(default_factory=dict)
    signal_ratio: dict = field(default_factory=dict)
    weight_ratio: dict = field(default_factory=dict)
    cpu_per_step: dict = field(default_factory=dict)
    curves: dict = field(default_factory=dict)
    first_grad: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    macs: dict = field(default_factory=dict)
    shallow_resnet: CifarResNet | None = None

    def add(self, name: str, key: tuple[str, int], value: object) -> None:
        getattr(self, name).setdefault(key, []).append(value)


def first_conv_grad(model: CifarResNet) -> float:
    """||dL/dW|| of the first conv, the layer whose updates the shortcut is said to keep alive."""
    return float(np.linalg.norm(model.conv1.weight.grad.data))


def measure(mode: str, seed: int, data: tuple) -> Runs:
    x, y, x_test, y_test = data
    config, runs = CONFIG[mode], Runs()
    for replicate in range(config["replicates"]):
        for depth in config["depths"]:
            for family in FAMILIES:
                key = (family, depth)
                model = build(family, depth, seed * 1000 + replicate * 100 + depth)
                if key not in runs.params:
                    table = summary(model, input_size=(1, 8, 8))
                    runs.params[key], runs.macs[key] = table.total_params, table.total_macs
                probe = ts.sample_batch(np.random.default_rng([seed, replicate, 7]), x, y, PROBE)
                flow = gradient_flow(
                    model,
                    (glassnet.tensor(probe[0]), glassnet.tensor(probe[1])),
                    nn.CrossEntropyLoss(),
                    mode="train",
                )
                runs.add("signal_ratio", key, flow.signal_first_to_last)
                runs.add("weight_ratio", key, flow.first_to_last)
                batches = np.random.default_rng([seed, replicate])  # the same batches for every net
                optimizer = glassnet.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
                clock = Clock()
                history = ts.train_steps(
                    model,
                    lambda step, b=batches: ts.sample_batch(b, x, y, BATCH),
                    config["steps"],
                    optimizer,
                    record=lambda m=model: first_conv_grad(m),
                )
                runs.add("cpu_per_step", key, clock.cpu / config["steps"])
                diverged = history.diverged_at is not None
                runs.add("train_error", key, 1.0 if diverged else 1.0 - ts.evaluate(model, x, y)[0])
                runs.add(
                    "test_error",
                    key,
                    1.0 if diverged else 1.0 - ts.evaluate(model, x_test, y_test)[0],
                )
                if replicate == 0:
                    runs.curves[key] = history.padded(history.losses)
                    runs.first_grad[key] = history.padded(history.records)
                    if family == "resnet" and depth == config["depths"][0]:
                        runs.shallow_resnet = model
    return runs


def construction(runs: Runs, data: tuple, depth: int) -> dict[str, float]:
    """The shallowest trained ResNet and its copy padded to `depth` with identity blocks, on the training set."""
    x, y = data[0], data[1]
    shallow = runs.shallow_resnet
    deep = ts.embed_with_identities(
        shallow, CifarResNet(depth, 10, "A", in_channels=1, widths=WIDTHS)
    )
    with ts.evaluating(shallow), ts.evaluating(deep):
        a = shallow(glassnet.tensor(x)).data
        b = deep(glassnet.tensor(x)).data
    return {
        "shallow_error": float(np.mean(a.argmax(1) != y)),
        "deep_error": float(np.mean(b.argmax(1) != y)),
        "max_logit_diff": float(np.max(np.abs(a - b))),
    }


# -- verdicts -----------------------------------------------------------------------------
def _m(values: list[float]) -> float:
    return float(np.mean(values))


def _geo(values: list[float]) -> float:
    return float(math.exp(np.mean(np.log(values))))


def _late(runs: Runs, family: str, depth: int) -> float:
    """The first conv's gradient norm, mean over the second half of replicate 0's training."""
    norms = runs.first_grad[(family, depth)]
    return float(np.nanmean(norms[len(norms) // 2 :]))


def _context(runs: Runs, mode: str) -> dict:
    """What every resnet verdict reads: depths, mean errors, the rises with depth."""
    depths = CONFIG[mode]["depths"]
    low, high = depths[0], depths[-1]
    err = {key: _m(values) for key, values in runs.train_error.items()}
    test = {key: _m(values) for key, values in runs.test_error.items()}
    plain_rise = err[("plain", high)] - err[("plain", low)]
    res_rise = err[("resnet", high)] - err[("resnet", low)]
    smoke = mode == "smoke"
    errors = {
        Text(f"{f} {d}: training error", f"{f} {d}:训练误差"): round(err[(f, d)], 3)
        for f in FAMILIES
        for d in depths
    }
    rise = {
        Text(
            f"plain training error {low} -> {high}", f"plain 训练误差 {low} -> {high}"
        ): f"{err[('plain', low)]:.3f} -> {err[('plain', high)]:.3f}",
        Text(
            f"plain test error {low} -> {high}", f"plain 测试误差 {low} -> {high}"
        ): f"{test[('plain', low)]:.3f} -> {test[('plain', high)]:.3f}",
        Text("rise of the plain training error", "plain 训练误差的上升"): round(plain_rise, 3),
    }
    res_numbers = {
        Text(
            f"resnet training error {low} -> {high}", f"resnet 训练误差 {low} -> {high}"
        ): f"{err[('resnet', low)]:.3f} -> {err[('resnet', high)]:.3f}",
        Text("rise of the resnet training error", "resnet 训练误差的上升"): round(res_rise, 3),
    }
    return dict(
        rise=rise,
        res_numbers=res_numbers,
        depths=depths,
        low=low,
        high=high,
        err=err,
        test=test,
        plain_rise=plain_rise,
        res_rise=res_rise,
        smoke=smoke,
        errors=errors,
    )


def _shortcut_rule(high: int) -> Text:
    return Text(
        f"At the deepest depth ({high}), the backward signal's RMS at the first conv over that at the "
        f"classifier, at initialisation (geometric mean over seeds). Holds when the ResNet's ratio is "
        f"within [{LOSSLESS[0]}, {LOSSLESS[1]}] and the plain net's is below {LOSSLESS[0]} (it vanishes "
        f"without the shortcut); partly when the ResNet's is within the band but the plain net's does "
        f"not vanish, or the ResNet's is just closer to 1; does not hold otherwise.",
        f"在最深的深度({high})上,初始化时第一个卷积处与分类层处反向信号 RMS 之比(多个种子的几何平均)。若 "
        f"ResNet 的比值在 [{LOSSLESS[0]}, {LOSSLESS[1]}] 内而普通网络的低于 {LOSSLESS[0]}(没有捷径就消失),"
        f"则成立;若 ResNet 的在区间内但普通网络的并未消失,或 ResNet 的只是更接近 1,为部分成立;否则不成立。",
    )


def _judge_shortcut(result: Result, runs: Runs, built: dict, c: dict) -> None:
    low, high, smoke = c["low"], c["high"], c["smoke"]
    # shortcut_gradient
    r_res, r_plain = (
        _geo(runs.signal_ratio[("resnet", high)]),
        _geo(runs.signal_ratio[("plain", high)]),
    )
    res_ok = LOSSLESS[0] <= r_res <= LOSSLESS[1]
    if res_ok and r_plain < LOSSLESS[0]:
        verdict = Verdict.HOLDS
    elif res_ok or abs(math.log10(r_res)) < abs(math.log10(r_plain)):
        verdict = Verdict.PARTLY
    else:
        verdict = Verdict.DOES_NOT_HOLD
    note = None
    if r_plain > LOSSLESS[1]:
        note = result.say(
            "plain_grows",
            r_plain=r_plain,
            r_res=r_res,
            low=LOSSLESS[0],
            high=LOSSLESS[1],
            res_outside=max(LOSSLESS[0] - r_res, r_res - LOSSLESS[1]),
        )
    result.judge(
        "shortcut_gradient",
        verdict,
        {
            Text(
                f"resnet {high}: RMS dL/dy first / last at init",
                f"resnet {high}:初始化时第一层/最后一层 RMS dL/dy",
            ): f"{r_res:.3g}",
            Text(
                f"plain {high}: RMS dL/dy first / last at init",
                f"plain {high}:初始化时第一层/最后一层 RMS dL/dy",
            ): f"{r_plain:.3g}",
            Text(
                f"resnet {low}", f"resnet {low}"
            ): f"{_geo(runs.signal_ratio[('resnet', low)]):.3g}",
            Text(f"plain {low}", f"plain {low}"): f"{_geo(runs.signal_ratio[('plain', low)]):.3g}",
            Text(
                f"reported: first conv ||dL/dW||, mean over the second half of training, plain {high} / "
                f"resnet {high}",
                f"仅报告:训练后半程第一个卷积的 ||dL/dW|| 均值,plain {high} / resnet {high}",
            ): f"{_late(runs, 'plain', high):.3g} / {_late(runs, 'resnet', high):.3g}",
        },
        _shortcut_rule(high),
        robust=smoke,
        note=note,
        margin=Text(
            f"smoke: resnet ratio {r_res:.3g} inside [{LOSSLESS[0]}, {LOSSLESS[1]}], plain ratio "
            f"{r_plain:.3g} vs the {LOSSLESS[0]} bar",
            f"smoke:resnet 比值 {r_res:.3g} 在 [{LOSSLESS[0]}, {LOSSLESS[1]}] 内,plain 比值 "
            f"{r_plain:.3g},门槛 {LOSSLESS[0]}",
        )
        if smoke
        else None,
    )


def _judge_deeper(result: Result, runs: Runs, built: dict, c: dict) -> None:
    low, high, err, plain_rise, res_rise = (
        c["low"],
        c["high"],
        c["err"],
        c["plain_rise"],
        c["res_rise"],
    )
    # deeper_not_worse
    exact = built["max_logit_diff"] <= EXACT and built["deep_error"] == built["shallow_error"]
    res_ok, plain_ok = res_rise <= NO_WORSE, plain_rise <= NO_WORSE
    verdict = (
        Verdict.HOLDS
        if exact and res_ok and plain_ok
        else Verdict.PARTLY
        if exact and (res_ok or plain_ok)
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "deeper_not_worse",
        verdict,
        {
            Text(
                f"construction: resnet {low} training error", f"构造:resnet {low} 训练误差"
            ): round(built["shallow_error"], 4),
            Text(
                f"construction: resnet {high} built from it with identity blocks",
                f"构造:由它加恒等块得到的 resnet {high}",
            ): round(built["deep_error"], 4),
            Text(
                "construction: largest |logit difference|", "构造:最大 |logit 差|"
            ): f"{built['max_logit_diff']:.2g}",
            Text(
                f"SGD: resnet training error {low} -> {high}",
                f"SGD:resnet 训练误差 {low} -> {high}",
            ): f"{err[('resnet', low)]:.3f} -> {err[('resnet', high)]:.3f}",
            Text(
                f"SGD: plain training error {low} -> {high}", f"SGD:plain 训练误差 {low} -> {high}"
            ): f"{err[('plain', low)]:.3f} -> {err[('plain', high)]:.3f}",
        },
        Text(
            f"Holds when the identity construction is exact (largest logit difference <= {EXACT:g}, the same "
            f"training error) and SGD's deepest net is no worse (training error at most {NO_WORSE} above the "
            f"shallowest's) in both families; partly when the construction is exact and one family is no "
            f"worse; does not hold otherwise.",
            f"若恒等构造是精确的(最大 logit 差 <= {EXACT:g},训练误差相同),并且两个网络族中 SGD 训练出的最深网络都"
            f"不更差(训练误差比最浅的高不超过 {NO_WORSE}),则成立;构造精确且只有一个族不更差,为部分成立;否则不成立。",
        ),
        note=Text(
            "The proof is right as a statement about what a deeper net can represent; whether training "
            "finds it depends on the architecture.",
            "这个证明作为“更深的网络能表示什么”是对的;训练能否找到这个解取决于网络结构。",
        )
        if verdict == Verdict.PARTLY
        else None,
    )


def _judge_plain_degrades(result: Result, runs: Runs, built: dict, c: dict) -> None:
    rise, plain_rise, smoke = c["rise"], c["plain_rise"], c["smoke"]
    # plain_degrades, degradation_training_error, solves_degradation
    verdict = (
        Verdict.HOLDS
        if plain_rise >= DEGRADES
        else Verdict.PARTLY
        if plain_rise >= DEGRADES_PARTLY
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "plain_degrades",
        verdict,
        {**rise, Text("chance error", "随机误差"): 0.9},
        Text(
            f"Holds when the deepest plain net's training error is at least {DEGRADES} above the shallowest "
            f"plain net's (the effect reversed); partly when at least {DEGRADES_PARTLY}; does not hold "
            f"otherwise. Same SGD steps for every depth.",
            f"若最深的普通网络训练误差比最浅的高至少 {DEGRADES}(效果反而变差),则成立;至少高 {DEGRADES_PARTLY} "
            f"为部分成立;否则不成立。所有深度用相同的 SGD 步数。",
        ),
        robust=smoke,
        margin=Text(
            f"smoke: a rise of {plain_rise:.3f} against the {DEGRADES} bar",
            f"smoke:上升 {plain_rise:.3f},门槛 {DEGRADES}",
        )
        if smoke
        else None,
    )


def _judge_training_error(result: Result, runs: Runs, built: dict, c: dict) -> None:
    rise, res_numbers, plain_rise, res_rise, errors = (
        c["rise"],
        c["res_numbers"],
        c["plain_rise"],
        c["res_rise"],
        c["errors"],
    )
    if plain_rise >= DEGRADES and res_rise <= NO_WORSE:
        verdict = Verdict.HOLDS
    elif plain_rise >= DEGRADES_PARTLY:
        verdict = Verdict.PARTLY
    else:
        verdict = Verdict.DOES_NOT_HOLD
    result.judge(
        "degradation_training_error",
        verdict,
        {**rise, **res_numbers, **errors},
        Text(
            f"Holds when the deepest plain net's training error is at least {DEGRADES} above the shallowest "
            f"plain net's (higher TRAINING error: not over-fitting) and the ResNets' rises by at most "
            f"{NO_WORSE} over the same depths; partly when the plain net's rises by at least "
            f"{DEGRADES_PARTLY} but not both conditions hold; does not hold otherwise.",
            f"若最深的普通网络训练误差比最浅的高至少 {DEGRADES}(训练误差更高:不是过拟合),而同样深度范围内 ResNet "
            f"的上升不超过 {NO_WORSE},则成立;普通网络上升至少 {DEGRADES_PARTLY} 但两个条件不同时满足,为部分成立;"
            f"否则不成立。",
        ),
    )


def _judge_solves(result: Result, runs: Runs, built: dict, c: dict) -> None:
    res_numbers, low, high, err, test, res_rise = (
        c["res_numbers"],
        c["low"],
        c["high"],
        c["err"],
        c["test"],
        c["res_rise"],
    )
    gap = err[("plain", high)] - err[("resnet", high)]
    if res_rise <= NO_WORSE and gap >= DEGRADES:
        verdict = Verdict.HOLDS
    elif res_rise <= NO_WORSE or gap >= DEGRADES:
        verdict = Verdict.PARTLY
    else:
        verdict = Verdict.DOES_NOT_HOLD
    result.judge(
        "solves_degradation",
        verdict,
        {
            **res_numbers,
            Text(
                f"plain {high} minus resnet {high} training error",
                f"plain {high} 与 resnet {high} 训练误差之差",
            ): round(gap, 3),
            Text(
                f"resnet test error {low} -> {high}", f"resnet 测试误差 {low} -> {high}"
            ): f"{test[('resnet', low)]:.3f} -> {test[('resnet', high)]:.3f}",
        },
        Text(
            f"Holds when the deepest ResNet's training error is at most {NO_WORSE} above the shallowest "
            f"ResNet's and at least {DEGRADES} below the plain net's of the same depth; partly when one of "
            f"the two holds; does not hold otherwise.",
            f"若最深 ResNet 的训练误差比最浅 ResNet 的高不超过 {NO_WORSE},且比同样深度的普通网络低至少 {DEGRADES},"
            f"则成立;只满足其一为部分成立;否则不成立。",
        ),
        note=Text(
            "The notes call degradation an accuracy drop 'after over-training'; the paper's degradation "
            "is an accuracy drop with DEPTH at the same training, visible in the training error. That "
            "is what is measured here.",
            "笔记把退化说成“过度训练后”准确率下降;论文里的退化是在相同训练下准确率随深度下降,体现在训练误差上。"
            "这里测的是后者。",
        ),
    )


def _judge_efficiency(result: Result, runs: Runs, built: dict, c: dict) -> None:
    depths, low, high, smoke = c["depths"], c["low"], c["high"], c["smoke"]
    # efficiency
    same_cost = all(
        runs.params[("plain", d)] == runs.params[("resnet", d)]
        and runs.macs[("plain", d)] == runs.macs[("resnet", d)]
        for d in depths
    )
    mac_growth = runs.macs[("resnet", high)] / runs.macs[("resnet", low)]
    time_ratio = _m(runs.cpu_per_step[("resnet", high)]) / _m(runs.cpu_per_step[("plain", high)])
    verdict = (
        Verdict.HOLDS
        if same_cost and mac_growth <= 1.25
        else Verdict.PARTLY
        if same_cost
        else Verdict.DOES_NOT_HOLD
    )
    result.judge(
        "efficiency",
        verdict,
        {
            Text(
                "shortcut adds no parameters and no MACs at any depth",
                "任何深度下捷径都不增加参数和乘加",
            ): same_cost,
            Text(
                f"MACs per image, depth {high} / depth {low}",
                f"每张图的乘加数,深度 {high} / 深度 {low}",
            ): round(mac_growth, 2),
            Text(f"depth ratio {high} / {low}", f"深度之比 {high} / {low}"): round(high / low, 2),
            Text(
                f"CPU time per step, resnet {high} / plain {high} (reported)",
                f"每步 CPU 时间,resnet {high} / plain {high}(仅报告)",
            ): round(time_ratio, 2),
        },
        Text(
            "Holds when the shortcut adds no parameters or multiply-accumulates AND the deepest net costs at "
            "most 1.25x the shallowest's MACs (depth nearly free); partly when only the shortcut is free "
            "(the cost grows with depth); does not hold when the shortcut itself costs parameters or MACs. "
            "CPU times are reported, not judged.",
            "若捷径不增加参数和乘加,并且最深网络的乘加数不超过最浅的 1.25 倍(深度几乎免费),则成立;只有捷径免费"
            "(成本随深度增长)为部分成立;捷径本身增加参数或乘加则不成立。CPU 时间只报告,不作判定依据。",
        ),
        robust=smoke,
        margin=Text(
            f"exact counts: MACs grow {mac_growth:.2f}x, far from the 1.25 bar",
            f"精确计数:乘加数增长 {mac_growth:.2f} 倍,远离 1.25 的门槛",
        )
        if smoke
        else None,
    )


# -- tables and figures ------------------------------------------------------------------------


def judge(result: Result, runs: Runs, built: dict, mode: str) -> None:
    c = _context(runs, mode)
    _judge_shortcut(result, runs, built, c)
    _judge_deeper(result, runs, built, c)
    _judge_plain_degrades(result, runs, built, c)
    _judge_training_error(result, runs, built, c)
    _judge_solves(result, runs, built, c)
    _judge_efficiency(result, runs, built, c)


def _tables(result: Result, runs: Runs, built: dict, mode: str) -> None:
    rows = []
    for depth in CONFIG[mode]["depths"]:
        for family in FAMILIES:
            key = (family, depth)
            rows.append(
                [
                    family,
                    depth,
                    pm(runs.train_error[key]),
                    pm(runs.test_error[key]),
                    f"{_geo(runs.signal_ratio[key]):.3g}",
                    f"{_geo(runs.weight_ratio[key]):.3g}",
                    runs.params[key],
                    runs.macs[key],
                    f"{1000 * _m(runs.cpu_per_step[key]):.1f}",
                ]
            )
    result.add_table(
        Text(
            "Training and test error, the gradient at the first layer, and the cost, by depth",
            "各深度的训练误差、测试误差、到达第一层的梯度与成本",
        ),
        [
            Text("net", "网络"),
            Text("depth", "深度"),
            Text("training error", "训练误差"),
            Text("test error", "测试误差"),
            Text("RMS dL/dy first/last at init", "初始化时 RMS dL/dy 第一层/最后一层"),
            Text("||dL/dW|| first/last at init", "初始化时 ||dL/dW|| 第一层/最后一层"),
            Text("parameters", "参数量"),
            Text("MACs per image", "每张图的乘加数"),
            Text("CPU ms per step", "每步 CPU 毫秒"),
        ],
        rows,
        note=Text(
            "Errors in eval mode on the 1,077 training and 360 test digits (mean ± std over seeds). "
            "Gradient ratios from glassnet.diagnose.gradient_flow on 128 training images, train "
            "mode.",
            "误差在 eval 模式下于 1077 张训练图与 360 张测试图上测得(多个种子的均值 ± 标准差)。梯度比值来自 "
            "glassnet.diagnose.gradient_flow,128 张训练图,train 模式。",
        ),
    )
    _construction_table(result, built, mode)


def _construction_table(result: Result, built: dict, mode: str) -> None:
    depths = CONFIG[mode]["depths"]
    result.add_table(
        Text(
            "The notes' proof, built: a shallow ResNet plus identity blocks",
            "把笔记的证明构造出来:浅层 ResNet 加恒等块",
        ),
        [Text("net", "网络"), Text("training error", "训练误差")],
        [
            [f"resnet {depths[0]}, trained", f"{built['shallow_error']:.4f}"],
            [
                f"resnet {depths[-1]} = resnet {depths[0]} + identity blocks",
                f"{built['deep_error']:.4f}",
            ],
            [
                Text("largest |logit difference|", "最大 |logit 差|"),
                f"{built['max_logit_diff']:.2g}",
            ],
        ],
    )


def _error_panel(right: object, runs: Runs, depths: list[int], steps: int) -> None:
    """Training (solid) and test (dotted) error against depth."""
    for family, marker, color in (("plain", "s", "tab:red"), ("resnet", "o", "tab:blue")):
        means = [_m(runs.train_error[(family, d)]) for d in depths]
        spread = [float(np.std(runs.train_error[(family, d)])) for d in depths]
        right.errorbar(
            depths,
            means,
            yerr=spread,
            marker=marker,
            color=color,
            capsize=3,
            label=f"{family}: training error",
        )
        right.plot(
            depths,
            [_m(runs.test_error[(family, d)]) for d in depths],
            marker=marker,
            color=color,
            ls=":",
            alpha=0.6,
            label=f"{family}: test error",
        )
    right.set(
        xlabel="depth (weighted layers)",
        ylabel="error",
        title=f"Error after {steps} steps",
        xticks=list(depths),
    )
    right.legend(fontsize=7)


def _figures(result: Result, runs: Runs, mode: str) -> None:
    depths, steps = CONFIG[mode]["depths"], CONFIG[mode]["steps"]
    window = max(1, steps // 30)
    colors = dict(zip(depths, ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple"]))
    fig, (left, right) = new_figure(9.5, 3.4, ncols=2)
    for depth in depths:
        for family, style in (("plain", "--"), ("resnet", "-")):
            curve = np.convolve(
                runs.curves[(family, depth)], np.ones(window) / window, mode="valid"
            )
            left.plot(
                np.arange(len(curve)) + window,
                curve,
                style,
                color=colors[depth],
                lw=1.2,
                label=f"{family}-{depth}",
            )
    left.set(
        yscale="log",
        xlabel="SGD step",
        ylabel=f"training loss ({window}-step mean, log)",
        title="Training loss (dashed: plain, solid: ResNet)",
    )
    left.legend(fontsize=7, ncol=2)
    _error_panel(right, runs, depths, steps)
    result.add_figure(
        fig,
        "degradation",
        Text(
            "Left: training loss of plain (dashed) and residual (solid) nets of each depth, same SGD steps and batches. "
            "Right: training (solid) and test (dotted) error against depth: degradation is the plain net's training error "
            "rising with depth.",
            "左:各深度普通网络(虚线)与残差网络(实线)的训练损失,SGD 步数与批次相同。右:训练误差(实线)与测试误差(点线)随深度的"
            "变化:退化就是普通网络的训练误差随深度上升。",
        ),
    )
    _gradient_figure(result, runs, mode)


def _gradient_figure(result: Result, runs: Runs, mode: str) -> None:
    depths = CONFIG[mode]["depths"]
    fig, (left, right) = new_figure(9.5, 3.4, ncols=2)
    for family, marker, color in (("plain", "s", "tab:red"), ("resnet", "o", "tab:blue")):
        left.plot(
            depths,
            [_geo(runs.signal_ratio[(family, d)]) for d in depths],
            marker=marker,
            color=color,
            label=family,
        )
    left.axhline(1.0, color="gray", lw=0.8, ls=":")
    left.set(
        yscale="log",
        xlabel="depth",
        ylabel="RMS dL/dy: first conv / classifier",
        xticks=list(depths),
        title="Backward signal reaching the first layer (init)",
    )
    left.legend(fontsize=8)
    high = depths[-1]
    for family, color in (("plain", "tab:red"), ("resnet", "tab:blue")):
        right.semilogy(
            runs.first_grad[(family, high)], color=color, lw=0.8, label=f"{family}-{high}"
        )
    right.set(
        xlabel="SGD step",
        ylabel="||dL/dW|| of the first conv (log)",
        title=f"First layer's gradient, depth {high}",
    )
    right.legend(fontsize=8)
    result.add_figure(
        fig,
        "first_layer_gradient",
        Text(
            "Left: the backward signal at the first conv relative to the classifier's, at initialisation (1 = no loss, no "
            "gain). Right: the first conv's gradient norm at every training step of the deepest nets (a net that fits its "
            "data has small gradients everywhere: read it beside the loss curves).",
            "左:初始化时第一个卷积处的反向信号相对分类层处的大小(1 = 无损失也无放大)。右:最深网络每个训练步第一个卷积的梯度范数"
            "(已经拟合数据的网络处处梯度都小:请对照损失曲线来读)。",
        ),
    )


@experiment("resnet")
def run(mode: str, seed: int) -> Result:
    clock, config = Clock(), CONFIG[mode]
    data = digits()
    with one_blas_thread():
        runs = measure(mode, seed, data)
        built = construction(runs, data, config["depths"][-1])
    result = Result.start("resnet", mode, seed)
    judge(result, runs, built, mode)
    _tables(result, runs, built, mode)
    _figures(result, runs, mode)
    depths = ", ".join(map(str, config["depths"]))
    result.setup = Text(
        f"CIFAR-style ResNets (option A shortcuts) and their plain twins from glassnet.models.resnet_cifar, depths "
        f"{depths}, stage widths {WIDTHS}, on the 8x8 digits (1,077 training images, standardised; 360 test). Each net "
        f"trains {config['steps']} SGD steps (lr {LR}, momentum {MOMENTUM}, batch {BATCH}, no weight decay) on the "
        f"same batches, {config['replicates']} seed(s). The budget is fixed per step, not per convergence: the "
        f"degradation measured is at that budget. Time: {clock.note()}.",
        f"来自 glassnet.models.resnet_cifar 的 CIFAR 式 ResNet(A 型捷径)及其普通网络孪生体,深度 {depths},各阶段宽度 "
        f"{WIDTHS},数据为 8x8 digits(1077 张训练图,已标准化;360 张测试图)。每个网络在相同批次上训练 {config['steps']} "
        f"步 SGD(学习率 {LR},动量 {MOMENTUM},批大小 {BATCH},无权重衰减),{config['replicates']} 个种子。预算按步数固定,"
        f"而不是训练到收敛:测得的退化是在这个预算下的。耗时:{clock.note()}。",
    )
    return result
