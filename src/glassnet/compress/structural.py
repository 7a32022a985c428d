"""Structural compression of a trained run: channel pruning, low-rank convs, SVD of Linear layers,
fine-tuning or distillation, written as an ordinary model file that records how to rebuild it.

    report = restructure_run(run, StructuralOptions(svd=0.9, distill_from="runs/teacher"), "small.safetensors")
    model = load_structural("small.safetensors")

Order: channels (on the trained convs), then low-rank convs, then SVD of the Linears; then
`finetune_epochs` of Adam, on cross-entropy or, with a teacher, on Hinton's distillation loss.
The file is `glassnet.save({"state_dict", "structure", "source"})`: `structure` lists the
steps (layer names and ranks) so that `load_structural` rebuilds the architecture from the
run's config and then loads the weights.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from glassnet.compress.channels import prune_channels, shrink_to, weight_shapes
from glassnet.compress.distill import DistillationLoss
from glassnet.compress.finetune import accuracy, finetune
from glassnet.compress.lowrank import lowrank_compress, separable, tucker2
from glassnet.compress.prune import CompressionError
from glassnet.compress.svd import factor_linear, svd_compress
from glassnet.compress.swap import set_submodule
from glassnet.data.loader import DataLoader, TensorDataset
from glassnet.grad_mode import no_grad
from glassnet.nn.module import Module
from glassnet.optim import Adam
from glassnet.serialization import load as load_file
from glassnet.serialization import save as save_file
from glassnet.summary import summary
from glassnet.tensor import Tensor
from glassnet.train.job import make_model
from glassnet.train.output_encoding import make_loss
from glassnet.train.trainer import Trainer


@dataclass
class StructuralOptions:
    svd: float | None = None  # >= 1: the rank; in (0, 1): the energy kept
    lowrank: str | None = None  # tucker | separable
    lowrank_budget: float = 0.5
    prune_channels: float | None = None
    criterion: str = "l1"
    keep_residual: bool = False  # channel pruning inside residual blocks only
    distill_from: str | None = None
    temperature: float = 4.0
    alpha: float = 0.9
    finetune_epochs: int = 0
    lr: float = 1e-3
    seed: int = 0

    def check(self) -> StructuralOptions:
        if self.svd is not None and not (
            self.svd > 0 and (self.svd < 1 or float(self.svd).is_integer())
        ):
            raise CompressionError(
                f"--svd must be an integer rank >= 1 or an energy in (0, 1), got {self.svd}"
            )
        if self.finetune_epochs < 0:
            raise CompressionError(f"--finetune-epochs must be >= 0, got {self.finetune_epochs}")
        return self

    @property
    def any(self) -> bool:
        return any(
            v is not None for v in (self.svd, self.lowrank, self.prune_channels, self.distill_from)
        )


@dataclass
class Costs:
    params: int
    macs: int
    file_bytes: int
    latency_ms: float  # median CPU time of one batch
    accuracy: float


@dataclass
class StructuralReport:
    out: Path
    before: Costs
    after: Costs
    structure: dict[str, Any] = field(default_factory=dict)


def apply_structure(model: Module, options: StructuralOptions) -> tuple[Module, dict[str, Any]]:
    """The structural steps of `options` on `model`: (new model, the steps as plain data)."""
    steps: dict[str, Any] = {}
    if options.prune_channels is not None:
        model, _ = prune_channels(
            model, options.prune_channels, options.criterion, keep_residual=options.keep_residual
        )
        steps["channels"] = {
            "fraction": options.prune_channels,
            "criterion": options.criterion,
            "keep_residual": options.keep_residual,
            "shapes": weight_shapes(model),
        }
    if options.lowrank is not None:
        model, names = lowrank_compress(model, options.lowrank_budget, options.lowrank)
        ranks = {}
        for name in names:
            block = model.get_submodule(name)
            ranks[name] = [block[-1].in_channels, block[0].out_channels]
        steps["lowrank"] = {"method": options.lowrank, "ranks": ranks}
    if options.svd is not None:
        as_rank = options.svd >= 1
        model, rows = svd_compress(
            model,
            rank=int(options.svd) if as_rank else None,
            energy=None if as_rank else options.svd,
        )
        steps["svd"] = {row.name: row.rank for row in rows if row.factored}
    return model, steps


def rebuild(model: Module, structure: dict[str, Any], state: dict[str, Any]) -> Module:
    """A fresh `model` of the run's architecture reshaped as `structure` says, weights from `state`."""
    if "channels" in structure:
        shrink_to(model, structure["channels"]["shapes"])
    lowrank = structure.get("lowrank")
    for name, (r_out, r_in) in (lowrank or {}).get("ranks", {}).items():
        conv = model.get_submodule(name)
        block = (
            tucker2(conv, r_out, r_in) if lowrank["method"] == "tucker" else separable(conv, r_out)
        )
        set_submodule(model, name, block)
    for name, rank in structure.get("svd", {}).items():
        set_submodule(model, name, factor_linear(model.get_submodule(name), rank))
    model.load_state_dict(state)
    return model.eval()


def load_structural(path: str | os.PathLike[str]) -> Module:
    """The model in a file written by `restructure_run`."""
    saved = load_file(path)
    if not isinstance(saved, dict) or "structure" not in saved:
        raise CompressionError(f"{path}: not a structurally compressed model file (no 'structure')")
    source = saved["source"]
    model = make_model(source["config"], tuple(source["input_shape"]), len(source["classes"]))
    return rebuild(model, saved["structure"], saved["state_dict"])


def latency_ms(model: Module, x: np.ndarray, repeats: int = 7) -> float:
    """Median CPU time (time.process_time, one BLAS thread) of one eval forward pass on x, in ms.

    CPU time with one thread, because wall time and multi-thread CPU time swing with the
    machine's other load; it is a cost measure, not the best wall time the machine can reach.
    """
    model.eval()
    times = []
    with no_grad(), threadpool_limits(1):
        model(Tensor(x))  # warm-up
        for _ in range(repeats):
            start = time.process_time()
            model(Tensor(x))
            times.append(time.process_time() - start)
    return 1000 * float(np.median(times))


def _state_bytes(model: Module) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.safetensors"
        save_file(model.state_dict(), path)
        return path.stat().st_size


def costs(model: Module, run: Any, file_bytes: int | None = None, batch: int = 128) -> Costs:
    shape = tuple(run.data.input_shape)
    table = summary(model, input_size=shape)
    x_test, y_test = run.split("test")
    return Costs(
        table.total_params,
        table.total_macs,
        _state_bytes(model) if file_bytes is None else file_bytes,
        latency_ms(model, x_test[:batch]),
        accuracy(model, x_test, y_test),
    )


def _distill(
    student: Module, teacher: Module, x: np.ndarray, y: np.ndarray, options: StructuralOptions
) -> None:
    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True, seed=options.seed)
    loss = DistillationLoss(teacher, options.temperature, options.alpha).attach(student)
    try:
        trainer = Trainer(
            student, Adam(student.parameters(), lr=options.lr), loss, seed=options.seed
        )
        trainer.fit(loader, epochs=options.finetune_epochs)
    finally:
        loss.detach()
        student.eval()


def restructure_run(
    run: Any, options: StructuralOptions, out: str | os.PathLike[str], teacher: Module | None = None
) -> StructuralReport:
    """Compress an opened run (compress.runs.open_run) structurally, train, write `out`, measure both."""
    options.check()
    before = costs(run.model, run)
    model, structure = apply_structure(run.model, options)
    x, y = run.split("train")
    if options.finetune_epochs and teacher is not None:
        _distill(model, teacher, x, y, options)
    elif options.finetune_epochs:
        loss_fn = make_loss(run.config["loss"])  # the run's own --loss
        finetune(
            model, x, y, options.finetune_epochs, options.lr, seed=options.seed, loss_fn=loss_fn
        )
    structure["distill"] = (
        None
        if teacher is None
        else {
            "teacher": options.distill_from,
            "temperature": options.temperature,
            "alpha": options.alpha,
        }
    )
    save_file(
        {"state_dict": model.state_dict(), "structure": structure, "source": run.source()}, out
    )
    reloaded = load_structural(out)
    after = costs(reloaded, run, Path(os.fspath(out)).stat().st_size)
    return StructuralReport(Path(os.fspath(out)), before, after, structure)
