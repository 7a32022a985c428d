"""Element-wise losses: mse_loss, l1_loss, smooth_l1_loss, binary_cross_entropy,
binary_cross_entropy_with_logits, kl_div.

Each is one Function per loss over aligned input/target elements, doing its own
reduction (see `loss.py` for the shared reduction rules). Signatures and edge rules
follow torch.nn.functional 2.13.
"""

from __future__ import annotations

import warnings
from typing import Any

from glassnet.backend import Array, xp
from glassnet.function import Function
from glassnet.ops.cast import as_operand, promote, to_float
from glassnet.ops.loss import _REDUCTIONS, _nonzero, _reduce, _reduction
from glassnet.tensor import Tensor

# -- element-wise losses -------------------------------------------------------------


class _PointwiseLoss(Function):
    """What the element-wise losses share: the weight, the reduction and their backward.

    A subclass's `pointwise(x, t, ...)` returns the per-element loss l with dl/dx and
    dl/dt (None where no gradient is needed). Then L = reduce(w l), so with upstream g:
        'none'/'sum':  dL/dx = g w dl/dx,  dL/dw = g l
        'mean':        the same divided by the count n; a mean weighted by sum(w)
                       (mse/l1) is L = sum(w l) / sum(w), so dL/dw = g (l - L) / sum(w).
    """

    def forward(
        self,
        x: Array,
        t: Array,
        w: Array | None,
        reduction: str,
        divisor: Any = None,
        **options: Any,
    ) -> Array:
        xp = self.xp
        loss, d_x, d_t = self.pointwise(x, t, **options)
        weighted = loss * w if w is not None else loss
        self.by_weight = divisor == "weight"
        self.count = w.sum() if self.by_weight else weighted.size if divisor is None else divisor
        self.reduction = reduction
        out = _reduce(xp, weighted, reduction, self.count)
        wide = [xp.broadcast_to(d, weighted.shape) if d is not None else None for d in (d_x, d_t)]
        self.save(*wide, w, loss if self.needs_input_grad[2] else None, out)
        return out

    def pointwise(
        self, x: Array, t: Array, **options: Any
    ) -> tuple[Array, Array | None, Array | None]:
        raise NotImplementedError

    def backward(self, grad: Array) -> tuple[Array | None, Array | None, Array | None]:
        d_x, d_t, w, loss, out = self.saved
        xp = self.xp
        scale = (
            grad / _nonzero(xp, xp.asarray(self.count, dtype=grad.dtype))
            if self.reduction == "mean"
            else grad
        )
        weighted_scale = scale * w if w is not None else scale
        grad_x = weighted_scale * d_x if d_x is not None else None
        grad_t = weighted_scale * d_t if d_t is not None else None
        grad_w = None
        if loss is not None:
            grad_w = (
                scale * (loss - out)
                if self.by_weight and self.reduction == "mean"
                else scale * loss
            )
        return grad_x, grad_t, grad_w


class MSELoss(_PointwiseLoss):
    """l = (x - t)^2;  dl/dx = 2 (x - t) = -dl/dt.  Large errors dominate: one outlier at 10
    weighs as much as a hundred errors at 1."""

    def pointwise(self, x: Array, t: Array) -> tuple[Array, Array | None, Array | None]:
        diff = x - t
        return diff * diff, diff * 2.0, (diff * -2.0 if self.needs_input_grad[1] else None)


class L1Loss(_PointwiseLoss):
    """l = |x - t|;  dl/dx = sign(x - t) = -dl/dt (0 at x = t, as PyTorch).  Robust to outliers,
    but the gradient keeps its size near the minimum."""

    def pointwise(self, x: Array, t: Array) -> tuple[Array, Array | None, Array | None]:
        diff = x - t
        sign = self.xp.sign(diff)
        return self.xp.abs(diff), sign, (-sign if self.needs_input_grad[1] else None)


class SmoothL1Loss(_PointwiseLoss):
    """l = (x - t)^2 / (2 beta) where |x - t| < beta, else |x - t| - beta / 2;
    dl/dx = (x - t) / beta inside, sign(x - t) outside; dl/dt = -dl/dx.
    Quadratic near the target (gradients shrink as it converges), linear far away (robust)."""

    def pointwise(
        self, x: Array, t: Array, beta: float
    ) -> tuple[Array, Array | None, Array | None]:
        xp = self.xp
        diff = x - t
        size = xp.abs(diff)
        inside = size < beta
        loss = xp.where(inside, diff * diff * (0.5 / beta), size - 0.5 * beta)
        d_x = xp.where(inside, diff * (1.0 / beta), xp.sign(diff))
        return loss, d_x, (-d_x if self.needs_input_grad[1] else None)


def _clamped_log(xp: Any, x: Array, complement: bool) -> Array:
    """max(log(x), -100), or max(log(1 - x), -100) via log1p, with no log(0) warning."""
    inside = x < 1 if complement else x > 0
    safe = xp.where(inside, x, 0.5)
    logs = xp.log1p(-safe) if complement else xp.log(safe)
    return xp.where(inside, xp.maximum(logs, -100.0), -100.0)


class BinaryCrossEntropy(_PointwiseLoss):
    """l = -(t log x + (1 - t) log(1 - x)), each log clamped at -100 as in PyTorch;
    dl/dx = (x - t) / max(x (1 - x), 1e-12),  dl/dt = log(1 - x) - log x.
    Takes probabilities; binary_cross_entropy_with_logits is the stable choice.
    (At x = 0 or 1 PyTorch's dl/dt is +-inf; the clamped logs here give +-100.)"""

    def pointwise(self, x: Array, t: Array) -> tuple[Array, Array | None, Array | None]:
        xp = self.xp
        log_x, log_1mx = _clamped_log(xp, x, False), _clamped_log(xp, x, True)
        loss = -(log_1mx + t * (log_x - log_1mx))
        d_x = (x - t) / xp.maximum(x * (1.0 - x), 1e-12) if self.needs_input_grad[0] else None
        return loss, d_x, (log_1mx - log_x if self.needs_input_grad[1] else None)


class BinaryCrossEntropyWithLogits(_PointwiseLoss):
    """l = (1 - t) x - c log sigmoid(x),  c = 1 + (p - 1) t  (p: pos_weight, 1 if absent);
    dl/dx = c sigmoid(x) - p t,  dl/dt = -x - (p - 1) log sigmoid(x).
    log sigmoid(x) = min(x, 0) - log1p(exp(-|x|)): exp never overflows and log never sees 0,
    so a logit of 1e4 gives an exact loss and gradient. p > 1 weighs the positives up."""

    def pointwise(
        self, x: Array, t: Array, pos_weight: Array | None
    ) -> tuple[Array, Array | None, Array | None]:
        xp = self.xp
        log_sig = xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))
        if pos_weight is None:
            loss = (1.0 - t) * x - log_sig
            d_x = xp.exp(log_sig) - t if self.needs_input_grad[0] else None
            return loss, d_x, (-x if self.needs_input_grad[1] else None)
        coefficient = 1.0 + (pos_weight - 1.0) * t
        loss = (1.0 - t) * x - coefficient * log_sig
        d_x = coefficient * xp.exp(log_sig) - pos_weight * t if self.needs_input_grad[0] else None
        d_t = -(x + (pos_weight - 1.0) * log_sig) if self.needs_input_grad[1] else None
        return loss, d_x, d_t


class KLDiv(_PointwiseLoss):
    """l = t (log t - x)  (x: log-probabilities, t: probabilities; 0 where t = 0);
    dl/dx = -t,  dl/dt = log t + 1 - x  (-inf at t = 0, the one-sided limit; PyTorch gives nan).
    log_target: l = exp(t) (t - x),  dl/dx = -exp(t),  dl/dt = exp(t) (t - x + 1).
    Summed over classes it is KL(t || exp(x)) = sum t log(t / p), hence 'batchmean'."""

    def pointwise(
        self, x: Array, t: Array, log_target: bool
    ) -> tuple[Array, Array | None, Array | None]:
        xp = self.xp
        if log_target:
            p = xp.exp(t)
            loss = p * (t - x)
            return loss, -p, (p * (t - x + 1.0) if self.needs_input_grad[1] else None)
        positive = t > 0
        log_t = xp.log(xp.where(positive, t, 1.0))
        d_t = xp.where(positive, log_t + 1.0 - x, -xp.inf) if self.needs_input_grad[1] else None
        return t * (log_t - x), -t, d_t


def _operands(
    op: str,
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    exact: bool = False,
    warn: bool = True,
    weight_promotes: bool = False,
) -> tuple[Tensor, Tensor, Tensor | None]:
    """Check target's shape against input's (torch: exact, or broadcast with a warning); promote."""
    if target.shape != input.shape:
        if exact:
            raise ValueError(
                f"{op}: target shape {tuple(target.shape)} must match input shape {tuple(input.shape)}"
            )
        try:
            xp.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise ValueError(
                f"{op}: target shape {tuple(target.shape)} does not broadcast with input shape {tuple(input.shape)}"
            ) from None
        if warn:
            warnings.warn(
                f"{op}: target shape {tuple(target.shape)} differs from input shape {tuple(input.shape)} and will "
                "be broadcast, which is usually a bug. Please ensure they have the same size.",
                stacklevel=3,
            )
    if weight is not None and weight_promotes:  # mse/l1 multiply by the weight, so it promotes
        return promote(to_float(input), target, weight)  # type: ignore[return-value]
    x, t = promote(to_float(input), target)
    return x, t, (as_operand(weight, x.dtype) if weight is not None else None)


def _elementwise_weight(op: str, input: Tensor, weight: Tensor | None) -> None:
    if weight is not None and weight.shape != input.shape:
        raise ValueError(
            f"{op}: weight shape {tuple(weight.shape)} must match input shape {tuple(input.shape)}"
        )


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean squared error; a `weight` mean divides by sum(weight)."""
    reduction = _reduction("mse_loss", size_average, reduce, reduction)
    _elementwise_weight("mse_loss", input, weight)
    x, t, w = _operands("mse_loss", input, target, weight, weight_promotes=True)
    return MSELoss.apply(x, t, w, reduction=reduction, divisor="weight" if w is not None else None)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean absolute error; a `weight` mean divides by sum(weight)."""
    reduction = _reduction("l1_loss", size_average, reduce, reduction)
    _elementwise_weight("l1_loss", input, weight)
    x, t, w = _operands("l1_loss", input, target, weight, weight_promotes=True)
    return L1Loss.apply(x, t, w, reduction=reduction, divisor="weight" if w is not None else None)


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """Quadratic below `beta`, linear above; beta=0 is l1_loss."""
    reduction = _reduction("smooth_l1_loss", size_average, reduce, reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta={beta} must be non-negative")
    x, t, _ = _operands("smooth_l1_loss", input, target)
    if beta == 0:
        return L1Loss.apply(x, t, None, reduction=reduction)
    return SmoothL1Loss.apply(x, t, None, reduction=reduction, beta=beta)


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy of probabilities `input` in [0, 1]; `weight` broadcasts to the target."""
    reduction = _reduction("binary_cross_entropy", size_average, reduce, reduction)
    x, t, w = _operands("binary_cross_entropy", input, target, weight, exact=True)
    outside = (x.data < 0) | (x.data > 1)
    if outside.any():
        raise ValueError(
            f"binary_cross_entropy: input values must lie in [0, 1] (probabilities; for logits use "
            f"binary_cross_entropy_with_logits), found {float(x.data[outside][0])}"
        )
    return BinaryCrossEntropy.apply(x, t, w, reduction=reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """sigmoid + binary cross-entropy in one stable step; `pos_weight` scales the positive term."""
    reduction = _reduction("binary_cross_entropy_with_logits", size_average, reduce, reduction)
    x, t, w = _operands("binary_cross_entropy_with_logits", input, target, weight, exact=True)
    positive = None if pos_weight is None else pos_weight.data.astype(x.dtype, copy=False)
    return BinaryCrossEntropyWithLogits.apply(x, t, w, reduction=reduction, pos_weight=positive)


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """KL divergence with `input` in log space; 'batchmean' (sum / batch size) is the true KL per sample."""
    legacy = size_average is not None or reduce is not None
    reduction = _reduction("kl_div", size_average, reduce, reduction, _REDUCTIONS + ("batchmean",))
    if reduction == "mean" and not legacy:
        warnings.warn(
            "kl_div: reduction='mean' divides the total loss by both the batch size and the support size; "
            "'batchmean' divides only by the batch size and matches the KL divergence's definition.",
            stacklevel=2,
        )
    x, t, _ = _operands("kl_div", input, target, warn=False)
    if reduction == "batchmean":
        if x.ndim == 0:
            return KLDiv.apply(x, t, None, reduction="sum", log_target=log_target)
        return KLDiv.apply(x, t, None, reduction="mean", divisor=x.shape[0], log_target=log_target)
    return KLDiv.apply(x, t, None, reduction=reduction, log_target=log_target)


__all__ = [
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
]
