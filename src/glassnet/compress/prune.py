"""Magnitude pruning with masks that keep pruned weights at exactly zero through training.

Han et al. (2015), "Learning both weights and connections": remove the weights whose
magnitude falls below a threshold, then retrain the rest; repeat. Their threshold per
layer is `quality * std(W)`; `prune_by_std` does that. `prune` takes the share to remove
instead (the threshold is then that quantile of |W|), per layer or globally across layers.

A `Masks` object holds one 0/1 array per pruned weight. Training keeps the zeros at zero
with any optimizer: `masks.attach(model)` multiplies each weight's gradient by its mask
(a tensor hook), and `masks.apply(model)` after every `optimizer.step()` writes the zeros
back. The second is needed: momentum buffers, Adam's moments from before pruning, or
weight decay would move a pruned weight with a zero gradient. (Trainer users: `MaskCallback`.)

Zhu & Gupta (2017), gradual pruning (AGP): sparsity at step t rises from s_i to s_f as

    s_t = s_f + (s_i - s_f) * (1 - (t - t0) / (n * dt))^3,   t0 <= t <= t0 + n * dt

fast at first, while there are many redundant weights, then slowly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from glassnet.atomic import atomic_path
from glassnet.nn.conv import _ConvNd
from glassnet.nn.linear import Linear
from glassnet.nn.module import Module
from glassnet.train.callbacks import Callback

PRUNABLE = (Linear, _ConvNd)


class CompressionError(ValueError):
    """A model, layer or option that a compression step cannot take."""


def prunable_layers(model: Module) -> dict[str, Module]:
    """name -> Linear/Conv layer of `model`, in definition order; an error if there is none."""
    layers = {name: m for name, m in model.named_modules() if isinstance(m, PRUNABLE)}
    if not layers:
        raise CompressionError(
            f"{type(model).__name__} has no prunable layer (Linear or Conv): nothing to compress"
        )
    return layers


def check_amount(amount: float, what: str = "prune") -> float:
    """`amount` as a float in (0, 1), else a CompressionError naming `what`."""
    if not isinstance(amount, (int, float)) or not 0 < float(amount) < 1:
        raise CompressionError(f"--{what} must be a share in (0, 1), e.g. 0.9; got {amount!r}")
    return float(amount)


class Masks:
    """One 0/1 float array per pruned layer's weight (layer name -> mask of the weight's shape)."""

    def __init__(self, masks: dict[str, np.ndarray]) -> None:
        self.masks = dict(masks)
        self._handles: list[Any] = []

    def __getitem__(self, name: str) -> np.ndarray:
        return self.masks[name]

    def __iter__(self) -> Any:
        return iter(self.masks)

    def kept(self) -> dict[str, float]:
        """layer -> share of its weights kept."""
        return {name: float(mask.mean()) for name, mask in self.masks.items()}

    def apply(self, model: Module) -> None:
        """W <- W * mask for every masked layer (in place: optimizer state keeps pointing at W)."""
        layers = dict(model.named_modules())
        for name, mask in self.masks.items():
            weight = layers[name].weight.data
            weight *= mask.astype(weight.dtype)

    def attach(self, model: Module) -> None:
        """Mask every masked weight's gradient on its way into `.grad` (until `detach()`)."""
        layers = dict(model.named_modules())
        for name, mask in self.masks.items():
            weight = layers[name].weight
            cast = mask.astype(weight.data.dtype)
            self._handles.append(weight.register_hook(lambda grad, m=cast: grad * m))

    def detach(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()


class MaskCallback(Callback):
    """Trainer callback: masks the trainer's model's gradients and re-applies the masks after every step."""

    def __init__(self, masks: Masks) -> None:
        self.masks = masks

    def on_fit_start(self, logs: Any) -> None:
        self.masks.detach()
        self.masks.attach(self.model)
        self.masks.apply(self.model)

    def on_batch_end(self, batch: int, logs: Any) -> None:
        self.masks.apply(self.model)

    def on_fit_end(self, logs: Any) -> None:
        self.masks.detach()


def _magnitude_mask(weight: np.ndarray, threshold: float, old: np.ndarray | None) -> np.ndarray:
    mask = (np.abs(weight) > threshold).astype(np.float32)
    return mask if old is None else mask * old


def prune(
    model: Module,
    amount: float | dict[str, float],
    scope: str = "layer",
    layers: Sequence[str] | None = None,
    previous: Masks | None = None,
) -> Masks:
    """Masks removing the `amount` share of smallest-|w| weights, per layer or across layers.

    amount: one share in (0, 1), or layer name -> share (scope 'layer' only). scope 'global'
    ranks all the layers' weights together (layers with small weights lose more). Already
    pruned weights stay pruned (`previous`); the result is applied to the model.
    """
    targets = prunable_layers(model)
    names = list(layers) if layers is not None else list(targets)
    unknown = [name for name in names if name not in targets]
    if unknown:
        raise CompressionError(f"no prunable layer named {unknown}; layers: {list(targets)}")
    per_layer = amount if isinstance(amount, dict) else dict.fromkeys(names, amount)
    old = previous.masks if previous is not None else {}
    masks: dict[str, np.ndarray] = {}
    if scope == "global":
        share = check_amount(next(iter(per_layer.values())))
        every = np.concatenate([np.abs(targets[n].weight.data).ravel() for n in names])
        threshold = float(np.quantile(every, share))
        for name in names:
            masks[name] = _magnitude_mask(targets[name].weight.data, threshold, old.get(name))
    elif scope == "layer":
        for name in names:
            share = check_amount(per_layer.get(name, 0.5))
            weight = targets[name].weight.data
            threshold = float(np.quantile(np.abs(weight), share))
            masks[name] = _magnitude_mask(weight, threshold, old.get(name))
    else:
        raise CompressionError(f"prune: scope must be 'layer' or 'global', got {scope!r}")
    result = Masks(masks)
    result.apply(model)
    return result


def prune_by_std(model: Module, quality: float | dict[str, float]) -> Masks:
    """Han et al.'s rule: per layer, remove |w| <= quality * std(W) (quality > 0)."""
    masks = {}
    for name, layer in prunable_layers(model).items():
        q = quality[name] if isinstance(quality, dict) else quality
        if not q > 0:
            raise CompressionError(f"prune_by_std: quality must be > 0, got {q!r} for {name}")
        weight = layer.weight.data
        masks[name] = _magnitude_mask(weight, float(q * weight.std()), None)
    result = Masks(masks)
    result.apply(model)
    return result


def agp_sparsity(
    step: int, final: float, initial: float = 0.0, start: int = 0, steps: int = 10, every: int = 1
) -> float:
    """Zhu & Gupta's gradual schedule: the sparsity to reach at `step` (cubic ramp, then flat)."""
    if steps < 1 or every < 1:
        raise CompressionError(f"agp_sparsity: steps and every must be >= 1, got {steps}, {every}")
    progress = min(max((step - start) / (steps * every), 0.0), 1.0)
    return final + (initial - final) * (1.0 - progress) ** 3


def iterative_amounts(final: float, rounds: int) -> list[float]:
    """The AGP schedule sampled at `rounds` equal steps: the share pruned after each round."""
    check_amount(final)
    return [agp_sparsity(r + 1, final, steps=rounds) for r in range(rounds)]


def sensitivity(
    model: Module,
    evaluate: Callable[[Module], float],
    kept: Iterable[float] = (1.0, 0.5, 0.3, 0.2, 0.1, 0.05),
) -> dict[str, list[tuple[float, float]]]:
    """Per layer: (kept share, evaluate(model)) with only that layer pruned (no retraining).

    Han et al.'s Figure 5: layers whose score falls early are sensitive and get pruned less.
    The model's weights are restored after each trial.
    """
    curves: dict[str, list[tuple[float, float]]] = {}
    for name, layer in prunable_layers(model).items():
        saved = layer.weight.data.copy()
        points = []
        for share in kept:
            if share < 1.0:
                prune(model, {name: 1.0 - share}, layers=[name])
            points.append((float(share), float(evaluate(model))))
            layer.weight.data[...] = saved
        curves[name] = points
    return curves


def plot_sensitivity(curves: dict[str, list[tuple[float, float]]], path: Any) -> None:
    """Score vs kept share, one line per layer, saved to `path` (PNG, written atomically)."""
    import matplotlib  # lazy: ~0.5 s to import

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axis = plt.subplots(figsize=(5, 3.5))
    for name, points in curves.items():
        axis.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=name)
    axis.set_xlabel("share of the layer's weights kept")
    axis.set_ylabel("validation accuracy")
    axis.invert_xaxis()
    axis.legend(fontsize=7)
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=120)
    plt.close(figure)
