"""Write a whole folder atomically: a reader sees the old report or the new one, never half of one.

The files go into a fresh hidden sibling (`.NAME.tmp-XXXX`, same parent, hence the same
file system), each fsync'ed; then the sibling takes the report's name:

- no report yet: `os.rename(sibling, out)`, atomic;
- a previous report: on Linux `renameat2(RENAME_EXCHANGE)` swaps the two folders in one
  atomic step and the old one (now under the sibling's name) is deleted; where that call
  is missing, the old report is first renamed aside (`.NAME.old-XXXX`), then the new one
  into place, then the old one deleted: a crash between those two renames leaves the
  previous report whole as `.NAME.old-XXXX/report`.

Any exception (KeyboardInterrupt included) before the swap removes the sibling and leaves
`out` as it was. A SIGKILL cannot clean up: it may leave a hidden `.NAME.tmp-XXXX` folder.
Only a folder this module wrote (it holds MARKER) or an empty one is ever replaced.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from glassnet.atomic import fsync_folder

__all__ = ["MARKER", "ReportFolderError", "check_replaceable", "write_folder"]

MARKER = "report.json"  # every report holds it, with "generator": GENERATOR
GENERATOR = "glassnet lab"
_UMASK = os.umask(0o022)
os.umask(_UMASK)


class ReportFolderError(FileExistsError):
    """`out` exists and is not a report this lab wrote (nor an empty folder): refuse to replace it."""


def _is_report(folder: Path) -> bool:
    try:
        meta = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and meta.get("generator") == GENERATOR


def check_replaceable(out: str | os.PathLike[str]) -> Path:
    """Return `out` as a Path when a report may be written there, else raise ReportFolderError."""
    path = Path(os.fspath(out))
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise ReportFolderError(
            f"lab report: '{path}' exists and is not a folder; choose another --out"
        )
    if path.is_dir() and any(path.iterdir()) and not _is_report(path):
        raise ReportFolderError(
            f"lab report: '{path}' is a folder that holds files but no glassnet lab report "
            f"({MARKER}); refusing to replace it: choose a new or empty folder"
        )
    return path


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(
        code, f"lab report: swapping '{first}' and '{second}' failed: {os.strerror(code)}"
    )


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())


def _swap_into_place(fresh: Path, out: Path) -> None:
    if not out.exists():
        os.rename(fresh, out)
        return
    if _exchange(fresh, out):  # `fresh` now names the old report
        shutil.rmtree(fresh)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rename(out, aside / "report")
    try:
        os.rename(fresh, out)
    except BaseException:
        os.rename(aside / "report", out)  # put the previous report back
        aside.rmdir()
        raise
    shutil.rmtree(aside)


def write_folder(out: str | os.PathLike[str], files: Mapping[str, bytes]) -> Path:
    """Write `files` ({relative path: bytes}) as the folder `out`, all or nothing; returns `out`.

    The parent folder is created when missing. `files` must include MARKER.
    """
    out = check_replaceable(out)
    if MARKER not in files:
        raise ValueError(f"write_folder: the files must include the marker {MARKER}")
    out.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        for relative, data in files.items():
            target = (fresh / relative).resolve()
            if fresh.resolve() not in target.parents:
                raise ValueError(f"write_folder: '{relative}' would land outside the report folder")
            _write_file(target, data)
        for folder in {(fresh / relative).parent for relative in files}:
            fsync_folder(folder)
        os.chmod(fresh, 0o777 & ~_UMASK)  # mkdtemp makes 0700; a report is for sharing
        check_replaceable(out)  # again: something may have appeared there while we wrote
        _swap_into_place(fresh, out)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    fsync_folder(out.parent)
    return out
