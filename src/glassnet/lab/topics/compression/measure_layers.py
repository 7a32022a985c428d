"""The compression topic: single layers, counted and timed (plain data out).

Counting: glassnet.summary's parameters and MACs of a standard k x k conv (M -> N channels,
no bias) against its depthwise (k x k, groups = M) + pointwise (1x1, M -> N) factorisation,
and against the same conv with groups = g. Timing: the same layers at a mid-sized shape,
and a pruned Linear as a scipy CSR product (SparseLinear) against the dense BLAS product.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet import nn
from glassnet.compress.sparse import SparseLinear
from glassnet.lab.topics.compression.models import cost
from glassnet.lab.topics.compression.settings import (
    GROUPS,
    LAYER,
    LAYER_BATCH,
    RATIO_N,
    REPEATS,
    SPARSE_BATCHES,
    SPARSE_LAYER,
)
from glassnet.lab.topics.compression.timing import cpu_ms
from glassnet.random import manual_seed
from glassnet.tensor import Tensor

K = 3


def standard(m: int, n: int, groups: int = 1) -> nn.Conv2d:
    return nn.Conv2d(m, n, K, padding=1, groups=groups, bias=False)


def separable(m: int, n: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(m, m, K, padding=1, groups=m, bias=False), nn.Conv2d(m, n, 1, bias=False)
    )


def ratios(n: int) -> dict[str, Any]:
    """Counted cost ratios of the factorisation for M = N channels, beside the two formulas."""
    params, macs = cost(standard(n, n), (n, 4, 4))
    sep_params, sep_macs = cost(separable(n, n), (n, 4, 4))
    return {
        "n": n,
        "params_ratio": sep_params / params,
        "macs_ratio": sep_macs / macs,
        "formula": 1 / n + 1 / K**2,
        "notes": 1 / K**2,
    }


def group_ratios(channels: int, groups: int) -> dict[str, Any]:
    params, macs = cost(standard(channels, channels), (channels, 4, 4))
    g_params, g_macs = cost(standard(channels, channels, groups), (channels, 4, 4))
    return {"groups": groups, "params_ratio": g_params / params, "macs_ratio": g_macs / macs}


def layer_times(mode: str) -> dict[str, Any]:
    """CPU ms of one forward of each layer form at the mode's shape (C -> C channels)."""
    c, h, w = LAYER[mode]
    manual_seed(0)
    x = Tensor(np.random.default_rng(0).standard_normal((LAYER_BATCH[mode], c, h, w)).astype("f"))
    forms = {
        "standard": standard(c, c),
        "separable": separable(c, c),
        "grouped": standard(c, c, GROUPS),
    }
    out = {
        name: cpu_ms(lambda layer=layer: layer(x), REPEATS[mode]) for name, layer in forms.items()
    }
    out["macs"] = {name: cost(layer, (c, h, w))[1] for name, layer in forms.items()}
    out["shape"] = [LAYER_BATCH[mode], c, h, w]
    return out


def sparse_times(largest: dict[str, Any], density: float, mode: str) -> list[dict[str, Any]]:
    """SparseLinear vs dense Linear: the model's largest pruned layer and a 1024 x 1024 layer
    pruned to the same density at random, at batch 1 and 128."""
    rng = np.random.default_rng(0)
    big = rng.standard_normal((SPARSE_LAYER, SPARSE_LAYER)).astype(np.float32)
    big *= rng.random(big.shape) < density
    layers = {
        largest["name"]: (largest["weight"], largest["bias"]),
        f"{SPARSE_LAYER}x{SPARSE_LAYER}": (big, np.zeros(SPARSE_LAYER, np.float32)),
    }
    rows = []
    for name, (weight, bias) in layers.items():
        dense = nn.Linear(weight.shape[1], weight.shape[0])
        dense.weight.data[...], dense.bias.data[...] = weight, bias
        sparse = SparseLinear(weight, bias)
        for batch in SPARSE_BATCHES:
            x = Tensor(rng.standard_normal((batch, weight.shape[1])).astype(np.float32))
            dense_ms = cpu_ms(lambda d=dense, x=x: d(x), REPEATS[mode] * 3)
            sparse_ms = cpu_ms(lambda s=sparse, x=x: s(x), REPEATS[mode] * 3)
            rows.append(
                {
                    "layer": name,
                    "shape": list(weight.shape),
                    "density": float(np.count_nonzero(weight) / weight.size),
                    "batch": batch,
                    "dense_ms": dense_ms,
                    "sparse_ms": sparse_ms,
                    "speedup": dense_ms / sparse_ms,
                }
            )
    return rows


def measure_layers(mode: str) -> dict[str, Any]:
    return {
        "depthwise": [ratios(n) for n in RATIO_N],
        "groups": [group_ratios(32, g) for g in (2, GROUPS, 8)],
        "times": layer_times(mode),
    }
