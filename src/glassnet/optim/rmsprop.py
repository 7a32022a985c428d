"""RMSprop: scale each coordinate by a moving average of its squared gradients."""

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
    lerp_,
    scalar_state,
)
from glassnet.tensor import Tensor


class RMSprop(Optimizer):
    r"""RMSprop (Hinton, Coursera lecture 6e, 2012).

    With g_t = grad + weight_decay * theta (negated first if `maximize`)::

        v_t   = alpha * v_{t-1} + (1 - alpha) * g_t^2          (square_avg)
        centered:  m_t = alpha * m_{t-1} + (1 - alpha) * g_t    (grad_avg)
                   s_t = sqrt(v_t - m_t^2) + eps                (variance, not raw 2nd moment)
        otherwise: s_t = sqrt(v_t) + eps
        momentum:  b_t = momentum * b_{t-1} + g_t / s_t;   theta <- theta - lr * b_t
        otherwise: theta <- theta - lr * g_t / s_t

    RMSprop replaces Adagrad's ever-growing sum of squares by an exponential moving
    average over roughly 1 / (1 - alpha) recent steps, so the per-coordinate step
    size adapts to the current gradient scale instead of decaying to zero.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, options: dict[str, Any]) -> None:
        check_non_negative("RMSprop", options, "lr", "eps", "momentum", "weight_decay", "alpha")
        check_supported("RMSprop", options)

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        xp = namespace(param.data)
        state = {"step": scalar_state(0.0), "square_avg": Tensor(xp.zeros_like(param.data))}
        if group["momentum"] > 0:
            state["momentum_buffer"] = Tensor(xp.zeros_like(param.data))
        if group["centered"]:
            state["grad_avg"] = Tensor(xp.zeros_like(param.data))
        return state

    def _update(
        self, param: Array, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        xp = namespace(param)
        state["step"].data += 1
        g = effective_grad(param, grad, group["weight_decay"], group["maximize"])
        alpha, work = group["alpha"], xp.empty_like(param)
        square_avg = state["square_avg"].data
        square_avg *= alpha
        add_scaled_product_(square_avg, g, g, 1 - alpha, work)
        if group["centered"]:
            grad_avg = state["grad_avg"].data
            lerp_(grad_avg, g, 1 - alpha, work)
            xp.multiply(grad_avg, grad_avg, out=work)
            xp.subtract(square_avg, work, out=work)
            xp.sqrt(work, out=work)
        else:
            xp.sqrt(square_avg, out=work)
        work += group["eps"]
        xp.divide(g, work, out=work)
        if group["momentum"] > 0:
            buffer = state["momentum_buffer"].data
            buffer *= group["momentum"]
            buffer += work
            xp.multiply(buffer, group["lr"], out=work)
            param -= work
        else:
            work *= -group["lr"]
            param += work
