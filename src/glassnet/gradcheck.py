"""`gradcheck`: compare backward with float64 central differences.

For a random upstream vector v, backward gives v^T J (J: the Jacobian of fn at the
inputs). Central differences give the same quantity one input element at a time:

    d/dx_i  sum(v * fn(x))  ~=  (sum(v * fn(x + eps e_i)) - sum(v * fn(x - eps e_i))) / (2 eps)

with error O(eps^2). A random v checks every output at once, the same "fast mode"
PyTorch's gradcheck offers; two independent draws make a lucky cancellation
vanishingly unlikely.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy

from glassnet.grad_mode import no_grad
from glassnet.tensor import Tensor


class GradcheckError(AssertionError):
    """Raised when an analytical gradient disagrees with the numerical one."""


def _outputs(result: Any) -> list[Tensor]:
    items = result if isinstance(result, (tuple, list)) else [result]
    return [item for item in items if isinstance(item, Tensor) and item.dtype.kind == "f"]


def _projected(
    fn: Callable[..., Any], inputs: Sequence[Any], vectors: list[numpy.ndarray]
) -> float:
    with no_grad():
        outputs = _outputs(fn(*inputs))
    return float(sum(numpy.sum(out.data * v) for out, v in zip(outputs, vectors)))


def gradcheck(
    fn: Callable[..., Any],
    inputs: Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    draws: int = 2,
    seed: int = 0,
    raise_exception: bool = True,
) -> bool:
    """Check the gradients of `fn` with respect to every float64 input that requires grad.

    `inputs` may mix Tensors and other arguments; only float64 Tensors with
    requires_grad=True are checked (float32 differences are too coarse to trust).
    """
    inputs = tuple(inputs)
    checked = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad")
    for tensor in checked:
        if tensor.dtype != numpy.float64:
            raise ValueError(
                f"gradcheck: inputs must be float64 (got {tensor.dtype}); float32 differences are too coarse"
            )
    rng = numpy.random.default_rng(seed)
    for draw in range(draws):
        vectors = _backward_random_projection(fn, inputs, checked, rng)
        for index, tensor in enumerate(checked):
            analytical = (
                tensor.grad.data if tensor.grad is not None else numpy.zeros_like(tensor.data)
            )
            numerical = _central_differences(fn, inputs, tensor, vectors, eps)
            if not numpy.allclose(analytical, numerical, atol=atol, rtol=rtol):
                message = _mismatch(analytical, numerical, f"input {index}", tensor.shape, draw)
                if raise_exception:
                    raise GradcheckError(message)
                return False
    for tensor in checked:
        tensor.grad = None
    return True


def _backward_random_projection(
    fn: Callable[..., Any],
    inputs: tuple[Any, ...],
    checked: list[Tensor],
    rng: numpy.random.Generator,
) -> list[numpy.ndarray]:
    """Draw v per float output and run backward(v): each checked input's .grad = v^T J."""
    for tensor in checked:
        tensor.grad = None
    outputs = _outputs(fn(*inputs))
    if not any(out.requires_grad for out in outputs):
        raise GradcheckError("gradcheck: no output of fn requires grad")
    vectors = [rng.standard_normal(out.shape) for out in outputs]
    for out, vector in zip(outputs, vectors):
        if out.requires_grad:
            out.backward(vector, retain_graph=True)  # leaves accumulate v^T J over outputs
    return vectors


def _central_differences(
    fn: Callable[..., Any],
    inputs: tuple[Any, ...],
    tensor: Tensor,
    vectors: list[numpy.ndarray],
    eps: float,
) -> numpy.ndarray:
    """(sum(v * fn(x + eps e_i)) - sum(v * fn(x - eps e_i))) / (2 eps) for each element i.

    `tensor` is nudged in place, one element at a time, and restored.
    """
    numerical = numpy.zeros_like(tensor.data)
    flat, flat_numerical = tensor.data.reshape(-1), numerical.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = _projected(fn, inputs, vectors)
        flat[i] = original - eps
        minus = _projected(fn, inputs, vectors)
        flat[i] = original
        flat_numerical[i] = (plus - minus) / (2 * eps)
    return numerical


def _mismatch(
    analytical: numpy.ndarray, numerical: numpy.ndarray, what: str, shape: Any, draw: int
) -> str:
    """One line naming the element where backward and finite differences differ most."""
    worst = numpy.unravel_index(numpy.argmax(numpy.abs(analytical - numerical)), numerical.shape)
    return (
        f"gradcheck: {what} (shape {shape}), draw {draw}: backward gives "
        f"{analytical[worst]:.8g} at {tuple(int(i) for i in worst)}, finite differences give "
        f"{numerical[worst]:.8g} (max abs diff {numpy.max(numpy.abs(analytical - numerical)):.3g})"
    )
