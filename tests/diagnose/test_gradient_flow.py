"""gradient_flow against a manual backward pass, and on nets whose gradients are known to vanish."""

from __future__ import annotations

import numpy
import pytest
from diagnose_nets import make_batch, normal, stack

import glassnet
from glassnet import nn
from glassnet.diagnose import find_alarms, gradient_flow

pytestmark = pytest.mark.timeout(60)


def manual_grads(model, x, y):
    """{name: grad array} after a plain forward + backward of the cross-entropy loss."""
    model.zero_grad()
    loss = nn.CrossEntropyLoss()(model(glassnet.tensor(x)), glassnet.tensor(y))
    loss.backward()
    grads = {name: param.grad.data.copy() for name, param in model.named_parameters()}
    model.zero_grad()
    return grads, loss.item()


def small_model():
    glassnet.manual_seed(1)
    return nn.Sequential(
        nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 4)
    )


def test_gradient_norms_equal_the_parameters_grad_norms():
    x, y = make_batch(samples=20, features=8, classes=4)
    model = small_model()
    flow = gradient_flow(model, (x, y), nn.CrossEntropyLoss())
    grads, loss = manual_grads(model, x, y)
    assert [row.name for row in flow] == list(grads)
    for row in flow:
        assert row.grad_norm == pytest.approx(
            numpy.linalg.norm(grads[row.name].astype(numpy.float64)), rel=1e-12
        )
        assert row.weight_norm == pytest.approx(
            numpy.linalg.norm(model.get_parameter(row.name).data.astype(numpy.float64)), rel=1e-12
        )
        assert row.update_ratio is None and row.nonfinite == 0
    assert flow.loss == pytest.approx(loss, rel=1e-6)


def test_update_ratio_is_lr_times_grad_norm_over_weight_norm():
    x, y = make_batch(samples=20, features=8, classes=4)
    flow = gradient_flow(small_model(), (x, y), nn.CrossEntropyLoss(), lr=0.05)
    for row in flow:
        assert row.update_ratio == pytest.approx(0.05 * row.grad_norm / row.weight_norm, rel=1e-15)
    model = small_model()
    nn.init.zeros_(model[0].bias)
    assert (
        gradient_flow(model, (x, y), nn.CrossEntropyLoss(), lr=0.05)["0.bias"].update_ratio is None
    )  # |w| = 0


def test_first_to_last_ratio_uses_the_weights_in_parameter_order():
    x, y = make_batch(samples=20, features=8, classes=4)
    model = small_model()
    flow = gradient_flow(model, (x, y), nn.CrossEntropyLoss())
    grads, _ = manual_grads(model, x, y)
    assert (flow.first.name, flow.last.name) == ("0.weight", "4.weight")  # biases are not weights
    expected = numpy.linalg.norm(grads["0.weight"].astype(numpy.float64)) / numpy.linalg.norm(
        grads["4.weight"].astype(numpy.float64)
    )
    assert flow.first_to_last == pytest.approx(expected, rel=1e-12)


def test_backward_signal_is_the_rms_of_each_leaf_output_gradient():
    x, y = make_batch(samples=20, features=8, classes=4)
    model = small_model()
    flow = gradient_flow(model, (x, y), nn.CrossEntropyLoss())
    outputs, value = [], glassnet.tensor(x)
    for layer in model:
        value = layer(value)
        value.retain_grad()
        outputs.append(value)
    nn.CrossEntropyLoss()(value, glassnet.tensor(y)).backward()
    model.zero_grad()
    assert [(row.name, row.class_name) for row in flow.layers] == [
        ("0", "Linear"),
        ("1", "Tanh"),
        ("2", "Linear"),
        ("3", "ReLU"),
        ("4", "Linear"),
    ]
    for row, output in zip(flow.layers, outputs):
        grad = output.grad.data.astype(numpy.float64)
        assert row.grad_rms == pytest.approx(numpy.sqrt(numpy.mean(grad**2)), rel=1e-12)
    assert flow.signal_first_to_last == pytest.approx(
        flow.layers[0].grad_rms / flow.layers[-1].grad_rms
    )


def test_grads_are_restored_exactly():
    x, y = make_batch(samples=20, features=8, classes=4)
    model = small_model()
    before = glassnet.tensor(numpy.full((16, 8), 7.0, numpy.float32))
    model[0].weight.grad = before
    gradient_flow(model, (x, y), nn.CrossEntropyLoss())
    assert model[0].weight.grad is before and numpy.all(before.data == 7.0)
    assert all(param.grad is None for name, param in model.named_parameters() if name != "0.weight")


def test_state_is_restored_in_train_mode():
    glassnet.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 4)).eval()
    running = model[1].running_var.data.copy()
    x, y = make_batch(samples=20, features=8, classes=4)
    flow = gradient_flow(model, (x, y), nn.CrossEntropyLoss(), mode="train")
    assert flow.mode == "train" and not model.training
    numpy.testing.assert_array_equal(model[1].running_var.data, running)


def test_tanh_with_small_weights_and_default_biases_vanishes():
    """W ~ N(0, 0.01^2), nn.Linear's default biases: the forward signal stays at the bias level while the
    backward signal shrinks ~10x per layer, so the first weight gradient is ~1e-8 of the last."""
    x, y = make_batch()
    model = stack([32] + [100] * 9 + [10], nn.Tanh, normal(0.01), bias=None)
    flow = gradient_flow(model, (x, y), nn.CrossEntropyLoss())
    assert flow.first_to_last < 1e-6  # measured 1.7e-8
    alarms = [alarm for alarm in find_alarms(gradients=flow) if alarm.kind == "vanishing"]
    assert len(alarms) == 1
    assert alarms[0].message.startswith(
        "weight-gradient norm falls by a factor 1.7e-8 from the last layer "
        "(18.weight) to the first (0.weight): vanishing gradients"
    )


def test_tanh_with_small_weights_and_zero_biases_vanishes_everywhere():
    """With zero biases both directions shrink ~10x per layer: every weight gradient is ~1e-9, so their
    first/last ratio stays near 1 and only the backward signal (and the update ratio) show it."""
    x, y = make_batch()
    model = stack([32] + [100] * 9 + [10], nn.Tanh, normal(0.01))
    flow = gradient_flow(model, (x, y), nn.CrossEntropyLoss(), lr=1e-3)
    assert 0.5 < flow.first_to_last < 2  # measured 1.07
    assert all(row.grad_norm < 1e-8 for row in flow if row.is_weight)  # measured 6.6e-10 .. 7.4e-10
    assert flow.signal_first_to_last < 1e-8  # measured 3.3e-10
    alarms = {alarm.kind: alarm for alarm in find_alarms(gradients=flow)}
    assert set(alarms) == {"vanishing", "update_low"}
    assert alarms["vanishing"].message.startswith(
        "backward signal RMS(dL/dy) falls by a factor 3.3e-10 from"
    )
    assert alarms["update_low"].message.startswith(
        "update/weight ratio 6.5e-13 in 12.weight (and 9 more weights): "
    )


def test_he_init_relu_gradients_do_not_vanish():
    x, y = make_batch()
    model = stack(
        [32] + [100] * 20 + [10], nn.ReLU, lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu")
    )
    flow = gradient_flow(model, (x, y), nn.CrossEntropyLoss(), lr=1e-3)
    assert 0.1 < flow.first_to_last < 10  # measured 0.37
    assert 1e-2 < flow.signal_first_to_last < 100  # measured 0.54
    assert find_alarms(gradients=flow) == []


def test_a_parameter_the_loss_does_not_reach_has_no_gradient():
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.used = nn.Linear(4, 2)
            self.unused = nn.Linear(4, 2)

        def forward(self, x):
            return self.used(x)

    x, y = make_batch(samples=6, features=4, classes=2)
    flow = gradient_flow(Net(), (x, y), nn.CrossEntropyLoss(), lr=0.1)
    assert flow["unused.weight"].grad_norm is None and flow["unused.weight"].update_ratio is None
    assert flow.first is None and flow.first_to_last is None  # one weight with a gradient: no ratio
    assert "-" in flow.format_table().splitlines()[4].split()


def test_a_lone_input_calls_the_loss_with_the_output_only():
    glassnet.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 3))
    x, _ = make_batch(samples=5, features=3)
    flow = gradient_flow(model, x, lambda output: (output * output).mean())
    expected = (
        2 * (model(glassnet.tensor(x)).data.astype(numpy.float64)).sum(0) / 15
    )  # dL/db of mean(y^2)
    assert flow["0.bias"].grad_norm == pytest.approx(numpy.linalg.norm(expected), rel=1e-6)


def test_the_table_shows_parameters_and_ratios():
    x, y = make_batch(samples=20, features=8, classes=4)
    flow = gradient_flow(small_model(), (x, y), nn.CrossEntropyLoss(), lr=0.01)
    lines = flow.format_table().splitlines()
    assert lines[0].split() == [
        "#",
        "parameter",
        "shape",
        "grad",
        "norm",
        "weight",
        "norm",
        "lr*|g|/|w|",
        "non-finite",
    ]
    assert lines[2].split()[:3] == ["1", "0.weight", "16x8"]
    assert lines[2].split()[5] == f"{flow[0].update_ratio:.3g}"
    assert lines[-2].startswith("weight gradient, first/last: 0.weight")
    assert lines[-1].startswith("backward signal RMS(dL/dy), first/last: 0 ")


def test_bad_arguments_are_named():
    model = small_model()
    x, y = make_batch(samples=4, features=8, classes=4)
    loss = nn.CrossEntropyLoss()
    with pytest.raises(TypeError, match="loss_fn must be callable"):
        gradient_flow(model, (x, y), "cross_entropy")
    with pytest.raises(ValueError, match="lr must be a positive finite number or None, got -1"):
        gradient_flow(model, (x, y), loss, lr=-1)
    with pytest.raises(ValueError, match=r"loss_fn must return a scalar .* got shape \(4,\)"):
        gradient_flow(model, (x, y), nn.CrossEntropyLoss(reduction="none"))
    with pytest.raises(TypeError, match="loss_fn must return a Tensor, got float"):
        gradient_flow(model, (x, y), lambda output, target: 1.0)
    model.requires_grad_(False)
    with pytest.raises(
        ValueError, match="the loss does not depend on any parameter that requires grad"
    ):
        gradient_flow(model, (x, y), loss)
