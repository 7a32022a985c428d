"""glassnet.data: the input pipeline of the notes, and PyTorch's Dataset/DataLoader on top of it.

    files -> file queue (shuffled) -> read -> preprocess -> batch -> prefetch

`Pipeline` builds that chain lazily over files, arrays or a dataset; `DataLoader`
serves a `Dataset` in shuffled batches of glassnet Tensors with the same machinery.
Everything here is array-based; only `DataLoader` output is wrapped as Tensors.
"""

from glassnet.data import datasets, transforms
from glassnet.data.collate import default_collate
from glassnet.data.errors import SkippedRecordsWarning
from glassnet.data.loader import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    random_split,
)
from glassnet.data.pipeline import Pipeline, PipelineIterator

__all__ = [
    "DataLoader",
    "Dataset",
    "Pipeline",
    "PipelineIterator",
    "SkippedRecordsWarning",
    "Subset",
    "TensorDataset",
    "default_collate",
    "random_split",
]
