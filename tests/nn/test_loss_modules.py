"""Loss modules: equal to glassnet's F.* with the same options and to torch.nn's module, per reduction."""

from __future__ import annotations

import warnings

import numpy
import pytest
import torch
from layer_twins import assert_layer_parity, constant

import glassnet

nn = glassnet.nn
F = glassnet.nn.functional


def softmax(x, axis=1):
    e = numpy.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def data(kind, rng):
    """(input, target) arrays for each kind of loss."""
    if kind == "classes":
        return rng.standard_normal((6, 4)), rng.integers(0, 4, size=6)
    if kind == "classes_2d":
        return rng.standard_normal((3, 4, 2, 2)), rng.integers(0, 4, size=(3, 2, 2))
    if kind == "log_probs":
        return numpy.log(softmax(rng.standard_normal((6, 4)))), rng.integers(0, 4, size=6)
    if kind == "probabilities":
        return rng.standard_normal((6, 4)), softmax(rng.standard_normal((6, 4)))
    if kind == "regression":
        return rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    if kind == "binary":
        return rng.uniform(0.05, 0.95, (5, 4)), rng.uniform(0, 1, (5, 4))
    if kind == "logits":
        return rng.standard_normal((5, 4)) * 3, (rng.uniform(0, 1, (5, 4)) > 0.5).astype(float)
    if kind == "kl":
        return numpy.log(softmax(rng.standard_normal((5, 4)))), softmax(rng.standard_normal((5, 4)))
    raise ValueError(kind)


CLASS_WEIGHT = numpy.array([0.5, 2.0, 1.0, 1.5])

# (module name, functional name, kind of data, options; arrays in options become tensors of each library)
LOSSES = [
    ("CrossEntropyLoss", "cross_entropy", "classes", {}),
    ("CrossEntropyLoss", "cross_entropy", "classes", {"weight": CLASS_WEIGHT, "ignore_index": 1}),
    (
        "CrossEntropyLoss",
        "cross_entropy",
        "classes",
        {"label_smoothing": 0.2, "weight": CLASS_WEIGHT},
    ),
    ("CrossEntropyLoss", "cross_entropy", "classes_2d", {}),
    ("CrossEntropyLoss", "cross_entropy", "probabilities", {"label_smoothing": 0.1}),
    ("NLLLoss", "nll_loss", "log_probs", {}),
    ("NLLLoss", "nll_loss", "log_probs", {"weight": CLASS_WEIGHT, "ignore_index": 2}),
    ("MSELoss", "mse_loss", "regression", {}),
    ("L1Loss", "l1_loss", "regression", {}),
    ("SmoothL1Loss", "smooth_l1_loss", "regression", {}),
    ("SmoothL1Loss", "smooth_l1_loss", "regression", {"beta": 0.4}),
    ("BCELoss", "binary_cross_entropy", "binary", {}),
    ("BCELoss", "binary_cross_entropy", "binary", {"weight": CLASS_WEIGHT}),
    ("BCEWithLogitsLoss", "binary_cross_entropy_with_logits", "logits", {}),
    (
        "BCEWithLogitsLoss",
        "binary_cross_entropy_with_logits",
        "logits",
        {"weight": CLASS_WEIGHT, "pos_weight": CLASS_WEIGHT[::-1].copy()},
    ),
    ("KLDivLoss", "kl_div", "kl", {}),
    ("KLDivLoss", "kl_div", "kl", {"log_target": True}),
]


def options_for(lib, options):
    return {
        key: (lib.tensor(value) if isinstance(value, numpy.ndarray) else value)
        for key, value in options.items()
    }


def reductions(name):
    return ("none", "mean", "sum", "batchmean") if name == "KLDivLoss" else ("none", "mean", "sum")


CASES = [
    pytest.param(
        name, function, kind, options, reduction, id=f"{name}-{reduction}-{sorted(options)}"
    )
    for name, function, kind, options in LOSSES
    for reduction in reductions(name)
]


@pytest.mark.parametrize("name, function, kind, options, reduction", CASES)
def test_loss_module_matches_torch_and_functional(name, function, kind, options, reduction, rng):
    x, target = data(kind, rng)
    if options.get("log_target"):
        target = numpy.log(target)
    ours = getattr(nn, name)(reduction=reduction, **options_for(glassnet, options))
    theirs = getattr(torch.nn, name)(reduction=reduction, **options_for(torch, options))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div's reduction='mean' warning, in both libraries
        assert_layer_parity(ours.double(), theirs.double(), [x, constant(target)])
        # the module is its functional with the same options
        inputs = [glassnet.tensor(x), glassnet.tensor(target)]
        expected = getattr(F, function)(
            *inputs, reduction=reduction, **options_for(glassnet, options)
        )
        numpy.testing.assert_array_equal(ours(*inputs).data, expected.data)


@pytest.mark.parametrize(
    "name, function, kind, options", LOSSES[:1] + LOSSES[7:8] + LOSSES[13:14], ids=str
)
def test_loss_module_float32_matches_torch(name, function, kind, options, rng):
    x, target = data(kind, rng)
    ours, theirs = getattr(nn, name)(), getattr(torch.nn, name)()
    assert_layer_parity(ours, theirs, [x, constant(target)], dtype="float32")


@pytest.mark.parametrize(
    "size_average, reduce", [(None, False), (False, None), (True, True), (False, False)]
)
def test_legacy_size_average_and_reduce_set_the_reduction_as_torch(size_average, reduce):
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        ours = nn.MSELoss(size_average=size_average, reduce=reduce)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.MSELoss(size_average=size_average, reduce=reduce)
    assert ours.reduction == theirs.reduction


def test_loss_weight_is_a_buffer_that_follows_dtype_conversion():
    loss = nn.NLLLoss(weight=glassnet.tensor(CLASS_WEIGHT.astype(numpy.float32)))
    assert [name for name, _ in loss.named_buffers()] == ["weight"] and list(
        loss.parameters()
    ) == []
    assert loss.double().weight.dtype == glassnet.float64
    assert "weight" not in nn.NLLLoss().state_dict()  # None buffers are not saved, as torch


LOSS_ERRORS = [
    (
        lambda: nn.MSELoss(reduction="avg"),
        ValueError,
        r"MSELoss: reduction='avg' is not valid; expected one of 'none', 'mean', 'sum'",
    ),
    (
        lambda: nn.CrossEntropyLoss(reduction="batchmean"),
        ValueError,
        r"CrossEntropyLoss: reduction='batchmean'",
    ),
    (
        lambda: nn.CrossEntropyLoss(label_smoothing=1.5),
        ValueError,
        r"CrossEntropyLoss: label_smoothing must lie in \[0, 1\], got label_smoothing=1.5",
    ),
    (
        lambda: nn.CrossEntropyLoss(weight=numpy.ones(3)),
        TypeError,
        r"CrossEntropyLoss: weight must be a glassnet Tensor or None, got ndarray",
    ),
    (
        lambda: nn.BCEWithLogitsLoss(pos_weight=[1.0, 2.0]),
        TypeError,
        r"BCEWithLogitsLoss: pos_weight must be a glassnet Tensor or None, got list",
    ),
    (
        lambda: nn.NLLLoss(ignore_index=1.0),
        ValueError,
        r"NLLLoss: ignore_index must be an int, got ignore_index=1.0",
    ),
    (
        lambda: nn.SmoothL1Loss(beta=-1),
        ValueError,
        r"SmoothL1Loss: beta must be a number >= 0.0, got beta=-1",
    ),
]


@pytest.mark.parametrize(
    "make, error, message", LOSS_ERRORS, ids=lambda v: v if isinstance(v, str) else ""
)
def test_bad_loss_arguments_name_the_argument(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_kl_div_accepts_batchmean():
    assert nn.KLDivLoss(reduction="batchmean").reduction == "batchmean"
