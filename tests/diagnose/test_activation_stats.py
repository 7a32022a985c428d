"""activation_stats on nets whose behaviour is known, and against a manual forward pass."""

from __future__ import annotations

import itertools

import numpy
import pytest
from diagnose_nets import make_batch, manual_outputs, normal, stack

import glassnet
import glassnet.nn.functional as F
from glassnet import nn
from glassnet.diagnose import activation_stats, find_alarms, layer_stats

pytestmark = pytest.mark.timeout(60)


def kinds(alarms, kind):
    return [alarm for alarm in alarms if alarm.kind == kind]


def test_sigmoid_with_large_weights_saturates():
    """W ~ N(0, 10^2): pre-activations of std ~50, so nearly every sigmoid output sits at 0 or 1."""
    x, _ = make_batch()
    model = stack([32, 64, 64, 64, 10], nn.Sigmoid, normal(10.0))
    stats = activation_stats(model, x)
    sigmoids = stats.activations()
    assert [row.class_name for row in sigmoids] == ["Sigmoid"] * 3
    for row in sigmoids:
        assert row.saturated > 0.9, row
        values = manual_outputs(model, x)[int(row.name)]
        assert row.saturated == pytest.approx(numpy.mean((values < 0.01) | (values > 0.99)))
    alarms = kinds(find_alarms(stats), "saturated")
    assert [alarm.where for alarm in alarms] == [row.name for row in sigmoids]
    assert alarms[0].message.startswith(
        f"layer 1 (Sigmoid): {100 * sigmoids[0].saturated:.0f}% of units saturated"
    )


def test_sigmoid_with_default_init_does_not_saturate():
    x, _ = make_batch()
    glassnet.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(32, 64), nn.Sigmoid(), nn.Linear(64, 64), nn.Sigmoid(), nn.Linear(64, 10)
    )
    stats = activation_stats(model, x)
    assert all(row.saturated < 0.01 for row in stats.activations())
    assert find_alarms(stats) == []


def test_tanh_with_small_weights_and_zero_biases_shrinks_the_std():
    """W ~ N(0, 0.01^2), 100 wide: each layer multiplies the std by ~0.01 * sqrt(100) = 0.1."""
    x, _ = make_batch()
    model = stack([32] + [100] * 9 + [10], nn.Tanh, normal(0.01))
    stats = activation_stats(model, x)
    stds = [row.std for row in stats.activations()]
    assert len(stds) == 9
    per_layer = [later / earlier for earlier, later in itertools.pairwise(stds)]
    assert all(0.05 < factor < 0.2 for factor in per_layer), per_layer  # measured 0.096 .. 0.107
    assert stds[-1] / stds[0] < 1e-6  # measured 1.0e-8
    (alarm,) = kinds(find_alarms(stats), "std_shrinks")
    assert alarm.message.startswith(
        f"activation std shrinks from {stds[0]:.3g} to {stds[-1]:.3g} over 9 activation"
    )


def test_tanh_with_small_weights_and_default_biases_shrinks_less():
    """With nn.Linear's default biases (std ~0.06 for fan_in 100) the signal stops at the bias level."""
    x, _ = make_batch()
    model = stack([32] + [100] * 9 + [10], nn.Tanh, normal(0.01), bias=None)
    stds = [row.std for row in activation_stats(model, x).activations()]
    assert stds[-1] < stds[0]  # measured 0.108 -> 0.057
    assert 0.3 < stds[-1] / stds[0] < 0.8
    assert kinds(find_alarms(activation_stats(model, x)), "std_shrinks") == []


def test_relu_with_strongly_negative_bias_is_dead():
    x, _ = make_batch()
    model = stack([32, 64, 64, 10], nn.ReLU, normal(0.1))
    nn.init.constant_(model[2].bias, -10.0)  # the second hidden layer can never turn on
    stats = activation_stats(model, x)
    first, second = stats["1"], stats["3"]
    assert first.dead == 0.0 and 0.3 < first.zeros < 0.7
    assert second.dead == 1.0 and second.zeros == 1.0
    (alarm,) = kinds(find_alarms(stats), "dead")
    assert alarm.where == "3"
    assert alarm.message.startswith("layer 3 (ReLU): 100% of units dead for the whole batch of 64")


def test_dead_units_are_counted_per_channel_for_conv_outputs():
    glassnet.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU())
    with glassnet.no_grad():
        model[0].bias.data[0] = -100.0  # channel 0 is 0 everywhere
    x = numpy.random.default_rng(0).standard_normal((8, 1, 6, 6)).astype(numpy.float32)
    row = activation_stats(model, x)["1"]
    assert row.shape == (8, 4, 6, 6)
    assert row.dead == 0.25
    values = manual_outputs(model, x)[1]
    assert row.zeros == pytest.approx(numpy.mean(values == 0))


def test_he_init_keeps_the_std_through_20_relu_layers():
    x, _ = make_batch()
    model = stack(
        [32] + [100] * 20 + [10], nn.ReLU, lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu")
    )
    stats = activation_stats(model, x)
    stds = [row.std for row in stats.activations()]
    assert len(stds) == 20
    assert max(stds) / min(stds) < 3  # measured 1.8
    alarms = find_alarms(stats)
    assert [alarm for alarm in alarms if alarm.kind != "dead"] == []
    # Measured, not an alarm-free net: the samples' representations grow alike with depth, so
    # deep units go quiet for the whole batch although the std holds (see alarms.py).
    dead = [row.dead for row in stats.activations()]
    assert dead[0] == 0.0 and max(dead[-5:]) > 0.1


def test_xavier_init_halves_the_relu_signal_per_layer():
    """Xavier's variance 1/fan_in ignores that ReLU drops half the signal: std shrinks ~1/sqrt(2) a layer."""
    x, _ = make_batch()
    model = stack([32] + [100] * 20 + [10], nn.ReLU, nn.init.xavier_normal_)
    stds = [row.std for row in activation_stats(model, x).activations()]
    assert stds[-1] / stds[1] < 0.01  # 19 layers of ~0.71: measured 2.7e-3
    assert stds[-1] / stds[1] > 1e-4


def test_statistics_equal_numpy_on_the_captured_outputs():
    x, _ = make_batch(samples=16, features=8)
    glassnet.manual_seed(3)
    model = nn.Sequential(
        nn.Linear(8, 12), nn.Tanh(), nn.Linear(12, 12), nn.ReLU(), nn.Linear(12, 3)
    )
    stats = activation_stats(model, x, bins=7)
    outputs = manual_outputs(model, x)
    assert [row.name for row in stats] == ["0", "1", "2", "3", "4"]
    assert [row.class_name for row in stats] == ["Linear", "Tanh", "Linear", "ReLU", "Linear"]
    assert [row.kind for row in stats] == [None, "tanh", None, "relu", None]
    for row, values in zip(stats, outputs):
        values64 = values.astype(numpy.float64)
        assert row.shape == values.shape and row.numel == values.size
        assert row.mean == pytest.approx(values64.mean(), rel=1e-12, abs=1e-15)
        assert row.std == pytest.approx(values64.std(), rel=1e-12)
        assert (row.min, row.max) == (values64.min(), values64.max())
        counts, edges = numpy.histogram(values64, bins=7)
        numpy.testing.assert_array_equal(row.counts, counts)
        numpy.testing.assert_array_equal(row.bin_edges, edges)
        assert row.counts.sum() == values.size and row.nonfinite == 0
    relu = outputs[3]
    assert stats[3].dead == numpy.mean((relu == 0).all(axis=0))
    assert stats[3].zeros == numpy.mean(relu == 0)


def test_functional_activations_are_found_in_the_graph():
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc1 = nn.Linear(8, 16)
            self.fc2 = nn.Linear(16, 16)
            self.fc3 = nn.Linear(16, 3)

        def forward(self, x):
            hidden = F.relu(self.fc1(x))
            hidden = F.sigmoid(self.fc2(hidden))
            return self.fc3(F.relu(hidden - 0.5))

    glassnet.manual_seed(0)
    model = Net()
    x, _ = make_batch(samples=32, features=8)
    stats = activation_stats(model, x)
    assert [(row.name, row.class_name, row.functional) for row in stats] == [
        ("fc1", "Linear", False),
        ("Net:relu", "F.relu", True),
        ("fc2", "Linear", False),
        ("Net:sigmoid", "F.sigmoid", True),
        ("Net:relu#2", "F.relu", True),
        ("fc3", "Linear", False),
    ]
    with glassnet.no_grad():
        tensor = glassnet.tensor(x)
        expected = F.relu(model.fc1(tensor)).data
        second = F.sigmoid(model.fc2(F.relu(model.fc1(tensor)))).data
    assert stats["Net:relu"].mean == pytest.approx(expected.astype(numpy.float64).mean(), rel=1e-12)
    assert stats["Net:relu"].dead == numpy.mean((expected == 0).all(axis=0))
    assert stats["Net:sigmoid"].std == pytest.approx(second.astype(numpy.float64).std(), rel=1e-12)


def test_a_module_called_twice_gets_a_row_per_call():
    relu = nn.ReLU()
    glassnet.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), relu, nn.Linear(4, 4), relu)
    x, _ = make_batch(samples=8, features=4)
    assert [row.name for row in activation_stats(model, x)] == ["0", "1", "2", "1 #2"]


def test_modes_and_state_are_restored():
    glassnet.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(8, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 2)
    )
    x, _ = make_batch(samples=16, features=8)
    running = model[1].running_mean.data.copy()
    state = glassnet.random.default_generator().bit_generator.state
    model.eval()
    train = activation_stats(model, x, mode="train")
    assert train.mode == "train"
    assert train["3"].std > 1.2 * train["2"].std  # dropout zeroed about half and doubled the rest
    assert not model.training and not model[3].training
    evaluated = activation_stats(model, x)  # 'same': the model is in eval mode
    assert evaluated.mode == "eval"
    numpy.testing.assert_array_equal(manual_outputs(model, x)[3], manual_outputs(model, x)[2])
    assert evaluated["3"].mean == pytest.approx(
        evaluated["2"].mean, rel=1e-12
    )  # no dropout in eval
    numpy.testing.assert_array_equal(model[1].running_mean.data, running)
    assert glassnet.random.default_generator().bit_generator.state == state


def test_nonfinite_values_are_counted_and_left_out():
    x, _ = make_batch(samples=4, features=3)
    x[0, 0] = numpy.nan
    model = nn.Sequential(nn.Linear(3, 2))
    row = activation_stats(model, x)["0"]
    assert row.nonfinite == 2  # the NaN reaches both outputs of the first sample
    assert row.counts.sum() == row.numel - 2
    values = manual_outputs(model, x)[0].astype(numpy.float64)
    assert row.mean == pytest.approx(values[1:].mean(), rel=1e-12)
    (alarm,) = find_alarms(activation_stats(model, x))
    assert alarm.kind == "nonfinite" and alarm.message.startswith(
        "layer 0 (Linear): 2 of 8 outputs are NaN or inf"
    )


def test_layer_stats_on_a_plain_array():
    row = layer_stats(numpy.array([[0.0, 1.0], [0.0, -2.0]]), kind="relu", bins=4)
    assert row.dead == 0.5 and row.zeros == 0.5 and row.counts.sum() == 4


def test_the_table_lists_every_layer_and_the_thresholds():
    x, _ = make_batch()
    stats = activation_stats(stack([32, 16, 10], nn.Tanh, normal(0.5)), x)
    lines = stats.format_table().splitlines()
    assert lines[0].split() == [
        "#",
        "layer",
        "class",
        "output",
        "shape",
        "mean",
        "std",
        "saturated",
        "dead",
        "zeros",
        "non-finite",
    ]
    assert lines[2].split()[:4] == ["1", "0", "Linear", "64x16"]
    assert (
        lines[3].split()[:3] == ["2", "1", "Tanh"]
        and lines[3].split()[6] == f"{100 * stats[1].saturated:.1f}%"
    )
    assert "tanh |y| > 0.99" in lines[-1]
    assert repr(stats) == "ActivationStats(3 layers, batch 64, mode 'train')"


def test_bad_arguments_are_named():
    model = nn.Sequential(nn.Linear(3, 2))
    x = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(TypeError, match="expected a glassnet.nn.Module as model, got str"):
        activation_stats("mlp", x)
    with pytest.raises(ValueError, match="mode must be one of 'same', 'train', 'eval', got 'test'"):
        activation_stats(model, x, mode="test")
    with pytest.raises(ValueError, match="bins must be a positive int .* got 0"):
        activation_stats(model, x, bins=0)
    with pytest.raises(
        TypeError,
        match=r"the batch's input \(batch\[0\]\) must be a Tensor or a NumPy array, got "
        "list",
    ):
        activation_stats(model, [[1.0, 2.0, 3.0]])
    with pytest.raises(
        TypeError, match="the batch's input must be a Tensor or a NumPy array, got str"
    ):
        activation_stats(model, "x")
    with pytest.raises(ValueError, match="the batch is an empty tuple"):
        activation_stats(model, ())
    with pytest.raises(ValueError, match=r"forward pass failed in layer '0' \(Linear.*\(2, 5\)"):
        activation_stats(model, numpy.zeros((2, 5), numpy.float32))
    with pytest.raises(KeyError, match="no layer named 'fc9'; layers: 0"):
        activation_stats(model, x)["fc9"]
