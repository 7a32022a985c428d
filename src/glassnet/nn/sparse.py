"""`Embedding`: a lookup table, row i of weight (num_embeddings, embedding_dim) for index i.

Equivalent to one_hot(i) @ weight, without building the one-hot matrix; the gradient
of weight is the upstream gradient scattered back onto the looked-up rows. Rows start
as N(0, 1) draws (PyTorch's default); the row at padding_idx starts at zero and never
receives a gradient, so a padding token stays the zero vector.
"""

from __future__ import annotations

from typing import Any

from glassnet import creation
from glassnet.grad_mode import no_grad
from glassnet.nn import functional as F
from glassnet.nn import init
from glassnet.nn.layer_args import check_int, check_number, describe, factory_dtype, is_int
from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter
from glassnet.tensor import Tensor


class Embedding(Module):
    """Map integer indices of any shape (*) to vectors: output shape (*, embedding_dim).

    max_norm renormalises each looked-up row whose norm_type-norm exceeds it, in place,
    as PyTorch does. sparse=True (sparse gradients) is not supported.
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Any = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        dtype = factory_dtype("Embedding", device, dtype)
        self.num_embeddings = check_int("Embedding", "num_embeddings", num_embeddings, 0)
        self.embedding_dim = check_int("Embedding", "embedding_dim", embedding_dim, 0)
        if padding_idx is not None:
            if not is_int(padding_idx) or not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx must be within num_embeddings (in [-{num_embeddings}, "
                    f"{num_embeddings})), got padding_idx={padding_idx!r}"
                )
            padding_idx = int(padding_idx) % num_embeddings
        if max_norm is not None:
            check_number("Embedding", "max_norm", max_norm, 0.0)
        check_number("Embedding", "norm_type", norm_type)
        if sparse:
            raise NotImplementedError(
                "Embedding: sparse=True (sparse gradients) is not supported; use sparse=False"
            )
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if _weight is None:
            self.weight = Parameter(
                creation.empty(self.num_embeddings, self.embedding_dim, dtype=dtype),
                requires_grad=not _freeze,
            )
            self.reset_parameters()
        else:
            weight = (
                _weight if isinstance(_weight, Tensor) else Parameter(_weight, requires_grad=False)
            )
            if tuple(weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(
                    f"Embedding: _weight has shape {tuple(weight.shape)}, which does not match "
                    f"(num_embeddings, embedding_dim) = ({num_embeddings}, {embedding_dim})"
                )
            self.weight = Parameter(weight, requires_grad=not _freeze)
        self.sparse = sparse

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        self._fill_padding_idx_with_zero()

    def _fill_padding_idx_with_zero(self) -> None:
        if self.padding_idx is not None:
            with no_grad():
                self.weight.data[self.padding_idx] = 0

    def forward(self, input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{describe(self)}: input must be an integer Tensor, got {type(input).__name__}"
            )
        if input.dtype.kind not in "iu":
            raise TypeError(
                f"{describe(self)}: input must hold integer indices, got dtype {input.dtype} "
                f"(shape {tuple(input.shape)})"
            )
        if input.numel():
            low, high = int(input.data.min()), int(input.data.max())
            if low < 0 or high >= self.num_embeddings:
                raise ValueError(
                    f"{describe(self)}: index {low if low < 0 else high} is out of range; indices "
                    f"must be in [0, {self.num_embeddings - 1}] (input shape {tuple(input.shape)})"
                )
        return F.embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            text += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        return text

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Any,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding whose weight is `embeddings` (2-D, shared, not copied); frozen unless freeze=False."""
        shape = tuple(getattr(embeddings, "shape", ()))
        if len(shape) != 2:
            raise ValueError(
                f"Embedding.from_pretrained: embeddings must be 2-D (num_embeddings, embedding_dim), "
                f"got shape {shape if hasattr(embeddings, 'shape') else type(embeddings).__name__}"
            )
        rows, cols = shape
        return cls(
            num_embeddings=rows,
            embedding_dim=cols,
            _weight=embeddings,
            _freeze=freeze,
            padding_idx=padding_idx,
            max_norm=max_norm,
            norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq,
            sparse=sparse,
        )
