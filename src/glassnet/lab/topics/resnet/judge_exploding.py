"""The resnet topic: judge the block's definition, 'solves exploding gradients', and the
notes' motive (the conjunction of the claims it rests on).

solves_exploding reads r = ||dL/dW_first conv|| / ||dL/dW_classifier|| (measure_exploding)
and its growth from the shallowest to the deepest depth, at initialisation and over early
training: the claim needs gradients that explode in the plain nets and shortcuts that
remove it. Where the plain nets do not explode there is nothing shown to be solved.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.resnet.measure import Runs
from glassnet.lab.topics.resnet.measure_exploding import Unnormalised, early_ratio, geo
from glassnet.lab.topics.resnet.settings import BLOCK_EXACT, EARLY_STEPS, EXPLODES, REMOVED

RANK = {Verdict.HOLDS: 2, Verdict.PARTLY: 1, Verdict.DOES_NOT_HOLD: 0}
MOTIVE_PARTS = ("plain_degrades", "shortcut_gradient", "efficiency")
STRICT_PARTS = (*MOTIVE_PARTS, "degradation_from_vanishing", "simplifies_backprop")


def weakest(verdicts: Sequence[Verdict]) -> Verdict:
    """The weakest of the verdicts (holds > partly > does not hold); not measured if any is not."""
    if not verdicts or any(Verdict(v) not in RANK for v in verdicts):
        return Verdict.NOT_MEASURED
    return min((Verdict(v) for v in verdicts), key=RANK.__getitem__)


def exploding_verdict(plain: Sequence[float], residual: Sequence[float]) -> Verdict:
    """plain, residual: r's growth with depth (at initialisation, in early training).

    Holds when the plain nets explode (a growth >= EXPLODES) and the residual nets' growths
    are all <= REMOVED; partly when the plain nets explode and every residual growth is below
    the plain one of the same phase; does not hold otherwise (nothing explodes, or no help).
    """
    if any(not math.isfinite(g) for g in (*plain, *residual)):
        return Verdict.DOES_NOT_HOLD
    if max(plain) < EXPLODES:
        return Verdict.DOES_NOT_HOLD
    if max(residual) <= REMOVED:
        return Verdict.HOLDS
    return Verdict.PARTLY if all(r < p for r, p in zip(residual, plain)) else Verdict.DOES_NOT_HOLD


def ratios(runs: Runs, family: str, depth: int) -> tuple[float, float]:
    """r at initialisation and over early training, geometric means over seeds."""
    init = geo([g[0] / g[-1] for g in runs.of(family, depth, "grads_init")])
    early = geo(
        [
            early_ratio(first, last)
            for first, last in zip(
                runs.of(family, depth, "first_grad"), runs.of(family, depth, "last_grad")
            )
        ]
    )
    return init, early


def growths(runs: Runs, family: str, low: int, high: int) -> tuple[float, float]:
    """r's growth from depth `low` to depth `high`: (initialisation, early training)."""
    (init_low, early_low), (init_high, early_high) = (
        ratios(runs, family, low),
        ratios(runs, family, high),
    )
    return init_high / init_low, early_high / early_low


def unnormalised_growths(bare: dict, family: str, low: int, high: int) -> tuple[float, float]:
    a, b = bare[(family, low)], bare[(family, high)]
    return b.ratio_init / a.ratio_init, b.ratio_early / a.ratio_early


def exploding_numbers(runs: Runs, bare: dict[tuple, Unnormalised], low: int, high: int) -> dict:
    """r at the deepest depth and its growth with depth, with BN (judged) and without (beside)."""
    numbers = {}
    for family in ("plain", "resnet"):
        r_init, r_early = ratios(runs, family, high)
        numbers[
            Text(f"{family} {high}, BN: r at init / early", f"{family} {high},BN:r 初始化 / 早期")
        ] = f"{r_init:.3g} / {r_early:.3g}"
        g = growths(runs, family, low, high)
        numbers[
            Text(
                f"{family}, BN: growth of r {low} -> {high}, init / early",
                f"{family},BN:r 从 {low} 到 {high} 的增长,初始化 / 早期",
            )
        ] = f"{g[0]:.3g} / {g[1]:.3g}"
    for family in ("plain", "resnet"):
        g = unnormalised_growths(bare, family, low, high)
        numbers[
            Text(
                f"{family}, no BN (reported): growth of r {low} -> {high}, init / early",
                f"{family},无 BN(仅报告):r 从 {low} 到 {high} 的增长,初始化 / 早期",
            )
        ] = f"{g[0]:.3g} / {g[1]:.3g}"
    return numbers


def judge_exploding(result: Result, runs: Runs, bare: dict[tuple, Unnormalised], c: dict) -> None:
    low, high = c["low"], c["high"]
    numbers = exploding_numbers(runs, bare, low, high)
    numbers[Text("vanishing half: shortcut_gradient", "梯度消失的一半:shortcut_gradient")] = str(
        result.claim("shortcut_gradient").verdict
    )
    logits = {
        f: bare[(f, high)].logits_rms / bare[(f, low)].logits_rms for f in ("plain", "resnet")
    }
    (plain_init, plain_early), (res_init, res_early) = (
        ratios(runs, "plain", high),
        ratios(runs, "resnet", high),
    )
    result.judge(
        "solves_exploding",
        exploding_verdict(growths(runs, "plain", low, high), growths(runs, "resnet", low, high)),
        numbers,
        result.say(
            "exploding_rule",
            explodes=EXPLODES,
            removed=REMOVED,
            early=EARLY_STEPS,
            low=low,
            high=high,
        ),
        note=result.say(
            "exploding_note",
            low=low,
            high=high,
            plain_logits=logits["plain"],
            res_logits=logits["resnet"],
            plain_diverged=bare[("plain", high)].diverged_at or 0,
            res_diverged=bare[("resnet", high)].diverged_at or 0,
            early=EARLY_STEPS,
            plain_init=plain_init,
            plain_early=plain_early,
            res_init=res_init,
            res_early=res_early,
        ),
    )


def judge_block(result: Result, m: dict[str, float]) -> None:
    exact = m["same"] <= BLOCK_EXACT and m["zeroed"] <= BLOCK_EXACT
    result.judge(
        "block_definition",
        Verdict.HOLDS if exact else Verdict.DOES_NOT_HOLD,
        {
            Text(
                "block vs relu(f(x) + x): max |difference| / max |output|",
                "块 vs relu(f(x) + x):最大 |差| / 最大 |输出|",
            ): f"{m['same']:.1e}",
            Text("branch zeroed: largest |f(x)|", "分支置零:最大 |f(x)|"): m["zero_branch"],
            Text("branch zeroed: block vs relu(x)", "分支置零:块 vs relu(x)"): f"{m['zeroed']:.1e}",
            Text("share of x below 0 (cut by the ReLU)", "x 中小于 0 的比例(被 ReLU 截掉)"): round(
                m["negative_share"], 3
            ),
            Text(
                "reported: stride-2 block vs relu(f(x) + shortcut(x))",
                "仅报告:步长 2 的块 vs relu(f(x) + shortcut(x))",
            ): f"{m['changed']:.1e}",
        },
        result.say("block_rule", exact=BLOCK_EXACT),
        note=result.text("block_note"),
    )


def judge_motive(result: Result) -> None:
    """vgg_motivation: the conjunction of the checkable parts, judged as the weakest of them."""
    parts = {claim_id: result.claim(claim_id).verdict for claim_id in STRICT_PARTS}
    numbers = {
        Text(f"{claim_id}", f"{claim_id}"): str(parts[claim_id]) for claim_id in MOTIVE_PARTS
    }
    strict = weakest([parts[claim_id] for claim_id in STRICT_PARTS])
    numbers[
        Text(
            "reported: with degradation_from_vanishing and simplifies_backprop too",
            "仅报告:再加上 degradation_from_vanishing 与 simplifies_backprop",
        )
    ] = str(strict)
    result.judge(
        "vgg_motivation",
        weakest([parts[claim_id] for claim_id in MOTIVE_PARTS]),
        numbers,
        result.text("motive_rule"),
        note=result.text("motive_note"),
    )
