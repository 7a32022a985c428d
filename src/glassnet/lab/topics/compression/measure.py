"""The compression topic: measure(mode, seed) -> plain data (numbers and lists, no prose).

data = measure("quick", 0)
data["chain"]      per seed: the LeNet chain's stages (accuracy, weight bits, exact decode)
data["svd"]        per seed: the MLP's SVD (parameters, accuracy before/after)
data["structure"]  per seed: the base CNN, its swaps, Tucker-2, channel pruning, distillation
data["layers"]     counted ratios (depthwise, groups) and layer CPU times
data["sparse"]     SparseLinear vs dense Linear CPU times at the pruned density
data["costs"]      (part, CPU s, wall s) of this run
"""

from __future__ import annotations

from typing import Any

from threadpoolctl import threadpool_limits

from glassnet.lab.kit.costs import Costs, timed
from glassnet.lab.text import Text
from glassnet.lab.topics.compression.measure_chain import measure_chain
from glassnet.lab.topics.compression.measure_layers import measure_layers, sparse_times
from glassnet.lab.topics.compression.measure_structure import measure_structure
from glassnet.lab.topics.compression.models import images
from glassnet.lab.topics.compression.settings import N_TRAIN, SEEDS


def measure(mode: str, seed: int) -> dict[str, Any]:
    """Every measurement of the topic, with one BLAS thread."""
    seeds = [seed + k for k in range(SEEDS[mode])]
    data = images(N_TRAIN[mode])
    costs: Costs = []
    with threadpool_limits(1):
        with timed(
            costs, Text("Deep Compression chain, BWN/XNOR, SVD", "深度压缩链、BWN/XNOR、SVD")
        ):
            found: dict[str, Any] = measure_chain(data, mode, seeds)
        with timed(
            costs,
            Text("CNN swaps, Tucker-2, channels, distillation", "CNN 替换、Tucker-2、通道、蒸馏"),
        ):
            found["structure"] = measure_structure(data, mode, seeds)
        with timed(costs, Text("single layers: counts and CPU times", "单层:计数与 CPU 时间")):
            found["layers"] = measure_layers(mode)
            first = found["chain"][0]
            found["sparse"] = sparse_times(first["largest"], first["density"], mode)
    found["costs"] = costs
    found["seeds"] = seeds
    return found
