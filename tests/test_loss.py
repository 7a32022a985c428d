"""Losses: parity with torch over option tables (float64 and float32), gradcheck, stability at
logits of 1e4, torch's edge rules (weighted means, label smoothing, ignore_index) and errors."""

from __future__ import annotations

import itertools
import warnings

import numpy
import pytest
from hypothesis import given
from hypothesis import strategies as st

import glassnet
import glassnet.nn.functional as F
from helpers import assert_gradcheck, assert_parity, assert_stable

# -- cross_entropy and nll_loss with class-index targets ------------------------------

LAYOUTS = {"batch": (4, 5), "single": (5,), "spatial": (2, 3, 2, 2)}


def _labels(rng, shape, ignore_index):
    """Class indices for `shape` (class dim 1, or 0 for a single sample), with ignore_index present."""
    classes = shape[0] if len(shape) == 1 else shape[1]
    positions = shape[:0] if len(shape) == 1 else shape[:1] + shape[2:]
    labels = rng.integers(0, classes, positions)
    if labels.ndim and ignore_index is not None:
        labels.reshape(-1)[1] = ignore_index
    return labels, classes


def _like(lib, x, array):
    """A constant tensor of `array` in x's dtype, in either library."""
    return lib.tensor(numpy.asarray(array, dtype=str(x.dtype).replace("torch.", "")))


def _class_weight(lib, weight, dtype):
    return None if weight is None else lib.tensor(weight.astype(dtype))


INDEX_CASES = list(
    itertools.product(LAYOUTS, ["mean", "sum", "none"], [False, True], [None, -100, 2], [0.0, 0.2])
)


def _index_case(rng, layout, weighted, ignore_index):
    labels, classes = _labels(rng, LAYOUTS[layout], ignore_index)
    weight = rng.uniform(0.3, 2.0, classes) if weighted else None
    return labels, weight


def _cross_entropy(labels, weight, dtype, **options):
    def fn(lib, x):
        return lib.nn.functional.cross_entropy(
            x, lib.tensor(labels), weight=_class_weight(lib, weight, dtype), **options
        )

    return fn


def _options(reduction, ignore_index, smoothing=None):
    options = {"reduction": reduction}
    if ignore_index is not None:
        options["ignore_index"] = ignore_index
    if smoothing is not None:
        options["label_smoothing"] = smoothing
    return options


@pytest.mark.parametrize("layout,reduction,weighted,ignore_index,smoothing", INDEX_CASES, ids=str)
def test_cross_entropy_class_indices_match_torch(
    layout, reduction, weighted, ignore_index, smoothing, rng
):
    labels, weight = _index_case(rng, layout, weighted, ignore_index)
    x = rng.standard_normal(LAYOUTS[layout]) * 2
    fn = _cross_entropy(labels, weight, "float64", **_options(reduction, ignore_index, smoothing))
    assert_parity(fn, [x])
    assert_gradcheck(fn, [x])
    assert_parity(
        _cross_entropy(labels, weight, "float32", **_options(reduction, ignore_index, smoothing)),
        [x],
        dtype="float32",
    )


PROB_CASES = list(itertools.product(LAYOUTS, ["mean", "sum", "none"], [False, True], [0.0, 0.15]))


@pytest.mark.parametrize("layout,reduction,weighted,smoothing", PROB_CASES, ids=str)
def test_cross_entropy_probability_targets_match_torch_with_target_grad(
    layout, reduction, weighted, smoothing, rng
):
    shape = LAYOUTS[layout]
    class_dim = 0 if len(shape) == 1 else 1
    x = rng.standard_normal(shape) * 2
    q = rng.uniform(0.1, 1.0, shape)
    q /= q.sum(axis=class_dim, keepdims=True)
    weight = rng.uniform(0.3, 2.0, shape[class_dim]) if weighted else None
    for dtype in ("float64", "float32"):

        def fn(lib, x, q, dtype=dtype):
            return lib.nn.functional.cross_entropy(
                x,
                q,
                weight=_class_weight(lib, weight, dtype),
                reduction=reduction,
                label_smoothing=smoothing,
            )

        assert_parity(fn, [x, q], dtype=dtype)
    assert_gradcheck(fn, [x, q])


NLL_CASES = list(itertools.product(LAYOUTS, ["mean", "sum", "none"], [False, True], [None, 1]))


@pytest.mark.parametrize("layout,reduction,weighted,ignore_index", NLL_CASES, ids=str)
def test_nll_loss_matches_torch(layout, reduction, weighted, ignore_index, rng):
    labels, weight = _index_case(rng, layout, weighted, ignore_index)
    x = rng.standard_normal(LAYOUTS[layout])
    for dtype in ("float64", "float32"):

        def fn(lib, x, dtype=dtype):
            return lib.nn.functional.nll_loss(
                x,
                lib.tensor(labels),
                weight=_class_weight(lib, weight, dtype),
                **_options(reduction, ignore_index),
            )

        assert_parity(fn, [x], dtype=dtype)
    assert_gradcheck(fn, [x])


@given(
    batch=st.integers(1, 4),
    classes=st.integers(2, 6),
    spatial=st.sampled_from([(), (3,), (2, 2)]),
    reduction=st.sampled_from(["mean", "sum", "none"]),
    weighted=st.booleans(),
    smoothing=st.sampled_from([0.0, 0.05, 0.5, 1.0]),
    seed=st.integers(0, 2**16),
)
def test_cross_entropy_matches_torch_on_random_layouts(
    batch, classes, spatial, reduction, weighted, smoothing, seed
):
    rng = numpy.random.default_rng(seed)
    shape = (batch, classes) + spatial
    labels = rng.integers(0, classes, (batch,) + spatial)
    labels.reshape(-1)[
        0
    ] = -100  # one ignored target (the mean is nan, as in torch, when it is the only one)
    weight = rng.uniform(0.3, 2.0, classes) if weighted else None
    x = rng.standard_normal(shape) * 3
    assert_parity(
        _cross_entropy(labels, weight, "float64", reduction=reduction, label_smoothing=smoothing),
        [x],
    )


def test_cross_entropy_equals_nll_of_log_softmax(rng):
    x = glassnet.tensor(rng.standard_normal((6, 4)))
    labels = glassnet.tensor(rng.integers(0, 4, 6))
    fused = F.cross_entropy(x, labels).item()
    composed = F.nll_loss(F.log_softmax(x, dim=1), labels).item()
    assert fused == pytest.approx(composed, rel=1e-12)


def test_weighted_mean_divides_by_the_weights_of_kept_targets():
    x = glassnet.tensor(numpy.zeros((3, 2)))  # every log-probability is log(1/2)
    labels = glassnet.tensor(numpy.array([0, 1, -100]))
    weight = glassnet.tensor(numpy.array([1.0, 3.0]))
    assert F.cross_entropy(x, labels, weight=weight).item() == pytest.approx(
        numpy.log(2)
    )  # (1+3) log2 / (1+3)
    assert F.cross_entropy(x, labels, weight=weight, reduction="sum").item() == pytest.approx(
        4 * numpy.log(2)
    )


@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("op", ["cross_entropy", "nll_loss"])
def test_mean_with_every_target_ignored_is_nan_with_zero_grad_as_in_torch(op, smoothing):
    x = numpy.random.default_rng(0).standard_normal((3, 4))
    labels = numpy.full(3, -100)
    options = {"label_smoothing": smoothing} if op == "cross_entropy" else {}
    fn = lambda lib, x: getattr(lib.nn.functional, op)(x, lib.tensor(labels), **options)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert numpy.isnan(fn(glassnet, glassnet.tensor(x)).item())
        assert_parity(fn, [x])  # nan == nan here, and both gradients are 0


def test_legacy_size_average_and_reduce_pick_the_reduction(rng):
    x, labels = rng.standard_normal((4, 3)), rng.integers(0, 3, 4)
    for legacy in (
        {"size_average": False},
        {"reduce": False},
        {"size_average": True, "reduce": True},
    ):
        with pytest.warns(UserWarning, match="size_average and reduce"):
            assert_parity(
                lambda lib, x: lib.nn.functional.cross_entropy(x, lib.tensor(labels), **legacy), [x]
            )


# -- element-wise losses ------------------------------------------------------------------


def _unit(rng, shape):
    return rng.uniform(0.05, 0.95, shape)


def _kl_mean(lib, x, t):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both libraries warn that 'mean' is not the true KL
        return lib.nn.functional.kl_div(x, t, reduction="mean")


# name: (fn(lib, *inputs), inputs(rng, shape))
POINTWISE = {
    "mse": (
        lambda lib, x, t, r: lib.nn.functional.mse_loss(x, t, reduction=r),
        lambda rng, s: [rng.standard_normal(s), rng.standard_normal(s)],
    ),
    "mse_weight": (
        lambda lib, x, t, w, r: lib.nn.functional.mse_loss(x, t, reduction=r, weight=w),
        lambda rng, s: [rng.standard_normal(s), rng.standard_normal(s), rng.uniform(0.2, 2, s)],
    ),
    "l1": (
        lambda lib, x, t, r: lib.nn.functional.l1_loss(x, t, reduction=r),
        lambda rng, s: [rng.standard_normal(s), rng.standard_normal(s)],
    ),
    "l1_weight": (
        lambda lib, x, t, w, r: lib.nn.functional.l1_loss(x, t, reduction=r, weight=w),
        lambda rng, s: [rng.standard_normal(s), rng.standard_normal(s), rng.uniform(0.2, 2, s)],
    ),
    "smooth_l1": (
        lambda lib, x, t, r: lib.nn.functional.smooth_l1_loss(x, t, reduction=r),
        lambda rng, s: [rng.standard_normal(s) * 1.5, rng.standard_normal(s)],
    ),
    "smooth_l1_beta_0.4": (
        lambda lib, x, t, r: lib.nn.functional.smooth_l1_loss(x, t, reduction=r, beta=0.4),
        lambda rng, s: [rng.standard_normal(s), rng.standard_normal(s)],
    ),
    "smooth_l1_beta_0": (
        lambda lib, x, t, r: lib.nn.functional.smooth_l1_loss(x, t, reduction=r, beta=0.0),
        lambda rng, s: [rng.standard_normal(s), rng.standard_normal(s)],
    ),
    "bce": (
        lambda lib, x, t, r: lib.nn.functional.binary_cross_entropy(x, t, reduction=r),
        lambda rng, s: [_unit(rng, s), _unit(rng, s)],
    ),
    "bce_hard_targets": (
        lambda lib, x, t, r: lib.nn.functional.binary_cross_entropy(x, t, reduction=r),
        lambda rng, s: [_unit(rng, s), rng.integers(0, 2, s).astype(float)],
    ),
    "bce_weight": (
        lambda lib, x, t, r: lib.nn.functional.binary_cross_entropy(
            x, t, reduction=r, weight=_like(lib, x, numpy.linspace(0.5, 2.0, x.shape[-1]))
        ),
        lambda rng, s: [_unit(rng, s), _unit(rng, s)],
    ),
    "bce_logits": (
        lambda lib, x, t, r: lib.nn.functional.binary_cross_entropy_with_logits(x, t, reduction=r),
        lambda rng, s: [rng.standard_normal(s) * 3, _unit(rng, s)],
    ),
    "bce_logits_weight_pos_weight": (
        lambda lib, x, t, r: lib.nn.functional.binary_cross_entropy_with_logits(
            x,
            t,
            reduction=r,
            weight=_like(lib, x, numpy.linspace(0.5, 2.0, x.shape[-1])),
            pos_weight=_like(lib, x, numpy.linspace(3.0, 0.5, x.shape[-1])),
        ),
        lambda rng, s: [rng.standard_normal(s) * 3, _unit(rng, s)],
    ),
    "kl_div": (
        lambda lib, x, t, r: (
            _kl_mean(lib, x, t) if r == "mean" else lib.nn.functional.kl_div(x, t, reduction=r)
        ),
        lambda rng, s: [numpy.log(_unit(rng, s)), _unit(rng, s)],
    ),
    "kl_div_log_target": (
        lambda lib, x, t, r: lib.nn.functional.kl_div(
            x, t, reduction="batchmean" if r == "mean" else r, log_target=True
        ),
        lambda rng, s: [numpy.log(_unit(rng, s)), numpy.log(_unit(rng, s))],
    ),
    "kl_div_batchmean": (
        lambda lib, x, t, r: lib.nn.functional.kl_div(x, t, reduction="batchmean"),
        lambda rng, s: [numpy.log(_unit(rng, s)), _unit(rng, s)],
    ),
}
POINTWISE_SHAPES = [(4, 5), (2, 3, 4), (6,)]


@pytest.mark.parametrize("shape", POINTWISE_SHAPES, ids=str)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", POINTWISE)
def test_pointwise_loss_matches_torch_with_target_grad(name, reduction, shape, rng):
    fn, make = POINTWISE[name]
    inputs = make(rng, shape)
    call = lambda lib, *tensors: fn(lib, *tensors, reduction)
    assert_parity(call, inputs)
    assert_parity(call, inputs, dtype="float32")
    assert_gradcheck(call, inputs)


@pytest.mark.parametrize(
    "name", ["mse", "l1", "smooth_l1", "bce", "bce_logits", "kl_div_log_target"]
)
def test_pointwise_loss_on_zero_dim_tensors(name, rng):
    fn, make = POINTWISE[name]
    inputs = [numpy.asarray(a) for a in make(rng, ())]
    for reduction in ("mean", "sum", "none"):
        assert_parity(lambda lib, *tensors: fn(lib, *tensors, reduction), inputs)


def test_mse_broadcast_target_warns_and_matches_torch(rng):
    x, t = rng.standard_normal((3, 4)), rng.standard_normal(4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert_parity(lambda lib, x, t: lib.nn.functional.mse_loss(x, t), [x, t])
    ours = [str(w.message) for w in caught if str(w.message).startswith("mse_loss:")]
    assert len(ours) == 1 and "target shape (4,) differs from input shape (3, 4)" in ours[0]


def test_kl_div_mean_warns_like_torch(rng):
    x, t = glassnet.tensor(rng.standard_normal((2, 3))), glassnet.tensor(_unit(rng, (2, 3)))
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(x, t)


def test_kl_div_batchmean_is_the_per_sample_kl(rng):
    p = _unit(rng, (3, 4))
    p /= p.sum(axis=1, keepdims=True)
    q = _unit(rng, (3, 4))
    q /= q.sum(axis=1, keepdims=True)
    expected = numpy.sum(p * numpy.log(p / q)) / 3
    ours = F.kl_div(glassnet.tensor(numpy.log(q)), glassnet.tensor(p), reduction="batchmean").item()
    assert ours == pytest.approx(expected, rel=1e-12)


def test_binary_cross_entropy_clamps_log_at_minus_100():
    x = glassnet.tensor(numpy.array([0.0, 1.0, 1e-50]))
    t = glassnet.tensor(numpy.array([1.0, 0.0, 1.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.binary_cross_entropy(x, t, reduction="none")
    numpy.testing.assert_array_equal(loss.data, [100.0, 100.0, 100.0])


def test_binary_cross_entropy_near_0_and_1_matches_torch():
    """The gradient's denominator x (1 - x) is clamped at 1e-12, as torch does."""
    x = numpy.array([1e-13, 1.0 - 1e-13, 1e-30, 0.3])
    t = numpy.array([0.0, 1.0, 0.2, 0.5])
    assert_parity(
        lambda lib, x, t: lib.nn.functional.binary_cross_entropy(x, t, reduction="sum"), [x, t]
    )


# -- stability at extreme logits ----------------------------------------------------------

EXTREME = numpy.array([[1e4, -1e4, 0.0, 3.0], [-1e4, 1e4, 2.0, -1e4], [0.5, 1e4, 1e4 - 1.0, -3.0]])
EXTREME_LABELS = numpy.array([1, 0, 2])
EXTREME_PROBS = numpy.array([[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25]])
STABLE = {
    "cross_entropy_index": lambda lib, x: lib.nn.functional.cross_entropy(
        x, lib.tensor(EXTREME_LABELS)
    ),
    "cross_entropy_index_smoothing": lambda lib, x: lib.nn.functional.cross_entropy(
        x, lib.tensor(EXTREME_LABELS), label_smoothing=0.1, reduction="none"
    ),
    "cross_entropy_probabilities": lambda lib, x: lib.nn.functional.cross_entropy(
        x, _like(lib, x, EXTREME_PROBS), label_smoothing=0.2
    ),
    "bce_logits": lambda lib, x: lib.nn.functional.binary_cross_entropy_with_logits(
        x, _like(lib, x, EXTREME_PROBS), reduction="none"
    ),
    "bce_logits_pos_weight": lambda lib, x: lib.nn.functional.binary_cross_entropy_with_logits(
        x, _like(lib, x, EXTREME_PROBS), pos_weight=_like(lib, x, [1.0, 2.0, 3.0, 0.5])
    ),
    "log_softmax_then_nll": lambda lib, x: lib.nn.functional.nll_loss(
        lib.nn.functional.log_softmax(x, 1), lib.tensor(EXTREME_LABELS), reduction="sum"
    ),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", STABLE)
def test_loss_is_stable_at_extreme_logits(name, dtype):
    assert_stable(STABLE[name], [EXTREME], dtype=dtype)


def test_cross_entropy_at_extreme_logits_has_exact_values():
    x = glassnet.tensor(numpy.array([[1e4, -1e4], [-1e4, 1e4]]), requires_grad=True)
    loss = F.cross_entropy(x, glassnet.tensor(numpy.array([1, 1])), reduction="none")
    loss.backward(numpy.ones(2))
    assert loss.tolist() == [2e4, 0.0]
    assert x.grad.tolist() == [[1.0, -1.0], [0.0, 0.0]]


# -- bad input -----------------------------------------------------------------------------


def _t(shape, dtype="float64"):
    return glassnet.tensor(numpy.full(shape, 0.5, dtype=dtype))


def _labels_tensor(values):
    return glassnet.tensor(numpy.array(values))


ERRORS = [
    (
        lambda: F.cross_entropy(_t((3, 5)), _labels_tensor([0, 1])),
        ValueError,
        r"cross_entropy: target shape \(2,\) does not match input shape \(3, 5\); class-index targets need shape \(3,\)",
    ),
    (
        lambda: F.cross_entropy(_t((3, 5)), _t((3, 4))),
        ValueError,
        r"cross_entropy: target shape \(3, 4\) does not match input shape \(3, 5\)",
    ),
    (
        lambda: F.cross_entropy(_t((3, 5)), _labels_tensor([0, 7, 1])),
        ValueError,
        r"cross_entropy: target value 7 is out of range for 5 classes",
    ),
    (
        lambda: F.nll_loss(_t((3, 5)), _labels_tensor([0, -1, 1])),
        ValueError,
        r"nll_loss: target value -1 is out of range for 5 classes \(expected 0 to 4, or ignore_index=-100\)",
    ),
    (
        lambda: F.cross_entropy(_t((3, 5)), _labels_tensor([0, 1, 1]), reduction="avg"),
        ValueError,
        r"cross_entropy: reduction='avg' is not valid; expected one of 'none', 'mean', 'sum'",
    ),
    (
        lambda: F.kl_div(_t((3, 5)), _t((3, 5)), reduction="batch"),
        ValueError,
        r"kl_div: reduction='batch' is not valid; expected one of 'none', 'mean', 'sum', 'batchmean'",
    ),
    (
        lambda: F.mse_loss(_t((3, 5)), _t((3, 5)), reduction="elementwise"),
        ValueError,
        r"mse_loss: reduction='elementwise' is not valid",
    ),
    (
        lambda: F.cross_entropy(_t((3, 5)), _labels_tensor([0, 1, 1]), weight=_t((4,))),
        ValueError,
        r"cross_entropy: weight has shape \(4,\) but input has 5 classes",
    ),
    (
        lambda: F.cross_entropy(_t((3, 5)), _labels_tensor([0, 1, 1]), label_smoothing=1.5),
        ValueError,
        r"cross_entropy: label_smoothing=1.5 must lie in \[0, 1\]",
    ),
    (
        lambda: F.cross_entropy(_t((3, 5)), _t((3, 5)), ignore_index=2),
        ValueError,
        r"cross_entropy: ignore_index=2 is not supported for probability targets",
    ),
    (
        lambda: F.nll_loss(_t((3, 5)), _t((3,))),
        TypeError,
        r"nll_loss: class-index targets must be integers",
    ),
    (
        lambda: F.binary_cross_entropy(_t((3, 4)), _t((4,))),
        ValueError,
        r"binary_cross_entropy: target shape \(4,\) must match input shape \(3, 4\)",
    ),
    (
        lambda: F.binary_cross_entropy_with_logits(_t((3, 4)), _t((3, 1))),
        ValueError,
        r"binary_cross_entropy_with_logits: target shape \(3, 1\) must match input shape \(3, 4\)",
    ),
    (
        lambda: F.binary_cross_entropy(glassnet.tensor(numpy.array([0.5, 1.5])), _t((2,))),
        ValueError,
        r"binary_cross_entropy: input values must lie in \[0, 1\].*found 1.5",
    ),
    (
        lambda: F.mse_loss(_t((3, 4)), _t((5,))),
        ValueError,
        r"mse_loss: target shape \(5,\) does not broadcast with input shape \(3, 4\)",
    ),
    (
        lambda: F.l1_loss(_t((3, 4)), _t((3, 4)), weight=_t((4,))),
        ValueError,
        r"l1_loss: weight shape \(4,\) must match input shape \(3, 4\)",
    ),
    (
        lambda: F.smooth_l1_loss(_t((3, 4)), _t((3, 4)), beta=-1.0),
        ValueError,
        r"smooth_l1_loss: beta=-1.0 must be non-negative",
    ),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_bad_input_raises_a_clear_error(index):
    call, error, pattern = ERRORS[index]
    with pytest.raises(error, match=pattern):
        call()
