"""glassnet.tune on tiny studies (digits, 1-3 epochs): reproducibility, pruning, recovery, the CLI."""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import time

import optuna
import pytest
from optuna.storages import RetryHeartbeatStaleTrialCallback
from optuna.trial import TrialState

from glassnet.cli import main
from glassnet.tune import (
    Objective,
    SpaceMismatchError,
    WorkerConfig,
    build_space,
    fail_dead_trials,
    load_space,
    open_storage,
    open_study,
    run_worker,
)
from glassnet.tune.report import write_plots

pytestmark = pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
SPACE = build_space("digits", search=["lr", "units"], fixed={"epochs": 1})


def _trials(out, name="s"):
    return open_study(open_storage(None, out), name, SPACE).get_trials()


@pytest.mark.timeout(180)
def test_seed_makes_one_worker_reproducible(tmp_path):
    runs = []
    for attempt in ("a", "b"):
        config = WorkerConfig(SPACE, str(tmp_path / attempt), "s", 3, seed=5, verbose=False)
        assert run_worker(config) == 3
        runs.append([(t.params, t.value) for t in _trials(tmp_path / attempt)])
    assert runs[0] == runs[1]
    assert len({str(params) for params, _ in runs[0]}) == 3  # three different draws
    written = write_plots(open_study(open_storage(None, tmp_path / "a"), "s", SPACE), tmp_path)
    assert all(os.path.getsize(path) > 10_000 for path in written.values()), written


def _history(folder):
    with open(os.path.join(folder, "history.csv")) as file:
        return list(csv.DictReader(file))


@pytest.mark.timeout(120)
def test_each_epoch_is_reported_and_a_pruned_run_stops(tmp_path):
    space = build_space("digits", search=["lr"], fixed={"epochs": 3})
    keep = optuna.create_study(direction="maximize", pruner=optuna.pruners.NopPruner())
    keep.enqueue_trial({"lr": 0.01})
    keep.optimize(Objective(space, tmp_path / "keep"), n_trials=1)
    trial = keep.trials[0]
    rows = _history(trial.user_attrs["folder"])
    assert sorted(trial.intermediate_values) == [1, 2, 3]
    assert [trial.intermediate_values[e] for e in (1, 2, 3)] == [
        pytest.approx(float(row["val_accuracy"])) for row in rows
    ]
    best = min(rows, key=lambda row: float(row["val_loss"]))  # the best checkpoint's epoch
    assert trial.value == pytest.approx(float(best["val_accuracy"]))

    # a pruner that stops every trial at its 2nd epoch (below 101% accuracy)
    pruner = optuna.pruners.ThresholdPruner(lower=1.01, n_warmup_steps=2)
    cut = optuna.create_study(direction="maximize", pruner=pruner)
    cut.optimize(Objective(space, tmp_path / "cut"), n_trials=1)
    trial = cut.trials[0]
    assert trial.state == TrialState.PRUNED
    assert sorted(trial.intermediate_values) == [1, 2]
    assert trial.user_attrs["epochs"] == 2 and len(_history(trial.user_attrs["folder"])) == 2


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_dead_workers_trial_is_failed_and_enqueued_once(tmp_path):
    study = open_study(open_storage(None, tmp_path), "s", SPACE)
    dead, alive = study.ask(), study.ask()
    for trial, pid in ((dead, _dead_pid()), (alive, os.getpid())):
        SPACE.suggest(trial)
        trial.set_user_attr("worker", {"host": socket.gethostname(), "pid": pid})
    retry = RetryHeartbeatStaleTrialCallback(max_retry=3)
    assert fail_dead_trials(study, retry) == [dead.number]
    assert fail_dead_trials(study, retry) == []  # already failed: not enqueued twice
    states = [t.state for t in study.get_trials()]
    assert states == [TrialState.FAIL, TrialState.RUNNING, TrialState.WAITING]
    waiting = study.get_trials()[2]
    assert waiting.params == study.get_trials()[0].params
    assert waiting.system_attrs["failed_trial"] == dead.number


def test_a_study_with_another_space_is_refused(tmp_path, capsys):
    open_study(open_storage(None, tmp_path), "s", SPACE)
    other = build_space("digits", search=["lr"], fixed={"epochs": 1})
    with pytest.raises(SpaceMismatchError, match="exists with another search space"):
        open_study(open_storage(None, tmp_path), "s", other)
    argv = ["tune", "--search", "lr", "--epochs", "1", "-o", str(tmp_path), "--study", "s"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("glassnet tune: error: study 's' exists with another search space")
    assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--search", "lr,momentum"], "unknown parameter 'momentum'"),
        (["--space", "{space}"], "empty range for lr: low 0.5 >= high 0.1"),
        (["--storage", "postgresql://me:secret@127.0.0.1:{port}/db"], "cannot open the database"),
        (["--report", "{tmp}"], "the storage holds 0 studies"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, argv, message):
    space = tmp_path / "space.toml"
    space.write_text("[search.lr]\nlow = 0.5\nhigh = 0.1\n")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = [a.format(space=space, port=port, tmp=tmp_path / "empty") for a in argv]
    assert main(["tune", "-o", str(tmp_path / "out"), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.splitlines()) == 1, err
    assert "secret" not in err


@pytest.mark.timeout(180)
def test_cli_search_then_report(tmp_path, capsys):
    out = tmp_path / "study"
    argv = ["tune", "--search", "lr", "--epochs", "1", "--trials", "2", "-o", str(out)]
    assert main([*argv, "--pruner", "hyperband", "--seed", "0"]) == 0
    printed = capsys.readouterr().out
    assert "best: trial " in printed and f"run folder: {out}/trial-000" in printed
    assert sorted(os.listdir(out / "plots")) == [
        "intermediate_values.png", "optimization_history.png",
        "parallel_coordinate.png", "param_importances.png",
    ]  # fmt: skip
    assert main(["tune", "--report", str(out)]) == 0
    report = capsys.readouterr().out
    assert "study digits-mlp: 2 trials" in report and "complete" in report


@pytest.mark.timeout(180)
def test_ctrl_c_stops_a_worker_after_its_running_trial(tmp_path):
    out = tmp_path / "study"
    command = [sys.executable, "-m", "glassnet", "tune", "--search", "lr", "--epochs", "3"]
    command += ["--trials", "50", "-o", str(out), "--study", "s", "--no-plots"]
    worker = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    space = build_space("digits", search=["lr"], fixed={"epochs": 3})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if (out / "journal.log").exists():
            trials = open_study(open_storage(None, out), "s", space).get_trials()
            if trials and trials[0].state == TrialState.RUNNING:
                break
    worker.send_signal(signal.SIGINT)
    _, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    assert "stopping after the running trial" in err
    states = [t.state for t in open_study(open_storage(None, out), "s", space).get_trials()]
    assert states == [TrialState.COMPLETE]


@pytest.mark.timeout(120)
def test_grid_sampler_tries_each_point_once_then_stops(tmp_path):
    path = tmp_path / "space.toml"
    path.write_text("[fixed]\nepochs = 1\n[search.lr]\ngrid = [0.003, 0.03]\n")
    space = load_space(path, "digits")
    config = WorkerConfig(space, str(tmp_path), "g", 5, sampler="grid", verbose=False)
    assert run_worker(config) == 2  # the grid has 2 points: the 5 asked for are not reached
    trials = open_study(open_storage(None, tmp_path), "g", space, sampler="grid").get_trials()
    assert sorted(t.params["lr"] for t in trials) == [0.003, 0.03]
