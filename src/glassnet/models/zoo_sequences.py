"""The zoo's builders for sequence models: (L,) or channels-first (C, L) samples -> the 1-D nets,
the recurrent nets and the transformer.

A recurrent net reads (C, L) as L steps of C features: `SequenceClassifier` transposes the
batch to (N, L, C) at its door, so the same data serves cnn1d, resnet1d and lstm.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from glassnet.models.resnet1d import CNN1d, ResNet1d
from glassnet.models.rnn_classifier import RNNClassifier
from glassnet.models.transformer import TransformerClassifier
from glassnet.models.zoo_inputs import SEQUENCE, initialised, refuse, sequence_shape
from glassnet.tensor import Tensor

RNN_HIDDEN_SIZE = 64  # RNNClassifier's default; the GRU baseline of the MNIST-1D paper


def build_cnn1d(
    input_shape: tuple[int, ...], num_classes: int, channels: int = 25, init: str | None = None
) -> CNN1d:
    in_channels, length = sequence_shape("cnn1d", input_shape)
    if length < 3:
        raise refuse(
            "cnn1d",
            input_shape,
            "sequences of at least 3 steps (its first conv has 5 taps, padding 1)",
        )
    return initialised(CNN1d(num_classes, in_channels, length, channels), init)


def build_resnet1d(
    input_shape: tuple[int, ...],
    num_classes: int,
    layers: Sequence[int] = (2, 2, 2),
    widths: Sequence[int] = (32, 64, 128),
    kernel_size: int = 3,
    init: str | None = None,
) -> ResNet1d:
    in_channels, _ = sequence_shape("resnet1d", input_shape)
    return initialised(ResNet1d(layers, widths, num_classes, in_channels, kernel_size), init)


class SequenceClassifier(RNNClassifier):
    """RNNClassifier over glassnet's channels-first sequences: a batch (N, C, L) is read as L steps of C features.

    A batch (N, L) of one-channel sequences passes as it is (RNNClassifier reads it as
    L steps of 1 feature). Anything else 3-D must have input_size channels.
    """

    def forward(self, x: Tensor) -> Tensor:
        if isinstance(x, Tensor) and x.ndim == 3:
            if x.shape[1] != self.input_size:
                raise ValueError(
                    f"SequenceClassifier: expected channels-first sequences (N, {self.input_size}, L), "
                    f"got input of shape {tuple(x.shape)}"
                )
            x = x.transpose(1, 2)
        return super().forward(x)


def recurrent_builder(name: str, cell: str) -> Callable[..., SequenceClassifier]:
    def build(
        input_shape: tuple[int, ...],
        num_classes: int,
        hidden: Sequence[int] | int | None = None,
        hidden_size: int | None = None,
        num_layers: int | None = None,
        bidirectional: bool = False,
        dropout: float = 0.0,
    ) -> SequenceClassifier:
        features, _ = sequence_shape(
            name, input_shape, f"{SEQUENCE}, read as L steps of C features"
        )
        if hidden is not None:
            if hidden_size is not None or num_layers is not None:
                raise ValueError(
                    f"model {name!r}: give hidden (one width per stacked layer) or hidden_size and "
                    f"num_layers, not both; got hidden={hidden!r}, hidden_size={hidden_size!r}, "
                    f"num_layers={num_layers!r}"
                )
            widths = [hidden] if isinstance(hidden, int) else [int(width) for width in hidden]
            if not widths or len(set(widths)) != 1:
                raise ValueError(
                    f"model {name!r}: stacked recurrent layers share one width; hidden must repeat "
                    f"one width (e.g. 64,64 for two layers), got hidden={widths}"
                )
            hidden_size, num_layers = widths[0], len(widths)
        return SequenceClassifier(
            features,
            hidden_size or RNN_HIDDEN_SIZE,
            num_classes,
            cell=cell,
            num_layers=1 if num_layers is None else num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
        )

    return build


def build_transformer(
    input_shape: tuple[int, ...],
    num_classes: int,
    hidden: Sequence[int] | int | None = None,
    dropout: float | None = None,
    d_model: int | None = None,
    nhead: int = 4,
    num_layers: int = 2,
    dim_feedforward: int | None = None,
    patch_size: int = 4,
) -> TransformerClassifier:
    channels, length = sequence_shape("transformer", input_shape)
    widths = [32] if hidden is None else [hidden] if isinstance(hidden, int) else list(hidden)
    if len(widths) != 1:
        raise ValueError(
            f"model 'transformer': hidden is the one token width (d_model) of every layer, e.g. 32; "
            f"got hidden={widths}"
        )
    width = d_model or int(widths[0])
    return TransformerClassifier(
        channels,
        length,
        num_classes,
        d_model=width,
        nhead=nhead,
        num_layers=num_layers,
        dim_feedforward=dim_feedforward or 2 * width,
        dropout=0.1 if dropout is None else dropout,
        patch_size=patch_size,
    )
