"""What `summary()` returns: `Summary` (totals, rows, notes) and `SummaryRow`, and the table
that str(summary) prints: text columns left, numbers right, the totals and memory below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from glassnet.tracing import Call


@dataclass
class SummaryRow:
    """One row of the table. `params`/`macs` None print as '--' (a container with visible rows)."""

    label: str
    name: str
    class_name: str
    depth: int
    output_shapes: list[tuple[int, ...]]
    params: int | None
    shared_params: int
    macs: int | None
    macs_unknown: bool
    receptive_field: tuple[int, ...] | None
    jump: tuple[int, ...] | None
    call: Call = field(repr=False)


@dataclass
class Summary:
    """The rows and totals of `summary()`; str() gives the table."""

    model_name: str
    rows: list[SummaryRow]
    input_shapes: list[tuple[int, ...]]
    total_params: int
    trainable_params: int
    total_macs: int
    input_bytes: int
    activation_bytes: int
    param_bytes: int
    buffer_bytes: int
    notes: list[str]

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    def as_dict(self) -> dict[str, Any]:
        """The totals and one dict per row (`glassnet summary --json`); a MAC count that no
        rule gives is None."""
        rows = [
            {
                "label": row.label,
                "name": row.name,
                "class_name": row.class_name,
                "depth": row.depth,
                "output_shapes": [list(shape) for shape in row.output_shapes],
                "params": row.params,
                "shared_params": row.shared_params,
                "macs": None if row.macs_unknown else row.macs,
                "receptive_field": None
                if row.receptive_field is None
                else list(row.receptive_field),
                "jump": None if row.jump is None else list(row.jump),
            }
            for row in self.rows
        ]
        return {
            "model_name": self.model_name,
            "input_shapes": [list(shape) for shape in self.input_shapes],
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "total_macs": self.total_macs,
            "input_bytes": self.input_bytes,
            "activation_bytes": self.activation_bytes,
            "param_bytes": self.param_bytes,
            "buffer_bytes": self.buffer_bytes,
            "notes": list(self.notes),
            "rows": rows,
        }

    def __str__(self) -> str:
        return _format(self)

    def __repr__(self) -> str:
        return _format(self)


# -- the table ----------------------------------------------------------------------------
def _field_text(values: tuple[int, ...] | None) -> str:
    if not values:
        return "--"
    return str(values[0]) if len(set(values)) == 1 else "x".join(map(str, values))


def _bytes(amount: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if amount >= size:
            return f"{amount:,} bytes ({amount / size:.2f} {unit})"
    return f"{amount:,} bytes"


def _count(amount: int) -> str:
    for unit, size in (("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if amount >= size:
            return f"{amount:,} ({amount / size:.2f} {unit})"
    return f"{amount:,}"


def _cells(row: SummaryRow, with_fields: bool) -> list[str]:
    shapes = " ".join(str(list(shape)) for shape in row.output_shapes) or "--"
    params = "--" if row.params is None else f"{row.params:,}"
    if row.shared_params:
        params += f" (+{row.shared_params:,} shared)"
    macs = "--" if row.macs is None else f"{row.macs:,}" + (" + ?" if row.macs_unknown else "")
    cells = [row.label, shapes, params, macs]
    if with_fields:
        cells += [_field_text(row.receptive_field), _field_text(row.jump)]
    return cells


def _format(result: Summary) -> str:
    with_fields = any(row.receptive_field for row in result.rows)
    header = ["Layer (type)", "Output shape", "Param #", "MACs"] + (
        ["RF", "Jump"] if with_fields else []
    )
    table = [header] + [_cells(row, with_fields) for row in result.rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]

    def line(
        cells: list[str],
    ) -> str:  # text left, numbers right; columns two spaces apart at least
        parts = [cells[0].ljust(widths[0]), cells[1].ljust(widths[1])]
        parts += [cell.rjust(width) for cell, width in zip(cells[2:], widths[2:])]
        return "  ".join(parts).rstrip()

    width = len(line(header))
    rule, thin = "=" * width, "-" * width
    lines = [rule, line(header), rule, *(line(cells) for cells in table[1:]), rule]
    inputs = ", ".join(str(list(shape)) for shape in result.input_shapes)
    lines += [
        f"Input shape: {inputs}",
        f"Total params: {result.total_params:,}",
        f"Trainable params: {result.trainable_params:,}",
        f"Non-trainable params: {result.non_trainable_params:,}",
        f"Total MACs: {_count(result.total_macs)}",
        thin,
        f"Input memory: {_bytes(result.input_bytes)}",
        f"Forward pass outputs (activations): {_bytes(result.activation_bytes)}",
        f"Parameter memory: {_bytes(result.param_bytes)}",
        f"Buffer memory: {_bytes(result.buffer_bytes)}",
        f"Estimated total: {_bytes(result.input_bytes + result.activation_bytes + result.param_bytes + result.buffer_bytes)}",
        rule,
    ]
    if result.notes:
        lines += ["Notes:", *(f"- {note}" for note in result.notes)]
    return "\n".join(lines)
