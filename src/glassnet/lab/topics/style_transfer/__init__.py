"""Style transfer: what the style and content layers contribute, measured on random VGG features.

The notes (风格转换的原理) say a style transfer is computed from style and content features
together; that deeper style layers are "more concrete, with more content mixed in"; and that
deeper content layers "mix in more style and look less like the original". Trained VGG
weights cannot be downloaded here, so the features are a VGG-19 at full width with random
He-normal weights, calibrated on the picture (glassnet.style.RandomVGG). Three measurements
(glassnet.style.experiments): a content reconstruction from each depth (SSIM and PSNR to
the original), style reconstructions from layer sets of growing depth (the correlation
length of the texture), and a sweep of the style/content weight ratio.

The parts: `settings` <- `measure` (numbers and pictures) <- `judge` (one per claim) and
`figures`; the prose is in `notes/style_transfer.toml`.
"""

from __future__ import annotations

from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.registry import experiment
from glassnet.lab.result import Result
from glassnet.lab.topics.style_transfer.figures import (
    draw_content,
    draw_measures,
    draw_style,
    draw_sweep,
)
from glassnet.lab.topics.style_transfer.judge import (
    judge_content_layers,
    judge_style_and_content,
    judge_style_layers,
)
from glassnet.lab.topics.style_transfer.measure import Measured, measure
from glassnet.lab.topics.style_transfer.settings import CONTENT_PICTURE, RATIOS, STYLE_PICTURE

__all__ = ["run"]


@experiment("style_transfer")
def run(mode: str, seed: int) -> Result:
    result = Result.start("style_transfer", mode, seed)
    with one_blas_thread():
        m = measure(mode, seed)
    result.setup = result.say(
        "setup",
        size=m.size,
        steps=m.steps,
        content=CONTENT_PICTURE,
        style=STYLE_PICTURE,
        ratios=", ".join(f"{r:g}" for r in RATIOS),
    )
    judge_style_and_content(result, m)
    judge_style_layers(result, m)
    judge_content_layers(result, m)
    tables(result, m)
    draw_content(result, m)
    draw_style(result, m)
    draw_sweep(result, m)
    draw_measures(result, m)
    return result


def tables(result: Result, m: Measured) -> None:
    """The measures by depth, the sweep's losses, and the cost."""
    result.add_table(
        result.text("table_content"),
        [result.text("col_layer"), "SSIM", "PSNR (dB)"],
        [[r.layers[0], round(r.ssim, 3), round(min(r.psnr, 99.0), 1)] for r in m.content],
    )
    result.add_table(
        result.text("table_style"),
        [result.text("col_layers"), result.text("col_length")],
        [[" + ".join(r.layers), round(r.correlation_length, 2)] for r in m.style],
    )
    result.add_table(
        result.text("table_sweep"),
        [result.text("col_ratio"), result.text("col_content"), result.text("col_style")],
        [[p.ratio, round(p.content_loss, 4), round(p.style_loss, 4)] for p in m.sweep],
    )
    result.add_table(
        result.text("table_cost"),
        [result.text("col_cpu")],
        [[round(m.cpu_seconds, 1)]],
        note=result.text("cost_note"),
    )
