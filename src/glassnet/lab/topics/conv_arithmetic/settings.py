"""The conv_arithmetic topic: settings, and the formulas under test.

The standard answer, per spatial axis, is out = floor((W - K + 2P) / S) + 1; dilation, ceil
mode and TensorFlow's 'SAME' padding each change it. Every rule is exact integer arithmetic.
"""

from __future__ import annotations

from glassnet.shape import tf_same_output_size

COUNTS = {"smoke": 50, "quick": 2000, "full": 20000}  # random configurations per family
MAX_SIZE = 48  # input sizes are drawn from 1..MAX_SIZE per axis
PARTLY_SHARE = 0.95  # 'partly' when a formula agrees with the layer in at least this share
EXAMPLES_SHOWN = 3  # disagreements listed per formula in the table
Shape = tuple[int, ...]

# the families, in the report's order; each one's formulas: (family, formula key, its label)
FAMILIES = ("conv", "dilated", "pool", "ceil", "same")
FLOOR = "floor((W - K + 2P)/S) + 1"
FORMULA_ROWS = (
    ("conv", "notes", FLOOR),
    ("dilated", "notes", FLOOR),
    ("dilated", "dilated", "floor((W + 2P - D(K-1) - 1)/S) + 1"),
    ("pool", "notes", FLOOR),
    ("ceil", "notes", "floor((W - K' + 2P)/S) + 1, K' = D(K-1)+1"),
    ("ceil", "naive_ceil", "ceil((W + 2P - D(K-1) - 1)/S) + 1"),
    ("ceil", "ceil_rule", None),  # its label is a sentence: the catalog's 'ceil_rule_label'
    ("same", "tf_same", "ceil(W / S)"),
)
# worked examples: (layer, W, K, S, P)
EXAMPLES = (
    ("AlexNet conv1", 227, 11, 4, 0),
    ("ResNet stem conv", 224, 7, 2, 3),
    ("LeNet-5 conv1", 32, 5, 1, 0),
    ("VGG 3x3 conv", 224, 3, 1, 1),
)
# the figure: input sizes, the Conv2d layers drawn (K, S, P, D), the pool drawn (K, S, P)
FIGURE_SIZES = range(1, 41)
FIGURE_CONVS = ((3, 1, 1, 1), (3, 2, 1, 1), (5, 2, 0, 1), (3, 1, 0, 2))
FIGURE_POOL = (3, 2, 1)


def notes_formula(size: int, kernel: int, stride: int, padding: int) -> int:
    """floor((W - K + 2P) / S) + 1: the standard answer (no dilation, floor mode)."""
    return (size - kernel + 2 * padding) // stride + 1


def dilated_formula(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """floor((W + 2P - D(K - 1) - 1) / S) + 1: the kernel spans D(K - 1) + 1 inputs."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def naive_ceil_formula(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """ceil((W + 2P - D(K - 1) - 1) / S) + 1, without ceil mode's last-window rule."""
    return -(-(size + 2 * padding - dilation * (kernel - 1) - 1) // stride) + 1


def ceil_mode_formula(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """The naive ceil, minus one when the last window would start in the right padding."""
    out = naive_ceil_formula(size, kernel, stride, padding, dilation)
    return out - 1 if (out - 1) * stride >= size + padding else out


def tf_same_padding(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow's SAME: total max((ceil(W/S) - 1)S + D(K-1) + 1 - W, 0), the odd one on the right."""
    total = max(
        (tf_same_output_size(size, stride) - 1) * stride + dilation * (kernel - 1) + 1 - size, 0
    )
    return total // 2, total - total // 2
