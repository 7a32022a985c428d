"""What every dataset here shares: `ArrayDataset`, the error and warning types, label checks.

A dataset is a pair of arrays held in memory: `data` (one row per sample) and `targets`
(int64 class indices), plus `classes` (one name per index). `dataset[i]` returns
`(x, y)` with the optional `transform` / `target_transform` applied, as in torchvision,
so any of them plugs into `glassnet.data.TensorDataset` / `DataLoader`.

Bad input is loud: a `DatasetError` names the file and the record or byte offset. With
`on_error="skip"` a reader drops the bad records instead and says so in ONE
`SkippedRecordsWarning` at the end of the read, with the count and the first few causes.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from glassnet.data.errors import SkippedRecordsWarning

ON_ERROR_CHOICES = ("raise", "skip")
_SHOWN_PROBLEMS = 3  # how many skipped records the warning spells out


class DatasetError(ValueError):
    """A dataset file or folder is malformed; the message names it and the record/offset."""


def check_on_error(on_error: str) -> str:
    if on_error not in ON_ERROR_CHOICES:
        raise ValueError(
            f"on_error must be one of {', '.join(map(repr, ON_ERROR_CHOICES))}, got {on_error!r}"
        )
    return on_error


def warn_skipped(source: str, total: int, problems: Sequence[str], what: str = "records") -> None:
    """One warning for all the records a read skipped: the count, then the first few causes."""
    if not problems:
        return
    shown = "; ".join(problems[:_SHOWN_PROBLEMS])
    more = (
        f"; and {len(problems) - _SHOWN_PROBLEMS} more" if len(problems) > _SHOWN_PROBLEMS else ""
    )
    warnings.warn(
        f"{source}: skipped {len(problems)} of {total} {what} (on_error='skip'): {shown}{more}",
        SkippedRecordsWarning,
        stacklevel=3,
    )


def bad_labels(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Indices of labels outside 0..num_classes-1 (vectorised; usually empty)."""
    return np.flatnonzero((labels < 0) | (labels >= num_classes))


def label_range_message(
    source: str, index: int, value: int, num_classes: int, offset: int | None = None
) -> str:
    where = f"record {index}" + (f" (byte offset {offset})" if offset is not None else "")
    return f"{source}: {where}: label {value} is out of range 0..{num_classes - 1}"


class ArrayDataset:
    """Samples `data[i]` with class index `targets[i]`; `classes[k]` names class k.

    Args:
        data: array whose first axis indexes the samples.
        targets: integer labels, one per sample, each in 0..len(classes)-1.
        classes: class names; default "0", "1", ... up to the largest label.
        transform: applied to each sample by `__getitem__` (e.g. `transforms.ToTensor()`).
        target_transform: applied to each label by `__getitem__`.
    """

    def __init__(
        self,
        data: np.ndarray,
        targets: Sequence[int] | np.ndarray,
        classes: Sequence[str] | None = None,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
        *,
        source: str = "ArrayDataset",
    ) -> None:
        data = np.asarray(data)
        targets = np.asarray(targets)
        if data.ndim == 0:
            raise DatasetError(f"{source}: data must have a sample axis, got a 0-d array")
        if targets.ndim != 1 or len(targets) != len(data):
            raise DatasetError(
                f"{source}: targets must be 1-D with one label per sample: data has shape "
                f"{data.shape}, targets {targets.shape}"
            )
        if len(targets) and not np.issubdtype(targets.dtype, np.integer):
            raise DatasetError(
                f"{source}: targets must be integer class indices, got dtype {targets.dtype}"
            )
        targets = targets.astype(np.int64, copy=False)
        if classes is None:
            classes = [str(k) for k in range(int(targets.max()) + 1 if len(targets) else 0)]
        bad = bad_labels(targets, len(classes))
        if len(bad):
            raise DatasetError(
                label_range_message(source, int(bad[0]), int(targets[bad[0]]), len(classes))
                + (f" ({len(bad)} labels out of range)" if len(bad) > 1 else "")
            )
        self.data = data
        self.targets = targets
        self.classes = list(classes)
        self.transform = transform
        self.target_transform = target_transform
        self.source = source

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: index for index, name in enumerate(self.classes)}

    @property
    def can_gather(self) -> bool:
        """Whether a loader may take a batch as one fancy-indexing copy (no per-sample Python):
        only when no transform runs and samples are plain rows of `data`."""
        return (
            self.transform is None
            and self.target_transform is None
            and type(self).sample is ArrayDataset.sample
        )

    def gather(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The batch `indices` as (data[indices], targets[indices]), what collating __getitem__ gives."""
        return self.data[indices], self.targets[indices]

    def class_counts(self) -> np.ndarray:
        """Samples per class, in class-index order (the class balance)."""
        return np.bincount(self.targets, minlength=len(self.classes))

    def sample(self, index: int) -> np.ndarray:
        """Sample `index` before the transform; subclasses change its layout (e.g. HW -> HWC)."""
        return self.data[index]

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        if not isinstance(index, (int, np.integer)):
            raise TypeError(
                f"{type(self).__name__} indices must be integers, got {type(index).__name__}"
            )
        if not -len(self) <= index < len(self):
            raise IndexError(
                f"{type(self).__name__} index {index} is out of range for {len(self)} samples"
            )
        x, y = self.sample(int(index)), int(self.targets[index])
        if self.transform is not None:
            x = self.transform(x)
        if self.target_transform is not None:
            y = self.target_transform(y)
        return x, y

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(source={self.source!r}, samples={len(self)}, "
            f"sample_shape={tuple(self.sample(0).shape) if len(self) else ()}, "
            f"dtype={self.sample(0).dtype if len(self) else None}, classes={len(self.classes)})"
        )
