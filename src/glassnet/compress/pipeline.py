"""The compression chain as one recipe: fold BatchNorm -> prune (+ retrain) -> share or quantise or binarise.

    recipe = Recipe(prune=0.9, cluster_bits=5, huffman=True, finetune_epochs=10)
    result = compress_model(model, input_shape, (x_train, y_train), recipe)
    result.model     # the compressed model, runnable (pruned weights exactly zero, shared values)
    result.layers    # per layer: what the file will store (see fileformat.py)

`DEEP_COMPRESSION` is Han et al.'s three stages with their defaults: iterative magnitude
pruning with retraining, 5-bit weight sharing with a trained code book (the paper uses
8 bits for conv layers; on 3x3 digit filters 5 bits cost no accuracy here), Huffman coding.
Layers smaller than `small_layer` weights are not pruned (the paper keeps most of
conv1 too: pruning 54 weights saves nothing and costs accuracy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from glassnet.compress.binarize import BinaryProxy, BinaryWeight
from glassnet.compress.cluster import INITS, SharedLayer, share_weights
from glassnet.compress.finetune import CentroidProxy, finetune
from glassnet.compress.fold import fold_batchnorm, has_batchnorm
from glassnet.compress.prune import (
    CompressionError,
    Masks,
    check_amount,
    iterative_amounts,
    prunable_layers,
    prune,
)
from glassnet.compress.quantize import QuantizedWeight, QuantProxy, check_scheme, quantize_weight
from glassnet.compress.xnor import attach_xnor
from glassnet.nn.module import Module
from glassnet.train.output_encoding import make_loss

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class Recipe:
    """What to do, in order; None/0 skips a stage. See `compress_model`."""

    prune: float | None = None  # share of each layer's weights to remove
    prune_rounds: int = 3  # iterative pruning: AGP-spaced steps, each followed by retraining
    prune_scope: str = "layer"
    small_layer: int = 500  # layers with fewer weights are not pruned
    cluster_bits: int | None = None
    cluster_init: str = "linear"
    index_bits: int | None = None  # gap width of the sparse index; None: the best per layer
    huffman: bool = False
    quantize: str | None = None  # int8 | int4 (per-channel symmetric weights)
    per_channel: bool = True
    binarize: str | None = None  # bwn | xnor
    finetune_epochs: int = 0  # per retraining stage
    lr: float = 1e-3
    optimizer: str = "adam"
    seed: int = 0
    loss: str = "cross_entropy"  # the retraining loss: the run's own `--loss` (output_encoding.py)

    def check(self) -> Recipe:
        if self.prune is not None:
            check_amount(self.prune)
        techniques = [t for t in (self.cluster_bits, self.quantize, self.binarize) if t]
        if len(techniques) > 1:
            raise CompressionError(
                "choose one of --cluster-bits, --quantize and --binarize (each replaces the weights' values)"
            )
        if self.quantize is not None:
            check_scheme(self.quantize)
        if self.binarize not in (None, "bwn", "xnor"):
            raise CompressionError(f"--binarize must be bwn or xnor, got {self.binarize!r}")
        if self.index_bits is not None and not 1 <= self.index_bits <= 16:
            raise CompressionError(f"--index-bits must be in 1..16, got {self.index_bits}")
        if self.cluster_init not in INITS:
            raise CompressionError(f"--cluster-init must be one of {', '.join(INITS)}")
        if self.finetune_epochs < 0 or self.prune_rounds < 1:
            raise CompressionError("--finetune-epochs must be >= 0 and prune rounds >= 1")
        if self.binarize and self.prune:
            raise CompressionError(
                "--binarize turns every weight into +-alpha, so pruned zeros cannot stay: drop --prune"
            )
        if self.huffman and not (self.cluster_bits or self.prune):
            raise CompressionError(
                "--huffman codes cluster indices and sparse gaps: add --cluster-bits or --prune"
            )
        return self


DEEP_COMPRESSION = Recipe(
    prune=0.9, prune_rounds=3, cluster_bits=5, huffman=True, finetune_epochs=10
)
RECIPES = {"deep-compression": DEEP_COMPRESSION}


@dataclass
class LayerResult:
    """What one Linear/Conv layer's weight became (exactly one of shared/quantized/binary, or dense)."""

    name: str
    shape: tuple[int, ...]
    mask: np.ndarray | None = None
    shared: SharedLayer | None = None
    quantized: QuantizedWeight | None = None
    binary: BinaryWeight | None = None
    xnor: bool = False  # binary inputs too (XNOR-Net): the loader re-attaches the hooks


@dataclass
class Compressed:
    model: Module  # BatchNorm folded, weights as the file will give them back
    folded: bool
    recipe: Recipe
    layers: dict[str, LayerResult] = field(default_factory=dict)


def _notify(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def _train(
    model: Module, data: Any, recipe: Recipe, stage: str, progress: Progress | None, **kw: Any
) -> None:
    epochs = recipe.finetune_epochs
    if epochs <= 0 or data is None:
        return
    x, y = data
    _notify(progress, stage, 0, epochs)
    finetune(
        model,
        x,
        y,
        epochs,
        recipe.lr,
        recipe.optimizer,
        seed=recipe.seed,
        on_epoch=lambda e: _notify(progress, stage, e + 1, epochs),
        loss_fn=make_loss(recipe.loss),
        **kw,
    )


def _prune_stage(
    model: Module, data: Any, recipe: Recipe, progress: Progress | None
) -> Masks | None:
    if recipe.prune is None:
        return None
    layers = prunable_layers(model)
    names = [n for n, m in layers.items() if m.weight.data.size >= recipe.small_layer]
    if not names:
        raise CompressionError(
            f"no layer has >= {recipe.small_layer} weights to prune (sizes: "
            f"{ {n: m.weight.data.size for n, m in layers.items()} })"
        )
    masks = None
    for round_, share in enumerate(iterative_amounts(recipe.prune, recipe.prune_rounds)):
        masks = prune(model, share, recipe.prune_scope, names, previous=masks)
        _train(
            model,
            data,
            recipe,
            f"prune {round_ + 1}/{recipe.prune_rounds} ({share:.0%})",
            progress,
            masks=masks,
        )
    return masks


def _value_stage(
    result: Compressed, layers: dict[str, Module], recipe: Recipe
) -> tuple[list[Any], str]:
    """(proxies, stage name) of the technique that replaces the weights' values, if any."""
    if recipe.cluster_bits:
        proxies = []
        for name, layer in layers.items():
            entry = result.layers[name]
            entry.shared = share_weights(
                layer.weight.data, entry.mask, recipe.cluster_bits, name, recipe.cluster_init
            )
            proxies.append(CentroidProxy(layer, entry.shared))
        return proxies, "share (centroids)"
    if recipe.quantize:
        bits = check_scheme(recipe.quantize)
        proxies = [QuantProxy(m, bits, "symmetric", recipe.per_channel) for m in layers.values()]
        return proxies, f"quantise ({recipe.quantize} QAT)"
    if recipe.binarize:
        inner = list(layers)[1:-1]  # first and last layers stay in full precision
        if not inner:
            raise CompressionError(
                "binarisation keeps the first and last layers: the model needs >= 3 layers"
            )
        if recipe.binarize == "xnor":
            for name in inner:
                attach_xnor(layers[name])
                result.layers[name].xnor = True
        return [BinaryProxy(layers[n]) for n in inner], f"binarise ({recipe.binarize.upper()})"
    return [], ""


def compress_model(
    model: Module,
    input_shape: tuple[int, ...],
    data: tuple[np.ndarray, np.ndarray] | None,
    recipe: Recipe,
    progress: Progress | None = None,
) -> Compressed:
    """Run `recipe` on a copy of `model`; `data` = training (x, y) for retraining (None: no retraining).

    Stages: fold BatchNorm -> prune in AGP-spaced rounds, retraining with masks after each
    -> share / quantise / binarise the weights, retraining the code books or the real
    weights behind the straight-through estimator -> write the final values into the model.
    The returned model computes exactly what the file written from the result will.
    """
    recipe = recipe.check()
    folded = fold_batchnorm(model, input_shape)
    result = Compressed(folded, has_batchnorm(model), recipe)
    layers = prunable_layers(folded)
    masks = _prune_stage(folded, data, recipe, progress)
    for name, layer in layers.items():
        result.layers[name] = LayerResult(
            name, tuple(layer.weight.shape), masks.masks.get(name) if masks else None
        )
    proxies, stage = _value_stage(result, layers, recipe)
    for proxy in proxies:
        proxy.project()
    if proxies:
        _train(
            folded,
            data,
            recipe,
            stage,
            progress,
            masks=None if recipe.cluster_bits else masks,
            proxies=proxies,
        )
    _finalise(result, layers, recipe)
    return result


def _finalise(result: Compressed, layers: dict[str, Module], recipe: Recipe) -> None:
    """Store each layer's final form and write exactly that back into the model's weights."""
    for name, layer in layers.items():
        entry = result.layers[name]
        if entry.shared is not None:
            layer.weight.data[...] = entry.shared.dense(layer.weight.data.dtype)
        elif recipe.quantize:
            entry.quantized = quantize_weight(
                layer.weight.data, check_scheme(recipe.quantize), "symmetric", recipe.per_channel
            )
            layer.weight.data[...] = entry.quantized.dense()
        elif recipe.binarize and name in list(layers)[1:-1]:
            entry.binary = BinaryWeight.of(layer.weight.data)
            layer.weight.data[...] = entry.binary.dense()
        elif entry.mask is not None:
            layer.weight.data *= entry.mask.astype(layer.weight.data.dtype)


def with_options(recipe: Recipe, **changes: Any) -> Recipe:
    """`recipe` with the given fields replaced (None values ignored)."""
    return replace(recipe, **{k: v for k, v in changes.items() if v is not None})
