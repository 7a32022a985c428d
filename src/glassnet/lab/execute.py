"""Run one experiment in this process: seeded, on one BLAS thread, any exception captured.

    result = run_experiment("conv_arithmetic", mode="smoke", seed=0)

The experiment runs after `glassnet.manual_seed(seed)`, so its numbers do not depend on
what ran before it in the process, nor on which worker of a parallel run (`glassnet.lab.jobs`)
runs it.
"""

from __future__ import annotations

import time
import traceback

from threadpoolctl import threadpool_limits

import glassnet
from glassnet.lab import registry
from glassnet.lab.fonts import figure_language
from glassnet.lab.notes_index import topics as index_topics
from glassnet.lab.result import Result, check_mode

__all__ = ["run_experiment"]


def run_experiment(topic: str, mode: str = "quick", seed: int = 0, lang: str = "en") -> Result:
    """Run one experiment; an exception becomes the Result's `error` (its traceback).

    lang: the figures' language (Chinese labels only where a CJK font is installed).

    BLAS runs on one thread: the lab's models are small, and on a 2-core machine a second
    OpenBLAS thread that spins waiting for work made their GEMMs up to 10x slower (measured
    while the other core was busy), with the same results.
    """
    check_mode(mode, "glassnet.lab.run_experiment")
    if topic in index_topics() and topic not in registry.topic_ids():
        return Result.placeholder(topic, mode, seed)
    experiment = registry.get_experiment(topic)
    glassnet.manual_seed(seed)
    started = time.perf_counter()
    try:
        with threadpool_limits(limits=1, user_api="blas"), figure_language(lang):
            result = experiment(mode, seed)
        if not isinstance(result, Result) or result.topic != topic:
            got = (
                f"a Result for '{result.topic}'"
                if isinstance(result, Result)
                else type(result).__name__
            )
            raise TypeError(
                f"the experiment of '{topic}' ({experiment.module}) returned {got}, "
                f"not a glassnet.lab.Result for '{topic}'"
            )
    except Exception:
        result = Result.start(topic, mode, seed)
        result.error = traceback.format_exc()
    result.seconds = time.perf_counter() - started
    return result.complete()
