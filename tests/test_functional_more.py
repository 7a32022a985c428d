"""Issue 18's functional ops: activations, losses, distances, instance_norm.

Torch parity (forward and every gradient, float64 and float32), gradcheck, stability at
|x| = 1e4 for the activations, and clear errors.
"""

from __future__ import annotations

import numpy
import pytest
import torch

import glassnet
import glassnet.nn.functional as F
from helpers import assert_gradcheck, assert_parity, assert_stable
from test_activation import EXTREME, _away_from_kinks

ACTIVATIONS = {
    "relu6": lambda lib, x: lib.nn.functional.relu6(x * 3),
    "selu": lambda lib, x: lib.nn.functional.selu(x),
    "celu": lambda lib, x: lib.nn.functional.celu(x),
    "celu_alpha_0.5": lambda lib, x: lib.nn.functional.celu(x, alpha=0.5),
    "celu_alpha_0.7": lambda lib, x: lib.nn.functional.celu(x, 0.7),
    "mish": lambda lib, x: lib.nn.functional.mish(x),
    "hardswish": lambda lib, x: lib.nn.functional.hardswish(x * 2),
    "hardsigmoid": lambda lib, x: lib.nn.functional.hardsigmoid(x * 2),
    "glu": lambda lib, x: lib.nn.functional.glu(x),
    "glu_dim0": lambda lib, x: lib.nn.functional.glu(x, 0),
    "logsigmoid": lambda lib, x: lib.nn.functional.logsigmoid(x),
    "softmin": lambda lib, x: lib.nn.functional.softmin(x, 1),
    "softmin_dtype": lambda lib, x: lib.nn.functional.softmin(x, dim=0, dtype=lib.float64),
}


# torch's hardsigmoid backward multiplies by 1/6 rounded to float32 (relative error 3e-8), and its
# celu backward for alpha = 0.7 is off exp(x / alpha) by ~5e-9 relative; forwards agree to 1e-8
RTOL = {"hardsigmoid": 1e-7, "celu_alpha_0.7": 1e-7}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_matches_torch(name, rng):
    assert_parity(ACTIVATIONS[name], [_away_from_kinks(rng, (4, 6))], rtol=RTOL.get(name))
    assert_parity(ACTIVATIONS[name], [_away_from_kinks(rng, (2, 4, 2))], dtype="float32")


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_gradcheck(name, rng):
    assert_gradcheck(ACTIVATIONS[name], [_away_from_kinks(rng, (4, 6))])


@pytest.mark.parametrize(
    "name", [n for n in ACTIVATIONS if not n.startswith(("glu", "softmin_dtype"))]
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_activation_is_stable_at_extreme_inputs(name, dtype):
    assert_stable(
        ACTIVATIONS[name],
        [EXTREME],
        dtype=dtype,
        rtol=RTOL.get(name) if dtype == "float64" else None,
    )


def test_glu_is_stable_at_extreme_inputs():
    assert_stable(lambda lib, x: lib.nn.functional.glu(x, 0), [EXTREME])


R = numpy.random.default_rng(11)
A, B, C = (R.standard_normal((5, 4)) for _ in range(3))
SIGNS = numpy.array([1.0, -1.0, 1.0, 1.0, -1.0])
FAR = A * 3  # errors both inside and beyond huber's delta
LOSSES = {
    "huber": (lambda lib, x, t: lib.nn.functional.huber_loss(x, t), [FAR, B]),
    "huber_delta_sum": (lambda lib, x, t: lib.nn.functional.huber_loss(x, t, "sum", 0.5), [FAR, B]),
    "huber_none": (
        lambda lib, x, t: lib.nn.functional.huber_loss(x, t, reduction="none", delta=2.0),
        [FAR, B],
    ),
    "huber_weight": (
        lambda lib, x, t, w: lib.nn.functional.huber_loss(x, t, weight=w),
        [FAR, B, numpy.abs(C)],
    ),
    "margin_ranking": (
        lambda lib, a, b, y: lib.nn.functional.margin_ranking_loss(a, b, y),
        [A[:, 0], B[:, 0], SIGNS],
    ),
    "margin_ranking_margin_sum": (
        lambda lib, a, b, y: lib.nn.functional.margin_ranking_loss(
            a, b, y, margin=0.5, reduction="sum"
        ),
        [A[:, 0], B[:, 0], SIGNS],
    ),
    "margin_ranking_none": (
        lambda lib, a, b, y: lib.nn.functional.margin_ranking_loss(a, b, y, 0.3, reduction="none"),
        [A[:, 0], B[:, 0], SIGNS],
    ),
    "triplet": (lambda lib, a, p, n: lib.nn.functional.triplet_margin_loss(a, p, n), [A, B, C]),
    "triplet_p1_swap_sum": (
        lambda lib, a, p, n: lib.nn.functional.triplet_margin_loss(
            a, p, n, margin=2.0, p=1, swap=True, reduction="sum"
        ),
        [A, B, C],
    ),
    "triplet_none_1d": (
        lambda lib, a, p, n: lib.nn.functional.triplet_margin_loss(a, p, n, reduction="none"),
        [A[0], B[0], C[0]],
    ),
    "normalize": (lambda lib, x: lib.nn.functional.normalize(x), [A]),
    "normalize_p1_dim0": (lambda lib, x: lib.nn.functional.normalize(x, p=1, dim=0), [A]),
    "normalize_p3": (lambda lib, x: lib.nn.functional.normalize(x, 3.0, -1), [A]),
    "normalize_inf": (lambda lib, x: lib.nn.functional.normalize(x, float("inf")), [A]),
    "normalize_tiny_vector_uses_eps": (
        lambda lib, x: lib.nn.functional.normalize(x, eps=1e-3),
        [numpy.array([[1e-4, -2e-4], [3.0, 4.0]])],
    ),
    "cosine_similarity": (lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b), [A, B]),
    "cosine_similarity_dim0_broadcast": (
        lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, dim=0),
        [A, B[:, :1]],
    ),
    "cosine_similarity_3d": (
        lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, -1),
        [R.standard_normal((2, 3, 4)), R.standard_normal((2, 3, 4))],
    ),
    "pairwise_distance": (lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b), [A, B]),
    "pairwise_distance_p1_keepdim": (
        lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, p=1.0, keepdim=True),
        [A, B],
    ),
    "pairwise_distance_broadcast": (
        lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b),
        [A, B[0]],
    ),
}


@pytest.mark.parametrize("name", LOSSES)
def test_loss_and_distance_match_torch(name):
    fn, arrays = LOSSES[name]
    assert_parity(fn, arrays)
    assert_parity(fn, arrays, dtype="float32")


@pytest.mark.parametrize("name", LOSSES)
def test_loss_and_distance_gradcheck(name):
    fn, arrays = LOSSES[name]
    assert_gradcheck(fn, arrays)


X_IN = R.standard_normal((3, 4, 5, 6))
INSTANCE = {
    "plain_2d": (lambda lib, x: lib.nn.functional.instance_norm(x), [X_IN]),
    "affine_1d": (
        lambda lib, x, w, b: lib.nn.functional.instance_norm(x, weight=w, bias=b, eps=1e-3),
        [X_IN[:, :, 0], R.standard_normal(4), R.standard_normal(4)],
    ),
}


@pytest.mark.parametrize("name", INSTANCE)
def test_instance_norm_matches_torch_and_gradcheck(name):
    fn, arrays = INSTANCE[name]
    assert_parity(fn, arrays)
    assert_gradcheck(fn, arrays)


def test_instance_norm_updates_running_stats_like_torch():
    mean, var = numpy.zeros(4), numpy.ones(4)
    ours = [glassnet.tensor(mean.copy()), glassnet.tensor(var.copy())]
    theirs = [torch.tensor(mean.copy()), torch.tensor(var.copy())]
    for _ in range(2):
        F.instance_norm(glassnet.tensor(X_IN), *ours, momentum=0.2)
        torch.nn.functional.instance_norm(torch.tensor(X_IN), *theirs, momentum=0.2)
    for mine, reference in zip(ours, theirs):
        numpy.testing.assert_allclose(mine.data, reference.numpy(), rtol=1e-12)
    # use_input_stats=False normalises with the running statistics
    running = R.standard_normal(4), numpy.abs(R.standard_normal(4)) + 0.5
    assert_parity(
        lambda lib, x: lib.nn.functional.instance_norm(
            x, lib.tensor(running[0]), lib.tensor(running[1]), use_input_stats=False
        ),
        [X_IN],
    )


ERRORS = [
    (lambda: F.glu(glassnet.ones(2, 3)), r"glu: dim 1 of input shape \(2, 3\) has odd size 3"),
    (lambda: F.celu(glassnet.ones(2), alpha=0.0), r"celu: alpha must be non-zero"),
    (
        lambda: F.huber_loss(glassnet.ones(2), glassnet.ones(2), delta=0),
        r"huber_loss: delta must be positive",
    ),
    (lambda: F.huber_loss(glassnet.ones(2), glassnet.ones(2), reduction="avg"), r"reduction"),
    (
        lambda: F.margin_ranking_loss(glassnet.ones(2), glassnet.ones(2, 1), glassnet.ones(2)),
        r"margin_ranking_loss: input1, input2 and target must have the same number of dims",
    ),
    (
        lambda: F.triplet_margin_loss(glassnet.ones(2, 3), glassnet.ones(3), glassnet.ones(2, 3)),
        r"triplet_margin_loss: anchor, positive and negative must all be 1-D or all 2-D",
    ),
    (lambda: F.normalize(glassnet.ones(2, 3), p=0), r"normalize: p must be positive"),
    (
        lambda: F.cosine_similarity(glassnet.ones(2, 3), glassnet.ones(2, 4)),
        r"cosine_similarity: shapes do not broadcast",
    ),
    (lambda: F.instance_norm(glassnet.ones(2, 3)), r"instance_norm: input must be \(N, C, \*\)"),
    (
        lambda: F.instance_norm(glassnet.ones(2, 3, 1)),
        r"instance_norm: expected more than 1 spatial element",
    ),
    (
        lambda: F.instance_norm(glassnet.ones(2, 3, 4), weight=glassnet.ones(2)),
        r"instance_norm: weight must have shape \(3,\)",
    ),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_bad_input_raises_a_clear_error(index):
    call, pattern = ERRORS[index]
    with pytest.raises(ValueError, match=pattern):
        call()
