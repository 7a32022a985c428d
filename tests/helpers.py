"""The two verification helpers every op test goes through.

Both take one lambda `fn(lib, *tensors)` that is written once and runs with
`lib=glassnet` and `lib=torch`: `lib.nn.functional.conv2d(x, w)`, `x.exp()`, `lib.cat(...)`
mean the same in both.

- `assert_parity`: forward values and every input's gradient against PyTorch 2.13.
- `assert_gradcheck`: glassnet's backward against float64 central differences.

torch is imported at module level on purpose: when it is missing, every parity
test fails at collection instead of skipping.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy
import torch

import glassnet

torch.set_num_threads(1)

TOLERANCES = {
    # dtype: (rtol, atol as a fraction of max|reference|)
    numpy.dtype("float64"): (1e-8, 1e-10),
    numpy.dtype("float32"): (1e-4, 1e-5),
}


def _as_list(result: Any) -> list[Any]:
    return list(result) if isinstance(result, (tuple, list)) else [result]


def _make_inputs(lib: Any, arrays: Sequence[Any], dtype: numpy.dtype, grad: bool) -> list[Any]:
    made = []
    for array in arrays:
        if not isinstance(array, numpy.ndarray):
            made.append(array)
            continue
        if array.dtype.kind == "f":
            array = array.astype(dtype)
        if lib is torch:
            tensor = torch.tensor(array)
        else:
            tensor = glassnet.tensor(array)
        if grad and array.dtype.kind == "f":
            tensor.requires_grad_(True)
        made.append(tensor)
    return made


def _close(
    name: str, actual: numpy.ndarray, expected: numpy.ndarray, rtol: float, atol_scale: float
) -> None:
    assert actual.shape == expected.shape, (
        f"{name}: shape {actual.shape}, torch gives {expected.shape}"
    )
    if expected.dtype.kind != "f":
        numpy.testing.assert_array_equal(actual, expected, err_msg=name)
        return
    scale = float(numpy.max(numpy.abs(expected))) if expected.size else 0.0
    numpy.testing.assert_allclose(
        actual, expected, rtol=rtol, atol=atol_scale * max(scale, 1e-30), err_msg=name
    )


def assert_parity(
    fn: Callable[..., Any],
    inputs: Sequence[Any],
    dtype: str = "float64",
    grad: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    seed: int = 0,
) -> None:
    """Run `fn` in glassnet and in torch on the same inputs; compare outputs and gradients.

    Float arrays in `inputs` are cast to `dtype` and require grad; integer arrays pass as
    integer tensors; anything else is passed as it is. The upstream gradient is random.
    """
    wanted = numpy.dtype(dtype)
    default_rtol, default_atol = TOLERANCES[wanted]
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol

    ours_in = _make_inputs(glassnet, inputs, wanted, grad)
    theirs_in = _make_inputs(torch, inputs, wanted, grad)
    ours = _as_list(fn(glassnet, *ours_in))
    theirs = _as_list(fn(torch, *theirs_in))
    assert len(ours) == len(theirs), f"{len(ours)} outputs, torch gives {len(theirs)}"

    rng = numpy.random.default_rng(seed)
    upstream = []
    for index, (mine, reference) in enumerate(zip(ours, theirs)):
        expected = reference.detach().numpy()
        assert mine.dtype == numpy.dtype(str(reference.dtype).replace("torch.", "")), (
            f"output {index}: dtype {mine.dtype}, torch gives {reference.dtype}"
        )
        _close(f"output {index}", mine.data, expected, rtol, atol)
        if grad and reference.requires_grad:
            upstream.append(
                (mine, reference, rng.standard_normal(expected.shape).astype(expected.dtype))
            )

    if not upstream:
        return
    torch.autograd.backward([r for _, r, _ in upstream], [torch.tensor(g) for _, _, g in upstream])
    for mine, _, g in upstream:
        assert mine.requires_grad, "torch's output requires grad, glassnet's does not"
        mine.backward(g, retain_graph=True)
    for index, (mine, reference) in enumerate(zip(ours_in, theirs_in)):
        if not isinstance(reference, torch.Tensor) or not reference.requires_grad:
            continue
        expected = reference.grad
        if expected is None:
            assert mine.grad is None or not numpy.any(mine.grad.data), (
                f"input {index}: torch gives no gradient"
            )
            continue
        assert mine.grad is not None, f"input {index}: no gradient, torch gives one"
        _close(f"grad of input {index}", mine.grad.data, expected.numpy(), rtol, atol)


def assert_stable(
    fn: Callable[..., Any], inputs: Sequence[Any], dtype: str = "float64", rtol: float | None = None
) -> None:
    """No overflow/invalid warnings, torch's values and gradients, and all of them finite."""
    import warnings

    with warnings.catch_warnings(), numpy.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        assert_parity(fn, inputs, dtype=dtype, rtol=rtol)
        made = _make_inputs(glassnet, inputs, numpy.dtype(dtype), grad=True)
        out = fn(glassnet, *made)
        out.backward(numpy.ones(out.shape, dtype=dtype))
    assert numpy.all(numpy.isfinite(out.data))
    for tensor in made:
        if isinstance(tensor, glassnet.Tensor) and tensor.grad is not None:
            assert numpy.all(numpy.isfinite(tensor.grad.data))


def assert_gradcheck(fn: Callable[..., Any], inputs: Sequence[Any], **options: Any) -> None:
    """glassnet.gradcheck on float64 copies of `inputs`, with the same `fn(lib, ...)` form."""
    made = _make_inputs(glassnet, inputs, numpy.dtype("float64"), grad=True)
    assert glassnet.gradcheck(lambda *tensors: fn(glassnet, *tensors), made, **options)
