"""A small training run for the SIGKILL resume tests (run as a subprocess, not collected by pytest).

    python resume_script.py OUT [--resume] [--pause-at-step K] [--hang-in-save N] [--scheduler step|epoch]

Trains an MLP with BatchNorm and dropout (so the RNG and buffers matter) with Adam and
a scheduler, checkpointing OUT/ckpt/last.safetensors every 3 steps and at each epoch
end; prints "STEP k" after each step and "DONE" at the end, and writes the final
weights to OUT/final.safetensors. --pause-at-step K sleeps after printing "STEP K" so
the parent can SIGKILL it exactly there; --hang-in-save N sleeps inside the N-th
checkpoint write (temporary file written, not yet renamed) after printing "SAVING".
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy

import glassnet
from glassnet import nn, optim
from glassnet.data import DataLoader, TensorDataset
from glassnet.models import MLP
from glassnet.train import Callback, CSVLogger, EarlyStopping, ModelCheckpoint, NaNGuard, Trainer

EPOCHS = 5
STEPS_PER_EPOCH = 10  # 300 samples in batches of 32: 9 full batches and one of 12


class Marker(Callback):
    def __init__(self, pause_at: int | None) -> None:
        self.pause_at = pause_at

    def on_batch_end(self, batch: int, logs: dict) -> None:
        print(f"STEP {self.trainer.global_step}", flush=True)
        if self.trainer.global_step == self.pause_at:
            time.sleep(600)


def hang_in_save(number: int) -> None:
    """Make the `number`-th os.replace of a checkpoint print SAVING and hang before renaming."""
    real_replace, calls = os.replace, [0]

    def replace(source: str, target: str) -> None:
        if str(target).endswith(".safetensors"):
            calls[0] += 1
            if calls[0] == number:
                print("SAVING", flush=True)
                time.sleep(600)
        real_replace(source, target)

    os.replace = replace


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--pause-at-step", type=int)
    parser.add_argument("--hang-in-save", type=int)
    parser.add_argument("--scheduler", choices=("step", "epoch"), default="epoch")
    args = parser.parse_args()
    out = Path(args.out)
    if args.hang_in_save:
        hang_in_save(args.hang_in_save)

    data = numpy.random.default_rng(0)
    x = data.standard_normal((300, 12)).astype(numpy.float32)
    y = (x[:, :3].sum(1) > 0).astype(numpy.int64) + 2 * (x[:, 3] > 0.5)
    val_x = data.standard_normal((64, 12)).astype(numpy.float32)
    val_y = (val_x[:, :3].sum(1) > 0).astype(numpy.int64) + 2 * (val_x[:, 3] > 0.5)

    glassnet.manual_seed(0)
    model = MLP([12, 32, 16, 4], batchnorm=True, dropout=0.3)
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    if args.scheduler == "step":
        scheduler = optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=0.05, total_steps=EPOCHS * STEPS_PER_EPOCH
        )
    else:
        scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    callbacks = [
        Marker(args.pause_at_step),
        NaNGuard(),
        EarlyStopping("val_loss", patience=100, restore_best_weights=True),
        CSVLogger(out / "history.csv"),
        ModelCheckpoint(
            out / "ckpt",
            monitor="val_accuracy",
            every_n_epochs=2,
            keep_last=1,
            every_n_train_steps=3,
        ),
    ]
    trainer = Trainer(
        model,
        optimizer,
        nn.CrossEntropyLoss(),
        metrics=["accuracy", "f1"],
        callbacks=callbacks,
        scheduler=scheduler,
        clip_grad_norm=5.0,
        seed=0,
    )
    train = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, seed=7)
    val = DataLoader(TensorDataset(val_x, val_y), batch_size=50)
    last = out / "ckpt" / "last.safetensors"
    resume_from = last if args.resume and last.exists() else None
    print(f"RESUME {resume_from}", flush=True)
    trainer.fit(train, val, epochs=EPOCHS, resume_from=resume_from)
    glassnet.save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler_lr": scheduler.get_last_lr(),
            "global_step": trainer.global_step,
        },
        out / "final.safetensors",
    )
    print("DONE", flush=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
