"""The ops: one `Function` subclass per op, forward and backward side by side.

Importing this package attaches every op's Tensor methods.
"""

from glassnet.ops import (  # the PyTorch API of issue 18
    activation,
    binary,
    blas,
    cast,
    conv,
    cumulative,
    dropout,
    einsum,
    elementwise,
    embedding,
    extrema,
    gather,
    linalg,
    logical,
    loss,
    loss_pointwise,
    norm,
    pointwise,
    pool,
    rearrange,
    reduce,
    shape,
    sort,
    tensor_methods,
    vector_norm,
)
