"""The zoo behind `--model NAME`: every registered builder builds for a sample shape it fits and refuses one it
does not, naming the model, the shape and what it needs; options map to the constructors."""

from __future__ import annotations

import re

import numpy
import pytest

import glassnet
from glassnet import nn
from glassnet.models import (
    MODELS,
    ZOO_MODELS,
    CifarResNet,
    RNNClassifier,
    SequenceClassifier,
    available_models,
    build_model,
    model_options,
)

IMAGE_8 = (1, 8, 8)  # digits
SEQUENCE_40 = (1, 40)  # MNIST-1D
RGB_32 = (3, 32, 32)  # CIFAR
# (a sample shape it fits, one it does not, what the refusal says it needs) per registered name
VGG_NEEDS = (
    r"images of at least {0}x{0} \({1} max pools halve it to 1x1\), \(C, H, W\) with H, W >= {0}"
)
IMAGENET_NEEDS = (
    r"3-channel images of at least 32x32, \(3, H, W\) with H, W >= 32 \(its stem takes RGB and halves "
    r"the map 5 times\)"
)
SEQUENCE_NEEDS = r"sequence samples \(L,\) or channels-first \(C, L\)"
FITS = {
    "lenet5": ((1, 28, 28), IMAGE_8, r"28x28 or 32x32 images, \(C, 28, 28\) or \(C, 32, 32\)"),
    "lenet_digits": (IMAGE_8, SEQUENCE_40, r"image samples \(C, H, W\)"),
    "vgg_small": (IMAGE_8, (1, 4, 4), VGG_NEEDS.format(8, 3)),
    **{
        name: (RGB_32, IMAGE_8, VGG_NEEDS.format(32, 5))
        for name in ("vgg11", "vgg13", "vgg16", "vgg19")
    },
    **{
        f"{kind}{depth}": (IMAGE_8, SEQUENCE_40, r"image samples \(C, H, W\)")
        for kind in ("resnet", "plain")
        for depth in (20, 32, 44, 56, 110)
    },
    **{name: (RGB_32, IMAGE_8, IMAGENET_NEEDS) for name in ("resnet18", "resnet34", "resnet50")},
    "cnn1d": (SEQUENCE_40, IMAGE_8, SEQUENCE_NEEDS),
    "resnet1d": ((40,), IMAGE_8, SEQUENCE_NEEDS),
    **{
        name: (IMAGE_8, (64,), r"image samples \(C, H, W\)")
        for name in ("mobilenet_v1", "mobilenet_v1_cifar", "shufflenet", "shufflenet_cifar")
    },
    **{
        name: (SEQUENCE_40, IMAGE_8, SEQUENCE_NEEDS + ", read as L steps of C features")
        for name in ("lstm", "gru", "rnn")
    },
    "transformer": (SEQUENCE_40, IMAGE_8, SEQUENCE_NEEDS),
}
# the big nets are built but not run here (their forward passes are tested in test_zoo*.py)
NOT_RUN = {"vgg13", "vgg16", "vgg19", "resnet34", "resnet50", "resnet110", "plain110"}


def test_every_zoo_model_is_registered_and_covered_here():
    assert set(ZOO_MODELS) == set(FITS)
    assert available_models() == ("mlp", "cnn", *ZOO_MODELS)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", list(FITS))
def test_builds_for_a_shape_it_fits(name):
    shape = FITS[name][0]
    model = build_model(name, shape, 7)
    assert isinstance(model, nn.Module)
    if name not in NOT_RUN:
        model.eval()
        assert model(glassnet.randn(2, *shape)).shape == (2, 7)


@pytest.mark.parametrize("name", list(FITS))
def test_refuses_a_shape_it_does_not_fit(name):
    _, bad, needs = FITS[name]
    with pytest.raises(
        ValueError, match=rf"^model '{name}' needs {needs}; got sample shape {re.escape(str(bad))}$"
    ):
        build_model(name, bad, 10)


def count(model: nn.Module) -> int:
    return sum(parameter.numel() for parameter in model.parameters())


def test_resnet20_through_the_registry_has_the_papers_parameter_count():
    model = build_model("resnet20", RGB_32, 10)
    assert isinstance(model, CifarResNet) and model.shortcut == "A"
    assert count(model) == 269_722
    assert count(build_model("plain20", RGB_32, 10)) == 269_722  # option A adds no parameters
    assert count(build_model("resnet20", RGB_32, 10, shortcut="B")) == 269_722 + 2_752
    # in_channels comes from the sample: one input channel has 2 * 16 * 9 fewer stem weights
    assert count(build_model("resnet20", IMAGE_8, 10)) == 269_722 - 2 * 16 * 9


def test_imagenet_resnet18_with_1000_classes_matches_torchvision():
    assert count(build_model("resnet18", (3, 224, 224), 1000)) == 11_689_512


def test_vgg_options():
    model = build_model("vgg_small", IMAGE_8, 10, batchnorm=True, hidden=[64], dropout=0.25)
    assert any(isinstance(layer, nn.BatchNorm2d) for layer in model.features)
    assert model.classifier[0].out_features == 64 and model.classifier[2].p == 0.25
    assert model.avgpool.output_size == (1, 1)  # 8x8 after three pools
    vgg11 = build_model("vgg11", RGB_32, 10, batch_norm=True)
    assert any(isinstance(layer, nn.BatchNorm2d) for layer in vgg11.features)
    with pytest.raises(
        ValueError,
        match=r"model 'vgg_small': batchnorm=True and batch_norm=False are the same option",
    ):
        build_model("vgg_small", IMAGE_8, 10, batchnorm=True, batch_norm=False)
    with pytest.raises(
        ValueError,
        match=r"model 'vgg_small': its classifier has two hidden layers of one width; give "
        r"one width in hidden \(e.g. 512\), got hidden=\[64, 32\]",
    ):
        build_model("vgg_small", IMAGE_8, 10, hidden=[64, 32])


def test_vgg_takes_non_square_images_down_to_its_smallest_side():
    model = build_model("vgg_small", (1, 8, 16), 10).eval()
    assert model(glassnet.randn(2, 1, 8, 16)).shape == (2, 10)


def test_cifar_resnet_options():
    assert build_model("resnet32", IMAGE_8, 10, shortcut="C").layer1[0].downsample is not None
    with pytest.raises(
        ValueError, match=r"CifarResNet: shortcut='D' is not valid; expected 'A', 'B', 'C' or None"
    ):
        build_model("resnet20", IMAGE_8, 10, shortcut="D")
    with pytest.raises(
        TypeError, match=r"model 'plain20' does not take option\(s\) shortcut; it takes init"
    ):
        build_model("plain20", IMAGE_8, 10, shortcut="A")


def test_init_replaces_the_models_own_initialisation():
    model = build_model("resnet20", IMAGE_8, 10, init="zeros")
    assert not model.conv1.weight.data.any() and not model.fc.weight.data.any()
    assert (model.bn1.weight.data == 1).all()  # BatchNorm keeps its init
    with pytest.raises(
        ValueError, match=r"init must be one of 'kaiming', 'xavier', 'normal', 'zeros', got 'he'"
    ):
        build_model("cnn1d", SEQUENCE_40, 10, init="he")


def test_lenet5_sizes_and_activation():
    assert build_model("lenet5", (1, 32, 32), 10).input_size == 32
    model = build_model("lenet5", (3, 28, 28), 10, activation="relu")
    assert model.in_channels == 3 and model.input_size == 28 and model.activation == "relu"
    assert count(model) == 61_706 + 2 * 6 * 25  # two more input channels into C1


def test_mobilenet_and_shufflenet_options():
    assert (
        build_model("mobilenet_v1_cifar", RGB_32, 10, width_mult=0.25).classifier.in_features == 256
    )
    assert build_model("mobilenet_v1", RGB_32, 1000).classifier.in_features == 1024
    shuffle = build_model("shufflenet_cifar", RGB_32, 10, groups=2, width_mult=1.0)
    assert shuffle.groups == 2 and shuffle.fc.in_features == 800  # table 1's stage 4 for g = 2
    with pytest.raises(ValueError, match=r"ShuffleNet: groups=5 is not in table 1"):
        build_model("shufflenet", RGB_32, 10, groups=5)


@pytest.mark.parametrize("name, cell", [("lstm", nn.LSTM), ("gru", nn.GRU), ("rnn", nn.RNN)])
def test_recurrent_builders(name, cell):
    model = build_model(name, SEQUENCE_40, 10)
    assert isinstance(model, SequenceClassifier) and isinstance(model.rnn, cell)
    assert (model.rnn.input_size, model.rnn.hidden_size, model.rnn.num_layers) == (1, 64, 1)
    stacked = build_model(name, (3, 12), 10, hidden=[16, 16], bidirectional=True, dropout=0.1)
    assert (stacked.rnn.input_size, stacked.rnn.hidden_size, stacked.rnn.num_layers) == (3, 16, 2)
    assert stacked.rnn.bidirectional and stacked.rnn.dropout == 0.1 and stacked.fc.in_features == 32
    explicit = build_model(name, (12,), 10, hidden_size=8, num_layers=3)
    assert (explicit.rnn.input_size, explicit.rnn.hidden_size, explicit.rnn.num_layers) == (1, 8, 3)
    assert explicit.eval()(glassnet.randn(2, 12)).shape == (2, 10)


def test_recurrent_hidden_errors():
    with pytest.raises(
        ValueError,
        match=r"model 'lstm': stacked recurrent layers share one width; hidden must repeat "
        r"one width \(e.g. 64,64 for two layers\), got hidden=\[64, 32\]",
    ):
        build_model("lstm", SEQUENCE_40, 10, hidden=[64, 32])
    with pytest.raises(
        ValueError,
        match=r"model 'gru': give hidden \(one width per stacked layer\) or hidden_size and "
        r"num_layers, not both; got hidden=\[8\], hidden_size=8, num_layers=None",
    ):
        build_model("gru", SEQUENCE_40, 10, hidden=[8], hidden_size=8)


def test_sequence_classifier_reads_channels_first_as_steps(rng):
    """(N, C, L) is read as L steps of C features: the same as RNNClassifier on (N, L, C)."""
    glassnet.manual_seed(0)
    model = build_model("gru", (3, 12), 4, hidden_size=5).double().eval()
    plain = RNNClassifier(3, 5, 4, cell="gru").double().eval()
    plain.load_state_dict(model.state_dict())
    x = rng.standard_normal((2, 3, 12))
    expected = plain(glassnet.tensor(x.transpose(0, 2, 1).copy())).data
    numpy.testing.assert_allclose(model(glassnet.tensor(x)).data, expected, rtol=1e-12)
    with pytest.raises(
        ValueError,
        match=r"SequenceClassifier: expected channels-first sequences \(N, 3, L\), got "
        r"input of shape \(2, 12, 3\)",
    ):
        model(glassnet.zeros(2, 12, 3))


def test_trains_default_activation_is_dropped_only_where_no_activation_exists():
    """`glassnet train` passes activation='relu' to every model; a fixed architecture ignores that default only."""
    assert count(build_model("resnet20", IMAGE_8, 10, activation="relu")) == count(
        build_model("resnet20", IMAGE_8, 10)
    )
    assert isinstance(build_model("lstm", SEQUENCE_40, 10, activation="relu").rnn, nn.LSTM)
    with pytest.raises(
        TypeError,
        match=r"model 'resnet20' does not take option\(s\) activation; it takes shortcut, "
        r"init",
    ):
        build_model("resnet20", IMAGE_8, 10, activation="tanh")
    with pytest.raises(
        TypeError,
        match=r"model 'lstm' does not take option\(s\) init; it takes hidden, hidden_size, "
        r"num_layers, bidirectional, dropout",
    ):
        build_model("lstm", SEQUENCE_40, 10, init="xavier")


def test_model_options_lists_each_builders_options():
    assert model_options("mlp") == ("hidden", "activation", "init", "batchnorm", "dropout")
    assert model_options("resnet20") == ("shortcut", "init")
    assert model_options("lenet5") == ("activation", "pooling", "init")
    assert all(model_options(name) == model_options(name) for name in MODELS)
    with pytest.raises(
        ValueError, match=r"unknown model 'resnet21'; available: mlp, cnn, lenet5, "
    ):
        model_options("resnet21")


def test_package_exports_do_not_hide_its_modules():
    """`from glassnet.models import shufflenet` must stay the module (a constructor of that name would hide it)."""
    import pkgutil
    import types

    import glassnet.models as package

    for module in pkgutil.iter_modules(package.__path__):
        assert isinstance(
            getattr(package, module.name, types.ModuleType("absent")), types.ModuleType
        ), module.name
    assert all(hasattr(package, name) for name in package.__all__)
