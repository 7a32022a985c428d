"""What a pipeline may leave behind, snapshotted: descendant processes, children, shared memory, threads.

Shared by tests/data/test_shutdown.py and the fault suite (tests/faults).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading


def descendants(root: int) -> set[int]:
    """Live (non-zombie) processes below `root`, found through /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, stack = set(), [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def snapshot() -> dict[str, set]:
    return {
        "processes": descendants(os.getpid()),
        "children": set(multiprocessing.active_children()),
        "shm": {
            name
            for name in os.listdir("/dev/shm")
            if name.startswith((f"glassnet-{os.getpid()}-", "sem.mp-", "psm_"))
        },
        "threads": {t.name for t in threading.enumerate() if t.name.startswith("glassnet")},
    }


def assert_clean(before: dict[str, set]) -> None:
    gc.collect()
    after = snapshot()
    assert after == before, {
        key: (before[key], after[key]) for key in before if before[key] != after[key]
    }
