"""More activation modules: `ReLU6, SELU, CELU, Mish, Hardswish, Hardsigmoid, GLU, LogSigmoid,
Softmin`, each a thin wrapper over its function in `glassnet.nn.functional`.

Formulas and gradients are in `glassnet.ops.activation_more`. None has a parameter.
"""

from __future__ import annotations

from glassnet.nn import functional as F
from glassnet.nn.activation import _inplace_repr, _SoftmaxLike
from glassnet.nn.layer_args import check_number, is_int
from glassnet.nn.module import Module
from glassnet.tensor import Tensor


class ReLU6(Module):
    """min(max(x, 0), 6): ReLU capped at 6 (MobileNet), which keeps activations small."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu6(input, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)


class SELU(Module):
    """1.0507 (x if x > 0 else 1.6733 (exp(x) - 1)): self-normalising with LeCun-normal weights."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(input, self.inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)


class CELU(Module):
    """x if x > 0 else alpha (exp(x / alpha) - 1): ELU with a derivative continuous at 0."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        check_number("CELU", "alpha", alpha)
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_repr(self.inplace, first=False)}"


class _Plain(Module):
    """An activation with only PyTorch's (unused) inplace flag, which its repr does not show."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace


class Mish(_Plain):
    """x tanh(softplus(x)): smooth and non-monotonic, like SiLU."""

    def forward(self, input: Tensor) -> Tensor:
        return F.mish(input)


class Hardswish(_Plain):
    """x relu6(x + 3) / 6: a piecewise approximation of x sigmoid(x) (MobileNetV3)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.hardswish(input)


class Hardsigmoid(_Plain):
    """relu6(x + 3) / 6: a piecewise linear sigmoid."""

    def forward(self, input: Tensor) -> Tensor:
        return F.hardsigmoid(input)


class GLU(Module):
    """a sigmoid(b), a and b the halves of the input along dim: a gated linear unit."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        if not is_int(dim):
            raise ValueError(f"GLU: dim must be an int, got dim={dim!r}")
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSigmoid(Module):
    """log(sigmoid(x)) = -softplus(-x), computed without overflow."""

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class Softmin(_SoftmaxLike):
    """softmax(-x) along dim: the smallest value gets the largest weight."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(input, self.dim, _stacklevel=5)
