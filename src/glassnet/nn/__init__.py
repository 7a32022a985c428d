"""Neural-network building blocks, `torch.nn` by name.

- `glassnet.nn.functional`: the functional interface (F.conv2d, F.cross_entropy, ...).
- `Parameter`, `Module` and the containers `Sequential`, `ModuleList`, `ModuleDict`.
- `glassnet.nn.init`: weight initialisers (xavier_*, kaiming_*, orthogonal_, ...).
"""

from glassnet.nn import functional, fusion, init, utils  # noqa: F401
from glassnet.nn.container import ModuleDict, ModuleList, Sequential  # noqa: F401
from glassnet.nn.module import Module  # noqa: F401
from glassnet.nn.parameter import Parameter  # noqa: F401

# ---- layers -------------------------------------------------------------------------
from glassnet.nn.activation import (  # noqa: F401
    ELU,
    GELU,
    Hardtanh,
    LeakyReLU,
    LogSoftmax,
    PReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from glassnet.nn.conv import Conv1d, Conv2d  # noqa: F401
from glassnet.nn.dropout import Dropout, Dropout1d, Dropout2d, Dropout3d  # noqa: F401
from glassnet.nn.linear import Flatten, Identity, Linear, Unflatten  # noqa: F401
from glassnet.nn.loss import (  # noqa: F401
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from glassnet.nn.normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm  # noqa: F401
from glassnet.nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell  # noqa: F401
from glassnet.nn.pooling import (  # noqa: F401
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from glassnet.nn.sparse import Embedding  # noqa: F401
# ---- end of layers ------------------------------------------------------------------
