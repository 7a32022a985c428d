"""The alarms' thresholds and wording, on results built by hand so every number is known."""

from __future__ import annotations

import math

import numpy
import pytest

from glassnet.diagnose import (
    ActivationStats,
    GradientFlow,
    LayerGrad,
    ParamGrad,
    Thresholds,
    find_alarms,
    layer_stats,
)
from glassnet.diagnose.alarms import _factor

pytestmark = pytest.mark.timeout(30)


def flow(grad_norms, weight_norms=None, lr=None, loss=1.0, shapes=None, signal=None):
    """A GradientFlow over weights named fc1.weight, fc2.weight, ... with the given norms."""
    weight_norms = weight_norms or [1.0] * len(grad_norms)
    shapes = shapes or [(4, 4)] * len(grad_norms)
    params = [
        ParamGrad(
            i + 1,
            f"fc{i + 1}.weight" if len(shape) > 1 else f"fc{i + 1}.bias",
            shape,
            grad,
            weight,
            None if lr is None or grad is None or not weight else lr * grad / weight,
            0,
        )
        for i, (grad, weight, shape) in enumerate(zip(grad_norms, weight_norms, shapes))
    ]
    layers = [
        LayerGrad(i + 1, f"fc{i + 1}", "Linear", (2, 4), rms) for i, rms in enumerate(signal or [])
    ]
    return GradientFlow(params, layers, loss, lr, 2, "train")


def stats_of(*rows):
    return ActivationStats(
        [
            layer_stats(values, index=i + 1, name=str(i), class_name=cls, kind=kind)
            for i, (cls, kind, values) in enumerate(rows)
        ],
        batch_size=4,
        mode="train",
        bins=10,
    )


def test_factor_prints_orders_of_magnitude():
    assert [_factor(v) for v in (1e-6, 1.3e-8, 1e5, 0.3, 250.0)] == [
        "1e-6",
        "1.3e-8",
        "1e5",
        "3e-1",
        "2.5e2",
    ]


def test_vanishing_and_exploding_weight_gradients():
    (alarm,) = find_alarms(gradients=flow([1e-6, 1e-3, 1.0]))
    assert (
        alarm.kind == "vanishing"
        and alarm.value == pytest.approx(1e-6)
        and alarm.where == "fc1.weight"
    )
    assert alarm.message.startswith(
        "weight-gradient norm falls by a factor 1e-6 from the last layer (fc3.weight) "
        "to the first (fc1.weight): vanishing gradients"
    )
    (alarm,) = find_alarms(gradients=flow([1e5, 1.0, 1.0]))
    assert alarm.kind == "exploding"
    assert alarm.message.startswith(
        "weight-gradient norm grows by a factor 1e5 from the last layer (fc3.weight) "
        "to the first (fc1.weight): exploding gradients"
    )


def test_ratio_thresholds_are_strict_and_adjustable():
    assert find_alarms(gradients=flow([1e-3, 1.0])) == []  # exactly at the threshold: no alarm
    assert find_alarms(gradients=flow([1e3, 1.0])) == []
    assert [
        a.kind
        for a in find_alarms(gradients=flow([1e-3, 1.0]), thresholds=Thresholds(vanishing=1e-2))
    ] == ["vanishing"]


def test_backward_signal_alarm_is_said_once():
    both = find_alarms(gradients=flow([1e-6, 1.0], signal=[1e-7, 1.0]))
    assert [a.message.split(" falls")[0] for a in both] == ["weight-gradient norm"]
    only_signal = find_alarms(gradients=flow([1.0, 1.0], signal=[1e-7, 1.0]))
    assert [a.message.split(" falls")[0] for a in only_signal] == ["backward signal RMS(dL/dy)"]


def test_update_ratio_alarms():
    (alarm,) = find_alarms(gradients=flow([300.0, 1.0], weight_norms=[1.0, 1.0], lr=1e-3))
    assert alarm.kind == "update_high" and alarm.value == pytest.approx(0.3)
    assert alarm.message.startswith(
        "update/weight ratio 3e-1 in fc1.weight: learning rate likely too high (typical ~1e-3)"
    )
    (alarm,) = find_alarms(gradients=flow([20.0, 30.0, 1.0], lr=1e-3))
    assert alarm.where == "fc2.weight" and "(and 1 more parameters)" in alarm.message
    (alarm,) = find_alarms(gradients=flow([1e-6, 1e-6], lr=1e-3))
    assert alarm.kind == "update_low" and alarm.message.startswith(
        "update/weight ratio 1e-9 in fc1.weight (and 1 "
        "more weights): a step hardly moves the weights"
    )
    # a bias before BatchNorm gets no gradient by design: no low-update alarm for it
    assert find_alarms(gradients=flow([1e-6, 1.0], shapes=[(4,), (4, 4)], lr=1e-3)) == []


def test_nonfinite_loss_and_gradients():
    broken = flow([1.0, 1.0], loss=math.nan)
    broken.params[1].nonfinite = 3
    messages = [str(alarm) for alarm in find_alarms(gradients=broken)]
    assert messages[0].startswith("the loss is nan")
    assert messages[1] == "gradient of fc2.weight: 3 NaN/inf values"


def test_activation_alarms_saturated_dead_and_std():
    saturated = numpy.array([[0.995, -0.999, 0.2, 0.999]] * 4)  # 75% beyond |y| > 0.99
    dead = numpy.array([[0.0, 0.0, 1.0, 0.0]] * 4)  # 3 of 4 units never on
    stats = stats_of(("Tanh", "tanh", saturated), ("ReLU", "relu", dead))
    alarms = find_alarms(stats)
    assert [(a.kind, a.where) for a in alarms] == [("saturated", "0"), ("dead", "1")]
    assert alarms[0].message.startswith(
        "layer 0 (Tanh): 75% of units saturated (|y| > 0.99, counted per unit and sample)"
    )
    assert alarms[1].message.startswith(
        "layer 1 (ReLU): 75% of units dead for the whole batch of 4"
    )
    assert find_alarms(stats, thresholds=Thresholds(saturated=0.8, dead=0.8)) == []


def test_std_alarms_compare_the_first_and_last_activation_layer():
    rng = numpy.random.default_rng(0)
    big, small = rng.standard_normal((4, 8)), 1e-3 * rng.standard_normal((4, 8))
    shrinking = stats_of(
        ("Tanh", "tanh", big), ("Linear", None, 1e-9 * big), ("Tanh", "tanh", small / 10)
    )
    (alarm,) = find_alarms(shrinking)
    assert alarm.kind == "std_shrinks" and alarm.value == pytest.approx(
        shrinking[2].std / shrinking[0].std
    )
    assert alarm.message.startswith(
        f"activation std shrinks from {shrinking[0].std:.3g} to {shrinking[2].std:.3g} "
        "over 2 activation layers (layer 0 to layer 2)"
    )
    (alarm,) = find_alarms(stats_of(("ELU", "elu", small), ("ELU", "elu", big * 10)))
    assert alarm.kind == "std_grows"


def test_find_alarms_needs_results():
    with pytest.raises(
        ValueError, match=r"pass activation_stats\(...\) and/or gradient_flow\(...\) results"
    ):
        find_alarms()
    with pytest.raises(TypeError, match="activations must be an ActivationStats, got list"):
        find_alarms([])
    with pytest.raises(TypeError, match="gradients must be a GradientFlow, got dict"):
        find_alarms(gradients={})
