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

Structural compression (issue 15):
    svd.py        truncated SVD of Linear layers: Linear(n, m) -> Linear(n, k) -> Linear(k, m)
    lowrank.py    Tucker-2 (TensorLy) and separable k x 1 / 1 x k convolutions
    channel_groups.py  the channels that must go together (residual adds, depthwise convs)
    channels.py   channel pruning (L1 filters, network slimming) into a smaller dense model
    distill.py    knowledge distillation: Hinton's loss, and a Trainer loss_fn with a teacher
    replace.py    efficient-layer swaps: bottleneck, depthwise separable, grouped + shuffle
    structural.py a run compressed structurally (+ fine-tuning or distillation) into a model file
    swap.py       putting a module where another one is registered
"""

from glassnet.compress.channels import SlimmingPenalty, mask_channels, prune_channels, shrink_to
from glassnet.compress.distill import DistillationLoss, distillation_loss
from glassnet.compress.fileformat import CompressedFileError, load, read, save_compressed
from glassnet.compress.lowrank import lowrank_compress
from glassnet.compress.pipeline import DEEP_COMPRESSION, RECIPES, Compressed, Recipe, compress_model
from glassnet.compress.prune import CompressionError, MaskCallback, Masks, prune, prune_by_std
from glassnet.compress.replace import replace
from glassnet.compress.structural import StructuralOptions, load_structural, restructure_run
from glassnet.compress.svd import svd_compress

__all__ = [
    "DEEP_COMPRESSION",
    "RECIPES",
    "Compressed",
    "CompressedFileError",
    "CompressionError",
    "DistillationLoss",
    "MaskCallback",
    "Masks",
    "Recipe",
    "SlimmingPenalty",
    "StructuralOptions",
    "compress_model",
    "distillation_loss",
    "load",
    "load_structural",
    "lowrank_compress",
    "mask_channels",
    "prune",
    "prune_by_std",
    "prune_channels",
    "read",
    "replace",
    "restructure_run",
    "save_compressed",
    "shrink_to",
    "svd_compress",
]
