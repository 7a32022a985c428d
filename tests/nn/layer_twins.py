"""A glassnet layer and its torch twin, built with the same arguments and holding the same weights.

`twins(name, *args, **kwargs)` builds `glassnet.nn.<name>` and `torch.nn.<name>`, casts
both to the dtype asked for and copies torch's state dict into glassnet's with
`load_state_dict` (torch tensors accepted), so every later difference is the layer's.
`assert_layer_parity` runs both on the same inputs and compares the outputs, the input
gradients and every parameter gradient.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy
import torch

import glassnet
from helpers import TOLERANCES, _close


def twins(name: str, *args: Any, dtype: str = "float64", **kwargs: Any) -> tuple[Any, Any]:
    theirs = getattr(torch.nn, name)(*args, **kwargs).to(getattr(torch, dtype))
    ours = getattr(glassnet.nn, name)(*args, **kwargs).to(getattr(glassnet, dtype))
    ours.load_state_dict(theirs.state_dict())
    return ours, theirs


class constant:
    """An input array that gets no gradient (a loss target): `assert_layer_parity(m, t, [x, constant(y)])`."""

    def __init__(self, array: numpy.ndarray) -> None:
        self.array = array


def _inputs(arrays: Sequence[Any], dtype: str) -> tuple[list[Any], list[Any]]:
    ours, theirs = [], []
    for array in arrays:
        if isinstance(array, constant):
            value = array.array.astype(dtype) if array.array.dtype.kind == "f" else array.array
            ours.append(glassnet.tensor(value))
            theirs.append(torch.tensor(value))
        elif isinstance(array, numpy.ndarray) and array.dtype.kind == "f":
            array = array.astype(dtype)
            ours.append(glassnet.tensor(array, requires_grad=True))
            theirs.append(torch.tensor(array, requires_grad=True))
        elif isinstance(array, numpy.ndarray):
            ours.append(glassnet.tensor(array))
            theirs.append(torch.tensor(array))
        else:
            ours.append(array)
            theirs.append(array)
    return ours, theirs


def _as_list(result: Any) -> list[Any]:
    return list(result) if isinstance(result, (tuple, list)) else [result]


def assert_layer_parity(
    ours: Any, theirs: Any, arrays: Sequence[Any], dtype: str = "float64", seed: int = 0
) -> None:
    """Same outputs, input gradients and parameter gradients as torch (rtol 1e-8 float64, 1e-4 float32)."""
    rtol, atol = TOLERANCES[numpy.dtype(dtype)]
    ours_in, theirs_in = _inputs(arrays, dtype)
    ours_out, theirs_out = _as_list(ours(*ours_in)), _as_list(theirs(*theirs_in))
    assert len(ours_out) == len(theirs_out)
    rng = numpy.random.default_rng(seed)
    pairs = []
    for index, (mine, reference) in enumerate(zip(ours_out, theirs_out)):
        expected = reference.detach().numpy()
        assert mine.dtype == numpy.dtype(str(reference.dtype).removeprefix("torch.")), (
            f"output {index} dtype"
        )
        _close(f"output {index}", mine.data, expected, rtol, atol)
        if reference.requires_grad:
            pairs.append(
                (mine, reference, rng.standard_normal(expected.shape).astype(expected.dtype))
            )
    if not pairs:
        return
    torch.autograd.backward([r for _, r, _ in pairs], [torch.tensor(g) for _, _, g in pairs])
    for mine, _, upstream in pairs:
        mine.backward(upstream, retain_graph=True)
    for index, (mine, reference) in enumerate(zip(ours_in, theirs_in)):
        if isinstance(reference, torch.Tensor) and reference.requires_grad:
            assert mine.grad is not None, f"input {index}: no gradient"
            _close(f"grad of input {index}", mine.grad.data, reference.grad.numpy(), rtol, atol)
    theirs_params = dict(theirs.named_parameters())
    ours_params = dict(ours.named_parameters())
    assert list(ours_params) == list(theirs_params)
    for name, reference in theirs_params.items():
        mine = ours_params[name]
        if reference.grad is None:
            assert mine.grad is None or not numpy.any(mine.grad.data), (
                f"{name}: torch gives no gradient"
            )
            continue
        assert mine.grad is not None, f"{name}: no gradient, torch gives one"
        _close(f"grad of {name}", mine.grad.data, reference.grad.numpy(), rtol, atol)


def assert_same_state(ours: Any, theirs: Any) -> None:
    """Equal keys (in order), shapes, dtypes and values."""
    mine, reference = ours.state_dict(), theirs.state_dict()
    assert list(mine) == list(reference)
    for key, value in reference.items():
        assert tuple(mine[key].shape) == tuple(value.shape), key
        assert mine[key].dtype == numpy.dtype(str(value.dtype).removeprefix("torch.")), key
        numpy.testing.assert_allclose(
            mine[key].data, value.numpy(), rtol=1e-12, atol=0, err_msg=key
        )
