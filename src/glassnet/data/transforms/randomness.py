"""Where a random transform's numbers come from: one NumPy Generator per sample.

A transform never owns a generator. It is handed one when called, or finds one in
the current scope, or falls back to glassnet's global generator:

1. `t(img, generator=g)` (or `t.batch(imgs, generator=g)`): the explicit argument;
2. `with use_generator(g): ...`: a context-local generator set by the caller (a
   pipeline worker), seen by every transform called inside, even through user code
   that calls transforms without passing `generator`;
3. `glassnet.random.default_generator()`, reset by `glassnet.manual_seed`.

For output that does not depend on the worker count, a pipeline derives each
sample's stream from its coordinates only: `sample_generator(seed, epoch, index)`
is PCG64 seeded by `SeedSequence([seed, epoch, index])` (~8 us to make). Whichever
worker, thread or process handles sample `index`, it draws the same numbers.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy

from glassnet.random import default_generator

Generator = numpy.random.Generator
# A batch takes one generator (all samples' parameters drawn at once) or one per sample.
GeneratorArg = Generator | Sequence[Generator] | None
Params = dict[str, numpy.ndarray]

# A ContextVar, not a global: each thread (and each asyncio task) sees its own value,
# so thread workers can scope different samples' generators at the same time.
_scoped: contextvars.ContextVar[Generator | None] = contextvars.ContextVar(
    "glassnet_transform_generator", default=None
)


def sample_generator(seed: int, epoch: int, index: int) -> Generator:
    """The random stream of sample `index` in `epoch` of a pipeline seeded with `seed`.

    SeedSequence hashes the three integers together, so neighbouring indices or epochs
    give statistically independent streams.
    """
    values = {"seed": seed, "epoch": epoch, "index": index}
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value < 0:
            raise ValueError(
                f"sample_generator: {name} must be a non-negative integer; got {value!r}"
            )
    return numpy.random.default_rng([int(seed), int(epoch), int(index)])


@contextlib.contextmanager
def use_generator(generator: Generator) -> Iterator[Generator]:
    """Make `generator` the one transforms draw from inside this block (this thread only)."""
    if not isinstance(generator, Generator):
        raise TypeError(
            f"use_generator: expected a numpy.random.Generator; got {type(generator).__name__}"
        )
    token = _scoped.set(generator)
    try:
        yield generator
    finally:
        _scoped.reset(token)


def current_generator(generator: Generator | None = None, where: str = "transform") -> Generator:
    """Resolve a generator argument: the explicit one, else the scoped one, else glassnet's global."""
    if generator is None:
        generator = _scoped.get()
        # Looked up at each call: manual_seed replaces the global generator object.
        return generator if generator is not None else default_generator()
    if not isinstance(generator, Generator):
        raise TypeError(
            f"{where}: generator must be a numpy.random.Generator; got {type(generator).__name__}"
        )
    return generator


def draw_params(
    draw: Callable[[int, Generator], Params], n: int, generator: Any, where: str
) -> Params:
    """Parameters for `n` samples from one generator (one vectorised draw) or from one per sample.

    With one generator per sample, sample i's parameters are exactly what the per-sample
    call `t(img_i, generator=g_i)` would draw, so a batch equals its samples one by one.
    The loop is over the samples' tiny parameter draws; the pixel work stays vectorised.
    """
    if generator is None or isinstance(generator, Generator):
        return draw(n, current_generator(generator, where))
    if not isinstance(generator, Sequence):
        raise TypeError(
            f"{where}: generator must be a numpy.random.Generator or a sequence of them; "
            f"got {type(generator).__name__}"
        )
    if len(generator) != n:
        raise ValueError(
            f"{where}: got {len(generator)} generators for a batch of {n} samples; "
            "pass one per sample or a single one"
        )
    if n == 0:
        return draw(0, current_generator(None, where))
    parts = [draw(1, current_generator(g, where)) for g in generator]
    return {key: numpy.concatenate([part[key] for part in parts]) for key in parts[0]}
