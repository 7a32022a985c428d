"""The style_transfer topic: one judge per claim of the notes (风格转换的原理)."""

from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr

from glassnet.lab.result import Result, Verdict
from glassnet.lab.topics.style_transfer.measure import Measured
from glassnet.lab.topics.style_transfer.settings import (
    BOTH_FRACTION,
    FALLS_RATIO,
    FALLS_RHO,
    GROWS_RATIO,
    GROWS_RHO,
    TRADE_FACTOR,
)


def rho(values: list[float]) -> float:
    """Spearman's rank correlation of `values` against their position (depth 1, 2, ...)."""
    if len(set(values)) < 2:
        return 0.0
    return float(spearmanr(np.arange(len(values)), values).statistic)


def judge_content_layers(result: Result, m: Measured) -> None:
    """Deeper content layers rebuild a picture less like the original (SSIM and PSNR fall)."""
    ssim = [r.ssim for r in m.content]
    psnr = [min(r.psnr, 99.0) for r in m.content]  # an exact copy has infinite PSNR
    numbers = {
        "rho_ssim": rho(ssim),
        "rho_psnr": rho(psnr),
        "ssim_first": ssim[0],
        "ssim_last": ssim[-1],
        "ssim_ratio": ssim[-1] / ssim[0] if ssim[0] > 0 else float("nan"),
    }
    falls = numbers["rho_ssim"] <= FALLS_RHO and numbers["rho_psnr"] <= FALLS_RHO
    if falls and numbers["ssim_ratio"] <= FALLS_RATIO:
        verdict = Verdict.HOLDS
    elif numbers["rho_ssim"] < 0 and numbers["rho_psnr"] < 0:
        verdict = Verdict.PARTLY
    else:
        verdict = Verdict.DOES_NOT_HOLD
    result.judge(
        "content_layers",
        verdict,
        numbers,
        rule=result.say("content_rule", falls_rho=FALLS_RHO, falls_ratio=FALLS_RATIO),
        margin=result.say("content_margin", **numbers),
        note=result.text("content_reading"),
    )


def judge_style_layers(result: Result, m: Measured) -> None:
    """Deeper style layer sets reproduce larger structures (the correlation length grows)."""
    lengths = [r.correlation_length for r in m.style]
    numbers = {
        "rho_length": rho(lengths),
        "length_first": lengths[0],
        "length_last": lengths[-1],
        "length_ratio": lengths[-1] / lengths[0] if lengths[0] > 0 else float("nan"),
    }
    grows = numbers["rho_length"] >= GROWS_RHO and numbers["length_ratio"] >= GROWS_RATIO
    # random weights can show larger structures, not "more concrete, object-like" ones
    verdict = Verdict.PARTLY if grows else Verdict.DOES_NOT_HOLD
    result.judge(
        "style_layers",
        verdict,
        numbers,
        rule=result.say("style_rule", grows_rho=GROWS_RHO, grows_ratio=GROWS_RATIO),
        margin=result.say("style_margin", **numbers),
        note=result.text("style_reading"),
    )


def balance(content: list[float], style: list[float]) -> float:
    """The smallest, over the sweep, of the larger of the two losses scaled to [0, 1]."""
    c, s = np.asarray(content), np.asarray(style)
    c = (c - c.min()) / max(np.ptp(c), 1e-12)
    s = (s - s.min()) / max(np.ptp(s), 1e-12)
    return float(np.min(np.maximum(c, s)))


def judge_style_and_content(result: Result, m: Measured) -> None:
    """The result carries both: the ratio trades one loss for the other, and a middle keeps both."""
    content = [p.content_loss for p in m.sweep]
    style = [p.style_loss for p in m.sweep]
    numbers = {
        "style_fall": style[0] / max(style[-1], 1e-12),
        "content_rise": content[-1] / max(content[0], 1e-12),
        "balance": balance(content, style),
    }
    trades = numbers["style_fall"] >= TRADE_FACTOR and numbers["content_rise"] >= TRADE_FACTOR
    if trades and numbers["balance"] <= BOTH_FRACTION:
        verdict = Verdict.HOLDS
    elif trades:
        verdict = Verdict.PARTLY
    else:
        verdict = Verdict.DOES_NOT_HOLD
    result.judge(
        "style_and_content",
        verdict,
        numbers,
        rule=result.say("both_rule", trade=TRADE_FACTOR, fraction=BOTH_FRACTION),
        margin=result.say("both_margin", **numbers),
    )
