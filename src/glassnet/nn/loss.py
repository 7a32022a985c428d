"""Loss modules: `CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, SmoothL1Loss, BCELoss, BCEWithLogitsLoss,
KLDivLoss`, each holding its options and calling its function in `glassnet.nn.functional`.

reduction: 'none' (one loss per element or sample), 'mean' (default) or 'sum';
KLDivLoss also has 'batchmean', the true KL divergence per sample. The deprecated
size_average / reduce pair still works and overrides reduction, with PyTorch's
warning. Class weights (weight=) and BCEWithLogitsLoss's pos_weight are buffers, as
in PyTorch: saved in the state dict, converted by .to(), never trained.
"""

from __future__ import annotations

import warnings
from typing import Any

from glassnet.nn import functional as F
from glassnet.nn.layer_args import check_choice, check_number, is_int
from glassnet.nn.module import Module
from glassnet.tensor import Tensor

REDUCTIONS = ("none", "mean", "sum")


def legacy_reduction(size_average: bool | None, reduce: bool | None) -> str:
    """PyTorch's reading of the old pair: reduce=False -> 'none', else size_average=False -> 'sum', else 'mean'."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
        stacklevel=4,
    )
    return reduction


class _Loss(Module):
    _reductions = REDUCTIONS

    def __init__(
        self, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
    ) -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = legacy_reduction(size_average, reduce)
        self.reduction = check_choice(type(self).__name__, "reduction", reduction, self._reductions)


def _check_buffer(where: str, name: str, value: Any) -> None:
    if value is not None and not isinstance(value, Tensor):
        raise TypeError(
            f"{where}: {name} must be a glassnet Tensor or None, got {type(value).__name__}"
        )


class _WeightedLoss(_Loss):
    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        _check_buffer(type(self).__name__, "weight", weight)
        self.register_buffer("weight", weight)


class L1Loss(_Loss):
    """|input - target|, reduced: the mean absolute error."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """(input - target)^2, reduced: the mean squared error."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """0.5 d^2 / beta for |d| < beta, |d| - 0.5 beta otherwise (d = input - target): L1 robust to outliers,
    smooth at zero."""

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        beta: float = 1.0,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        check_number("SmoothL1Loss", "beta", beta, 0.0)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class NLLLoss(_WeightedLoss):
    """-weight[y] * input[y] for log-probabilities `input` (class dim 1) and class indices y.

    'mean' divides by the summed weights of the non-ignored targets; targets equal to
    ignore_index contribute nothing.
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if not is_int(ignore_index):
            raise ValueError(
                f"NLLLoss: ignore_index must be an int, got ignore_index={ignore_index!r}"
            )
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
        )


class CrossEntropyLoss(_WeightedLoss):
    """NLLLoss of log_softmax(input, dim=1) in one stable step; targets are class indices or probabilities.

    label_smoothing eps mixes the target with the uniform distribution: (1 - eps) y + eps / C.
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if not is_int(ignore_index):
            raise ValueError(
                f"CrossEntropyLoss: ignore_index must be an int, got ignore_index={ignore_index!r}"
            )
        if (
            check_number("CrossEntropyLoss", "label_smoothing", label_smoothing) > 1
            or label_smoothing < 0
        ):
            raise ValueError(
                f"CrossEntropyLoss: label_smoothing must lie in [0, 1], got "
                f"label_smoothing={label_smoothing}"
            )
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class BCELoss(_WeightedLoss):
    """-w [y log p + (1 - y) log(1 - p)] for probabilities p in [0, 1]; logs are clamped at -100 as PyTorch."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """BCELoss of sigmoid(input), computed from the logits without overflow.

    pos_weight (one per class, broadcast over the last dim) multiplies the positive term:
    > 1 raises recall, < 1 precision.
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        _check_buffer("BCEWithLogitsLoss", "weight", weight)
        _check_buffer("BCEWithLogitsLoss", "pos_weight", pos_weight)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, pos_weight=self.pos_weight, reduction=self.reduction
        )


class KLDivLoss(_Loss):
    """sum target * (log target - input), with `input` log-probabilities (log_target: target is too).

    Use reduction='batchmean' for the KL divergence per sample; 'mean' also divides by
    the number of classes (PyTorch warns about it, and so does glassnet).
    """

    _reductions = REDUCTIONS + ("batchmean",)

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        log_target: bool = False,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
