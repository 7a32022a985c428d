"""The autograd core: graph walk, accumulation, hooks, retain_graph, grad mode, errors."""

from __future__ import annotations

import gc
import weakref

import numpy
import pytest
import torch

import glassnet
from glassnet.autograd import unbroadcast


def test_leaf_gradients_accumulate_across_backward_calls():
    x = glassnet.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).backward(glassnet.ones(2))
    (x * x).backward(glassnet.ones(2))
    numpy.testing.assert_allclose(x.grad.numpy(), [3 + 2, 3 + 4])


def test_diamond_graph_sums_both_paths():
    x = glassnet.tensor(2.0, requires_grad=True)
    y = x * x
    z = y * 3 + y / 2  # dz/dx = (3 + 1/2) * 2x
    z.backward()
    assert x.grad.item() == pytest.approx(3.5 * 4)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: (x * 2 - (x * 2) * (x * 2)).sum(),
        lambda lib, x: (lambda h: h - h * h)(x * 2),
        lambda lib, x: (lambda h: (h.exp() + h) * h.sigmoid())(x * 3),
        lambda lib, x: (lambda a: (lambda b: a * b + b.exp() * a)(a * a + 1))(x.tanh()),
    ],
)
def test_a_node_used_at_several_depths_gets_every_gradient(fn, rng):
    """Regression: a node reached early and again deeper down must wait for all its users."""
    from helpers import assert_gradcheck, assert_parity

    x = rng.standard_normal(5)
    assert_parity(fn, [x])
    assert_gradcheck(fn, [x])


def test_chain_of_20000_ops_backward_is_iterative():
    x = glassnet.tensor(1.0, requires_grad=True, dtype=glassnet.float64)
    y = x
    for _ in range(20_000):
        y = y * 1.0001
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001**20_000, rel=1e-9)
    del y  # freeing the long chain must not overflow the stack either
    gc.collect()


def test_non_leaf_grad_is_not_kept_unless_retained():
    x = glassnet.tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 2
    kept = x * 3
    kept.retain_grad()
    (hidden * kept).backward(glassnet.ones(2))
    assert hidden.grad is None
    numpy.testing.assert_allclose(kept.grad.numpy(), [2.0, 4.0])  # d(h*k)/dk = h


def test_retain_grad_twice_does_not_double_count():
    x = glassnet.tensor([1.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.retain_grad()
    (y * 5).backward(glassnet.ones(1))
    assert y.grad.tolist() == [5.0]


def test_second_backward_without_retain_graph_raises():
    x = glassnet.tensor([1.0], requires_grad=True)
    y = (x * x) * 2
    y.backward(glassnet.ones(1))
    with pytest.raises(RuntimeError, match="a second time.*retain_graph=True"):
        y.backward(glassnet.ones(1))


def test_retain_graph_allows_a_second_backward():
    x = glassnet.tensor([3.0], requires_grad=True)
    y = x * x
    y.backward(glassnet.ones(1), retain_graph=True)
    y.backward(glassnet.ones(1))
    assert x.grad.tolist() == [12.0]


def test_backward_frees_saved_arrays():
    x = glassnet.tensor(numpy.ones(1000), requires_grad=True)
    y = (x * 2).log()  # Log saves its input, an intermediate only the graph holds
    node = y.grad_fn
    saved = weakref.ref(node.saved[0])
    y.backward(glassnet.ones(1000))
    gc.collect()
    assert saved() is None and node.saved == ()


def test_backward_on_non_scalar_without_gradient_raises():
    y = glassnet.tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"scalar output; this tensor has shape \(2,\)"):
        y.backward()


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        glassnet.tensor([1.0]).backward()


def test_backward_gradient_of_wrong_shape_raises():
    y = glassnet.tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(
        ValueError, match=r"gradient has shape \(3,\) but the tensor has shape \(2,\)"
    ):
        y.backward(glassnet.ones(3))


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(
        RuntimeError, match="only floating point tensors can require gradients.*int64"
    ):
        glassnet.tensor([1, 2], requires_grad=True)


def test_no_grad_records_nothing_and_restores_the_mode():
    x = glassnet.tensor([1.0], requires_grad=True)
    with glassnet.no_grad():
        y = x * 2
        with glassnet.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad
    assert glassnet.is_grad_enabled()

    @glassnet.no_grad()
    def infer(t):
        return t * 2

    assert not infer(x).requires_grad and glassnet.is_grad_enabled()


def test_detach_cuts_the_graph_and_shares_memory():
    x = glassnet.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).detach()
    assert not y.requires_grad and y.is_leaf
    z = x.detach()
    z.data[0] = 7
    assert x.data[0] == 7


def test_tensor_hook_can_replace_the_gradient():
    x = glassnet.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    seen = []
    y.register_hook(lambda grad: seen.append(grad.tolist()) or grad * 10)
    handle = x.register_hook(lambda grad: grad + 1)
    (y * 1).backward(glassnet.ones(2))
    assert seen == [[1.0, 1.0]]
    assert x.grad.tolist() == [31.0, 31.0]
    handle.remove()
    x.grad = None
    (x * 1).backward(glassnet.ones(2))
    assert x.grad.tolist() == [1.0, 1.0]


def test_leaf_grad_is_a_private_copy():
    """Add's backward hands one array to both inputs; scaling one .grad must not touch the other."""
    a = glassnet.tensor([1.0], requires_grad=True)
    b = glassnet.tensor([1.0], requires_grad=True)
    (a + b).backward(glassnet.ones(1))
    with glassnet.no_grad():
        a.grad.mul_(5)
    assert b.grad.tolist() == [1.0]


def test_inplace_on_a_tensor_that_requires_grad_raises_unless_no_grad():
    w = glassnet.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="add_: in-place change of a tensor that requires grad"):
        w.add_(1)
    with glassnet.no_grad():
        w.add_(glassnet.tensor([1.0, 1.0]), alpha=-0.5).mul_(2)
        w[0] = 10
    assert w.tolist() == [10.0, 3.0]


def test_inplace_ops_keep_dtype_and_refuse_narrowing():
    t = glassnet.zeros(3)
    t.add_(1).mul_(3).sub_(1).div_(2).clamp_(max=0.5)
    assert t.dtype == glassnet.float32 and t.tolist() == [0.5, 0.5, 0.5]
    t.copy_(numpy.arange(3)).fill_(4).zero_()
    assert t.tolist() == [0, 0, 0]
    with pytest.raises(
        RuntimeError, match="add_: result type float32 cannot be stored in a int64 tensor"
    ):
        glassnet.tensor([1, 2]).add_(0.5)
    with pytest.raises(
        ValueError, match=r"copy_: source of shape \(2,\) does not broadcast to \(3,\)"
    ):
        glassnet.zeros(3).copy_(glassnet.ones(2))


@pytest.mark.parametrize(
    "grad_shape, shape",
    [
        ((2, 3, 4), (3, 4)),
        ((2, 3, 4), (1, 4)),
        ((2, 3, 4), (2, 1, 1)),
        ((2, 3, 4), ()),
        ((5,), (1,)),
    ],
)
def test_unbroadcast_sums_to_the_input_shape(grad_shape, shape, rng):
    grad = rng.standard_normal(grad_shape)
    reduced = unbroadcast(grad, shape)
    expected = torch.tensor(grad).sum_to_size(shape).numpy() if shape else grad.sum()
    numpy.testing.assert_allclose(reduced, expected)
    assert reduced.shape == shape


def test_multi_output_function_receives_zeros_for_unused_outputs():
    from glassnet.function import Function

    class SplitHalves(Function):
        """a, b = x[:n], x[n:];  the gradient is the two upstream gradients side by side."""

        def forward(self, x):
            half = x.shape[0] // 2
            return x[:half].copy(), x[half:].copy()

        def backward(self, grad_a, grad_b):
            return self.xp.concatenate([grad_a, grad_b])

    x = glassnet.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    first, second = SplitHalves.apply(x)
    (first * 5).backward(glassnet.ones(2))
    assert x.grad.tolist() == [5.0, 5.0, 0.0, 0.0]
    assert second.grad_fn is first.grad_fn


def _recording_linear(monkeypatch):
    """Linear's backward, recording the arrays it returns."""
    from glassnet.ops.linalg import Linear

    returned = []
    original = Linear.backward

    def backward(self, grad):
        result = original(self, grad)
        returned.append(result)
        return result

    monkeypatch.setattr(Linear, "backward", backward)
    return returned


def test_a_fresh_gradient_becomes_grad_without_a_copy(monkeypatch, rng):
    """Linear declares fresh_grads: its new dL/dW and dL/db arrays are kept as .grad as they are."""
    returned = _recording_linear(monkeypatch)
    layer = glassnet.nn.Linear(3, 2)
    layer(glassnet.tensor(rng.standard_normal((4, 3)), dtype=glassnet.float32)).sum().backward()
    _, grad_weight, grad_bias = returned[0]
    assert layer.weight.grad.data is grad_weight
    assert layer.bias.grad.data is grad_bias


def test_a_fresh_gradient_is_copied_when_a_leaf_hook_saw_it(monkeypatch, rng):
    """A hook may keep the gradient it was shown; .grad must then be a copy it can't alias."""
    returned = _recording_linear(monkeypatch)
    layer = glassnet.nn.Linear(3, 2)
    kept = []
    layer.weight.register_hook(kept.append)
    layer(glassnet.tensor(rng.standard_normal((4, 3)), dtype=glassnet.float32)).sum().backward()
    assert layer.weight.grad.data is not returned[0][1]
    before = kept[0].data.copy()
    with glassnet.no_grad():
        layer.weight.grad.mul_(0)
    numpy.testing.assert_array_equal(kept[0].data, before)


def test_a_gradient_from_a_node_without_fresh_grads_is_copied():
    """Mul's backward may hand out arrays it does not own (here the incoming gradient times 1)."""
    x = glassnet.tensor([1.0, 2.0], requires_grad=True)
    upstream = numpy.ones(2, dtype=numpy.float32)
    (x * 1).backward(upstream)
    with glassnet.no_grad():
        x.grad.mul_(7)
    assert upstream.tolist() == [1.0, 1.0]
    assert x.grad.tolist() == [7.0, 7.0]
