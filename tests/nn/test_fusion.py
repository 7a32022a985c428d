"""glassnet.nn.fusion: conv + BatchNorm folding against torch.nn.utils.fusion, and the model pass."""

from __future__ import annotations

import numpy
import pytest
import torch
from torch.nn.utils import fusion as torch_fusion

import glassnet
from glassnet.nn.fusion import fuse_conv_bn, fuse_conv_bn_eval, fuse_conv_bn_weights

nn = glassnet.nn


def _randomise_bn(bn, rng):
    channels = bn.num_features
    bn.running_mean.data[...] = rng.uniform(-0.5, 0.5, channels)
    bn.running_var.data[...] = rng.uniform(0.5, 2.0, channels)
    if bn.weight is not None:
        bn.weight.data[...] = rng.uniform(0.5, 1.5, channels)
    if bn.bias is not None:
        bn.bias.data[...] = rng.uniform(-0.5, 0.5, channels)


def _torch_twin(conv, bn):
    tconv = torch.nn.Conv2d(
        conv.in_channels,
        conv.out_channels,
        conv.kernel_size,
        conv.stride,
        conv.padding,
        bias=conv.bias is not None,
        groups=conv.groups,
    )
    tbn = torch.nn.BatchNorm2d(bn.num_features, eps=bn.eps, affine=bn.affine)
    tconv.load_state_dict({k: torch.tensor(v.data) for k, v in conv.state_dict().items()})
    tbn.load_state_dict(
        {k: torch.tensor(numpy.asarray(v.data)) for k, v in bn.state_dict().items()}
    )
    return tconv.eval(), tbn.eval()


@pytest.mark.parametrize(
    "bias, affine, groups", [(False, True, 1), (True, True, 1), (True, False, 2)]
)
def test_fuse_conv_bn_eval_matches_torch(bias, affine, groups, rng):
    conv = nn.Conv2d(4, 6, 3, padding=1, bias=bias, groups=groups).eval()
    bn = nn.BatchNorm2d(6, eps=1e-3, affine=affine).eval()
    _randomise_bn(bn, rng)
    tconv, tbn = _torch_twin(conv, bn)
    fused, theirs = fuse_conv_bn_eval(conv, bn), torch_fusion.fuse_conv_bn_eval(tconv, tbn)
    numpy.testing.assert_allclose(fused.weight.data, theirs.weight.detach().numpy(), rtol=1e-6)
    numpy.testing.assert_allclose(
        fused.bias.data, theirs.bias.detach().numpy(), rtol=1e-6, atol=1e-7
    )
    assert (
        fused.weight.dtype == numpy.float32
        and fused.bias.requires_grad == theirs.bias.requires_grad
    )
    x = rng.standard_normal((2, 4, 5, 7)).astype(numpy.float32)
    with glassnet.no_grad():
        got, want = fused(glassnet.tensor(x)).data, bn(conv(glassnet.tensor(x))).data
    numpy.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    assert conv.bias is None or conv.bias is not fused.bias  # the original conv is left alone


def test_fuse_conv_bn_weights_transpose_scales_dim_1(rng):
    weight = glassnet.tensor(
        rng.standard_normal((4, 3, 2, 2))
    )  # a transposed conv: (in, out, kh, kw)
    stats = [glassnet.tensor(rng.uniform(0.5, 1.5, 3)) for _ in range(4)]
    ours = fuse_conv_bn_weights(
        weight, None, stats[0], stats[1], 1e-5, stats[2], stats[3], transpose=True
    )
    theirs = torch_fusion.fuse_conv_bn_weights(
        torch.tensor(weight.data),
        None,
        *(torch.tensor(s.data) for s in stats[:2]),
        1e-5,
        *(torch.tensor(s.data) for s in stats[2:]),
        transpose=True,
    )
    for mine, reference in zip(ours, theirs):
        numpy.testing.assert_allclose(mine.data, reference.detach().numpy(), rtol=1e-12)


def test_fusion_errors():
    conv, bn = nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)
    with pytest.raises(
        RuntimeError, match=r"fusion only for eval.*conv.training=True, bn.training=True"
    ):
        fuse_conv_bn_eval(conv, bn)
    with pytest.raises(ValueError, match="BatchNorm2d has no running statistics"):
        fuse_conv_bn_eval(conv.eval(), nn.BatchNorm2d(4, track_running_stats=False).eval())
    with pytest.raises(
        ValueError, match=r"conv has 4 output channels .*\(4, 3, 3, 3\).* BatchNorm has 5"
    ):
        fuse_conv_bn_eval(conv.eval(), nn.BatchNorm2d(5).eval())
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4))
    with pytest.raises(
        RuntimeError, match=r"fuse_conv_bn: fusion only for eval! Call model.eval\(\)"
    ):
        fuse_conv_bn(model, glassnet.randn(1, 3, 5, 5))
    with pytest.raises(ValueError, match="pass at least one example input"):
        fuse_conv_bn(model.eval())


def _eval_model(model, rng):
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            _randomise_bn(module, rng)
    return model.eval()


def test_fuse_conv_bn_folds_every_pair_of_a_resnet(rng):
    from glassnet.models.resnet_cifar import resnet20

    model = _eval_model(
        resnet20(shortcut="B"), rng
    )  # B: the 1x1 projections are conv -> BN pairs too
    x = glassnet.tensor(rng.standard_normal((3, 3, 16, 16)).astype(numpy.float32))
    fused = fuse_conv_bn(model, x[:1])
    assert not any(isinstance(m, nn.BatchNorm2d) for m in fused.modules())
    assert (
        sum(isinstance(m, nn.BatchNorm2d) for m in model.modules()) == 21
    )  # the original is untouched
    with glassnet.no_grad():
        numpy.testing.assert_allclose(fused(x).data, model(x).data, rtol=1e-4, atol=1e-4)


class _ConvFeedsTwo(nn.Module):
    """The conv's output goes to the BN *and* to the addition: folding would change the sum."""

    def __init__(self):
        super().__init__()
        self.conv, self.bn = nn.Conv2d(2, 2, 3, padding=1), nn.BatchNorm2d(2)

    def forward(self, x):
        y = self.conv(x)
        return self.bn(y) + y


class _SharedBN(nn.Module):
    """One BN after two convs: it runs twice, so it is not folded into either."""

    def __init__(self):
        super().__init__()
        self.a, self.b, self.bn = nn.Conv2d(2, 2, 1), nn.Conv2d(2, 2, 1), nn.BatchNorm2d(2)

    def forward(self, x):
        return self.bn(self.a(x)) + self.bn(self.b(x))


@pytest.mark.parametrize("make", [_ConvFeedsTwo, _SharedBN])
def test_fuse_conv_bn_leaves_pairs_it_cannot_prove(make, rng):
    model = _eval_model(make(), rng)
    x = glassnet.tensor(rng.standard_normal((2, 2, 4, 4)).astype(numpy.float32))
    fused = fuse_conv_bn(model, x)
    assert isinstance(fused.bn, nn.BatchNorm2d)
    with glassnet.no_grad():
        numpy.testing.assert_allclose(fused(x).data, model(x).data, rtol=1e-6)


def test_fuse_conv_bn_inplace_and_sequential(rng):
    model = _eval_model(
        nn.Sequential(
            nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Conv2d(4, 2, 1), nn.BatchNorm2d(2)
        ),
        rng,
    )
    x = glassnet.tensor(rng.standard_normal((2, 3, 6, 6)).astype(numpy.float32))
    with glassnet.no_grad():
        want = model(x).data
    assert fuse_conv_bn(model, x, inplace=True) is model
    assert [type(m).__name__ for m in model] == ["Conv2d", "Identity", "ReLU", "Conv2d", "Identity"]
    with glassnet.no_grad():
        numpy.testing.assert_allclose(model(x).data, want, rtol=1e-5, atol=1e-6)


class _Detached(nn.Module):
    """The conv's output also leaves the graph (detach): the pass cannot see that use."""

    def __init__(self):
        super().__init__()
        self.conv, self.bn = nn.Conv2d(2, 2, 3, padding=1), nn.BatchNorm2d(2)

    def forward(self, x):
        y = self.conv(x)
        return self.bn(y) + y.detach() * 3


def test_fuse_conv_bn_refuses_a_fusion_that_changes_the_output(rng):
    model = _eval_model(_Detached(), rng)
    with pytest.raises(
        RuntimeError, match=r"fused model's output 0 differs .*used outside the recorded graph"
    ):
        fuse_conv_bn(
            model, glassnet.tensor(rng.standard_normal((2, 2, 4, 4)).astype(numpy.float32))
        )
