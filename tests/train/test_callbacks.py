"""Callbacks: early stopping (patience, restore), checkpoints (best/last/keep_last, atomic), CSV, NaN guard, bar."""

from __future__ import annotations

import csv
import io
import math

import numpy
import pytest
import safetensors.numpy
from rich.console import Console
from train_helpers import small_model, weights

import glassnet
from glassnet import nn, optim
from glassnet.train import (
    Callback,
    CSVLogger,
    EarlyStopping,
    ModelCheckpoint,
    NaNGuard,
    NonFiniteError,
    ProgressBar,
    Trainer,
    load_weights,
    read_checkpoint,
)
from glassnet.train.callbacks import Monitor


class Script(Callback):
    """Overwrite logged values with scripted ones (runs before the callbacks under test)."""

    def __init__(self, **series):
        self.series = series

    def on_epoch_end(self, epoch, logs):
        for key, values in self.series.items():
            logs[key] = values[epoch]


class Snapshots(Callback):
    """The weights after each epoch, copied."""

    def __init__(self):
        self.by_epoch = []

    def on_epoch_end(self, epoch, logs):
        self.by_epoch.append(weights(self.model))


def fit(problem, callbacks, epochs=6, val=True, **kwargs):
    model = small_model()
    trainer = Trainer(
        model,
        optim.Adam(model.parameters(), lr=0.01),
        nn.CrossEntropyLoss(),
        metrics=["accuracy"],
        callbacks=callbacks,
        **kwargs,
    )
    trainer.fit(problem["train"], problem["val"] if val else None, epochs=epochs)
    return trainer


# -- EarlyStopping -----------------------------------------------------------------------
def test_early_stopping_waits_patience_epochs_without_improvement(problem):
    stopper = EarlyStopping("val_loss", patience=2)
    trainer = fit(problem, [Script(val_loss=[1.0, 0.9, 0.95, 0.96, 0.5, 0.4]), stopper])
    # epoch 1 is the best; epochs 2 and 3 do not improve -> stop after epoch 3
    assert trainer.history.epoch == [0, 1, 2, 3]
    assert (stopper.best, stopper.best_epoch, stopper.stopped_epoch, stopper.wait) == (0.9, 1, 3, 2)
    assert trainer.stop_reason == (
        "early stopping: val_loss has not improved on 0.9 (epoch 2) for 2 epochs"
    )


def test_early_stopping_min_delta_mode_and_baseline(problem):
    # improvements smaller than min_delta do not count
    stopper = EarlyStopping("val_loss", min_delta=0.1, patience=1)
    assert fit(
        problem, [Script(val_loss=[1.0, 0.95, 0.92, 0.5, 0.4, 0.3]), stopper]
    ).history.epoch == [0, 1]
    # "auto" watches accuracies for a maximum
    stopper = EarlyStopping("val_accuracy", patience=1)
    assert stopper.mode == "max"
    trainer = fit(problem, [Script(val_accuracy=[0.5, 0.6, 0.6, 0.9, 0.9, 0.9]), stopper])
    assert trainer.history.epoch == [0, 1, 2] and stopper.best == 0.6
    # until the baseline is beaten, improvements do not reset the wait (Keras): one epoch less here
    values = [1.0, 0.9, 0.9, 0.9, 0.9, 0.9]
    assert fit(problem, [Script(val_loss=values), EarlyStopping(patience=2)]).history.epoch == [
        0,
        1,
        2,
        3,
    ]
    stopper = EarlyStopping("val_loss", patience=2, baseline=0.5)
    assert fit(problem, [Script(val_loss=values), stopper]).history.epoch == [0, 1, 2]


def test_restore_best_weights_copies_the_best_epoch(problem):
    snapshots = Snapshots()
    stopper = EarlyStopping("val_loss", patience=2, restore_best_weights=True)
    trainer = fit(problem, [Script(val_loss=[1.0, 0.8, 0.9, 0.85, 0.7, 0.6]), snapshots, stopper])
    assert trainer.history.epoch == [0, 1, 2, 3]
    restored = weights(trainer.model)
    for key, value in snapshots.by_epoch[1].items():
        assert numpy.array_equal(restored[key], value), key
    assert not numpy.array_equal(
        restored["1.weight"], snapshots.by_epoch[3]["1.weight"]
    )  # a copy, not a view


def test_early_stopping_names_a_missing_monitor(problem):
    with pytest.raises(
        ValueError,
        match=r"EarlyStopping: monitor 'val_loss' is not in the logs; available: accuracy, "
        r"loss, lr \(pass val data to fit\(\) for val_\* values\)",
    ):
        fit(problem, [EarlyStopping()], val=False)
    with pytest.raises(ValueError, match=r"mode must be one of 'auto', 'min', 'max', got 'up'"):
        EarlyStopping(mode="up")
    with pytest.raises(ValueError, match=r"patience must be a non-negative integer, got -1"):
        EarlyStopping(patience=-1)


def test_monitor_auto_mode():
    assert Monitor("x", "val_loss").mode == "min"
    assert Monitor("x", "val_f1").mode == "max"
    assert Monitor("x", "top5_accuracy").mode == "max"
    assert not Monitor("x", "val_loss").is_improvement(math.nan, 1.0)


# -- ModelCheckpoint ---------------------------------------------------------------------
def test_checkpoint_best_last_and_keep_last(problem, tmp_path):
    snapshots = Snapshots()
    checkpoint = ModelCheckpoint(tmp_path, monitor="val_loss", every_n_epochs=1, keep_last=2)
    trainer = fit(problem, [Script(val_loss=[1.0, 0.5, 0.7, 0.6, 0.8, 0.9]), snapshots, checkpoint])
    files = sorted(path.name for path in tmp_path.iterdir())
    assert files == [
        "best.safetensors",
        "epoch=005.safetensors",
        "epoch=006.safetensors",
        "last.safetensors",
    ]
    assert checkpoint.best_model_score == 0.5 and checkpoint.best_epoch == 1
    best = read_checkpoint(tmp_path / "best.safetensors")
    assert best["trainer"]["epoch"] == 2  # saved after epoch index 1 finished
    for key, value in snapshots.by_epoch[1].items():
        assert numpy.array_equal(best["model"][key].data, value), key
    last = read_checkpoint(tmp_path / "last.safetensors")
    assert last["trainer"]["epoch"] == 6 and last["trainer"]["global_step"] == trainer.global_step
    for key, value in weights(trainer.model).items():
        assert numpy.array_equal(last["model"][key].data, value), key


def test_save_best_only_filename_template_and_weights_only(problem, tmp_path):
    checkpoint = ModelCheckpoint(
        tmp_path,
        filename="e{epoch}-{val_loss:.2f}",
        monitor="val_loss",
        save_best_only=True,
        save_weights_only=True,
    )
    fit(problem, [Script(val_loss=[1.0, 0.5, 0.7, 0.25, 0.8, 0.9]), checkpoint])
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == [
        "best.safetensors",
        "e1-1.00.safetensors",
        "e2-0.50.safetensors",
        "e4-0.25.safetensors",
        "last.safetensors",
    ]
    model = small_model(seed=5)
    load_weights(model, tmp_path / "e4-0.25.safetensors")  # a bare state dict
    assert set(glassnet.load(tmp_path / "e4-0.25.safetensors")) == set(model.state_dict())


def test_keras_style_filepath(problem, tmp_path):
    checkpoint = ModelCheckpoint(
        filepath=tmp_path / "ckpt" / "model-{epoch:02d}.safetensors", every_n_epochs=2
    )
    fit(problem, [checkpoint], epochs=4)
    assert sorted(path.name for path in (tmp_path / "ckpt").iterdir()) == [
        "last.safetensors",
        "model-02.safetensors",
        "model-04.safetensors",
    ]
    with pytest.raises(ValueError, match=r"filepath '.*model.pt' must end in .safetensors"):
        ModelCheckpoint(filepath=tmp_path / "model.pt")
    with pytest.raises(ValueError, match=r"give either dirpath \(a folder\) or filepath"):
        ModelCheckpoint(tmp_path, filepath=tmp_path / "m.safetensors")


def test_checkpoint_every_n_train_steps_refreshes_last_mid_epoch(problem, tmp_path):
    class Stop(Callback):
        def on_batch_end(self, batch, logs):
            if self.trainer.global_step == 6:
                self.trainer.stop_training = True

    fit(problem, [ModelCheckpoint(tmp_path, every_n_train_steps=3), Stop()])
    state = read_checkpoint(tmp_path / "last.safetensors")["trainer"]
    assert (state["epoch"], state["batch_in_epoch"], state["global_step"]) == (
        1,
        2,
        6,
    )  # 4 batches per epoch


def test_checkpoint_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match=r"save_best_only=True needs a monitor"):
        ModelCheckpoint(tmp_path, save_best_only=True)
    with pytest.raises(ValueError, match=r"dirpath '.*x.safetensors' looks like a file"):
        ModelCheckpoint(tmp_path / "x.safetensors")
    with pytest.raises(ValueError, match=r"keep_last must be an integer >= 1 or None, got 0"):
        ModelCheckpoint(tmp_path, keep_last=0)
    with pytest.raises(ValueError, match=r"filename template 'e\{epoch' is invalid"):
        ModelCheckpoint(tmp_path, filename="e{epoch")


def test_checkpoint_template_with_unknown_key_is_named(problem, tmp_path):
    with pytest.raises(
        ValueError,
        match=r"filename template 'e-\{val_f1\}' uses 'val_f1', which is not in the logs "
        r"\(accuracy, loss, lr, val_accuracy, val_loss\)",
    ):
        fit(problem, [ModelCheckpoint(tmp_path, filename="e-{val_f1}")], epochs=1)


def test_crash_during_a_checkpoint_write_leaves_the_previous_one_intact(
    problem, tmp_path, monkeypatch
):
    class CrashOnSecondEpoch(Callback):
        def on_epoch_end(self, epoch, logs):
            if epoch == 1:

                def half_write(tensors, filename, metadata=None):
                    with open(filename, "wb") as file:  # a partial file, then the "power cut"
                        file.write(b'\x10\x00\x00\x00\x00\x00\x00\x00{"__meta')
                    raise OSError("simulated crash mid-write")

                monkeypatch.setattr(safetensors.numpy, "save_file", half_write)

    with pytest.raises(OSError, match="simulated crash mid-write"):
        fit(problem, [CrashOnSecondEpoch(), ModelCheckpoint(tmp_path)], epochs=3)
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "epoch=001.safetensors",
        "last.safetensors",
    ]
    monkeypatch.undo()
    last = read_checkpoint(tmp_path / "last.safetensors")  # whole, and still the epoch-1 state
    assert last["trainer"]["epoch"] == 1
    assert (tmp_path / "last.safetensors").read_bytes() == (
        tmp_path / "epoch=001.safetensors"
    ).read_bytes()


# -- CSVLogger ---------------------------------------------------------------------------
def test_csv_logger_writes_exact_history_with_lr(problem, tmp_path):
    model = small_model()
    optimizer = optim.Adam(model.parameters(), lr=0.02)
    trainer = Trainer(
        model,
        optimizer,
        nn.CrossEntropyLoss(),
        metrics=["accuracy"],
        scheduler=optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5),
        callbacks=[CSVLogger(tmp_path / "logs" / "history.csv")],
    )
    history = trainer.fit(problem["train"], problem["val"], epochs=3)
    with open(tmp_path / "logs" / "history.csv") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == ["epoch", "lr", "loss", "accuracy", "val_loss", "val_accuracy"]
    assert [row["epoch"] for row in rows] == ["1", "2", "3"]  # numbered from 1, as printed
    assert [float(row["lr"]) for row in rows] == [0.02, 0.01, 0.005]
    for key, column in history.history.items():
        assert [float(row[key]) for row in rows] == column  # repr round-trips exactly


# -- NaNGuard ----------------------------------------------------------------------------
def nan_batches(bad_batch: int, count: int = 4) -> list:
    rng = numpy.random.default_rng(0)
    batches = []
    for index in range(count):
        x = rng.standard_normal((8, 6)).astype(numpy.float32)
        if index == bad_batch:
            x[3, 2] = numpy.nan
        batches.append((x, numpy.zeros(8, numpy.int64)))
    return batches


def test_nan_guard_names_the_loss_and_step_and_keeps_finite_weights():
    model = small_model()
    trainer = Trainer(
        model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), callbacks=[NaNGuard()]
    )
    with pytest.raises(
        NonFiniteError,
        match=r"NaNGuard: the loss is nan at step 3 \(epoch 1, batch 3 of 4\); the "
        r"previous step's loss was \d.*\. The run diverged: lower the learning "
        r"rate \(now 0.1\)",
    ):
        trainer.fit(nan_batches(2), epochs=2)
    # the weights are those after step 2: the nan step was never applied
    reference = small_model()
    Trainer(reference, optim.SGD(reference.parameters(), lr=0.1), nn.CrossEntropyLoss()).fit(
        nan_batches(-1)[:2], epochs=1
    )
    for key, value in weights(reference).items():
        assert numpy.array_equal(weights(model)[key], value), key


def test_nan_guard_names_a_non_finite_gradient():
    model = small_model()
    model[3].weight.register_hook(lambda grad: grad + numpy.float32("inf"))
    trainer = Trainer(
        model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), callbacks=[NaNGuard()]
    )
    with pytest.raises(
        NonFiniteError,
        match=r"the gradient of parameter '3.weight' \(3, 16\) holds inf "
        r"at step 1 \(epoch 1, batch 1 of 4\) \(loss \d",
    ):
        trainer.fit(nan_batches(-1), epochs=1)


def test_nan_guard_names_a_parameter_and_a_buffer_that_overflow():
    model = small_model()
    trainer = Trainer(
        model,
        optim.SGD(model.parameters(), lr=1e300),
        nn.CrossEntropyLoss(),
        callbacks=[NaNGuard()],
    )
    parameter_message = (
        r"parameter '1.weight' \(16, 6\) holds (nan|-?inf) after the update of step 1 \(epoch 1, "
        r"batch 1 of 4\); that step's loss was"
    )
    with (
        numpy.errstate(over="ignore", invalid="ignore"),
        pytest.raises(NonFiniteError, match=parameter_message),
    ):
        trainer.fit(nan_batches(-1), epochs=1)

    model = small_model(batchnorm=True)
    x = numpy.full((8, 6), 1e20, numpy.float32)
    x[::2] *= -1  # variance 1e40 overflows float32 in BatchNorm's running_var
    trainer = Trainer(
        model,
        optim.SGD(model.parameters(), lr=0.1),
        nn.CrossEntropyLoss(),
        callbacks=[NaNGuard(check_gradients=False)],
    )
    buffer_message = r"buffer '2.running_var' \(16,\) holds inf after the update of step 1"
    with (
        numpy.errstate(over="ignore", invalid="ignore"),
        pytest.raises(NonFiniteError, match=buffer_message),
    ):
        trainer.fit([(x, numpy.zeros(8, numpy.int64))], epochs=1)


def test_nan_guard_stop_mode_and_divergence_factor():
    model = small_model()
    guard = NaNGuard(raise_error=False)
    trainer = Trainer(
        model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss(), callbacks=[guard]
    )
    history = trainer.fit(nan_batches(1), epochs=3)
    assert len(history) == 0 and trainer.global_step == 1
    assert (
        trainer.stop_reason == guard.message
        and "the loss is nan at step 2 (epoch 1, batch 2 of 4)" in guard.message
    )

    def exploding(outputs, targets, calls=[0]):  # noqa: B006 (counts calls)
        calls[0] += 1
        loss = nn.functional.cross_entropy(outputs, targets)
        return loss * 1e5 if calls[0] == 3 else loss

    model = small_model()
    trainer = Trainer(
        model,
        optim.SGD(model.parameters(), lr=0.1),
        exploding,
        callbacks=[NaNGuard(divergence_factor=1e4)],
    )
    with pytest.raises(
        NonFiniteError,
        match=r"the loss \S+ at step 3 \(epoch 1, batch 3 of 4\) is more than 10000 "
        r"times the first step's loss",
    ):
        trainer.fit(nan_batches(-1), epochs=1)
    with pytest.raises(ValueError, match=r"divergence_factor must be > 1 or None, got 0.5"):
        NaNGuard(divergence_factor=0.5)


# -- ProgressBar -------------------------------------------------------------------------
def test_progress_bar_shows_epoch_step_loss_metrics_speed_on_a_terminal(problem):
    screen = io.StringIO()
    bar = ProgressBar(
        console=Console(file=screen, force_terminal=True, width=200), refresh_per_second=1000
    )
    fit(problem, [bar], epochs=2)
    text = screen.getvalue()
    for expected in (
        "epoch 1/2",
        "epoch 2/2",
        "4/4",
        "loss 0.",
        "accuracy 0.",
        "val_accuracy 0.",
        "samples/s",
    ):
        assert expected in text
    assert not bar.active  # stopped at the end of fit


@pytest.mark.parametrize("kwargs", [{"console": "pipe"}, {"console": "terminal", "disable": True}])
def test_progress_bar_is_quiet_off_a_terminal_or_disabled(problem, kwargs):
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=kwargs.pop("console") == "terminal")
    bar = ProgressBar(console=console, **kwargs)
    fit(problem, [bar], epochs=1)
    assert screen.getvalue() == "" and not bar.active


def test_progress_bar_stops_on_an_exception(problem):
    screen = io.StringIO()
    bar = ProgressBar(console=Console(file=screen, force_terminal=True))

    class Boom(Callback):
        def on_batch_end(self, batch, logs):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fit(problem, [bar, Boom()], epochs=1)
    assert not bar.active
