"""A study: Optuna's Study with glassnet's sampler and pruner choices, refusing a changed space.

    sampler  tpe (default; its first n_startup_trials = 10 are random), random, grid
    pruner   median (stop a trial whose epoch-e accuracy is below the median of earlier
             trials at epoch e, after 5 trials and 1 epoch), hyperband (successive halving
             over brackets, min_resource = 1 epoch, reduction_factor = 3), none

The study records its space (fixed options and parameter ranges) as the user attribute
`glassnet_space`; opening it again with a different space is an error, so trials of two
different searches never mix in one study.
"""

from __future__ import annotations

from typing import Any

import optuna

from glassnet.tune.space import Space

SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("median", "hyperband", "none")
DIRECTION = "maximize"  # the validation accuracy
SPACE_ATTR = "glassnet_space"


class SpaceMismatchError(ValueError):
    """The study exists with another search space."""


def make_sampler(name: str, space: Space, seed: int | None) -> optuna.samplers.BaseSampler:
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "grid":
        return optuna.samplers.GridSampler(space.grid(), seed=seed)
    raise ValueError(f"sampler must be one of {', '.join(SAMPLERS)}, got {name!r}")


def make_pruner(name: str, max_epochs: int) -> optuna.pruners.BasePruner:
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(
            min_resource=1, max_resource=max_epochs, reduction_factor=3
        )
    if name == "none":
        return optuna.pruners.NopPruner()
    raise ValueError(f"pruner must be one of {', '.join(PRUNERS)}, got {name!r}")


def open_study(
    storage: Any,
    name: str,
    space: Space,
    sampler: str = "tpe",
    pruner: str = "median",
    seed: int | None = None,
) -> optuna.Study:
    """Create study `name` in `storage`, or load it; refuse it if it holds another space."""
    max_epochs = int(space.fixed.get("epochs", 0)) or max(
        (int(p.high) for p in space.params if p.name == "epochs"), default=1
    )
    study = optuna.create_study(
        storage=storage,
        study_name=name,
        direction=DIRECTION,
        sampler=make_sampler(sampler, space, seed),
        pruner=make_pruner(pruner, max_epochs),
        load_if_exists=True,
    )
    if study.direction != optuna.study.StudyDirection.MAXIMIZE:
        raise SpaceMismatchError(
            f"study {name!r} exists and minimises; glassnet studies maximise validation accuracy"
        )
    stored = study.user_attrs.get(SPACE_ATTR)
    if stored is None:
        study.set_user_attr(SPACE_ATTR, space.to_json())
    elif stored != space.to_json():
        raise SpaceMismatchError(
            f"study {name!r} exists with another search space ({stored}); this run's is "
            f"{space.to_json()}: use another --study name, or the same space"
        )
    return study


def load_existing(storage: Any, name: str | None) -> optuna.Study:
    """Load a study for reporting: `name`, or the only study in the storage."""
    names = [summary.study_name for summary in optuna.get_all_study_summaries(storage)]
    if name is None:
        if len(names) != 1:
            raise ValueError(
                f"the storage holds {len(names)} studies ({', '.join(names) or 'none'}); "
                "name one with --study"
            )
        name = names[0]
    if name not in names:
        raise ValueError(
            f"no study {name!r} in the storage (it holds {', '.join(names) or 'none'})"
        )
    return optuna.load_study(study_name=name, storage=storage)


def finished_count(study: optuna.Study) -> int:
    states = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    return len(study.get_trials(deepcopy=False, states=states))
