"""The resnet topic: measure. Every depth of both families trains until its training loss
plateaus (settings.PLATEAU_GAIN), over several seeds; then its errors, its backward signal
layer by layer (at initialisation and at the plateau) and its backward cost are recorded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

import glassnet
from glassnet import nn
from glassnet.autograd import topological_order
from glassnet.data.datasets.digits import Digits
from glassnet.diagnose import gradient_flow
from glassnet.lab.kit import sequences as ts
from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.loop import STOP, Trace, train_loop
from glassnet.lab.topics.resnet.settings import (
    BACKWARD_REPEATS,
    BATCH,
    CONFIG,
    FAMILIES,
    FITTED_LOSS,
    LR,
    MOMENTUM,
    PLATEAU_GAIN,
    PROBE,
)
from glassnet.models.resnet_cifar import CifarResNet
from glassnet.nn import functional as F
from glassnet.summary import summary

Data = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def digits() -> Data:
    """The 8x8 digits, standardised with the training split's mean and std."""
    train, test = Digits("train"), Digits("test")
    mean, std = float(train.data.mean()), float(train.data.std())
    return (train.data - mean) / std, train.targets, (test.data - mean) / std, test.targets


def build(family: str, depth: int, model_seed: int, widths: tuple[int, ...]) -> CifarResNet:
    glassnet.manual_seed(model_seed)
    return CifarResNet(depth, 10, FAMILIES[family], in_channels=1, widths=widths)


@dataclass
class Run:
    """One net trained to its plateau: errors, how it stopped, and its backward signal."""

    train_error: float  # at the evaluation with the lowest training loss (the plateau's level)
    test_error: float  # at that same evaluation
    steps: int
    stopped: str  # 'plateau', 'fitted', 'capped' or 'diverged'
    eval_steps: list[int]
    eval_loss: list[float]
    first_grad: list[float]  # ||dL/dW|| of the first conv, every step
    cpu_per_step: float
    signal_init: list[float]  # RMS dL/dy of each conv and the classifier, at initialisation
    signal_end: list[float]  # the same at the plateau
    grads_init: list[float]  # ||dL/dW|| of each conv and the classifier, at initialisation
    last_grad: list[float]  # ||dL/dW|| of the classifier, every step


@dataclass
class Runs:
    """Per (family, depth): one Run per seed; the exact counts; the shallowest trained ResNet."""

    runs: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    macs: dict = field(default_factory=dict)
    backward: dict = field(default_factory=dict)  # (family, depth) -> (graph nodes, CPU s)
    shallow_resnet: CifarResNet | None = None

    def of(self, family: str, depth: int, name: str) -> list:
        return [getattr(run, name) for run in self.runs[(family, depth)]]


def backward_profile(model: CifarResNet, probe: tuple) -> tuple[list[float], list[float]]:
    """At each conv and the classifier, in forward order (train mode, one batch; the model's
    buffers and gradients are left as they were): (RMS of dL/dy, ||dL/dW|| of its weight)."""
    flow = gradient_flow(
        model,
        (glassnet.tensor(probe[0]), glassnet.tensor(probe[1])),
        nn.CrossEntropyLoss(),
        mode="train",
    )
    signal = [
        float(row.grad_rms)
        for row in flow.layers
        if row.class_name in ("Conv2d", "Linear") and row.grad_rms is not None
    ]
    weights = [
        float(row.grad_norm) for row in flow.params if row.is_weight and row.grad_norm is not None
    ]
    return signal, weights


def layer_signal(model: CifarResNet, probe: tuple) -> list[float]:
    """RMS of dL/dy at each conv and at the classifier, in forward order (train mode, one batch)."""
    return backward_profile(model, probe)[0]


def plateaued(losses: list[float], patience: int) -> bool:
    """No new best by PLATEAU_GAIN of itself over the last `patience` evaluations."""
    if len(losses) <= patience:
        return False
    before = min(losses[:-patience])
    return min(losses[-patience:]) > (1 - PLATEAU_GAIN) * before


def train_to_plateau(model: CifarResNet, data: Data, config: dict, rng: np.random.Generator):
    """SGD until the training loss plateaus, fits, diverges or reaches the cap: (trace, stopped, evals)."""
    x, y = data[0], data[1]
    optimizer = glassnet.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    evals: dict[str, list] = {"steps": [], "loss": [], "error": [], "test_error": []}
    stopped = ["capped"]

    def record(step: int, trace: Trace) -> None:
        trace.record("first_grad", float(np.linalg.norm(model.conv1.weight.grad.data)))
        trace.record("last_grad", float(np.linalg.norm(model.fc.weight.grad.data)))

    def check(step: int, trace: Trace) -> str | None:
        if step % config["eval_every"]:
            return None
        accuracy, loss = ts.evaluate(model, x, y)
        evals["steps"].append(step)
        evals["loss"].append(loss)
        evals["error"].append(1.0 - accuracy)
        evals["test_error"].append(1.0 - ts.evaluate(model, data[2], data[3])[0])
        if not math.isfinite(loss):
            stopped[0] = "diverged"
        elif loss <= FITTED_LOSS:
            stopped[0] = "fitted"
        elif plateaued(evals["loss"], config["patience"]):
            stopped[0] = "plateau"
        return STOP if stopped[0] != "capped" else None

    batches = (ts.sample_batch(rng, x, y, BATCH) for _ in iter(int, 1))
    trace = train_loop(
        model, optimizer, batches, config["cap"], before_update=record, after_update=check
    )
    if trace.diverged_at is not None:
        stopped[0] = "diverged"
    return trace, stopped[0], evals


def one_run(family: str, depth: int, seed: int, replicate: int, data: Data, config: dict) -> tuple:
    """Build, probe at init, train to the plateau, probe again: (Run, model)."""
    model = build(family, depth, seed * 1000 + replicate * 100 + depth, config["widths"])
    probe = ts.sample_batch(np.random.default_rng([seed, replicate, 7]), data[0], data[1], PROBE)
    signal_init, grads_init = backward_profile(model, probe)
    clock = Clock()
    trace, stopped, evals = train_to_plateau(
        model, data, config, np.random.default_rng([seed, replicate])
    )
    cpu_per_step = clock.cpu / max(len(trace.losses), 1)
    bad = stopped == "diverged" or not evals["loss"]
    best = int(np.nanargmin(evals["loss"])) if not bad else 0  # the plateau's level
    run = Run(
        train_error=1.0 if bad else evals["error"][best],
        test_error=1.0 if bad else evals["test_error"][best],
        steps=len(trace.losses),
        stopped=stopped,
        eval_steps=evals["steps"],
        eval_loss=evals["loss"],
        first_grad=trace.records.get("first_grad", []),
        cpu_per_step=cpu_per_step,
        signal_init=signal_init,
        signal_end=signal_init if bad else layer_signal(model, probe),
        grads_init=grads_init,
        last_grad=trace.records.get("last_grad", []),
    )
    return run, model


def backward_cost(model: CifarResNet, data: Data) -> tuple[int, float]:
    """Autograd graph nodes of one training loss, and CPU seconds per backward (mean of repeats)."""
    x, y = ts.sample_batch(np.random.default_rng(0), data[0], data[1], BATCH)
    model.train()
    seconds, nodes = [], 0
    for _ in range(BACKWARD_REPEATS):
        model.zero_grad()
        loss = F.cross_entropy(model(glassnet.tensor(x)), glassnet.tensor(y))
        nodes = len(topological_order(loss.grad_fn))
        with Clock() as clock:
            loss.backward()
        seconds.append(clock.cpu)
    model.zero_grad()
    return nodes, float(np.median(seconds))


def measure(mode: str, seed: int, data: Data) -> Runs:
    config, runs = CONFIG[mode], Runs()
    for replicate in range(config["seeds"]):
        for depth in config["depths"]:
            for family in FAMILIES:
                key = (family, depth)
                run, model = one_run(family, depth, seed, replicate, data, config)
                runs.runs.setdefault(key, []).append(run)
                if replicate == 0:
                    table = summary(build(family, depth, 0, config["widths"]), input_size=(1, 8, 8))
                    runs.params[key], runs.macs[key] = table.total_params, table.total_macs
                    runs.backward[key] = backward_cost(model, data)
                    if family == "resnet" and depth == config["depths"][0]:
                        runs.shallow_resnet = model
    return runs


def construction(runs: Runs, data: Data, mode: str) -> dict[str, float]:
    """The shallowest trained ResNet and its copy padded to the deepest depth with identity blocks."""
    x, y = data[0], data[1]
    config = CONFIG[mode]
    shallow = runs.shallow_resnet
    deep = ts.embed_with_identities(
        shallow, CifarResNet(config["depths"][-1], 10, "A", in_channels=1, widths=config["widths"])
    )
    with ts.evaluating(shallow), ts.evaluating(deep):
        a = shallow(glassnet.tensor(x)).data
        b = deep(glassnet.tensor(x)).data
    return {
        "shallow_error": float(np.mean(a.argmax(1) != y)),
        "deep_error": float(np.mean(b.argmax(1) != y)),
        "max_logit_diff": float(np.max(np.abs(a - b))),
    }
