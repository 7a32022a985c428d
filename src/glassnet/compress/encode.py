"""One compressed layer <-> its stored tensors and JSON description (used by fileformat.py).

Per Linear/Conv weight, by method:

    prune+share   code book (float32, 2^b), cluster indices of the kept weights and the
                  gap codes of their positions: two bitstreams, Huffman or fixed-width
    share         code book and indices of every weight (no gaps)
    prune         float32 values of the kept weights and the gap bitstream
    int8 / int4   the integers (int8; int4 packed two per byte) and a float32 scale per
                  output channel
    bwn, xnor     the signs, 1 bit each (packbits), and float32 alpha per output channel
                  (xnor: the layer's inputs are binarised too, see xnor.py)
    dense         the float32 weight

A bitstream is a uint8 tensor; the header gives its bit count, symbol count and code
(Huffman: a list whose entry i is the code length of symbol i, 0 where absent; or a
fixed width) so the decoder needs nothing else. Han et al.'s
accounting (the per-layer table) counts stream bits and the code book, not the header.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet.compress import huffman
from glassnet.compress.binarize import BinaryWeight
from glassnet.compress.cluster import SharedLayer
from glassnet.compress.pipeline import LayerResult
from glassnet.compress.quantize import QuantizedWeight
from glassnet.compress.sparse import best_index_bits, decode_gaps, encode_gaps


@dataclass
class LayerStats:
    """Han et al.'s per-layer accounting, in bits."""

    name: str
    weights: int
    kept: int
    value_bits: int  # all value/index-into-code-book bits
    index_bits: int  # all sparse gap bits
    extra_bits: int  # code book, scales, alphas

    @property
    def rate(self) -> float:
        return 32 * self.weights / max(self.value_bits + self.index_bits + self.extra_bits, 1)


def _fixed_code(bits: int) -> huffman.HuffmanCode:
    return huffman.canonical(dict.fromkeys(range(2**bits), bits))


def _stream(
    symbols: np.ndarray, use_huffman: bool, fixed_bits: int
) -> tuple[np.ndarray, dict[str, Any]]:
    """(bytes, description) of one symbol stream."""
    if use_huffman and symbols.size:
        code = huffman.build_code(symbols)
        table = code.table()  # stored as a list: the code length of symbol i, 0 if absent
        info: dict[str, Any] = {"huffman": [table.get(s, 0) for s in range(max(table) + 1)]}
    else:
        code, info = _fixed_code(fixed_bits), {"fixed_bits": fixed_bits}
    data, num_bits = huffman.encode(symbols, code)
    return data, {**info, "bits": num_bits, "count": int(symbols.size)}


def _unstream(data: np.ndarray, info: dict[str, Any]) -> np.ndarray:
    if "huffman" in info:
        code = huffman.canonical({s: int(n) for s, n in enumerate(info["huffman"]) if n})
    else:
        code = _fixed_code(int(info["fixed_bits"]))
    return huffman.decode(data, int(info["bits"]), int(info["count"]), code)


def pack_nibbles(q: np.ndarray) -> np.ndarray:
    """int4 values (-8..7, held in int8) two per byte: (q0 + 8) << 4 | (q1 + 8), uint8."""
    flat = (q.ravel().astype(np.int16) + 8).astype(np.uint8)
    if flat.size % 2:
        flat = np.append(flat, np.uint8(8))
    return (flat[0::2] << 4) | flat[1::2]


def unpack_nibbles(packed: np.ndarray, size: int, shape: tuple[int, ...]) -> np.ndarray:
    """The inverse of `pack_nibbles`: `size` int8 values in `shape`."""
    if packed.size != (size + 1) // 2:
        raise ValueError(f"{packed.size} bytes of 4-bit values for {size} weights")
    flat = np.empty(2 * packed.size, np.int16)
    flat[0::2], flat[1::2] = packed >> 4, packed & 0x0F
    return (flat[:size] - 8).astype(np.int8).reshape(shape)


def checksum(tensors: dict[str, np.ndarray]) -> int:
    crc = 0
    for key in sorted(tensors):
        crc = zlib.crc32(np.ascontiguousarray(tensors[key]).tobytes(), crc)
    return crc


def encode_layer(
    entry: LayerResult, weight: np.ndarray, use_huffman: bool, index_bits: int | None, prefix: str
) -> tuple[dict[str, np.ndarray], dict[str, Any], LayerStats]:
    """(tensors named prefix + '.codebook' etc., the header entry, the accounting) of one layer."""
    tensors: dict[str, np.ndarray] = {}
    info: dict[str, Any] = {"shape": list(entry.shape)}
    n = int(np.prod(entry.shape))
    kept, value_bits, gap_bits, extra = n, 0, 0, 0
    positions = np.arange(n)
    if entry.mask is not None:
        b = index_bits or best_index_bits(entry.mask)
        gaps, positions = encode_gaps(entry.mask, b)
        tensors[prefix + ".gaps"], info["gaps"] = _stream(gaps, use_huffman, b)
        info["index_bits"], kept, gap_bits = b, int(positions.size), info["gaps"]["bits"]
    if entry.shared is not None:
        bits = int(np.log2(entry.shared.centroids.size))
        tensors[prefix + ".codebook"] = entry.shared.centroids.astype(np.float32)
        tensors[prefix + ".values"], info["values"] = _stream(
            entry.shared.labels, use_huffman, bits
        )
        info["method"] = "prune+share" if entry.mask is not None else "share"
        info["cluster_bits"], value_bits, extra = bits, info["values"]["bits"], 32 * 2**bits
    elif entry.quantized is not None:
        q = entry.quantized
        tensors[prefix + ".q"] = pack_nibbles(q.q) if q.bits == 4 else q.q
        tensors[prefix + ".scale"] = q.scale.astype(np.float32)
        if q.scheme == "affine":  # symmetric zero points are all 0: not stored
            tensors[prefix + ".zero"] = q.zero.astype(np.int32)
        info.update(method=f"int{q.bits}", scheme=q.scheme)
        value_bits, extra = q.bits * n, (64 if q.scheme == "affine" else 32) * q.scale.size
    elif entry.binary is not None:
        tensors[prefix + ".signs"], tensors[prefix + ".alpha"] = (
            entry.binary.bits,
            entry.binary.alpha,
        )
        info["method"] = "xnor" if entry.xnor else "bwn"
        value_bits, extra = n, 32 * entry.binary.alpha.size
    else:
        info["method"] = "prune" if entry.mask is not None else "dense"
        tensors[prefix + ".values"] = np.asarray(weight, np.float32).ravel()[positions]
        value_bits = 32 * kept
    info["crc32"] = checksum(tensors)
    return tensors, info, LayerStats(entry.name, n, kept, value_bits, gap_bits, extra)


def decode_layer(tensors: dict[str, np.ndarray], info: dict[str, Any], prefix: str) -> np.ndarray:
    """The dense float32 weight of one layer from its stored tensors (errors are ValueErrors)."""
    shape = tuple(int(s) for s in info["shape"])
    size = int(np.prod(shape))
    method = info["method"]
    mine = {k: v for k, v in tensors.items() if k.startswith(prefix + ".")}
    if checksum(mine) != info["crc32"]:
        raise ValueError("its stored data fail the checksum (the file was changed or damaged)")
    positions = np.arange(size)
    if "gaps" in info:
        codes = _unstream(mine[prefix + ".gaps"], info["gaps"])
        positions = decode_gaps(codes, int(info["index_bits"]), size)
    if method in ("prune+share", "share"):
        labels = _unstream(mine[prefix + ".values"], info["values"])
        codebook = mine[prefix + ".codebook"].astype(np.float64)
        if labels.size != positions.size or (labels.size and labels.max() >= codebook.size):
            raise ValueError(
                f"{labels.size} indices for {positions.size} kept weights / {codebook.size} centroids"
            )
        return SharedLayer(codebook, labels, positions, shape).dense()
    if method.startswith("int"):
        scale = mine[prefix + ".scale"].astype(np.float64)
        zero = mine.get(prefix + ".zero", np.zeros(scale.size, np.int32)).astype(np.int64)
        q = QuantizedWeight(
            unpack_nibbles(mine[prefix + ".q"], size, shape)
            if method == "int4"
            else mine[prefix + ".q"],
            scale,
            zero,
            int(method[3:]),
            info["scheme"],
        )
        return q.dense().reshape(shape)
    if method in ("bwn", "xnor"):
        return BinaryWeight(mine[prefix + ".alpha"], mine[prefix + ".signs"], shape).dense()
    values = mine[prefix + ".values"]
    if values.size != positions.size:
        raise ValueError(f"{values.size} stored values for {positions.size} positions")
    out = np.zeros(size, np.float32)
    out[positions] = values
    return out.reshape(shape)
