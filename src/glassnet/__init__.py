"""glassnet: a glass-box deep-learning framework on NumPy.

Every op's forward and backward sit side by side in `glassnet.ops`, each verified by
finite differences and against PyTorch. Names follow PyTorch.
"""

from glassnet import nn, ops  # noqa: F401  (ops attaches the Tensor methods)
from glassnet.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    tensor,
    zeros,
    zeros_like,
)
from glassnet.dtypes import (
    bool_ as bool,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    result_type,
    uint8,
)
from glassnet.gradcheck import GradcheckError, gradcheck
from glassnet.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from glassnet.ops.elementwise import *  # noqa: F401,F403  (torch.exp, torch.where, ...)
from glassnet.ops.activation import log_softmax, relu, sigmoid, softmax, tanh  # noqa: F401
from glassnet.ops.linalg import bmm, matmul, mm  # noqa: F401
from glassnet.ops.reduce import *  # noqa: F401,F403  (torch.sum, torch.max, ...)
from glassnet.ops.shape import *  # noqa: F401,F403  (torch.cat, torch.reshape, ...)
from glassnet.serialization import load, save  # noqa: F401
from glassnet import metrics, optim, viz  # noqa: F401
from glassnet.summary import summary  # noqa: F401
from glassnet.random import (
    manual_seed,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
)
from glassnet.tensor import Tensor

float = float32  # noqa: A001  (torch.float)
double = float64
long = int64
int = int32  # noqa: A001  (torch.int)
short = int16

__version__ = "0.1.0"
