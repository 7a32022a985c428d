"""`Identity`, `Linear`, `Flatten`, `Unflatten`: the layers that only reshape or map features.

Linear's default initialisation is PyTorch's: weight ~ kaiming_uniform_(a=sqrt(5)),
which works out as U(-1/sqrt(in_features), 1/sqrt(in_features)), so Var(W) =
1 / (3 in_features): a third of LeCun's 1 / fan_in and a sixth of He's 2 / fan_in,
so a deep plain ReLU stack of default layers shrinks its signal layer by layer (use
nn.init.kaiming_* for those). The bias is U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
"""

from __future__ import annotations

import math
from typing import Any

from glassnet import creation
from glassnet.nn import functional as F
from glassnet.nn import init
from glassnet.nn.layer_args import check_int, describe, factory_dtype, is_int, shape_of
from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter
from glassnet.ops.linalg import Linear as LinearFunction
from glassnet.tensor import Tensor


class Identity(Module):
    """forward(x) = x; any constructor arguments are accepted and ignored (as in PyTorch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Any) -> Any:
        return input


def reset_fan_in_uniform(weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's reset_parameters of Linear and Conv: W ~ kaiming_uniform_(a=sqrt(5)), b ~ U(+-1/sqrt(fan_in)).

    With a = sqrt(5) the gain is sqrt(2 / (1 + 5)) = sqrt(1/3), so the bound
    gain * sqrt(3 / fan_in) is 1 / sqrt(fan_in) for the weight too.
    """
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


class Linear(Module):
    """y = x W^T + b, for input of shape (*, in_features) and output (*, out_features).

    weight: (out_features, in_features); bias: (out_features,) or None when bias=False.
    """

    in_features: int
    out_features: int
    weight: Parameter

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        dtype = factory_dtype("Linear", device, dtype)
        self.in_features = check_int("Linear", "in_features", in_features, 0)
        self.out_features = check_int("Linear", "out_features", out_features, 0)
        self.weight = Parameter(creation.empty(self.out_features, self.in_features, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(self.out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        reset_fan_in_uniform(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"{describe(self)}: input must be a Tensor, got {type(input).__name__}")
        shape = input.data.shape
        if not shape or shape[-1] != self.in_features:
            raise ValueError(
                f"{describe(self)}: expected input of shape (*, {self.in_features}) (last dim = in_features), "
                f"got input of shape {tuple(shape)}"
            )
        weight, bias = self._parameters["weight"], self._parameters["bias"]
        if _checked(input, weight, bias):  # the per-call path: F.linear's checks already hold
            return LinearFunction.apply(input, weight, bias)
        return F.linear(input, weight, bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


def _checked(input: Tensor, weight: Tensor | None, bias: Tensor | None) -> bool:
    """Whether F.linear would pass these through unchanged: one dtype, a 2-D weight, a matching bias."""
    if weight is None:
        return False
    dtype, weight_shape = input.data.dtype, weight.data.shape
    if weight.data.dtype != dtype or len(weight_shape) != 2:
        return False
    return bias is None or (bias.data.dtype == dtype and bias.data.shape == weight_shape[:1])


class Flatten(Module):
    """Merge dims start_dim..end_dim into one; the default (1, -1) keeps the batch dim: (N, *) -> (N, prod(*))."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        if not is_int(start_dim) or not is_int(end_dim):
            raise ValueError(
                f"Flatten: start_dim and end_dim must be ints, got start_dim={start_dim!r}, "
                f"end_dim={end_dim!r}"
            )
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(f"{describe(self)}: input must be a Tensor, got {type(input).__name__}")
        ndim = input.data.ndim
        start, end = self.start_dim, self.end_dim
        if -ndim <= start < ndim and -ndim <= end < ndim and start % ndim == end % ndim:
            return input  # one dim to merge: PyTorch's flatten returns the input itself
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim `dim` into `unflattened_size` (one entry may be -1): the inverse of Flatten."""

    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(
                f"Unflatten: unflattened_size must be a tuple of ints, but found type "
                f"{type(unflattened_size).__name__}"
            )
        for position, size in enumerate(unflattened_size):
            if not is_int(size):
                raise TypeError(
                    f"Unflatten: unflattened_size must be tuple of ints, but found element of type "
                    f"{type(size).__name__} at pos {position}"
                )
        if not is_int(dim):
            raise ValueError(f"Unflatten: dim must be an int, got dim={dim!r}")
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        shape = shape_of(input)
        ndim = len(shape) if isinstance(shape, tuple) else 0
        if not -max(ndim, 1) <= self.dim < max(ndim, 1) or ndim == 0:
            raise ValueError(
                f"{describe(self)}: dim {self.dim} is out of range for input of shape {shape}"
            )
        dim = self.dim % ndim
        sizes = list(self.unflattened_size)
        known = math.prod(size for size in sizes if size != -1)
        if (
            sizes.count(-1) > 1
            or (sizes.count(-1) == 0 and known != shape[dim])
            or (sizes.count(-1) == 1 and (known == 0 or shape[dim] % known))
        ):
            raise ValueError(
                f"{describe(self)}: cannot split size {shape[dim]} of dim {self.dim} into "
                f"{tuple(sizes)} (input shape {shape})"
            )
        if -1 in sizes:
            sizes[sizes.index(-1)] = shape[dim] // known
        return input.reshape(*shape[:dim], *sizes, *shape[dim + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
