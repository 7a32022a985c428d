"""`glassnet.nn.functional`: PyTorch's functional names, each a thin call into `glassnet.ops`.

Each op module lists its functional names in `__all__`; this module gathers them.
"""

from __future__ import annotations

from glassnet.ops.activation import *  # noqa: F403
from glassnet.ops.activation_more import *  # noqa: F403
from glassnet.ops.attention import *  # noqa: F403
from glassnet.ops.conv import *  # noqa: F403
from glassnet.ops.conv_transpose import *  # noqa: F403
from glassnet.ops.distance import *  # noqa: F403
from glassnet.ops.dropout import *  # noqa: F403
from glassnet.ops.embedding import *  # noqa: F403
from glassnet.ops.fold import *  # noqa: F403
from glassnet.ops.gather import one_hot  # noqa: F401
from glassnet.ops.instance_norm import *  # noqa: F403
from glassnet.ops.linalg import *  # noqa: F403
from glassnet.ops.loss import *  # noqa: F403
from glassnet.ops.loss_margin import *  # noqa: F403
from glassnet.ops.loss_pointwise import *  # noqa: F403
from glassnet.ops.norm import *  # noqa: F403
from glassnet.ops.pool import *  # noqa: F403
from glassnet.ops.shape import pad  # noqa: F401
from glassnet.ops.upsample import *  # noqa: F403
