"""OneCycleLR: one warm-up to a large learning rate, then a long anneal (momentum moves the other way)."""

from __future__ import annotations

import math
from typing import Literal

from glassnet.optim.lr_scheduler.scheduler import (
    LRScheduler,
    check_optimizer,
    per_group,
)
from glassnet.optim.optimizer import Optimizer


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith and Topin, 2018): one warm-up to `max_lr`, then a long anneal.

    The lr rises from max_lr / div_factor to max_lr over the first pct_start of
    `total_steps`, then falls to max_lr / div_factor / final_div_factor (cosine or
    linear). Momentum (or Adam's beta1) moves the opposite way, between
    max_momentum and base_momentum: a large lr with large momentum would be
    unstable. The high-lr middle phase acts as a regulariser and allows
    "super-convergence" in few epochs. Step it once per batch.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: Literal["cos", "linear"] = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        self.optimizer = check_optimizer(optimizer)
        self.total_steps = _total_steps(total_steps, epochs, steps_per_epoch)
        if not isinstance(pct_start, float) or pct_start < 0 or pct_start > 1:
            raise ValueError(
                f"OneCycleLR: Expected float between 0 and 1 pct_start, but got {pct_start!r}"
            )
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"OneCycleLR: anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy!r}"
            )
        self._anneal_func_type = anneal_strategy
        self._schedule_phases = _phases(pct_start, self.total_steps, three_phase)
        max_lrs = per_group("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self._set_momentum_range(max_momentum, base_momentum, fresh=last_epoch == -1)
        super().__init__(optimizer, last_epoch)

    def _set_momentum_range(
        self, max_momentum: float | list[float], base_momentum: float | list[float], fresh: bool
    ) -> None:
        """Store each group's momentum range; a fresh schedule starts at max_momentum.

        Adam-like optimizers cycle beta1 (betas[0]) instead of `momentum`.
        """
        optimizer = self.optimizer
        if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
            raise ValueError(
                f"OneCycleLR: optimizer must support momentum or beta1 with `cycle_momentum` option enabled; "
                f"{type(optimizer).__name__} has neither (pass cycle_momentum=False)"
            )
        self.use_beta1 = "betas" in optimizer.defaults
        max_momentums = per_group("max_momentum", optimizer, max_momentum)
        base_momentums = per_group("base_momentum", optimizer, base_momentum)
        if not fresh:
            return
        for top, bottom, group in zip(max_momentums, base_momentums, optimizer.param_groups):
            if self.use_beta1:
                group["betas"] = (top, *group["betas"][1:])
            else:
                group["momentum"] = top
            group["max_momentum"] = top
            group["base_momentum"] = bottom

    def _anneal_func(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise ValueError(
                f"OneCycleLR: Tried to step {step_num} times. The specified number of total steps is {self.total_steps}"
            )
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for index, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step_num <= end_step or index == len(self._schedule_phases) - 1:
                    pct = (step_num - start_step) / (end_step - start_step)
                    lr = self._anneal_func(group[phase["start_lr"]], group[phase["end_lr"]], pct)
                    if self.cycle_momentum:
                        momentum = self._anneal_func(
                            group[phase["start_momentum"]], group[phase["end_momentum"]], pct
                        )
                    break
                start_step = phase["end_step"]
            lrs.append(lr)
            if self.cycle_momentum:
                if self.use_beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        return lrs


def _positive_int(name: str, value: object) -> int:
    if not isinstance(value, int) or value <= 0:
        raise ValueError(f"OneCycleLR: Expected positive integer {name}, but got {value!r}")
    return value


def _total_steps(total_steps: int | None, epochs: int | None, steps_per_epoch: int | None) -> int:
    """`total_steps`, else epochs * steps_per_epoch (PyTorch's rule and messages)."""
    if total_steps is not None:
        return _positive_int("total_steps", total_steps)
    if epochs is not None and steps_per_epoch is not None:
        return _positive_int("epochs", epochs) * _positive_int("steps_per_epoch", steps_per_epoch)
    raise ValueError(
        "OneCycleLR: You must define either total_steps OR (epochs AND steps_per_epoch)"
    )


def _phases(pct_start: float, total_steps: int, three_phase: bool) -> list[dict[str, object]]:
    """The schedule's phases: each ends at `end_step` and anneals between two group keys.

    Two phases: initial_lr -> max_lr over pct_start of the steps, then max_lr -> min_lr.
    Three phases (fast.ai's older form): up, back down to initial_lr symmetrically, then
    initial_lr -> min_lr. Momentum always moves opposite to the lr.
    """
    warm_up = {
        "end_step": float(pct_start * total_steps) - 1,
        "start_lr": "initial_lr",
        "end_lr": "max_lr",
        "start_momentum": "max_momentum",
        "end_momentum": "base_momentum",
    }
    if not three_phase:
        return [
            warm_up,
            {
                "end_step": total_steps - 1,
                "start_lr": "max_lr",
                "end_lr": "min_lr",
                "start_momentum": "base_momentum",
                "end_momentum": "max_momentum",
            },
        ]
    return [
        warm_up,
        {
            "end_step": float(2 * pct_start * total_steps) - 2,
            "start_lr": "max_lr",
            "end_lr": "initial_lr",
            "start_momentum": "base_momentum",
            "end_momentum": "max_momentum",
        },
        {
            "end_step": total_steps - 1,
            "start_lr": "initial_lr",
            "end_lr": "min_lr",
            "start_momentum": "max_momentum",
            "end_momentum": "max_momentum",
        },
    ]
