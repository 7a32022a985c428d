"""Trainer: the step equals a hand-written loop, evaluate/predict equal manual ones, errors are loud."""

from __future__ import annotations

import numpy
import pytest
from train_helpers import make_problem, small_model, weights

import glassnet
from glassnet import nn, optim
from glassnet.data import DataLoader, TensorDataset
from glassnet.models import MLP
from glassnet.train import Callback, CheckpointError, History, ModelCheckpoint, Trainer


def test_fit_equals_a_hand_written_loop():
    """Same seed, same batches: zero_grad, forward, backward, clip, step, scheduler, identical bits."""
    x, y = make_problem()
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, seed=3)

    model = small_model(batchnorm=True, dropout=0.2)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    Trainer(
        model, optimizer, nn.CrossEntropyLoss(), scheduler=scheduler, clip_grad_norm=0.5, seed=11
    ).fit(loader, epochs=2)

    manual = small_model(batchnorm=True, dropout=0.2)
    manual_optimizer = optim.SGD(manual.parameters(), lr=0.1, momentum=0.9)
    manual_scheduler = optim.lr_scheduler.StepLR(manual_optimizer, step_size=1, gamma=0.5)
    glassnet.manual_seed(11)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(2):
        manual.train()
        for inputs, targets in loader.epoch(epoch):
            manual_optimizer.zero_grad()
            loss_fn(manual(inputs), targets).backward()
            nn.utils.clip_grad_norm_(manual.parameters(), 0.5)
            manual_optimizer.step()
        manual_scheduler.step()
    for key, value in weights(manual).items():
        assert numpy.array_equal(weights(model)[key], value), key
    assert optimizer.param_groups[0]["lr"] == 0.025


def test_history_logs_loss_metrics_lr_and_val(problem):
    model = small_model()
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
    history = Trainer(
        model, optimizer, nn.CrossEntropyLoss(), metrics=["accuracy", "f1"], scheduler=scheduler
    ).fit(problem["train"], problem["val"], epochs=4)
    assert list(history.history) == [
        "lr",
        "loss",
        "accuracy",
        "f1",
        "val_loss",
        "val_accuracy",
        "val_f1",
    ]
    assert history.epoch == [0, 1, 2, 3]
    assert history.history["lr"] == pytest.approx([0.05, 0.05, 0.005, 0.005])
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.8  # a linear rule: learnable


def test_evaluate_and_predict_equal_a_manual_loop(problem):
    model = small_model(batchnorm=True, dropout=0.5)
    trainer = Trainer(
        model, optim.Adam(model.parameters()), nn.CrossEntropyLoss(), metrics=["accuracy", "recall"]
    )
    trainer.fit(problem["train"], epochs=2)
    model.train()  # evaluate must switch to eval mode and back
    results = trainer.evaluate(problem["val"])
    assert model.training

    model.eval()
    outputs, targets = [], []
    with glassnet.no_grad():
        for inputs, target in problem["val"]:
            outputs.append(model(inputs).data)
            targets.append(target.data)
    outputs, targets = numpy.concatenate(outputs), numpy.concatenate(targets)
    loss = nn.CrossEntropyLoss()(glassnet.tensor(outputs), glassnet.tensor(targets)).item()
    assert results == {
        "loss": loss,
        "accuracy": float((outputs.argmax(1) == targets).mean()),
        "recall": glassnet.metrics.recall_score(targets, outputs, average="macro"),
    }

    assert numpy.array_equal(trainer.predict(problem["val"]).data, outputs)
    inputs_only = [batch[0] for batch in problem["val"]]
    assert numpy.array_equal(trainer.predict(inputs_only).data, outputs)
    all_inputs = numpy.concatenate([batch.data for batch in inputs_only])
    numpy.testing.assert_allclose(trainer.predict(all_inputs).data, outputs, rtol=1e-5, atol=1e-6)


def test_one_cycle_steps_per_batch_and_plateau_on_val_loss(problem):
    model = small_model()
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    steps = 2 * len(problem["train"])
    one_cycle = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.5, total_steps=steps)
    Trainer(model, optimizer, nn.CrossEntropyLoss(), scheduler=one_cycle).fit(
        problem["train"], epochs=2
    )
    assert one_cycle.last_epoch == steps

    model = small_model()
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    plateau = optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0)
    seen = []

    class Spy(Callback):
        def on_epoch_end(self, epoch, logs):
            seen.append(logs["val_loss"])

    Trainer(model, optimizer, nn.CrossEntropyLoss(), scheduler=plateau, callbacks=[Spy()]).fit(
        problem["train"], problem["val"], epochs=3
    )
    assert plateau.best == min(seen)


def test_hooks_run_in_order_with_checkpoint_writers_last(problem, tmp_path):
    calls = []

    class Recorder(Callback):
        def __init__(self, name):
            self.name = name

        def on_fit_start(self, logs):
            calls.append((self.name, "fit_start"))

        def on_epoch_start(self, epoch, logs):
            calls.append((self.name, "epoch_start", epoch))

        def on_batch_end(self, batch, logs):
            if batch == 0:
                calls.append((self.name, "batch_end", batch, sorted(logs)))

        def on_epoch_end(self, epoch, logs):
            calls.append((self.name, "epoch_end", epoch))

        def on_fit_end(self, logs):
            calls.append((self.name, "fit_end"))

    class Writer(Recorder):
        runs_last = True

    model = small_model()
    Trainer(
        model,
        optim.Adam(model.parameters()),
        nn.CrossEntropyLoss(),
        callbacks=[Writer("writer"), Recorder("a")],
    ).fit(problem["train"], epochs=1)
    batch_keys = ["batch_loss", "loss", "lr", "size"]
    assert calls == [
        ("a", "fit_start"),
        ("writer", "fit_start"),
        ("a", "epoch_start", 0),
        ("writer", "epoch_start", 0),
        ("a", "batch_end", 0, batch_keys),
        ("writer", "batch_end", 0, batch_keys),
        ("a", "epoch_end", 0),
        ("writer", "epoch_end", 0),
        ("a", "fit_end"),
        ("writer", "fit_end"),
    ]


def test_stop_during_an_epoch_keeps_only_finished_epochs(problem):
    class StopAt(Callback):
        def on_batch_end(self, batch, logs):
            if self.trainer.epoch == 1 and batch == 1:
                self.trainer.stop_training = True

    model = small_model()
    trainer = Trainer(
        model, optim.Adam(model.parameters()), nn.CrossEntropyLoss(), callbacks=[StopAt()]
    )
    history = trainer.fit(problem["train"], epochs=5)
    assert history.epoch == [0] and trainer.global_step == len(problem["train"]) + 2


def test_metric_callables_and_dicts(problem):
    def worst_class_recall(y_true, y_pred):
        return float(min(glassnet.metrics.recall_score(y_true, y_pred, average=None)))

    model = small_model()
    trainer = Trainer(
        model,
        optim.Adam(model.parameters()),
        nn.CrossEntropyLoss(),
        metrics={"acc": "accuracy", "worst": worst_class_recall},
    )
    logs = trainer.fit(problem["train"], problem["val"], epochs=1).last()
    assert {"acc", "worst", "val_acc", "val_worst"} <= set(logs)
    assert 0 <= logs["val_worst"] <= logs["val_acc"] <= 1


@pytest.mark.parametrize(
    "build, error, message",
    [
        (
            lambda m, o: Trainer(m, o, nn.CrossEntropyLoss(), metrics=["auc"]),
            ValueError,
            r"unknown metric 'auc'; named metrics are accuracy, precision, recall, f1, top5_accuracy",
        ),
        (
            lambda m, o: Trainer(m, o, nn.CrossEntropyLoss(), metrics=[lambda t, p: 0.0]),
            ValueError,
            r"a lambda metric needs a name",
        ),
        (
            lambda m, o: Trainer(m, o, nn.CrossEntropyLoss(), metrics=["accuracy", "accuracy"]),
            ValueError,
            r"metric name 'accuracy' is used twice",
        ),
        (
            lambda m, o: Trainer("model", o, nn.CrossEntropyLoss()),
            TypeError,
            r"model must be a glassnet nn.Module, got str",
        ),
        (
            lambda m, o: Trainer(m, [o], nn.CrossEntropyLoss()),
            TypeError,
            r"optimizer must be a glassnet optim.Optimizer",
        ),
        (
            lambda m, o: Trainer(m, o, nn.CrossEntropyLoss(), clip_grad_norm=0),
            ValueError,
            r"clip_grad_norm must be > 0",
        ),
        (
            lambda m, o: Trainer(m, o, nn.CrossEntropyLoss(), callbacks=[print]),
            TypeError,
            r"callbacks\[0\] is a builtin_function_or_method, not a glassnet.train.Callback",
        ),
        (
            lambda m, o: Trainer(
                m,
                o,
                nn.CrossEntropyLoss(),
                scheduler=optim.lr_scheduler.StepLR(optim.SGD(m.parameters(), lr=0.1), 1),
            ),
            ValueError,
            r"the scheduler was built for another optimizer",
        ),
    ],
)
def test_constructor_errors(build, error, message):
    model = small_model()
    with pytest.raises(error, match=message):
        build(model, optim.SGD(model.parameters(), lr=0.1))


def test_fit_errors(problem):
    model = small_model()
    trainer = Trainer(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss())
    with pytest.raises(
        TypeError,
        match=r"train must be re-iterable .* got a generator, which would be empty after "
        "one epoch",
    ):
        trainer.fit((batch for batch in problem["train"]), epochs=1)
    with pytest.raises(
        ValueError, match=r"train batch 0 is a Tensor; expected \(inputs, targets\) pairs"
    ):
        trainer.fit([glassnet.zeros(4, 6)], epochs=1)
    with pytest.raises(
        ValueError, match=r"train batch 0 is a tuple of 3 items; expected \(inputs, targets\)"
    ):
        trainer.fit([(glassnet.zeros(4, 6), glassnet.zeros(4), glassnet.zeros(4))], epochs=1)
    with pytest.raises(ValueError, match=r"train gave no batches in epoch 1"):
        trainer.fit([], epochs=1)
    with pytest.raises(ValueError, match=r"epochs must be a non-negative integer, got 2.5"):
        trainer.fit(problem["train"], epochs=2.5)
    with pytest.raises(ValueError, match=r"evaluate gave no batches"):
        trainer.evaluate([])


def test_resume_from_an_epoch_checkpoint_in_process(problem, tmp_path):
    """Two epochs, a new process-like restart (fresh objects), two more == four straight epochs."""

    def build(callbacks):
        model = small_model(batchnorm=True, dropout=0.3)
        optimizer = optim.Adam(model.parameters(), lr=0.01)
        scheduler = optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)
        return model, Trainer(
            model,
            optimizer,
            nn.CrossEntropyLoss(),
            metrics=["accuracy"],
            callbacks=callbacks,
            scheduler=scheduler,
        )

    straight, trainer = build([ModelCheckpoint(tmp_path / "a")])
    trainer.fit(problem["train"], problem["val"], epochs=4)

    _, trainer = build([ModelCheckpoint(tmp_path / "b")])
    trainer.fit(problem["train"], problem["val"], epochs=2)
    glassnet.manual_seed(1234)  # the resume must restore the RNG, whatever it is now
    resumed, trainer = build([ModelCheckpoint(tmp_path / "b")])
    history = trainer.fit(
        problem["train"], problem["val"], epochs=4, resume_from=tmp_path / "b" / "last.safetensors"
    )
    for key, value in weights(straight).items():
        assert numpy.array_equal(weights(resumed)[key], value), key
    assert history.epoch == [0, 1, 2, 3]


def test_resume_refuses_what_does_not_fit(problem, tmp_path):
    model = small_model()
    Trainer(
        model,
        optim.Adam(model.parameters()),
        nn.CrossEntropyLoss(),
        callbacks=[ModelCheckpoint(tmp_path)],
    ).fit(problem["train"], epochs=1)
    last = tmp_path / "last.safetensors"

    glassnet.manual_seed(0)
    other = MLP([6, 8, 3])
    with pytest.raises(
        CheckpointError,
        match=r"checkpoint '.*last.safetensors' does not fit MLP \(another "
        r"architecture\?\): '1.weight' is \(16, 6\) in the file but \(8, 6\) "
        r"in the model; '1.bias' is \(16,\) in the file but \(8,\)",
    ):
        Trainer(
            other,
            optim.Adam(other.parameters()),
            nn.CrossEntropyLoss(),
            callbacks=[ModelCheckpoint(tmp_path)],
        ).fit(problem["train"], epochs=2, resume_from=last)

    model = small_model()
    with pytest.raises(
        CheckpointError, match=r"was written with optimizer Adam, but this run has SGD"
    ):
        Trainer(
            model,
            optim.SGD(model.parameters(), lr=0.1),
            nn.CrossEntropyLoss(),
            callbacks=[ModelCheckpoint(tmp_path)],
        ).fit(problem["train"], epochs=2, resume_from=last)
    state = glassnet.load(last)
    state["callbacks"] = {}
    with pytest.raises(
        ValueError,
        match=r"the checkpoint has no state for callback ModelCheckpoint "
        r"\(it holds none\); resume with the callbacks of the original run",
    ):
        Trainer(
            model,
            optim.Adam(model.parameters()),
            nn.CrossEntropyLoss(),
            callbacks=[ModelCheckpoint(tmp_path / "x")],
        ).fit(problem["train"], epochs=2, resume_from=state)
    reshuffled = DataLoader(problem["train"].dataset, batch_size=32, shuffle=True, seed=4)
    with pytest.raises(
        CheckpointError, match=r"shuffled train with seed 3, this train loader has seed 4"
    ):
        Trainer(
            model,
            optim.Adam(model.parameters()),
            nn.CrossEntropyLoss(),
            callbacks=[ModelCheckpoint(tmp_path)],
        ).fit(reshuffled, epochs=2, resume_from=last)
    glassnet.save(model.state_dict(), tmp_path / "weights.safetensors")
    with pytest.raises(
        CheckpointError,
        match=r"is not a training checkpoint \(it holds a model state dict "
        r"\(weights only\)\)",
    ):
        Trainer(model, optim.Adam(model.parameters()), nn.CrossEntropyLoss()).fit(
            problem["train"], epochs=2, resume_from=tmp_path / "weights.safetensors"
        )


def test_history_pads_late_keys_and_round_trips(tmp_path):
    history = History()
    history.append(0, {"loss": 1.0})
    history.append(1, {"loss": 0.5, "val_loss": 0.7})
    assert history.history["loss"] == [1.0, 0.5]
    assert numpy.isnan(history.history["val_loss"][0]) and history.history["val_loss"][1] == 0.7
    assert history.rows()[1] == {"epoch": 1, "loss": 0.5, "val_loss": 0.7}
    copy = History()
    glassnet.save(
        history.state_dict(), tmp_path / "history.safetensors"
    )  # nan goes through the JSON metadata
    copy.load_state_dict(glassnet.load(tmp_path / "history.safetensors"))
    assert (
        copy.epoch == [0, 1]
        and copy.history["loss"] == [1.0, 0.5]
        and numpy.isnan(copy.history["val_loss"][0])
    )
    with pytest.raises(ValueError, match=r"column 'loss' has 1 values for 2 epochs"):
        History().load_state_dict({"epoch": [0, 1], "history": {"loss": [1.0]}})
