"""Weight sharing: k-means on each layer's kept weights, and centroid fine-tuning (Deep Compression stage 2).

Han et al. (2016) replace the n kept weights of a layer by k = 2^b shared values (the code
book) and store one b-bit index per weight: n * 32 bits become n * b + k * 32. The values
are the centroids of 1-D k-means, minimising sum_i (w_i - c_{j(i)})^2.

Initialisation matters: k-means moves centroids only locally, so where they start decides
which weights get precise values. Han et al. found *linear* initialisation (k points spaced
evenly over [min w, max w]) best, because it keeps centroids on the few large weights,
which matter most; *density* (quantiles of the weights' CDF) and *random* (Forgy: k of the
weights) put nearly all centroids near zero where the weights crowd. `kmeans` runs
scikit-learn's KMeans from the chosen start (n_init=1, so the start is the only one).

Fine-tuning the code book: with W_i = c_{j(i)}, the chain rule gives

    dL/dc_k = sum over i with j(i) = k of dL/dW_i

so each centroid's gradient is the sum of its members' gradients (`centroid_gradients`),
and one optimizer over the centroids trains the code book while the indices stay fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans

from glassnet.compress.prune import CompressionError

INITS = ("linear", "density", "random")


def initial_centroids(
    weights: np.ndarray, k: int, init: str = "linear", seed: int = 0
) -> np.ndarray:
    """k starting centroids for 1-D k-means: linear, density or random (see the module docstring)."""
    w = np.asarray(weights, np.float64).ravel()
    if init == "linear":
        return np.linspace(w.min(), w.max(), k)
    if init == "density":
        return np.quantile(w, (np.arange(k) + 0.5) / k)
    if init == "random":
        return np.sort(np.random.default_rng(seed).choice(w, size=k, replace=False))
    raise CompressionError(f"cluster init must be one of {', '.join(INITS)}, got {init!r}")


def check_bits(weights: np.ndarray, bits: int, layer: str) -> int:
    """2^bits clusters, if `layer` has at least that many distinct kept weights; else an error."""
    if not isinstance(bits, int) or not 1 <= bits <= 16:
        raise CompressionError(f"--cluster-bits must be an integer in 1..16, got {bits!r}")
    distinct = np.unique(weights).size
    if distinct < 2**bits:
        raise CompressionError(
            f"layer {layer}: {bits}-bit sharing needs {2**bits} clusters but the layer has only "
            f"{distinct} distinct kept weights; use --cluster-bits {max(1, int(np.log2(distinct)))} "
            "or prune less"
        )
    return 2**bits


def kmeans(
    weights: np.ndarray, k: int, init: str = "linear", seed: int = 0, max_iter: int = 300
) -> tuple[np.ndarray, np.ndarray]:
    """(centroids (k,), labels) of 1-D k-means on `weights`, started from `initial_centroids`."""
    w = np.asarray(weights, np.float64).reshape(-1, 1)
    start = initial_centroids(w, k, init, seed).reshape(-1, 1)
    fit = KMeans(n_clusters=k, init=start, n_init=1, max_iter=max_iter, random_state=seed).fit(w)
    centroids = fit.cluster_centers_.ravel()
    order = np.argsort(centroids)  # sorted code book: index order = value order
    rank = np.empty(k, np.int64)
    rank[order] = np.arange(k)
    return centroids[order], rank[fit.labels_]


def centroid_gradients(grad: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """dL/dc_k = sum of dL/dW_i over the weights i in cluster k (labels: one per weight)."""
    return np.bincount(labels.ravel(), weights=np.asarray(grad).ravel(), minlength=k)


@dataclass
class SharedLayer:
    """One layer's shared weights: code book, one label per kept weight, and where they sit."""

    centroids: np.ndarray  # (k,) float
    labels: np.ndarray  # (n,) int64 index into centroids, one per kept weight
    positions: np.ndarray  # (n,) int64 flat positions of the kept weights
    shape: tuple[int, ...]

    def dense(self, dtype: type = np.float32) -> np.ndarray:
        """The weight: centroid values at the kept positions, exact zeros elsewhere."""
        out = np.zeros(int(np.prod(self.shape)), dtype)
        out[self.positions] = self.centroids[self.labels]
        return out.reshape(self.shape)


def share_weights(
    weight: np.ndarray, mask: np.ndarray | None, bits: int, layer: str, init: str = "linear"
) -> SharedLayer:
    """k-means (2^bits clusters) of the weight's kept entries (mask != 0, all when mask is None)."""
    flat = np.asarray(weight).ravel()
    positions = np.flatnonzero(np.ones_like(flat) if mask is None else np.asarray(mask).ravel())
    kept = flat[positions]
    k = check_bits(kept, bits, layer)
    centroids, labels = kmeans(kept, k, init)
    return SharedLayer(centroids, labels, positions, tuple(weight.shape))
