"""Class-index losses: cross_entropy (one fused log-softmax + NLL) and nll_loss, and the
reduction rules every loss shares (the element-wise losses are in `loss_pointwise.py`).

Each loss is one Function that also does its reduction, so the backward of the
reduction ('mean' divides the upstream gradient by the count) sits with the formula.
Signatures, defaults and the edge rules (what 'mean' divides by, how label smoothing
meets class weights) follow torch.nn.functional 2.13. Class weights (`weight=` of
cross_entropy and nll_loss) are constants, as in PyTorch: they get no gradient.
"""

from __future__ import annotations

import warnings
from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.cast import promote, to_float
from glassnet.tensor import Tensor

_REDUCTIONS = ("none", "mean", "sum")


def _mean(xp: Any, total: Array, count: Any) -> Array:
    """total / count, and nan (as PyTorch) when count is 0, without a division warning."""
    count = xp.asarray(count, dtype=total.dtype)
    return xp.where(count != 0, total / _nonzero(xp, count), xp.nan)


def _nonzero(xp: Any, count: Array) -> Array:
    return xp.where(count != 0, count, 1)


def _reduce(xp: Any, loss: Array, reduction: str, count: Any) -> Array:
    if reduction == "none":
        return loss
    total = xp.asarray(loss.sum())
    return total if reduction == "sum" else _mean(xp, total, count)


def _reduction(
    op: str,
    size_average: bool | None,
    reduce: bool | None,
    reduction: str,
    allowed: tuple[str, ...] = _REDUCTIONS,
) -> str:
    """The reduction to use; the deprecated size_average/reduce pair overrides it, as in PyTorch."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduction = ("mean" if size_average else "sum") if reduce in (None, True) else "none"
        warnings.warn(
            f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
            stacklevel=3,
        )
    if reduction not in allowed:
        names = ", ".join(repr(name) for name in allowed)
        raise ValueError(f"{op}: reduction={reduction!r} is not valid; expected one of {names}")
    return reduction


# -- class-index losses ------------------------------------------------------------


def _class_layout(
    op: str,
    input: Tensor,
    target: Tensor,
    weight: Tensor | None,
    ignore_index: int,
) -> tuple[int, Array | None]:
    """Check class-index targets; return the class dim (1, or 0 for a single (C,) sample) and weight."""
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have a class dimension, got a 0-d tensor")
    class_dim = 0 if input.ndim == 1 else 1
    classes = input.shape[class_dim]
    wanted = input.shape[:class_dim] + input.shape[class_dim + 1 :]
    if target.dtype.kind not in "iu":
        raise TypeError(
            f"{op}: class-index targets must be integers, got {target.dtype} (target shape {target.shape})"
        )
    if target.shape != wanted:
        raise ValueError(
            f"{op}: target shape {tuple(target.shape)} does not match input shape {tuple(input.shape)}; "
            f"class-index targets need shape {wanted}"
        )
    labels = target.data
    if labels.size and (labels.min() < 0 or labels.max() >= classes):  # ignore_index, or bad
        bad = (labels != ignore_index) & ((labels < 0) | (labels >= classes))
        if bad.any():
            raise ValueError(
                f"{op}: target value {int(labels[bad][0])} is out of range for {classes} classes "
                f"(expected 0 to {classes - 1}, or ignore_index={ignore_index})"
            )
    if weight is None:
        return class_dim, None
    if weight.shape != (classes,):
        raise ValueError(
            f"{op}: weight has shape {tuple(weight.shape)} but input has {classes} classes "
            f"(input shape {tuple(input.shape)}); weight needs shape ({classes},)"
        )
    return class_dim, weight.data.astype(input.dtype, copy=False)


def _take(xp: Any, array: Array, index: Array, dim: int) -> Array:
    """array's entries at `index` along `dim`, that dim dropped (take_along_axis, squeezed).

    For an (N, C) array it is plain indexing, which NumPy does several times faster.
    """
    if array.ndim == 2 and dim == 1:
        return array[xp.arange(array.shape[0]), index[:, 0]]
    return xp.take_along_axis(array, index, axis=dim).squeeze(dim)


def _pick_targets(
    xp: Any, labels: Array, weight: Array | None, ignore_index: int, class_dim: int, dtype: Any
) -> tuple[Array, Array, Array]:
    """The gather index (targets, ignored ones set to 0), the kept mask and w[t] (0 where ignored)."""
    kept = labels != ignore_index
    safe = xp.where(kept, labels, 0)
    weight_t = weight[safe] * kept if weight is not None else kept.astype(dtype)
    return xp.expand_dims(safe, class_dim), kept, weight_t


class NLLLoss(Function):
    """loss_i = -w[t_i] x[i, t_i]  (x: log-probabilities, class dim 1; 0 where t_i = ignore_index);
    dloss_i/dx[i, c] = -w[t_i] where c = t_i, else 0.

    'mean' divides by sum_i w[t_i] over the kept targets, not by their count, so a
    weighted mean is a true weighted average of per-sample losses.
    """

    def forward(
        self,
        x: Array,
        labels: Array,
        weight: Array | None,
        class_dim: int,
        ignore_index: int,
        reduction: str,
    ) -> Array:
        xp = self.xp
        index, _, weight_t = _pick_targets(xp, labels, weight, ignore_index, class_dim, x.dtype)
        loss = -(weight_t * _take(xp, x, index, class_dim))
        self.count = weight_t.sum()
        self.shape, self.class_dim, self.reduction = x.shape, class_dim, reduction
        self.save(index, weight_t)
        return _reduce(xp, loss, reduction, self.count)

    def backward(self, grad: Array) -> tuple[Array, None]:
        xp = self.xp
        index, weight_t = self.saved
        scale = grad / _nonzero(xp, self.count) if self.reduction == "mean" else grad
        grad_x = xp.zeros(self.shape, dtype=weight_t.dtype)
        xp.put_along_axis(
            grad_x, index, xp.expand_dims(-(weight_t * scale), self.class_dim), axis=self.class_dim
        )
        return grad_x, None


class CrossEntropy(Function):
    """loss_i = -sum_c a_ic log p_ic,  p_i = softmax(x_i) over the class dim, where a is the
    (smoothed, weighted) target distribution, eps = label_smoothing, C classes:
        class index t_i:   a_ic = w_c ((1 - eps) [c = t_i] + eps / C)   (0 if t_i is ignored)
        probabilities q:   a_ic = w_c ((1 - eps) q_ic + eps / C)
    dloss_i/dx_ic = p_ic sum_c' a_ic' - a_ic  (unweighted one-hot: p - onehot),
    dloss_i/dq_ic = -(1 - eps) w_c log p_ic.

    Fused: log p = x - logsumexp(x) is exact where log(softmax(x)) would hit log(0), and
    the backward never forms the softmax Jacobian. 'mean' divides by sum_i w[t_i] over
    the kept targets (class indices) or by the number of samples N*d1*... (probabilities).
    """

    def forward(
        self,
        x: Array,
        target: Array,
        weight: Array | None,
        class_dim: int,
        ignore_index: int,
        reduction: str,
        label_smoothing: float,
    ) -> Array:
        xp = self.xp
        classes = x.shape[class_dim]
        log_p = x - x.max(axis=class_dim, keepdims=True)
        log_p -= xp.log(xp.exp(log_p).sum(axis=class_dim, keepdims=True))
        self.class_dim, self.reduction, self.eps = class_dim, reduction, label_smoothing
        self.smooth = label_smoothing / classes
        weight_c = (
            None if weight is None else weight.reshape((classes,) + (1,) * (x.ndim - class_dim - 1))
        )
        if target.dtype.kind == "f":
            self.probabilities = True
            loss = -(self._coefficients(target, weight_c) * log_p).sum(axis=class_dim)
            self.count = x.size // classes if classes else 0
            self.save(log_p, target, weight_c)
            return _reduce(xp, loss, reduction, self.count)
        self.probabilities = False
        index, kept, weight_t = _pick_targets(xp, target, weight, ignore_index, class_dim, x.dtype)
        loss = (weight_t * _take(xp, log_p, index, class_dim)) * -(1.0 - self.eps)
        if self.eps:
            log_sum = (
                (log_p * weight_c).sum(axis=class_dim)
                if weight_c is not None
                else log_p.sum(axis=class_dim)
            )
            loss -= (self.smooth * log_sum) * kept
        self.count = weight_t.sum()
        self.mass_total = (
            weight.sum() if weight is not None else classes
        ) * self.smooth  # sum_c w_c eps / C
        self.save(log_p, index, kept, weight_t, weight_c)
        return _reduce(xp, loss, reduction, self.count)

    def _coefficients(self, q: Array, weight_c: Array | None) -> Array:
        coefficients = q * (1.0 - self.eps) + self.smooth if self.eps else q
        return coefficients * weight_c if weight_c is not None else coefficients

    def backward(self, grad: Array) -> tuple[Array, Array | None]:
        xp, dim = self.xp, self.class_dim
        scale = (
            grad / _nonzero(xp, xp.asarray(self.count, dtype=grad.dtype))
            if self.reduction == "mean"
            else grad
        )
        if self.probabilities:
            log_p, q, weight_c = self.saved
            scale = xp.expand_dims(scale, dim) if self.reduction == "none" else scale
            coefficients = self._coefficients(q, weight_c)
            grad_x = (
                xp.exp(log_p) * coefficients.sum(axis=dim, keepdims=True) - coefficients
            ) * scale
            grad_q = None
            if self.needs_input_grad[1]:
                grad_q = log_p * (scale * -(1.0 - self.eps))
                grad_q = grad_q * weight_c if weight_c is not None else grad_q
            return grad_x, grad_q
        log_p, index, kept, weight_t, weight_c = self.saved
        at_target = weight_t * scale * (1.0 - self.eps)  # a at the target class, per sample
        total = (
            at_target + (kept * scale) * self.mass_total if self.eps else at_target
        )  # sum_c a_ic
        grad_x = xp.exp(log_p) * xp.expand_dims(total, dim)
        if grad_x.ndim == 2 and dim == 1:  # (N, C): plain indexing, one target per row
            grad_x[xp.arange(grad_x.shape[0]), index[:, 0]] -= at_target
        else:
            picked = xp.take_along_axis(grad_x, index, axis=dim)
            xp.put_along_axis(grad_x, index, picked - xp.expand_dims(at_target, dim), axis=dim)
        if self.eps:
            spread = xp.expand_dims(kept * scale, dim) * self.smooth
            grad_x -= spread * weight_c if weight_c is not None else spread
        return grad_x, None


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy between softmax(input) over dim 1 and class-index or class-probability targets."""
    reduction = _reduction("cross_entropy", size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing={label_smoothing} must lie in [0, 1]")
    x = to_float(input)
    if target.dtype.kind == "f":
        if target.shape != x.shape:
            raise ValueError(
                f"cross_entropy: target shape {tuple(target.shape)} does not match input shape {tuple(x.shape)}; "
                "class-probability targets need the input's shape (class indices need an integer tensor)"
            )
        if ignore_index >= 0:
            raise ValueError(
                f"cross_entropy: ignore_index={ignore_index} is not supported for probability targets"
            )
        if x.ndim == 0:
            raise ValueError("cross_entropy: input must have a class dimension, got a 0-d tensor")
        x, target = promote(x, target)
        class_dim = 0 if x.ndim == 1 else 1
        classes = x.shape[class_dim]
        if weight is not None and weight.shape != (classes,):
            raise ValueError(
                f"cross_entropy: weight has shape {tuple(weight.shape)} but input has {classes} classes "
                f"(input shape {tuple(x.shape)}); weight needs shape ({classes},)"
            )
        weight_array = None if weight is None else weight.data.astype(x.dtype, copy=False)
    else:
        class_dim, weight_array = _class_layout("cross_entropy", x, target, weight, ignore_index)
    return CrossEntropy.apply(
        x,
        target,
        weight=weight_array,
        class_dim=class_dim,
        ignore_index=ignore_index,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of class-index targets, given log-probabilities (class dim 1)."""
    reduction = _reduction("nll_loss", size_average, reduce, reduction)
    x = to_float(input)
    class_dim, weight_array = _class_layout("nll_loss", x, target, weight, ignore_index)
    return NLLLoss.apply(
        x,
        target,
        weight=weight_array,
        class_dim=class_dim,
        ignore_index=ignore_index,
        reduction=reduction,
    )


__all__ = ["cross_entropy", "nll_loss"]
