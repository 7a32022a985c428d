"""Adadelta: RMSprop whose step size comes from a moving average of past updates."""

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


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012).

    With g_t = grad + weight_decay * theta (negated first if `maximize`)::

        v_t     = rho * v_{t-1} + (1 - rho) * g_t^2                     (square_avg)
        delta_t = sqrt(u_{t-1} + eps) / sqrt(v_t + eps) * g_t
        u_t     = rho * u_{t-1} + (1 - rho) * delta_t^2                 (acc_delta)
        theta  <- theta - lr * delta_t

    Like RMSprop it divides by the root of a moving average of squared gradients,
    and it replaces the learning rate by the root of a moving average of squared
    past updates, so the step has the units of theta ("unit correction") and
    needs no tuned learning rate: `lr` = 1.0 by default is only a final scale.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, options: dict[str, Any]) -> None:
        check_non_negative("Adadelta", options, "lr", "rho", "eps", "weight_decay")
        if not options["rho"] <= 1.0:
            raise ValueError(
                f"Adadelta: Invalid rho value: {options['rho']} (rho must be in [0, 1])"
            )
        check_supported("Adadelta", options)

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        xp = namespace(param.data)
        return {
            "step": scalar_state(0.0),
            "square_avg": Tensor(xp.zeros_like(param.data)),
            "acc_delta": Tensor(xp.zeros_like(param.data)),
        }

    def _update(
        self, param: Array, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        xp = namespace(param)
        state["step"].data += 1
        g = effective_grad(param, grad, group["weight_decay"], group["maximize"])
        rho, eps = group["rho"], group["eps"]
        square_avg, acc_delta = state["square_avg"].data, state["acc_delta"].data
        std, delta = xp.empty_like(param), xp.empty_like(param)
        square_avg *= rho
        add_scaled_product_(square_avg, g, g, 1 - rho, std)
        xp.add(square_avg, eps, out=std)
        xp.sqrt(std, out=std)
        xp.add(acc_delta, eps, out=delta)
        xp.sqrt(delta, out=delta)
        delta /= std
        delta *= g
        acc_delta *= rho
        add_scaled_product_(acc_delta, delta, delta, 1 - rho, std)
        delta *= group["lr"]
        param -= delta
