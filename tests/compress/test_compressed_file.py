"""The compressed file: it loads into a model whose outputs equal the compressed model's; damage is named."""

from __future__ import annotations

import json

import numpy as np
import pytest
import safetensors.numpy

import glassnet
from glassnet.compress import (
    CompressedFileError,
    Recipe,
    compress_model,
    load,
    read,
    save_compressed,
)
from glassnet.compress.encode import pack_nibbles, unpack_nibbles
from glassnet.compress.fileformat import dense_size
from glassnet.compress.prune import CompressionError
from glassnet.tensor import Tensor
from glassnet.train.job import make_model, resolve_config

SHAPE = (1, 8, 8)
RECIPES = {
    "prune+share+huffman": Recipe(
        prune=0.8, prune_rounds=2, cluster_bits=3, huffman=True, finetune_epochs=1
    ),
    "share-fixed": Recipe(cluster_bits=4),
    "prune-only": Recipe(prune=0.5, index_bits=3),
    "int8": Recipe(quantize="int8", finetune_epochs=1),
    "int4-per-tensor": Recipe(quantize="int4", per_channel=False),
    "bwn": Recipe(binarize="bwn", finetune_epochs=1),
    "xnor": Recipe(binarize="xnor", finetune_epochs=1),
}


def _trained(model_name: str, rng, **options):
    config = resolve_config({"model": model_name, **options})
    glassnet.manual_seed(0)
    model = make_model(config, SHAPE, 10)
    x = rng.standard_normal((64, *SHAPE)).astype(np.float32)
    y = rng.integers(0, 10, 64)
    model.train()
    model(Tensor(x))  # BatchNorm running statistics away from their defaults
    model.eval()
    source = {
        "config": config,
        "input_shape": SHAPE,
        "classes": [str(i) for i in range(10)],
        "mean": np.zeros((1, 1, 1), np.float32),
        "std": np.ones((1, 1, 1), np.float32),
    }
    return model, (x, y), source


@pytest.mark.parametrize("name", list(RECIPES))
def test_loaded_model_outputs_equal_the_compressed_models(name, rng, tmp_path):
    model, data, source = _trained("cnn", rng, hidden=[16], batchnorm=True)
    result = compress_model(model, SHAPE, data, RECIPES[name])
    path = tmp_path / "m.gnc.safetensors"
    stats = save_compressed(result, path, source)
    loaded = load(path)
    x = Tensor(data[0][:16])
    np.testing.assert_array_equal(loaded(x).data, result.model(x).data)
    header, _ = read(path)
    assert (
        header["model"]["folded"] is True
        and header["recipe"].get("quantize") == RECIPES[name].quantize
    )
    assert set(stats) == set(header["layers"]) == {"0", "4", "9", "11"}
    assert path.stat().st_size < dense_size(model)


def test_pruned_weights_are_exact_zeros_after_loading(rng, tmp_path):
    model, data, source = _trained("mlp", rng, hidden=[64, 32], batchnorm=False)
    result = compress_model(model, SHAPE, data, RECIPES["prune+share+huffman"])
    save_compressed(result, tmp_path / "m.safetensors", source)
    loaded = load(tmp_path / "m.safetensors")
    weight = loaded[3].weight.data
    assert np.mean(weight == 0) == pytest.approx(0.8, abs=0.01)
    assert np.unique(weight[weight != 0]).size <= 8


def _saved(rng, tmp_path):
    model, data, source = _trained("mlp", rng, hidden=[64, 32], batchnorm=False)
    result = compress_model(model, SHAPE, data, RECIPES["prune+share+huffman"])
    path = tmp_path / "m.gnc.safetensors"
    save_compressed(result, path, source)
    return path


def test_a_changed_byte_is_reported_with_its_layer(rng, tmp_path):
    path = _saved(rng, tmp_path)
    raw = bytearray(path.read_bytes())
    header_length = int.from_bytes(raw[:8], "little")
    raw[8 + header_length + 5] ^= 0xFF  # inside the first tensor's bytes
    path.write_bytes(bytes(raw))
    with pytest.raises(CompressedFileError, match=r"layer \d+: its stored data fail the checksum"):
        load(path)


def test_a_truncated_file_fails_clearly(rng, tmp_path):
    path = _saved(rng, tmp_path)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(
        CompressedFileError, match=r"truncated: .* cut: layer\(s\) 5 \(5.weight.values\)"
    ):
        load(path)
    path.write_bytes(b"\x10\x00")  # not even a header
    with pytest.raises(CompressedFileError, match="is not a readable safetensors file"):
        load(path)


def test_a_file_from_another_model_is_refused(rng, tmp_path):
    path = _saved(rng, tmp_path)
    header, tensors = read(path)
    header["model"]["config"]["hidden"] = [64, 16]  # claims a different architecture
    path.write_bytes(
        safetensors.numpy.save(tensors, metadata={"glassnet.compress": json.dumps(header)})
    )
    with pytest.raises(
        CompressedFileError, match=r"do not fit model 'mlp'.*3.bias stored \(32,\) vs model \(16,\)"
    ):
        load(path)


def test_a_plain_safetensors_file_is_not_taken_for_a_compressed_one(tmp_path):
    glassnet.save({"w": np.zeros(3, np.float32)}, tmp_path / "plain.safetensors")
    with pytest.raises(CompressedFileError, match="not a glassnet compressed model"):
        load(tmp_path / "plain.safetensors")


def test_recipes_with_two_value_techniques_or_huffman_alone_are_refused():
    with pytest.raises(
        CompressionError, match="choose one of --cluster-bits, --quantize and --binarize"
    ):
        Recipe(cluster_bits=4, quantize="int8").check()
    with pytest.raises(CompressionError, match="--huffman codes cluster indices"):
        Recipe(huffman=True).check()
    with pytest.raises(CompressionError, match="pruned zeros cannot stay: drop --prune"):
        Recipe(prune=0.5, binarize="bwn").check()


def test_int4_weights_take_half_a_byte_each_on_disk(rng, tmp_path):
    model, data, source = _trained(
        "mlp", rng, hidden=[63], batchnorm=False
    )  # 64*63 + 63*10 weights
    paths = {}
    for name in ("int8", "int4-per-tensor"):
        result = compress_model(model, SHAPE, data, RECIPES[name])
        paths[name] = tmp_path / f"{name}.safetensors"
        save_compressed(result, paths[name], source)
        np.testing.assert_array_equal(
            load(paths[name])(Tensor(data[0])).data, result.model(Tensor(data[0])).data
        )
    _, tensors = read(paths["int4-per-tensor"])
    assert tensors["1.weight.q"].dtype == np.uint8 and tensors["1.weight.q"].size == 64 * 63 // 2
    assert tensors["3.weight.q"].size == 63 * 10 // 2


def test_nibble_packing_round_trips_odd_sizes(rng):
    q = rng.integers(-8, 8, (3, 5)).astype(np.int8)
    packed = pack_nibbles(q)
    assert packed.dtype == np.uint8 and packed.size == 8
    np.testing.assert_array_equal(unpack_nibbles(packed, 15, (3, 5)), q)
    with pytest.raises(ValueError, match="7 bytes of 4-bit values for 15 weights"):
        unpack_nibbles(packed[:7], 15, (3, 5))
