"""LeNet-like CNN for 8x8 digits: the reference net of Deep Compression's LeNet rows on digits.

    x (1, 8, 8) -> conv 3x3 pad 1 (1 -> 6) -> ReLU -> max-pool 2 -> conv 3x3 pad 1 (6 -> 16)
      -> ReLU -> max-pool 2 -> flatten (64) -> FC 120 -> ReLU -> FC 84 -> ReLU -> FC 10

19,518 weights (54 + 864 + 7,680 + 10,080 + 840) and 236 biases: LeNet-5's shape (two
convolutions, three fully connected layers of 120, 84 and 10) scaled to 8x8 inputs,
without BatchNorm, as in Han et al.'s LeNet-5 experiments.
"""

from __future__ import annotations

from collections.abc import Sequence

from glassnet.models.cnn import CNN

CHANNELS = (6, 16)
HIDDEN = (120, 84)


class LeNetDigits(CNN):
    """The LeNet-like digits CNN above (a `CNN` with fixed widths and no BatchNorm)."""

    def __init__(
        self,
        input_shape: Sequence[int] = (1, 8, 8),
        num_classes: int = 10,
        activation: str = "relu",
        init: str | None = None,
    ) -> None:
        super().__init__(
            input_shape,
            num_classes,
            channels=CHANNELS,
            hidden=HIDDEN,
            kernel_size=3,
            activation=activation,
            batchnorm=False,
            init=init,
        )
