"""The compression topic: the structural techniques, trained on the digits (plain data out).

Per seed: the base CNN and its four swapped versions (1x1 bottleneck, depthwise separable,
grouped without and with channel shuffle) are trained from scratch with the same data order;
the trained base is then decomposed (Tucker-2), channel-pruned (L1 filters, 50%) and used as
the teacher of a small MLP student. Every model's parameters, MACs, test accuracy and CPU
time on a batch of 128 are recorded.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet import nn
from glassnet.compress import lowrank_compress, prune_channels
from glassnet.compress.distill import distillation_loss
from glassnet.compress.finetune import accuracy, finetune, make_optimizer
from glassnet.compress.replace import replace
from glassnet.compress.structural import latency_ms
from glassnet.lab.topics.compression.models import Images, base, cost, mlp, part_cost
from glassnet.lab.topics.compression.settings import (
    ALPHA,
    BOTTLENECK,
    CHANNELS_PRUNED,
    EPOCHS,
    FINETUNE,
    FINETUNE_LR,
    GROUPS,
    LR,
    REPEATS,
    STUDENT,
    STUDENT_EPOCHS,
    SWAPPED,
    SWEEP,
    TEMPERATURE,
    TIME_BATCH,
    TUCKER_BUDGET,
    WIDTH,
)
from glassnet.random import manual_seed
from glassnet.tensor import Tensor

DESIGNS = ("base", "bottleneck", "separable", "grouped", "shuffled")


def designs(width: int, seed: int) -> dict[str, nn.Module]:
    """The base CNN and its swaps; every swap starts from the same base weights (seeded)."""
    model = base(width, seed)
    out: dict[str, nn.Module] = {"base": model}
    for name, kind, shuffle in (
        ("bottleneck", "bottleneck", True),
        ("separable", "separable", True),
        ("grouped", "grouped", False),
        ("shuffled", "grouped", True),
    ):
        manual_seed(10_000 + seed)  # grouped and shuffled start from identical grouped weights
        out[name] = replace(model, kind, SWAPPED, ratio=BOTTLENECK, groups=GROUPS, shuffle=shuffle)[
            0
        ]
    return out


def record(model: nn.Module, data: Images, repeats: int, names: list[str]) -> dict[str, Any]:
    """Cost and accuracy of a trained model; `names`: the submodules whose own cost is counted."""
    params, macs = cost(model)
    part_params, part_macs = part_cost(model, names)
    return {
        "params": params,
        "macs": macs,
        "part_params": part_params,
        "part_macs": part_macs,
        "accuracy": 100 * accuracy(model, data.x_test, data.y_test),
        "ms": latency_ms(model, data.x_test[:TIME_BATCH], repeats),
    }


def train(model: nn.Module, data: Images, epochs: int, lr: float, seed: int) -> nn.Module:
    finetune(model, data.x_train, data.y_train, epochs, lr, "adam", seed=seed)
    return model


def derived(trained: nn.Module, data: Images, mode: str, seed: int) -> dict[str, dict]:
    """Tucker-2 and channel pruning of the trained base, each fine-tuned."""
    repeats, epochs = REPEATS[mode], FINETUNE[mode]
    low, names = lowrank_compress(trained, TUCKER_BUDGET, "tucker")
    low_before = 100 * accuracy(low, data.x_test, data.y_test)
    low_row = record(train(low, data, epochs, FINETUNE_LR, seed), data, repeats, names)
    low_row |= {"before_finetune": low_before, "names": names}
    low_row["base_part"] = part_cost(trained, names)
    cut, _ = prune_channels(trained, CHANNELS_PRUNED, "l1")
    cut_before = 100 * accuracy(cut, data.x_test, data.y_test)
    cut_row = record(train(cut, data, epochs, FINETUNE_LR, seed), data, repeats, SWAPPED)
    cut_row["before_finetune"] = cut_before
    return {"low_rank": low_row, "channels": cut_row}


def distil(
    teacher: nn.Module,
    data: Images,
    mode: str,
    seed: int,
    alpha: float,
    temperature: float = TEMPERATURE,
) -> float:
    """Test accuracy (%) of the MLP student trained with Hinton's loss (alpha = 0: alone)."""
    student = mlp([STUDENT], seed)
    x, y = data.flat(data.x_train), data.y_train
    teacher.eval()
    soft = np.concatenate(
        [teacher(Tensor(data.x_train[i : i + 512])).data for i in range(0, len(x), 512)]
    )
    opt = make_optimizer("adam", list(student.parameters()), LR)
    rng = np.random.default_rng(seed)
    student.train()
    for _ in range(STUDENT_EPOCHS[mode]):
        order = rng.permutation(len(x))
        for start in range(0, len(x), 64):
            batch = order[start : start + 64]
            opt.zero_grad()
            out = student(Tensor(x[batch]))
            loss = distillation_loss(out, Tensor(soft[batch]), Tensor(y[batch]), temperature, alpha)
            loss.backward()
            opt.step()
    student.eval()
    return 100 * accuracy(student, data.flat(data.x_test), data.y_test)


def structure_seed(data: Images, mode: str, seed: int) -> dict[str, Any]:
    """Everything structural for one seed (see the module docstring)."""
    rows = {}
    trained = {}
    for name, model in designs(WIDTH[mode], seed).items():
        trained[name] = train(model, data, EPOCHS[mode], LR, seed)
        rows[name] = record(trained[name], data, REPEATS[mode], SWAPPED)
    rows |= derived(trained["base"], data, mode, seed)
    rows["student"] = {
        "alone": distil(trained["base"], data, mode, seed, 0.0),
        "distilled": distil(trained["base"], data, mode, seed, ALPHA),
    }
    rows["temperatures"] = {
        t: distil(trained["base"], data, mode, seed, ALPHA, t) for t in SWEEP[mode]
    }
    return rows


def measure_structure(data: Images, mode: str, seeds: list[int]) -> list[dict[str, Any]]:
    return [structure_seed(data, mode, s) for s in seeds]
