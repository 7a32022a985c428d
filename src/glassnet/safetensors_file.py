"""A safetensors file checked before it is read: wrong formats, truncation, hostile JSON.

`check_file` reads only the 8-byte length and the JSON header, so a pickle, a zip, a
.npy, a truncated file or a header nested deep enough to crash `json.loads` fails with
one line naming the file, before safetensors (or the JSON parser) sees it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy
import safetensors

_MAX_HEADER = 100_000_000  # safetensors' own limit on the JSON header
# JSON nesting allowed in the header and in the metadata: a Python dict is 3 levels
# ({"dict": [[key, value]]}), so this holds objects ~60 containers deep; deeper is a
# damaged or hostile file, refused before the parser recurses (RecursionError).
MAX_JSON_DEPTH = 200
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


def _not_safetensors(path: Path, why: str) -> ValueError:
    return ValueError(
        f"load: '{path}' is not a safetensors file: {why}; glassnet reads safetensors only"
    )


def json_depth(text: str | bytes) -> int:
    """How deeply JSON `text` nests arrays and objects, counted without parsing (no recursion)."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    codes = numpy.frombuffer(_JSON_STRING.sub(b'""', raw), dtype=numpy.uint8)
    steps = numpy.isin(codes, (0x5B, 0x7B)).astype(numpy.int64) - numpy.isin(codes, (0x5D, 0x7D))
    return int(numpy.cumsum(steps).max(initial=0))


def parse_json(text: str | bytes, path: Path, what: str) -> Any:
    """json.loads with the nesting bounded by MAX_JSON_DEPTH; errors name the file and `what`."""
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise ValueError(
            f"load: '{path}': {what} nests {depth} levels deep, more than the {MAX_JSON_DEPTH} "
            "glassnet reads: the file is damaged"
        )
    try:
        return json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ValueError(f"load: '{path}': {what} is not valid JSON: {error}") from None


def check_file(path: Path) -> None:
    """Fail early, naming the file, on a pickle, a zip, a truncated or a foreign file.

    The safetensors layout: bytes 0..8 hold N (little-endian u64), bytes 8..8+N the
    JSON header, then the data section, which every tensor's data_offsets index into.
    """
    size = path.stat().st_size
    with open(path, "rb") as file:
        head = file.read(8)
        _check_magic(path, head, size)
        header_length = int.from_bytes(head, "little")
        first = file.read(1)
        if first != b"{":
            raise _not_safetensors(
                path,
                f"its first 8 bytes {head!r} are not followed by a JSON header "
                f"(found {first!r}, expected b'{{')",
            )
        if header_length > _MAX_HEADER:
            raise _not_safetensors(
                path,
                f"its header length reads as {header_length} bytes, more than "
                f"safetensors allows ({_MAX_HEADER})",
            )
        if 8 + header_length > size:
            raise ValueError(
                f"load: '{path}' is truncated: its header says the JSON header is {header_length} "
                f"bytes long, but only {size - 8} bytes follow the 8-byte length (file size {size})"
            )
        text = first + file.read(header_length - 1)
    header = _parse_header(path, text, header_length)
    _check_offsets(path, header, available=size - 8 - header_length, size=size)


def _check_magic(path: Path, head: bytes, size: int) -> None:
    """Name the formats people pass by mistake from their first bytes: zip, pickle, .npy."""
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        raise ValueError(
            f"load: '{path}' is a zip archive, as written by torch.save (a pickle inside) or "
            "numpy.savez; this is a pickle/PyTorch .pt file; glassnet reads safetensors only "
            "(convert it in PyTorch with safetensors.torch.save_file(state_dict, path))"
        )
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        raise ValueError(
            f"load: '{path}' starts with a pickle (protocol {head[1]}): this is a pickle/PyTorch "
            ".pt file; glassnet reads safetensors only and never unpickles, since loading a "
            "pickle can run arbitrary code"
        )
    if head.startswith(b"\x93NUMPY"):
        raise _not_safetensors(path, "it is a NumPy .npy file (load it with numpy.load)")
    if len(head) < 8:
        raise ValueError(
            f"load: '{path}' is truncated or not a safetensors file: it has {size} bytes, but a "
            "safetensors file starts with an 8-byte header length"
        )


def _parse_header(path: Path, text: bytes, header_length: int) -> dict[str, Any]:
    """The JSON header as a dict, its depth bounded before parsing."""
    if json_depth(text) > MAX_JSON_DEPTH:
        raise _not_safetensors(
            path, f"its JSON header nests deeper than {MAX_JSON_DEPTH} levels (damaged)"
        )
    try:
        header = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise _not_safetensors(
            path, f"its JSON header (bytes 8..{8 + header_length}) does not parse: {error}"
        ) from None
    if not isinstance(header, dict):
        raise _not_safetensors(path, "its JSON header is not an object")
    return header


def _check_offsets(path: Path, header: dict[str, Any], available: int, size: int) -> None:
    """Every tensor's [begin, end) data_offsets must lie inside the `available` data bytes."""
    for name, info in header.items():
        if name == "__metadata__":
            continue
        offsets = info.get("data_offsets") if isinstance(info, dict) else None
        if not (
            isinstance(offsets, list)
            and len(offsets) == 2
            and all(isinstance(o, int) for o in offsets)
        ):
            raise _not_safetensors(path, f"tensor {name!r} has no valid data_offsets in the header")
        if offsets[1] > available:
            raise ValueError(
                f"load: '{path}' is truncated: tensor {name!r} lies at bytes {offsets[0]}..{offsets[1]} "
                f"of the data section, but only {available} bytes follow the header (file size {size})"
            )


def read_file(path: Path) -> tuple[dict[str, numpy.ndarray], dict[str, str]]:
    """All tensors (in file order) and the metadata, with safetensors' errors naming the file."""
    try:
        with safetensors.safe_open(path, framework="numpy") as file:
            metadata = file.metadata() or {}
            tensors = {name: file.get_tensor(name) for name in file.keys()}
    except (safetensors.SafetensorError, TypeError, ValueError) as error:
        hint = (
            "; NumPy has no bfloat16: convert to float32 before saving"
            if "bfloat16" in str(error)
            else ""
        )
        raise ValueError(f"load: cannot read '{path}': {error}{hint}") from None
    return tensors, metadata
