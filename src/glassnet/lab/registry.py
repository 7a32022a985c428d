"""The experiment registry: one module per topic under `glassnet.lab.topics`, found by name.

A topic module is named after its topic id (`topics/conv_arithmetic.py` for the topic
'conv_arithmetic' of the notes index) and registers one function with the decorator:

    @experiment("conv_arithmetic")
    def run(mode: str, seed: int) -> Result: ...

Modules are discovered with `pkgutil`, so adding a topic touches no shared file. A module
that fails to import still appears, as an experiment that raises its import error: its
section of the report shows the traceback and the other topics run. Topics are listed in
the notes' order.

A topic that times wall-clock speed-ups (of parallel workers, say) registers with
`@experiment("input_pipeline", exclusive=True)`: a run of several jobs (`glassnet lab
--jobs 2`) gives it the whole machine, with no other topic beside it.
"""

from __future__ import annotations

import importlib
import pkgutil
import traceback
import types
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from glassnet.lab.notes_index import topics as index_topics
from glassnet.lab.result import Result

__all__ = [
    "Experiment",
    "UnknownTopicError",
    "experiment",
    "experiments",
    "get_experiment",
    "topic_ids",
]

ExperimentFunction = Callable[[str, int], Result]
_REGISTERED: dict[str, ExperimentFunction] = {}
_EXCLUSIVE: set[str] = set()
TOPICS_PACKAGE = "glassnet.lab.topics"


class UnknownTopicError(ValueError):
    """A topic name that no experiment answers to; the message lists the valid ones."""


@dataclass(frozen=True)
class Experiment:
    """A registered experiment: the topic id, the function of (mode, seed), its module.

    exclusive: it must run with no other topic beside it (it times wall-clock speed).
    """

    topic: str
    function: ExperimentFunction
    module: str
    exclusive: bool = False

    def __call__(self, mode: str, seed: int) -> Result:
        return self.function(mode, seed)


def experiment(
    topic_id: str, *, exclusive: bool = False
) -> Callable[[ExperimentFunction], ExperimentFunction]:
    """Register `function(mode, seed) -> Result` as the experiment of `topic_id` (a notes-index topic).

    exclusive: the experiment times wall-clock speed, so a parallel run gives it the
    machine alone.
    """
    known = index_topics()
    if topic_id not in known:
        raise UnknownTopicError(
            f"@experiment('{topic_id}'): the notes index has no such topic; "
            f"known topics: {', '.join(known)}"
        )

    def register(function: ExperimentFunction) -> ExperimentFunction:
        module = function.__module__
        if module.startswith(f"{TOPICS_PACKAGE}.") and module.rsplit(".", 1)[1] != topic_id:
            raise ValueError(
                f"@experiment('{topic_id}') in {module}: a topic module must be named after its "
                f"topic ({TOPICS_PACKAGE}.{topic_id})"
            )
        existing = _REGISTERED.get(topic_id)
        if existing is not None and existing.__module__ != module:
            raise ValueError(
                f"@experiment('{topic_id}'): already registered by {existing.__module__}"
            )
        _REGISTERED[topic_id] = function
        if exclusive:
            _EXCLUSIVE.add(topic_id)
        return function

    return register


def _import_failure(module: str, text: str) -> ExperimentFunction:
    def failed(mode: str, seed: int) -> Result:
        raise ImportError(f"the topic module {module} is broken: {text}")

    return failed


@lru_cache(maxsize=1)
def _discover() -> dict[str, Experiment]:
    found: dict[str, Experiment] = {}
    package: types.ModuleType = importlib.import_module(TOPICS_PACKAGE)
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        module = f"{TOPICS_PACKAGE}.{info.name}"
        try:
            importlib.import_module(module)
        except Exception:
            failure = _import_failure(module, f"it failed to import:\n{traceback.format_exc()}")
            found[info.name] = Experiment(info.name, failure, module)
            continue
        function = _REGISTERED.get(info.name)
        if function is None:  # loud: a topic module that forgot its decorator
            function = _import_failure(
                module,
                f"it registers no experiment: decorate its function with "
                f"@experiment('{info.name}')",
            )
        found[info.name] = Experiment(info.name, function, module, info.name in _EXCLUSIVE)
    return found


def _in_notes_order(names: list[str]) -> list[str]:
    order = {topic_id: entry.order for topic_id, entry in index_topics().items()}
    return sorted(names, key=lambda name: (order.get(name, len(order)), name))


def experiments() -> dict[str, Experiment]:
    """Every registered experiment, by topic id, in the notes' order."""
    found = _discover()
    return {name: found[name] for name in _in_notes_order(list(found))}


def topic_ids() -> list[str]:
    """The topic ids that `glassnet lab` accepts, in the notes' order."""
    return _in_notes_order(list(_discover()))


def get_experiment(topic_id: str) -> Experiment:
    """The experiment of `topic_id`; raises UnknownTopicError listing the valid topics."""
    found = _discover()
    if topic_id not in found:
        raise UnknownTopicError(f"unknown lab topic '{topic_id}'; valid topics: {', '.join(found)}")
    return found[topic_id]
