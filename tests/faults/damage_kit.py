"""Ways to damage a file, and the rule every damaged input must meet.

The rule (issue 11): a clear error naming the file (one line, a ValueError or OSError, as
the CLI reports them), or success with sane results. Anything else — another exception
type, a message that does not name the file, a multi-line message, NaN or infinite
weights after a "successful" resume — counts as bad. `Tally` keeps the counts.
"""

from __future__ import annotations

import dataclasses
import json
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy

SAFETENSORS_DTYPES = (
    "BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64",
)  # fmt: skip
CLEAN_ERRORS = (ValueError, OSError)  # what `glassnet` turns into a one-line exit 2


@dataclasses.dataclass
class Tally:
    """Cases tried, clean (a one-line error naming the file, or sane success), bad (with why)."""

    tried: int = 0
    clean: int = 0
    errors: int = 0  # clean cases that ended in an error
    bad: list[str] = dataclasses.field(default_factory=list)

    def judge(
        self, case: str, run: Callable[[], Any], names: str, sane: Callable[[Any], str]
    ) -> None:
        """Run one case: `names` must appear in an error; `sane(result)` says what is wrong, or ''."""
        self.tried += 1
        try:
            result = run()
        except CLEAN_ERRORS as error:
            message = str(error)
            if names in message and "\n" not in message and "Traceback" not in message:
                self.clean += 1
                self.errors += 1
            else:
                self.bad.append(
                    f"{case}: {type(error).__name__} not naming {names!r} in one line: {message[:300]}"
                )
            return
        except Exception as error:
            self.bad.append(f"{case}: {type(error).__name__}: {str(error)[:300]}")
            return
        problem = sane(result)
        if problem:
            self.bad.append(f"{case}: accepted, but {problem}")
        else:
            self.clean += 1

    def line(self, what: str) -> str:
        return (
            f"{what}: {self.tried} cases tried, {self.clean} clean ({self.errors} one-line errors, "
            f"{self.clean - self.errors} sane successes), {len(self.bad)} bad"
        )


# -- safetensors bytes ---------------------------------------------------------------------------------
def split_safetensors(content: bytes) -> tuple[dict[str, Any], bytes]:
    (length,) = struct.unpack("<Q", content[:8])
    return json.loads(content[8 : 8 + length]), content[8 + length :]


def join_safetensors(header: dict[str, Any], data: bytes) -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def byte_damage(
    content: bytes, rng: numpy.random.Generator, flips: int
) -> Iterator[tuple[str, bytes]]:
    """Truncations everywhere that matters, and single-byte flips inside the header."""
    (length,) = struct.unpack("<Q", content[:8])
    cuts = {
        0,
        1,
        7,
        8,
        9,
        8 + length // 2,
        8 + length - 1,
        8 + length,
        len(content) // 2,
        len(content) - 1,
    }
    cuts |= {int(c) for c in rng.integers(0, len(content), 6)}
    for cut in sorted(cuts):
        yield f"truncated at {cut}", content[:cut]
    for position in rng.integers(0, 8 + length, flips):
        damaged = bytearray(content)
        damaged[position] ^= int(rng.integers(1, 256))
        yield f"header byte {position} flipped", bytes(damaged)
    yield "length field huge", struct.pack("<Q", 2**63) + content[8:]
    yield "trailing garbage", content + b"\x00garbage"


def header_damage(
    content: bytes, rng: numpy.random.Generator, tensors: int
) -> Iterator[tuple[str, bytes]]:
    """Every dtype, shapes and offsets of some tensors, relabelled in the header."""
    header, data = split_safetensors(content)
    names = sorted(name for name in header if name != "__metadata__")
    chosen = [
        names[int(i)] for i in rng.choice(len(names), min(tensors, len(names)), replace=False)
    ]
    for name in chosen:
        for dtype in SAFETENSORS_DTYPES:
            if dtype != header[name]["dtype"]:
                yield f"{name} dtype -> {dtype}", _edit(header, data, name, "dtype", dtype)
        shape = header[name]["shape"]
        for label, new in (
            ("one more", [*shape, 1]),
            ("reversed", shape[::-1]),
            ("scalar", []),
            ("zero", [0, *shape[1:]]),
            ("negative", [-1, *shape[1:]]),
            ("huge", [2**62, *shape[1:]]),
        ):
            yield f"{name} shape {label}", _edit(header, data, name, "shape", new)
        start, end = header[name]["data_offsets"]
        for label, new in (
            ("shifted", [start + 4, end + 4]),
            ("reversed", [end, start]),
            ("past the end", [start, len(data) + 8]),
            ("negative", [-4, end]),
            ("floats", [float(start), float(end)]),
            ("strings", [str(start), str(end)]),
        ):
            yield f"{name} offsets {label}", _edit(header, data, name, "data_offsets", new)
        yield f"{name} entry not an object", _edit(header, data, name, None, [1, 2])


def _edit(header: dict[str, Any], data: bytes, name: str, key: str | None, value: Any) -> bytes:
    edited = json.loads(json.dumps(header))
    if key is None:
        edited[name] = value
    else:
        edited[name][key] = value
    return join_safetensors(edited, data)


# -- structures (what glassnet.load returns) ---------------------------------------------------------
RETYPES: tuple[tuple[str, Any], ...] = (
    ("a string", "abc"),
    ("-1", -1),
    ("2**70", 2**70),
    ("a float", 2.5),
    ("NaN", float("nan")),
    ("None", None),
    ("a list", [1, "x"]),
    ("a dict", {"x": 1}),
    ("true", True),
)


def entries(tree: Any, depth: int, path: tuple = ()) -> Iterator[tuple]:
    """Paths of the entries of nested dicts (and lists), down to `depth` levels."""
    if len(path) >= depth:
        return
    if isinstance(tree, dict):
        items = list(tree.items())
    elif isinstance(tree, list):
        items = list(enumerate(tree))[:2]
    else:
        return
    for key, value in items:
        yield (*path, key)
        yield from entries(value, depth, (*path, key))


def get(tree: Any, path: tuple) -> Any:
    for key in path:
        tree = tree[key]
    return tree


def drop(tree: Any, path: tuple) -> None:
    parent = get(tree, path[:-1])
    del parent[path[-1]]


def put(tree: Any, path: tuple, value: Any) -> None:
    get(tree, path[:-1])[path[-1]] = value


def nested(levels: int) -> Any:
    value: Any = []
    for _ in range(levels):
        value = [value]
    return value


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path
