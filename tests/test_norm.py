"""batch_norm, layer_norm, group_norm: values, gradients and running statistics against torch."""

from __future__ import annotations

import itertools

import numpy
import pytest

import glassnet
import glassnet.nn.functional as F
from helpers import assert_gradcheck, assert_parity

# ---------------------------------------------------------------- batch_norm

RANK_SHAPES = [(6, 3), (4, 3, 5), (3, 3, 2, 4)]  # (N, C), (N, C, L), (N, C, H, W)
BN_MODES = [  # (training, affine, running stats)
    (training, affine, running)
    for training, affine, running in itertools.product([True, False], [True, False], [True, False])
    if training or running  # eval mode needs running stats
]


def _batch_norm(training, affine, running, momentum=0.3, record=None):
    """fn(lib, x[, weight, bias]) for the helpers; `running` is (mean0, var0) arrays or None.

    Fresh running tensors are made inside, so each library updates its own; `record`
    keeps them to compare after the call.
    """

    def fn(lib, x, *params):
        stats = (
            (lib.tensor(running[0].copy()), lib.tensor(running[1].copy()))
            if running is not None
            else (None, None)
        )
        if record is not None:
            record[lib.__name__] = stats
        weight, bias = params if affine else (None, None)
        return lib.nn.functional.batch_norm(
            x, *stats, weight, bias, training=training, momentum=momentum
        )

    return fn


def _bn_inputs(rng, shape, affine, running, dtype="float64"):
    channels = shape[1]
    x = rng.standard_normal(shape) * 2.0 + 0.5
    params = [rng.standard_normal(channels), rng.standard_normal(channels)] if affine else []
    stats = None
    if running:
        stats = (
            rng.standard_normal(channels).astype(dtype),
            rng.uniform(0.5, 2.0, channels).astype(dtype),
        )
    return x, params, stats


def _assert_same_running_stats(record, rtol=1e-10):
    ours, theirs = record["glassnet"], record["torch"]
    for name, mine, reference in zip(("running_mean", "running_var"), ours, theirs):
        assert mine.dtype == numpy.dtype(str(reference.dtype).replace("torch.", "")), name
        numpy.testing.assert_allclose(
            mine.data, reference.numpy(), rtol=rtol, atol=rtol, err_msg=name
        )


@pytest.mark.parametrize("mode", BN_MODES, ids=lambda m: "train={}-affine={}-running={}".format(*m))
@pytest.mark.parametrize("shape", RANK_SHAPES, ids=str)
def test_batch_norm_matches_torch(shape, mode, rng):
    training, affine, running = mode
    x, params, stats = _bn_inputs(rng, shape, affine, running)
    record = {}
    assert_parity(_batch_norm(training, affine, stats, record=record), [x, *params])
    if running:
        _assert_same_running_stats(record)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", RANK_SHAPES, ids=str)
def test_batch_norm_matches_torch_float32(shape, training, rng):
    x, params, stats = _bn_inputs(rng, shape, True, True, dtype="float32")
    record = {}
    assert_parity(_batch_norm(training, True, stats, record=record), [x, *params], dtype="float32")
    _assert_same_running_stats(record, rtol=1e-5)


@pytest.mark.parametrize("mode", BN_MODES, ids=lambda m: "train={}-affine={}-running={}".format(*m))
@pytest.mark.parametrize("shape", [(5, 2), (3, 2, 4), (2, 2, 2, 3)], ids=str)
def test_batch_norm_gradcheck(shape, mode, rng):
    training, affine, running = mode
    x, params, stats = _bn_inputs(rng, shape, affine, running)
    assert_gradcheck(_batch_norm(training, affine, stats), [x, *params])


def test_batch_norm_train_updates_running_stats_with_unbiased_variance(rng):
    x = rng.standard_normal((4, 2, 3))
    running_mean = glassnet.tensor([1.0, -1.0], dtype="float64")
    running_var = glassnet.tensor([2.0, 3.0], dtype="float64")
    F.batch_norm(glassnet.tensor(x), running_mean, running_var, training=True, momentum=0.25)
    batch_mean = x.mean(axis=(0, 2))
    unbiased_var = x.var(axis=(0, 2), ddof=1)
    numpy.testing.assert_allclose(
        running_mean.data, 0.75 * numpy.array([1.0, -1.0]) + 0.25 * batch_mean
    )
    numpy.testing.assert_allclose(
        running_var.data, 0.75 * numpy.array([2.0, 3.0]) + 0.25 * unbiased_var
    )


def test_batch_norm_train_normalises_with_biased_batch_variance(rng):
    x = rng.standard_normal((8, 3)) * 3.0 + 2.0
    y = F.batch_norm(glassnet.tensor(x), None, None, training=True, eps=0.0).data
    numpy.testing.assert_allclose(y, (x - x.mean(axis=0)) / x.std(axis=0), rtol=1e-12)
    numpy.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-12)
    numpy.testing.assert_allclose(y.var(axis=0), 1.0, rtol=1e-12)


def test_batch_norm_eval_uses_running_stats_and_leaves_them(rng):
    x = rng.standard_normal((1, 3, 2))  # one sample: fine in eval mode
    mean, var = numpy.array([0.5, -1.0, 2.0]), numpy.array([4.0, 0.25, 1.0])
    weight, bias = numpy.array([2.0, -1.0, 0.5]), numpy.array([0.1, 0.2, 0.3])
    running_mean, running_var = glassnet.tensor(mean), glassnet.tensor(var)
    y = F.batch_norm(
        glassnet.tensor(x),
        running_mean,
        running_var,
        glassnet.tensor(weight),
        glassnet.tensor(bias),
        training=False,
        eps=1e-5,
    )
    expected = (x - mean[:, None]) / numpy.sqrt(var[:, None] + 1e-5) * weight[:, None] + bias[
        :, None
    ]
    numpy.testing.assert_allclose(y.data, expected, rtol=1e-12)
    numpy.testing.assert_array_equal(running_mean.data, mean)
    numpy.testing.assert_array_equal(running_var.data, var)


def test_batch_norm_train_and_eval_differ(rng):
    x = glassnet.tensor(rng.standard_normal((6, 2)) + 3.0)
    running_mean, running_var = (
        glassnet.zeros(2, dtype="float64"),
        glassnet.ones(2, dtype="float64"),
    )
    train = F.batch_norm(x, running_mean, running_var, training=True).data
    evaluated = F.batch_norm(x, running_mean, running_var, training=False).data
    assert numpy.abs(train - evaluated).max() > 0.5


def test_batch_norm_float32_stays_float32(rng):
    x = glassnet.tensor(rng.standard_normal((4, 3, 5)).astype("float32"), requires_grad=True)
    running_mean, running_var = glassnet.zeros(3), glassnet.ones(3)
    weight = glassnet.ones(3, requires_grad=True)
    y = F.batch_norm(
        x,
        running_mean,
        running_var,
        weight,
        glassnet.zeros(3),
        training=True,
        momentum=numpy.float64(0.1),
        eps=numpy.float64(1e-5),
    )  # NumPy scalars must not upcast
    y.backward(glassnet.ones(*y.shape))
    assert (
        y.dtype
        == x.grad.dtype
        == weight.grad.dtype
        == running_mean.dtype
        == running_var.dtype
        == glassnet.float32
    )
    evaluated = F.batch_norm(x, running_mean, running_var, weight, None, eps=numpy.float64(1e-5))
    assert evaluated.dtype == glassnet.float32
    assert (
        F.layer_norm(x, [5], eps=numpy.float64(1e-5)).dtype
        == F.group_norm(x, 3).dtype
        == glassnet.float32
    )


@pytest.mark.parametrize(
    "name, position", [("running_mean", 1), ("running_var", 2), ("weight", 3), ("bias", 4)]
)
def test_batch_norm_rejects_wrong_size_parameters(name, position):
    args = [
        glassnet.randn(4, 3),
        glassnet.zeros(3),
        glassnet.ones(3),
        glassnet.ones(3),
        glassnet.zeros(3),
    ]
    args[position] = glassnet.ones(5)
    with pytest.raises(
        ValueError, match=rf"batch_norm: {name} should contain 3 elements .*C=3.*got 5 .*\(4, 3\)"
    ):
        F.batch_norm(*args, training=True)


@pytest.mark.parametrize("shape", [(1, 3), (1, 3, 1, 1)], ids=str)
def test_batch_norm_rejects_one_value_per_channel_in_training(shape):
    message = (
        rf"Expected more than 1 value per channel when training, got input size \({shape[0]}, 3"
    )
    with pytest.raises(ValueError, match=message):
        F.batch_norm(glassnet.randn(*shape), None, None, training=True)
    F.batch_norm(
        glassnet.randn(*shape), glassnet.zeros(3), glassnet.ones(3), training=False
    )  # eval is fine


def test_batch_norm_errors():
    x = glassnet.randn(4, 3)
    with pytest.raises(
        ValueError,
        match="batch_norm: running_mean and running_var must be given in evaluation mode",
    ):
        F.batch_norm(x, None, None, training=False)
    with pytest.raises(
        ValueError, match="running_mean and running_var must either both be None or neither"
    ):
        F.batch_norm(x, glassnet.zeros(3), None, training=True)
    with pytest.raises(
        ValueError, match=r"batch_norm: input must have shape \(N, C, \*\), got shape \(3,\)"
    ):
        F.batch_norm(glassnet.randn(3), glassnet.zeros(3), glassnet.ones(3))
    with pytest.raises(TypeError, match="batch_norm: momentum must be a float, got None"):
        F.batch_norm(x, glassnet.zeros(3), glassnet.ones(3), training=True, momentum=None)
    with pytest.raises(TypeError, match="batch_norm: input must be floating point, got int64"):
        F.batch_norm(glassnet.tensor([[1, 2], [3, 4]]), None, None, training=True)


# ---------------------------------------------------------------- layer_norm

LN_CASES = [
    ((4, 5), [5]),
    ((2, 3, 4), [4]),
    ((2, 3, 4), [3, 4]),
    ((2, 3, 4, 5), [3, 4, 5]),
    ((6,), [6]),
]
AFFINE = ["none", "weight", "both"]


def _layer_norm(normalized_shape, affine):
    def fn(lib, x, *params):
        weight = params[0] if affine != "none" else None
        bias = params[1] if affine == "both" else None
        return lib.nn.functional.layer_norm(x, normalized_shape, weight, bias, eps=1e-5)

    return fn


def _ln_inputs(rng, shape, normalized_shape, affine):
    params = [
        rng.standard_normal(normalized_shape)
        for _ in range({"none": 0, "weight": 1, "both": 2}[affine])
    ]
    return [rng.standard_normal(shape) * 1.5 - 0.5, *params]


@pytest.mark.parametrize("affine", AFFINE)
@pytest.mark.parametrize("shape, normalized_shape", LN_CASES, ids=str)
def test_layer_norm_matches_torch(shape, normalized_shape, affine, rng):
    assert_parity(
        _layer_norm(normalized_shape, affine), _ln_inputs(rng, shape, normalized_shape, affine)
    )


@pytest.mark.parametrize("shape, normalized_shape", LN_CASES[:4], ids=str)
def test_layer_norm_matches_torch_float32(shape, normalized_shape, rng):
    inputs = _ln_inputs(rng, shape, normalized_shape, "both")
    assert_parity(_layer_norm(normalized_shape, "both"), inputs, dtype="float32")


@pytest.mark.parametrize("affine", AFFINE)
@pytest.mark.parametrize(
    "shape, normalized_shape", [((3, 4), [4]), ((2, 3, 4), [3, 4]), ((2, 2, 2, 3), [2, 3])], ids=str
)
def test_layer_norm_gradcheck(shape, normalized_shape, affine, rng):
    assert_gradcheck(
        _layer_norm(normalized_shape, affine), _ln_inputs(rng, shape, normalized_shape, affine)
    )


def test_layer_norm_int_normalized_shape_is_one_axis(rng):
    x = glassnet.tensor(rng.standard_normal((3, 5)))
    numpy.testing.assert_array_equal(F.layer_norm(x, 5).data, F.layer_norm(x, [5]).data)
    numpy.testing.assert_allclose(F.layer_norm(x, 5, eps=0.0).data.std(axis=1), 1.0, rtol=1e-12)


def test_layer_norm_errors():
    with pytest.raises(
        ValueError,
        match=r"layer_norm: Given normalized_shape=\[4\], expected input with shape "
        r"\[\*, 4\], but got input of shape \(4, 3\)",
    ):
        F.layer_norm(glassnet.randn(4, 3), [4])
    with pytest.raises(ValueError, match=r"normalized_shape=\[2, 3, 4\].*input of shape \(3, 4\)"):
        F.layer_norm(glassnet.randn(3, 4), [2, 3, 4])
    with pytest.raises(
        ValueError,
        match=r"layer_norm: Expected weight to be of same shape as normalized_shape, "
        r"but got weight of shape \(4,\) and normalized_shape=\[3\]",
    ):
        F.layer_norm(glassnet.randn(4, 3), [3], weight=glassnet.ones(4))
    with pytest.raises(ValueError, match=r"Expected bias .* shape \(2,\)"):
        F.layer_norm(glassnet.randn(4, 3), [3], bias=glassnet.ones(2))


# ---------------------------------------------------------------- group_norm

GN_CASES = [
    ((2, 6, 4), 1),
    ((2, 6, 4), 2),
    ((2, 6, 4), 3),
    ((2, 6, 4), 6),
    ((3, 4), 2),
    ((2, 4, 3, 3), 2),
]


def _group_norm(num_groups, affine):
    def fn(lib, x, *params):
        weight = params[0] if affine != "none" else None
        bias = params[1] if affine == "both" else None
        return lib.nn.functional.group_norm(x, num_groups, weight, bias)

    return fn


def _gn_inputs(rng, shape, affine):
    params = [
        rng.standard_normal(shape[1]) for _ in range({"none": 0, "weight": 1, "both": 2}[affine])
    ]
    return [rng.standard_normal(shape) + 1.0, *params]


@pytest.mark.parametrize("affine", AFFINE)
@pytest.mark.parametrize("shape, num_groups", GN_CASES, ids=str)
def test_group_norm_matches_torch(shape, num_groups, affine, rng):
    assert_parity(_group_norm(num_groups, affine), _gn_inputs(rng, shape, affine))


@pytest.mark.parametrize("shape, num_groups", GN_CASES[1:3] + GN_CASES[-1:], ids=str)
def test_group_norm_matches_torch_float32(shape, num_groups, rng):
    assert_parity(_group_norm(num_groups, "both"), _gn_inputs(rng, shape, "both"), dtype="float32")


@pytest.mark.parametrize("affine", AFFINE)
@pytest.mark.parametrize(
    "shape, num_groups", [((2, 4, 3), 2), ((2, 4, 3), 4), ((3, 4), 1), ((2, 4, 2, 2), 2)], ids=str
)
def test_group_norm_gradcheck(shape, num_groups, affine, rng):
    assert_gradcheck(_group_norm(num_groups, affine), _gn_inputs(rng, shape, affine))


def test_group_norm_with_one_group_is_layer_norm_over_channels_and_space(rng):
    x = glassnet.tensor(rng.standard_normal((2, 3, 4)))
    numpy.testing.assert_allclose(F.group_norm(x, 1).data, F.layer_norm(x, [3, 4]).data, rtol=1e-12)


def test_group_norm_errors():
    with pytest.raises(
        ValueError,
        match=r"group_norm: Expected number of channels in input to be divisible by "
        r"num_groups, but got input of shape \(2, 6, 4\) and num_groups=4",
    ):
        F.group_norm(glassnet.randn(2, 6, 4), 4)
    with pytest.raises(
        ValueError,
        match=r"group_norm: Expected weight to be a vector of size equal to the number "
        r"of channels in input \(6\), but got weight of shape \(5,\)",
    ):
        F.group_norm(glassnet.randn(2, 6, 4), 3, weight=glassnet.ones(5))
    with pytest.raises(
        ValueError, match=r"group_norm: Expected at least 2 dimensions .* shape \(6,\)"
    ):
        F.group_norm(glassnet.randn(6), 3)
    with pytest.raises(
        ValueError,
        match=r"group_norm: Expected more than 1 value per channel when training, "
        r"got input size \[1, 6\]",
    ):
        F.group_norm(glassnet.randn(1, 6), 6)
