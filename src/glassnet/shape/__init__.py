"""Conv and pool arithmetic: output sizes, 'same' padding, receptive fields, a stage walk.

The notes' first question: given a CNN input, kernel size, padding and stride, what is
the output shape? Per spatial axis PyTorch computes

    out = floor((in + 2*p - d*(k-1) - 1) / s) + 1

where d*(k-1) + 1 is the span of the dilated kernel: the number of window positions
that fit in the padded input, one every s steps. Pools in ceil mode round up instead,
except that a last window may not start inside the right padding. Receptive field r and
jump j (the input distance between neighbouring outputs) grow per stage as

    r_out = r_in + (d*(k-1)) * j_in,    j_out = j_in * s.

Pure integer arithmetic: no Tensor is needed. The formula itself is written once, in
`glassnet.ops.im2col.output_size`, which the convolutions and pools use too.

The package: `arithmetic.py` (the formulas), `stages.py` (parsing stage specs such as
conv:64,k3,s2,p1) and `walk.py` (a shape pushed through stages, with every formula
written out), which `glassnet shape` prints.
"""

from glassnet.shape.arithmetic import (
    ShapeError,
    conv_output_size,
    pool_output_size,
    receptive_field_step,
    same_padding,
    tf_same_output_size,
)
from glassnet.shape.stages import STAGE_GRAMMAR, Stage, parse_input_shape, parse_stage
from glassnet.shape.walk import StageRecord, format_walk, walk

__all__ = [
    "ShapeError",
    "Stage",
    "StageRecord",
    "STAGE_GRAMMAR",
    "conv_output_size",
    "pool_output_size",
    "same_padding",
    "tf_same_output_size",
    "receptive_field_step",
    "parse_input_shape",
    "parse_stage",
    "walk",
    "format_walk",
]
