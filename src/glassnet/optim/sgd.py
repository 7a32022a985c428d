"""Stochastic gradient descent, with momentum and Nesterov momentum."""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array
from glassnet.optim.optimizer import (
    Optimizer,
    ParamsT,
    check_non_negative,
    check_supported,
    effective_grad,
)
from glassnet.tensor import Tensor


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum.

    With g_t = grad + weight_decay * theta (negated first if `maximize`)::

        plain:     theta <- theta - lr * g_t
        momentum:  b_1 = g_1;  b_t = momentum * b_{t-1} + (1 - dampening) * g_t
                   theta <- theta - lr * b_t
        nesterov:  theta <- theta - lr * (g_t + momentum * b_t)

    Momentum damps oscillation across a ravine: in a long narrow valley the
    gradient flips sign across the steep walls and those components cancel in the
    running sum b_t, while the small consistent component along the valley floor
    adds up, so progress along it speeds up by up to 1 / (1 - momentum).
    Nesterov evaluates the step "one momentum step ahead", which corrects an
    overshoot a step earlier.

    This is PyTorch's form (lr multiplies the whole velocity), which differs from
    Sutskever et al.'s v = mu * v + lr * g only when lr changes during training.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float | Tensor = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, options: dict[str, Any]) -> None:
        check_non_negative("SGD", options, "lr", "momentum", "weight_decay")
        check_supported("SGD", options)
        if options["nesterov"] and (options["momentum"] <= 0 or options["dampening"] != 0):
            raise ValueError(
                "SGD: Nesterov momentum requires a momentum and zero dampening, got "
                f"momentum={options['momentum']}, dampening={options['dampening']}"
            )

    def _update(
        self, param: Array, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        g = effective_grad(param, grad, group["weight_decay"], group["maximize"])
        momentum = group["momentum"]
        if momentum != 0:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                state["momentum_buffer"] = buffer = Tensor(
                    g.copy()
                )  # b_1 = g_1: no dampening at first
            else:
                velocity = buffer.data
                velocity *= momentum
                dampening = group["dampening"]
                velocity += g if dampening == 0 else (1 - dampening) * g
            g = g + momentum * buffer.data if group["nesterov"] else buffer.data
        param -= group["lr"] * g
