"""fitting_remedies' measurements: final accuracies per remedy, plain data, no prose.

Over-fitting (`measure_overfit`): the base MLP and each remedy trained on a small subset;
every entry of `finals` is (training accuracies, validation accuracies), one per seed.
Under-fitting (`measure_underfit`): the same pairs for the poorly fitting models and their
remedies on all MNIST-1D training signals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.data import Split
from glassnet.lab.kit.evaluate import accuracy, predict_logits, softmax
from glassnet.lab.kit.fit import Recipe, fit, mlp, seeded
from glassnet.lab.kit.fitting import pairwise_features, standardise
from glassnet.lab.topics.fitting_remedies.settings import (
    DROPOUT,
    HEAVY_L2,
    HIDDEN,
    L2,
    LIGHT_L2,
    LINEAR_LR,
    PATIENCE,
    SMALL_HIDDEN,
    TREE_DEPTH,
)


@dataclass
class Study:
    """One data set's over-fitting study: its settings, and what was measured."""

    name: str
    split: Split
    features: int
    augment: object
    augment_text: str
    epochs: int
    finals: dict | None = None
    base_runs: list | None = None
    stops: list | None = None
    quad_features: int = 0
    cpu: float = 0.0


def stop_epoch(curve, patience: int) -> tuple[int, int]:
    """Keras' EarlyStopping(monitor='val_loss', patience, restore_best_weights=True) replayed on a
    curve: (index of the restored best epoch, index of the epoch where training stops)."""
    best, waited = 0, 0
    for index in range(1, len(curve.val_loss)):
        if curve.val_loss[index] < curve.val_loss[best]:
            best, waited = index, 0
        else:
            waited += 1
            if waited >= patience:
                return best, index
    return best, len(curve.val_loss) - 1


def finals(chosen: list) -> tuple[list, list]:
    """The last training and validation accuracy of each (model, curve)."""
    return [c.train_acc[-1] for _, c in chosen], [c.val_acc[-1] for _, c in chosen]


def _train_remedies(study: Study, s: dict) -> dict:
    """(model, curve) per seed for the base and each one-change remedy."""
    split, sizes = study.split, [study.features, *HIDDEN, 10]
    small = [study.features, *SMALL_HIDDEN, 10]
    val = (split.x_val, split.y_val)

    def train(build, recipe: Recipe, count: int, offset: int) -> list:
        return [
            (model, fit(model, split.x_train, split.y_train, recipe, seed=r, val=val))
            for r in range(count)
            for model in [seeded(1000 * offset + r, build)]
        ]

    base_recipe = Recipe(epochs=study.epochs)
    augment = Recipe(epochs=study.epochs, augment=study.augment)
    return {
        "base": train(lambda: mlp(sizes), base_recipe, max(s["seeds"], s["members"]), 0),
        "small": train(lambda: mlp(small), base_recipe, s["seeds"], 1),
        "l2": train(lambda: mlp(sizes), Recipe(epochs=study.epochs, l2=L2), s["seeds"], 2),
        "dropout": train(lambda: mlp(sizes, DROPOUT), base_recipe, s["seeds"], 3),
        "augment": train(lambda: mlp(sizes), augment, s["seeds"], 4),
    }


def _ensemble(split: Split, members: list) -> tuple[list, list]:
    """The accuracy of the members' averaged softmax, on the training and validation sets."""
    probs = [
        np.mean([softmax(predict_logits(m, x)) for m, _ in members], axis=0)
        for x in (split.x_train, split.x_val)
    ]
    return [accuracy(probs[0], split.y_train)], [accuracy(probs[1], split.y_val)]


def linear_finals(
    split: Split, features: tuple, steps: int, seeds: int, offset: int
) -> tuple[list, list]:
    """A full-batch linear model on standardised `features` (train, val): final accuracies."""
    xt, xv = features
    recipe = Recipe(steps=steps, batch_size=len(split.y_train), lr=LINEAR_LR, eval_every=10**9)
    curves = [
        fit(
            seeded(offset + r, mlp, [xt.shape[1], 10]),
            xt,
            split.y_train,
            recipe,
            seed=r,
            val=(xv, split.y_val),
        )
        for r in range(seeds)
    ]
    return [c.train_acc[-1] for c in curves], [c.val_acc[-1] for c in curves]


def _raw_and_pairs(split: Split) -> tuple[tuple, tuple]:
    raw = standardise(split.x_train, split.x_val)
    quad = standardise(pairwise_features(split.x_train), pairwise_features(split.x_val))
    return raw, quad


def measure_overfit(study: Study, s: dict) -> Study:
    """Train the base and each remedy on `study`; fill its finals, base runs, stops, CPU time."""
    split = study.split
    with Clock() as clock:
        runs = _train_remedies(study, s)
        base = runs["base"][: s["seeds"]]
        out = {key: finals(runs[key]) for key in ("small", "l2", "dropout", "augment")}
        out["base"] = finals(base)
        members = runs["base"][: s["members"]]  # the ensemble averages its members' softmax
        out["ensemble"] = _ensemble(split, members)
        out["members"] = finals(members)
        stops = [stop_epoch(c, PATIENCE) for _, c in base]
        restored = [(c.train_acc[b], c.val_acc[b]) for (_, c), (b, _) in zip(base, stops)]
        out["early"] = tuple(map(list, zip(*restored)))
        best_acc = [int(np.argmax(c.val_acc)) for _, c in base]  # for comparison only
        out["best_acc"] = (
            [c.train_acc[b] for (_, c), b in zip(base, best_acc)],
            [c.val_acc[b] for (_, c), b in zip(base, best_acc)],
        )
        # fewer features: a linear model on the raw inputs against one on raw + pairwise products
        raw, quad = _raw_and_pairs(split)
        for key, features in (("quad", quad), ("raw", raw)):
            out[key] = linear_finals(split, features, s["linear_steps"], s["seeds"], 5000)
    study.finals, study.base_runs, study.stops = out, base, stops
    study.quad_features, study.cpu = quad[0].shape[1], clock.cpu
    return study


def _mlp_finals(split: Split, recipe: Recipe, seeds: int) -> tuple[list, list]:
    wide = [40, *HIDDEN, 10]
    curves = [
        fit(
            seeded(7000 + r, mlp, wide),
            split.x_train,
            split.y_train,
            recipe,
            seed=r,
            val=(split.x_val, split.y_val),
        )
        for r in range(seeds)
    ]
    return [c.train_acc[-1] for c in curves], [c.val_acc[-1] for c in curves]


def _tree_finals(split: Split, trees: int | None, seeds: int) -> tuple[list, list]:
    """One depth-TREE_DEPTH tree (trees None) or AdaBoost over `trees` of them."""
    from sklearn.ensemble import AdaBoostClassifier  # lazy: scikit-learn is slow to import
    from sklearn.tree import DecisionTreeClassifier

    accs = []
    for r in range(seeds):
        tree = DecisionTreeClassifier(max_depth=TREE_DEPTH, random_state=r)
        model = (
            tree if trees is None else AdaBoostClassifier(tree, n_estimators=trees, random_state=r)
        )
        model.fit(split.x_train, split.y_train)
        accs.append(
            (
                accuracy(model.predict(split.x_train), split.y_train),
                accuracy(model.predict(split.x_val), split.y_val),
            )
        )
    return tuple(map(list, zip(*accs)))


def measure_underfit(s: dict, split: Split) -> tuple[dict, float]:
    """(train accs, val accs) per model of the under-fitting study, and its CPU seconds."""
    seeds, epochs = s["under_seeds"], s["under_epochs"]
    measured: dict[str, tuple[list, list]] = {}
    with Clock() as clock:
        raw, quad = _raw_and_pairs(split)
        for key, features in (("linear", raw), ("features", quad)):
            measured[key] = linear_finals(split, features, s["linear_steps"], seeds, 6000)
        for key, recipe in (
            ("capacity", Recipe(epochs=epochs)),
            ("heavy_l2", Recipe(epochs=epochs, l2=HEAVY_L2)),
            ("light_l2", Recipe(epochs=epochs, l2=LIGHT_L2)),
            ("sgd", Recipe(epochs=epochs, optimizer="sgd", lr=0.01)),
        ):
            measured[key] = _mlp_finals(split, recipe, seeds)
        for key, trees in (("tree", None), ("boost", s["trees"])):
            measured[key] = _tree_finals(split, trees, seeds)
    measured["adam"] = measured["capacity"]  # the same MLP and recipe, trained with Adam
    return measured, clock.cpu
