"""Adam and AdamW: momentum plus RMSprop's per-coordinate scaling, with bias correction."""

from __future__ import annotations

from typing import Any

from glassnet.backend import Array, namespace
from glassnet.optim.optimizer import (
    Optimizer,
    ParamsT,
    StateDict,
    add_scaled_product_,
    check_betas,
    check_non_negative,
    check_supported,
    effective_grad,
    lerp_,
    scalar_state,
)
from glassnet.tensor import Tensor


class Adam(Optimizer):
    r"""Adam (Kingma and Ba, 2015).

    With g_t = grad + weight_decay * theta (negated first if `maximize`)::

        m_t   = beta1 * m_{t-1} + (1 - beta1) * g_t          (exp_avg: momentum)
        v_t   = beta2 * v_{t-1} + (1 - beta2) * g_t^2        (exp_avg_sq: RMSprop's average)
        m_hat = m_t / (1 - beta1^t)      v_hat = v_t / (1 - beta2^t)
        amsgrad: v_max = max(v_max, v_t), used in place of v_t
        theta <- theta - lr * m_hat / (sqrt(v_hat) + eps)

    Adam combines momentum (the numerator) with RMSprop's scaling (the
    denominator). Both averages start at zero, so early on they are biased towards
    zero: E[m_t] = (1 - beta1^t) E[g]. Dividing by 1 - beta^t, with t the step
    count (NOT by 1 - beta), removes that bias exactly: after one step m_hat = g_1
    and v_hat = g_1^2. A constant 1 - beta would be right at t = 1 only and, once
    the averages warm up, scale every step by sqrt(1 - beta2) / (1 - beta1) ~ 0.32.

    With `decoupled_weight_decay=True` this is AdamW.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        self._validate(defaults)
        super().__init__(params, defaults)

    def _validate(self, options: dict[str, Any]) -> None:
        name = type(self).__name__
        check_non_negative(name, options, "lr", "eps", "weight_decay")
        options["betas"] = check_betas(name, options["betas"])
        check_supported(name, options)

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        xp = namespace(param.data)
        state = {
            "step": scalar_state(0.0),
            "exp_avg": Tensor(xp.zeros_like(param.data)),
            "exp_avg_sq": Tensor(xp.zeros_like(param.data)),
        }
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = Tensor(xp.zeros_like(param.data))
        return state

    def _update(
        self, param: Array, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        xp = namespace(param)
        state["step"].data += 1
        step = float(state["step"].data)
        lr, weight_decay = group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        if weight_decay != 0 and group["decoupled_weight_decay"]:
            param *= (
                1 - lr * weight_decay
            )  # AdamW: shrink the weights, outside the adaptive scaling
            weight_decay = 0
        g = effective_grad(param, grad, weight_decay, group["maximize"])
        exp_avg, exp_avg_sq, work = (
            state["exp_avg"].data,
            state["exp_avg_sq"].data,
            xp.empty_like(param),
        )
        lerp_(exp_avg, g, 1 - beta1, work)
        exp_avg_sq *= beta2
        add_scaled_product_(exp_avg_sq, g, g, 1 - beta2, work)
        step_size = lr / (1 - beta1**step)
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        second_moment = exp_avg_sq
        if group["amsgrad"]:
            second_moment = state["max_exp_avg_sq"].data
            xp.maximum(second_moment, exp_avg_sq, out=second_moment)
        xp.sqrt(second_moment, out=work)
        work /= bias_correction2_sqrt
        work += group["eps"]
        xp.divide(exp_avg, work, out=work)
        work *= -step_size
        param += work


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay (Loshchilov and Hutter, 2019).

    The update is Adam's, with g_t the plain gradient, preceded by::

        theta <- theta * (1 - lr * weight_decay)

    With L2 decay inside Adam, the decay term lambda * theta is divided by
    sqrt(v_hat) like the gradient, so weights with large gradients are barely
    regularised. Decoupling shrinks every weight by the same factor, as weight
    decay does in plain SGD; this is why AdamW's default weight_decay is 1e-2.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )

    def load_state_dict(self, state_dict: StateDict) -> None:
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True  # AdamW is always decoupled, as in PyTorch
