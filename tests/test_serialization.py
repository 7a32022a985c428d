"""glassnet.save / glassnet.load: safetensors files, PyTorch interop, atomic writes, loud errors."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time

import numpy
import pytest
import safetensors.numpy
import safetensors.torch
import torch
from safetensors import safe_open

import glassnet
from glassnet import atomic
from glassnet.serialization import load, save

DTYPES = ["float32", "float64", "int64", "int32", "int16", "int8", "uint8", "bool"]


def random_array(rng: numpy.random.Generator, dtype: str, shape: tuple[int, ...]) -> numpy.ndarray:
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith("float"):
        return rng.standard_normal(shape).astype(dtype)
    info = numpy.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)


def tensor_names(path) -> list[str]:
    with safe_open(path, framework="numpy") as file:
        return list(file.keys())


# -- round trips -----------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (0, 3), (5,), (2, 3, 4)], ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
def test_tensor_round_trip_keeps_dtype_shape_and_values(tmp_path, rng, dtype, shape):
    array = random_array(rng, dtype, shape)
    save({"x": glassnet.Tensor(array.copy())}, tmp_path / "a.safetensors")
    loaded = load(tmp_path / "a.safetensors")["x"]
    assert isinstance(loaded, glassnet.Tensor)
    assert loaded.dtype == numpy.dtype(dtype) and loaded.shape == shape
    numpy.testing.assert_array_equal(loaded.numpy(), array)


def test_float_extremes_round_trip_bit_exactly(tmp_path):
    values = numpy.array(
        [numpy.nan, numpy.inf, -numpy.inf, -0.0, 5e-324, numpy.finfo(numpy.float64).max]
    )
    save({"x": values}, tmp_path / "a.safetensors")
    loaded = load(tmp_path / "a.safetensors")["x"]
    assert loaded.view(numpy.uint64).tolist() == values.view(numpy.uint64).tolist()


@pytest.mark.parametrize(
    "make_view",
    [
        lambda a: a.T,
        lambda a: a[:, ::2],
        lambda a: a[::-1, 1:],
        lambda a: numpy.asfortranarray(a),
        lambda a: numpy.broadcast_to(a[:1], a.shape),
    ],
    ids=["transpose", "step", "reversed", "fortran", "broadcast"],
)
def test_non_contiguous_arrays_are_saved_by_value(tmp_path, make_view):
    view = make_view(numpy.arange(24, dtype=numpy.float64).reshape(4, 6))
    save({"array": view, "tensor": glassnet.Tensor(view)}, tmp_path / "a.safetensors")
    loaded = load(tmp_path / "a.safetensors")
    numpy.testing.assert_array_equal(loaded["array"], view)
    numpy.testing.assert_array_equal(loaded["tensor"].numpy(), view)


def test_checkpoint_structure_round_trips_with_types(tmp_path, rng):
    weight = glassnet.randn(3, 4, requires_grad=True)
    momentum = glassnet.randn(3, 4)
    checkpoint = {
        "model": {"0.weight": weight, "0.bias": numpy.zeros(3, numpy.float32)},
        "optimizer": {
            "state": {0: {"momentum_buffer": momentum, "step": glassnet.tensor(7.0)}, 1: {}},
            "param_groups": [
                {
                    "lr": 0.1,
                    "betas": (0.9, 0.999),
                    "params": [0, 1],
                    "nesterov": False,
                    "foreach": None,
                    "name": "main",
                }
            ],
        },
        "epoch": 3,
        "floats": [0.1, -0.0, float("nan"), float("inf"), float("-inf"), 1e308],
        "numpy_scalars": (
            numpy.float32(0.1),
            numpy.float64(1 / 3),
            numpy.int64(-5),
            numpy.uint8(200),
            numpy.bool_(True),
            numpy.float32("nan"),
            numpy.float16(0.5),
        ),
        "nested": ((1, (2, [3])), []),
        "numpy_keys_and_strings": {numpy.int64(4): numpy.str_("four"), True: "bool key"},
        "empty": {},
    }
    path = tmp_path / "checkpoint.safetensors"
    save(checkpoint, path)
    loaded = load(path)

    assert tensor_names(path) == sorted(
        [
            "model/0.weight",
            "model/0.bias",
            "optimizer/state/0/momentum_buffer",
            "optimizer/state/0/step",
        ]
    )
    assert list(loaded) == list(checkpoint)
    assert (
        isinstance(loaded["model"]["0.weight"], glassnet.Tensor)
        and loaded["model"]["0.weight"].requires_grad
    )
    numpy.testing.assert_array_equal(
        loaded["model"]["0.weight"].detach().numpy(), weight.detach().numpy()
    )
    assert (
        type(loaded["model"]["0.bias"]) is numpy.ndarray
        and loaded["model"]["0.bias"].dtype == numpy.float32
    )
    state = loaded["optimizer"]["state"]
    assert list(state) == [0, 1] and state[1] == {}
    numpy.testing.assert_array_equal(state[0]["momentum_buffer"].numpy(), momentum.numpy())
    assert not state[0]["momentum_buffer"].requires_grad
    assert state[0]["step"].item() == 7.0 and state[0]["step"].shape == ()
    assert loaded["optimizer"]["param_groups"] == checkpoint["optimizer"]["param_groups"]
    assert type(loaded["optimizer"]["param_groups"][0]["betas"]) is tuple
    assert loaded["epoch"] == 3 and type(loaded["epoch"]) is int
    floats = loaded["floats"]
    assert floats[0] == 0.1 and str(floats[1]) == "-0.0" and numpy.isnan(floats[2])
    assert floats[3:] == [float("inf"), float("-inf"), 1e308]
    scalars = loaded["numpy_scalars"]
    assert [type(s) for s in scalars] == [type(s) for s in checkpoint["numpy_scalars"]]
    assert [s.dtype for s in scalars] == [s.dtype for s in checkpoint["numpy_scalars"]]
    assert (
        scalars[0] == numpy.float32(0.1)
        and scalars[1] == 1 / 3
        and scalars[2] == -5
        and scalars[3] == 200
    )
    assert scalars[4] is numpy.True_ and numpy.isnan(scalars[5]) and scalars[6] == 0.5
    assert loaded["nested"] == ((1, (2, [3])), []) and type(loaded["nested"][0][1]) is tuple
    assert loaded["empty"] == {}
    keyed = loaded["numpy_keys_and_strings"]
    assert keyed == {4: "four", True: "bool key"} and [type(key) for key in keyed] == [int, bool]
    assert type(keyed[4]) is str


@pytest.mark.parametrize("bit_generator", ["PCG64", "MT19937", "Philox", "SFC64"])
def test_numpy_generator_state_round_trips_exactly(tmp_path, bit_generator):
    generator = numpy.random.Generator(getattr(numpy.random, bit_generator)(2024))
    generator.standard_normal(17)  # move away from the seed state
    save({"rng": generator.bit_generator.state}, tmp_path / "rng.safetensors")
    restored = numpy.random.Generator(getattr(numpy.random, bit_generator)())
    restored.bit_generator.state = load(tmp_path / "rng.safetensors")["rng"]
    assert restored.bit_generator.state["bit_generator"] == bit_generator
    numpy.testing.assert_array_equal(restored.standard_normal(100), generator.standard_normal(100))


def test_big_ints_and_long_strings_survive_the_metadata(tmp_path):
    obj = {
        "big": 2**200 + 1,
        "negative": -(2**127) - 3,
        "text": "ünïcødé \u2028 \0 " + "x" * 2_000_000,
    }
    save(obj, tmp_path / "a.safetensors")
    assert load(tmp_path / "a.safetensors") == obj


def test_root_objects_other_than_dicts(tmp_path):
    path = tmp_path / "a.safetensors"
    save(glassnet.arange(4), path)
    assert tensor_names(path) == ["tensor"] and load(path).tolist() == [0, 1, 2, 3]
    save([glassnet.ones(2), 5, None], path)
    assert tensor_names(path) == ["0"]
    loaded = load(path)
    assert loaded[0].tolist() == [1.0, 1.0] and loaded[1:] == [5, None]
    save(3.5, path)
    assert load(path) == 3.5


def test_colliding_tensor_names_get_a_suffix_and_still_round_trip(tmp_path):
    a, b, c, d = (glassnet.full((2,), float(i)) for i in range(4))
    path = tmp_path / "a.safetensors"
    save({1: a, "1": b, "x/y": c, "x": {"y": d}}, path)
    assert tensor_names(path) == ["1", "1#2", "x/y", "x/y#2"]
    loaded = load(path)
    assert [loaded[key].tolist() for key in (1, "1", "x/y")] == [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]
    assert loaded["x"]["y"].tolist() == [3.0, 3.0]


def test_as_numpy_returns_arrays_everywhere(tmp_path):
    save(
        {"t": glassnet.ones(2), "a": numpy.zeros(2), "n": [glassnet.zeros(1)]},
        tmp_path / "a.safetensors",
    )
    loaded = load(tmp_path / "a.safetensors", as_numpy=True)
    assert all(type(v) is numpy.ndarray for v in (loaded["t"], loaded["a"], loaded["n"][0]))


def test_save_overwrites_an_existing_file(tmp_path):
    path = tmp_path / "a.safetensors"
    save({"x": glassnet.zeros(3)}, path)
    save({"y": glassnet.ones(2)}, path)
    assert list(load(path)) == ["y"]
    assert os.listdir(tmp_path) == ["a.safetensors"]


# -- PyTorch interop -------------------------------------------------------------------
def trained_torch_model() -> torch.nn.Module:
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(5, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 3)
    )
    for _ in range(3):  # moves running_mean/var and num_batches_tracked off their initial values
        model(torch.randn(8, 5))
    return model


def test_glassnet_state_dict_file_loads_into_a_torch_module(tmp_path):
    source = trained_torch_model()
    state_dict = {
        name: glassnet.tensor(value.numpy()) for name, value in source.state_dict().items()
    }
    path = tmp_path / "model.safetensors"
    save(state_dict, path)

    loaded = safetensors.torch.load_file(path)
    assert sorted(loaded) == sorted(source.state_dict())
    assert (
        loaded["1.num_batches_tracked"].dtype == torch.int64
        and loaded["1.num_batches_tracked"].item() == 3
    )
    target = torch.nn.Sequential(
        torch.nn.Linear(5, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 3)
    )
    target.load_state_dict(loaded)  # strict: any missing or unexpected key fails here
    for name, value in source.state_dict().items():
        assert torch.equal(target.state_dict()[name], value), name


def test_torch_safetensors_file_loads_as_glassnet_tensors(tmp_path):
    source = trained_torch_model()
    path = tmp_path / "torch.safetensors"
    safetensors.torch.save_file(source.state_dict(), path)
    loaded = load(path)
    assert sorted(loaded) == sorted(source.state_dict())
    for name, value in source.state_dict().items():
        assert isinstance(loaded[name], glassnet.Tensor)
        assert loaded[name].dtype == numpy.dtype(str(value.dtype).removeprefix("torch."))
        numpy.testing.assert_array_equal(loaded[name].numpy(), value.numpy())
    assert (
        loaded["1.num_batches_tracked"].shape == () and loaded["1.num_batches_tracked"].item() == 3
    )


def test_torch_tensors_can_be_saved_directly(tmp_path):
    source = trained_torch_model()
    save(source.state_dict(), tmp_path / "a.safetensors")
    loaded = load(tmp_path / "a.safetensors")
    numpy.testing.assert_array_equal(loaded["0.weight"].numpy(), source[0].weight.detach().numpy())


# -- atomic writes ---------------------------------------------------------------------
def test_crash_in_os_replace_leaves_the_previous_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "best.safetensors"
    save({"epoch": 1, "w": glassnet.ones(3)}, path)
    before = path.read_bytes()

    def crash(*args):
        raise OSError("simulated crash in os.replace")

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        save({"epoch": 2, "w": glassnet.zeros(3)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["best.safetensors"]
    assert load(path)["epoch"] == 1


def test_crash_half_way_through_the_writer_leaves_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "last.safetensors"
    save({"epoch": 1}, path)
    before = path.read_bytes()
    real_save_file = safetensors.numpy.save_file

    def half_then_crash(tensors, filename, metadata=None):
        real_save_file(tensors, filename, metadata=metadata)
        with open(filename, "r+b") as file:
            file.truncate(os.path.getsize(filename) // 2)
        raise KeyboardInterrupt  # BaseException too: Ctrl-C must not leave a temporary behind

    monkeypatch.setattr(safetensors.numpy, "save_file", half_then_crash)
    with pytest.raises(KeyboardInterrupt):
        save({"epoch": 2, "w": glassnet.zeros(1000)}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["last.safetensors"]


WRITER = textwrap.dedent("""
    import sys
    import numpy
    from glassnet.serialization import save
    path = sys.argv[1]
    for step in range(1_000_000):
        save({"step": step, "w": numpy.full(1_000_000, step, dtype=numpy.int64)}, path)
        if step == 0:
            print("ready", flush=True)
""")


@pytest.mark.timeout(120)
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("delay", [0.02, 0.08, 0.21])
def test_sigkill_during_repeated_saves_leaves_a_whole_file(tmp_path, delay):
    path = tmp_path / "last.safetensors"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline() == "ready\n"
        time.sleep(delay)
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=60)
        writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL
    loaded = load(path)  # the last file that was completely written, never a torn one
    assert (
        loaded["step"] >= 0
        and (loaded["w"] == loaded["step"]).all()
        and loaded["w"].shape == (1_000_000,)
    )
    # SIGKILL cannot clean up: a hidden temporary (ours, or the one safetensors' own writer
    # renames from) may remain, never a visible file
    leftovers = [name for name in os.listdir(tmp_path) if name != "last.safetensors"]
    assert all(name.startswith((".last.tmp-", ".tmp")) for name in leftovers), leftovers


def test_save_into_a_missing_folder_names_it(tmp_path):
    with pytest.raises(
        FileNotFoundError,
        match=r"save: cannot write '.*runs/x.safetensors': the folder '.*runs' "
        r"does not exist",
    ):
        save({}, tmp_path / "runs" / "x.safetensors")


# -- bad input -------------------------------------------------------------------------
class HasStateDict:
    def state_dict(self) -> dict:
        return {}


@pytest.mark.parametrize(
    "obj, error, message",
    [
        ({"a": {1, 2}}, TypeError, r"cannot store 'a' of type set"),
        (
            {"m": HasStateDict()},
            TypeError,
            (
                r"'m' is a HasStateDict; storing it whole would need pickle. Save its "
                r"\.state_dict\(\) instead"
            ),
        ),
        ({"z": numpy.zeros(2, complex)}, TypeError, r"cannot store 'z': dtype complex128"),
        ({"o": numpy.array([None])}, TypeError, r"cannot store 'o': dtype object"),
        (
            {"c": numpy.complex64(1j)},
            TypeError,
            r"cannot store 'c': NumPy scalar of dtype complex64",
        ),
        (
            {(1, 2): 3},
            TypeError,
            r"the object has a key \(1, 2\) of type tuple; dict keys must be str or int",
        ),
        ([[object()]], TypeError, r"cannot store '0/0' of type object"),
    ],
    ids=["set", "module", "complex", "object-array", "complex-scalar", "tuple-key", "nested-path"],
)
def test_save_rejects_what_it_cannot_store(tmp_path, obj, error, message):
    with pytest.raises(error, match=message):
        save(obj, tmp_path / "a.safetensors")
    assert os.listdir(tmp_path) == []


def test_save_rejects_a_cycle(tmp_path):
    cyclic: dict = {"a": []}
    cyclic["a"].append(cyclic)
    with pytest.raises(ValueError, match="save: 'a/0' contains itself"):
        save(cyclic, tmp_path / "a.safetensors")


def test_load_missing_file_and_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"load: no such file '.*nope.safetensors'"):
        load(tmp_path / "nope.safetensors")
    with pytest.raises(IsADirectoryError, match="is a folder, not a safetensors file"):
        load(tmp_path)


def test_load_refuses_torch_save_files(tmp_path):
    state_dict = trained_torch_model().state_dict()
    torch.save(state_dict, tmp_path / "model.pt")
    with pytest.raises(
        ValueError,
        match=r"'.*model.pt' is a zip archive.*this is a pickle/PyTorch \.pt file; "
        r"glassnet reads safetensors only",
    ):
        load(tmp_path / "model.pt")
    torch.save(state_dict, tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)
    with pytest.raises(
        ValueError,
        match=r"'.*legacy.pt' starts with a pickle \(protocol 2\): this is a "
        r"pickle/PyTorch \.pt file; glassnet reads safetensors only",
    ):
        load(tmp_path / "legacy.pt")


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_load_refuses_raw_pickles_without_unpickling(tmp_path, protocol):
    path = tmp_path / "data.pkl"
    path.write_bytes(pickle.dumps({"weights": [1, 2]}, protocol=protocol))
    with pytest.raises(
        ValueError,
        match=rf"data.pkl' starts with a pickle \(protocol {protocol}\).*never "
        "unpickles",
    ):
        load(path)


def test_load_refuses_npy_and_npz(tmp_path):
    numpy.save(tmp_path / "a.npy", numpy.zeros(3))
    with pytest.raises(
        ValueError, match=r"a.npy' is not a safetensors file: it is a NumPy \.npy file"
    ):
        load(tmp_path / "a.npy")
    numpy.savez(tmp_path / "a.npz", x=numpy.zeros(3))
    with pytest.raises(ValueError, match=r"a.npz' is a zip archive"):
        load(tmp_path / "a.npz")


def test_load_names_a_file_truncated_in_the_data_section(tmp_path):
    path = tmp_path / "model.safetensors"
    save({"w": glassnet.zeros(100, dtype=glassnet.float64)}, path)
    data = path.read_bytes()
    header_end = 8 + int.from_bytes(data[:8], "little")
    path.write_bytes(data[: header_end + 300])
    with pytest.raises(
        ValueError,
        match=r"model.safetensors' is truncated: tensor 'w' lies at bytes 0..800 of the "
        rf"data section, but only 300 bytes follow the header \(file size "
        rf"{header_end + 300}\)",
    ):
        load(path)


def test_load_names_a_file_truncated_in_the_header(tmp_path):
    path = tmp_path / "model.safetensors"
    save({"w": glassnet.zeros(10), "epoch": 4}, path)
    data = path.read_bytes()
    header_length = int.from_bytes(data[:8], "little")
    path.write_bytes(data[:40])
    with pytest.raises(
        ValueError,
        match=rf"is truncated: its header says the JSON header is {header_length} bytes "
        r"long, but only 32 bytes follow the 8-byte length \(file size 40\)",
    ):
        load(path)
    path.write_bytes(data[:5])
    with pytest.raises(
        ValueError,
        match=r"is truncated or not a safetensors file: it has 5 bytes, but a "
        "safetensors file starts with an 8-byte header length",
    ):
        load(path)
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="it has 0 bytes"):
        load(path)


def test_load_refuses_files_of_other_formats(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is text and not tensors\n")
    with pytest.raises(
        ValueError,
        match=r"notes.txt' is not a safetensors file: its first 8 bytes b'hello, t' are "
        r"not followed by a JSON header \(found b'h', expected b'\{'\)",
    ):
        load(path)
    header = b"{not json at all}"
    path.write_bytes(len(header).to_bytes(8, "little") + header)
    with pytest.raises(
        ValueError,
        match=r"is not a safetensors file: its JSON header \(bytes 8..25\) does not "
        "parse",
    ):
        load(path)


def write_with_metadata(path, document: object, tensors: dict | None = None) -> None:
    safetensors.numpy.save_file(tensors or {}, path, metadata={"glassnet": json.dumps(document)})


@pytest.mark.parametrize(
    "document, tensors, message",
    [
        (
            {"format": "glassnet", "version": 2, "structure": 1},
            None,
            "uses glassnet file format version 2; this glassnet reads version 1",
        ),
        (
            {"format": "other", "version": 1, "structure": 1},
            None,
            "the 'glassnet' metadata is not a glassnet structure",
        ),
        (
            {"format": "glassnet", "version": 1, "structure": {"tensor": "w"}},
            None,
            "damaged glassnet structure: it refers to tensor 'w', which the file does not hold",
        ),
        (
            {"format": "glassnet", "version": 1, "structure": {"pickle": "x"}},
            None,
            r'damaged glassnet structure: unknown entry \{"pickle": "x"\}',
        ),
        (
            {"format": "glassnet", "version": 1, "structure": {"dict": [[[1], 2]]}},
            None,
            "a dict is not a list of \\[key, value\\] pairs with str or int keys",
        ),
        (
            {"format": "glassnet", "version": 1, "structure": {"numpy": "int8", "value": 1000}},
            None,
            "bad NumPy scalar",
        ),
        (
            {"format": "glassnet", "version": 1, "structure": {"dict": []}},
            {"stray": numpy.zeros(1)},
            r"tensors \['stray'\] are in the file but not in its structure",
        ),
    ],
    ids=[
        "newer-version",
        "other-format",
        "missing-tensor",
        "unknown-entry",
        "bad-key",
        "bad-scalar",
        "extra",
    ],
)
def test_load_names_a_damaged_structure(tmp_path, document, tensors, message):
    path = tmp_path / "c.safetensors"
    write_with_metadata(path, document, tensors)
    with pytest.raises(ValueError, match=message):
        load(path)


def test_load_accepts_torch_load_arguments(tmp_path):
    path = tmp_path / "a.safetensors"
    save({"x": 1}, path)
    assert load(path, map_location="cpu", weights_only=True) == {"x": 1}
    with pytest.raises(
        ValueError, match="map_location='cuda:0' is not supported; glassnet loads onto the CPU"
    ):
        load(path, map_location="cuda:0")
