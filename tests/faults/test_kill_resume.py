"""Kill `glassnet train` with SIGKILL, then resume: the run's files end byte-identical (issue 11).

An uninterrupted run is the reference. Other runs of the same command are killed: at
random moments, and inside file writes (the N-th atomic rename, after the temporary
is written and before it replaces the target; and the N-th fsync, while it is being
written). Each is then continued as a user would: `glassnet train --resume OUT`, or the
original command again when it died before writing config.json. `last.safetensors`,
`best.safetensors`, `history.csv` and `test_metrics.json` must equal the reference's byte
for byte, and no hidden temporary may be left in the run folder.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import numpy
import pytest

from glassnet.cli import main

RUN_FILES = ("last.safetensors", "best.safetensors", "history.csv", "test_metrics.json")
TRAIN = ["train", "--hidden", "16", "--epochs", "4", "--no-progress"]
SEED = 7

KILL_AT_CALL = textwrap.dedent("""
    import os, signal, sys
    what, count = sys.argv[1], int(sys.argv[2])
    real = getattr(os, what)
    calls = 0

    def dying(*args, **kwargs):
        global calls
        calls += 1
        if calls == count:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    setattr(os, what, dying)
    from glassnet.cli import main
    sys.exit(main(sys.argv[3:]))
""")


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "run"
    assert main([*TRAIN, "--out", str(out)]) == 0
    return {name: (out / name).read_bytes() for name in RUN_FILES}


def glassnet_command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "glassnet", *argv]


def finish(out, capsys) -> tuple[int, str]:
    """Continue a killed run as a user would (in this process: the same code, no start-up cost)."""
    if (out / "config.json").exists():
        status = main(["train", "--resume", str(out), "--no-progress"])
    else:
        status = main([*TRAIN, "--out", str(out)])
    return status, capsys.readouterr().err


@pytest.mark.timeout(240)
def test_killed_runs_resume_to_the_same_bytes(reference, tmp_path, capsys):
    rng = numpy.random.default_rng(SEED)
    script = tmp_path / "kill_at_call.py"
    script.write_text(KILL_AT_CALL)
    # ~17 renames and fsyncs per run: stats, config, 3 per epoch, curves, test metrics
    cases = [("replace", int(n)) for n in rng.choice(range(1, 18), 3, replace=False)]
    cases += [("fsync", int(n)) for n in rng.choice(range(1, 30), 1, replace=False)]
    cases += [("random", float(delay)) for delay in rng.uniform(0.5, 4.0, 2)]
    killed = []
    for number, (how, when) in enumerate(cases):
        out = tmp_path / f"run{number}"
        if how == "random":
            command = glassnet_command(*TRAIN, "--out", str(out))
        else:
            command = [sys.executable, str(script), how, str(when), *TRAIN, "--out", str(out)]
        killed.append(
            (
                how,
                when,
                out,
                subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE),
            )
        )
    started = time.monotonic()
    for how, when, _, process in killed:
        if how == "random":  # the random moments: whatever the run is doing then
            time.sleep(max(0.0, started + when - time.monotonic()))
            process.send_signal(signal.SIGKILL)
    outcomes = []
    for how, when, out, process in killed:
        process.wait()
        process.stderr.close()
        outcomes.append((how, when, out, process.returncode))
    bad = []
    for how, when, out, _ in outcomes:
        status, err = finish(out, capsys)
        files = {
            name: (out / name).read_bytes() if (out / name).exists() else None for name in RUN_FILES
        }
        differ = [name for name in RUN_FILES if files[name] != reference[name]]
        hidden = [path.name for path in out.iterdir() if path.name.startswith(".")]
        if status != 0 or differ or hidden:
            bad.append(f"{how} {when}: exit {status}, differ {differ}, left {hidden}: {err[-300:]}")
    statuses = [code for *_, code in outcomes]
    print(
        f"\nkill and resume: {len(cases)} cases tried ({sum(code == -signal.SIGKILL for code in statuses)} "
        f"killed, the rest finished first), {len(cases) - len(bad)} clean, {len(bad)} bad"
    )
    assert bad == []
    assert sum(code == -signal.SIGKILL for code in statuses) >= 4  # the kills inside writes landed
