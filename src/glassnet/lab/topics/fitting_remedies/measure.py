"""fitting_remedies' over-fitting measurements: plain numbers, no prose.

For each data set and seed r (its own training subset), the base MLP is trained MEMBERS[-1]
times (the ensemble's members; the base is their mean); early stopping is replayed on those
runs with Keras' semantics, keeping a snapshot of the best weights per patience; every other
remedy is trained once per strength and seed. Every model is scored on its training subset,
the validation set (which chooses each remedy's strength) and the untouched test split.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.data import Split
from glassnet.lab.kit.evaluate import accuracy, predict_logits, softmax
from glassnet.lab.kit.fit import Recipe, fit, mlp, seeded
from glassnet.lab.kit.fitting import Scores, parts, score, scores
from glassnet.lab.topics.fitting_remedies.linear import fewer_features
from glassnet.lab.topics.fitting_remedies.settings import (
    DROPOUTS,
    HIDDEN,
    L2S,
    MEMBERS,
    PATIENCES,
    SMALLER,
)


@dataclass
class Study:
    """One data set's over-fitting study: how to load seed r's split, its remedies, and results."""

    name: str
    load: Callable[[int], Split]
    augments: dict[str, Callable]
    epochs: int
    linear_iter: int = 300
    base: Scores | None = None
    sweeps: dict[str, dict[str, Scores]] = field(default_factory=dict)
    early_val_loss: dict[str, float] = field(default_factory=dict)
    curves: list = field(default_factory=list)  # (curve, restored epoch index) of each seed's first
    cpu: float = 0.0


class EarlyStopping:
    """Keras' EarlyStopping(monitor='val_loss', patience, restore_best_weights=True), watching a
    `fit` run through its on_eval hook: it keeps a copy of the best weights until it stops."""

    def __init__(self, patience: int) -> None:
        self.patience, self.best, self.best_index, self.waited = patience, np.inf, 0, 0
        self.stopped, self.weights = False, None

    def __call__(self, model, curve) -> None:
        if self.stopped:
            return
        if curve.val_loss[-1] < self.best:
            self.best, self.best_index, self.waited = curve.val_loss[-1], len(curve.val_loss) - 1, 0
            self.weights = [p.data.copy() for p in model.parameters()]
        else:
            self.waited += 1
            self.stopped = self.waited >= self.patience


def stop_epoch(curve, patience: int) -> tuple[int, int]:
    """The same rule replayed on a finished curve: (index of the restored best epoch, index of
    the epoch where training stops)."""
    best, waited = 0, 0
    for index in range(1, len(curve.val_loss)):
        if curve.val_loss[index] < curve.val_loss[best]:
            best, waited = index, 0
        else:
            waited += 1
            if waited >= patience:
                return best, index
    return best, len(curve.val_loss) - 1


def restored(model, tracker: EarlyStopping, split: Split) -> tuple[float, ...]:
    """score() of the snapshot early stopping keeps; the model's own weights are put back."""
    params = list(model.parameters())
    final = [p.data for p in params]
    for p, w in zip(params, tracker.weights):
        p.data = w
    try:
        return score(model, split)
    finally:
        for p, w in zip(params, final):
            p.data = w


def base_runs(study: Study, split: Split, r: int) -> list[dict]:
    """The seed's base MLPs: each with its score, softmax outputs and early-stopping snapshots."""
    runs = []
    for j in range(MEMBERS[-1]):
        model = seeded(1000 * r + j, mlp, [split.features, *HIDDEN, 10])
        trackers = {p: EarlyStopping(p) for p in PATIENCES}
        curve = fit(
            model,
            split.x_train,
            split.y_train,
            Recipe(epochs=study.epochs),
            seed=1000 * r + j,
            val=(split.x_val, split.y_val),
            on_eval=lambda m, c, ts=trackers: [t(m, c) for t in ts.values()],
        )
        runs.append(
            {
                "score": score(model, split),
                "probs": [softmax(predict_logits(model, x)) for x, _ in parts(split)],
                "early": {p: restored(model, t, split) for p, t in trackers.items()},
                "val_loss": {p: t.best for p, t in trackers.items()},
                "curve": curve,
                "restored": trackers[PATIENCES[1]].best_index,
            }
        )
    return runs


def ensembles(runs: list[dict], split: Split) -> dict[str, tuple]:
    """Per ensemble size: the accuracy of the first k members' averaged softmax on each part."""
    labels = [y for _, y in parts(split)]
    return {
        f"{k} models": tuple(
            accuracy(np.mean([run["probs"][i] for run in runs[:k]], axis=0), labels[i])
            for i in range(3)
        )
        for k in MEMBERS
    }


def remedy_recipes(study: Study, features: int) -> dict[str, dict[str, tuple]]:
    """{remedy: {strength label: (build, recipe)}} for the remedies trained on their own."""
    sizes, epochs = [features, *HIDDEN, 10], study.epochs
    plain = Recipe(epochs=epochs, eval_every=10**9)
    return {
        "small": {
            label: (lambda h=hidden: mlp([features, *h, 10]), plain)
            for label, hidden in SMALLER.items()
        },
        "l2": {
            f"lambda {l2:g}": (lambda: mlp(sizes), Recipe(epochs=epochs, eval_every=10**9, l2=l2))
            for l2 in L2S
        },
        "dropout": {f"p {p:g}": (lambda p=p: mlp(sizes, p), plain) for p in DROPOUTS},
        "augment": {
            label: (lambda: mlp(sizes), Recipe(epochs=epochs, eval_every=10**9, augment=fn))
            for label, fn in study.augments.items()
        },
    }


def trained(build, recipe: Recipe, split: Split, seed: int) -> tuple[float, ...]:
    model = seeded(seed, build)
    fit(model, split.x_train, split.y_train, recipe, seed=seed, val=(split.x_val, split.y_val))
    return score(model, split)


def _seed_parts(study: Study, split: Split, r: int, seed_parts: dict) -> None:
    """Add seed r's numbers to `seed_parts` ({remedy: {strength: [per-seed tuples]}})."""
    runs = base_runs(study, split, r)

    def add(remedy: str, label: str, value) -> None:
        seed_parts.setdefault(remedy, {}).setdefault(label, []).append(value)

    add("base", "members", [run["score"] for run in runs])
    for label, value in ensembles(runs, split).items():
        add("ensemble", label, value)
    for k in MEMBERS:  # each ensemble's own base: the mean of its k members
        add(
            "ensemble_members",
            f"{k} models",
            tuple(np.mean([run["score"] for run in runs[:k]], axis=0)),
        )
    for p in PATIENCES:
        add("early", f"patience {p}", [run["early"][p] for run in runs])
        add("early_val_loss", f"patience {p}", np.mean([run["val_loss"][p] for run in runs]))
    for remedy, strengths in remedy_recipes(study, split.features).items():
        for index, (label, (build, recipe)) in enumerate(strengths.items()):
            add(remedy, label, trained(build, recipe, split, 50_000 + 1000 * r + index))
    for label, value in fewer_features(split, study.linear_iter).items():
        add("features", label, value)
    if r == 0:
        study.curves = [(run["curve"], run["restored"]) for run in runs[:1]]


def measure_study(study: Study, seeds: int) -> Study:
    """Every remedy of one data set over `seeds` seeds; fills the study in place."""
    seed_parts: dict = {}
    with Clock() as clock:
        for r in range(seeds):
            _seed_parts(study, study.load(r), r, seed_parts)
    members = seed_parts.pop("base")["members"]  # [seed][member] tuples
    study.base = scores([tuple(np.mean(m, axis=0)) for m in members])
    study.early_val_loss = {
        k: float(np.mean(v)) for k, v in seed_parts.pop("early_val_loss").items()
    }
    early = seed_parts.pop("early")
    study.sweeps = {
        "early": {k: scores([tuple(np.mean(m, axis=0)) for m in v]) for k, v in early.items()}
    }
    for remedy, strengths in seed_parts.items():
        study.sweeps[remedy] = {label: scores(v) for label, v in strengths.items()}
    study.cpu = clock.cpu
    return study
