"""Neural-network building blocks, `torch.nn` by name.

- `glassnet.nn.functional`: the functional interface (F.conv2d, F.cross_entropy, ...).
- `Parameter`, `Module` and the containers `Sequential`, `ModuleList`, `ModuleDict`.
- `glassnet.nn.init`: weight initialisers (xavier_*, kaiming_*, orthogonal_, ...).
"""

from glassnet.nn import functional, fusion, init, utils

# ---- layers -------------------------------------------------------------------------
from glassnet.nn.activation import (
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

# ---- issue 18: the PyTorch API a learner reaches for -----------------------------------
from glassnet.nn.activation_more import (
    CELU,
    GLU,
    SELU,
    Hardsigmoid,
    Hardswish,
    LogSigmoid,
    Mish,
    ReLU6,
    Softmin,
)
from glassnet.nn.attention import MultiheadAttention
from glassnet.nn.container import ModuleDict, ModuleList, Sequential
from glassnet.nn.conv import Conv1d, Conv2d
from glassnet.nn.conv_transpose import ConvTranspose1d, ConvTranspose2d
from glassnet.nn.dropout import Dropout, Dropout1d, Dropout2d, Dropout3d
from glassnet.nn.instancenorm import InstanceNorm1d, InstanceNorm2d
from glassnet.nn.linear import Flatten, Identity, Linear, Unflatten
from glassnet.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from glassnet.nn.loss_margin import (
    CosineSimilarity,
    HuberLoss,
    MarginRankingLoss,
    PairwiseDistance,
    TripletMarginLoss,
)
from glassnet.nn.module import Module
from glassnet.nn.normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from glassnet.nn.padding import ConstantPad2d, ReflectionPad2d, ReplicationPad2d, ZeroPad2d
from glassnet.nn.parameter import Parameter
from glassnet.nn.parameter_container import ParameterDict, ParameterList
from glassnet.nn.pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from glassnet.nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from glassnet.nn.sparse import Embedding
from glassnet.nn.transformer import TransformerEncoder, TransformerEncoderLayer
from glassnet.nn.upsample import PixelShuffle, PixelUnshuffle, Upsample
# ---- end of layers ------------------------------------------------------------------
