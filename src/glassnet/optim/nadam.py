"""NAdam: Adam with Nesterov momentum."""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array, namespace
from glassnet.optim.optimizer import (
    Optimizer,
    ParamsT,
    add_scaled_product_,
    check_betas,
    check_non_negative,
    check_supported,
    effective_grad,
    lerp_,
    scalar_state,
)
from glassnet.tensor import Tensor


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016): Adam whose momentum looks one step ahead, as Nesterov's does.

    With g_t = grad + weight_decay * theta (or decoupled: theta *= 1 - lr * weight_decay)::

        mu_t  = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))     (momentum warm-up schedule)
        m_t   = beta1 * m_{t-1} + (1 - beta1) * g_t
        v_t   = beta2 * v_{t-1} + (1 - beta2) * g_t^2
        denom = sqrt(v_t / (1 - beta2^t)) + eps
        theta <- theta - lr * (1 - mu_t) / (1 - prod_{i<=t} mu_i) * g_t / denom
                       - lr * mu_{t+1} / (1 - prod_{i<=t+1} mu_i) * m_t / denom

    Adam's update uses m_t, the momentum accumulated so far; NAdam applies the
    momentum of the *next* step (mu_{t+1} m_t) plus the current gradient, the
    Nesterov correction. The products of mu replace Adam's 1 - beta1^t bias
    correction. `mu_product` is kept as a float32 scalar, as in PyTorch.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, options: dict[str, Any]) -> None:
        check_non_negative("NAdam", options, "lr", "eps", "weight_decay", "momentum_decay")
        options["betas"] = check_betas("NAdam", options["betas"])
        check_supported("NAdam", options)

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        xp = namespace(param.data)
        return {
            "step": scalar_state(0.0),
            "mu_product": scalar_state(1.0),
            "exp_avg": Tensor(xp.zeros_like(param.data)),
            "exp_avg_sq": Tensor(xp.zeros_like(param.data)),
        }

    def _update(
        self, param: Array, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        xp = namespace(param)
        state["step"].data += 1
        step = float(state["step"].data)
        lr, weight_decay, momentum_decay = (
            group["lr"],
            group["weight_decay"],
            group["momentum_decay"],
        )
        beta1, beta2 = group["betas"]
        if weight_decay != 0 and group["decoupled_weight_decay"]:
            param *= 1 - lr * weight_decay
            weight_decay = 0
        g = effective_grad(param, grad, weight_decay, group["maximize"])
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        state["mu_product"].data *= mu  # float32 arithmetic, as PyTorch's float32 tensor does
        mu_product = float(state["mu_product"].data)
        exp_avg, exp_avg_sq = state["exp_avg"].data, state["exp_avg_sq"].data
        denom, work = xp.empty_like(param), xp.empty_like(param)
        lerp_(exp_avg, g, 1 - beta1, work)
        exp_avg_sq *= beta2
        add_scaled_product_(exp_avg_sq, g, g, 1 - beta2, work)
        xp.divide(exp_avg_sq, 1 - beta2**step, out=denom)
        xp.sqrt(denom, out=denom)
        denom += group["eps"]
        xp.divide(g, denom, out=work)
        work *= -lr * (1.0 - mu) / (1.0 - mu_product)
        param += work
        xp.divide(exp_avg, denom, out=work)
        work *= (-lr * mu_next) / (1.0 - mu_product * mu_next)
        param += work
