"""BatchNorm's fast paths (ops/batch_norm.py): float32 accuracy far from zero, and inputs without gradients."""

from __future__ import annotations

import numpy
import pytest

import glassnet
import glassnet.nn.functional as F
from helpers import assert_parity


def test_batch_norm_float32_with_a_large_mean_stays_accurate(rng):
    """The variance is taken of the centred input: E[x^2] - mean^2 would lose every digit here."""
    x = (rng.standard_normal((16, 3, 8, 8)) * 0.5 + 1000.0).astype(numpy.float32)
    y = F.batch_norm(glassnet.tensor(x), None, None, training=True).data
    x64 = x.astype(numpy.float64)
    mean, var = x64.mean(axis=(0, 2, 3), keepdims=True), x64.var(axis=(0, 2, 3), keepdims=True)
    numpy.testing.assert_allclose(y, (x64 - mean) / numpy.sqrt(var + 1e-5), atol=2e-3)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradients_of_parameters_only(training, rng):
    """Data that needs no gradient: dL/dgamma and dL/dbeta still match torch."""
    x = rng.standard_normal((5, 3, 4, 2))
    stats = (rng.standard_normal(3), rng.uniform(0.5, 2.0, 3))

    def fn(lib, weight, bias):
        running = [lib.tensor(s.copy()) for s in stats]
        return lib.nn.functional.batch_norm(
            lib.tensor(x), *running, weight, bias, training=training
        )

    assert_parity(fn, [rng.standard_normal(3), rng.standard_normal(3)])


def test_batch_norm_training_output_is_not_the_saved_array(rng):
    """Without gamma and beta the output equals xhat; backward must not read the caller's copy."""
    data, upstream = rng.standard_normal((4, 2, 3)), rng.standard_normal((4, 2, 3))
    grads = []
    for overwrite in (False, True):
        x = glassnet.tensor(data, requires_grad=True)
        y = F.batch_norm(x, None, None, training=True)
        if overwrite:
            with glassnet.no_grad():
                y.data[...] = 0.0  # a caller writing into the output it was given
        y.backward(upstream)
        grads.append(x.grad.data)
    assert numpy.abs(grads[0]).max() > 1e-3
    numpy.testing.assert_array_equal(grads[1], grads[0])
