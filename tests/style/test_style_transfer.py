"""The transfer loop: losses fall within the evaluation budget; the objective's parts."""

from __future__ import annotations

import numpy
import pytest

from glassnet.style.features import MultiScaleBanks
from glassnet.style.images import load_image
from glassnet.style.transfer import Objective, transfer
from glassnet.tensor import Tensor


@pytest.fixture(scope="module")
def pictures():
    return load_image("sample:china", 96), load_image("sample:flower", 96)


@pytest.fixture(scope="module")
def banks():
    return MultiScaleBanks(filters=16)


def test_lbfgs_brings_the_style_loss_down_within_the_budget(pictures, banks):
    content, style = pictures
    result = transfer(content, style, banks, steps=15)
    assert 10 <= result.evaluations <= 15
    assert result.style_reduction() > 0.8
    assert result.image.shape == content.shape and result.image.dtype == numpy.float32
    assert 0.0 <= result.image.min() and result.image.max() <= 1.0


def test_adam_takes_one_evaluation_per_step(pictures, banks):
    content, style = pictures
    result = transfer(content, style, banks, steps=5, optimizer="adam")
    assert result.evaluations == 5
    assert result.history[-1]["style"] < result.history[0]["style"]


def test_the_objective_starts_at_zero_content_loss_and_weights_its_parts(pictures, banks):
    content, style = pictures
    objective = Objective(banks, content, style, 2.0, 3.0, 5.0)
    _, parts = objective(Tensor(content[None]))
    assert parts["content"] == 0.0 and parts["style"] > 0 and parts["tv"] > 0
    expected = 3.0 * parts["style"] + 5.0 * parts["tv"]
    assert parts["total"] == pytest.approx(expected, rel=1e-5)


def test_with_nothing_to_gain_the_content_picture_is_returned(pictures, banks):
    content, style = pictures
    result = transfer(content, style, banks, style_weight=0.0, steps=5)
    numpy.testing.assert_array_equal(result.image, content)
    assert result.evaluations == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"optimizer": "sgd"}, "--optimizer 'sgd': choose from lbfgs, adam"),
        ({"steps": 0}, "--steps 0: need at least 1 evaluation"),
    ],
)
def test_bad_options(pictures, banks, options, message):
    with pytest.raises(ValueError, match=message):
        transfer(*pictures, banks, **options)
