"""Atomic file writes: a reader sees the old file or the new one, never half of one.

The recipe (the one databases use):

1. write into a temporary file in the *same folder* (so the rename below stays inside
   one file system, where it is atomic);
2. flush Python's buffer and `os.fsync` the file, so the bytes are on disk before the
   name points at them;
3. `os.replace(temporary, final)`: an atomic rename on POSIX and on Windows;
4. `os.fsync` the folder, so the rename itself survives a power cut.

If anything fails before step 3 the temporary file is removed and the previous file is
untouched. A process killed with SIGKILL cannot clean up, so it may leave a hidden
temporary (`.NAME.tmp-XXXX.SUFFIX`, or a writer's own `.tmpXXXXXX`) next to the
target; the target itself is still whole. `sweep_temporaries` removes them: whoever
resumes in that folder calls it.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

# The process umask, read once: new files get the permissions open() would give them
# (mkstemp creates 0600 files, which would surprise anyone sharing a runs/ folder).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def _target(path: str | os.PathLike[str], where: str) -> Path:
    target = Path(os.fspath(path))
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{where}: cannot write '{target}': the folder '{folder}' does not exist"
        )
    if target.is_dir():
        raise IsADirectoryError(f"{where}: cannot write '{target}': it is a folder")
    return target


def fsync_folder(folder: str | os.PathLike[str]) -> None:
    """Make a rename inside `folder` durable (a no-op where folders cannot be fsync'ed)."""
    if os.name == "nt":  # Windows cannot open a folder as a file; NTFS journals renames
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    except OSError as error:  # some file systems (e.g. certain network mounts) refuse
        if error.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF):
            raise
    finally:
        os.close(descriptor)


def _temporary_prefix(target: Path) -> str:
    return f".{target.stem}.tmp-"


def sweep_temporaries(
    folder: str | os.PathLike[str], target: str | os.PathLike[str] | None = None
) -> list[Path]:
    """Remove the temporaries a killed writer left in `folder` (of `target` only, if given).

    Only names `atomic_path` makes (`.STEM.tmp-XXXXXXXX.SUFFIX`) are touched. Call it when
    no other process writes in `folder`. Returns the paths removed.
    """
    folder = Path(os.fspath(folder))
    if target is None:
        pattern = ".*.tmp-*"
    else:
        name = Path(os.fspath(target))
        pattern = glob.escape(_temporary_prefix(name)) + "*" + glob.escape(name.suffix)
    removed = []
    for stale in folder.glob(pattern):
        if stale.is_file() and not stale.is_symlink():
            stale.unlink(missing_ok=True)
            removed.append(stale)
    return removed


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], where: str = "atomic write") -> Iterator[Path]:
    """Yield a temporary path next to `path`; on success it replaces `path` atomically.

    For writers that want a file name (safetensors' `save_file`, matplotlib's `savefig`):
    the temporary name keeps the suffix, so format detection by extension still works.
    """
    target = _target(path, where)
    descriptor, name = tempfile.mkstemp(
        prefix=_temporary_prefix(target), suffix=target.suffix, dir=target.parent
    )
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        with open(temporary, "rb+") as written:  # the writer may not have fsync'ed
            os.fsync(written.fileno())
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o666 & ~_UMASK
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    fsync_folder(target.parent)


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str],
    mode: str = "wb",
    encoding: str | None = None,
    newline: str | None = None,
) -> Iterator[IO]:
    """`with atomic_write(path, "w") as f: f.write(...)`: like `open`, but all-or-nothing."""
    if mode not in ("w", "wb", "wt"):
        raise ValueError(f"atomic_write: mode must be 'w', 'wt' or 'wb', got {mode!r}")
    if "b" not in mode and encoding is None:
        encoding = "utf-8"
    with (
        atomic_path(path, "atomic_write") as temporary,
        open(temporary, mode, encoding=encoding, newline=newline) as file,
    ):
        yield file
        file.flush()
        os.fsync(file.fileno())


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` atomically (temporary file, fsync, os.replace, fsync folder)."""
    with atomic_write(path, "wb") as file:
        file.write(data)
