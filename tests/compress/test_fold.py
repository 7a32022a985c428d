"""BatchNorm folded before compressing: conv -> BN (nn.fusion) and Linear -> BatchNorm1d (the MLP's layout)."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet import nn
from glassnet.compress.fold import fold_batchnorm, has_batchnorm
from glassnet.models import build_model
from glassnet.tensor import Tensor


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_folded_model_computes_the_same_function_without_batchnorm(name, rng):
    glassnet.manual_seed(0)
    model = build_model(name, (1, 8, 8), 10)
    x = Tensor(rng.standard_normal((32, 1, 8, 8)).astype(np.float32))
    model.train()
    for _ in range(3):  # running statistics away from 0 and 1
        model(x)
    model.eval()
    folded = fold_batchnorm(model, (1, 8, 8))
    assert has_batchnorm(model) and not has_batchnorm(folded)
    np.testing.assert_allclose(folded(x).data, model(x).data, rtol=1e-4, atol=1e-5)


def test_a_model_without_batchnorm_is_copied_unchanged(rng):
    model = nn.Sequential(nn.Linear(4, 3))
    folded = fold_batchnorm(model, (4,))
    assert folded is not model
    np.testing.assert_array_equal(folded[0].weight.data, model[0].weight.data)
