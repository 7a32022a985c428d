"""The ops: one `Function` subclass per op, forward and backward side by side.

Importing this package attaches every op's Tensor methods.
"""

from glassnet.ops import (
    activation,
    cast,
    conv,
    dropout,
    elementwise,
    embedding,
    linalg,
    loss,
    loss_pointwise,
    norm,
    pool,
    reduce,
    shape,
)
