"""Every public function has PyTorch 2.13's argument names, order and defaults.

The reference is `signatures/torch_2_13.py`, a table generated from torch 2.13 itself
(every documented overload); one test re-derives it from the installed torch so the
table cannot drift. A glassnet function that merges several torch overloads passes
when every overload's call still works the same: same positional names in the same
places, keyword-only arguments keyword-only, equal defaults wherever torch has one.
"""

from __future__ import annotations

import pytest

import glassnet
import glassnet.nn.functional
from signatures.generate import build
from signatures.parse import describe
from signatures.torch_2_13 import SIGNATURES

# torch arguments glassnet does not take: devices, memory layouts, explicit generators, out=.
NOT_SUPPORTED = {"out", "out_dtype", "layout", "device", "pin_memory", "memory_format", "generator"}

# Deliberate, documented departures: (torch name, argument) -> why.
DEPARTURES = {
    (
        "torch.max",
        "other",
    ): "glassnet.max(x, y) is the binary overload, told apart by the type of y",
    (
        "torch.min",
        "other",
    ): "glassnet.min(x, y) is the binary overload, told apart by the type of y",
    ("torch.pow", "self"): "the scalar-base overload: glassnet.pow takes a number as input too",
    (
        "torch.var",
        "correction",
    ): "default None means 1 unless the legacy unbiased= is given (same result)",
    (
        "torch.median",
        "dim",
    ): "None is the first overload (the median of all values); a call without dim means that",
    (
        "torch.repeat_interleave",
        "repeats",
    ): "the repeats-only overload is repeat_interleave(counts): counts fills the input's place",
    (
        "torch.std",
        "correction",
    ): "default None means 1 unless the legacy unbiased= is given (same result)",
    (
        "torch.var",
        "keepdim",
    ): "also positional, for the legacy var(x, dim, unbiased, keepdim) overload",
    (
        "torch.std",
        "keepdim",
    ): "also positional, for the legacy std(x, dim, unbiased, keepdim) overload",
}


def glassnet_function(torch_name: str):
    if torch_name.startswith("torch.nn.functional."):
        return getattr(glassnet.nn.functional, torch_name.rsplit(".", 1)[1])
    return getattr(glassnet, torch_name.split(".", 1)[1])


def same_default(ours, theirs) -> bool:
    """Equal defaults; torch's dtype defaults ('torch.int64') equal glassnet's dtypes."""
    if isinstance(theirs, str) and theirs.startswith("torch.") and ours is not None:
        return str(ours) == theirs.removeprefix("torch.")
    return ours == theirs


def mismatches(torch_name: str, ours: list, overload: list) -> list[str]:
    """What a call written for this torch overload would find different in glassnet."""
    problems = []
    positional = [name for name, kind, _ in ours if kind != "keyword"]
    by_name = {name: (kind, default) for name, kind, default in ours}
    theirs_positional = [
        name for name, kind, _ in overload if kind != "keyword" and name not in NOT_SUPPORTED
    ]
    for name, kind, default in overload:
        if name in NOT_SUPPORTED or (torch_name, name) in DEPARTURES:
            continue
        if name not in by_name:
            problems.append(f"no argument {name!r}")
            continue
        our_kind, our_default = by_name[name]
        if kind == "keyword" and our_kind != "keyword":
            problems.append(f"{name!r} is keyword-only in torch")
        if kind != "keyword":
            where = theirs_positional.index(name)
            if where >= len(positional) or positional[where] != name:
                problems.append(f"{name!r} is positional argument {where} in torch")
        if default != "<required>" and not same_default(our_default, default):
            problems.append(f"{name!r} defaults to {default!r} in torch, {our_default!r} here")
    return problems


@pytest.mark.parametrize("torch_name", sorted(SIGNATURES))
def test_signature_matches_torch(torch_name):
    ours = describe(glassnet_function(torch_name))
    for overload in SIGNATURES[torch_name]:
        problems = mismatches(torch_name, ours, overload)
        assert not problems, f"{torch_name} overload {overload}: " + "; ".join(problems)


def test_frozen_table_matches_the_installed_torch():
    assert build() == SIGNATURES
