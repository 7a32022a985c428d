"""The compression topic: Deep Compression's chain and the storage techniques (plain data out).

Per seed, the LeNet-like digits CNN is trained, then compressed by glassnet.compress:
prune 90% of each large layer (3 AGP rounds, retraining with masks after each), then share
each layer's weights among 2^5 centroids (code book retrained), then Huffman-code the
cluster indices and the sparse index gaps; separately, BWN and XNOR-Net binarisation of the
inner layers (retrained). Storage is Han et al.'s accounting (stream bits + code books) from
glassnet.compress.encode, the same as the compressed file's streams. The digits MLP
64-300-100-10 is trained and its two large layers factored by truncated SVD, then fine-tuned.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet import nn
from glassnet.compress import Recipe, compress_model, svd_compress
from glassnet.compress.encode import decode_layer, encode_layer
from glassnet.compress.finetune import accuracy, finetune
from glassnet.lab.topics.compression.models import Images, lenet, mlp
from glassnet.lab.topics.compression.settings import (
    CHAIN_FINETUNE,
    CLUSTER_BITS,
    EPOCHS,
    FINETUNE,
    FINETUNE_LR,
    IMAGE,
    LENET_EPOCHS,
    LR,
    MLP_HIDDEN,
    PRUNE,
    SVD_BUDGET,
)


def storage(compressed: Any, use_huffman: bool) -> dict[str, Any]:
    """Total weight bits (Han's accounting) of a compressed model, and whether every layer's
    streams decode back to exactly the weights the model holds."""
    state = {k: v.data for k, v in compressed.model.state_dict().items()}
    bits, weights, exact = 0, 0, True
    for name, entry in compressed.layers.items():
        key = f"{name}.weight"
        tensors, info, stats = encode_layer(entry, state[key], use_huffman, None, key)
        bits += stats.value_bits + stats.index_bits + stats.extra_bits
        weights += stats.weights
        exact &= bool(
            np.array_equal(decode_layer(tensors, info, key), state[key].astype(np.float32))
        )
    return {"bits": bits, "dense_bits": 32 * weights, "exact": exact}


def stage(model: nn.Module, data: Images, recipe: Recipe) -> tuple[Any, float]:
    """(the compressed result, its test accuracy in %) of one recipe on a copy of the model."""
    result = compress_model(model, IMAGE, (data.x_train, data.y_train), recipe)
    return result, 100 * accuracy(result.model, data.x_test, data.y_test)


def chain_seed(data: Images, mode: str, seed: int) -> dict[str, Any]:
    """The LeNet chain for one seed: accuracy and weight bits after each stage."""
    model = lenet(seed)
    finetune(model, data.x_train, data.y_train, LENET_EPOCHS[mode], LR, "adam", seed=seed)
    common = {"finetune_epochs": CHAIN_FINETUNE[mode], "lr": FINETUNE_LR, "seed": seed}
    pruned, pruned_acc = stage(model, data, Recipe(prune=PRUNE, **common))
    shared, shared_acc = stage(
        model, data, Recipe(prune=PRUNE, cluster_bits=CLUSTER_BITS, huffman=True, **common)
    )
    bwn, bwn_acc = stage(model, data, Recipe(binarize="bwn", **common))
    xnor, xnor_acc = stage(model, data, Recipe(binarize="xnor", **common))
    kept = sum(int(e.mask.sum()) for e in pruned.layers.values() if e.mask is not None)
    masked = sum(e.mask.size for e in pruned.layers.values() if e.mask is not None)
    return {
        "dense": {"accuracy": 100 * accuracy(model, data.x_test, data.y_test)},
        "pruned": {"accuracy": pruned_acc, **storage(pruned, False)},
        "shared": {"accuracy": shared_acc, **storage(shared, False)},
        "huffman": {"accuracy": shared_acc, **storage(shared, True)},
        "bwn": {"accuracy": bwn_acc, **storage(bwn, False)},
        "xnor": {"accuracy": xnor_acc, **storage(xnor, False)},
        "density": kept / masked,
        "largest": largest_pruned(pruned),
    }


def largest_pruned(pruned: Any) -> dict[str, Any]:
    """The largest pruned Linear's weight, bias and mask (for the sparse-forward timing)."""
    linears = {n: m for n, m in pruned.model.named_modules() if isinstance(m, nn.Linear)}
    name = max(linears, key=lambda n: linears[n].weight.data.size)
    layer = linears[name]
    return {"name": name, "weight": layer.weight.data.copy(), "bias": layer.bias.data.copy()}


def svd_seed(data: Images, mode: str, seed: int) -> dict[str, Any]:
    """The MLP's two large layers factored by truncated SVD: parameters and accuracy."""
    model = mlp(MLP_HIDDEN, seed)
    x, x_test = data.flat(data.x_train), data.flat(data.x_test)
    finetune(model, x, data.y_train, EPOCHS[mode], LR, "adam", seed=seed)
    before = 100 * accuracy(model, x_test, data.y_test)
    small, layers = svd_compress(model, budget=SVD_BUDGET, layers=["1", "3"])
    no_finetune = 100 * accuracy(small, x_test, data.y_test)
    finetune(small, x, data.y_train, FINETUNE[mode], FINETUNE_LR, "adam", seed=seed)
    return {
        "before": before,
        "no_finetune": no_finetune,
        "after": 100 * accuracy(small, x_test, data.y_test),
        "params_before": sum(s.params_before for s in layers),
        "params_after": sum(s.params_after for s in layers),
        "ranks": [s.rank for s in layers],
        "kept_energy": [round(s.kept_energy, 4) for s in layers],
    }


def measure_chain(data: Images, mode: str, seeds: list[int]) -> dict[str, list[dict[str, Any]]]:
    return {
        "chain": [chain_seed(data, mode, s) for s in seeds],
        "svd": [svd_seed(data, mode, s) for s in seeds],
    }
