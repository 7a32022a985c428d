"""Robust and margin losses: huber_loss, margin_ranking_loss, triplet_margin_loss.

huber_loss is smooth_l1_loss scaled by delta: quadratic near the target, linear beyond
delta. The margin losses ask for an ordering with room to spare and are zero once it
holds: margin_ranking_loss wants y (x1 - x2) >= margin, triplet_margin_loss wants the
anchor nearer the positive than the negative by the margin.
"""

from __future__ import annotations

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.cast import broadcast_operands, to_float
from glassnet.ops.distance import pairwise_distance
from glassnet.ops.elementwise import minimum
from glassnet.ops.loss import _reduce, _reduction
from glassnet.ops.loss_pointwise import _elementwise_weight, _operands, _PointwiseLoss
from glassnet.ops.reduce import mean, sum
from glassnet.tensor import Tensor


class HuberLoss(_PointwiseLoss):
    """l = (x - t)^2 / 2 where |x - t| < delta, else delta (|x - t| - delta / 2);
    dl/dx = x - t inside, delta sign(x - t) outside; dl/dt = -dl/dx. (= delta * smooth_l1 with beta = delta.)"""

    def pointwise(self, x: Array, t: Array, delta: float) -> tuple[Array, Array, Array | None]:
        xp = self.xp
        diff = x - t
        size = xp.abs(diff)
        inside = size < delta
        loss = xp.where(inside, 0.5 * diff * diff, delta * (size - 0.5 * delta))
        d_x = xp.where(inside, diff, delta * xp.sign(diff))
        return loss, d_x, (-d_x if self.needs_input_grad[1] else None)


class MarginRanking(Function):
    """l = max(0, -y (x1 - x2) + margin), reduced;  where l > 0: dl/dx1 = -y, dl/dx2 = y,
    dl/dy = -(x1 - x2) (PyTorch differentiates the target too), else 0."""

    def forward(self, x1: Array, x2: Array, y: Array, margin: float, reduction: str) -> Array:
        xp = self.xp
        difference = x1 - x2
        loss = xp.maximum(-y * difference + margin, 0)
        self.reduction, self.count = reduction, loss.size
        active = loss > 0
        self.save(xp.where(active, -y, 0), xp.where(active, -difference, 0))
        return _reduce(xp, loss, reduction, loss.size)

    def backward(self, grad: Array) -> tuple[Array, Array, Array]:
        slope, target_slope = self.saved
        scale = grad / self.count if self.reduction == "mean" else grad
        return scale * slope, -(scale * slope), scale * target_slope


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """Squared error below delta, absolute error (times delta) above; a weight multiplies
    each element's loss (the mean still divides by the element count, as PyTorch)."""
    reduction = _reduction("huber_loss", None, None, reduction)
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got delta={delta!r}")
    _elementwise_weight("huber_loss", input, weight)
    x, t, w = _operands("huber_loss", input, target, weight, weight_promotes=True)
    return HuberLoss.apply(x, t, w, reduction=reduction, delta=delta)


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """mean of max(0, -target (input1 - input2) + margin); target is +1 (input1 should rank
    higher) or -1."""
    reduction = _reduction("margin_ranking_loss", size_average, reduce, reduction)
    if not (input1.ndim == input2.ndim == target.ndim):
        raise ValueError(
            f"margin_ranking_loss: input1, input2 and target must have the same number of dims, "
            f"got shapes {input1.shape}, {input2.shape} and {target.shape}"
        )
    x1, x2, y = broadcast_operands(
        "margin_ranking_loss",
        to_float(input1),
        input2,
        target,
        names=("input1", "input2", "target"),
    )
    return MarginRanking.apply(x1, x2, y, margin=margin, reduction=reduction)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """mean of max(d(a, p) - d(a, n) + margin, 0), d = pairwise_distance (p-norm, eps);
    swap=True uses min(d(a, n), d(p, n)) as the negative distance (the harder one).

    Built from verified ops (pairwise_distance, minimum, clamp, mean/sum)."""
    reduction = _reduction("triplet_margin_loss", size_average, reduce, reduction)
    if not (anchor.ndim == positive.ndim == negative.ndim) or anchor.ndim not in (1, 2):
        raise ValueError(
            f"triplet_margin_loss: anchor, positive and negative must all be 1-D or all 2-D, got "
            f"shapes {anchor.shape}, {positive.shape} and {negative.shape}"
        )
    if margin <= 0:
        raise ValueError(f"triplet_margin_loss: margin must be positive, got margin={margin!r}")
    positive_distance = pairwise_distance(anchor, positive, p, eps)
    negative_distance = pairwise_distance(anchor, negative, p, eps)
    if swap:
        negative_distance = minimum(
            negative_distance, pairwise_distance(positive, negative, p, eps)
        )
    losses = (positive_distance - negative_distance + margin).clamp(min=0)
    return _reduce_tensor(losses, reduction)


def _reduce_tensor(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return mean(losses)
    return sum(losses) if reduction == "sum" else losses


__all__ = ["huber_loss", "margin_ranking_loss", "triplet_margin_loss"]
