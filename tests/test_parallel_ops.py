"""Ops split over glassnet's threads: parity and gradcheck while split, the one-thread results
to float rounding, and the same bits on every run at a given thread count."""

from __future__ import annotations

import numpy
import pytest
from threadpoolctl import threadpool_limits

import glassnet
import glassnet.nn.functional as F
from glassnet import parallel
from glassnet.models.resnet_cifar import CifarBasicBlock
from glassnet.ops import conv_gemm
from helpers import assert_gradcheck, assert_parity


@pytest.fixture
def blocks(monkeypatch):
    """Two threads (BLAS allowing two); the sizes of the blocks run, to prove the split happened."""
    saved = parallel._requested
    parallel._requested = 2
    sizes: list[int] = []
    original = parallel.run

    def spy(tasks, **options):
        sizes.append(len(tasks))
        return original(tasks, **options)

    monkeypatch.setattr(parallel, "run", spy)
    with threadpool_limits(2, user_api="blas"):
        yield sizes
    parallel._requested = saved


@pytest.fixture
def tiny_chunks(monkeypatch, blocks):
    """Every op split however small its work, so the small parity and gradcheck shapes split."""
    monkeypatch.setattr(conv_gemm, "MIN_CHUNK_MACS", 1)
    monkeypatch.setattr(parallel, "MIN_CHUNK_ELEMENTS", 1)
    return blocks


CONV_CASES = [  # each lowering of conv_gemm, split over the batch
    ((4, 3, 8, 8), (5, 3, 3, 3), {"padding": 1}),  # transposed backward, images on a canvas
    ((3, 4, 6, 7), (4, 2, 3, 3), {"padding": 1, "groups": 2}),  # batch 3: shares of 1 and 2
    ((4, 2, 9, 9), (3, 2, 3, 3), {"stride": 2, "padding": 1}),  # col2im with add.at
    ((4, 2, 7, 7), (3, 2, 5, 5), {}),  # unpadded: col2im with wide rows
    ((4, 4, 6, 6), (6, 2, 1, 1), {"stride": 2, "groups": 2}),  # 1x1, strided
    ((4, 4, 6, 6), (6, 4, 1, 1), {}),  # 1x1: plain GEMMs
]


@pytest.mark.parametrize("x_shape, w_shape, options", CONV_CASES)
def test_split_conv2d_matches_torch_and_gradcheck(x_shape, w_shape, options, rng, tiny_chunks):
    def conv(lib, x, w, b):
        return lib.nn.functional.conv2d(x, w, b, **options)

    inputs = [rng.standard_normal(x_shape), rng.standard_normal(w_shape)]
    inputs.append(rng.standard_normal(w_shape[0]))
    assert_parity(conv, inputs)
    assert_gradcheck(conv, inputs)
    assert max(tiny_chunks) == 2


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_split_batch_norm_matches_torch_and_gradcheck(training, rng, tiny_chunks):
    stats = rng.standard_normal(3) * 0.1, rng.uniform(0.5, 1.5, 3)

    def norm(lib, x, w, b):
        mean, var = (lib.tensor(s.copy()) for s in stats)
        return lib.nn.functional.batch_norm(x, mean, var, w, b, training=training)

    inputs = [rng.standard_normal((4, 3, 5, 5)), rng.uniform(0.5, 1.5, 3), rng.standard_normal(3)]
    assert_parity(norm, inputs)
    assert_gradcheck(norm, inputs)
    x = glassnet.tensor(inputs[0], requires_grad=True)  # dL/dx alone: the eval fast path
    norm(glassnet, x, None, None).sum().backward()
    assert max(tiny_chunks) == 2


def _conv_and_bn_step(x, w, gamma, beta):
    """One forward + backward through conv2d and a training batch_norm; all the arrays."""
    tensors = [glassnet.tensor(a, requires_grad=True) for a in (x, w, gamma, beta)]
    running = glassnet.zeros(w.shape[0]), glassnet.ones(w.shape[0])
    y = F.batch_norm(F.conv2d(tensors[0], tensors[1], padding=1), *running, *tensors[2:], True)
    weights = numpy.random.default_rng(0).standard_normal(y.shape).astype(numpy.float32)
    (y * glassnet.tensor(weights)).sum().backward()  # not sum(y * y): its dL/dx is ~0 by design
    return [y.data, running[0].data, running[1].data] + [t.grad.data for t in tensors]


def _block_steps(state, x, steps=2):
    """A ResNet block trained for `steps` SGD steps from `state`; its final state dict."""
    block = CifarBasicBlock(32, 32)
    block.load_state_dict(state)
    optimizer = glassnet.optim.SGD(block.parameters(), lr=0.1, momentum=0.9)
    for _ in range(steps):
        optimizer.zero_grad()
        (block(glassnet.tensor(x)) ** 2).mean().backward()
        optimizer.step()
    return {key: numpy.array(value) for key, value in block.state_dict().items()}


def _threads(count, compute):
    saved = parallel._requested
    parallel._requested = count
    try:
        return compute()
    finally:
        parallel._requested = saved


def test_conv_and_batch_norm_two_threads_repeat_bitwise_and_match_one(rng, blocks):
    arrays = (
        rng.standard_normal((16, 32, 16, 16)).astype(numpy.float32),
        rng.standard_normal((32, 32, 3, 3)).astype(numpy.float32) * 0.1,
        rng.uniform(0.5, 1.5, 32).astype(numpy.float32),
        rng.standard_normal(32).astype(numpy.float32),
    )
    first = _threads(2, lambda: _conv_and_bn_step(*arrays))
    assert max(blocks) == 2, "the default thresholds should split these shapes in two"
    second = _threads(2, lambda: _conv_and_bn_step(*arrays))
    single = _threads(1, lambda: _conv_and_bn_step(*arrays))
    for a, b, c in zip(first, second, single):
        assert a.tobytes() == b.tobytes()
        numpy.testing.assert_allclose(a, c, rtol=1e-4, atol=1e-4 * numpy.abs(c).max())


def test_resnet_block_training_two_threads_repeat_bitwise_and_match_one(rng, blocks):
    state = CifarBasicBlock(32, 32).state_dict()
    x = rng.standard_normal((16, 32, 16, 16)).astype(numpy.float32)
    first = _threads(2, lambda: _block_steps(state, x))
    assert max(blocks) == 2
    second = _threads(2, lambda: _block_steps(state, x))
    single = _threads(1, lambda: _block_steps(state, x))
    for key, value in first.items():
        assert value.tobytes() == second[key].tobytes(), key
        scale = numpy.abs(single[key]).max()
        numpy.testing.assert_allclose(value, single[key], rtol=1e-4, atol=1e-4 * scale, err_msg=key)


def test_one_blas_thread_runs_the_one_thread_path(rng, blocks):
    """Under threadpool_limits(1) (the lab, a tuning worker) nothing is split."""
    parallel._requested = 2
    x = rng.standard_normal((16, 32, 16, 16)).astype(numpy.float32)
    with threadpool_limits(1, user_api="blas"):
        _block_steps(CifarBasicBlock(32, 32).state_dict(), x, steps=1)
    assert blocks and max(blocks) == 1
