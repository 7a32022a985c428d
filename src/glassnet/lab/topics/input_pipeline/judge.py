"""input_pipeline's verdicts: one judge per claim, from `measure`'s checks and rates."""

from __future__ import annotations

from glassnet.lab import Result, Text, Verdict
from glassnet.lab.topics.input_pipeline.settings import (
    IO_SPEEDUP,
    NUMPY_SPEEDUP,
    PROCESS_OVER_THREAD,
    PYTHON_THREAD_MAX,
)


def judge_steps(result: Result, checks: dict[str, bool], prefetch: dict[bool, float]) -> Verdict:
    """A pipeline made of exactly the notes' stages passes every exact check."""
    failed = [result.text(f"check_{name}") for name, ok in checks.items() if not ok]
    verdict = Verdict.HOLDS if not failed else Verdict.DOES_NOT_HOLD
    numbers = {
        result.text("num_passed"): len(checks) - len(failed),
        result.text("num_checks"): len(checks),
        result.text("num_failed"): (
            Text(", ".join(t.en for t in failed), "、".join(t.zh for t in failed))
            if failed
            else "-"
        ),
    }
    result.judge(
        "pipeline_steps",
        verdict,
        numbers,
        result.text("steps_rule"),
        asserted=True,
        margin=result.text("steps_margin"),
        note=result.say(
            "steps_note",
            with_ms=prefetch[True],
            without_ms=prefetch[False],
            saved_ms=prefetch[False] - prefetch[True],
        ),
    )
    return verdict


def speedups(rates: dict, serial: dict, workers: list[int]) -> dict[str, float]:
    """The four ratios the claim and the caption use, by their catalog names."""
    return {
        "best_io": max(rates[("io", "thread", w)] for w in workers if w) / serial["io"],
        "numpy_threads": rates[("numpy", "thread", 2)] / serial["numpy"],
        "python_threads": rates[("python", "thread", 2)] / serial["python"],
        "process_vs_thread": rates[("python", "process", 2)] / rates[("python", "thread", 2)],
    }


def worker_parts(ratios: dict[str, float]) -> dict[str, bool]:
    """(a), (b), (c) of 'parallel_workers', by the names the note's template uses."""
    return {
        "io_ok": ratios["best_io"] >= IO_SPEEDUP,
        "numpy_ok": ratios["numpy_threads"] >= NUMPY_SPEEDUP,
        "python_ok": ratios["python_threads"] <= PYTHON_THREAD_MAX
        and ratios["process_vs_thread"] >= PROCESS_OVER_THREAD,
    }


def judge_workers(result: Result, data: dict, workers: list[int]) -> Verdict:
    """Threads help I/O-bound and GIL-releasing work; GIL-holding work needs processes."""
    ratios = speedups(data["rates"], data["serial"], workers)
    parts = worker_parts(ratios)
    held = sum(parts.values())
    verdict = Verdict.HOLDS if held == 3 else Verdict.PARTLY if held else Verdict.DOES_NOT_HOLD
    load_before, load_after = data["loads"]
    numbers = {
        result.text("num_best_io"): round(ratios["best_io"], 2),
        result.text("num_numpy"): round(ratios["numpy_threads"], 2),
        result.text("num_python"): round(ratios["python_threads"], 2),
        result.text("num_process"): round(ratios["process_vs_thread"], 2),
        result.text("num_load"): (f"{load_before:.1f} / {load_after:.1f}"),
    }
    rule = result.say(
        "workers_rule",
        io_speedup=IO_SPEEDUP,
        numpy_speedup=NUMPY_SPEEDUP,
        python_thread_max=PYTHON_THREAD_MAX,
        process_over_thread=PROCESS_OVER_THREAD,
    )
    note = result.say("workers_note", **{k: int(v) for k, v in parts.items()})
    result.judge("parallel_workers", verdict, numbers, rule, note=note)
    return verdict
