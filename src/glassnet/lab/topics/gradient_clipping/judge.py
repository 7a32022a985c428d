"""The gradient_clipping topic: the one claim's judge, its note, and the per-seed table."""

from __future__ import annotations

import math

import numpy as np

from glassnet.lab.result import Result, Verdict
from glassnet.lab.text import Text
from glassnet.lab.topics.gradient_clipping.measure import Pair, final
from glassnet.lab.topics.gradient_clipping.settings import (
    BETTER_BY,
    CHANCE_LOSS,
    CONFIG,
    FINAL_SHARE,
    MOSTLY,
    PLATEAU,
    SPIKE,
    TRAINED,
    WARMUP,
)


def spikes(pairs: list[Pair]) -> list[float]:
    """Each seed's largest unclipped gradient norm over its median."""
    return [max(p.plain.grad_norms) / float(np.median(p.plain.grad_norms)) for p in pairs]


def clipped_share(pairs: list[Pair]) -> float:
    return float(np.mean([p.clipped.clipped_share() for p in pairs]))


def norm_clipping_verdict(plain: list[float], clipped: list[float]) -> Verdict:
    trains = sum(value <= TRAINED for value in clipped)
    if trains == len(clipped) and np.mean(clipped) <= np.mean(plain) - BETTER_BY:
        return Verdict.HOLDS
    if trains >= len(clipped) / 2 and np.mean(clipped) < np.mean(plain):
        return Verdict.PARTLY
    return Verdict.DOES_NOT_HOLD


def numbers(result: Result, pairs: list[Pair], plain: list[float], clipped: list[float]) -> dict:
    ratios = [p.explode_ratio for p in pairs]
    tests = [np.nanmean([p.plain_test for p in pairs]), np.nanmean([p.clipped_test for p in pairs])]
    return {
        result.text("num_seeds"): len(pairs),
        result.text("num_final_loss_without_clipping_mean"): round(float(np.mean(plain)), 3),
        result.text("num_final_loss_with_clipping_mean"): round(float(np.mean(clipped)), 3),
        result.text("num_seeds_where_the_clipped_run_trains"): sum(
            value <= TRAINED for value in clipped
        ),
        result.text("num_seeds_where_the_unclipped_run_trains"): sum(
            value <= TRAINED for value in plain
        ),
        result.text("num_test_accuracy_without_with_clipping"): f"{tests[0]:.3f} / {tests[1]:.3f}",
        result.text("num_share_of_steps_clipped_mean"): round(clipped_share(pairs), 3),
        result.text("num_premise_dl_dx_0_dl_dx_39_at_init_min_over_se"): f"{min(ratios):.3g}",
        result.text(
            "num_premise_largest_median_gradient_norm_unclipp"
        ): f"{min(spikes(pairs)):.3g}",
        result.text("num_unclipped_runs_that_overflowed_nan"): sum(
            p.plain.diverged_at is not None for p in pairs
        ),
    }


def judge_norm_clipping(result: Result, pairs: list[Pair], mode: str) -> None:
    """Not asserted by the tests in smoke mode: one seed decides it there, and whether a
    single run collapses is seed luck."""
    steps = CONFIG[mode]["steps"]
    plain = [final(p.plain, steps) for p in pairs]
    clipped = [final(p.clipped, steps) for p in pairs]
    result.judge(
        "norm_clipping",
        norm_clipping_verdict(plain, clipped),
        numbers(result, pairs, plain, clipped),
        result.say(
            "rule",
            final_share=FINAL_SHARE,
            trained=TRAINED,
            chance=CHANCE_LOSS,
            better_by=BETTER_BY,
        ),
        note=note(result, pairs, plain, clipped),
    )


def note(
    result: Result, pairs: list[Pair], plain: list[float], clipped: list[float]
) -> Text | None:
    """What the numbers say beyond the verdict, each sentence only when the data show it."""
    said = []
    exploding = min(p.explode_ratio for p in pairs) > 1 and min(spikes(pairs)) >= SPIKE
    if not exploding:
        said.append(result.text("premise_unmet"))
    diverged = sum(p.plain.diverged_at is not None for p in pairs)
    if diverged == 0 and all(abs(value - CHANCE_LOSS) < PLATEAU for value in plain):
        said.append(result.text("stuck_on_plateau"))
    failed = [i for i, value in enumerate(clipped) if value > TRAINED]
    thresholds = [p.threshold for p in pairs]
    if (
        failed
        and len(failed) < len(pairs)
        and max(thresholds[i] for i in failed) == max(thresholds)
    ):
        said.append(
            result.say("highest_threshold", highest=max(thresholds), lowest=min(thresholds))
        )
    if clipped_share(pairs) > MOSTLY:
        said.append(result.text("mostly_clipped"))
    if not said:
        return None
    return Text(" ".join(t.en for t in said), "".join(t.zh for t in said))


def pair_row(result: Result, index: int, p: Pair, steps: int) -> list:
    def loss(value: float) -> str | Text:
        return result.text("diverged") if not math.isfinite(value) else f"{value:.3f}"

    norms = np.asarray(p.plain.grad_norms)
    return [
        index,
        f"{p.explode_ratio:.3g}",
        f"{p.threshold:.3g}",
        f"{np.median(norms):.3g}",
        f"{norms.max():.3g}",
        loss(final(p.plain, steps)),
        loss(final(p.clipped, steps)),
        f"{p.plain_test:.3f}",
        f"{p.clipped_test:.3f}",
        f"{p.clipped.clipped_share():.2f}",
    ]


COLUMNS = (
    "seed",
    "premise",
    "threshold",
    "median",
    "largest",
    "plain_loss",
    "clipped_loss",
    "plain_test",
    "clipped_test",
    "share",
)


def pairs_table(result: Result, pairs: list[Pair], mode: str) -> None:
    steps = CONFIG[mode]["steps"]
    result.add_table(
        result.text("table_title"),
        [result.text(f"col_{name}") for name in COLUMNS],
        [pair_row(result, index, p, steps) for index, p in enumerate(pairs)],
        note=result.say(
            "table_note", warmup=WARMUP, final_share=FINAL_SHARE, steps=steps, chance=CHANCE_LOSS
        ),
    )
