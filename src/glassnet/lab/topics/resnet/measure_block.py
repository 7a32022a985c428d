"""The resnet topic: glassnet's residual block against the notes' definition y = relu(f(x) + x).

The block is the zoo's (`glassnet.models.resnet_cifar.CifarBasicBlock`, option A). Its
residual branch f is computed from the block's own layers,

    f(x) = bn2(conv2(relu(bn1(conv1(x)))))

the sum f(x) + x is formed in NumPy and passed through ReLU, and the result is compared
with the block's output (train mode: batch statistics; the BN scales and shifts are
random so that f is not merely standardised). Then the branch is zeroed (bn2's gamma and
beta set to 0, so f(x) = 0) and the block must give relu(x). Beside: the block that
changes shape (stride 2), where the notes' x is the shortcut's zero-padded subsample.
"""

from __future__ import annotations

import numpy as np

import glassnet
from glassnet.lab.topics.resnet.settings import BLOCK_SHAPE
from glassnet.models.resnet_cifar import CifarBasicBlock
from glassnet.tensor import Tensor


def branch(block: CifarBasicBlock, x: Tensor) -> np.ndarray:
    """f(x) = bn2(conv2(relu(bn1(conv1(x))))), from the block's own layers."""
    return block.bn2(block.conv2(block.relu(block.bn1(block.conv1(x))))).data


def relative(found: np.ndarray, expected: np.ndarray) -> float:
    """max |found - expected| over max |expected|."""
    return float(np.max(np.abs(found - expected)) / max(float(np.max(np.abs(expected))), 1e-30))


def random_affine(block: CifarBasicBlock, rng: np.random.Generator) -> None:
    for norm in (block.bn1, block.bn2):
        norm.weight.data[...] = rng.uniform(0.5, 2.0, norm.weight.shape)
        norm.bias.data[...] = rng.uniform(-1.0, 1.0, norm.bias.shape)


def measure_block(seed: int) -> dict[str, float]:
    """The block against relu(f(x) + x), with its branch zeroed, and the shape-changing block."""
    rng = np.random.default_rng([seed, 13])
    glassnet.manual_seed(seed)
    channels = BLOCK_SHAPE[1]
    block = CifarBasicBlock(channels, channels, 1, "A")
    down = CifarBasicBlock(channels, 2 * channels, 2, "A")
    random_affine(block, rng)
    random_affine(down, rng)
    x_array = rng.standard_normal(BLOCK_SHAPE).astype(np.float32)
    with glassnet.no_grad():
        x = glassnet.tensor(x_array)
        same = relative(block(x).data, np.maximum(branch(block, x) + x_array, 0))
        shortcut = down.downsample(x).data
        changed = relative(down(x).data, np.maximum(branch(down, x) + shortcut, 0))
        block.bn2.weight.data[...] = 0.0
        block.bn2.bias.data[...] = 0.0
        zero_branch = float(np.max(np.abs(branch(block, x))))
        zeroed = relative(block(x).data, np.maximum(x_array, 0))
    return {
        "same": same,
        "zeroed": zeroed,
        "zero_branch": zero_branch,
        "changed": changed,
        "negative_share": float(np.mean(x_array < 0)),
    }
