"""Retraining a compressed model: masks, trained code books and straight-through weights, one plain loop.

A compressed layer's weight W is a function of other trainable numbers: the code book
(weight sharing), or real-valued weights seen through a quantiser or sign() (QAT,
binarisation). A `Proxy` holds those numbers as its own Parameter and knows two maps:

    project():   W <- f(theta)                    before each forward
    backprop():  dL/dtheta <- g(dL/dW)            after each backward

(g is the chain rule for a code book, the straight-through estimator for a quantiser).
The optimizer then updates theta, never W directly. Pruning masks are applied to the
gradients and re-applied after each step, so pruned weights stay exactly zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from glassnet import nn
from glassnet.compress.cluster import SharedLayer, centroid_gradients
from glassnet.compress.prune import Masks
from glassnet.grad_mode import no_grad
from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter
from glassnet.optim import SGD, Adam, Optimizer
from glassnet.tensor import Tensor


class Proxy(Protocol):
    parameter: Parameter  # what the optimizer trains
    weight: Parameter  # the layer weight it produces

    def project(self) -> None: ...
    def backprop(self) -> None: ...


class CentroidProxy:
    """W = c[labels] at the kept positions; dL/dc_k = sum of dL/dW_i over cluster k."""

    def __init__(self, layer: Module, shared: SharedLayer) -> None:
        self.weight, self.shared = layer.weight, shared
        self.parameter = Parameter(shared.centroids.astype(layer.weight.data.dtype))

    def project(self) -> None:
        self.shared.centroids = self.parameter.data.astype(np.float64)
        self.weight.data[...] = self.shared.dense(self.weight.data.dtype)

    def backprop(self) -> None:
        grad = self.weight.grad.data.ravel()[self.shared.positions]
        k = self.parameter.data.size
        self.parameter.grad = Tensor(
            centroid_gradients(grad, self.shared.labels, k).astype(self.parameter.data.dtype)
        )


def make_optimizer(name: str, params: list[Parameter], lr: float) -> Optimizer:
    if name == "adam":
        return Adam(params, lr=lr)
    if name == "momentum":
        return SGD(params, lr=lr, momentum=0.9)
    if name == "sgd":
        return SGD(params, lr=lr)
    raise ValueError(f"finetune optimizer must be adam, momentum or sgd, got {name!r}")


def accuracy(model: Module, x: np.ndarray, y: np.ndarray, batch_size: int = 512) -> float:
    """Share of samples whose arg-max output equals the label (eval mode, no gradients)."""
    was_training = model.training
    model.eval()
    correct = 0
    with no_grad():
        for start in range(0, len(x), batch_size):
            out = model(Tensor(x[start : start + batch_size])).data
            correct += int((out.argmax(axis=1) == y[start : start + batch_size]).sum())
    model.train(was_training)
    return correct / max(len(x), 1)


def finetune(
    model: Module,
    x: np.ndarray,
    y: np.ndarray,
    epochs: int,
    lr: float = 1e-3,
    optimizer: str = "adam",
    masks: Masks | None = None,
    proxies: Sequence[Proxy] = (),
    batch_size: int = 64,
    seed: int = 0,
    on_epoch: Callable[[int], None] | None = None,
    loss_fn: Callable[[Tensor, Tensor], Tensor] | None = None,
) -> None:
    """Train `model` on (x, y) for `epochs`, keeping masks and proxies in force.

    `loss_fn` is the run's own training loss (its `--loss`); cross-entropy when not given.
    Parameters that a proxy produces are not trained directly; the proxies' own are.
    """
    proxies = list(proxies)
    produced = {id(p.weight) for p in proxies}
    params = [p for p in model.parameters() if id(p) not in produced]
    params += [p.parameter for p in proxies]
    opt = make_optimizer(optimizer, params, lr)
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    rng = np.random.default_rng(seed)
    if masks is not None:
        masks.attach(model)
        masks.apply(model)
    model.train()
    try:
        for epoch in range(epochs):
            order = rng.permutation(len(x))
            for start in range(0, len(x), batch_size):
                batch = order[start : start + batch_size]
                for proxy in proxies:
                    proxy.project()
                opt.zero_grad()
                for proxy in proxies:
                    proxy.weight.grad = None
                loss_fn(model(Tensor(x[batch])), Tensor(y[batch])).backward()
                for proxy in proxies:
                    proxy.backprop()
                opt.step()
                if masks is not None:
                    masks.apply(model)
            if on_epoch is not None:
                on_epoch(epoch)
    finally:
        if masks is not None:
            masks.detach()
        for proxy in proxies:
            proxy.project()
        model.eval()
