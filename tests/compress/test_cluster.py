"""Weight sharing: k-means from linear/density/random starts, and centroid gradients = sums of member gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.cluster import KMeans

from glassnet.compress.cluster import (
    centroid_gradients,
    check_bits,
    initial_centroids,
    kmeans,
    share_weights,
)
from glassnet.compress.prune import CompressionError


def test_initialisations_follow_han_et_al(rng):
    w = rng.standard_normal(1000)
    np.testing.assert_allclose(initial_centroids(w, 5, "linear"), np.linspace(w.min(), w.max(), 5))
    density = initial_centroids(w, 4, "density")
    np.testing.assert_allclose(density, np.quantile(w, [0.125, 0.375, 0.625, 0.875]))
    random = initial_centroids(w, 4, "random")
    assert np.all(np.isin(random, w))
    with pytest.raises(CompressionError, match="cluster init must be one of"):
        initial_centroids(w, 4, "kmeans++")


def test_kmeans_matches_sklearn_from_the_same_start_and_sorts_the_code_book(rng):
    w = rng.standard_normal(500)
    centroids, labels = kmeans(w, 8, "density")
    start = initial_centroids(w, 8, "density").reshape(-1, 1)
    reference = KMeans(8, init=start, n_init=1).fit(w.reshape(-1, 1))
    np.testing.assert_allclose(centroids, np.sort(reference.cluster_centers_.ravel()))
    assert np.all(np.diff(centroids) > 0)
    np.testing.assert_array_equal(
        np.abs(w[:, None] - centroids).argmin(axis=1), labels
    )  # nearest centroid


def test_linear_init_keeps_large_weights_more_precise_than_density(rng):
    """Han et al.'s point: density init crowds centroids near 0 and rounds the few large weights badly."""
    w = rng.laplace(0, 0.05, 4000)
    big = np.abs(w) > np.quantile(np.abs(w), 0.99)
    errors = {}
    for init in ("linear", "density"):
        centroids, labels = kmeans(w, 8, init)
        errors[init] = np.abs(w - centroids[labels])[big].mean()
    assert errors["linear"] < errors["density"]


def test_centroid_gradients_equal_autograd_through_the_gather(rng):
    centroids = rng.standard_normal(4)
    labels = rng.integers(0, 4, (6, 5))
    upstream = rng.standard_normal((6, 5))
    c = torch.tensor(centroids, requires_grad=True)
    (c[torch.tensor(labels)] * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(centroid_gradients(upstream, labels, 4), c.grad.numpy(), rtol=1e-12)
    sums = [upstream[labels == k].sum() for k in range(4)]
    np.testing.assert_allclose(centroid_gradients(upstream, labels, 4), sums)


def test_shared_layer_keeps_pruned_positions_zero(rng):
    weight = rng.standard_normal((10, 12)).astype(np.float32)
    mask = (rng.random((10, 12)) < 0.4).astype(np.float32)
    shared = share_weights(weight, mask, 2, "fc")
    dense = shared.dense()
    assert np.all(dense[mask == 0] == 0)
    assert set(np.unique(dense[mask == 1])) <= set(shared.centroids.astype(np.float32))
    assert shared.centroids.size == 4


def test_more_bits_than_distinct_weights_is_refused_naming_the_layer():
    with pytest.raises(
        CompressionError,
        match="layer conv1: 4-bit sharing needs 16 clusters but the layer has only 9",
    ):
        check_bits(np.arange(9.0), 4, "conv1")
