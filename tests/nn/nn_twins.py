"""The same small Module tree built with glassnet or with torch, for the Module tests."""

from __future__ import annotations

import numpy
import torch


def make_net(lib):
    """The same small tree in glassnet or torch: parameters, buffers (one int64, one not
    persistent), a None parameter, and Sequential / ModuleDict / ModuleList children."""

    class Block(lib.nn.Module):
        def __init__(self, n):
            super().__init__()
            self.weight = lib.nn.Parameter(lib.ones(n, n))
            self.register_buffer("running_mean", lib.zeros(n))
            self.register_buffer("num_batches_tracked", lib.tensor(0, dtype=lib.int64))
            self.register_buffer("scratch", lib.zeros(n), persistent=False)

        def forward(self, x):
            return x * self.weight.sum()

        def extra_repr(self):
            return f"n={self.weight.shape[0]}"

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = lib.nn.Parameter(lib.ones(3))
            self.register_parameter("absent", None)
            self.layer1 = lib.nn.Sequential(Block(3), Block(3))
            self.heads = lib.nn.ModuleDict({"a": Block(3), "b": Block(2)})
            self.extra = lib.nn.ModuleList([Block(2)])
            self.register_buffer("scale", lib.ones(1))

        def forward(self, x):
            return self.layer1(x * self.stem)

    return Net()


def randomise(ours, theirs, rng):
    """Give both twins the same random values (float tensors) and counters (int ones)."""
    for mine, reference in zip(ours.state_dict().values(), theirs.state_dict().values()):
        if reference.dtype == torch.int64:
            value = rng.integers(0, 100, size=tuple(reference.shape))
        else:
            value = rng.standard_normal(tuple(reference.shape)).astype(numpy.float32)
        mine.data[...] = value
        reference.copy_(torch.from_numpy(numpy.asarray(value)))
