"""Adagrad: a per-coordinate learning rate from the sum of all past squared gradients."""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array, namespace
from glassnet.optim.optimizer import (
    Optimizer,
    ParamsT,
    add_scaled_product_,
    check_non_negative,
    check_supported,
    effective_grad,
    scalar_state,
)
from glassnet.tensor import Tensor


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan and Singer, 2011).

    With g_t = grad + weight_decay * theta (negated first if `maximize`)::

        lr_t  = lr / (1 + (t - 1) * lr_decay)
        G_t   = G_{t-1} + g_t * g_t              (G_0 = initial_accumulator_value)
        theta <- theta - lr_t * g_t / (sqrt(G_t) + eps)

    Each coordinate gets its own step size: rarely updated (sparse) features keep a
    small G and so a large step, frequent ones a small step. But G only grows, so
    the effective learning rate lr / sqrt(G_t) decays like 1 / sqrt(t) and often
    stops training too early; RMSprop replaces the sum by a moving average.
    The state is created at construction (as in PyTorch), not at the first step.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        self._validate(defaults)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for param in group["params"]:
                self.state[param].update(self._init_state(param, group))

    def _validate(self, options: dict[str, Any]) -> None:
        check_non_negative(
            "Adagrad", options, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"
        )
        check_supported("Adagrad", options)

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        xp = namespace(param.data)
        return {
            "step": scalar_state(0.0),
            "sum": Tensor(xp.full_like(param.data, group["initial_accumulator_value"])),
        }

    def _update(
        self, param: Array, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        xp = namespace(param)
        state["step"].data += 1
        step = float(state["step"].data)
        g = effective_grad(param, grad, group["weight_decay"], group["maximize"])
        step_lr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        work = xp.empty_like(param)
        add_scaled_product_(state["sum"].data, g, g, 1, work)
        xp.sqrt(state["sum"].data, out=work)
        work += group["eps"]
        xp.divide(g, work, out=work)
        work *= -step_lr
        param += work
