"""Sequence classification from a recurrent net's final state (many-to-one).

The point: an RNN, LSTM or GRU reads a sequence step by step and its last hidden state
h_T summarises all of it; one linear layer on h_T gives class logits. The LSTM
(Hochreiter & Schmidhuber, 1997) and GRU (Cho et al., 2014) carry that summary
through gates, whose additive cell/state update keeps gradients from vanishing over
long sequences as they do through a plain tanh RNN's repeated multiplications by
W_hh. Bidirectional (Schuster & Paliwal, 1997): a second RNN reads the sequence
backwards; its final state (reached at t = 0) is concatenated with the forward one.
On MNIST-1D (40 steps of 1 feature) the dataset's paper reports ~91% for a GRU.
"""

from __future__ import annotations

from typing import Any

from glassnet.nn.layer_args import check_choice, check_int
from glassnet.nn.linear import Linear
from glassnet.nn.module import Module
from glassnet.nn.recurrent import GRU, LSTM, RNN
from glassnet.ops.shape import cat
from glassnet.tensor import Tensor

CELLS = {"lstm": LSTM, "gru": GRU, "rnn": RNN}


class RNNClassifier(Module):
    """RNNClassifier(input_size, hidden_size, num_classes, cell='lstm', num_layers=1, bidirectional=False,
    batch_first=True, dropout=0.0).

    `rnn` is a glassnet.nn LSTM, GRU or RNN (tanh) with these arguments (dropout between
    stacked layers); `fc` maps the last layer's final hidden state — [forward, reverse]
    when bidirectional, 2 * hidden_size features — to num_classes logits.
    Input: (N, L, input_size) with batch_first (else (L, N, input_size)); with
    input_size=1 also (N, L) (else (L, N)), a batch of scalar sequences such as MNIST-1D.
    Output: (N, num_classes).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_classes: int,
        cell: str = "lstm",
        num_layers: int = 1,
        bidirectional: bool = False,
        batch_first: bool = True,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        check_choice("RNNClassifier", "cell", cell, tuple(CELLS))
        check_int("RNNClassifier", "num_classes", num_classes, 1)
        self.cell, self.bidirectional, self.batch_first = cell, bidirectional, batch_first
        self.input_size = input_size
        self.rnn = CELLS[cell](
            input_size,
            hidden_size,
            num_layers=num_layers,
            batch_first=batch_first,
            dropout=dropout,
            bidirectional=bidirectional,
        )
        self.fc = Linear(hidden_size * (2 if bidirectional else 1), num_classes)

    def forward(self, x: Tensor) -> Tensor:
        layout = "(N, L, input_size)" if self.batch_first else "(L, N, input_size)"
        if isinstance(x, Tensor) and x.ndim == 2:
            if self.input_size != 1:
                raise ValueError(
                    f"RNNClassifier: expected a 3-D batch {layout} with input_size="
                    f"{self.input_size}, got 2-D input of shape {tuple(x.shape)}; a 2-D batch of "
                    "scalar sequences is accepted only when input_size=1"
                )
            x = x.unsqueeze(-1)
        if isinstance(x, Tensor) and x.ndim != 3:
            raise ValueError(
                f"RNNClassifier: expected a 3-D batch {layout}, got {x.ndim}-D input of shape "
                f"{tuple(x.shape)}"
            )
        _, state = self.rnn(x)
        h_n = state[0] if isinstance(state, tuple) else state  # the LSTM's state is (h_n, c_n)
        # h_n: (num_layers * directions, N, hidden); the last layer's entries come last
        final = cat([h_n[-2], h_n[-1]], dim=1) if self.bidirectional else h_n[-1]
        return self.fc(final)

    def extra_repr(self) -> str:
        return f"cell={self.cell!r}"


def rnn_classifier(
    input_size: int = 1, hidden_size: int = 64, num_classes: int = 10, **kwargs: Any
) -> RNNClassifier:
    """A one-layer LSTM classifier; defaults fit MNIST-1D (40 steps of 1 feature, 10 classes)."""
    return RNNClassifier(input_size, hidden_size, num_classes, **kwargs)


def gru_classifier(
    input_size: int = 1, hidden_size: int = 64, num_classes: int = 10, **kwargs: Any
) -> RNNClassifier:
    """A one-layer GRU classifier (MNIST-1D's GRU baseline); defaults fit MNIST-1D."""
    return RNNClassifier(input_size, hidden_size, num_classes, cell="gru", **kwargs)
