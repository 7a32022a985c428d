"""glassnet: a glass-box deep-learning framework on NumPy.

Every op's forward and backward sit side by side in `glassnet.ops`, each verified by
finite differences and against PyTorch. Names follow PyTorch.
"""

from glassnet import metrics, nn, ops, optim, utils, viz  # ops attaches the Tensor methods
from glassnet.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_dlpack,
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
)
from glassnet.dtypes import (
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
from glassnet.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from glassnet.gradcheck import GradcheckError, gradcheck
from glassnet.ops.activation import log_softmax, relu, sigmoid, softmax, tanh
from glassnet.ops.binary import *  # noqa: F403  (torch.atan2, torch.float_power, torch.nansum)
from glassnet.ops.blas import *  # noqa: F403  (torch.addmm, torch.baddbmm)
from glassnet.ops.cumulative import *  # noqa: F403  (torch.cumsum, torch.cumprod)
from glassnet.ops.einsum import *  # noqa: F403  (torch.einsum, torch.outer)
from glassnet.ops.elementwise import *  # noqa: F403  (torch.exp, torch.where, ...)
from glassnet.ops.extrema import *  # noqa: F403  (torch.amax, torch.amin)
from glassnet.ops.gather import *  # noqa: F403  (torch.gather, torch.scatter, ..., one_hot)
from glassnet.ops.linalg import bmm, matmul, mm
from glassnet.ops.logical import *  # noqa: F403  (torch.logical_and, torch.all, ...)
from glassnet.ops.modulo import *  # noqa: F403  (torch.fmod, torch.remainder)
from glassnet.ops.pointwise import *  # noqa: F403  (torch.square, torch.floor, ...)
from glassnet.ops.rearrange import *  # noqa: F403  (torch.tile, torch.roll, torch.flip, ...)
from glassnet.ops.reduce import *  # noqa: F403  (torch.sum, torch.max, ...)
from glassnet.ops.shape import *  # noqa: F403  (torch.cat, torch.reshape, ...)
from glassnet.ops.sort import *  # noqa: F403  (torch.sort, torch.argsort, torch.topk)
from glassnet.ops.tensor_methods import *  # noqa: F403  (torch.narrow, torch.nonzero, ...)
from glassnet.ops.vector_norm import norm
from glassnet.parallel import get_num_threads, set_num_threads
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
from glassnet.serialization import load, save
from glassnet.summary import summary
from glassnet.tensor import Tensor

float = float32
double = float64
long = int64
int = int32
short = int16

__version__ = "0.1.0"
