"""`summary(model, input_size)`: a torchinfo-like table of a model, from one real forward pass.

Each module call is a row: the layer (indented name and class), its output shape, its
parameters, its MACs (multiply-accumulates, see `glassnet.costs` for what counts), and
the receptive field and jump of its output where the input has spatial axes (see
`glassnet.shape` for the formulas). Rows deeper than `depth` are folded into their
visible parent, whose numbers then cover its whole subtree. Below the table: total and
trainable parameters, total MACs, and the memory of the input, of the forward pass'
outputs (the distinct tensors the innermost layers return), of the parameters and of
the buffers.

A parameter is counted once: where a later row uses a parameter that an earlier row
already counted (tied weights, or a module called twice) the row shows it as
"(+N shared)" and the totals leave it out. A depthwise conv followed by a 1x1 conv gets
a note comparing its MACs with the standard conv it replaces: the ratio is
1/C_out + 1/k^2 (MobileNet, Howard et al. 2017, section 3.1).

The pass runs in eval mode (dropout off, BatchNorm on its running statistics; pass
mode='train' or 'same' to change that) and leaves the model as it was.

The package: `result.py` (Summary, SummaryRow and the printed table), `rows.py` (the
rows and totals of a traced pass) and here `summary()` itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy

from glassnet.nn.module import Module
from glassnet.summary.result import Summary, SummaryRow
from glassnet.summary.rows import tabulate
from glassnet.tensor import Tensor
from glassnet.tracing import TraceError, as_input_list, make_inputs, trace

__all__ = ["summary", "Summary", "SummaryRow"]


def summary(
    model: Module,
    input_size: Sequence[Any] | None = None,
    input_data: Any = None,
    *,
    batch_size: int = 1,
    dtype: Any = None,
    depth: int = 3,
    mode: str = "eval",
    batch_dim: int | None = None,
) -> Summary:
    """Run `model` once on a batch of `batch_size` random inputs shaped `input_size` (no batch
    dim; a list of shapes for several inputs), or on `input_data`, and tabulate it.

    batch_dim: None (the default): `input_size` is one sample's shape, as `glassnet summary
    --input` takes it, and a batch of `batch_size` goes in front: (3, 32, 32) runs on
    (batch_size, 3, 32, 32). An int: torchinfo's convention, `input_size` includes the batch
    dimension at that position: summary(model, (16, 3, 32, 32), batch_dim=0) runs on
    (16, 3, 32, 32), and batch_dim=1 suits sequence-first inputs (L, N, H). batch_size is
    then taken from input_size and may not be given too. (torchinfo.summary's own batch_dim
    default, None, means the same as an int here: its input_size always holds the batch.)
    dtype: of the random inputs (default float32; int64 for token ids), one or one per input.
    depth: the deepest row shown (the model itself is depth 0).
    """
    if not isinstance(model, Module):
        raise TypeError(f"summary: model must be a glassnet.nn.Module, got {type(model).__name__}")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ValueError(f"summary: depth must be an int >= 0, got {depth!r}")
    if (input_size is None) == (input_data is None):
        raise ValueError(
            "summary: give exactly one of input_size (a shape without the batch dim, e.g. "
            "(3, 32, 32)) and input_data (the tensors to call the model with)"
        )
    if input_data is None and batch_dim is not None:
        args: list[Any] = _inputs_with_batch(input_size, batch_dim, batch_size, dtype)
    elif input_data is None:
        args = make_inputs(input_size, batch_size, dtype, "summary")
    else:  # float leaves get a grad-requiring alias, so the graph is recorded even for a frozen model
        args = [
            Tensor(item.data, requires_grad=True)
            if isinstance(item, Tensor)
            and item.is_leaf
            and item.dtype.kind == "f"
            and not item.requires_grad
            else item
            for item in as_input_list(input_data)
        ]
    try:
        result = trace(model, args, mode)
    except TraceError as error:
        raise TraceError(f"summary of {type(model).__name__}: {error}") from error.__cause__
    return tabulate(model, result.calls, result.inputs, result.outputs, depth)


def _inputs_with_batch(
    input_size: Sequence[Any], batch_dim: int, batch_size: int, dtype: Any
) -> list[Tensor]:
    """Random inputs for shapes that hold the batch at `batch_dim` (torchinfo's input_size)."""
    if isinstance(batch_dim, bool) or not isinstance(batch_dim, int) or batch_dim < 0:
        raise ValueError(f"summary: batch_dim must be None or an int >= 0, got {batch_dim!r}")
    if batch_size != 1:
        raise ValueError(
            f"summary: with batch_dim={batch_dim}, input_size holds the batch size; got "
            f"batch_size={batch_size} too"
        )
    if not isinstance(input_size, Sequence) or not input_size:
        raise ValueError(
            f"summary: input_size must be a shape or a list of shapes, got {input_size!r}"
        )
    one = all(isinstance(n, (int, numpy.integer)) for n in input_size)
    shapes = [tuple(input_size)] if one else [tuple(shape) for shape in input_size]
    for shape in shapes:
        if len(shape) <= batch_dim:
            raise ValueError(
                f"summary: input_size {shape} has no dimension {batch_dim} to be the batch "
                f"(batch_dim={batch_dim})"
            )
    batches = {shape[batch_dim] for shape in shapes}
    if len(batches) > 1:
        raise ValueError(f"summary: the inputs' batch sizes differ at dim {batch_dim}: {shapes}")
    samples = [shape[:batch_dim] + shape[batch_dim + 1 :] for shape in shapes]
    tensors = make_inputs(samples, batches.pop(), dtype, "summary")
    if batch_dim == 0:
        return tensors
    return [
        Tensor(
            numpy.ascontiguousarray(numpy.moveaxis(tensor.data, 0, batch_dim)),
            requires_grad=tensor.requires_grad,
        )
        for tensor in tensors
    ]
