"""bias_variance's measurements: final accuracies of each model, plain data, no prose.

Every run is a dict {"train", "val", "model", "split"}; lists of runs are over seeds.
"""

from __future__ import annotations

import numpy as np

from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.data import mnist1d as mnist1d_split
from glassnet.lab.kit.evaluate import accuracy, predict_logits
from glassnet.lab.kit.fit import Recipe, fit, mlp, seeded
from glassnet.lab.topics.bias_variance.settings import (
    ADVERSARIAL_EPS,
    BIG,
    DEEP,
    DROPOUT,
    L2,
    SEARCH_SPACE,
    SMALL,
)


def steps(n: int, s: dict) -> int:
    """The training budget for n signals: at least `min_steps` steps and `epochs` epochs (batch 50)."""
    return max(s["min_steps"], s["epochs"] * -(-n // 50))


def train(build, n: int, s: dict, seed: int, offset: int, **recipe) -> dict:
    """Train `build()` on the first n training signals; final train/val accuracy (and the model)."""
    split = mnist1d_split(n, seed=seed)
    model = seeded(1000 * offset + seed, build)
    curve = fit(
        model,
        split.x_train,
        split.y_train,
        Recipe(steps=steps(n, s), eval_every=10**9, **recipe),
        seed=seed,
        val=(split.x_val, split.y_val),
    )
    return {"train": curve.train_acc[-1], "val": curve.val_acc[-1], "model": model, "split": split}


def err(values: list[float]) -> float:
    """Error in % from accuracies: 100 (1 - mean)."""
    return 100 * (1 - float(np.mean(values)))


def learning_curves(s: dict, seeds: list[int]) -> dict:
    """{model name: {subset size: runs}} for the small, big and big + dropout MLPs."""
    return {
        name: {n: [train(build, n, s, r, offset) for r in seeds] for n in s["sizes"]}
        for name, build, offset in (
            ("small", lambda: mlp(SMALL), 1),
            ("big", lambda: mlp(BIG), 2),
            ("dropout", lambda: mlp(BIG, DROPOUT), 3),
        )
    }


def depth_and_optimisers(s: dict, seeds: list[int], curves: dict) -> tuple[list, dict]:
    """At the largest size: the deeper MLP's runs, and the big MLP's per optimiser."""
    n_max = s["sizes"][-1]
    deep = [train(lambda: mlp(DEEP), n_max, s, r, 4) for r in seeds]
    optimisers = {
        label: [train(lambda: mlp(BIG), n_max, s, r, 5, **options) for r in seeds]
        for label, options in (
            ("SGD lr 0.01", {"optimizer": "sgd", "lr": 0.01}),
            ("SGD lr 0.1", {"optimizer": "sgd", "lr": 0.1}),
            ("momentum 0.9, lr 0.01", {"optimizer": "momentum", "lr": 0.01}),
        )
    }
    optimisers["Adam lr 1e-3"] = curves["big"][n_max]
    return deep, optimisers


def regularisers(s: dict, seeds: list[int], curves: dict) -> tuple[list, dict]:
    """At n_reg signals: the big MLP's runs, and its runs with each regulariser."""
    n_reg, sizes = s["n_reg"], s["sizes"]
    base = (
        curves["big"][n_reg]
        if n_reg in sizes
        else [train(lambda: mlp(BIG), n_reg, s, r, 2) for r in seeds]
    )
    regular = {
        "dropout": curves["dropout"][n_reg]
        if n_reg in sizes
        else [train(lambda: mlp(BIG, DROPOUT), n_reg, s, r, 3) for r in seeds],
        "L2": [train(lambda: mlp(BIG), n_reg, s, r, 6, l2=L2) for r in seeds],
        "adversarial": [
            train(lambda: mlp(BIG), n_reg, s, r, 7, adversarial_eps=ADVERSARIAL_EPS) for r in seeds
        ],
    }
    return base, regular


def search_configs(s: dict, seed: int) -> list[dict]:
    """The default (big MLP, Adam 1e-3, no regulariser) and `search` random configurations."""
    rng = np.random.default_rng([seed, 11])
    default = {"label": f"default: MLP {BIG}, lr 1e-3", "sizes": BIG, "lr": 1e-3}
    configs = [{**default, "dropout": 0.0, "l2": 0.0}]
    for _ in range(s["search"]):
        width = int(rng.choice(SEARCH_SPACE["width"]))
        depth = int(rng.choice(SEARCH_SPACE["depth"]))
        lr = float(np.exp(rng.uniform(*np.log(SEARCH_SPACE["lr"]))))
        dropout = float(rng.choice(SEARCH_SPACE["dropout"]))
        l2 = float(rng.choice(SEARCH_SPACE["l2"]))
        sizes = [40, *[width] * depth, 10]
        label = f"MLP {sizes}, lr {lr:.1e}, dropout {dropout}, L2 {l2}"
        configs.append({"label": label, "sizes": sizes, "lr": lr, "dropout": dropout, "l2": l2})
    return configs


def search(s: dict, seed: int) -> dict:
    """Random search at n_search signals, chosen on validation; the default and the chosen one
    are scored on the untouched test split."""
    configs = search_configs(s, seed)
    for index, config in enumerate(configs):
        run = train(
            lambda c=config: mlp(c["sizes"], c["dropout"]),
            s["n_search"],
            s,
            seed,
            20 + index,
            lr=config["lr"],
            l2=config["l2"],
        )
        config.update(train=run["train"], val=run["val"], model=run["model"], split=run["split"])
    chosen = max(configs[1:], key=lambda c: c["val"])
    for config in (configs[0], chosen):
        config["test"] = accuracy(
            predict_logits(config["model"], config["split"].x_test), config["split"].y_test
        )
    chosen["label"] = "chosen: " + chosen["label"]
    rows = [{k: v for k, v in c.items() if k not in ("model", "split")} for c in configs]
    return {"default": configs[0], "chosen": chosen, "rows": rows}


def measure(mode_settings: dict, seed: int) -> dict:
    """Every part's runs, and the CPU seconds of each part (in order)."""
    s, cpu = mode_settings, {}
    seeds = [seed + r for r in range(s["seeds"])]
    with Clock() as clock:
        curves = learning_curves(s, seeds)
    cpu["curves"] = clock.cpu
    with Clock() as clock:
        deep, optimisers = depth_and_optimisers(s, seeds, curves)
    cpu["optimisers"] = clock.cpu
    with Clock() as clock:
        base, regular = regularisers(s, seeds, curves)
    cpu["regular"] = clock.cpu
    with Clock() as clock:
        found = search(s, seed)
    cpu["search"] = clock.cpu
    return dict(
        seeds=seeds,
        curves=curves,
        deep=deep,
        optimisers=optimisers,
        base=base,
        regular=regular,
        search=found,
        cpu=cpu,
    )
