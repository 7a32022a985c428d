"""Module hooks: forward pre/post hooks, full backward hooks (values against torch and known derivatives)."""

from __future__ import annotations

import numpy
import pytest
import torch

import glassnet
from glassnet import nn
from glassnet.nn import Module, Parameter


class Square(Module):
    """y = 3 x^2, so dy/dx = 6 x."""

    def forward(self, x):
        return 3 * x * x


def test_forward_pre_hook_replaces_input_and_handle_removes_it():
    model = Square()
    handle = model.register_forward_pre_hook(lambda module, args: args[0] + 1)
    assert model(glassnet.tensor([1.0])).item() == 12.0
    handle.remove()
    assert model(glassnet.tensor([1.0])).item() == 3.0
    handle.remove()  # a second remove is harmless


def test_forward_hook_sees_args_and_output_and_may_replace_it():
    model, seen = Square(), []
    model.register_forward_hook(
        lambda module, args, output: seen.append((module, args[0].item(), output.item()))
    )
    replacing = model.register_forward_hook(lambda module, args, output: output * 10)
    assert model(glassnet.tensor([2.0])).item() == 120.0
    assert seen == [(model, 2.0, 12.0)]
    replacing.remove()
    assert model(glassnet.tensor([2.0])).item() == 12.0


def test_hook_order_prepend_kwargs_and_context_manager():
    class Scale(Module):
        def forward(self, x, factor=1.0):
            return x * factor

    model, order = Scale(), []
    model.register_forward_hook(lambda m, a, o: order.append("first"))
    model.register_forward_hook(lambda m, a, o: order.append("prepended"), prepend=True)
    model.register_forward_pre_hook(
        lambda m, a, kw: (a, {"factor": kw["factor"] * 2}), with_kwargs=True
    )
    model.register_forward_hook(lambda m, a, kw, o: o + kw["factor"], with_kwargs=True)
    assert model(glassnet.tensor([1.0]), factor=3.0).item() == 12.0  # 1 * 6, then + 6
    assert order == ["prepended", "first"]
    with model.register_forward_hook(lambda m, a, o: o * 0):
        assert model(glassnet.tensor([1.0]), factor=1.0).item() == 0.0
    assert model(glassnet.tensor([1.0]), factor=1.0).item() == 4.0


def test_always_call_hook_runs_when_forward_raises():
    class Broken(Module):
        def forward(self, x):
            raise ValueError("broken forward")

    model, calls = Broken(), []
    model.register_forward_hook(lambda m, a, o: calls.append(o), always_call=True)
    model.register_forward_hook(lambda m, a, o: calls.append("not always"))
    with pytest.raises(ValueError, match="broken forward"):
        model(glassnet.ones(1))
    assert calls == [None]


def test_bad_pre_hook_return_is_named():
    model = Square()
    model.register_forward_pre_hook(lambda m, a, kw: 3, with_kwargs=True)
    with pytest.raises(
        RuntimeError,
        match="forward pre-hook of Square registered with_kwargs=True must return None",
    ):
        model(glassnet.ones(1))


def test_full_backward_hook_gives_known_derivatives():
    model, seen = Square(), []
    model.register_full_backward_hook(lambda m, gi, go: seen.append((m, gi, go)))
    x = glassnet.tensor([1.0, -2.0], requires_grad=True)
    upstream = numpy.array([0.5, 4.0], dtype=numpy.float32)
    (model(x) * glassnet.tensor(upstream)).sum().backward()
    ((module, grad_input, grad_output),) = seen
    assert module is model and len(grad_input) == 1 and len(grad_output) == 1
    numpy.testing.assert_allclose(grad_output[0].data, upstream)
    numpy.testing.assert_allclose(grad_input[0].data, upstream * 6 * numpy.array([1.0, -2.0]))
    numpy.testing.assert_allclose(x.grad.data, grad_input[0].data)


def test_full_backward_hook_replacement_reaches_the_input():
    model = Square()
    handle = model.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0 + 1,))
    x = glassnet.tensor([3.0, 4.0], requires_grad=True)
    model(x).sum().backward()
    assert x.grad.data.tolist() == [1.0, 1.0]
    handle.remove()
    x.grad = None
    model(x).sum().backward()
    assert x.grad.data.tolist() == [18.0, 24.0]


def test_backward_pre_hook_replaces_grad_output():
    model = Square()
    model.register_full_backward_pre_hook(lambda m, go: (go[0] * 2,))
    x = glassnet.tensor([1.0], requires_grad=True)
    model(x).sum().backward()
    assert x.grad.item() == 12.0


def test_bad_backward_hook_return_is_named():
    model = Square()
    model.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    x = glassnet.tensor([1.0], requires_grad=True)
    with pytest.raises(
        RuntimeError, match="backward hook of Square returned 2 values for grad_input, expected a"
    ):
        model(x).sum().backward()


def make_pair(lib):
    class Pair(lib.nn.Module):
        def forward(self, x, y, scale):
            return x * y * scale, x - y * y

    return Pair()


@pytest.mark.parametrize("use_second", [True, False])
def test_full_backward_hook_matches_torch_for_several_inputs_and_outputs(use_second, rng):
    x, y, c0, c1 = (rng.standard_normal(4) for _ in range(4))
    results = {}
    for lib in (glassnet, torch):
        model, seen = make_pair(lib), []
        model.register_full_backward_hook(lambda m, gi, go, seen=seen: seen.append((gi, go)))
        xs, ys = lib.tensor(x, requires_grad=True), lib.tensor(y, requires_grad=True)
        first, second = model(xs, ys, 2.0)
        loss = (first * lib.tensor(c0)).sum()
        if use_second:
            loss = loss + (second * lib.tensor(c1)).sum()
        loss.backward()
        assert len(seen) == 1
        results[lib] = seen[0]
    for ours, theirs in zip(results[glassnet], results[torch]):  # grad_input, then grad_output
        assert len(ours) == len(theirs)
        for mine, reference in zip(ours, theirs):
            if reference is None:
                assert mine is None
            else:
                numpy.testing.assert_allclose(mine.data, reference.numpy(), rtol=1e-12)


def test_full_backward_hook_when_no_input_requires_grad():
    class Weighted(Module):
        def __init__(self):
            super().__init__()
            self.w = Parameter(glassnet.tensor([2.0, 3.0]))

        def forward(self, x):
            return x * self.w

    model, seen = Weighted(), []
    model.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    model(glassnet.ones(2)).sum().backward()
    ((grad_input, grad_output),) = seen
    assert grad_input == (None,)
    assert grad_output[0].data.tolist() == [1.0, 1.0]
    assert model.w.grad.data.tolist() == [1.0, 1.0]


def test_backward_hook_of_a_layer_inside_sequential():
    inner, seen = Square(), []
    model = nn.Sequential(Square(), inner)
    inner.register_full_backward_hook(lambda m, gi, go: seen.append((gi[0].item(), go[0].item())))
    x = glassnet.tensor([1.0], requires_grad=True)
    model(x).backward()  # h = 3 x^2 = 3;  y = 3 h^2 = 27;  dy/dh = 6 h = 18
    assert seen == [(18.0, 1.0)]
    assert x.grad.item() == 18.0 * 6.0


def test_backward_hook_on_a_module_returning_a_dict_warns():
    class Named(Module):
        def forward(self, x):
            return {"y": x * 2}

    model = Named()
    model.register_full_backward_hook(lambda m, gi, go: None)
    with pytest.warns(
        UserWarning, match="backward hooks of Named are not called: its output should be a Tensor"
    ):
        model(glassnet.ones(1, requires_grad=True))
