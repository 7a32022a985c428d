"""Losses: cross_entropy (one fused log-softmax + NLL), nll_loss, mse_loss, l1_loss,
smooth_l1_loss, binary_cross_entropy, binary_cross_entropy_with_logits, kl_div.

Each loss is one Function that also does its reduction, so the backward of the
reduction ('mean' divides the upstream gradient by the count) sits with the formula.
Signatures, defaults and the edge rules (what 'mean' divides by, how label smoothing
meets class weights) follow torch.nn.functional 2.13. Class weights (`weight=` of
cross_entropy and nll_loss) are constants, as in PyTorch: they get no gradient.
"""

from __future__ import annotations

import warnings
from typing import Any

from glassnet.backend import Array, xp
from glassnet.function import Function
from glassnet.ops.cast import as_operand, promote, to_float
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


def _reduction(op: str, size_average: bool | None, reduce: bool | None, reduction: str,
               allowed: tuple[str, ...] = _REDUCTIONS) -> str:
    """The reduction to use; the deprecated size_average/reduce pair overrides it, as in PyTorch."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduction = ("mean" if size_average else "sum") if reduce in (None, True) else "none"
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
                      stacklevel=3)
    if reduction not in allowed:
        names = ", ".join(repr(name) for name in allowed)
        raise ValueError(f"{op}: reduction={reduction!r} is not valid; expected one of {names}")
    return reduction


# -- class-index losses ------------------------------------------------------------

def _class_layout(op: str, input: Tensor, target: Tensor, weight: Tensor | None,  # noqa: A002
                  ignore_index: int) -> tuple[int, Array | None]:
    """Check class-index targets; return the class dim (1, or 0 for a single (C,) sample) and weight."""
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have a class dimension, got a 0-d tensor")
    class_dim = 0 if input.ndim == 1 else 1
    classes = input.shape[class_dim]
    wanted = input.shape[:class_dim] + input.shape[class_dim + 1:]
    if target.dtype.kind not in "iu":
        raise TypeError(f"{op}: class-index targets must be integers, got {target.dtype} (target shape {target.shape})")
    if target.shape != wanted:
        raise ValueError(
            f"{op}: target shape {tuple(target.shape)} does not match input shape {tuple(input.shape)}; "
            f"class-index targets need shape {wanted}"
        )
    labels = target.data
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


def _pick_targets(xp: Any, labels: Array, weight: Array | None, ignore_index: int, class_dim: int,
                  dtype: Any) -> tuple[Array, Array, Array]:
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

    def forward(self, x: Array, labels: Array, weight: Array | None, class_dim: int, ignore_index: int,
                reduction: str) -> Array:
        xp = self.xp
        index, _, weight_t = _pick_targets(xp, labels, weight, ignore_index, class_dim, x.dtype)
        loss = -(weight_t * xp.take_along_axis(x, index, axis=class_dim).squeeze(class_dim))
        self.count = weight_t.sum()
        self.shape, self.class_dim, self.reduction = x.shape, class_dim, reduction
        self.save(index, weight_t)
        return _reduce(xp, loss, reduction, self.count)

    def backward(self, grad: Array) -> tuple[Array, None]:
        xp = self.xp
        index, weight_t = self.saved
        scale = grad / _nonzero(xp, self.count) if self.reduction == "mean" else grad
        grad_x = xp.zeros(self.shape, dtype=weight_t.dtype)
        xp.put_along_axis(grad_x, index, xp.expand_dims(-(weight_t * scale), self.class_dim), axis=self.class_dim)
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

    def forward(self, x: Array, target: Array, weight: Array | None, class_dim: int, ignore_index: int,
                reduction: str, label_smoothing: float) -> Array:
        xp = self.xp
        classes = x.shape[class_dim]
        log_p = x - x.max(axis=class_dim, keepdims=True)
        log_p -= xp.log(xp.exp(log_p).sum(axis=class_dim, keepdims=True))
        self.class_dim, self.reduction, self.eps = class_dim, reduction, label_smoothing
        self.smooth = label_smoothing / classes
        weight_c = None if weight is None else weight.reshape((classes,) + (1,) * (x.ndim - class_dim - 1))
        if target.dtype.kind == "f":
            self.probabilities = True
            loss = -(self._coefficients(target, weight_c) * log_p).sum(axis=class_dim)
            self.count = x.size // classes if classes else 0
            self.save(log_p, target, weight_c)
            return _reduce(xp, loss, reduction, self.count)
        self.probabilities = False
        index, kept, weight_t = _pick_targets(xp, target, weight, ignore_index, class_dim, x.dtype)
        loss = (weight_t * xp.take_along_axis(log_p, index, axis=class_dim).squeeze(class_dim)) * -(1.0 - self.eps)
        if self.eps:
            log_sum = (log_p * weight_c).sum(axis=class_dim) if weight_c is not None else log_p.sum(axis=class_dim)
            loss -= (self.smooth * log_sum) * kept
        self.count = weight_t.sum()
        self.mass_total = (weight.sum() if weight is not None else classes) * self.smooth  # sum_c w_c eps / C
        self.save(log_p, index, kept, weight_t, weight_c)
        return _reduce(xp, loss, reduction, self.count)

    def _coefficients(self, q: Array, weight_c: Array | None) -> Array:
        coefficients = q * (1.0 - self.eps) + self.smooth if self.eps else q
        return coefficients * weight_c if weight_c is not None else coefficients

    def backward(self, grad: Array) -> tuple[Array, Array | None]:
        xp, dim = self.xp, self.class_dim
        scale = grad / _nonzero(xp, xp.asarray(self.count, dtype=grad.dtype)) if self.reduction == "mean" else grad
        if self.probabilities:
            log_p, q, weight_c = self.saved
            scale = xp.expand_dims(scale, dim) if self.reduction == "none" else scale
            coefficients = self._coefficients(q, weight_c)
            grad_x = (xp.exp(log_p) * coefficients.sum(axis=dim, keepdims=True) - coefficients) * scale
            grad_q = None
            if self.needs_input_grad[1]:
                grad_q = log_p * (scale * -(1.0 - self.eps))
                grad_q = grad_q * weight_c if weight_c is not None else grad_q
            return grad_x, grad_q
        log_p, index, kept, weight_t, weight_c = self.saved
        at_target = weight_t * scale * (1.0 - self.eps)  # a at the target class, per sample
        total = at_target + (kept * scale) * self.mass_total if self.eps else at_target  # sum_c a_ic
        grad_x = xp.exp(log_p) * xp.expand_dims(total, dim)
        picked = xp.take_along_axis(grad_x, index, axis=dim)
        xp.put_along_axis(grad_x, index, picked - xp.expand_dims(at_target, dim), axis=dim)
        if self.eps:
            spread = xp.expand_dims(kept * scale, dim) * self.smooth
            grad_x -= spread * weight_c if weight_c is not None else spread
        return grad_x, None


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                  size_average: bool | None = None, ignore_index: int = -100, reduce: bool | None = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
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
            raise ValueError(f"cross_entropy: ignore_index={ignore_index} is not supported for probability targets")
        if x.ndim == 0:
            raise ValueError("cross_entropy: input must have a class dimension, got a 0-d tensor")
        x, target = promote(x, target)
        class_dim = 0 if x.ndim == 1 else 1
        classes = x.shape[class_dim]
        if weight is not None and weight.shape != (classes,):
            raise ValueError(f"cross_entropy: weight has shape {tuple(weight.shape)} but input has {classes} classes "
                             f"(input shape {tuple(x.shape)}); weight needs shape ({classes},)")
        weight_array = None if weight is None else weight.data.astype(x.dtype, copy=False)
    else:
        class_dim, weight_array = _class_layout("cross_entropy", x, target, weight, ignore_index)
    return CrossEntropy.apply(x, target, weight=weight_array, class_dim=class_dim, ignore_index=ignore_index,
                              reduction=reduction, label_smoothing=label_smoothing)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
             size_average: bool | None = None, ignore_index: int = -100, reduce: bool | None = None,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class-index targets, given log-probabilities (class dim 1)."""
    reduction = _reduction("nll_loss", size_average, reduce, reduction)
    x = to_float(input)
    class_dim, weight_array = _class_layout("nll_loss", x, target, weight, ignore_index)
    return NLLLoss.apply(x, target, weight=weight_array, class_dim=class_dim, ignore_index=ignore_index,
                         reduction=reduction)


# -- element-wise losses -------------------------------------------------------------

class _PointwiseLoss(Function):
    """What the element-wise losses share: the weight, the reduction and their backward.

    A subclass's `pointwise(x, t, ...)` returns the per-element loss l with dl/dx and
    dl/dt (None where no gradient is needed). Then L = reduce(w l), so with upstream g:
        'none'/'sum':  dL/dx = g w dl/dx,  dL/dw = g l
        'mean':        the same divided by the count n; a mean weighted by sum(w)
                       (mse/l1) is L = sum(w l) / sum(w), so dL/dw = g (l - L) / sum(w).
    """

    def forward(self, x: Array, t: Array, w: Array | None, reduction: str, divisor: Any = None,
                **options: Any) -> Array:
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

    def pointwise(self, x: Array, t: Array, **options: Any) -> tuple[Array, Array | None, Array | None]:
        raise NotImplementedError

    def backward(self, grad: Array) -> tuple[Array | None, Array | None, Array | None]:
        d_x, d_t, w, loss, out = self.saved
        xp = self.xp
        scale = grad / _nonzero(xp, xp.asarray(self.count, dtype=grad.dtype)) if self.reduction == "mean" else grad
        weighted_scale = scale * w if w is not None else scale
        grad_x = weighted_scale * d_x if d_x is not None else None
        grad_t = weighted_scale * d_t if d_t is not None else None
        grad_w = None
        if loss is not None:
            grad_w = scale * (loss - out) if self.by_weight and self.reduction == "mean" else scale * loss
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

    def pointwise(self, x: Array, t: Array, beta: float) -> tuple[Array, Array | None, Array | None]:
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

    def pointwise(self, x: Array, t: Array, pos_weight: Array | None) -> tuple[Array, Array | None, Array | None]:
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

    def pointwise(self, x: Array, t: Array, log_target: bool) -> tuple[Array, Array | None, Array | None]:
        xp = self.xp
        if log_target:
            p = xp.exp(t)
            loss = p * (t - x)
            return loss, -p, (p * (t - x + 1.0) if self.needs_input_grad[1] else None)
        positive = t > 0
        log_t = xp.log(xp.where(positive, t, 1.0))
        d_t = xp.where(positive, log_t + 1.0 - x, -xp.inf) if self.needs_input_grad[1] else None
        return t * (log_t - x), -t, d_t


def _operands(op: str, input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
              exact: bool = False, warn: bool = True, weight_promotes: bool = False,
              ) -> tuple[Tensor, Tensor, Tensor | None]:
    """Check target's shape against input's (torch: exact, or broadcast with a warning); promote."""
    if target.shape != input.shape:
        if exact:
            raise ValueError(f"{op}: target shape {tuple(target.shape)} must match input shape {tuple(input.shape)}")
        try:
            xp.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise ValueError(
                f"{op}: target shape {tuple(target.shape)} does not broadcast with input shape {tuple(input.shape)}"
            ) from None
        if warn:
            warnings.warn(
                f"{op}: target shape {tuple(target.shape)} differs from input shape {tuple(input.shape)} and will "
                "be broadcast, which is usually a bug. Please ensure they have the same size.", stacklevel=3,
            )
    if weight is not None and weight_promotes:  # mse/l1 multiply by the weight, so it promotes
        return promote(to_float(input), target, weight)  # type: ignore[return-value]
    x, t = promote(to_float(input), target)
    return x, t, (as_operand(weight, x.dtype) if weight is not None else None)


def _elementwise_weight(op: str, input: Tensor, weight: Tensor | None) -> None:  # noqa: A002
    if weight is not None and weight.shape != input.shape:
        raise ValueError(f"{op}: weight shape {tuple(weight.shape)} must match input shape {tuple(input.shape)}")


def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,  # noqa: A002
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean squared error; a `weight` mean divides by sum(weight)."""
    reduction = _reduction("mse_loss", size_average, reduce, reduction)
    _elementwise_weight("mse_loss", input, weight)
    x, t, w = _operands("mse_loss", input, target, weight, weight_promotes=True)
    return MSELoss.apply(x, t, w, reduction=reduction, divisor="weight" if w is not None else None)


def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,  # noqa: A002
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean absolute error; a `weight` mean divides by sum(weight)."""
    reduction = _reduction("l1_loss", size_average, reduce, reduction)
    _elementwise_weight("l1_loss", input, weight)
    x, t, w = _operands("l1_loss", input, target, weight, weight_promotes=True)
    return L1Loss.apply(x, t, w, reduction=reduction, divisor="weight" if w is not None else None)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,  # noqa: A002
                   reduce: bool | None = None, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Quadratic below `beta`, linear above; beta=0 is l1_loss."""
    reduction = _reduction("smooth_l1_loss", size_average, reduce, reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta={beta} must be non-negative")
    x, t, _ = _operands("smooth_l1_loss", input, target)
    if beta == 0:
        return L1Loss.apply(x, t, None, reduction=reduction)
    return SmoothL1Loss.apply(x, t, None, reduction=reduction, beta=beta)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
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


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                                     size_average: bool | None = None, reduce: bool | None = None,
                                     reduction: str = "mean", pos_weight: Tensor | None = None) -> Tensor:
    """sigmoid + binary cross-entropy in one stable step; `pos_weight` scales the positive term."""
    reduction = _reduction("binary_cross_entropy_with_logits", size_average, reduce, reduction)
    x, t, w = _operands("binary_cross_entropy_with_logits", input, target, weight, exact=True)
    positive = None if pos_weight is None else pos_weight.data.astype(x.dtype, copy=False)
    return BinaryCrossEntropyWithLogits.apply(x, t, w, reduction=reduction, pos_weight=positive)


def kl_div(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,  # noqa: A002
           reduction: str = "mean", log_target: bool = False) -> Tensor:
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
    "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "kl_div",
]
