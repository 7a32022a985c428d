"""`RNNCell`, `LSTMCell`, `GRUCell`: one time step, with PyTorch's arguments, names and layouts.

Input (N, input_size) or (input_size), state(s) (N, hidden_size) or (hidden_size), zeros
when not given. They run the fused Functions of `glassnet.ops.recurrent` (the cell
equations are there) over a sequence of length one. The input checks that `RNN`, `LSTM`
and `GRU` share with them live here too.
"""

from __future__ import annotations

import math
from typing import Any

from glassnet import creation
from glassnet.nn import init
from glassnet.nn.layer_args import check_choice, check_int, describe, factory_dtype
from glassnet.nn.module import Module
from glassnet.nn.parameter import Parameter
from glassnet.ops.recurrent import gru_layer, lstm_layer, rnn_layer
from glassnet.tensor import Tensor


def check_input(
    module: Module,
    input: Any,
    input_size: int,
    allowed: tuple[int, int],
    layout: str,
) -> None:
    """Input must be a Tensor of rank `allowed` whose last dim is input_size; errors name the layout read."""
    where = describe(module)
    if not isinstance(input, Tensor):
        raise TypeError(f"{where}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in allowed:
        raise ValueError(
            f"{where}: expected input to be {allowed[0]}-D or {allowed[1]}-D, shaped {layout}; "
            f"got {input.ndim}-D input of shape {tuple(input.shape)}"
        )
    if input.shape[-1] != input_size:
        hint = ""
        if allowed == (2, 3) and input.ndim == 2 and input_size == 1:
            hint = (
                "; a 2-D input is read as one unbatched sequence (seq, input_size): for a batch of "
                "1-feature sequences add the feature dim with input.unsqueeze(-1)"
            )
        raise ValueError(
            f"{where}: input.size(-1) must be equal to input_size: expected {input_size}, got "
            f"{input.shape[-1]} (input of shape {tuple(input.shape)} read as {layout}{hint})"
        )


def check_dtype(module: Module, input: Tensor, weight: Tensor, name: str = "input") -> None:
    if input.dtype != weight.dtype:
        raise TypeError(
            f"{describe(module)}: {name} must have the type {weight.dtype} of the weights, "
            f"got {input.dtype}; convert one of them (module.to(dtype) or tensor.to(dtype))"
        )


class RNNCellBase(Module):
    """One time step: weight_ih (gates * hidden, input), weight_hh, bias_ih, bias_hh; U(+-1/sqrt(hidden))."""

    _gates = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        where = self._get_name()
        dtype = factory_dtype(where, device, dtype)
        self.input_size = check_int(where, "input_size", input_size, 1)
        self.hidden_size = check_int(where, "hidden_size", hidden_size, 1)
        self.bias = bool(bias)
        rows = self._gates * self.hidden_size
        self.weight_ih = Parameter(creation.empty(rows, self.input_size, dtype=dtype))
        self.weight_hh = Parameter(creation.empty(rows, self.hidden_size, dtype=dtype))
        if self.bias:
            self.bias_ih = Parameter(creation.empty(rows, dtype=dtype))
            self.bias_hh = Parameter(creation.empty(rows, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def _prepare(
        self,
        input: Tensor,
        states: tuple[Any, ...],
        names: tuple[str, ...],
    ) -> tuple[Tensor, list[Tensor | None], bool]:
        """(1, N, input) time-major input, (N, hidden) states or None, and whether the input was batched."""
        check_input(
            self, input, self.input_size, (1, 2), "(batch, input_size) or unbatched (input_size)"
        )
        check_dtype(self, input, self.weight_ih)
        batched = input.ndim == 2
        expected = (input.shape[0], self.hidden_size) if batched else (self.hidden_size,)
        prepared: list[Tensor | None] = []
        for state, name in zip(states, names):
            if state is None:
                prepared.append(None)
                continue
            if not isinstance(state, Tensor):
                raise TypeError(
                    f"{describe(self)}: {name} must be a Tensor, got {type(state).__name__}"
                )
            if tuple(state.shape) != expected:
                raise ValueError(
                    f"{describe(self)}: Expected {name} size {expected} (batch, hidden_size) for "
                    f"input of shape {tuple(input.shape)}, got {tuple(state.shape)}"
                )
            check_dtype(self, state, self.weight_ih, name)
            prepared.append(state if batched else state.unsqueeze(0))
        x = input if batched else input.unsqueeze(0)
        return x.unsqueeze(0), prepared, batched

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text


class RNNCell(RNNCellBase):
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu); forward(input, hx=None) -> h'."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        check_choice("RNNCell", "nonlinearity", nonlinearity, ("tanh", "relu"))
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), batched = self._prepare(input, (hx,), ("hx",))
        _, h_new = rnn_layer(
            x,
            h,
            self.weight_ih,
            self.weight_hh,
            self.bias_ih,
            self.bias_hh,
            nonlinearity=self.nonlinearity,
        )
        return h_new if batched else h_new.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o); forward(input, hx=(h, c) or None) -> (h', c')."""

    _gates = 4  # takes RNNCellBase.__init__(input_size, hidden_size, bias=True, device, dtype)

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, Tensor]:
        if hx is not None and not (isinstance(hx, (tuple, list)) and len(hx) == 2):
            raise TypeError(
                f"{describe(self)}: hx must be a tuple (h, c) of two Tensors, got {type(hx).__name__}"
            )
        x, (h, c), batched = self._prepare(
            input, tuple(hx) if hx is not None else (None, None), ("h", "c")
        )
        _, h_new, c_new = lstm_layer(
            x, h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh
        )
        return (h_new, c_new) if batched else (h_new.squeeze(0), c_new.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n); forward(input, hx=None) -> h'."""

    _gates = 3  # takes RNNCellBase.__init__(input_size, hidden_size, bias=True, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, (h,), batched = self._prepare(input, (hx,), ("hx",))
        _, h_new = gru_layer(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h_new if batched else h_new.squeeze(0)


__all__ = ["RNNCellBase", "RNNCell", "LSTMCell", "GRUCell", "check_dtype", "check_input"]
