"""Measurements for the lab topic on choosing hyper-parameters: plain data, no verdicts.

    importances(...)            fANOVA importance of each searched parameter, one study
                                per sampler seed (the spread says how stable a ranking is)
    mechanism_search(...)       search output encoding, init and activation; score the
                                mechanism's choices (softmax + cross-entropy; He for ReLU,
                                Xavier for tanh) against the best found
    simplify_and_transfer(...)  the same configurations on a simplified problem and on the
                                full one: Spearman rank correlation, and the time each took
    learning_curve(...)         validation accuracy against the training-set fraction

Every trial is a run folder under `out`; studies are in memory (one process, seeded).
A configuration's score is the validation accuracy of its run's best checkpoint.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import optuna
from optuna.importance import FanovaImportanceEvaluator, get_param_importances
from scipy.stats import spearmanr

from glassnet.train.job import resolve_config, train_run
from glassnet.tune.objective import Objective, ReportToTrial
from glassnet.tune.space import build_space

# the notes' "chosen from the network's mechanism": softmax + cross-entropy for classes,
# He (kaiming) initialisation for ReLU, Xavier for tanh
MECHANISM_CHOICES = (
    {"loss": "cross_entropy", "activation": "relu", "init": "kaiming"},
    {"loss": "cross_entropy", "activation": "tanh", "init": "xavier"},
)


def _study(seed: int) -> optuna.Study:
    return optuna.create_study(
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.NopPruner(),
    )


def score(options: dict[str, Any], out: str | Path) -> float:
    """Train one configuration (`glassnet train` options) in run folder `out`; its validation
    accuracy at the best checkpoint."""
    reporter = ReportToTrial(optuna.create_study().ask())  # a throw-away trial to report to
    train_run(resolve_config(options), out, callbacks=(reporter,))
    return reporter.best_checkpoint_value()


def importances(
    data: str,
    search: list[str],
    out: str | Path,
    trials: int = 40,
    seeds: int = 3,
    fixed: dict[str, Any] | None = None,
) -> dict[str, list[float]]:
    """Parameter -> its fANOVA importance in each seed's study (importances sum to 1 per study)."""
    space = build_space(data, search=search, fixed=fixed)
    result: dict[str, list[float]] = {name: [] for name in search}
    for seed in range(seeds):
        study = _study(seed)
        study.optimize(Objective(space, Path(out) / f"seed{seed}"), n_trials=trials)
        found = get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=seed))
        for name in search:
            result[name].append(float(found.get(name, 0.0)))
    return result


def mechanism_search(
    data: str,
    out: str | Path,
    trials: int = 30,
    seed: int = 0,
    fixed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Search loss x init x activation; the best found, and the mechanism's choices' scores."""
    space = build_space(data, search=["loss", "init", "activation"], fixed=fixed)
    study = _study(seed)
    for choice in MECHANISM_CHOICES:  # scored inside the search too: same budget, same folders
        study.enqueue_trial(choice)
    study.optimize(Objective(space, Path(out)), n_trials=max(trials, len(MECHANISM_CHOICES)))
    complete = [t for t in study.trials if t.value is not None]
    ranked = sorted(complete, key=lambda t: -t.value)
    mechanism = []
    for index, choice in enumerate(MECHANISM_CHOICES):  # the enqueued trials come first
        trial = study.trials[index]
        rank = ranked.index(trial) if trial in ranked else None  # 0 = the best found
        mechanism.append({"params": choice, "value": trial.value, "rank": rank})
    return {
        "best": {"params": dict(study.best_params), "value": study.best_value},
        "mechanism": mechanism,
        "top": [{"params": dict(t.params), "value": t.value} for t in ranked[:5]],
        "trials": len(complete),
    }


def simplify_and_transfer(
    data: str,
    search: list[str],
    simplified: dict[str, Any],
    out: str | Path,
    configs: int = 12,
    seed: int = 0,
    fixed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`configs` random configurations scored on the full problem and with the `simplified`
    options over it (e.g. {"train_fraction": 0.25, "epochs": 3}): rank correlation and times."""
    space = build_space(data, search=search, fixed=fixed)
    sampler = optuna.samplers.RandomSampler(seed=seed)
    drawn = []
    for _ in range(configs):
        trial = optuna.create_study(sampler=sampler).ask()
        drawn.append(space.suggest(trial))
    scores: dict[str, list[float]] = {"full": [], "simplified": []}
    seconds = {"full": 0.0, "simplified": 0.0}
    for index, options in enumerate(drawn):
        for name, extra in (("full", {}), ("simplified", simplified)):
            started = time.process_time()
            scores[name].append(score({**options, **extra}, Path(out) / f"{name}-{index}"))
            seconds[name] += time.process_time() - started
    rho = spearmanr(scores["full"], scores["simplified"]).statistic
    best_full = max(range(configs), key=scores["full"].__getitem__)
    best_simple = max(range(configs), key=scores["simplified"].__getitem__)
    return {
        "spearman": float(rho),
        "scores": scores,
        "cpu_seconds": seconds,
        "best_full": best_full,
        "picked_by_simplified": best_simple,
        "regret": scores["full"][best_full] - scores["full"][best_simple],
        "configs": drawn,
    }


def learning_curve(
    data: str,
    fractions: list[float],
    out: str | Path,
    seeds: int = 2,
    options: dict[str, Any] | None = None,
) -> dict[float, list[float]]:
    """Training-set fraction -> validation accuracy per seed (the nested subsets of subset.py)."""
    base = {"data": data, **(options or {})}
    return {
        fraction: [
            score(
                {**base, "train_fraction": fraction, "seed": seed}, Path(out) / f"{fraction}-{seed}"
            )
            for seed in range(seeds)
        ]
        for fraction in fractions
    }
