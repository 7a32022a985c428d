"""PyTorch's data API: `Dataset`, `TensorDataset`, `Subset`, `random_split`, `DataLoader`.

`DataLoader` is a `Pipeline` underneath (dataset -> shuffle -> batch [-> workers]) whose
batches come out as glassnet Tensors. Each `iter()` is one epoch, shuffled from
`default_rng([seed, epoch])`, so the order depends on (seed, epoch) only.

The fast path: a dataset of in-memory arrays (a `TensorDataset`, or a `Subset` of one)
has `gather(indices)`, and with the default collate each batch is one fancy-indexing
copy per array: no per-sample Python, hundreds of thousands of samples per second.
Any other dataset is read sample by sample (`dataset[i]`) and collated, in worker
threads (or forkserver processes) when `num_workers > 0`.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy

from glassnet.data.collate import default_collate, to_tensors
from glassnet.data.pipeline import Pipeline, PipelineIterator
from glassnet.data.sources import DatasetSource, can_gather
from glassnet.random import default_generator
from glassnet.tensor import Tensor

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate", "random_split"]


class Dataset:
    """A map-style dataset: `dataset[i]` is sample i, `len(dataset)` the number of samples.

    Subclasses implement both. Defining `gather(indices)` as well (returning the collated
    batch for a 1-D int64 index array in one vectorised step) opts into the loader's fast path.
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__} must implement __getitem__ (subclasses of Dataset do)"
        )

    def __len__(self) -> int:
        raise NotImplementedError(
            f"{type(self).__name__} must implement __len__ (subclasses of Dataset do)"
        )


class TensorDataset(Dataset):
    """Sample i is `tuple(t[i] for t in tensors)`; every tensor has the same first dimension.

    Accepts glassnet Tensors or array-likes; `.tensors` holds them as Tensors (sharing memory).
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset: needs at least one tensor")
        arrays = [
            tensor.data if isinstance(tensor, Tensor) else numpy.asarray(tensor)
            for tensor in tensors
        ]
        for position, array in enumerate(arrays):
            if array.ndim == 0:
                raise ValueError(
                    f"TensorDataset: tensor {position} is 0-d; each needs a first (sample) dimension"
                )
        sizes = [array.shape[0] for array in arrays]
        if len(set(sizes)) > 1:
            raise ValueError(
                "TensorDataset: all tensors must have the same size in their first dimension, got "
                + ", ".join(f"tensor {i}: {size}" for i, size in enumerate(sizes))
            )
        self.arrays = arrays
        self.tensors = tuple(
            tensor if isinstance(tensor, Tensor) else Tensor(array)
            for tensor, array in zip(tensors, arrays)
        )

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(Tensor(numpy.asarray(array[index])) for array in self.arrays)

    def __len__(self) -> int:
        return self.arrays[0].shape[0]

    def gather(self, indices: numpy.ndarray) -> tuple[numpy.ndarray, ...]:
        """The batch of samples `indices`: one fancy-indexing copy per tensor."""
        return tuple(array[indices] for array in self.arrays)


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices
        self._indices = numpy.asarray(indices, dtype=numpy.int64).reshape(-1)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)

    @property
    def can_gather(self) -> bool:
        return callable(getattr(self.dataset, "gather", None)) and getattr(
            self.dataset, "can_gather", True
        )

    def gather(self, indices: numpy.ndarray) -> Any:
        if not self.can_gather:
            raise TypeError(
                f"Subset.gather: the wrapped {type(self.dataset).__name__} has no gather()"
            )
        return self.dataset.gather(self._indices[indices])


def random_split(
    dataset: Any, lengths: Sequence[int | float], generator: Any = None
) -> list[Subset]:
    """Split into non-overlapping random subsets of the given lengths (or fractions summing to 1).

    Fractions follow torch 2.x: floor(n * fraction) each, then the remainder is handed out
    one by one from the first split. `generator`: a NumPy Generator, an int seed, or None
    for glassnet's generator (reset by `glassnet.manual_seed`).
    """
    size = len(dataset)
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = []
        for position, fraction in enumerate(lengths):
            if not 0 <= fraction <= 1:
                raise ValueError(
                    f"random_split: fraction at index {position} is {fraction}, not between 0 and 1"
                )
            counts.append(int(math.floor(size * fraction)))
        for step in range(size - sum(counts)):
            counts[step % len(counts)] += 1
        for position, count in enumerate(counts):
            if count == 0:
                warnings.warn(
                    f"random_split: the split at index {position} is empty",
                    UserWarning,
                    stacklevel=2,
                )
        lengths = counts
    for position, length in enumerate(lengths):
        if isinstance(length, bool) or not isinstance(length, (int, numpy.integer)) or length < 0:
            raise ValueError(
                f"random_split: lengths must be non-negative integers or fractions summing to 1; "
                f"got {length!r} at index {position}"
            )
    if sum(lengths) != size:
        raise ValueError(
            f"random_split: the lengths sum to {sum(lengths)} but the dataset has {size} samples"
        )
    if generator is None:
        generator = default_generator()
    elif isinstance(generator, (int, numpy.integer)) and not isinstance(generator, bool):
        generator = numpy.random.default_rng(int(generator))
    elif not isinstance(generator, numpy.random.Generator):
        raise TypeError(
            f"random_split: generator must be a numpy.random.Generator, an int seed or None; "
            f"got {type(generator).__name__}"
        )
    order = generator.permutation(size).tolist()
    return [
        Subset(dataset, order[end - length : end])
        for end, length in zip(itertools.accumulate(lengths), lengths)
    ]


class DataLoader:
    """Batches of glassnet Tensors from a map-style dataset, reshuffled each epoch from (seed, epoch).

    Args (PyTorch's names and defaults):
        dataset: anything with `__getitem__` and `__len__`.
        batch_size: samples per batch; None yields single samples, unbatched.
        shuffle: a new random order every epoch.
        num_workers: 0 reads in the consuming thread; N > 0 uses N worker threads, or N
            forkserver processes with `multiprocessing_context="forkserver"`.
        collate_fn: list of samples -> batch; default `default_collate`.
        drop_last: drop the last batch when it is short.
        multiprocessing_context: None (threads) or "forkserver" (processes; never "fork").
        seed: the shuffle seed; None draws one from glassnet's generator at construction,
            so `glassnet.manual_seed` fixes every epoch's order.
        timeout: if positive, seconds a worker may take over one batch before it fails with
            a TimeoutError naming it (0: no limit; needs num_workers > 0, as in PyTorch).
            See `Pipeline.map`: a stuck thread keeps running, a stuck process is replaced.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool = False,
        *,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        drop_last: bool = False,
        multiprocessing_context: Any = None,
        seed: int | None = None,
        timeout: float = 0,
    ) -> None:
        self._source = DatasetSource(dataset, where="DataLoader")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout < 0:
            raise ValueError(f"DataLoader: timeout must be a non-negative number, got {timeout!r}")
        if timeout and not num_workers:
            raise ValueError(
                f"DataLoader: timeout={timeout!r} needs num_workers > 0: with num_workers=0 "
                "batches are made in the consumer's own thread, which nothing can interrupt"
            )
        self.timeout = timeout
        if batch_size is not None and (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, (int, numpy.integer))
            or batch_size < 1
        ):
            raise ValueError(
                f"DataLoader: batch_size must be a positive integer or None, got {batch_size!r}"
            )
        if (
            isinstance(num_workers, bool)
            or not isinstance(num_workers, (int, numpy.integer))
            or num_workers < 0
        ):
            raise ValueError(
                f"DataLoader: num_workers must be a non-negative integer, got {num_workers!r}"
            )
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(
                f"DataLoader: collate_fn must be callable or None, got {type(collate_fn).__name__}"
            )
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.num_workers = int(num_workers)
        self.collate_fn = collate_fn
        self.drop_last = bool(drop_last)
        self.multiprocessing_context = multiprocessing_context
        self._backend = _backend(multiprocessing_context)
        if seed is None:
            seed = int(default_generator().integers(2**63))
        self.seed = seed
        self._pipeline = self._build()
        self._next_epoch = 0

    def _build(self) -> Pipeline:
        pipeline = Pipeline(self._source)
        if self.shuffle:
            pipeline = pipeline.shuffle(max(1, len(self._source)), seed=self.seed)
        if self.batch_size is None:
            return pipeline.map(
                self.collate_fn or _identity,
                workers=self.num_workers,
                backend=self._backend,
                seed=self.seed,
                timeout=self.timeout or None,
            )
        # The gather is one vectorised copy per batch: workers would only add hand-over costs.
        fast = self.collate_fn is None and can_gather(self._source)
        return pipeline.batch(
            self.batch_size,
            drop_last=self.drop_last,
            collate=self.collate_fn,
            workers=0 if fast else self.num_workers,
            backend=self._backend,
            seed=self.seed,
            timeout=None if fast else self.timeout or None,
        )

    def set_epoch(self, epoch: int) -> None:
        """Make the next `iter()` run epoch `epoch` (then epoch + 1, ...)."""
        self._pipeline.set_epoch(epoch)
        self._next_epoch = int(epoch)

    def epoch(self, epoch: int) -> Iterator[Any]:
        """The batches of epoch `epoch`; does not move the epoch counter."""
        return _Batches(self._pipeline.epoch(epoch))

    def __iter__(self) -> Iterator[Any]:
        epoch = self._next_epoch
        self._next_epoch += 1
        return self.epoch(epoch)

    def __len__(self) -> int:
        if self.batch_size is None:
            return len(self._source)
        size = len(self._source)
        return size // self.batch_size if self.drop_last else -(-size // self.batch_size)

    def __repr__(self) -> str:
        return (
            f"DataLoader({type(self.dataset).__name__} of {len(self._source)}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, num_workers={self.num_workers}, seed={self.seed})"
        )


class _Batches:
    """A loader epoch: the pipeline's batches as Tensors; closes like the pipeline's iterator."""

    def __init__(self, batches: PipelineIterator) -> None:
        self._batches = batches
        self.epoch = batches.epoch

    def __iter__(self) -> _Batches:
        return self

    def __next__(self) -> Any:
        return to_tensors(next(self._batches))

    def close(self) -> None:
        self._batches.close()

    def __enter__(self) -> _Batches:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


def _identity(sample: Any) -> Any:
    return sample


def _backend(context: Any) -> str:
    if context is None:
        return "thread"
    method = (
        context
        if isinstance(context, str)
        else getattr(context, "get_start_method", lambda: None)()
    )
    if method == "forkserver":
        return "process"
    raise ValueError(
        f"DataLoader: multiprocessing_context must be None (worker threads) or 'forkserver' "
        f"(worker processes), got {context!r}; glassnet never forks a process that may hold threads"
    )
