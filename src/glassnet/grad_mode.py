"""Grad mode: whether ops record the graph (`no_grad`, `enable_grad`, `set_grad_enabled`)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

_state = threading.local()
F = TypeVar("F", bound=Callable[..., Any])


def is_grad_enabled() -> bool:
    """True when ops record their inputs for backward (the default)."""
    return getattr(_state, "enabled", True)


def _set(enabled: bool) -> None:
    _state.enabled = enabled


class set_grad_enabled:
    """Context manager (and decorator) that turns graph recording on or off."""

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.previous = is_grad_enabled()
        _set(self.mode)  # like torch: also works as a plain call

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        _set(self.previous)


class _GradModeContext:
    mode: bool

    def __enter__(self) -> None:
        self.previous = is_grad_enabled()
        _set(self.mode)

    def __exit__(self, *exc: object) -> None:
        _set(self.previous)

    def __call__(self, function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):
    """Within this block ops record nothing: for inference and optimiser updates."""

    mode = False


class enable_grad(_GradModeContext):
    """Turn recording back on inside a `no_grad` block."""

    mode = True
