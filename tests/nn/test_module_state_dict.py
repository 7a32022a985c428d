"""Module.state_dict / load_state_dict: torch's keys, loading from torch, NumPy and glassnet, loud errors."""

from __future__ import annotations

import numpy
import pytest
import torch
from nn_twins import make_net, randomise

import glassnet


def test_state_dict_is_detached_and_shares_memory():
    net = make_net(glassnet)
    state = net.state_dict()
    assert not state["stem"].requires_grad and type(state["stem"]) is glassnet.Tensor
    state["stem"].data[0] = 5
    assert net.stem.data[0] == 5
    assert net.state_dict(keep_vars=True)["stem"] is net.stem
    assert list(net.state_dict(prefix="model."))[0] == "model.stem"


@pytest.mark.parametrize("source", ["torch", "numpy", "glassnet"])
def test_load_state_dict_copies_in_place_from_torch_numpy_and_glassnet(source, rng):
    ours, theirs = make_net(glassnet), make_net(torch)
    randomise(make_net(glassnet), theirs, rng)
    state = theirs.state_dict()
    if source == "numpy":
        state = {k: v.numpy() for k, v in state.items()}
    elif source == "glassnet":
        state = {k: glassnet.tensor(v.numpy()) for k, v in state.items()}
    params_before = [id(p) for p in ours.parameters()]
    result = ours.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    assert [id(p) for p in ours.parameters()] == params_before
    for key, value in theirs.state_dict().items():
        mine = ours.state_dict()[key]
        numpy.testing.assert_array_equal(mine.data, value.numpy(), err_msg=key)
        assert str(mine.dtype) == str(value.dtype).removeprefix("torch.")
    assert ours.layer1[0].num_batches_tracked.dtype == glassnet.int64


def test_load_state_dict_casts_to_the_module_dtype():
    net = make_net(glassnet)
    state = {k: v.numpy().astype(numpy.float64) for k, v in net.state_dict().items()}
    state["stem"][:] = [1.5, 2.5, 3.5]
    state["layer1.0.num_batches_tracked"] = numpy.array(4.0)
    net.load_state_dict(state)
    assert net.stem.dtype == glassnet.float32 and net.stem.data.tolist() == [1.5, 2.5, 3.5]
    assert net.layer1[0].num_batches_tracked.dtype == glassnet.int64
    assert net.layer1[0].num_batches_tracked.item() == 4


def test_round_trip_into_torch_gives_the_same_values(rng):
    ours, theirs = make_net(glassnet), make_net(torch)
    randomise(ours, make_net(torch), rng)
    theirs.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}
    )
    x = rng.standard_normal(3).astype(numpy.float32)
    numpy.testing.assert_allclose(
        ours(glassnet.tensor(x)).detach().numpy(),
        theirs(torch.tensor(x)).detach().numpy(),
        rtol=1e-6,
    )


def test_strict_load_names_missing_and_unexpected_keys():
    net = make_net(glassnet)
    state = dict(net.state_dict())
    del state["layer1.0.weight"], state["scale"]
    state["layer1.0.bias"] = glassnet.ones(3)
    state["nothere.weight"] = glassnet.ones(3)
    with pytest.raises(RuntimeError) as error:
        net.load_state_dict(state)
    message = str(error.value)
    assert message.startswith("Error(s) in loading state_dict for Net:")
    assert 'Missing key(s) in state_dict: "scale", "layer1.0.weight".' in message
    assert 'Unexpected key(s) in state_dict: "nothere.weight", "layer1.0.bias".' in message
    result = net.load_state_dict(state, strict=False)
    assert result.missing_keys == ["scale", "layer1.0.weight"]
    assert result.unexpected_keys == ["nothere.weight", "layer1.0.bias"]
    assert "missing_keys=['scale', 'layer1.0.weight']" in repr(result)


def test_keys_of_a_torch_twin_with_an_extra_layer_are_unexpected_like_torch():
    ours, theirs = make_net(glassnet), make_net(torch)
    theirs.extra.append(theirs.extra[0].__class__(2))
    state = theirs.state_dict()
    result = ours.load_state_dict(state, strict=False)
    expected = make_net(torch).load_state_dict(state, strict=False)
    assert (
        result.unexpected_keys
        == expected.unexpected_keys
        == ["extra.1.weight", "extra.1.running_mean", "extra.1.num_batches_tracked"]
    )
    assert result.missing_keys == expected.missing_keys == []


def test_shape_mismatch_names_both_shapes_even_when_not_strict():
    net = make_net(glassnet)
    state = dict(net.state_dict())
    state["heads.b.weight"] = numpy.zeros((3, 2), dtype=numpy.float32)
    state["stem"] = torch.zeros(4)
    for strict in (True, False):
        with pytest.raises(RuntimeError) as error:
            net.load_state_dict(state, strict=strict)
        assert (
            "size mismatch for heads.b.weight: copying a param with shape (3, 2) from checkpoint, "
            "the shape in current model is (2, 2)."
        ) in str(error.value)
        assert "size mismatch for stem: copying a param with shape (4,) from checkpoint" in str(
            error.value
        )
    assert numpy.all(
        net.heads["b"].weight.data == 1
    )  # nothing half-copied into the mismatched tensor


def test_load_rejects_values_that_are_not_arrays():
    net = make_net(glassnet)
    state = dict(net.state_dict())
    state["stem"] = [1.0, 2.0, 3.0]
    with pytest.raises(
        RuntimeError,
        match='While copying the parameter named "stem", expected a glassnet Tensor, '
        "NumPy array or torch tensor from checkpoint but received list",
    ):
        net.load_state_dict(state)
    with pytest.raises(TypeError, match="expected a dict-like state_dict, got list"):
        net.load_state_dict([1, 2])


def test_load_with_assign_takes_the_loaded_dtype_and_keeps_the_parameter_object():
    net = make_net(glassnet)
    stem = net.stem
    state = {
        k: v.numpy().astype(numpy.float64) if v.dtype.kind == "f" else v.numpy()
        for k, v in net.state_dict().items()
    }
    net.load_state_dict(state, assign=True)
    assert net.stem is stem and stem.dtype == glassnet.float64 and stem.requires_grad
