"""Alarms: the measurements of `activation_stats` and `gradient_flow` turned into sentences to act on.

Each alarm compares one number with one threshold of `Thresholds` (all documented there)
and says what it means and what to try. The thresholds flag what is clearly wrong, not
what is merely unusual: a healthy freshly initialised net raises none of the saturation,
std or gradient-ratio alarms. One that does fire on healthy-looking nets is worth
knowing: in a deep plain ReLU stack (20 layers, He init) the samples' representations
grow alike with depth, and in the last layers a quarter to a third of the units are 0 for
a whole batch even though the std is preserved (measured in tests/diagnose); the dead-unit
alarm reports that, because those units do get no gradient from that batch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from glassnet.diagnose.activations import (
    SIGMOID_HIGH,
    SIGMOID_LOW,
    TANH_BOUND,
    ActivationStats,
    LayerStats,
)
from glassnet.diagnose.gradients import TYPICAL_UPDATE_RATIO, GradientFlow, ParamGrad


@dataclass(frozen=True)
class Thresholds:
    """When an alarm fires (every comparison is strict).

    saturated:        share of a sigmoid/tanh layer's outputs near its bounds (see
                      activations.py), where the local gradient is under 4% (sigmoid) or 2%
                      (tanh) of its maximum. More than half: the layer passes little gradient.
    dead:             share of a ReLU layer's units that are 0 for every sample of the batch.
    std_change:       factor by which the std of the activation layers' outputs may shrink
                      or grow from the first activation layer to the last.
    vanishing:        first-to-last gradient ratio below this: vanishing gradients (applied to
                      the weight-gradient ratio and to the backward-signal ratio).
    exploding:        first-to-last gradient ratio above this: exploding gradients.
    update_high:      lr * |g| / |w| above this (10x the typical 1e-3): lr likely too high.
    update_low:       lr * |g| / |w| below this (10^4 x under the typical) for a weight (2+ dims):
                      the step hardly moves it (vanished gradient, too small an lr, or a converged
                      model). Biases are left out: one before BatchNorm gets no gradient by design.
    """

    saturated: float = 0.5
    dead: float = 0.25
    std_change: float = 100.0
    vanishing: float = 1e-3
    exploding: float = 1e3
    update_high: float = 1e-2
    update_low: float = 1e-7


DEFAULT_THRESHOLDS = Thresholds()

KINDS = (
    "nonfinite",
    "saturated",
    "dead",
    "std_shrinks",
    "std_grows",
    "vanishing",
    "exploding",
    "update_high",
    "update_low",
)


@dataclass(frozen=True)
class Alarm:
    """One finding: `kind` (one of KINDS), where it was seen, the measured value and the threshold."""

    kind: str
    where: str
    value: float
    threshold: float
    message: str

    def __str__(self) -> str:
        return self.message


def _factor(value: float) -> str:
    """1.3e-08 -> '1.3e-8', 1e5 -> '1e5': the order of magnitude a reader needs."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa.removesuffix('.0')}e{int(exponent)}"


def _unit_alarms(row: LayerStats, batch_size: int, thresholds: Thresholds) -> list[Alarm]:
    """A layer whose units saturate (sigmoid, tanh) or die (ReLU)."""
    found = []
    if row.saturated is not None and row.saturated > thresholds.saturated:
        bound = (
            f"y < {SIGMOID_LOW} or y > {SIGMOID_HIGH}"
            if row.kind == "sigmoid"
            else f"|y| > {TANH_BOUND}"
        )
        found.append(
            Alarm(
                "saturated",
                row.name,
                row.saturated,
                thresholds.saturated,
                f"{row.label}: {100 * row.saturated:.0f}% of units saturated ({bound}, counted per unit "
                f"and sample), where the "
                f"{row.kind} gradient almost vanishes: the inputs to this layer are too large "
                "(use Xavier init, smaller weights, or BatchNorm before it)",
            )
        )
    if row.dead is not None and row.dead > thresholds.dead:
        found.append(
            Alarm(
                "dead",
                row.name,
                row.dead,
                thresholds.dead,
                f"{row.label}: {100 * row.dead:.0f}% of units dead for the whole batch of "
                f"{batch_size} (0 for every sample, so no gradient reaches them): check the "
                "biases and the learning rate, or use LeakyReLU/ELU",
            )
        )
    return found


def _std_alarms(stats: ActivationStats, thresholds: Thresholds) -> list[Alarm]:
    """The activation std from the first activation layer to the last: shrinking or growing."""
    layers = [row for row in stats.activations() if math.isfinite(row.std)]
    if len(layers) < 2 or not layers[0].std > 0:
        return []
    first, last = layers[0], layers[-1]
    change = last.std / first.std
    span = f"over {len(layers)} activation layers (layer {first.name} to layer {last.name})"
    if change < 1 / thresholds.std_change:
        return [
            Alarm(
                "std_shrinks",
                last.name,
                change,
                1 / thresholds.std_change,
                f"activation std shrinks from {first.std:.3g} to {last.std:.3g} {span}: the "
                "signal dies out with depth; the weights are too small for this depth (use He "
                "init for ReLU, Xavier for tanh)",
            )
        ]
    if change > thresholds.std_change:
        return [
            Alarm(
                "std_grows",
                last.name,
                change,
                thresholds.std_change,
                f"activation std grows from {first.std:.3g} to {last.std:.3g} {span}: the "
                "weights are too large for this depth (use He init for ReLU, Xavier for tanh)",
            )
        ]
    return []


def activation_alarms(
    stats: ActivationStats, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> list[Alarm]:
    """Non-finite outputs, saturated sigmoid/tanh layers, dead ReLUs, and a std that shrinks or grows."""
    found = [
        Alarm(
            "nonfinite",
            row.name,
            row.nonfinite,
            0,
            f"{row.label}: {row.nonfinite} of {row.numel} outputs are NaN or inf: check the "
            "input and the learning rate (the first layer listed is where it starts)",
        )
        for row in stats
        if row.nonfinite
    ]
    for row in stats:
        found += _unit_alarms(row, stats.batch_size, thresholds)
    return found + _std_alarms(stats, thresholds)


def _ratio_alarms(
    ratio: float | None, what: str, first: str, last: str, thresholds: Thresholds
) -> list[Alarm]:
    if ratio is None or math.isnan(ratio):
        return []
    if ratio < thresholds.vanishing:
        return [
            Alarm(
                "vanishing",
                first,
                ratio,
                thresholds.vanishing,
                f"{what} falls by a factor {_factor(ratio)} from the last layer ({last}) to the first "
                f"({first}): vanishing gradients, the first layers hardly learn (use ReLU-like activations, "
                "He/Xavier init, BatchNorm or residual connections)",
            )
        ]
    if ratio > thresholds.exploding:
        return [
            Alarm(
                "exploding",
                first,
                ratio,
                thresholds.exploding,
                f"{what} grows by a factor {_factor(ratio)} from the last layer ({last}) to the first "
                f"({first}): exploding gradients (use smaller init, BatchNorm, or clip_grad_norm_)",
            )
        ]
    return []


def _others(rows: list[ParamGrad], what: str) -> str:
    return "" if len(rows) == 1 else f" (and {len(rows) - 1} more {what})"


def _nonfinite_alarms(flow: GradientFlow) -> list[Alarm]:
    """A loss or gradients with NaN or inf in them."""
    found = []
    if not math.isfinite(flow.loss):
        found.append(
            Alarm(
                "nonfinite",
                "loss",
                flow.loss,
                0,
                f"the loss is {flow.loss}: check the input, the labels and the learning rate",
            )
        )
    return found + [
        Alarm(
            "nonfinite",
            row.name,
            row.nonfinite,
            0,
            f"gradient of {row.name}: {row.nonfinite} NaN/inf values",
        )
        for row in flow.params
        if row.nonfinite
    ]


def _update_alarms(flow: GradientFlow, thresholds: Thresholds) -> list[Alarm]:
    """One alarm per direction, naming the extreme parameter: the cure is the same for all."""
    rated = [row for row in flow.params if row.update_ratio is not None]
    high = sorted(
        (row for row in rated if row.update_ratio > thresholds.update_high),
        key=lambda r: -r.update_ratio,
    )
    # weights only: a bias right before BatchNorm gets a zero gradient by construction (BN subtracts it again)
    low = sorted(
        (row for row in rated if row.is_weight and row.update_ratio < thresholds.update_low),
        key=lambda r: r.update_ratio,
    )
    typical = _factor(TYPICAL_UPDATE_RATIO)
    found = []
    if high:
        worst = high[0]
        where = f"{worst.name}{_others(high, 'parameters')}"
        found.append(
            Alarm(
                "update_high",
                worst.name,
                worst.update_ratio,
                thresholds.update_high,
                f"update/weight ratio {_factor(worst.update_ratio)} in {where}: "
                f"learning rate likely too high (typical ~{typical}); one SGD step changes the weight by "
                f"{100 * worst.update_ratio:.0f}% of its size",
            )
        )
    if low:
        worst = low[0]
        where = f"{worst.name}{_others(low, 'weights')}"
        found.append(
            Alarm(
                "update_low",
                worst.name,
                worst.update_ratio,
                thresholds.update_low,
                f"update/weight ratio {_factor(worst.update_ratio)} in {where}: "
                f"a step hardly moves the weights (typical ~{typical}): vanished gradients, too small a "
                "learning rate, or a model that has converged on this batch",
            )
        )
    return found


def gradient_alarms(flow: GradientFlow, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> list[Alarm]:
    """A non-finite loss or gradient, vanishing/exploding ratios, and update ratios far from ~1e-3."""
    found = _nonfinite_alarms(flow)
    if flow.first and flow.last:
        found += _ratio_alarms(
            flow.first_to_last, "weight-gradient norm", flow.first.name, flow.last.name, thresholds
        )
    if flow.signal_first and flow.signal_last:
        said = {alarm.kind for alarm in found}
        signal = _ratio_alarms(
            flow.signal_first_to_last,
            "backward signal RMS(dL/dy)",
            flow.signal_first.name,
            flow.signal_last.name,
            thresholds,
        )
        found += [alarm for alarm in signal if alarm.kind not in said]  # once is enough
    return found + _update_alarms(flow, thresholds)


def find_alarms(
    activations: ActivationStats | None = None,
    gradients: GradientFlow | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[Alarm]:
    """Every alarm from either result or both, activation alarms first."""
    if activations is None and gradients is None:
        raise ValueError(
            "find_alarms: pass activation_stats(...) and/or gradient_flow(...) results"
        )
    if activations is not None and not isinstance(activations, ActivationStats):
        raise TypeError(
            f"find_alarms: activations must be an ActivationStats, got {type(activations).__name__}"
        )
    if gradients is not None and not isinstance(gradients, GradientFlow):
        raise TypeError(
            f"find_alarms: gradients must be a GradientFlow, got {type(gradients).__name__}"
        )
    found = [] if activations is None else activation_alarms(activations, thresholds)
    return found + ([] if gradients is None else gradient_alarms(gradients, thresholds))
