"""How settled a verdict is: one topic's runs over several seeds combined, and robustness.

    combined = combine_seeds([run(mode, 0), run(mode, 1), run(mode, 2)])
    combined.claim("x").verdict   # the verdict every seed gave, or UNSETTLED
    split_text(combined.claim("x"))  # 'holds 2/3, partly 1/3'

A claim is **unsettled** when its seeds disagree; the split says how. A verdict is
**robust** when it is the same in every mode and seed measured, and at least two were
measured (one run alone says nothing about it): `is_robust` takes those verdicts.
The combined result keeps the first seed's setup, tables, figures and numbers, and every
seed's own claim result in `per_seed`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from glassnet.lab.result import ClaimResult, Result, Verdict
from glassnet.lab.text import Text

__all__ = ["combine_seeds", "split", "split_text", "is_robust", "SETTLED_AS_GIVEN"]

# never judged, so never unsettled: the index decides them, not a run
SETTLED_AS_GIVEN = (Verdict.ADVICE, Verdict.NOT_JUDGED)


def split(verdicts: Iterable[Verdict]) -> dict[Verdict, int]:
    """{verdict: how many}, in the verdicts' order (the summary's)."""
    counts = Counter(Verdict(v) for v in verdicts)
    return {verdict: counts[verdict] for verdict in Verdict if counts[verdict]}


def split_text(judged: ClaimResult, names: dict[Verdict, str] | None = None) -> str:
    """'holds 2/3, partly 1/3' over the seeds of `judged` (its shown verdicts); '' for one seed."""
    if len(judged.per_seed) < 2:
        return ""
    counts = split(c.shown for c in judged.per_seed.values())
    total = len(judged.per_seed)
    return ", ".join(f"{(names or {}).get(v, v.value)} {n}/{total}" for v, n in counts.items())


def is_robust(verdicts: Sequence[Verdict]) -> bool:
    """The same verdict in every mode and seed measured, at least two measured, and a judged one."""
    measured = [Verdict(v) for v in verdicts if Verdict(v) is not Verdict.NOT_MEASURED]
    return (
        len(measured) >= 2
        and len(set(measured)) == 1
        and measured[0] not in (*SETTLED_AS_GIVEN, Verdict.UNSETTLED)
    )


def _combine_claim(claims: Sequence[ClaimResult], seeds: Sequence[int]) -> ClaimResult:
    first = claims[0]
    verdicts = {c.verdict for c in claims}
    verdict = first.verdict if len(verdicts) == 1 else Verdict.UNSETTLED
    per_seed = dict(zip(seeds, claims, strict=True))
    return replace(first, verdict=verdict, per_seed=per_seed)


def combine_seeds(results: Sequence[Result]) -> Result:
    """One Result from the same topic and mode run with different seeds (see the module docstring)."""
    if not results:
        raise ValueError("combine_seeds: no results to combine")
    first = results[0]
    seeds = [r.seed for r in results]
    if len({(r.topic, r.mode) for r in results}) != 1 or len(set(seeds)) != len(seeds):
        raise ValueError(
            "combine_seeds: the results must share topic and mode and differ in seed; got "
            + ", ".join(f"{r.topic}/{r.mode}/seed {r.seed}" for r in results)
        )
    for result in results:
        if [c.claim.id for c in result.claims] != [c.claim.id for c in first.claims]:
            raise ValueError(
                f"combine_seeds: topic '{first.topic}': seed {result.seed} accounts for other "
                f"claims than seed {first.seed}; call complete() on each result first"
            )
    claims = [
        _combine_claim([r.claims[i] for r in results], seeds) for i in range(len(first.claims))
    ]
    errors = [f"seed {r.seed}:\n{r.error}" for r in results if r.error]
    combined = replace(
        first,
        claims=claims,
        error="\n".join(errors) or None,
        seconds=sum(r.seconds or 0.0 for r in results),
        seeds=tuple(seeds),
    )
    if len(results) > 1:
        combined.setup = _first_seed_note(first.setup, first.seed)
    return combined


def _first_seed_note(setup: Text, seed: int) -> Text:
    note = Text(
        f"Tables, figures and each claim's numbers are seed {seed}'s; every claim lists each "
        "seed's verdict.",
        f"表格、图与各论断的数值取自随机种子 {seed};每条论断列出各随机种子的结论。",
    )
    if not setup.en.strip():
        return note
    return Text(f"{setup.en}\n\n{note.en}", f"{setup.zh}\n\n{note.zh}")
