"""Datasets that work with no network, and readers for the files a user brings.

Built in (generated or bundled, offline):
    Digits        scikit-learn's 8x8 digits, fixed stratified train/val/test split
    Digits32      the same digits upsampled bilinearly to 32x32 (one channel), same split
    MNIST1D       MNIST-1D made by the mnist1d package, cached as NPZ
Readers (nothing is ever downloaded):
    MNIST, FashionMNIST   IDX files, raw or .gz           (read_idx)
    CIFAR10               binary records or python batches (read_cifar10_binary,
                          read_cifar10_batch through a restricted unpickler)
    ImageFolder           PNG/JPEG in one sub-folder per class (load_image)
    NPZDataset, CSVDataset  arrays (read_npz with allow_pickle=False, read_csv)

Every dataset is an `ArrayDataset`: `data`, `targets` (int64), `classes`, and
`dataset[i] -> (x, y)` with torchvision's transform/target_transform. Bad files raise a
`DatasetError` naming the file and the record or byte offset; on_error="skip" drops bad
records and says how many in one `SkippedRecordsWarning`.
"""

from glassnet.data.datasets.arrays import CSVDataset, NPZDataset, read_csv, read_npz
from glassnet.data.datasets.base import (
    ArrayDataset,
    DatasetError,
    SkippedRecordsWarning,
)
from glassnet.data.datasets.cache import cache_dir, save_npz_atomic
from glassnet.data.datasets.cifar10 import (
    CIFAR10,
    CIFAR10_CLASSES,
    RestrictedUnpickler,
    read_cifar10_batch,
    read_cifar10_binary,
)
from glassnet.data.datasets.digits import DIGITS_SPLITS, Digits
from glassnet.data.datasets.digits32 import Digits32, resize_bilinear
from glassnet.data.datasets.idx import MNIST, FashionMNIST, read_idx
from glassnet.data.datasets.image_folder import (
    IMG_EXTENSIONS,
    ImageFolder,
    find_classes,
    load_image,
)
from glassnet.data.datasets.info import DatasetSummary, describe, format_summary
from glassnet.data.datasets.mnist1d import MNIST1D, MNIST1D_DEFAULTS, load_mnist1d

__all__ = [
    "CIFAR10",
    "CIFAR10_CLASSES",
    "DIGITS_SPLITS",
    "IMG_EXTENSIONS",
    "MNIST",
    "MNIST1D",
    "MNIST1D_DEFAULTS",
    "ArrayDataset",
    "CSVDataset",
    "DatasetError",
    "DatasetSummary",
    "Digits",
    "Digits32",
    "FashionMNIST",
    "ImageFolder",
    "NPZDataset",
    "RestrictedUnpickler",
    "SkippedRecordsWarning",
    "cache_dir",
    "describe",
    "find_classes",
    "format_summary",
    "load_image",
    "load_mnist1d",
    "read_cifar10_batch",
    "read_cifar10_binary",
    "read_csv",
    "read_idx",
    "read_npz",
    "resize_bilinear",
    "save_npz_atomic",
]
