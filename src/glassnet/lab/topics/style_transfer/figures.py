"""The style_transfer topic: figures (strips of pictures and the measures by depth)."""

from __future__ import annotations

import numpy as np

from glassnet.lab.fonts import figure_text
from glassnet.lab.result import Result, new_figure
from glassnet.lab.text import Text
from glassnet.lab.topics.style_transfer.measure import Measured


def strip(result: Result, name: str, pictures: list, labels: list[str], caption: Text) -> None:
    """One row of pictures (3, H, W) in [0, 1], each with its label."""
    fig, axes = new_figure(1.6 * len(pictures), 1.9, ncols=len(pictures))
    for axis, picture, label in zip(axes, pictures, labels, strict=True):
        axis.imshow(np.clip(np.transpose(picture, (1, 2, 0)), 0.0, 1.0))
        axis.set_title(label, fontsize=7)
        axis.set_axis_off()
    result.add_figure(fig, name, caption)


def draw_content(result: Result, m: Measured) -> None:
    original = figure_text(Text("original", "原图"))
    labels = [original] + [f"{r.layers[0]}\nSSIM {r.ssim:.2f}" for r in m.content]
    pictures = [m.content_picture] + [r.image for r in m.content]
    strip(result, "content_by_depth", pictures, labels, result.text("caption_content"))


def draw_style(result: Result, m: Measured) -> None:
    original = figure_text(Text("style picture", "风格图"))
    labels = [original] + [f"{r.layers[-1]}\nL {r.correlation_length:.1f} px" for r in m.style]
    pictures = [m.style_picture] + [r.image for r in m.style]
    strip(result, "style_by_depth", pictures, labels, result.text("caption_style"))


def draw_sweep(result: Result, m: Measured) -> None:
    labels = [f"{figure_text(Text('style/content', '风格/内容'))} {p.ratio:g}" for p in m.sweep]
    pictures = [p.image for p in m.sweep]
    strip(result, "weight_sweep", pictures, labels, result.text("caption_sweep"))


def draw_measures(result: Result, m: Measured) -> None:
    """SSIM and PSNR by content depth; correlation length by style depth; the sweep's losses."""
    fig, (left, middle, right) = new_figure(11.0, 3.2, ncols=3)
    depth = np.arange(1, len(m.content) + 1)
    left.plot(depth, [r.ssim for r in m.content], "-o", color="C0", label="SSIM")
    twin = left.twinx()
    twin.plot(depth, [min(r.psnr, 99.0) for r in m.content], "--s", color="C3", label="PSNR")
    left.set(
        title=figure_text(Text("Content from one layer", "单层内容重建")),
        xlabel=figure_text(Text("depth (relu k_1)", "深度(relu k_1)")),
        ylabel="SSIM",
    )
    twin.set_ylabel("PSNR (dB)")
    middle.plot(depth, [r.correlation_length for r in m.style], "-o", color="C2")
    middle.set(
        title=figure_text(Text("Style from layers 1..k", "第 1..k 层风格重建")),
        xlabel=figure_text(Text("deepest layer k", "最深层 k")),
        ylabel=figure_text(Text("correlation length (px)", "相关长度(像素)")),
    )
    ratios = [p.ratio for p in m.sweep]
    right.plot(
        ratios, [p.content_loss for p in m.sweep], "-o", label=figure_text(Text("content", "内容"))
    )
    right.plot(
        ratios, [p.style_loss for p in m.sweep], "-s", label=figure_text(Text("style", "风格"))
    )
    right.set(
        title=figure_text(Text("Sweep of the weight ratio", "权重比扫描")),
        xlabel=figure_text(Text("style / content weight", "风格/内容权重比")),
        ylabel=figure_text(Text("relative loss", "相对损失")),
        xscale="log",
        yscale="log",
    )
    right.legend(fontsize=7)
    result.add_figure(fig, "measures", result.text("caption_measures"))
