"""glassnet.compress: Deep Compression end to end, and a real compressed file.

    from glassnet import compress
    result = compress.compress_model(model, input_shape, (x, y), compress.DEEP_COMPRESSION)
    compress.save_compressed(result, "model.gnc.safetensors", source)
    model = compress.load("model.gnc.safetensors")

One concept per module:
    prune.py      magnitude pruning (per layer, global, Han's std rule), masks, AGP, sensitivity
    sparse.py     relative-index sparse storage (b-bit gaps with escapes), SparseLinear (scipy)
    cluster.py    weight sharing: k-means with linear/density/random init, centroid gradients
    quantize.py   int8/int4 linear quantisation, calibration, fake quant + STE, integer Linear
    binarize.py   BWN: alpha * sign(W), 1 bit per weight
    xnor.py       XNOR-Net: binary inputs too (sign with the STE, scale K), by forward hooks
    huffman.py    canonical Huffman coding to a real bitstream
    finetune.py   retraining with masks and proxies (code books, STE weights)
    fold.py       BatchNorm folding before compression
    pipeline.py   the recipe (stages in order) and its result
    encode.py     one layer <-> its stored tensors and header entry
    fileformat.py the safetensors file: save_compressed, load, read
    runs.py       a run folder in (its best checkpoint, data, standardisation), a file out
    report.py     the per-layer table and the totals
    experiments.py  plain-data experiments for bench/ and the lab
"""

from glassnet.compress.fileformat import CompressedFileError, load, read, save_compressed
from glassnet.compress.pipeline import DEEP_COMPRESSION, RECIPES, Compressed, Recipe, compress_model
from glassnet.compress.prune import CompressionError, MaskCallback, Masks, prune, prune_by_std

__all__ = [
    "DEEP_COMPRESSION",
    "RECIPES",
    "Compressed",
    "CompressedFileError",
    "CompressionError",
    "MaskCallback",
    "Masks",
    "Recipe",
    "compress_model",
    "load",
    "prune",
    "prune_by_std",
    "read",
    "save_compressed",
]
