"""The per-layer table in Deep Compression's format, and the totals, as plain rows.

    layer | weights | kept | weight bits | index bits | rate

weight bits = value-stream bits per kept weight (Huffman-coded: the mean code length);
index bits = sparse gap bits per kept weight (escapes included); rate = 32 x weights /
(value + gap + code book/scale bits). The totals add the file as written: the dense
float32 safetensors file of the model's parameters and buffers, the compressed file's
size on disk (biases, code books, tables and header counted), their ratio, and accuracy
on the run's test split before and after.
"""

from __future__ import annotations

from typing import Any

from glassnet.compress.runs import CompressReport

HEADERS = ("layer", "weights", "kept", "weight bits", "index bits", "rate")


def layer_rows(report: CompressReport) -> list[tuple[str, ...]]:
    """One row of strings per compressed layer, then a 'total' row (weights only)."""
    rows = []
    for stats in report.layers.values():
        kept = max(stats.kept, 1)
        rows.append(
            (
                stats.name,
                f"{stats.weights:,}",
                f"{100 * stats.kept / stats.weights:.1f}%",
                f"{stats.value_bits / kept:.2f}",
                f"{stats.index_bits / kept:.2f}" if stats.index_bits else "-",
                f"{stats.rate:.1f}x",
            )
        )
    weights = sum(s.weights for s in report.layers.values())
    kept = sum(s.kept for s in report.layers.values())
    value = sum(s.value_bits for s in report.layers.values())
    index = sum(s.index_bits for s in report.layers.values())
    rows.append(
        (
            "total",
            f"{weights:,}",
            f"{100 * kept / weights:.1f}%",
            f"{value / max(kept, 1):.2f}",
            f"{index / max(kept, 1):.2f}" if index else "-",
            f"{report.weights_ratio:.1f}x",
        )
    )
    return rows


def layer_records(report: CompressReport) -> list[dict[str, Any]]:
    """The per-layer table as numbers: bits are per kept weight, kept a share, then the 'total' row."""
    records = []
    layers = list(report.layers.values())
    for name, group, rate in [(s.name, [s], s.rate) for s in layers] + [
        ("total", layers, report.weights_ratio)
    ]:
        weights, kept = sum(s.weights for s in group), sum(s.kept for s in group)
        records.append(
            {
                "layer": name,
                "weights": weights,
                "kept": kept,
                "kept_share": kept / weights,
                "weight_bits": sum(s.value_bits for s in group) / max(kept, 1),
                "index_bits": sum(s.index_bits for s in group) / max(kept, 1),
                "rate": rate,
            }
        )
    return records


def totals(report: CompressReport) -> dict[str, Any]:
    """The summary numbers: sizes in bytes, ratios, test accuracy before and after."""
    return {
        "dense_bytes": report.dense_bytes,
        "file_bytes": report.file_bytes,
        "file_ratio": report.ratio,
        "weights_ratio": report.weights_ratio,
        "accuracy_before": report.before["accuracy"],
        "accuracy_after": report.after["accuracy"],
    }


def markdown(report: CompressReport) -> str:
    """The per-layer table and the totals as Markdown."""
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(row) + " |" for row in layer_rows(report)]
    t = totals(report)
    lines.append("")
    lines.append(
        f"dense float32 file {t['dense_bytes']:,} B -> compressed file {t['file_bytes']:,} B on disk "
        f"({t['file_ratio']:.1f}x; weights only {t['weights_ratio']:.1f}x); test accuracy "
        f"{100 * t['accuracy_before']:.2f}% -> {100 * t['accuracy_after']:.2f}%"
    )
    return "\n".join(lines)
