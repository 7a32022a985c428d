"""Neural-network building blocks, `torch.nn` by name.

- `glassnet.nn.functional`: the functional interface (F.conv2d, F.cross_entropy, ...).
- `Parameter`, `Module` and the containers `Sequential`, `ModuleList`, `ModuleDict`.
- `glassnet.nn.init`: weight initialisers (xavier_*, kaiming_*, orthogonal_, ...).
"""

from glassnet.nn import functional, init  # noqa: F401
from glassnet.nn.container import ModuleDict, ModuleList, Sequential  # noqa: F401
from glassnet.nn.module import Module  # noqa: F401
from glassnet.nn.parameter import Parameter  # noqa: F401

# ---- layers -------------------------------------------------------------------------
# Layer classes (Linear, Conv2d, BatchNorm2d, ReLU, CrossEntropyLoss, ...) are exported
# here, one import line per layer file, e.g.:
#     from glassnet.nn.linear import Identity, Linear  # noqa: F401
# ---- end of layers ------------------------------------------------------------------
