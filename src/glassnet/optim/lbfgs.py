"""L-BFGS: a quasi-Newton method that builds its curvature model from the last few steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from glassnet.backend import Array, namespace
from glassnet.grad_mode import enable_grad, no_grad
from glassnet.optim.line_search import strong_wolfe
from glassnet.optim.optimizer import Optimizer, ParamsT, StateDict, as_scalar
from glassnet.tensor import Tensor, to_array

_ARRAY_STATE = ("d", "prev_flat_grad")
_ARRAY_LIST_STATE = ("old_dirs", "old_stps")


class LBFGS(Optimizer):
    r"""L-BFGS (Liu and Nocedal, 1989), PyTorch's variant (after minFunc).

    Each `step(closure)` runs up to `max_iter` iterations on the flat vector of all
    parameters, re-evaluating the loss through `closure` (at most `max_eval` times).
    With s_k = x_{k+1} - x_k and y_k = g_{k+1} - g_k kept for the last `history_size`
    steps (only pairs with y.s > 1e-10, which keeps the model positive definite),
    the direction d = -H g comes from the two-loop recursion, never forming H::

        q = -g;  for i = newest..oldest:  a_i = rho_i s_i.q;  q -= a_i y_i   (rho_i = 1/y_i.s_i)
        r = gamma q,  gamma = s.y / y.y of the newest pair (the initial Hessian's scale)
        for i = oldest..newest:  b_i = rho_i y_i.r;  r += (a_i - b_i) s_i;   d = r

    The step length is `lr` (the first one min(1, 1/|g|_1) * lr), or with
    `line_search_fn='strong_wolfe'` a step meeting the strong Wolfe conditions
    (see `line_search.py`). Iteration stops early when max|g| <= tolerance_grad,
    when g.d > -tolerance_change, or when the step or the change of loss falls
    below tolerance_change. Memory: (2 history_size + 2) copies of the parameters.

    As in PyTorch there is only one parameter group, and the state (iteration
    counts, history) sits under the first parameter, so `state_dict()` exchanges with
    torch.optim.LBFGS's. Iterates match torch's to ~1e-11 in float64 over tens of
    iterations, not bit for bit: torch's `add_(alpha=)` is a fused multiply-add and its
    dot a BLAS one, so the two-loop recursion rounds differently in the last bit, which
    a long run without line search on an ill-conditioned problem slowly amplifies.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError(
                "LBFGS doesn't support per-parameter options (parameter groups): "
                f"got {len(self.param_groups)} groups"
            )
        self._params: list[Tensor] = self.param_groups[0]["params"]

    def _validate(self, options: dict[str, Any]) -> None:
        lr = as_scalar("LBFGS", "lr", options["lr"])
        if not lr >= 0.0:
            raise ValueError(f"LBFGS: Invalid learning rate: {lr} (lr must be >= 0)")
        for name in ("max_iter", "max_eval", "history_size"):
            value = options[name]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"LBFGS: {name} must be a positive integer, got {value!r}")
        if options["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(
                f"LBFGS: line_search_fn must be None or 'strong_wolfe', got {options['line_search_fn']!r}"
            )

    # -- the flat parameter vector -------------------------------------------------
    def _gather_flat_grad(self) -> Array:
        xp = namespace(self._params[0].data)
        return xp.concatenate(
            [
                xp.zeros(p.numel(), p.dtype) if p.grad is None else p.grad.data.reshape(-1)
                for p in self._params
            ]
        )

    def _add_grad(self, step_size: Any, update: Array) -> None:
        """x += step_size * update, for every parameter's slice of the flat vector."""
        offset = 0
        for p in self._params:
            numel = p.numel()
            p.data += step_size * update[offset : offset + numel].reshape(p.shape)
            offset += numel

    def _directional_evaluate(
        self, closure: Callable[[], Any], x: list[Array], t: Any, d: Array
    ) -> tuple[float, Array]:
        """Loss and flat gradient at x + t d; the parameters are put back to x."""
        self._add_grad(t, d)
        with enable_grad():
            loss = float(closure())
        flat_grad = self._gather_flat_grad()
        for p, saved in zip(self._params, x):
            p.data[...] = saved
        return loss, flat_grad

    # -- the step --------------------------------------------------------------------
    def step(self, closure: Callable[[], Any]) -> Any:  # type: ignore[override]
        """Up to `max_iter` L-BFGS iterations; returns the loss at the starting point.

        `closure` must zero the gradients, compute the loss, call backward and return
        the loss; it is called with grad mode on.
        """
        if closure is None:
            raise ValueError("LBFGS.step needs a closure that re-evaluates the loss")
        group = self.param_groups[0]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if abs(flat_grad).max() <= group["tolerance_grad"]:
            return orig_loss
        with no_grad():
            self._iterate(closure, group, state, loss, flat_grad)
        return orig_loss

    def _iterate(
        self,
        closure: Callable[[], Any],
        group: dict[str, Any],
        state: dict[str, Any],
        loss: float,
        flat_grad: Array,
    ) -> None:
        lr = as_scalar("LBFGS", "lr", group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        memory = _Memory.load(state, group["history_size"])
        current_evals = 1
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                memory.reset(flat_grad)
            else:
                memory.update(flat_grad)
            d = memory.d
            if memory.prev_flat_grad is None:
                memory.prev_flat_grad = flat_grad.copy()
            else:
                memory.prev_flat_grad[...] = flat_grad
            memory.prev_loss = loss
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / abs(flat_grad).sum()) * lr
            else:
                t = lr
            memory.t = t
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:
                break  # not a descent direction (to within tolerance)
            if group["line_search_fn"] is not None:
                loss, flat_grad, t, ls_func_evals = self._line_search(
                    closure, t, d, loss, flat_grad, gtd, max_eval - current_evals
                )
                memory.t = t
                self._add_grad(t, d)
                opt_cond = abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                opt_cond, ls_func_evals = False, 0
                if n_iter != max_iter:  # the last iteration's loss would go unused
                    with enable_grad():
                        loss = float(closure())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if abs(d * t).max() <= tolerance_change:
                break  # the step no longer moves the parameters
            if abs(loss - memory.prev_loss) < tolerance_change:
                break  # the loss no longer changes
        memory.store(state)

    def _line_search(
        self,
        closure: Callable[[], Any],
        t: Any,
        d: Array,
        loss: float,
        flat_grad: Array,
        gtd: Any,
        max_ls: int,
    ) -> tuple[float, Array, Any, int]:
        """The strong-Wolfe search along d from the current parameters (left unchanged)."""
        x_init = [p.data.copy() for p in self._params]
        return strong_wolfe(
            lambda x, step, direction: self._directional_evaluate(closure, x, step, direction),
            x_init,
            t,
            d,
            loss,
            flat_grad,
            gtd,
            max_ls=max_ls,
        )

    # -- saving and loading ------------------------------------------------------------
    def load_state_dict(self, state_dict: StateDict) -> None:
        """Restore a state dict of glassnet's or torch.optim.LBFGS's (flat history vectors)."""
        saved = dict(state_dict)
        saved["state"] = {}
        super().load_state_dict(saved)
        entries = dict(state_dict["state"])
        if not entries:
            return
        if len(entries) != 1:
            raise ValueError(
                f"LBFGS.load_state_dict: expected the state of one parameter, got {len(entries)}"
            )
        (value,) = entries.values()
        xp = namespace(self._params[0].data)
        restored: dict[str, Any] = {}
        for key, item in value.items():
            where = f"LBFGS.load_state_dict: state[0][{key!r}]"
            if key in _ARRAY_STATE and item is not None:
                restored[key] = Tensor(xp.asarray(to_array(item, None, where)).copy())
            elif key in _ARRAY_LIST_STATE:
                restored[key] = [Tensor(xp.asarray(to_array(v, None, where)).copy()) for v in item]
            elif key in ("ro", "al"):
                restored[key] = [None if v is None else _scalar(v, where) for v in item]
            elif key in ("t", "H_diag", "prev_loss"):
                restored[key] = item if item is None else _scalar(item, where)
            else:
                restored[key] = item
        self.state[self._params[0]] = restored


def _scalar(value: Any, where: str) -> Any:
    """A saved 0-d value as a NumPy scalar of its own dtype (Python numbers stay as they are)."""
    if isinstance(value, (int, float)):
        return value
    return to_array(value, None, where).reshape(())[()]


class _Memory:
    """The L-BFGS history: the pairs (y_i, s_i), rho_i = 1 / y_i.s_i, and the last direction."""

    def __init__(self, history_size: int) -> None:
        self.history_size = history_size
        self.old_dirs: list[Array] = []  # y_i: gradient changes
        self.old_stps: list[Array] = []  # s_i: parameter steps
        self.ro: list[Any] = []
        self.al: list[Any] | None = None
        self.H_diag: Any = 1
        self.d: Array | None = None
        self.t: Any = None
        self.prev_flat_grad: Array | None = None
        self.prev_loss: Any = None

    @classmethod
    def load(cls, state: dict[str, Any], history_size: int) -> _Memory:
        memory = cls(history_size)
        for key in ("ro", "H_diag", "t", "prev_loss", "al"):
            if key in state:
                setattr(memory, key, state[key])
        for key in _ARRAY_STATE:
            if state.get(key) is not None:
                setattr(memory, key, state[key].data)
        for key in _ARRAY_LIST_STATE:
            if key in state:
                setattr(memory, key, [item.data for item in state[key]])
        return memory

    def store(self, state: dict[str, Any]) -> None:
        for key in ("ro", "H_diag", "t", "prev_loss"):
            state[key] = getattr(self, key)
        if self.al is not None:
            state["al"] = self.al
        for key in _ARRAY_STATE:
            value = getattr(self, key)
            state[key] = None if value is None else Tensor(value)
        for key in _ARRAY_LIST_STATE:
            state[key] = [Tensor(item) for item in getattr(self, key)]

    def reset(self, flat_grad: Array) -> None:
        """The first iteration: steepest descent, an empty history."""
        self.d = -flat_grad
        self.old_dirs, self.old_stps, self.ro = [], [], []
        self.H_diag = 1

    def update(self, flat_grad: Array) -> None:
        """Add the newest pair (if y.s > 1e-10) and set d = -H g by the two-loop recursion."""
        y = flat_grad - self.prev_flat_grad
        s = self.d * self.t
        ys = y.dot(s)
        if ys > 1e-10:
            if len(self.old_dirs) == self.history_size:
                self.old_dirs.pop(0)
                self.old_stps.pop(0)
                self.ro.pop(0)
            self.old_dirs.append(y)
            self.old_stps.append(s)
            self.ro.append(1.0 / ys)
            self.H_diag = ys / y.dot(y)
        if self.al is None:
            self.al = [None] * self.history_size
        al = self.al
        q = -flat_grad
        for i in range(len(self.old_dirs) - 1, -1, -1):
            al[i] = self.old_stps[i].dot(q) * self.ro[i]
            q += -al[i] * self.old_dirs[i]
        r = q * self.H_diag
        for i in range(len(self.old_dirs)):
            be_i = self.old_dirs[i].dot(r) * self.ro[i]
            r += (al[i] - be_i) * self.old_stps[i]
        self.d = r
