"""The model zoo: exact parameter counts against the papers and torchvision, output shapes,
forward + backward through every model, the classic LeNet-5 layer budget, the RNN
classifier's read-out of the final states, and the errors for bad arguments and inputs.

ResNet details live in test_zoo_resnets.py, MobileNet and ShuffleNet in test_zoo_compact.py.
"""

from __future__ import annotations

import numpy
import pytest

import glassnet
from glassnet.models import (
    lenet,
    mobilenet,
    resnet,
    resnet1d,
    resnet_cifar,
    rnn_classifier,
    shufflenet,
    vgg,
)


def count(model: glassnet.nn.Module) -> int:
    return sum(param.numel() for param in model.parameters())


# (constructor, kwargs, exact count). Sources: He et al. 2016 table 6 (0.27M .. 1.7M, 19.4M),
# torchvision's model table (resnet18 .. 152), Howard et al. 2017 table 6 (4.2M, 2.6M, 1.3M, 0.5M).
PARAMETER_COUNTS = [
    (resnet_cifar.resnet20, {}, 269_722),
    (resnet_cifar.resnet32, {}, 464_154),
    (resnet_cifar.resnet44, {}, 658_586),
    (resnet_cifar.resnet56, {}, 853_018),
    (resnet_cifar.resnet110, {}, 1_727_962),
    (resnet_cifar.resnet20, {"shortcut": "B"}, 272_474),  # + 2 projections: 512 + 64 + 2,048 + 128
    (resnet_cifar.resnet20, {"shortcut": "C"}, 283_962),
    (resnet_cifar.plain20, {}, 269_722),  # option A has no parameters
    (resnet_cifar.plain32, {}, 464_154),
    (resnet_cifar.plain44, {}, 658_586),
    (resnet_cifar.plain56, {}, 853_018),
    (resnet_cifar.plain110, {}, 1_727_962),
    (resnet.resnet18, {}, 11_689_512),
    (resnet.resnet34, {}, 21_797_672),
    (resnet.resnet50, {}, 25_557_032),
    (resnet.resnet101, {}, 44_549_160),
    (resnet.resnet152, {}, 60_192_808),
    (lenet.LeNet5, {}, 61_706),
    (lenet.LeNet5, {"input_size": 28, "activation": "relu", "pooling": "max"}, 61_706),
    (vgg.vgg_small, {}, 1_603_882),
    (vgg.vgg11, {}, 9_750_922),
    (vgg.vgg16, {}, 15_245_130),
    (vgg.vgg16_bn, {}, 15_253_578),  # + 2 * (sum of conv widths) = 8,448
    (mobilenet.mobilenet_v1, {}, 4_231_976),
    (mobilenet.mobilenet_v1, {"width_mult": 0.75}, 2_585_560),
    (mobilenet.mobilenet_v1, {"width_mult": 0.5}, 1_331_592),
    (mobilenet.mobilenet_v1, {"width_mult": 0.25}, 470_072),
    (shufflenet.shufflenet, {}, 1_865_728),
    (resnet1d.cnn1d, {}, 5_210),
    (resnet1d.resnet1d, {}, 241_194),
]


@pytest.mark.parametrize(
    "factory, kwargs, expected",
    PARAMETER_COUNTS,
    ids=[f"{f.__name__}{k or ''}" for f, k, _ in PARAMETER_COUNTS],
)
def test_parameter_count_is_exact(factory, kwargs, expected):
    assert count(factory(**kwargs)) == expected


@pytest.mark.parametrize(
    "factory, millions",
    [
        (resnet_cifar.resnet20, "0.27"),
        (resnet_cifar.resnet32, "0.46"),
        (resnet_cifar.resnet44, "0.66"),
        (resnet_cifar.resnet56, "0.85"),
        (resnet_cifar.resnet110, "1.7"),
    ],
)
def test_cifar_resnets_have_the_papers_parameter_counts(factory, millions):
    """He et al. 2016, table 6, as printed (two significant digits)."""
    decimals = len(millions.split(".")[1])
    assert f"{count(factory()) / 1e6:.{decimals}f}" == millions


def test_lenet5_layers_have_the_classic_budget():
    """C1 156 = 6 * (25 + 1) (the paper's number); C3 2,416 with full connections (the paper's
    partial table has 1,516); C5 48,120 (the paper's number); F6 10,164 (the paper's number)."""
    model = lenet.LeNet5()
    convs = [m for m in model.features if isinstance(m, glassnet.nn.Conv2d)]
    linears = [m for m in model.classifier if isinstance(m, glassnet.nn.Linear)]
    assert [count(m) for m in convs] == [156, 2_416, 48_120]
    assert [count(m) for m in linears] == [10_164, 850]


def test_lenet5_pads_28x28_to_the_papers_32x32_field():
    glassnet.manual_seed(0)
    model = lenet.LeNet5(input_size=28)
    shapes = []
    for layer in model.features:
        layer.register_forward_hook(lambda module, args, out: shapes.append(tuple(out.shape)))
    model(glassnet.randn(2, 1, 28, 28))
    convs_and_pools = [
        shape
        for shape, layer in zip(shapes, model.features)
        if not isinstance(layer, glassnet.nn.Tanh)
    ]
    assert convs_and_pools == [
        (2, 6, 28, 28),
        (2, 6, 14, 14),
        (2, 16, 10, 10),
        (2, 16, 5, 5),
        (2, 120, 1, 1),
    ]


def test_lenet5_variants_use_the_requested_layers():
    classic = lenet.LeNet5()
    modern = lenet.LeNet5(activation="relu", pooling="max")
    assert [type(m).__name__ for m in classic.features] == [
        "Conv2d",
        "Tanh",
        "AvgPool2d",
        "Conv2d",
        "Tanh",
        "AvgPool2d",
        "Conv2d",
        "Tanh",
    ]
    assert [type(m).__name__ for m in modern.features] == [
        "Conv2d",
        "ReLU",
        "MaxPool2d",
        "Conv2d",
        "ReLU",
        "MaxPool2d",
        "Conv2d",
        "ReLU",
    ]


# (constructor, kwargs, input shape, output shape): one small batch through every model
SHAPES = [
    (lenet.LeNet5, {}, (2, 1, 32, 32), (2, 10)),
    (lenet.LeNet5, {"input_size": 28, "in_channels": 3, "num_classes": 4}, (2, 3, 28, 28), (2, 4)),
    (vgg.vgg_small, {}, (2, 3, 32, 32), (2, 10)),
    (vgg.vgg11_bn, {"num_classes": 100}, (2, 3, 32, 32), (2, 100)),
    (resnet_cifar.resnet20, {}, (2, 3, 32, 32), (2, 10)),
    (resnet_cifar.plain20, {"num_classes": 100}, (2, 3, 32, 32), (2, 100)),
    (resnet_cifar.resnet20, {"shortcut": "B", "in_channels": 1}, (2, 1, 28, 28), (2, 10)),
    (resnet.resnet18, {"num_classes": 7}, (1, 3, 64, 64), (1, 7)),
    (resnet.resnet34, {}, (2, 3, 32, 32), (2, 1000)),
    (resnet.resnet50, {}, (1, 3, 64, 64), (1, 1000)),
    (resnet1d.cnn1d, {}, (3, 40), (3, 10)),
    (resnet1d.cnn1d, {}, (3, 1, 40), (3, 10)),
    (resnet1d.resnet1d, {"num_classes": 5}, (3, 40), (3, 5)),
    (
        resnet1d.resnet1d,
        {"in_channels": 2, "layers": (1, 1), "widths": (8, 16)},
        (3, 2, 17),
        (3, 10),
    ),
    (mobilenet.mobilenet_v1_cifar, {}, (2, 3, 32, 32), (2, 10)),
    (mobilenet.mobilenet_v1, {"width_mult": 0.25}, (1, 3, 64, 64), (1, 1000)),
    (shufflenet.shufflenet_cifar, {}, (2, 3, 32, 32), (2, 10)),
    (shufflenet.shufflenet, {"groups": 8}, (1, 3, 64, 64), (1, 1000)),
    (rnn_classifier.rnn_classifier, {}, (3, 40), (3, 10)),
    (
        rnn_classifier.gru_classifier,
        {"input_size": 4, "hidden_size": 8, "num_classes": 3},
        (3, 7, 4),
        (3, 3),
    ),
]


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "factory, kwargs, in_shape, out_shape",
    SHAPES,
    ids=[f"{f.__name__}{k or ''}-{s}" for f, k, s, _ in SHAPES],
)
def test_forward_and_backward_reach_every_parameter(factory, kwargs, in_shape, out_shape):
    glassnet.manual_seed(0)
    model = factory(**kwargs)
    x = glassnet.randn(*in_shape, requires_grad=True)
    out = model(x)
    assert tuple(out.shape) == out_shape
    assert out.dtype == numpy.float32
    out.backward(glassnet.randn(*out_shape))
    assert x.grad is not None and tuple(x.grad.shape) == in_shape
    missing = [name for name, param in model.named_parameters() if param.grad is None]
    assert missing == []
    assert all(numpy.isfinite(param.grad.data).all() for param in model.parameters())


def test_vgg_layers_follow_the_configuration():
    model = vgg.VGG(
        [8, "M", 16, 16, "M"], batch_norm=True, input_size=16, hidden_features=12, num_classes=3
    )
    assert [type(m).__name__ for m in model.features] == [
        "Conv2d",
        "BatchNorm2d",
        "ReLU",
        "MaxPool2d",
        "Conv2d",
        "BatchNorm2d",
        "ReLU",
        "Conv2d",
        "BatchNorm2d",
        "ReLU",
        "MaxPool2d",
    ]
    assert model.avgpool.output_size == (4, 4)
    assert model.classifier[0].in_features == 16 * 4 * 4
    assert [m.out_features for m in model.classifier if isinstance(m, glassnet.nn.Linear)] == [
        12,
        12,
        3,
    ]


def test_vgg_initialisation_is_torchvisions():
    glassnet.manual_seed(0)
    model = vgg.vgg_small()
    fc = model.classifier[3]
    assert abs(float(fc.weight.data.std()) - 0.01) < 0.001
    assert not numpy.any(fc.bias.data)
    conv = model.features[-3]  # 128 x 128 x 3 x 3: fan_out = 128 * 9
    expected = numpy.sqrt(2.0 / (128 * 9))
    assert abs(float(conv.weight.data.std()) / expected - 1) < 0.03
    assert not numpy.any(conv.bias.data)


def test_cnn1d_is_mnist1d_convbase():
    model = resnet1d.cnn1d()
    convs = [m for m in model.features if isinstance(m, glassnet.nn.Conv1d)]
    assert [(c.kernel_size, c.stride, c.padding) for c in convs] == [
        ((5,), (2,), (1,)),
        ((3,), (2,), (1,)),
        ((3,), (2,), (1,)),
    ]
    assert model.fc.in_features == 125  # 25 channels * length 5 (40 -> 19 -> 10 -> 5)


def test_one_channel_1d_models_read_a_flat_batch_as_channel_one():
    glassnet.manual_seed(0)
    x = glassnet.randn(3, 40)
    for model in (resnet1d.cnn1d(), resnet1d.resnet1d().eval()):
        numpy.testing.assert_array_equal(model(x).data, model(x.unsqueeze(1)).data)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_rnn_classifier_reads_the_last_layers_final_states(cell, bidirectional):
    """Forward direction: the output at the last step; reverse direction: the output at step 0."""
    glassnet.manual_seed(0)
    hidden = 5
    model = rnn_classifier.RNNClassifier(
        3, hidden, 4, cell=cell, num_layers=2, bidirectional=bidirectional
    )
    x = glassnet.randn(2, 6, 3)
    output, _ = model.rnn(x)
    final = output.data[:, -1, :hidden]
    if bidirectional:
        final = numpy.concatenate([final, output.data[:, 0, hidden:]], axis=1)
    expected = final @ model.fc.weight.data.T + model.fc.bias.data
    numpy.testing.assert_allclose(model(x).data, expected, rtol=1e-5, atol=1e-6)
    assert model.fc.in_features == hidden * (2 if bidirectional else 1)
    assert type(model.rnn).__name__ == cell.upper()


def test_rnn_classifier_takes_scalar_sequences_in_both_layouts():
    glassnet.manual_seed(0)
    batch_first = rnn_classifier.RNNClassifier(1, 4, 3, cell="gru")
    time_first = rnn_classifier.RNNClassifier(1, 4, 3, cell="gru", batch_first=False)
    time_first.load_state_dict(batch_first.state_dict())
    x = glassnet.randn(2, 9)
    expected = batch_first(x.unsqueeze(-1)).data
    numpy.testing.assert_allclose(batch_first(x).data, expected, rtol=1e-6)
    numpy.testing.assert_allclose(time_first(x.transpose(0, 1)).data, expected, rtol=1e-6)


# ---- bad arguments and inputs -------------------------------------------------------
ERRORS = [
    (lambda: resnet_cifar.CifarResNet(21), ValueError, r"depth must be 6n \+ 2 .* got depth=21"),
    (lambda: resnet_cifar.CifarResNet(20, shortcut="D"), ValueError, r"shortcut='D' is not valid"),
    (
        lambda: resnet_cifar.plain20(shortcut="A"),
        ValueError,
        r"plain20: a plain net has no shortcuts",
    ),
    (
        lambda: resnet_cifar.CifarResNet(20, widths=(16, 32)),
        ValueError,
        r"widths must give 3 stage widths",
    ),
    (
        lambda: resnet_cifar.ZeroPadShortcut(32, 16, 2),
        ValueError,
        r"out_channels \(16\) must be >= in_channels",
    ),
    (
        lambda: resnet.resnet18(weights="IMAGENET1K_V1"),
        ValueError,
        r"resnet18: pretrained weights are not shipped",
    ),
    (
        lambda: resnet.ResNet(resnet.BasicBlock, [2, 2, 2]),
        ValueError,
        r"layers must give 4 block counts",
    ),
    (lambda: resnet.BasicBlock(64, 64, groups=2), ValueError, r"BasicBlock only supports groups=1"),
    (
        lambda: lenet.LeNet5(input_size=30),
        ValueError,
        r"input_size must be 32 .* got input_size=30",
    ),
    (lambda: lenet.LeNet5(pooling="sum"), ValueError, r"pooling='sum' is not valid"),
    (lambda: vgg.VGG("Z"), ValueError, r"cfg='Z' is not a known configuration"),
    (lambda: vgg.VGG([64, "X"]), ValueError, r"got 'X' in cfg=\[64, 'X'\]"),
    (lambda: vgg.vgg11(input_size=16), ValueError, r"input_size=16 is too small for 5 max pools"),
    (lambda: mobilenet.MobileNetV1(width_mult=0), ValueError, r"width_mult must be > 0"),
    (lambda: shufflenet.ShuffleNet(groups=5), ValueError, r"groups=5 is not in table 1"),
    (
        lambda: resnet1d.CNN1d(length=2),
        ValueError,
        r"length=2 is too short .* \(needs at least 3\)",
    ),
    (lambda: resnet1d.ResNet1d(layers=(1, 1), widths=(8,)), ValueError, r"same non-zero length"),
    (lambda: resnet1d.BasicBlock1d(4, 4, kernel_size=4), ValueError, r"kernel_size must be odd"),
    (
        lambda: rnn_classifier.RNNClassifier(1, 4, 2, cell="tcn"),
        ValueError,
        r"cell='tcn' is not valid",
    ),
]


@pytest.mark.parametrize("make, error, message", ERRORS, ids=[m for _, _, m in ERRORS])
def test_bad_arguments_are_refused_by_name(make, error, message):
    with pytest.raises(error, match=message):
        make()


INPUT_ERRORS = [
    (
        lambda: lenet.LeNet5(),
        (2, 1, 28, 28),
        r"LeNet5: expected input \(N, 1, 32, 32\), got shape \(2, 1, 28, 28\) \(wrong spatial size\)",
    ),
    (
        lambda: lenet.LeNet5(),
        (1, 32, 32),
        r"LeNet5: expected a 4-D input \(N, 1, 32, 32\), got 3-D input",
    ),
    (
        lambda: resnet_cifar.resnet20(),
        (2, 1, 32, 32),
        r"CifarResNet: expected input \(N, 3, H, W\), got shape \(2, 1, 32, 32\) \(wrong channels\)",
    ),
    (lambda: vgg.vgg_small(), (2, 32, 32), r"VGG: expected a 4-D input \(N, 3, H, W\)"),
    (
        lambda: resnet.resnet18(),
        (1, 1, 64, 64),
        (
            r"Conv2d\(3, 64, kernel_size=\(7, 7\).*expected input with 3 "
            r"channels"
        ),
    ),
    (
        lambda: resnet1d.cnn1d(),
        (2, 50),
        r"CNN1d: expected input \(N, 1, 40\) or \(N, 40\), got shape \(2, 1, 50\)",
    ),
    (
        lambda: resnet1d.resnet1d(),
        (2, 3, 40),
        (
            r"ResNet1d: expected input \(N, 1, L\) or \(N, L\), got shape "
            r"\(2, 3, 40\) \(wrong channels\)"
        ),
    ),
    (
        lambda: mobilenet.mobilenet_v1_cifar(),
        (2, 1, 32, 32),
        r"MobileNetV1: expected input \(N, 3, H, W\)",
    ),
    (lambda: shufflenet.shufflenet_cifar(), (3, 32, 32), r"ShuffleNet: expected a 4-D input"),
    (
        lambda: rnn_classifier.RNNClassifier(3, 4, 2),
        (2, 9),
        r"RNNClassifier: expected a 3-D batch \(N, L, input_size\) with input_size=3, got 2-D input of shape \(2, 9\)",
    ),
    (
        lambda: rnn_classifier.RNNClassifier(3, 4, 2),
        (2, 9, 5),
        r"LSTM\(3, 4, batch_first=True\).*expected 3, got 5",
    ),
]


@pytest.mark.parametrize(
    "make, shape, message", INPUT_ERRORS, ids=[m[:40] for _, _, m in INPUT_ERRORS]
)
def test_bad_input_names_the_model_or_layer_and_the_shapes(make, shape, message):
    model = make()
    with pytest.raises(ValueError, match=message):
        model(glassnet.randn(*shape))
