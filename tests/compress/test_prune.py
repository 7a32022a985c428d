"""Magnitude pruning: the masks keep pruned weights at exactly zero through training with momentum and Adam."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet import nn
from glassnet.compress.finetune import accuracy, finetune
from glassnet.compress.prune import (
    CompressionError,
    MaskCallback,
    agp_sparsity,
    iterative_amounts,
    prune,
    prune_by_std,
    sensitivity,
)
from glassnet.data import DataLoader, TensorDataset
from glassnet.optim import SGD, Adam
from glassnet.tensor import Tensor
from glassnet.train import Trainer


def _net(seed: int = 0) -> nn.Module:
    glassnet.manual_seed(seed)
    return nn.Sequential(nn.Flatten(), nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))


def _data(rng, n=96):
    x = rng.standard_normal((n, 16)).astype(np.float32)
    return x, (x[:, :4].argmax(axis=1)).astype(np.int64)


def test_prune_per_layer_removes_the_smallest_magnitudes():
    model = _net()
    w = model[1].weight.data.copy()
    masks = prune(model, 0.75)
    assert masks.kept() == {
        "1": pytest.approx(0.25, abs=1 / 512),
        "3": pytest.approx(0.25, abs=1 / 128),
    }
    kept = np.abs(w[masks["1"] == 1])
    dropped = np.abs(w[masks["1"] == 0])
    assert kept.min() > dropped.max()
    assert np.all(model[1].weight.data[masks["1"] == 0] == 0)


def test_global_pruning_ranks_all_layers_together():
    model = _net()
    model[3].weight.data *= 0.01  # a layer of tiny weights loses nearly everything
    masks = prune(model, 0.5, scope="global")
    assert masks.kept()["3"] < 0.05 and masks.kept()["1"] > 0.5


def test_prune_by_std_uses_quality_times_std():
    model = _net()
    w = model[1].weight.data.copy()
    masks = prune_by_std(model, 0.7)
    np.testing.assert_array_equal(masks["1"], (np.abs(w) > 0.7 * w.std()).astype(np.float32))


def test_pruning_again_keeps_earlier_zeros():
    model = _net()
    first = prune(model, 0.5)
    model[1].weight.data += 1.0  # even if pruned weights were revived, the old mask holds
    second = prune(model, 0.6, previous=first)
    assert np.all(second["1"][first["1"] == 0] == 0)


@pytest.mark.parametrize(
    "make",
    [
        lambda p: SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-3),
        lambda p: Adam(p, lr=1e-2, weight_decay=1e-3),
    ],
    ids=["sgd-momentum", "adam"],
)
def test_masks_keep_pruned_weights_exactly_zero_through_training(make, rng):
    model = _net()
    x, y = _data(rng)
    optimizer = make(model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(3):  # optimizer state (momentum, Adam moments) built up before pruning
        optimizer.zero_grad()
        loss_fn(model(Tensor(x)), Tensor(y)).backward()
        optimizer.step()
    masks = prune(model, 0.8)
    masks.attach(model)
    before = model[1].weight.data.copy()
    for _ in range(5):
        optimizer.zero_grad()
        loss_fn(model(Tensor(x)), Tensor(y)).backward()
        assert np.all(model[1].weight.grad.data[masks["1"] == 0] == 0)  # gradient masked
        optimizer.step()
        masks.apply(model)
    for name in ("1", "3"):
        weight = dict(model.named_modules())[name].weight.data
        assert np.all(weight[masks[name] == 0] == 0.0)
    assert not np.allclose(model[1].weight.data, before)  # the kept weights did train


def test_without_reapplying_the_mask_momentum_revives_pruned_weights(rng):
    """Why `apply` runs after each step: a masked gradient alone is not enough with momentum."""
    model = _net()
    x, y = _data(rng)
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(3):
        optimizer.zero_grad()
        loss_fn(model(Tensor(x)), Tensor(y)).backward()
        optimizer.step()
    masks = prune(model, 0.8)
    masks.attach(model)
    optimizer.zero_grad()
    loss_fn(model(Tensor(x)), Tensor(y)).backward()
    optimizer.step()
    assert np.any(model[1].weight.data[masks["1"] == 0] != 0)


def test_finetune_and_the_trainer_callback_keep_zeros(rng):
    x, y = _data(rng)
    model = _net()
    masks = prune(model, 0.9)
    finetune(model, x, y, epochs=2, lr=1e-2, optimizer="momentum", masks=masks)
    assert np.all(model[1].weight.data[masks["1"] == 0] == 0)
    model = _net(1)
    masks = prune(model, 0.9)
    trainer = Trainer(
        model,
        Adam(model.parameters(), lr=1e-2),
        nn.CrossEntropyLoss(),
        callbacks=[MaskCallback(masks)],
    )
    trainer.fit(DataLoader(TensorDataset(x, y), batch_size=32), epochs=2)
    assert np.all(model[3].weight.data[masks["3"] == 0] == 0)


def test_agp_schedule_is_zhu_and_gupta_cubic():
    assert agp_sparsity(0, 0.9, steps=10) == 0.0
    assert agp_sparsity(5, 0.9, steps=10) == pytest.approx(0.9 * (1 - 0.5**3))
    assert agp_sparsity(10, 0.9, steps=10) == pytest.approx(0.9)
    assert agp_sparsity(50, 0.9, steps=10) == pytest.approx(0.9)
    assert iterative_amounts(0.9, 3) == pytest.approx(
        [0.9 * (1 - (2 / 3) ** 3), 0.9 * (1 - (1 / 3) ** 3), 0.9]
    )


def test_sensitivity_restores_weights_and_falls_with_pruning(rng):
    model = _net()
    x, y = _data(rng)
    finetune(model, x, y, epochs=15, lr=1e-2)
    saved = model[1].weight.data.copy()
    curves = sensitivity(model, lambda m: accuracy(m, x, y), kept=(1.0, 0.01))
    np.testing.assert_array_equal(model[1].weight.data, saved)
    assert set(curves) == {"1", "3"}
    assert curves["1"][1][1] < curves["1"][0][1]


@pytest.mark.parametrize("amount", [0, 1, 1.5, -0.1])
def test_prune_refuses_shares_outside_zero_one(amount):
    with pytest.raises(CompressionError, match=r"--prune must be a share in \(0, 1\)"):
        prune(_net(), amount)


def test_a_model_without_prunable_layers_is_refused():
    with pytest.raises(CompressionError, match="Sequential has no prunable layer"):
        prune(nn.Sequential(nn.ReLU()), 0.5)
