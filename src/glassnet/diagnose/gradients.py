"""Gradient flow: how large each parameter's gradient is after one backward pass.

One forward + backward of `loss_fn(model(input), target)`, then per parameter (in
`model.named_parameters()` order, which is the order the layers were assigned):

    grad_norm      ||dL/dW||_2 over every element (float64)
    weight_norm    ||W||_2
    update_ratio   lr * ||dL/dW|| / ||W||: the relative size of one plain-SGD step.
                   Around 1e-3 is the usual healthy value (Karpathy's rule of thumb);
                   1e-1 rewrites the weights in ten steps, 1e-7 hardly moves them. Adaptive
                   optimisers (Adam) step about lr per element instead, so for them the
                   ratio is a guide to the gradient's size, not the step.

and, over the *weights* (parameters with two or more dims: Linear/Conv weights, not
biases or BatchNorm's scales), the first-to-last ratio

    first_to_last = ||dL/dW_first|| / ||dL/dW_last||

well below 1 when gradients vanish on their way back (sigmoid/tanh stacks), well above
when they explode.

A caveat the measurements taught: in a deep net whose signal shrinks in both directions
(small weights, zero biases) the forward activations shrink layer by layer while the
backward signal shrinks too, and the weight gradient dL/dW_l = delta_l x_(l-1)^T is
their product, about equally tiny in every layer, so the ratio stays near 1 while every
gradient has vanished. The backward signal itself shows it: for every leaf module call
the RMS of dL/d(output), sqrt(mean(g^2)), is recorded (`layers`), and

    signal_first_to_last = RMS(dL/dy_first) / RMS(dL/dy_last)

over the leaf calls whose output the gradient reached. RMS rather than the norm so that
layers of different widths compare per unit.

The model's `.grad`s are restored afterwards: each parameter gets back exactly the
gradient (or None) it had before the call, so diagnosing mid-training loses nothing.
Training flags, buffers and the RNG are restored too (see `glassnet.diagnose.inputs`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy

from glassnet.backend import to_numpy
from glassnet.diagnose.inputs import check_mode, check_model, effective_mode, preserved, split_batch
from glassnet.grad_mode import enable_grad
from glassnet.nn.module import Module
from glassnet.tensor import Tensor

TYPICAL_UPDATE_RATIO = 1e-3


@dataclass
class ParamGrad:
    """One parameter's gradient after the backward pass."""

    index: int
    name: str
    shape: tuple[int, ...]
    grad_norm: float | None  # None: the loss does not reach this parameter
    weight_norm: float
    update_ratio: (
        float | None
    )  # lr * grad_norm / weight_norm; None without lr, a gradient, or for W = 0
    nonfinite: int  # NaN/inf elements in the gradient

    @property
    def is_weight(self) -> bool:
        return len(self.shape) >= 2


@dataclass
class LayerGrad:
    """The backward signal dL/d(output) of one leaf module call."""

    index: int
    name: str
    class_name: str
    shape: tuple[int, ...]
    grad_rms: float | None  # None: the gradient did not reach this output


def _norm(array: Any) -> float:
    values = to_numpy(array).astype(numpy.float64, copy=False)
    return float(numpy.sqrt(numpy.sum(values * values)))


def _ratio(numerator: float, denominator: float) -> float:
    if denominator == 0:
        return math.nan if numerator == 0 else math.inf
    return numerator / denominator


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


class GradientFlow:
    """The result of `gradient_flow`: parameter rows, backward-signal rows and the ratios."""

    def __init__(
        self,
        params: list[ParamGrad],
        layers: list[LayerGrad],
        loss: float,
        lr: float | None,
        batch_size: int,
        mode: str,
    ) -> None:
        self.params = params
        self.layers = layers
        self.loss = loss
        self.lr = lr
        self.batch_size = batch_size
        self.mode = mode
        weights = [row for row in params if row.is_weight and row.grad_norm is not None]
        self.first: ParamGrad | None = weights[0] if len(weights) >= 2 else None
        self.last: ParamGrad | None = weights[-1] if len(weights) >= 2 else None
        self.first_to_last: float | None = (
            _ratio(self.first.grad_norm, self.last.grad_norm) if self.first and self.last else None
        )
        reached = [row for row in layers if row.grad_rms is not None]
        self.signal_first: LayerGrad | None = reached[0] if len(reached) >= 2 else None
        self.signal_last: LayerGrad | None = reached[-1] if len(reached) >= 2 else None
        self.signal_first_to_last: float | None = (
            _ratio(self.signal_first.grad_rms, self.signal_last.grad_rms)
            if self.signal_first and self.signal_last
            else None
        )

    def __len__(self) -> int:
        return len(self.params)

    def __iter__(self) -> Iterator[ParamGrad]:
        return iter(self.params)

    def __getitem__(self, key: int | str) -> ParamGrad:
        """A parameter row by position or by name ('0.weight')."""
        if isinstance(key, str):
            for row in self.params:
                if row.name == key:
                    return row
            raise KeyError(
                f"no parameter named {key!r}; parameters: {', '.join(row.name for row in self.params)}"
            )
        return self.params[key]

    COLUMNS = ("#", "parameter", "shape", "grad norm", "weight norm", "lr*|g|/|w|", "non-finite")

    def table_rows(self) -> list[tuple[str, ...]]:
        return [
            (
                str(row.index),
                row.name,
                "x".join(map(str, row.shape)),
                _number(row.grad_norm),
                _number(row.weight_norm),
                _number(row.update_ratio),
                str(row.nonfinite) if row.nonfinite else "",
            )
            for row in self.params
        ]

    def summary_lines(self) -> list[str]:
        """The loss and the two first-to-last ratios, in words."""
        lines = [
            f"loss {self.loss:.4g} on one batch of {self.batch_size}, mode {self.mode}"
            + (
                ""
                if self.lr is None
                else f", lr {self.lr:g} (update ratio of plain SGD; ~"
                f"{TYPICAL_UPDATE_RATIO:g} is typical)"
            )
        ]
        if self.first and self.last:
            lines.append(
                f"weight gradient, first/last: {self.first.name} {self.first.grad_norm:.3g} / "
                f"{self.last.name} {self.last.grad_norm:.3g} = {self.first_to_last:.3g}"
            )
        if self.signal_first and self.signal_last:
            lines.append(
                f"backward signal RMS(dL/dy), first/last: {self.signal_first.name} "
                f"{self.signal_first.grad_rms:.3g} / {self.signal_last.name} {self.signal_last.grad_rms:.3g}"
                f" = {self.signal_first_to_last:.3g}"
            )
        return lines

    def format_table(self) -> str:
        """A plain-text table, one line per parameter, then the summary lines."""
        cells = [self.COLUMNS, *self.table_rows()]
        widths = [max(len(line[column]) for line in cells) for column in range(len(self.COLUMNS))]
        lines = [
            "  ".join(
                text.ljust(width) if column == 1 else text.rjust(width)
                for column, (text, width) in enumerate(zip(line, widths))
            ).rstrip()
            for line in cells
        ]
        lines.insert(1, "-" * len(lines[0]))
        return "\n".join([*lines, *self.summary_lines()])

    def __repr__(self) -> str:
        ratio = "-" if self.first_to_last is None else f"{self.first_to_last:.3g}"
        return (
            f"GradientFlow({len(self.params)} parameters, loss {self.loss:.4g}, first/last {ratio})"
        )


def _check_lr(lr: Any, where: str) -> float | None:
    if lr is None:
        return None
    if (
        isinstance(lr, bool)
        or not isinstance(lr, (int, float))
        or not lr > 0
        or not math.isfinite(lr)
    ):
        raise ValueError(f"{where}: lr must be a positive finite number or None, got {lr!r}")
    return float(lr)


def _scalar_loss(loss: Any, where: str) -> Tensor:
    if not isinstance(loss, Tensor):
        raise TypeError(f"{where}: loss_fn must return a Tensor, got {type(loss).__name__}")
    if loss.numel() != 1:
        raise ValueError(
            f"{where}: loss_fn must return a scalar (one element) to backpropagate, got shape "
            f"{tuple(loss.shape)}; reduce it, e.g. reduction='mean'"
        )
    if not loss.requires_grad:
        raise ValueError(
            f"{where}: the loss does not depend on any parameter that requires grad "
            "(all frozen, or computed under no_grad)"
        )
    return loss


class _OutputRecorder:
    """A forward hook for leaf modules: keeps each call's first float output, with its gradient."""

    def __init__(self, model: Module) -> None:
        self.names = {id(module): name for name, module in model.named_modules()}
        self.calls: dict[int, int] = {}
        self.outputs: list[tuple[str, str, Tensor]] = []  # (row name, class name, output)

    def __call__(self, module: Module, args: tuple[Any, ...], output: Any) -> None:
        candidates = output if isinstance(output, (tuple, list)) else (output,)
        tensor = next((item for item in candidates if isinstance(item, Tensor)), None)
        if tensor is None or tensor.dtype.kind != "f":
            return
        count = self.calls[id(module)] = self.calls.get(id(module), 0) + 1
        name = self.names.get(id(module), "?") or type(module).__name__
        tensor.retain_grad()
        self.outputs.append(
            (name if count == 1 else f"{name} #{count}", type(module).__name__, tensor)
        )

    def layer_rows(self) -> list[LayerGrad]:
        """One LayerGrad per recorded output: RMS of dL/dy (None where no gradient reached it)."""
        layers = []
        for index, (name, class_name, tensor) in enumerate(self.outputs, start=1):
            rms = None
            if tensor.grad is not None:
                values = to_numpy(tensor.grad.data).astype(numpy.float64, copy=False)
                rms = float(numpy.sqrt(numpy.mean(values * values))) if values.size else 0.0
            layers.append(LayerGrad(index, name, class_name, tuple(tensor.shape), rms))
        return layers


def _param_rows(named: list[tuple[str, Any]], lr: float | None) -> list[ParamGrad]:
    """One ParamGrad per parameter: |g|, |w|, lr |g| / |w| and the non-finite count of g."""
    params = []
    for index, (name, param) in enumerate(named, start=1):
        grad = None if param.grad is None else to_numpy(param.grad.data)
        grad_norm = None if grad is None else _norm(grad)
        weight_norm = _norm(param.data)
        update = (
            lr * grad_norm / weight_norm
            if lr is not None and grad_norm is not None and weight_norm > 0
            else None
        )
        nonfinite = (
            0 if grad is None else int(grad.size - numpy.count_nonzero(numpy.isfinite(grad)))
        )
        params.append(
            ParamGrad(index, name, tuple(param.shape), grad_norm, weight_norm, update, nonfinite)
        )
    return params


def gradient_flow(
    model: Module,
    batch: Any,
    loss_fn: Callable[..., Tensor],
    lr: float | None = None,
    mode: str = "same",
) -> GradientFlow:
    """Per-parameter gradient norms, update ratios and first-to-last ratios for one batch.

    Args:
        model: any glassnet Module.
        batch: (input, target) as a DataLoader yields: the loss is loss_fn(model(input), target);
            a lone input gives loss_fn(model(input)).
        loss_fn: returns a scalar Tensor, e.g. nn.CrossEntropyLoss().
        lr: the learning rate for the update ratio lr * |g| / |w|; None skips it.
        mode: 'same' (the model's current mode), 'train' or 'eval'.

    The parameters' .grad are restored to what they were before the call.
    """
    where = "gradient_flow"
    check_model(model, where)
    check_mode(mode, where)
    if not callable(loss_fn):
        raise TypeError(
            f"{where}: loss_fn must be callable, e.g. nn.CrossEntropyLoss(), got {type(loss_fn).__name__}"
        )
    lr = _check_lr(lr, where)
    inputs, target = split_batch(batch, where)
    named = [(name, param) for name, param in model.named_parameters() if param.requires_grad]
    saved = [param.grad for _, param in named]
    recorder = _OutputRecorder(model)
    ran_in = effective_mode(model, mode)
    handles = [
        module.register_forward_hook(recorder) for module in model.modules() if not module._modules
    ]
    try:
        for _, param in named:
            param.grad = None
        with preserved(model, mode), enable_grad():
            output = model(inputs)
            loss = _scalar_loss(
                loss_fn(output, target) if target is not None else loss_fn(output), where
            )
            loss.backward()
        params, layers = _param_rows(named, lr), recorder.layer_rows()
        loss_value = float(to_numpy(loss.data).reshape(()))
    finally:
        for handle in handles:
            handle.remove()
        for (_, param), grad in zip(named, saved):
            param.grad = grad
    return GradientFlow(
        params, layers, loss_value, lr, int(inputs.shape[0]) if inputs.ndim else 1, ran_in
    )
