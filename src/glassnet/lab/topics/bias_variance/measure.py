"""bias_variance's measurements: plain numbers, no prose.

Every model is scored per seed as (train, validation, test accuracy) and gathered into
`Scores` (glassnet.lab.kit.fitting); seed r trains on its own subset of MNIST-1D.
"""

from __future__ import annotations

import numpy as np

from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.data import mnist1d as mnist1d_split
from glassnet.lab.kit.fit import Recipe, fit, mlp, seeded
from glassnet.lab.kit.fitting import Scores, score, scores
from glassnet.lab.topics.bias_variance.settings import (
    BIG,
    DEEP,
    DROPOUTS,
    EPSILONS,
    L2S,
    LR_GRIDS,
    SEARCH_SPACE,
    SMALL,
)


def steps(n: int, s: dict) -> int:
    """The training budget for n signals: at least `min_steps` steps and `epochs` epochs (batch 50)."""
    return max(s["min_steps"], s["epochs"] * -(-n // 50))


def err(scores: Scores, part: str = "train") -> float:
    """Error in % from a Scores part: 100 - mean accuracy %."""
    return 100 - scores.pct(part)


def train(build, n: int, n_steps: int, seed: int, r: int, offset: int, **recipe) -> tuple:
    """Seed r's subset of n signals; `build()` trained for n_steps; its score()."""
    split = mnist1d_split(n, seed=1000 * seed + r)
    model = seeded(1000 * offset + r, build)
    recipe = Recipe(steps=n_steps, eval_every=10**9, **recipe)
    fit(model, split.x_train, split.y_train, recipe, seed=1000 * offset + r)
    return score(model, split)


def over_seeds(s: dict, seed: int, build, n: int, n_steps: int, offset: int, **recipe) -> Scores:
    return scores([train(build, n, n_steps, seed, r, offset, **recipe) for r in range(s["seeds"])])


def learning_curves(s: dict, seed: int) -> dict:
    """{'small' | 'big': {subset size: Scores}}, and 'deep' at the largest size."""
    curves = {
        name: {n: over_seeds(s, seed, build, n, steps(n, s), offset) for n in s["sizes"]}
        for name, build, offset in (("small", lambda: mlp(SMALL), 1), ("big", lambda: mlp(BIG), 2))
    }
    n_max = s["sizes"][-1]
    curves["deep"] = over_seeds(s, seed, lambda: mlp(DEEP), n_max, steps(n_max, s), 4)
    return curves


def optimisers(s: dict, seed: int) -> dict[str, dict[float, Scores]]:
    """{optimiser: {lr: Scores}}: the big MLP at n_opt signals, the same steps for each."""
    return {
        label: {
            lr: over_seeds(
                s, seed, lambda: mlp(BIG), s["n_opt"], s["opt_steps"], 5, optimizer=name, lr=lr
            )
            for lr in lrs
        }
        for label, (name, lrs) in LR_GRIDS.items()
    }


def regularisers(s: dict, seed: int) -> dict[str, dict[str, Scores]]:
    """At n_reg signals: the big MLP ('base'), and each regulariser at each strength."""
    n, n_steps = s["n_reg"], s["reg_steps"]
    big = lambda: mlp(BIG)  # noqa: E731
    return {
        "base": {"none": over_seeds(s, seed, big, n, n_steps, 2)},
        "L2": {f"lambda {v:g}": over_seeds(s, seed, big, n, n_steps, 6, l2=v) for v in L2S},
        "dropout": {
            f"p {p:g}": over_seeds(s, seed, lambda p=p: mlp(BIG, p), n, n_steps, 3)
            for p in DROPOUTS
        },
        "adversarial": {
            f"eps {e:g}": over_seeds(s, seed, big, n, n_steps, 7, adversarial_eps=e)
            for e in EPSILONS
        },
    }


def search_configs(s: dict, seed: int, r: int) -> list[dict]:
    """The default (big MLP, Adam 1e-3, no regulariser) and `search` random configurations."""
    rng = np.random.default_rng([seed, r, 11])
    configs = [
        {
            "label": f"default: MLP {BIG}, lr 1e-3",
            "sizes": BIG,
            "lr": 1e-3,
            "dropout": 0.0,
            "l2": 0.0,
        }
    ]
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


def search(s: dict, seed: int) -> list[list[dict]]:
    """Per seed: the default and each random configuration with its (train, val, test) score."""
    found = []
    n, n_steps = s["n_search"], steps(s["n_search"], s)
    for r in range(s["seeds"]):
        configs = search_configs(s, seed, r)
        for index, c in enumerate(configs):
            build = lambda c=c: mlp(c["sizes"], c["dropout"])  # noqa: E731
            c["score"] = train(build, n, n_steps, seed, r, 20 + index, lr=c["lr"], l2=c["l2"])
        found.append(configs)
    return found


def measure(s: dict, seed: int) -> dict:
    """Every part's numbers, and the CPU seconds of each part (in order)."""
    out, cpu = {}, {}
    for part, run in (
        ("curves", learning_curves),
        ("optimisers", optimisers),
        ("regular", regularisers),
        ("search", search),
    ):
        with Clock() as clock:
            out[part] = run(s, seed)
        cpu[part] = clock.cpu
    out["cpu"] = cpu
    return out
