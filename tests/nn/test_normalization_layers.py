"""BatchNorm1d/2d, LayerNorm, GroupNorm against torch.nn, in training and in evaluation mode.

BatchNorm is where train/eval bugs hide: these tests follow the running statistics and
num_batches_tracked step by step against torch (momentum 0.1, another value and None),
and check that eval() normalises with them.
"""

from __future__ import annotations

import numpy
import pytest
import torch
from layer_twins import assert_layer_parity, assert_same_state, twins

import glassnet

nn = glassnet.nn

BATCHNORMS = [
    ("BatchNorm1d", (4,), {}, (6, 4)),
    ("BatchNorm1d", (4,), {"affine": False}, (5, 4, 3)),
    ("BatchNorm2d", (3,), {}, (4, 3, 5, 2)),
    ("BatchNorm2d", (3,), {"eps": 1e-3, "bias": False}, (4, 3, 2, 2)),
]


def randomise_affine(ours, theirs, rng):
    for _name, param in theirs.named_parameters():
        with torch.no_grad():
            param.copy_(torch.from_numpy(rng.standard_normal(tuple(param.shape))))
    ours.load_state_dict(theirs.state_dict())


@pytest.mark.parametrize("name, args, kwargs, shape", BATCHNORMS, ids=str)
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
def test_batchnorm_matches_torch_in_train_and_eval(name, args, kwargs, shape, train, rng):
    ours, theirs = twins(name, *args, **kwargs)
    randomise_affine(ours, theirs, rng)
    if not train:  # non-trivial running statistics to normalise with
        for module in (theirs,):
            module.running_mean.copy_(torch.from_numpy(rng.standard_normal(args[0])))
            module.running_var.copy_(torch.from_numpy(rng.uniform(0.5, 2.0, args[0])))
        ours.load_state_dict(theirs.state_dict())
    ours.train(train)
    theirs.train(train)
    assert_layer_parity(ours, theirs, [rng.standard_normal(shape) * 3 + 1])
    assert_same_state(ours, theirs)


@pytest.mark.parametrize("momentum", [0.1, 0.5, None], ids=lambda m: f"momentum={m}")
@pytest.mark.parametrize("name, shape", [("BatchNorm1d", (8, 3)), ("BatchNorm2d", (4, 3, 3, 2))])
def test_batchnorm_running_stats_follow_torch_over_training_steps(name, shape, momentum, rng):
    ours, theirs = twins(name, 3, momentum=momentum)
    for step in range(5):
        batch = rng.standard_normal(shape) * (step + 1) + step
        out = ours(glassnet.tensor(batch))
        expected = theirs(torch.tensor(batch))
        numpy.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
        assert int(ours.num_batches_tracked.item()) == step + 1
        assert_same_state(ours, theirs)
    # eval uses the running statistics: same as torch and as the formula
    ours.eval()
    theirs.eval()
    batch = rng.standard_normal(shape)
    assert_layer_parity(ours, theirs, [batch])
    view = (1, 3) + (1,) * (len(shape) - 2)
    mean, var = ours.running_mean.data.reshape(view), ours.running_var.data.reshape(view)
    formula = (batch - mean) / numpy.sqrt(var + ours.eps) * ours.weight.data.reshape(
        view
    ) + ours.bias.data.reshape(view)
    numpy.testing.assert_allclose(
        ours(glassnet.tensor(batch)).data, formula, rtol=1e-10, atol=1e-12
    )
    assert int(ours.num_batches_tracked.item()) == 5  # eval does not count


def test_batchnorm_momentum_none_is_the_cumulative_average(rng):
    layer = nn.BatchNorm1d(2, momentum=None).double()
    batches = [rng.standard_normal((10, 2)) * scale for scale in (1.0, 2.0, 3.0)]
    for batch in batches:
        layer(glassnet.tensor(batch))
    numpy.testing.assert_allclose(
        layer.running_mean.data, numpy.mean([b.mean(axis=0) for b in batches], axis=0), rtol=1e-12
    )
    numpy.testing.assert_allclose(
        layer.running_var.data,
        numpy.mean([b.var(axis=0, ddof=1) for b in batches], axis=0),
        rtol=1e-12,
    )


def test_batchnorm_without_running_stats_uses_batch_stats_in_eval_too(rng):
    ours, theirs = twins("BatchNorm2d", 3, track_running_stats=False)
    assert ours.running_mean is None and ours.num_batches_tracked is None
    batch = rng.standard_normal((4, 3, 2, 2))
    training = ours(glassnet.tensor(batch)).data
    ours.eval()
    theirs.eval()
    numpy.testing.assert_array_equal(ours(glassnet.tensor(batch)).data, training)
    assert_layer_parity(ours, theirs, [batch])


def test_batchnorm_num_batches_tracked_is_an_int64_scalar_that_survives_to_double():
    layer = nn.BatchNorm2d(3)
    state = layer.state_dict()
    assert (
        state["num_batches_tracked"].shape == ()
        and state["num_batches_tracked"].dtype == glassnet.int64
    )
    layer.double()
    assert (
        layer.num_batches_tracked.dtype == glassnet.int64
        and layer.running_mean.dtype == glassnet.float64
    )
    layer(glassnet.randn(2, 3, 2, 2).double())
    assert int(state["num_batches_tracked"].item()) == 1  # the state dict shares the buffer


def test_batchnorm_reset_running_stats():
    layer = nn.BatchNorm1d(3)
    layer(glassnet.randn(4, 3) * 5 + 2)
    layer.reset_running_stats()
    assert numpy.all(layer.running_mean.data == 0) and numpy.all(layer.running_var.data == 1)
    assert int(layer.num_batches_tracked.item()) == 0


def test_batchnorm_loads_a_state_dict_without_num_batches_tracked_as_torch():
    ours, theirs = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    ours.num_batches_tracked.data[...] = 7
    old = {k: v for k, v in theirs.state_dict().items() if k != "num_batches_tracked"}
    assert ours.load_state_dict(old).missing_keys == []
    theirs.load_state_dict(old)
    assert int(ours.num_batches_tracked.item()) == 7


def test_batchnorm_inside_a_model_switches_with_train_and_eval(rng):
    def model(lib):
        # the Tanh before the BatchNorm keeps the first bias's gradient non-zero
        return lib.nn.Sequential(
            lib.nn.Linear(4, 3), lib.nn.Tanh(), lib.nn.BatchNorm1d(3), lib.nn.Linear(3, 2)
        )

    theirs = model(torch).double()
    ours = model(glassnet).double()
    ours.load_state_dict(theirs.state_dict())
    for _ in range(3):
        assert_layer_parity(ours, theirs, [rng.standard_normal((6, 4))])
        for module in (ours, theirs):
            module.zero_grad()
    ours.eval()
    theirs.eval()
    assert_layer_parity(ours, theirs, [rng.standard_normal((6, 4))])
    assert_same_state(ours, theirs)


def test_batchnorm_float32_matches_torch(rng):
    ours, theirs = twins("BatchNorm2d", 4, dtype="float32")
    assert_layer_parity(ours, theirs, [rng.standard_normal((3, 4, 5, 5))], dtype="float32")
    mine, reference = ours.running_var.data, theirs.running_var.numpy()
    assert mine.dtype == numpy.float32
    numpy.testing.assert_allclose(mine, reference, rtol=1e-5)


OTHER_NORMS = [
    ("LayerNorm", (5,), {}, (3, 5)),
    ("LayerNorm", ((3, 4),), {"eps": 1e-3}, (2, 2, 3, 4)),
    ("LayerNorm", (4,), {"bias": False}, (2, 3, 4)),
    ("LayerNorm", (4,), {"elementwise_affine": False}, (2, 3, 4)),
    ("GroupNorm", (2, 6), {}, (3, 6, 4)),
    ("GroupNorm", (3, 6), {"affine": False}, (2, 6, 2, 3)),
    ("GroupNorm", (1, 4), {"bias": False}, (2, 4)),
]


@pytest.mark.parametrize("name, args, kwargs, shape", OTHER_NORMS, ids=str)
def test_layer_and_group_norm_match_torch_in_train_and_eval(name, args, kwargs, shape, rng):
    ours, theirs = twins(name, *args, **kwargs)
    randomise_affine(ours, theirs, rng)
    assert_layer_parity(ours, theirs, [rng.standard_normal(shape) * 2 - 1])
    ours.eval()
    theirs.eval()
    assert_layer_parity(ours, theirs, [rng.standard_normal(shape)])
    assert_same_state(ours, theirs)


NORM_ERRORS = [
    (
        lambda: nn.BatchNorm2d(0),
        ValueError,
        r"BatchNorm2d: num_features must be a positive int, got num_features=0",
    ),
    (
        lambda: nn.BatchNorm1d(3, eps=-1),
        ValueError,
        r"BatchNorm1d: eps must be a number >= 0.0, got eps=-1",
    ),
    (
        lambda: nn.BatchNorm1d(3, momentum="0.1"),
        ValueError,
        r"BatchNorm1d: momentum must be a number",
    ),
    (
        lambda: nn.GroupNorm(4, 6),
        ValueError,
        r"GroupNorm: num_channels \(6\) must be divisible by num_groups \(4\)",
    ),
    (
        lambda: nn.LayerNorm("4"),
        ValueError,
        r"LayerNorm: normalized_shape must be an int or a tuple of "
        r"non-negative ints, got normalized_shape='4'",
    ),
]


@pytest.mark.parametrize(
    "make, error, message", NORM_ERRORS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_bad_norm_arguments_name_the_argument(make, error, message):
    with pytest.raises(error, match=message):
        make()


NORM_FORWARD_ERRORS = [
    (
        nn.BatchNorm2d(3),
        (2, 3, 4),
        r"BatchNorm2d\(3, eps=1e-05, momentum=0.1, affine=True, bias=True, "
        r"track_running_stats=True\): expected 4D input \(N, C, H, W\), got 3D input of "
        r"shape \(2, 3, 4\)",
    ),
    (
        nn.BatchNorm1d(3),
        (4, 5),
        r"BatchNorm1d\(3, .*\): expected input with 3 channels \(num_features\) in dim 1, "
        r"got input of shape \(4, 5\)",
    ),
    (
        nn.BatchNorm1d(3),
        (1, 3),
        r"batch_norm: Expected more than 1 value per channel when training",
    ),
    (
        nn.LayerNorm((2, 3)),
        (4, 3, 2),
        r"LayerNorm\(\(2, 3\), .*\): expected input of shape \(\*, 2, 3\) \(ending in "
        r"normalized_shape\), got input of shape \(4, 3, 2\)",
    ),
    (
        nn.GroupNorm(2, 4),
        (3, 6),
        r"GroupNorm\(2, 4, .*\): expected input of shape \(N, 4, \*\) \(4 channels = "
        r"num_channels\), got input of shape \(3, 6\)",
    ),
]


@pytest.mark.parametrize("layer, shape, message", NORM_FORWARD_ERRORS, ids=lambda v: str(v)[:30])
def test_norm_forward_errors_name_the_layer_and_the_shape(layer, shape, message):
    with pytest.raises(ValueError, match=message):
        layer(glassnet.randn(*shape))
