"""Fuzz `glassnet.load` and resume with damaged copies of a real run's checkpoint (issue 11).

From one small real run (digits, mlp 16 wide, 2 epochs), `last.safetensors` is damaged in
many ways: truncations and header byte flips; every dtype, shapes and offsets of some
tensors; each entry of the checkpoint dropped, retyped and nested deep; NaN and infinite
weights and optimizer state. Each copy must load or fail with one line naming the file
(`glassnet.load`), and resume to sane weights or fail the same way (`Trainer.fit` with
`resume_from`, as `glassnet train --resume` runs it; a sample also through the CLI).
The counts are printed (pytest -s shows them) and asserted.
"""

from __future__ import annotations

import copy
import shutil

import numpy
import pytest
from damage_kit import (
    RETYPES,
    Tally,
    byte_damage,
    drop,
    entries,
    get,
    header_damage,
    nested,
    put,
    write,
)

import glassnet
from glassnet.cli import main
from glassnet.nn.state_dict import as_array
from glassnet.train.job import _Job, read_config

SEED = 11  # the damage is random but fixed: the same cases on every run
RESUME_EPOCHS = 3


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("fuzz") / "run"
    assert (
        main(["train", "--hidden", "16", "--epochs", "2", "--no-progress", "--out", str(out)]) == 0
    )
    return out


def fresh_folder(run, tmp_path, case: int):
    """A run folder holding the original config and statistics, for one damaged checkpoint."""
    folder = tmp_path / f"case{case}"
    folder.mkdir()
    for name in ("config.json", "standardize.safetensors"):
        shutil.copy(run / name, folder / name)
    return folder


def resume(folder):
    job = _Job(read_config(folder), folder, fresh=False)
    job.trainer.fit(
        job.loader("train", train=True),
        job.loader("val"),
        epochs=RESUME_EPOCHS,
        resume_from=folder / "last.safetensors",
    )
    return job


def insane(job) -> str:
    """'' when the resumed run is sane: finite weights and optimizer state, every epoch logged
    (unless the checkpoint says the run was stopped, e.g. by early stopping)."""
    for name, value in job.model.state_dict().items():
        if not numpy.isfinite(as_array(value)).all():
            return f"weight {name} is not finite"
    for index, state in job.trainer.optimizer.state_dict()["state"].items():
        for key, value in state.items():
            array = as_array(value)
            if array is not None and array.dtype.kind == "f" and not numpy.isfinite(array).all():
                return f"optimizer state {index}/{key} is not finite"
    if len(job.trainer.history) != RESUME_EPOCHS and not job.trainer.stop_training:
        return f"history holds {len(job.trainer.history)} epochs, not {RESUME_EPOCHS}"
    return ""


def check(tally_load: Tally, tally_resume: Tally, case: str, folder) -> None:
    path = folder / "last.safetensors"
    tally_load.judge(case, lambda: glassnet.load(path), str(path), lambda result: "")
    tally_resume.judge(case, lambda: resume(folder), str(path), insane)


def structure_cases(checkpoint, rng):
    """(name, damaged checkpoint) for each entry 3 levels deep: dropped, retyped, nested deep."""
    for path in entries(checkpoint, 3):
        where = "/".join(map(str, path))
        damaged = copy.deepcopy(checkpoint)
        drop(damaged, path)
        yield f"{where} dropped", damaged
        for index in rng.choice(len(RETYPES), 2, replace=False):
            label, value = RETYPES[int(index)]
            damaged = copy.deepcopy(checkpoint)
            put(damaged, path, copy.deepcopy(value))
            yield f"{where} -> {label}", damaged
        damaged = copy.deepcopy(checkpoint)
        put(damaged, path, nested(int(rng.choice([40, 250]))))
        yield f"{where} nested deep", damaged


def nonfinite_cases(checkpoint):
    arrays = [("model", key) for key in checkpoint["model"]]
    arrays += [
        ("optimizer", "state", index, key)
        for index, state in checkpoint["optimizer"]["state"].items()
        for key, value in state.items()
        if as_array(value) is not None and as_array(value).ndim
    ]
    for path in arrays:
        for bad in (numpy.nan, numpy.inf):
            damaged = copy.deepcopy(checkpoint)
            array = as_array(get(damaged, path))
            if array.dtype.kind != "f":
                continue
            array.reshape(-1)[0] = bad
            yield f"{'/'.join(map(str, path))}[0] = {bad}", damaged


@pytest.mark.timeout(240)
def test_damaged_checkpoint_bytes(run, tmp_path):
    rng = numpy.random.default_rng(SEED)
    content = (run / "last.safetensors").read_bytes()
    loads, resumes = Tally(), Tally()
    cases = [*byte_damage(content, rng, flips=40), *header_damage(content, rng, tensors=3)]
    for number, (case, damaged) in enumerate(cases):
        folder = fresh_folder(run, tmp_path, number)
        write(folder / "last.safetensors", damaged)
        check(loads, resumes, case, folder)
    print("\n" + loads.line("checkpoint bytes, glassnet.load"))
    print(resumes.line("checkpoint bytes, resume"))
    assert loads.bad == [] and resumes.bad == []
    assert loads.tried >= 120 and resumes.errors >= 100  # most damage must be caught


@pytest.mark.timeout(240)
def test_damaged_checkpoint_structure_and_values(run, tmp_path):
    rng = numpy.random.default_rng(SEED)
    checkpoint = glassnet.load(run / "last.safetensors")
    loads, resumes = Tally(), Tally()
    cases = [*structure_cases(checkpoint, rng), *nonfinite_cases(checkpoint)]
    for number, (case, damaged) in enumerate(cases):
        folder = fresh_folder(run, tmp_path, number)
        glassnet.save(damaged, folder / "last.safetensors")
        check(loads, resumes, case, folder)
    print("\n" + loads.line("checkpoint structure, glassnet.load"))
    print(resumes.line("checkpoint structure, resume"))
    assert loads.bad == [] and resumes.bad == []
    assert resumes.tried >= 200


@pytest.mark.timeout(120)
def test_a_sample_of_damaged_checkpoints_through_the_cli(run, tmp_path, capsys):
    """The same damage through `glassnet train --resume`: exit 2 and one line, or exit 0."""
    rng = numpy.random.default_rng(SEED + 1)
    content = (run / "last.safetensors").read_bytes()
    cases = [*byte_damage(content, rng, flips=4), *header_damage(content, rng, tensors=1)]
    sample = [cases[int(i)] for i in rng.choice(len(cases), 12, replace=False)]
    statuses = []
    for number, (case, damaged) in enumerate(sample):
        folder = tmp_path / f"cli{number}"
        shutil.copytree(run, folder)
        write(folder / "last.safetensors", damaged)
        status = main(["train", "--resume", str(folder), "--epochs", "3", "--no-progress"])
        err = capsys.readouterr().err
        statuses.append(status)
        assert status in (0, 2), (case, err)
        if status == 2:
            assert len(err.splitlines()) == 1 and "last.safetensors" in err, (case, err)
    print(f"\ncheckpoint CLI sample: {len(sample)} cases, exit statuses {sorted(statuses)}")
    assert 2 in statuses
