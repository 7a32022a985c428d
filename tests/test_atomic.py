"""glassnet.atomic: all-or-nothing writes (temporary file, fsync, os.replace, fsync folder)."""

from __future__ import annotations

import os
import stat

import pytest

import glassnet
from glassnet import atomic
from glassnet.serialization import save


def test_atomic_write_helpers(tmp_path):
    atomic.atomic_write_bytes(tmp_path / "a.bin", b"\x00\x01")
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01"
    with atomic.atomic_write(tmp_path / "history.csv", "w") as file:
        file.write("epoch,loss\n1,0.5\n")
    assert (tmp_path / "history.csv").read_text() == "epoch,loss\n1,0.5\n"
    with (
        pytest.raises(ValueError, match="atomic_write: mode must be 'w', 'wt' or 'wb', got 'a'"),
        atomic.atomic_write(tmp_path / "x", "a"),
    ):
        pass
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        atomic.atomic_write_bytes(tmp_path, b"")
    assert sorted(os.listdir(tmp_path)) == ["a.bin", "history.csv"]


def test_atomic_path_keeps_the_suffix_and_cleans_up_on_error(tmp_path):
    with (
        pytest.raises(RuntimeError, match="writer failed"),
        atomic.atomic_path(tmp_path / "curve.png") as temporary,
    ):
        assert temporary.parent == tmp_path and temporary.suffix == ".png"
        assert temporary.name.startswith(".curve.tmp-")
        raise RuntimeError("writer failed")
    assert os.listdir(tmp_path) == []


def test_new_files_get_umask_permissions_and_existing_files_keep_theirs(tmp_path):
    plain = tmp_path / "plain"
    plain.write_bytes(b"")
    path = tmp_path / "a.safetensors"
    save({}, path)
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(
        plain.stat().st_mode
    )  # what open() gives
    os.chmod(path, 0o640)
    save({"x": 1}, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_atomic_write_fsyncs_the_file_then_renames_then_fsyncs_the_folder(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(descriptor):
        is_folder = stat.S_ISDIR(os.fstat(descriptor).st_mode)
        events.append("fsync folder" if is_folder else "fsync file")
        real_fsync(descriptor)

    def replace(source, target):
        events.append("replace")
        real_replace(source, target)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    save({"w": glassnet.ones(2)}, tmp_path / "a.safetensors")
    assert events[-3:] == ["fsync file", "replace", "fsync folder"]
    assert "fsync folder" not in events[:-1]


def test_a_crash_inside_atomic_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("epoch,loss\n1,0.5\n")
    with pytest.raises(RuntimeError, match="disk full"), atomic.atomic_write(path, "w") as file:
        file.write("epoch,loss\n1,0.5\n2,")
        raise RuntimeError("disk full")
    assert path.read_text() == "epoch,loss\n1,0.5\n" and os.listdir(tmp_path) == ["history.csv"]
