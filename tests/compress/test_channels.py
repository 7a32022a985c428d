"""Channel pruning: the pruned dense model equals the masked original; coupled groups; save and load."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet
from glassnet import nn
from glassnet.compress.channels import (
    SlimmingPenalty,
    mask_channels,
    plan_channels,
    prune_channels,
    shrink_to,
)
from glassnet.compress.prune import CompressionError
from glassnet.models import build_model
from glassnet.models.mobilenet import mobilenet_v1_cifar
from glassnet.models.resnet_cifar import CifarBasicBlock, resnet20
from glassnet.optim import SGD
from glassnet.tensor import Tensor
from glassnet.train import Trainer


def _randomise_batchnorm(model, rng):
    """Non-trivial BN statistics and affine terms, so that a wrong channel would show."""
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            c = module.num_features
            module.weight.data[...] = rng.uniform(0.2, 1.5, c)
            module.bias.data[...] = rng.normal(0, 0.3, c)
            module.running_mean.data[...] = rng.normal(0, 0.3, c)
            module.running_var.data[...] = rng.uniform(0.5, 2.0, c)
    return model.eval()


def _blocks(model):
    return [(n, m) for n, m in model.named_modules() if isinstance(m, CifarBasicBlock)]


def _params(model):
    return sum(p.data.size for p in model.parameters())


@pytest.mark.parametrize("criterion", ["l1", "slimming"])
@pytest.mark.parametrize("shortcut", ["A", "B", None])
def test_pruned_resnet20_equals_the_masked_original(rng, criterion, shortcut):
    glassnet.manual_seed(0)
    model = _randomise_batchnorm(resnet20(in_channels=1, shortcut=shortcut), rng)
    small, plan = prune_channels(model, 0.5, criterion)
    x = Tensor(rng.standard_normal((2, 1, 8, 8)).astype(np.float32))
    masked = mask_channels(model, plan)
    with glassnet.no_grad():
        expected, got, original = masked(x).data, small(x).data, model(x).data
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    assert not np.allclose(original, expected, atol=1e-3)  # the masking did change something
    assert _params(small) < 0.35 * _params(
        model
    )  # half the channels: about a quarter of the weights
    assert small.layer1[0].conv1.out_channels == 8 and small.layer3[2].conv2.out_channels == 32


def test_residual_stream_channels_are_removed_together(rng):
    glassnet.manual_seed(1)
    model = _randomise_batchnorm(resnet20(in_channels=1), rng)
    plan = plan_channels(model, 0.5)
    stem = plan.out["conv1"]
    assert len(stem) == 8
    for stage, width in (("layer1", 16), ("layer2", 32), ("layer3", 64)):
        for block in range(3):
            gone = plan.out[f"{stage}.{block}.conv2"]
            assert gone & set(range(16)) == stem  # the stage-1 channels, the same everywhere
            assert len(gone) == width // 2
    assert plan.inp["fc"] == plan.out["layer3.2.bn2"]


def test_chain_with_linear_head_and_depthwise_convs(rng):
    glassnet.manual_seed(0)
    cnn = _randomise_batchnorm(build_model("cnn", (1, 8, 8), 10), rng)
    small, plan = prune_channels(cnn, 0.25)
    assert small[0].out_channels == 24 and small[9].in_features == 48 * 4  # 2x2 map per channel
    x = Tensor(rng.standard_normal((3, 1, 8, 8)).astype(np.float32))
    with glassnet.no_grad():
        np.testing.assert_allclose(
            small(x).data, mask_channels(cnn, plan)(x).data, rtol=1e-4, atol=1e-5
        )
    mobile = _randomise_batchnorm(mobilenet_v1_cifar(num_classes=10, width_mult=0.25), rng)
    small, plan = prune_channels(mobile, 0.5)
    block = small.features[1]
    assert (
        block.depthwise.groups == block.depthwise.in_channels == small.features[0][0].out_channels
    )
    x = Tensor(rng.standard_normal((2, 3, 32, 32)).astype(np.float32))
    with glassnet.no_grad():
        np.testing.assert_allclose(
            small(x).data, mask_channels(mobile, plan)(x).data, rtol=1e-4, atol=1e-5
        )


def test_pruned_model_saves_and_loads_as_an_ordinary_state_dict(rng, tmp_path):
    glassnet.manual_seed(0)
    model = _randomise_batchnorm(resnet20(in_channels=1), rng)
    small, _ = prune_channels(model, 0.5)
    glassnet.save(small.state_dict(), tmp_path / "small.safetensors")
    state = glassnet.load(tmp_path / "small.safetensors")
    loaded = shrink_to(resnet20(in_channels=1), state)
    loaded.load_state_dict(state)
    x = Tensor(rng.standard_normal((2, 1, 8, 8)).astype(np.float32))
    with glassnet.no_grad():
        np.testing.assert_array_equal(loaded.eval()(x).data, small(x).data)


def test_slimming_penalty_shrinks_the_gammas(rng):
    batches = [(rng.standard_normal((8, 1, 8, 8)).astype(np.float32), rng.integers(0, 2, 8))]

    def gammas_after(lam):
        glassnet.manual_seed(0)
        model = nn.Sequential(
            nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 36, 2)
        )
        callbacks = [SlimmingPenalty(lam)]
        Trainer(
            model, SGD(model.parameters(), lr=0.5), nn.CrossEntropyLoss(), callbacks=callbacks
        ).fit(batches, epochs=5)
        return np.abs(model[1].weight.data).sum()

    # 5 steps x lr 0.5 x lam 0.05 x 4 gammas = 0.5 less L1 than without the penalty (to first order)
    assert gammas_after(0.0) - gammas_after(0.05) == pytest.approx(0.5, abs=0.1)


def test_bad_options_and_models_are_named():
    with pytest.raises(CompressionError, match=r"fraction must be in \[0, 1\)"):
        plan_channels(resnet20(), 1.0)
    with pytest.raises(CompressionError, match="criterion must be l1 or slimming"):
        plan_channels(resnet20(), 0.5, "l2")
    with pytest.raises(CompressionError, match="no conv whose output channels"):
        plan_channels(nn.Sequential(nn.Linear(3, 2)), 0.5)


def _grouped_chain():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Conv2d(8, 12, 3, padding=1, groups=2), nn.BatchNorm2d(12), nn.ReLU(),
        nn.Conv2d(12, 12, 3, padding=1, groups=3), nn.BatchNorm2d(12), nn.ReLU(),
        nn.Conv2d(12, 8, 1, groups=4), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Conv2d(8, 8, 3, padding=1, groups=8), nn.BatchNorm2d(8), nn.ReLU(),  # depthwise
        nn.Conv2d(8, 4, 1),
    )  # fmt: skip


@pytest.mark.parametrize("criterion", ["l1", "slimming"])
def test_grouped_convs_lose_channels_evenly_per_group(rng, criterion):
    glassnet.manual_seed(0)
    model = _randomise_batchnorm(_grouped_chain(), rng)
    small, plan = prune_channels(model, 0.5, criterion)
    # conv 0 feeds a 2-group conv: 2 of each block of 4 go; conv 3 (groups 2) feeds groups 3:
    # lcm 6, 12 channels in 6 blocks of 2, one of each goes; conv 6 (groups 3) feeds groups 4
    # (lcm 12): blocks of 1, nothing can go; conv 9 (groups 4) is carried through the
    # depthwise conv 12 into conv 15: blocks of 2, one of each goes.
    assert [small[i].out_channels for i in (0, 3, 6, 9, 12, 15)] == [4, 6, 12, 4, 4, 4]
    assert [small[i].in_channels for i in (3, 6, 9, 12, 15)] == [4, 6, 12, 4, 4]
    assert [small[i].groups for i in (3, 6, 9, 12)] == [2, 3, 4, 4]
    gone = sorted(plan.out["0"])
    assert sum(c < 4 for c in gone) == sum(c >= 4 for c in gone) == 2
    x = Tensor(rng.standard_normal((3, 1, 6, 6)).astype(np.float32))
    with glassnet.no_grad():
        np.testing.assert_allclose(
            small(x).data, mask_channels(model, plan)(x).data, rtol=1e-4, atol=1e-5
        )
    rebuilt = shrink_to(_grouped_chain(), small.state_dict())
    rebuilt.load_state_dict(small.state_dict())
    with glassnet.no_grad():
        np.testing.assert_allclose(rebuilt.eval()(x).data, small(x).data, rtol=1e-6, atol=1e-6)


def test_depthwise_with_a_channel_multiplier_is_pruned_per_input_channel(rng):
    glassnet.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
        nn.Conv2d(4, 8, 3, padding=1, groups=4), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Conv2d(8, 3, 1),
    )  # fmt: skip
    model = _randomise_batchnorm(model, rng)
    small, plan = prune_channels(model, 0.5)
    # the stem feeds 4 groups of width 1: none of its channels can go; the multiplier conv's 8
    # outputs are 4 blocks of 2, one of each goes
    assert (small[0].out_channels, small[3].out_channels, small[6].in_channels) == (4, 4, 4)
    x = Tensor(rng.standard_normal((2, 1, 5, 5)).astype(np.float32))
    with glassnet.no_grad():
        np.testing.assert_allclose(
            small(x).data, mask_channels(model, plan)(x).data, rtol=1e-4, atol=1e-5
        )


def test_global_scope_refuses_grouped_convs(rng):
    with pytest.raises(CompressionError, match="scope 'global' cannot keep the groups .* '0'"):
        plan_channels(_grouped_chain(), 0.5, "slimming", scope="global")


def test_global_slimming_takes_the_small_gammas_wherever_they_are(rng):
    glassnet.manual_seed(0)
    model = _randomise_batchnorm(resnet20(in_channels=1), rng)
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.weight.data[...] = 1.0
    model.layer2[1].bn1.weight.data[:30] = 0.01  # 30 of 32 inner channels nearly off
    model.layer3[0].bn1.weight.data[:] = 0.001  # all 64 off: one must stay
    plan = plan_channels(
        model, 93 / 400, "slimming", scope="global"
    )  # 336 inner + 64 stream channels
    assert plan.removed == 93
    assert plan.out["layer2.1.bn1"] == set(range(30))
    assert len(plan.out["layer3.0.bn1"]) == 63
    assert plan_channels(model, 0.1, "slimming").out[
        "layer1.0.bn1"
    ]  # per group: every group loses some
    with pytest.raises(CompressionError, match="scope must be group or global"):
        plan_channels(model, 0.1, scope="layer")


def test_keep_residual_prunes_only_inside_the_blocks(rng):
    glassnet.manual_seed(0)
    model = _randomise_batchnorm(resnet20(), rng)
    small, plan = prune_channels(model, 0.5, keep_residual=True)
    assert small.conv1.out_channels == 16
    for (_, big), (_, block) in zip(_blocks(model), _blocks(small), strict=True):
        assert block.conv2.out_channels == big.conv2.out_channels  # the stream stays whole
        assert block.conv1.in_channels == big.conv1.in_channels
        assert block.conv1.out_channels == block.conv2.in_channels == big.conv1.out_channels // 2
    assert plan.total == sum(b.conv1.out_channels for _, b in _blocks(model))
    x = Tensor(rng.standard_normal((2, 3, 32, 32)).astype(np.float32))
    with glassnet.no_grad():
        np.testing.assert_allclose(
            small(x).data, mask_channels(model, plan)(x).data, rtol=1e-4, atol=1e-5
        )
