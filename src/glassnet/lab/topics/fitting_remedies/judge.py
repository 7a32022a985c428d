"""fitting_remedies' verdicts: each remedy at the strength chosen on validation, judged on the
test split against its base, per data set, then combined per claim; plus the tables.

A data set whose base does not over-fit (train - validation gap < OVERFIT_GAP_POINTS) judges
none of its remedies; a claim with no data set left is 'not measured' with that reason.
"""

from __future__ import annotations

import numpy as np

from glassnet.lab import Result, Text, Verdict
from glassnet.lab.kit.fitting import (
    OVERFIT_GAP_POINTS,
    OVERFIT_RULE,
    UNDERFIT_RULE,
    UNDERFIT_TRAIN_MAX,
    Scores,
    choose_on_val,
    overfit_verdict,
    overfits,
    underfit_verdict,
    underfits,
)
from glassnet.lab.kit.fitting import (
    combine as combine_parts,
)
from glassnet.lab.topics.fitting_remedies.measure import Study
from glassnet.lab.topics.fitting_remedies.settings import (
    EARLY_LOSS_DROP,
    ES_TOLERANCE,
    REMEDY_CLAIMS,
    UNDER_CLAIMS,
)

NAMES = {
    "small": "smaller model",
    "l2": "L2 penalty",
    "dropout": "dropout",
    "augment": "augmentation",
    "ensemble": "ensemble",
    "features": "fewer features",
    "more_features": "more features",
    "less_l2": "less regularisation",
    "capacity": "more capacity",
    "boost": "boosting",
}


def combine(verdicts: list[str]) -> Verdict:
    """kit.fitting's combine, as a Verdict."""
    return Verdict(combine_parts(verdicts))


def over_check(result: Result, name: str, base: Scores) -> Text:
    """The sentence that states whether a base over-fits (the remedies' precondition)."""
    gap = base.gap("val")
    return result.say(
        "overfit_check",
        study=name,
        gap=gap,
        margin=gap - OVERFIT_GAP_POINTS,
        needed=OVERFIT_GAP_POINTS,
    )


def remedy_part(result: Result, study: str, remedy: str, base: Scores, sweep: dict) -> dict:
    """One remedy on one data set: chosen strength, OVERFIT_RULE verdict, numbers, sentence."""
    chosen = choose_on_val(sweep)
    verdict, n = overfit_verdict(base, sweep[chosen])
    sentence = result.say(
        "remedy_part",
        study=study,
        remedy=NAMES[remedy],
        chosen=chosen,
        test_gain=n["test_gain"],
        test_abs=abs(n["test_gain"]),
        every_seed=n["every_seed"],
        gap_narrowed=n["gap_narrowed"],
        gap_abs=abs(n["gap_narrowed"]),
        verdict=verdict,
    )
    numbers = {
        Text(f"{study} {NAMES[remedy]}: chosen", f"{study} {NAMES[remedy]}:选中"): chosen,
        Text(
            f"{study} {NAMES[remedy]}: test gain", f"{study} {NAMES[remedy]}:测试准确率提升"
        ): round(n["test_gain"], 2),
        Text(
            f"{study} {NAMES[remedy]}: gap narrowed by", f"{study} {NAMES[remedy]}:gap 缩小"
        ): round(n["gap_narrowed"], 2),
    }
    return {"verdict": verdict, "numbers": numbers, "sentence": sentence, "chosen": chosen}


def early_part(result: Result, study: Study) -> dict:
    """Early stopping on one data set, judged on the test loss (it stops on the validation loss)."""
    losses = study.early_val_loss
    lowest = min(losses.values())
    chosen = next(k for k, v in losses.items() if v <= (1 + ES_TOLERANCE) * lowest)
    base, early = study.base, study.sweeps["early"][chosen]
    drop = 1 - np.asarray(early.test_loss) / np.asarray(base.test_loss)
    every = bool(np.all(drop > 0))
    mean_drop = float(np.mean(drop))
    verdict = (
        "holds"
        if mean_drop >= EARLY_LOSS_DROP and every
        else "partly"
        if mean_drop > 0
        else "does not hold"
    )
    test_gain = early.pct("test") - base.pct("test")
    sentence = result.say(
        "early_part",
        study=study.name,
        chosen=chosen,
        base_loss=float(np.mean(base.test_loss)),
        early_loss=float(np.mean(early.test_loss)),
        drop=100 * mean_drop,
        drop_abs=abs(100 * mean_drop),
        every_seed=float(every),
        test_gain=test_gain,
        test_abs=abs(test_gain),
        verdict=verdict,
    )
    numbers = {
        Text(f"{study.name}: chosen", f"{study.name}:选中"): chosen,
        Text(f"{study.name}: test loss, base", f"{study.name}:基线测试损失"): round(
            float(np.mean(base.test_loss)), 3
        ),
        Text(f"{study.name}: test loss, early stopping", f"{study.name}:早停测试损失"): round(
            float(np.mean(early.test_loss)), 3
        ),
        Text(
            f"{study.name}: test accuracy gain (reported)", f"{study.name}:测试准确率提升(仅报告)"
        ): round(test_gain, 2),
    }
    return {"verdict": verdict, "numbers": numbers, "sentence": sentence, "chosen": chosen}


def study_parts(result: Result, study: Study) -> dict[str, list[dict]]:
    """{claim: its parts on this data set} for the remedies whose base over-fits here."""
    parts: dict[str, list[dict]] = {}
    if overfits(study.base):
        for remedy in ("small", "l2", "dropout", "augment", "ensemble"):
            claim = REMEDY_CLAIMS.get(remedy, "regularisation")
            base = study.base
            if remedy == "ensemble":  # against the mean of its own members
                base = study.sweeps["ensemble_members"][choose_on_val(study.sweeps["ensemble"])]
            parts.setdefault(claim, []).append(
                remedy_part(result, study.name, remedy, base, study.sweeps[remedy])
            )
        parts["early_stopping"] = [early_part(result, study)]
    features = dict(study.sweeps["features"])
    base = features.pop("all")
    if overfits(base):
        parts["fewer_features"] = [remedy_part(result, study.name, "features", base, features)]
    return parts


def base_checks(result: Result, studies: list[Study], linear: bool) -> tuple[list[Text], dict]:
    """Each data set's over-fitting check (the MLP base's, or the linear model's): the sentences
    and the gaps, as deciding numbers."""
    said, numbers = [], {}
    for s in studies:
        name = f"{s.name} linear model" if linear else s.name
        base = s.sweeps["features"]["all"] if linear else s.base
        said.append(over_check(result, name, base))
        key = Text(f"{name}: base train - validation gap", f"{name}:基线训练 - 验证 gap")
        numbers[key] = round(base.gap("val"), 2)
    return said, numbers


def judge_overfit(result: Result, studies: list[Study]) -> None:
    """One verdict per over-fitting claim, combined over the data sets that over-fit."""
    gathered: dict[str, list[dict]] = {}
    for study in studies:
        for claim, parts in study_parts(result, study).items():
            gathered.setdefault(claim, []).extend(parts)
    for claim in ("regularisation", *REMEDY_CLAIMS.values()):
        parts = gathered.get(claim, [])
        rule = (
            result.say("early_rule", drop=100 * EARLY_LOSS_DROP, tolerance=100 * ES_TOLERANCE)
            if claim == "early_stopping"
            else OVERFIT_RULE
        )
        checks, numbers = base_checks(result, studies, claim == "fewer_features")
        texts = [result.text(f"reading_{claim}"), *checks, *(p["sentence"] for p in parts)]
        note = Text(" ".join(x.en for x in texts), "".join(x.zh for x in texts))
        if not parts:
            result.judge(claim, Verdict.NOT_MEASURED, numbers, rule, note=note)
            continue
        numbers.update({k: v for part in parts for k, v in part["numbers"].items()})
        result.judge(claim, combine([p["verdict"] for p in parts]), numbers, rule, note=note)


def judge_underfit(result: Result, measured: dict) -> None:
    """Each under-fitting remedy at its validation-chosen strength against the one base."""
    base = measured["base"]["linear, C = 1"]
    check = result.say(
        "underfit_check",
        train=base.pct("train"),
        gap=base.gap("val"),
        under=float(underfits(base)),
        train_max=UNDERFIT_TRAIN_MAX,
        gap_max=OVERFIT_GAP_POINTS,
    )
    for part, claim in UNDER_CLAIMS.items():
        reading = result.text(f"reading_{claim}")
        if not underfits(base):
            note = Text(reading.en + " " + check.en, reading.zh + check.zh)
            result.judge(claim, Verdict.NOT_MEASURED, {}, UNDERFIT_RULE, note=note)
            continue
        chosen = choose_on_val(measured[part])
        verdict, n = underfit_verdict(base, measured[part][chosen])
        sentence = result.say(
            "under_part",
            remedy=NAMES[part],
            chosen=chosen,
            train_gain=n["train_gain"],
            train_abs=abs(n["train_gain"]),
            test_gain=n["test_gain"],
            test_abs=abs(n["test_gain"]),
            every_seed=n["every_seed"],
        )
        other = other_reading(result, part, measured, base)
        numbers = {
            Text("base train %", "基线训练准确率 %"): round(base.pct("train"), 2),
            Text("chosen", "选中"): chosen,
            Text("train %", "训练准确率 %"): round(measured[part][chosen].pct("train"), 2),
            Text("train gain (points)", "训练准确率提升(百分点)"): round(n["train_gain"], 2),
            Text("test gain (points)", "测试准确率提升(百分点)"): round(n["test_gain"], 2),
        }
        parts = [reading, check, sentence, *other]
        note = Text(" ".join(p.en for p in parts), "".join(p.zh for p in parts))
        result.judge(claim, verdict, numbers, UNDERFIT_RULE, note=note)


def other_reading(result: Result, part: str, measured: dict, base: Scores) -> list[Text]:
    """The second reading of a claim, reported beside the verdict (not deciding it)."""
    if part == "less_l2":
        heavy = next(iter(measured["heavy"].values()))
        _, n = underfit_verdict(heavy, base)
        return [
            result.say(
                "other_less_l2",
                train_gain=n["train_gain"],
                train_abs=abs(n["train_gain"]),
                test_gain=n["test_gain"],
                test_abs=abs(n["test_gain"]),
            )
        ]
    if part == "boost":
        said = []
        for label, scores in measured["boost_other"].items():
            _, n = underfit_verdict(base, scores)
            said.append(
                result.say(
                    "other_boost",
                    variant=label,
                    train_gain=n["train_gain"],
                    train_abs=abs(n["train_gain"]),
                    test_gain=n["test_gain"],
                    test_abs=abs(n["test_gain"]),
                )
            )
        return said
    return []
