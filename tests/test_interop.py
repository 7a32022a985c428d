"""Tensors across libraries: NumPy's __array__, DLPack both ways, from_numpy, torch, Pipeline batches."""

from __future__ import annotations

import numpy
import pytest
import torch

import glassnet
from glassnet import nn
from glassnet.data import Pipeline


def test_numpy_asarray_shares_memory_and_array_copies() -> None:
    t = glassnet.tensor([1.0, 2.0, 3.0], requires_grad=True)
    shared = numpy.asarray(t)
    shared[0] = 10.0
    assert t.data[0] == 10.0
    copied = numpy.array(t)
    copied[1] = -5.0
    assert t.data[1] == 2.0
    assert numpy.asarray(t, dtype=numpy.float64).dtype == numpy.float64


def test_numpy_asarray_copy_false_refuses_a_dtype_change() -> None:
    t = glassnet.tensor([1.0, 2.0])
    assert numpy.asarray(t, copy=False) is t.data
    with pytest.raises(ValueError, match="a copy is needed"):
        numpy.asarray(t, dtype=numpy.float64, copy=False)


def test_from_numpy_shares_memory_both_ways() -> None:
    array = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
    t = glassnet.from_numpy(array)
    array[0, 0] = 42.0
    assert t.data[0, 0] == 42.0
    t.data[1, 2] = -1.0
    assert array[1, 2] == -1.0
    assert t.dtype == numpy.float32


def test_torch_as_tensor_and_from_dlpack_share_memory() -> None:
    t = glassnet.tensor([[1.0, 2.0], [3.0, 4.0]])
    for other in (torch.as_tensor(t), torch.from_dlpack(t)):
        assert other.dtype == torch.float32 and tuple(other.shape) == (2, 2)
        other[0, 1] = 7.0
        assert t.data[0, 1] == 7.0
        t.data[1, 0] = -3.0
        assert other[1, 0].item() == -3.0
    assert torch.as_tensor(glassnet.tensor(3.5)).item() == 3.5
    assert torch.as_tensor(glassnet.arange(4)).dtype == torch.int64


def test_torch_from_dlpack_of_a_tensor_that_requires_grad_is_detached() -> None:
    t = glassnet.tensor([1.0, 2.0], requires_grad=True)
    other = torch.from_dlpack(t)
    assert not other.requires_grad
    numpy.testing.assert_array_equal(other.numpy(), [1.0, 2.0])


def test_glassnet_from_dlpack_shares_memory_with_torch_and_numpy() -> None:
    source = torch.arange(6, dtype=torch.float64).reshape(3, 2)
    t = glassnet.from_dlpack(source)
    assert t.dtype == numpy.float64 and t.shape == (3, 2)
    source[2, 1] = 100.0
    assert t.data[2, 1] == 100.0
    array = numpy.ones(3, dtype=numpy.float32)
    u = glassnet.from_dlpack(array)
    u.data[0] = 5.0
    assert array[0] == 5.0
    assert glassnet.from_dlpack(u).data is not None and glassnet.from_dlpack(u).data[0] == 5.0
    with pytest.raises(TypeError, match="from_dlpack: expected an object with __dlpack__"):
        glassnet.from_dlpack([1.0, 2.0])


def test_dlpack_device_is_cpu() -> None:
    assert glassnet.zeros(2).__dlpack_device__() == (1, 0)  # kDLCPU, device 0


def test_pipeline_batches_are_tensors_that_a_model_takes() -> None:
    x = numpy.random.default_rng(0).standard_normal((10, 4)).astype(numpy.float32)
    y = numpy.arange(10)
    images, labels = next(iter(Pipeline.from_arrays(x, y).batch(4)))
    assert isinstance(images, glassnet.Tensor) and isinstance(labels, glassnet.Tensor)
    numpy.testing.assert_array_equal(images.numpy(), x[:4])
    assert nn.Linear(4, 2)(images).shape == (4, 2)
    mapped = Pipeline.from_arrays(x).map(lambda row: row * 2).batch(3).prefetch(1)
    first = next(iter(mapped))
    assert isinstance(first, glassnet.Tensor)
    numpy.testing.assert_allclose(first.numpy(), x[:3] * 2)


def test_pipeline_tensors_false_hands_out_arrays() -> None:
    x = numpy.arange(12, dtype=numpy.float32).reshape(6, 2)
    (batch,) = [b for b in Pipeline.from_arrays(x).batch(6, tensors=False)]
    assert type(batch) is numpy.ndarray
    numpy.testing.assert_array_equal(batch, x)
