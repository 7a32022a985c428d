"""glassnet.onnx: LayerNorm, MultiheadAttention and the transformer encoder against onnxruntime.

Each layer is exported (eval mode) for an example batch and run by onnxruntime on
another batch size; the outputs must match glassnet's (float32, rtol 1e-4, atol 1e-5).
"""

from __future__ import annotations

import numpy
import onnx
import onnxruntime
import pytest

import glassnet
import glassnet.onnx
from glassnet import nn
from glassnet.models.registry import build_model
from glassnet.onnx import UnsupportedLayerError

RTOL, ATOL = 1e-4, 1e-5


def batch(shape: tuple[int, ...], seed: int) -> numpy.ndarray:
    return numpy.random.default_rng(seed).standard_normal(shape).astype(numpy.float32)


def run(proto: onnx.ModelProto, inputs: dict[str, numpy.ndarray]) -> list[numpy.ndarray]:
    onnx.checker.check_model(proto, full_check=True)
    session = onnxruntime.InferenceSession(
        proto.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, inputs)


def assert_matches(model: nn.Module, shapes: list[tuple[int, ...]], batch_axis: int) -> None:
    """Export for batch 2 (dynamic batch axis), run on batch 3, compare every output."""
    model.eval()
    names = ["input"] if len(shapes) == 1 else [f"input_{i}" for i in range(len(shapes))]

    def sized(shape: tuple[int, ...], size: int) -> tuple[int, ...]:
        return shape[:batch_axis] + (size,) + shape[batch_axis:]

    examples = tuple(glassnet.tensor(batch(sized(s, 2), i)) for i, s in enumerate(shapes))
    axes = {name: {batch_axis: "batch"} for name in names}
    proto = glassnet.onnx.export(model, examples, dynamic_axes=axes)
    inputs = [batch(sized(s, 3), 10 + i) for i, s in enumerate(shapes)]
    got = run(proto, dict(zip(names, inputs)))
    with glassnet.no_grad():
        want = model(*(glassnet.tensor(x) for x in inputs))
    want = [w.numpy() for w in (want if isinstance(want, tuple) else (want,))]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert numpy.abs(w).max() > 100 * ATOL
        numpy.testing.assert_allclose(g, w, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("batch_first", [True, False])
def test_multihead_attention_output_and_weights(batch_first: bool) -> None:
    glassnet.manual_seed(0)
    attention = nn.MultiheadAttention(8, 2, batch_first=batch_first)
    with glassnet.no_grad():  # nonzero biases, so that their export is checked too
        attention.in_proj_bias.copy_(glassnet.randn(24))
        attention.out_proj.bias.copy_(glassnet.randn(8))
    # query of length 5, key and value of length 4: (L, E) per batch element
    assert_matches(attention, [(5, 8), (4, 8), (4, 8)], 0 if batch_first else 1)


def test_multihead_attention_with_kdim_vdim_and_no_bias() -> None:
    glassnet.manual_seed(1)
    attention = nn.MultiheadAttention(6, 3, bias=False, kdim=4, vdim=5, batch_first=True)
    assert_matches(attention, [(3, 6), (7, 4), (7, 5)], 0)


@pytest.mark.parametrize("norm_first", [True, False])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer(norm_first: bool, activation: str) -> None:
    glassnet.manual_seed(2)
    layer = nn.TransformerEncoderLayer(
        8, 2, 16, activation=activation, norm_first=norm_first, batch_first=norm_first
    )
    assert_matches(layer, [(5, 8)], 0 if norm_first else 1)


def test_encoder_stack_with_final_norm_and_a_gelu_module() -> None:
    glassnet.manual_seed(3)
    layer = nn.TransformerEncoderLayer(8, 4, 12, activation=nn.GELU("tanh"), batch_first=True)
    encoder = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(8), enable_nested_tensor=False)
    with glassnet.no_grad():
        encoder.norm.weight.copy_(glassnet.randn(8))
        encoder.norm.bias.copy_(glassnet.randn(8))
    assert_matches(encoder, [(6, 8)], 0)


def test_layer_norm_over_two_axes_without_bias() -> None:
    glassnet.manual_seed(4)
    norm = nn.LayerNorm((3, 4), bias=False)
    with glassnet.no_grad():
        norm.weight.copy_(glassnet.randn(3, 4))
    assert_matches(nn.Sequential(norm, nn.LayerNorm(4, elementwise_affine=False)), [(3, 4)], 0)


def test_masks_and_other_activations_are_refused() -> None:
    attention = nn.MultiheadAttention(4, 2, batch_first=True)
    x = glassnet.randn(2, 3, 4)
    with pytest.raises(UnsupportedLayerError, match=r"'<model>' \(MultiheadAttention\).*masks"):
        glassnet.onnx.export(attention, (x, x, x, glassnet.zeros(3, 3)))
    layer = nn.TransformerEncoderLayer(4, 2, 8, batch_first=True)
    with pytest.raises(UnsupportedLayerError, match=r"\(TransformerEncoderLayer\).*1 extra"):
        glassnet.onnx.export(layer, (x, glassnet.zeros(3, 3)))
    layer.activation = glassnet.tanh
    with pytest.raises(UnsupportedLayerError, match="has activation .*F.relu, F.gelu"):
        glassnet.onnx.export(layer, x)


@pytest.mark.parametrize("opset", [17, 18])
def test_zoo_transformer_at_opsets_17_and_18(opset: int) -> None:
    """The token mean is opset-independent (ReduceMean's axes moved to an input at 18)."""
    glassnet.manual_seed(5)
    model = build_model("transformer", (1, 40), 10).eval()
    x = batch((3, 40), 6)
    proto = glassnet.onnx.export(model, glassnet.tensor(x), opset_version=opset)
    assert proto.opset_import[0].version == opset
    (got,) = run(proto, {"input": x})
    with glassnet.no_grad():
        want = model(glassnet.tensor(x)).numpy()
    numpy.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
