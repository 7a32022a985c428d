"""`Optimizer`: parameter groups, per-parameter state, and the step loop they share.

An optimizer turns gradients into parameter updates. Layers only compute `.grad`;
the optimizer owns everything else: the options of each parameter group (`lr`,
`momentum`, ...), the running statistics of each parameter (`momentum_buffer`,
`exp_avg`, ...), and the in-place update of `param.data`.

The layout follows `torch.optim.Optimizer`, so code and checkpoints port both ways:
`param_groups` is a list of dicts holding every option; `state` maps a parameter to
its dict of state tensors; `state_dict()` replaces parameters by their index in
group order (`{'state': {0: {...}}, 'param_groups': [{..., 'params': [0, 1]}]}`).
"""

from __future__ import annotations

import functools
import numbers
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from typing import Any

import numpy

from glassnet.backend import Array, namespace
from glassnet.grad_mode import enable_grad
from glassnet.optim._inplace import add_scaled_product_, effective_grad, lerp_, scalar_state
from glassnet.optim._options import as_scalar, check_betas, check_non_negative, check_supported
from glassnet.tensor import Tensor, to_array

# the helpers every optimizer module imports from here, kept importable from this module
__all__ = [
    "Optimizer",
    "ParamsT",
    "StateDict",
    "add_scaled_product_",
    "as_scalar",
    "check_betas",
    "check_non_negative",
    "check_supported",
    "effective_grad",
    "lerp_",
    "required",
    "scalar_state",
]

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]
StateDict = dict[str, Any]


class _RequiredParameter:
    """Marks an option without a default: every param group must then give it."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class of all optimizers.

    Subclasses give `defaults` (the options of a group), `_validate(options)` (loud
    checks of option values), `_init_state(param, group)` (a parameter's state before
    its first step) and `_update(param, grad, state, group)`, the update rule on raw
    arrays. `step()` runs `_update` for every parameter that has a gradient.
    A subclass may also override `step()` itself, as in PyTorch.
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, "
                f"but got a Tensor of shape {params.shape}; pass [tensor] or model.parameters()"
            )
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._opt_called = False
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError(f"{type(self).__name__}: optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Record that the optimizer stepped, whoever implements step(): the LR schedulers
        # warn when their step() comes first, which silently skips the first learning rate.
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_records_call", False):

            @functools.wraps(step)
            def recorded_step(self: Optimizer, *args: Any, **kw: Any) -> Any:
                self._opt_called = True
                return step(self, *args, **kw)

            recorded_step._records_call = True  # type: ignore[attr-defined]
            cls.step = recorded_step  # type: ignore[method-assign]

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for index, group in enumerate(self.param_groups):
            text += f"\nParameter Group {index}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # -- groups --------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (others come from `defaults`).

        Used for fine-tuning: unfreeze a layer and give it a smaller learning rate.
        `params` may be Tensors or (name, Tensor) pairs (then every one needs a name).
        """
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{name}: param_group must be a dict, but got {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError(
                f"{name}: param_group has no 'params' entry (keys: {sorted(param_group)})"
            )
        params, names = _unpack_params(name, param_group["params"])
        param_group["params"] = params
        if names:
            param_group["param_names"] = names
        for key, default in self.defaults.items():
            if default is required and key not in param_group:
                raise ValueError(
                    f"{name}: parameter group didn't specify a value of required optimization parameter {key}"
                )
            param_group.setdefault(key, default)
        self._validate(param_group)
        ids = [id(param) for param in params]
        if len(ids) != len(set(ids)):
            warnings.warn(
                f"{name}: a parameter group holds the same parameter twice; it would be updated twice per step",
                stacklevel=3,
            )
        self._check_new_group(param_group, set(ids))
        self.param_groups.append(param_group)

    def _check_new_group(self, param_group: dict[str, Any], ids: set[int]) -> None:
        """A new group must agree with the others on names and share no parameter with them."""
        name = type(self).__name__
        for index, group in enumerate(self.param_groups):
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    f"{name}: all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
            if ids & {id(param) for param in group["params"]}:
                raise ValueError(
                    f"{name}: some parameters appear in more than one parameter group (group {index} and the new one)"
                )

    # -- the update ----------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: `.grad = None` (default), or fill them with zeros.

        Gradients accumulate across `backward()` calls, so each step starts here.
        None and zeros differ for the optimizer: a parameter whose `.grad` is None
        is skipped entirely (no weight decay, no momentum), a zero gradient is not.
        """
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                else:
                    param.grad.data[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns `closure()`'s loss if given.

        The closure re-evaluates the model and returns the loss (it runs with grad
        mode on); optimizers that need several evaluations per step call it again.
        """
        self._opt_called = True
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        states, update = self.state, self._update
        for group in self.param_groups:
            for param in group["params"]:
                grad = param.grad
                if grad is None:
                    continue
                state = states.get(param)
                if state:
                    update(param.data, grad.data, state, group)
                    continue
                state = self._init_state(param, group)
                update(param.data, grad.data, state, group)
                if state:  # plain SGD keeps no state; PyTorch then has no entry either
                    states[param] = state
        return loss

    def _validate(self, options: dict[str, Any]) -> None:
        """Raise ValueError naming any option value out of range (subclasses add checks)."""

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        """The state of `param` before its first update (lazy, as in PyTorch)."""
        return {}

    def _update(
        self, param: Array, grad: Array, state: dict[str, Any], group: dict[str, Any]
    ) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not implement _update() or step()")

    # -- saving and loading --------------------------------------------------------
    def state_dict(self) -> StateDict:
        """The optimizer's state with parameters replaced by their index in group order.

        `{'state': {index: {'exp_avg': Tensor, ...}}, 'param_groups': [{'lr': ..., 'params': [indices]}]}`.
        The state tensors are the live ones (as in PyTorch): copy them or save to a
        file before the next step if you need a snapshot.
        """
        index_of: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            for param in group["params"]:
                index_of.setdefault(id(param), len(index_of))
            packed["params"] = [index_of[id(param)] for param in group["params"]]
            groups.append(packed)
        state = {
            index_of[id(param)] if isinstance(param, Tensor) else param: value
            for param, value in self.state.items()
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: StateDict) -> None:
        """Restore options and state saved by `state_dict()` (of glassnet or torch.optim).

        Accepts glassnet Tensors, NumPy arrays and torch tensors as state values and,
        for files that went through JSON, string indices and lists for tuples. State
        shaped like its parameter is copied and cast to the parameter's dtype; scalar
        bookkeeping (`step`, `mu_product`) keeps its own dtype so a resumed run
        continues bit for bit.
        """
        name = type(self).__name__
        for key in ("state", "param_groups"):
            if key not in state_dict:
                raise ValueError(
                    f"{name}.load_state_dict: the state dict has no {key!r} entry (keys: {sorted(state_dict)})"
                )
        saved_groups = deepcopy(list(state_dict["param_groups"]))
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict: loaded state dict has a different number of parameter groups: "
                f"{len(saved_groups)} saved, {len(self.param_groups)} in this optimizer"
            )
        for index, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: loaded state dict contains a parameter group that doesn't match the "
                    f"size of optimizer's group: group {index} holds {len(saved['params'])} parameters in the "
                    f"state dict and {len(group['params'])} here"
                )
        param_of = {
            int(saved_id): param
            for group, saved in zip(self.param_groups, saved_groups)
            for saved_id, param in zip(saved["params"], group["params"])
        }
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for key, value in state_dict["state"].items():
            index = int(key) if isinstance(key, str) and key.isdigit() else key
            if index not in param_of:
                state[index] = value  # state not tied to a parameter is kept as is, like PyTorch
                continue
            param = param_of[index]
            state[param] = {
                entry: _restore_state_value(name, index, entry, item, param)
                for entry, item in value.items()
            }
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            for key, default in self.defaults.items():
                saved.setdefault(key, default)
                if isinstance(default, tuple) and isinstance(saved[key], list):
                    saved[key] = tuple(saved[key])  # JSON turned betas into a list
        self.state = state
        self.param_groups = saved_groups


def _unpack_params(owner: str, params: Any) -> tuple[list[Tensor], list[str]]:
    """A group's `params` as a list of leaf Tensors, and their names if given as (name, Tensor)."""
    if isinstance(params, Tensor):
        params = [params]
    elif isinstance(params, (set, frozenset)):
        raise TypeError(
            f"{owner}: optimizer parameters need to be organized in ordered collections, but the ordering "
            "of tensors in sets will change between runs. Please use a list instead."
        )
    params = list(params)
    names = [item[0] for item in params if isinstance(item, tuple)]
    params = [item[1] if isinstance(item, tuple) else item for item in params]
    if names and len(names) != len(params):
        raise ValueError(
            f"{owner}: all optimizer params should be with/without names. Some param names are missing"
        )
    for index, param in enumerate(params):
        if not isinstance(param, Tensor):
            raise TypeError(
                f"{owner}: optimizer can only optimize Tensors, but parameter {index} of the group is "
                f"{type(param).__name__}"
            )
        if not param.is_leaf:
            raise ValueError(
                f"{owner}: can't optimize a non-leaf Tensor (parameter {index}, shape {param.shape})"
            )
    return params, names


def _restore_state_value(owner: str, index: int, entry: str, value: Any, param: Tensor) -> Any:
    """One saved state entry as a glassnet Tensor of the right dtype and shape (a copy)."""
    if isinstance(value, numbers.Number) and entry in ("step", "mu_product"):
        return scalar_state(float(value))  # old files stored plain numbers
    if not (
        isinstance(value, (Tensor, numpy.ndarray))
        or hasattr(value, "__array_namespace__")
        or type(value).__module__.startswith("torch")
    ):
        return deepcopy(value)
    array = to_array(value, None, f"{owner}.load_state_dict: state[{index}][{entry!r}]")
    if array.ndim == 0:
        return Tensor(array.copy())
    if array.shape != param.shape:
        raise ValueError(
            f"{owner}.load_state_dict: state[{index}][{entry!r}] has shape {tuple(array.shape)} but parameter "
            f"{index} has shape {tuple(param.shape)}"
        )
    xp = namespace(param.data)
    return Tensor(
        xp.asarray(array, dtype=param.dtype if param.dtype.kind == "f" else array.dtype).copy()
    )
