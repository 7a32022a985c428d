"""The input pipeline: the notes' stages built with `glassnet.data.Pipeline`, and throughput
against workers.

The notes' steps are: name the files -> a queue of the file names -> read the files ->
preprocess -> assemble batches. `Pipeline` has one stage for each:

    Pipeline.from_files(paths)       # the file list (sorted)
        .shuffle(len(paths), seed)   # the file-name queue, reshuffled every epoch
        .map(read_record)            # read
        .map(standardise_record)     # preprocess
        .batch(32)                   # the network's input
        .prefetch(2)                 # (not in the notes) overlap all of it with the training step

MNIST-1D signals are written one per `.npy` file to a temporary folder. The first part
checks that this chain delivers every file exactly once per epoch, in an order that is
a function of (seed, epoch) whatever the workers, with the right values; and times each
stage. The second part measures records per second against the number of workers,
threads against processes, for three kinds of per-record work: waiting on I/O (the GIL
is released), NumPy work (the GIL is released inside the sort) and pure-Python work (the
GIL is held). Timings are reported, never asserted: this machine has 2 cores and is shared.

The parts: `work` (the per-record work, importable by worker processes) <- `settings` <-
`measure` (plain data) <- `judge` (one judge per claim) and `figures`; the prose, table
titles and headers are in `notes/input_pipeline.toml`.
"""

from __future__ import annotations

from glassnet.lab import Result, experiment
from glassnet.lab.topics.input_pipeline import work
from glassnet.lab.topics.input_pipeline.figures import draw_throughput
from glassnet.lab.topics.input_pipeline.judge import judge_steps, judge_workers, speedups
from glassnet.lab.topics.input_pipeline.measure import (
    epoch_indices,
    measure,
    notes_pipeline,
    write_files,
)
from glassnet.lab.topics.input_pipeline.settings import BATCH, KINDS, PREFETCH, SETTINGS, STEP_S

__all__ = [
    "KINDS",
    "SETTINGS",
    "epoch_indices",
    "measure",
    "notes_pipeline",
    "run",
    "speedups",
    "write_files",
]


@experiment("input_pipeline", exclusive=True)
def run(mode: str, seed: int) -> Result:
    s = SETTINGS[mode]
    result = Result.start("input_pipeline", mode, seed)
    result.setup = result.say(
        "setup",
        files=s["files"],
        records=s["records"],
        workers=s["workers"],
        repeats=s["repeats"],
        batch=BATCH,
        prefetch=PREFETCH,
        latency_ms=1000 * work.LATENCY_S,
        sort_values=40 * work.SORT_REPEAT,
        python_steps=work.PYTHON_STEPS,
    )
    data = measure(mode, seed)
    checks_table(result, data["checks"])
    stages_table(result, data, s["files"])
    throughput_table(result, data)
    judge_steps(result, data["checks"], data["prefetch"])
    judge_workers(result, data, s["workers"])
    draw_throughput(result, data, s["workers"])
    timing_table(result, data["seconds"])
    return result


def columns(result: Result, *keys: str) -> list:
    """Column headers from the catalog's `col_KEY` texts."""
    return [result.text(f"col_{key}") for key in keys]


def checks_table(result: Result, checks: dict[str, bool]) -> None:
    rows = [[result.text(f"check_{name}"), ok] for name, ok in checks.items()]
    result.add_table(result.text("checks_title"), columns(result, "check", "passed"), rows)


def stages_table(result: Result, data: dict, files: int) -> None:
    rows = [[result.text(f"stage_{stage}"), total, own] for stage, total, own in data["stages"]]
    step_ms = 1000 * STEP_S
    for prefetch, ms in data["prefetch"].items():
        key = "stage_prefetch" if prefetch else "stage_no_prefetch"
        rows.append([result.say(key, prefetch=PREFETCH, step_ms=step_ms), ms, "-"])
    result.add_table(
        result.say("stages_title", files=files),
        columns(result, "chain_up_to", "cumulative_ms", "stage_ms"),
        rows,
        note=result.text("stages_note"),
    )


def throughput_table(result: Result, data: dict) -> None:
    rows = [
        [
            result.text(f"kind_{kind}"),
            result.text(f"backend_{backend}") if workers else "-",
            workers,
            round(rate),
            round(rate / data["serial"][kind], 2),
            round(1000 * data["firsts"][(kind, backend, workers)], 1),
        ]
        for (kind, backend, workers), rate in data["rates"].items()
    ]
    load_before, load_after = data["loads"]
    result.add_table(
        result.text("throughput_title"),
        columns(result, "work", "backend", "workers", "records_s", "x_serial", "first_ms"),
        rows,
        note=result.say("throughput_note", before=load_before, after=load_after),
    )


def timing_table(result: Result, seconds: tuple[float, float]) -> None:
    result.add_table(
        result.text("timing_title"),
        columns(result, "wall_s", "cpu_s"),
        [[round(second, 2) for second in seconds]],
        note=result.text("timing_note"),
    )
