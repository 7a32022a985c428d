"""Output encodings of a classifier: how its C outputs meet the class labels (`glassnet train --loss`).

    cross_entropy  softmax + cross-entropy:  L = -log( exp(z_y) / sum_c exp(z_c) )
    bce            C independent sigmoids + per-class binary cross-entropy on the one-hot
                   target t:  L = -(1/C) sum_c [ t_c log s(z_c) + (1 - t_c) log(1 - s(z_c)) ]
    mse            the raw outputs regressed on the one-hot target:  L = (1/C) sum_c (z_c - t_c)^2

All three predict argmax_c z_c (sigmoid and softmax are monotone), so accuracy is comparable.
Cross-entropy's gradient dL/dz = softmax(z) - t does not vanish when the output saturates;
MSE through a squashing output does, which is the textbook reason to pair softmax with it.
"""

from __future__ import annotations

from glassnet import nn
from glassnet.backend import namespace
from glassnet.tensor import Tensor

LOSSES = ("cross_entropy", "bce", "mse")


class OneHotLoss(nn.Module):
    """`loss(input, one_hot(target))`: a loss over C outputs fed integer class labels."""

    def __init__(self, loss: nn.Module) -> None:
        super().__init__()
        self.loss = loss

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        xp = namespace(input.data)
        classes = int(input.shape[-1])
        labels = xp.asarray(target.data).astype("int64")
        one_hot = xp.eye(classes, dtype=input.data.dtype)[labels]
        return self.loss(input, Tensor(one_hot))


def make_loss(name: str) -> nn.Module:
    """The training loss for output encoding `name` (one of LOSSES)."""
    if name == "cross_entropy":
        return nn.CrossEntropyLoss()
    if name == "bce":
        return OneHotLoss(nn.BCEWithLogitsLoss())
    if name == "mse":
        return OneHotLoss(nn.MSELoss())
    raise ValueError(f"loss must be one of {', '.join(LOSSES)}, got {name!r}")
