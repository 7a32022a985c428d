"""`RNN`, `LSTM`, `GRU` and their one-step cells, with PyTorch's arguments, names and layouts.

A stack of `num_layers` recurrent layers, each run forward in time and, when
bidirectional, also backward in time (the "_reverse" parameters); layer k + 1 reads
the concatenated outputs [forward, reverse] of layer k. The cell equations are in
`glassnet/ops/recurrent.py`, where each layer-and-direction is one fused `Function`
over the whole sequence.

Shapes (L = sequence length, N = batch, D = 2 if bidirectional else 1):

- input: (L, N, input_size), or (N, L, input_size) with batch_first=True, or an
  unbatched (L, input_size);
- output: (L, N, D * hidden_size) (batch first when asked), the last layer's h_t for every t;
- h_0 / h_n (and c_0 / c_n of the LSTM): (num_layers * D, N, hidden_size) always, even
  with batch_first=True, ordered layer by layer, forward before reverse.

Parameters per layer k and direction: weight_ih_l{k}[_reverse] (gates * hidden_size,
input features), weight_hh_l{k}[_reverse] (gates * hidden_size, hidden_size),
bias_ih_l{k}[_reverse], bias_hh_l{k}[_reverse]; gates = 4 for the LSTM (i, f, g, o),
3 for the GRU (r, z, n), 1 for the RNN. All are initialised from U(-1/sqrt(hidden_size),
1/sqrt(hidden_size)), as in PyTorch, so state dicts load both ways.

Dropout (training only) acts on each layer's output except the last one's.

`RNNCell`, `LSTMCell`, `GRUCell` take one step (`recurrent_cell.py`; imported here too):
input (N, input_size) or (input_size), state(s) (N, hidden_size) or (hidden_size), zeros
when not given; they run the same fused Functions with a sequence of length one.
"""

from __future__ import annotations

import math
import warnings
from numbers import Real
from typing import Any

from glassnet import creation
from glassnet.nn import functional as F
from glassnet.nn import init
from glassnet.nn.layer_args import check_choice, check_int, describe, factory_dtype
from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter
from glassnet.nn.recurrent_cell import (
    GRUCell,
    LSTMCell,
    RNNCell,
    RNNCellBase,
    check_dtype,
    check_input,
)
from glassnet.ops.recurrent import gru_layer, lstm_layer, rnn_layer
from glassnet.ops.shape import cat, stack
from glassnet.tensor import Tensor

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class RNNBase(Module):
    """What RNN, LSTM and GRU share: arguments, parameters, initialisation and the layer loop."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        where = self._get_name()
        dtype = factory_dtype(where, device, dtype)
        self.mode = check_choice(where, "mode", mode, tuple(_GATES))
        self.input_size = check_int(where, "input_size", input_size, 1)
        self.hidden_size = check_int(where, "hidden_size", hidden_size, 1)
        self.num_layers = check_int(where, "num_layers", num_layers, 1)
        if not isinstance(dropout, Real) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError(
                f"{where}: dropout should be a number in range [0, 1] representing the probability "
                f"of an element being zeroed, got dropout={dropout!r}"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                f"{where}: dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                stacklevel=3,
            )
        if proj_size != 0:
            raise NotImplementedError(
                f"{where}: proj_size={proj_size!r} (LSTM with projections) is not "
                "implemented in glassnet; use proj_size=0"
            )
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.dropout = float(dropout)
        self.bidirectional = bool(bidirectional)
        self.proj_size = 0
        self._flat_weights_names: list[str] = []
        self._make_weights(_GATES[mode] * self.hidden_size, dtype)
        self.reset_parameters()

    def _make_weights(self, gate_rows: int, dtype: Any) -> None:
        """Register PyTorch's parameters (gate_rows = gates * hidden_size rows each), layer by
        layer, forward before reverse; reset_parameters() fills them."""
        directions = 2 if self.bidirectional else 1
        for layer in range(self.num_layers):
            features = self.input_size if layer == 0 else self.hidden_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = [
                    ("weight_ih", (gate_rows, features)),
                    ("weight_hh", (gate_rows, self.hidden_size)),
                ]
                if self.bias:
                    shapes += [("bias_ih", (gate_rows,)), ("bias_hh", (gate_rows,))]
                for name, shape in shapes:
                    self.register_parameter(
                        name + suffix, Parameter(creation.empty(*shape, dtype=dtype))
                    )
                    self._flat_weights_names.append(name + suffix)

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def flatten_parameters(self) -> None:
        """A no-op kept for PyTorch code that calls it (cuDNN's weight packing has no NumPy twin)."""

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters grouped per layer-and-direction, as PyTorch's `all_weights`."""
        per = 4 if self.bias else 2
        flat = [getattr(self, name) for name in self._flat_weights_names]
        return [flat[start : start + per] for start in range(0, len(flat), per)]

    def _weights(self, layer: int, direction: int) -> list[Tensor | None]:
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        return [self._parameters.get(name + suffix) for name in names]

    def _layout(self) -> str:
        batched = "(batch, seq, input_size)" if self.batch_first else "(seq, batch, input_size)"
        return f"{batched} (batch_first={self.batch_first}) or unbatched (seq, input_size)"

    def _check_state(
        self, state: Any, name: str, expected: tuple[int, ...], batched: bool, input: Tensor
    ) -> Tensor:
        where = describe(self)
        if not isinstance(state, Tensor):
            raise TypeError(f"{where}: {name} must be a Tensor, got {type(state).__name__}")
        if state.ndim != len(expected):
            kind = "batched 3-D" if batched else "unbatched 2-D"
            raise ValueError(
                f"{where}: for {kind} input of shape {tuple(input.shape)}, {name} should be "
                f"{len(expected)}-D {expected}, but got {state.ndim}-D of shape {tuple(state.shape)}"
            )
        if tuple(state.shape) != expected:
            note = ""
            if batched:
                note = (
                    f"; batch_first={self.batch_first} reads the batch size {expected[1]} from input dim "
                    f"{0 if self.batch_first else 1} of {tuple(input.shape)}"
                )
            raise ValueError(
                f"{where}: Expected {name} size {expected}, got {tuple(state.shape)} "
                f"(num_layers * num_directions, batch, hidden_size){note}"
            )
        check_dtype(self, state, self.weight_ih_l0, name)
        return state

    def _run_layer(
        self, x: Tensor, states: list[Tensor | None], layer: int, direction: int
    ) -> tuple[Tensor, list[Tensor]]:
        w_ih, w_hh, b_ih, b_hh = self._weights(layer, direction)
        reverse = bool(direction)
        if self.mode == "LSTM":
            out, h_n, c_n = lstm_layer(
                x, states[0], states[1], w_ih, w_hh, b_ih, b_hh, reverse=reverse
            )
            return out, [h_n, c_n]
        if self.mode == "GRU":
            out, h_n = gru_layer(x, states[0], w_ih, w_hh, b_ih, b_hh, reverse=reverse)
        else:
            nonlinearity = "tanh" if self.mode == "RNN_TANH" else "relu"
            out, h_n = rnn_layer(
                x, states[0], w_ih, w_hh, b_ih, b_hh, reverse=reverse, nonlinearity=nonlinearity
            )
        return out, [h_n]

    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, Any]:
        check_input(self, input, self.input_size, (2, 3), self._layout())
        check_dtype(self, input, self.weight_ih_l0)
        batched = input.ndim == 3
        if not batched:
            x = input.unsqueeze(1)  # (seq, 1, input_size): a batch of one
        else:
            x = input.transpose(0, 1) if self.batch_first else input  # the layers run time-major
        batch = x.shape[1]
        directions = 2 if self.bidirectional else 1
        stacked = self.num_layers * directions
        expected = (stacked, batch, self.hidden_size) if batched else (stacked, self.hidden_size)
        lstm = self.mode == "LSTM"
        given: list[Tensor] = []
        if hx is not None:
            if lstm and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
                raise TypeError(
                    f"{describe(self)}: hx must be a tuple (h_0, c_0) of two Tensors, "
                    f"got {type(hx).__name__}"
                )
            if not lstm and isinstance(hx, (tuple, list)):
                raise TypeError(
                    f"{describe(self)}: hx must be one Tensor h_0 (a tuple is for the LSTM's "
                    "(h_0, c_0)), got a tuple"
                )
            names = ("h_0", "c_0") if lstm else ("h_0",)
            given = [
                self._check_state(state, name, expected, batched, input)
                for state, name in zip(hx if lstm else (hx,), names)
            ]
            if not batched:
                given = [state.unsqueeze(1) for state in given]
        finals: list[list[Tensor]] = []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                states: list[Tensor | None] = (
                    [state[index] for state in given] if given else [None, None]
                )
                out, final = self._run_layer(x, states, layer, direction)
                outputs.append(out)
                finals.append(final)
            x = outputs[0] if directions == 1 else cat(outputs, dim=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, training=True)
        h_n = [stack([final[k] for final in finals], dim=0) for k in range(len(finals[0]))]
        if batched:
            output = x.transpose(0, 1) if self.batch_first else x
        else:
            output = x.squeeze(1)
            h_n = [state.squeeze(1) for state in h_n]
        return (output, (h_n[0], h_n[1])) if lstm else (output, h_n[0])

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) (or relu); returns (output, h_n)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        check_choice("RNN", "nonlinearity", nonlinearity, ("tanh", "relu"))
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(
            mode,
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory (gates i, f, g, o): returns (output, (h_n, c_n)). proj_size must be 0."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            "LSTM",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            proj_size,
            device=device,
            dtype=dtype,
        )


class GRU(RNNBase):
    """Gated recurrent unit (gates r, z, n): returns (output, h_n)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            "GRU",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            device=device,
            dtype=dtype,
        )


__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
