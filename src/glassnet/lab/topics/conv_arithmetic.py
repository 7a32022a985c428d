"""Conv arithmetic: the textbook formula against the shapes glassnet's layers actually produce.

The notes ask: given the input, kernel size, padding and stride, what is the output shape?
The standard answer, per spatial axis, is

    out = floor((W - K + 2P) / S) + 1.

This experiment draws random configurations (input size, kernel, stride, padding, and,
in later families, dilation, ceil mode and TensorFlow's 'SAME' padding), builds the real
layer (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d), runs a zero input of that size through it
and compares the output's shape with each formula. A configuration where the formula
gives an output size below 1 agrees when the layer refuses it (raises). Every rule is
exact integer arithmetic, so each verdict asks for agreement on every configuration.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from matplotlib.ticker import MaxNLocator

import glassnet
from glassnet import nn
from glassnet.lab import Result, Text, Verdict, experiment, new_figure
from glassnet.nn import functional as F
from glassnet.shape import tf_same_output_size

COUNTS = {"smoke": 50, "quick": 2000, "full": 20000}  # random configurations per family
MAX_SIZE = 48  # input sizes are drawn from 1..MAX_SIZE per axis
Shape = tuple[int, ...]


# -- the formulas under test ------------------------------------------------------------
def notes_formula(size: int, kernel: int, stride: int, padding: int) -> int:
    """floor((W - K + 2P) / S) + 1: the standard answer (no dilation, floor mode)."""
    return (size - kernel + 2 * padding) // stride + 1


def dilated_formula(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """floor((W + 2P - D(K - 1) - 1) / S) + 1: the kernel spans D(K - 1) + 1 inputs."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def naive_ceil_formula(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """ceil((W + 2P - D(K - 1) - 1) / S) + 1, without ceil mode's last-window rule."""
    return -(-(size + 2 * padding - dilation * (kernel - 1) - 1) // stride) + 1


def ceil_mode_formula(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """The naive ceil, minus one when the last window would start in the right padding."""
    out = naive_ceil_formula(size, kernel, stride, padding, dilation)
    return out - 1 if (out - 1) * stride >= size + padding else out


def tf_same_padding(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow's SAME: total max((ceil(W/S) - 1)S + D(K-1) + 1 - W, 0), the odd one on the right."""
    total = max(
        (tf_same_output_size(size, stride) - 1) * stride + dilation * (kernel - 1) + 1 - size, 0
    )
    return total // 2, total - total // 2


# -- measuring ---------------------------------------------------------------------------
@dataclass
class Family:
    """Configurations of one kind, each with the shapes the formulas predict (None: impossible)."""

    name: Text
    count: int = 0
    agree: dict[str, int] = field(default_factory=dict)
    impossible: int = 0
    edge_cases: int = 0
    mismatches: dict[str, list[str]] = field(default_factory=dict)

    def record(
        self,
        description: str,
        actual: Shape | None,
        predictions: dict[str, Shape | None],
        error: str | None,
        edge_case: bool = False,
    ) -> None:
        self.count += 1
        self.edge_cases += edge_case
        self.impossible += actual is None
        for formula, predicted in predictions.items():
            if predicted == actual:
                self.agree[formula] = self.agree.get(formula, 0) + 1
            else:
                self.agree.setdefault(formula, 0)
                got = f"raised {error}" if actual is None else "x".join(map(str, actual))
                want = "impossible" if predicted is None else "x".join(map(str, predicted))
                self.mismatches.setdefault(formula, []).append(
                    f"{description}: layer {got}, formula {want}"
                )


def run_layer(layer: Callable, shape: Shape) -> tuple[Shape | None, str | None]:
    """The layer's output shape for a zero input of `shape`, or (None, the error's first line)."""
    try:
        with glassnet.no_grad():
            return tuple(layer(glassnet.zeros(shape)).shape), None
    except Exception as error:
        return None, f"{type(error).__name__}: {str(error).splitlines()[0][:80]}"


def _shape(batch: int, channels: int, sizes: list[int]) -> Shape | None:
    return None if min(sizes) < 1 else (batch, channels, *sizes)


def _draw(rng: np.random.Generator, low: int, high: int) -> list[int]:
    """One value per spatial axis (H, W), each in [low, high]."""
    return [int(v) for v in rng.integers(low, high + 1, size=2)]


def _conv_family(rng: np.random.Generator, count: int, dilated: bool) -> Family:
    family = Family(
        Text("Conv2d, dilation > 1", "Conv2d,空洞率 > 1")
        if dilated
        else Text("Conv2d, no dilation", "Conv2d,无空洞")
    )
    for _ in range(count):
        size, kernel, stride, padding = (
            _draw(rng, 1, MAX_SIZE),
            _draw(rng, 1, 7),
            _draw(rng, 1, 4),
            _draw(rng, 0, 3),
        )
        dilation = _draw(rng, 2, 4) if dilated else [1, 1]
        batch, c_in, c_out = (int(v) for v in rng.integers(1, 4, size=3))
        layer = nn.Conv2d(
            c_in, c_out, tuple(kernel), tuple(stride), tuple(padding), tuple(dilation), bias=False
        )
        actual, error = run_layer(layer, (batch, c_in, *size))
        axes = list(zip(size, kernel, stride, padding, dilation))
        predictions = {
            "notes": _shape(batch, c_out, [notes_formula(w, k, s, p) for w, k, s, p, _ in axes])
        }
        if dilated:
            predictions["dilated"] = _shape(batch, c_out, [dilated_formula(*axis) for axis in axes])
        family.record(
            f"in {batch}x{c_in}x{size[0]}x{size[1]} K{kernel} S{stride} P{padding} D{dilation}",
            actual,
            predictions,
            error,
        )
    return family


def _ceil_edge_cases() -> list[tuple[int, int, int, int]]:
    """Small (W, K, S, P) where ceil mode's last window would start in the right padding."""
    return [
        (w, k, s, p)
        for w, k, s in itertools.product(range(1, 9), range(1, 4), range(1, 5))
        for p in range(k // 2 + 1)
        if naive_ceil_formula(w, k, s, p, 1) != ceil_mode_formula(w, k, s, p, 1) >= 1
    ]


def _pool_layer(
    use_max: bool,
    kernel: list[int],
    stride: list[int],
    padding: list[int],
    dilation: list[int],
    default_stride: bool,
    ceil_mode: bool,
) -> nn.Module:
    """nn.MaxPool2d (with dilation) or nn.AvgPool2d; stride None when it defaults to the kernel."""
    stride_arg = None if default_stride else tuple(stride)
    if use_max:
        return nn.MaxPool2d(
            tuple(kernel), stride_arg, tuple(padding), tuple(dilation), ceil_mode=ceil_mode
        )
    return nn.AvgPool2d(tuple(kernel), stride_arg, tuple(padding), ceil_mode=ceil_mode)


def _pool_family(rng: np.random.Generator, count: int, ceil_mode: bool) -> Family:
    family = Family(
        Text("MaxPool2d / AvgPool2d, ceil_mode=True", "MaxPool2d / AvgPool2d,ceil_mode=True")
        if ceil_mode
        else Text("MaxPool2d / AvgPool2d, ceil_mode=False", "MaxPool2d / AvgPool2d,ceil_mode=False")
    )
    edges = _ceil_edge_cases() if ceil_mode else []
    for index in range(count + len(edges)):
        edge = index >= count
        if edge:  # the same (W, K, S, P) on both axes
            w, k, s, p = edges[index - count]
            size, kernel, stride, padding, dilation = [w, w], [k, k], [s, s], [p, p], [1, 1]
            use_max, default_stride = bool(index % 2), False
        else:
            size, kernel = _draw(rng, 1, MAX_SIZE), _draw(rng, 1, 6)
            default_stride = bool(rng.integers(2))  # stride=None means stride = kernel_size
            stride = list(kernel) if default_stride else _draw(rng, 1, 4)
            padding = [
                int(rng.integers(0, k // 2 + 1)) for k in kernel
            ]  # pools require P <= K // 2
            use_max = bool(rng.integers(2))
            dilation = _draw(rng, 1, 2) if use_max and ceil_mode else [1, 1]
        batch, channels = (int(v) for v in rng.integers(1, 4, size=2))
        layer = _pool_layer(use_max, kernel, stride, padding, dilation, default_stride, ceil_mode)
        actual, error = run_layer(layer, (batch, channels, *size))
        axes = list(zip(size, kernel, stride, padding, dilation))
        predictions = {
            "notes": _shape(
                batch,
                channels,
                [notes_formula(w, dk, s, p) for w, k, s, p, d in axes for dk in [d * (k - 1) + 1]],
            )
        }
        if ceil_mode:
            predictions["naive_ceil"] = _shape(
                batch, channels, [naive_ceil_formula(*axis) for axis in axes]
            )
            predictions["ceil_rule"] = _shape(
                batch, channels, [ceil_mode_formula(*axis) for axis in axes]
            )
        name = "MaxPool2d" if use_max else "AvgPool2d"
        family.record(
            f"{name} in {size[0]}x{size[1]} K{kernel} S{'=K' if default_stride else stride} P{padding} "
            f"D{dilation}",
            actual,
            predictions,
            error,
            edge_case=edge,
        )
    return family


def _tf_same_family(rng: np.random.Generator, count: int) -> tuple[Family, int, int, int]:
    """TF SAME via explicit asymmetric padding; also PyTorch's padding='same' (stride 1 only)."""
    family = Family(
        Text(
            "TensorFlow 'SAME' (asymmetric F.pad + Conv2d)",
            "TensorFlow 'SAME'(非对称 F.pad + Conv2d)",
        )
    )
    same_ok = strided = strided_refused = 0
    for _ in range(count):
        size, kernel, stride, dilation = (
            _draw(rng, 1, MAX_SIZE),
            _draw(rng, 1, 7),
            _draw(rng, 1, 4),
            _draw(rng, 1, 2),
        )
        pads = [tf_same_padding(w, k, s, d) for w, k, s, d in zip(size, kernel, stride, dilation)]
        conv = nn.Conv2d(1, 1, tuple(kernel), tuple(stride), 0, tuple(dilation), bias=False)

        def padded(x, pads=pads, conv=conv):
            return conv(F.pad(x, (*pads[1], *pads[0])))  # F.pad: last axis first

        actual, error = run_layer(padded, (1, 1, *size))
        expected = _shape(1, 1, [tf_same_output_size(w, s) for w, s in zip(size, stride)])
        family.record(
            f"in {size[0]}x{size[1]} K{kernel} S{stride} D{dilation} pads {pads}",
            actual,
            {"tf_same": expected},
            error,
        )
        # PyTorch's padding='same': the same kernel at stride 1 keeps W; the drawn stride, if > 1, is refused
        shape, _ = run_layer(
            nn.Conv2d(1, 1, tuple(kernel), 1, "same", tuple(dilation), bias=False), (1, 1, *size)
        )
        same_ok += shape == (1, 1, *size)
        if max(stride) > 1:
            strided += 1
            try:
                nn.Conv2d(1, 1, tuple(kernel), tuple(stride), "same", tuple(dilation))
            except ValueError:
                strided_refused += 1
    return family, same_ok, strided, strided_refused


# -- verdicts -----------------------------------------------------------------------------
def _exact_verdict(agree: int, count: int) -> Verdict:
    if count == 0:
        return Verdict.NOT_MEASURED
    return (
        Verdict.HOLDS
        if agree == count
        else Verdict.PARTLY
        if agree >= 0.95 * count
        else Verdict.DOES_NOT_HOLD
    )


CEIL_RULE_TEXT = "ceil(...) + 1, minus 1 if the last window starts in the padding"
CONFIGS, AGREE = Text("configurations", "配置数"), Text("agree", "一致")


def _examples(family: Family, formula: str, limit: int = 3) -> str:
    found = family.mismatches.get(formula, [])
    return (
        "; ".join(found[:limit]) + (f" (+{len(found) - limit} more)" if len(found) > limit else "")
        or "-"
    )


def _figure(result: Result) -> None:
    sizes = list(range(1, 41))
    fig, (left, right) = new_figure(9.0, 3.4, ncols=2)
    for kernel, stride, padding, dilation in (
        (3, 1, 1, 1),
        (3, 2, 1, 1),
        (5, 2, 0, 1),
        (3, 1, 0, 2),
    ):
        layer = nn.Conv2d(1, 1, kernel, stride, padding, dilation, bias=False)
        measured = [run_layer(layer, (1, 1, w, w))[0] for w in sizes]
        points = [(w, shape[-1]) for w, shape in zip(sizes, measured) if shape is not None]
        line = left.step(
            sizes,
            [max(dilated_formula(w, kernel, stride, padding, dilation), 0) for w in sizes],
            where="mid",
            alpha=0.6,
        )
        left.plot(
            *zip(*points),
            "o",
            ms=3,
            color=line[0].get_color(),
            label=f"K{kernel} S{stride} P{padding}" + (f" D{dilation}" if dilation > 1 else ""),
        )
    left.set(
        title="Conv2d: layer (dots) vs formula (steps)", xlabel="input size W", ylabel="output size"
    )
    left.legend(fontsize=8)
    for ceil_mode, style in ((False, "o"), (True, "s")):
        layer = nn.MaxPool2d(3, 2, 1, ceil_mode=ceil_mode)
        points = [(w, s[-1]) for w in sizes if (s := run_layer(layer, (1, 1, w, w))[0]) is not None]
        right.plot(*zip(*points), style, ms=3, label=f"MaxPool2d K3 S2 P1 ceil_mode={ceil_mode}")
    right.step(
        sizes,
        [tf_same_output_size(w, 2) for w in sizes],
        where="mid",
        color="gray",
        alpha=0.7,
        label="TF 'SAME': ceil(W / 2)",
    )
    right.set(title="Pooling: floor vs ceil mode", xlabel="input size W", ylabel="output size")
    right.legend(fontsize=8)
    for axes in (left, right):
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    result.add_figure(
        fig,
        "output_vs_input",
        result.text("output_vs_input"),
    )


def _tables(
    result: Result, conv: Family, dilated: Family, pool: Family, ceil: Family, same: Family
) -> None:
    rows = []
    for family, formula, label in (
        (conv, "notes", "floor((W - K + 2P)/S) + 1"),
        (dilated, "notes", "floor((W - K + 2P)/S) + 1"),
        (dilated, "dilated", "floor((W + 2P - D(K-1) - 1)/S) + 1"),
        (pool, "notes", "floor((W - K + 2P)/S) + 1"),
        (ceil, "notes", "floor((W - K' + 2P)/S) + 1, K' = D(K-1)+1"),
        (ceil, "naive_ceil", "ceil((W + 2P - D(K-1) - 1)/S) + 1"),
        (ceil, "ceil_rule", CEIL_RULE_TEXT),
        (same, "tf_same", "ceil(W / S)"),
    ):
        rows.append(
            [
                family.name,
                label,
                family.count,
                family.agree[formula],
                family.impossible,
                _examples(family, formula),
            ]
        )
    result.add_table(
        Text("Formula vs layer, per family", "各族配置:公式与层的实际输出"),
        [
            Text("family", "族"),
            Text("formula", "公式"),
            Text("configurations", "配置数"),
            Text("agree", "一致"),
            Text("layer refused (formula < 1)", "层拒绝(公式 < 1)"),
            Text("first disagreements", "前几个不一致的例子"),
        ],
        rows,
    )


def _example_table(
    result: Result, conv: Family, dilated: Family, pool: Family, ceil: Family, same: Family
) -> None:
    examples = [
        ("AlexNet conv1", 227, 11, 4, 0),
        ("ResNet stem conv", 224, 7, 2, 3),
        ("LeNet-5 conv1", 32, 5, 1, 0),
        ("VGG 3x3 conv", 224, 3, 1, 1),
    ]
    result.add_table(
        Text("Worked examples", "算例"),
        [
            Text("layer", "层"),
            "W",
            "K",
            "S",
            "P",
            Text("formula", "公式"),
            Text("measured", "实测"),
        ],
        [
            [
                name,
                w,
                k,
                s,
                p,
                f"floor(({w} - {k} + 2*{p})/{s}) + 1 = {notes_formula(w, k, s, p)}",
                run_layer(nn.Conv2d(3, 8, k, s, p), (1, 3, w, w))[0][-1],
            ]
            for name, w, k, s, p in examples
        ],
    )


def _judge_floor(result: Result, conv: Family, dilated: Family, pool: Family) -> None:
    result.judge(
        "floor_formula",
        _exact_verdict(conv.agree["notes"], conv.count),
        {
            CONFIGS: conv.count,
            AGREE: conv.agree["notes"],
            Text("refused by the layer (formula < 1)", "层拒绝(公式 < 1)"): conv.impossible,
        },
        result.text("exact_rule"),
        robust=True,
        margin=result.text("exact_margin"),
    )
    plain_wrong = dilated.count - dilated.agree["notes"]
    verdict = _exact_verdict(dilated.agree["dilated"], dilated.count)
    if verdict == Verdict.HOLDS and plain_wrong == 0:
        verdict = Verdict.PARTLY  # the 'plain formula is wrong' half was never seen
    result.judge(
        "dilation",
        verdict,
        {
            Text("configurations (D >= 2 on both axes)", "配置数(两个轴 D >= 2)"): dilated.count,
            Text("dilated formula agrees", "含空洞率的公式一致"): dilated.agree["dilated"],
            Text("plain formula wrong", "简单公式出错"): plain_wrong,
        },
        result.text("dilation_rule"),
        robust=True,
        margin=result.text("exact_margin"),
    )
    result.judge(
        "pool_floor",
        _exact_verdict(pool.agree["notes"], pool.count),
        {CONFIGS: pool.count, AGREE: pool.agree["notes"]},
        result.text("exact_rule"),
        robust=True,
        margin=result.text("exact_margin"),
    )


def _judge_ceil_and_same(
    result: Result, ceil: Family, same: Family, same_ok: int, strided: int, strided_refused: int
) -> None:
    naive_wrong = ceil.count - ceil.agree["naive_ceil"]
    verdict = _exact_verdict(ceil.agree["ceil_rule"], ceil.count)
    if verdict == Verdict.HOLDS and naive_wrong == 0:
        verdict = Verdict.PARTLY  # the 'minus one' exception was never exercised
    result.judge(
        "ceil_mode",
        verdict,
        {
            CONFIGS: ceil.count,
            Text("of which hand-picked edge cases", "其中人工挑选的边界情况"): ceil.edge_cases,
            Text("ceil rule agrees", "ceil 公式(含例外)一致"): ceil.agree["ceil_rule"],
            Text("plain ceil (no exception) wrong", "不含例外的 ceil 公式出错"): naive_wrong,
            Text("floor formula differs from the layer", "floor 公式与层不同"): ceil.count
            - ceil.agree["notes"],
        },
        result.text("ceil_rule"),
        robust=True,
        margin=result.text("exact_margin"),
    )
    verdict = _exact_verdict(same.agree["tf_same"], same.count)
    if verdict == Verdict.HOLDS and (same_ok != same.count or strided_refused != strided):
        verdict = Verdict.PARTLY
    result.judge(
        "tf_same",
        verdict,
        {
            CONFIGS: same.count,
            Text("TF SAME: out = ceil(W/S)", "TF SAME:out = ceil(W/S)"): same.agree["tf_same"],
            Text(
                "padding='same' at stride 1 gives out = W", "步长 1 时 padding='same' 给出 out = W"
            ): same_ok,
            Text("configurations with stride > 1", "步长 > 1 的配置"): strided,
            Text("padding='same' refused there", "其中 padding='same' 被拒绝"): strided_refused,
        },
        result.text("tf_same_rule"),
        robust=True,
        margin=result.text("exact_margin"),
    )


@experiment("conv_arithmetic")
def run(mode: str, seed: int) -> Result:
    count = COUNTS[mode]
    rng = np.random.default_rng(seed)
    result = Result.start("conv_arithmetic", mode, seed)
    result.setup = result.say("setup", count=count, max_size=MAX_SIZE)
    conv, dilated = _conv_family(rng, count, dilated=False), _conv_family(rng, count, dilated=True)
    pool, ceil = _pool_family(rng, count, ceil_mode=False), _pool_family(rng, count, ceil_mode=True)
    same, same_ok, strided, strided_refused = _tf_same_family(rng, count)

    _tables(result, conv, dilated, pool, ceil, same)
    _example_table(result, conv, dilated, pool, ceil, same)
    _judge_floor(result, conv, dilated, pool)
    _judge_ceil_and_same(result, ceil, same, same_ok, strided, strided_refused)
    _figure(result)
    return result
