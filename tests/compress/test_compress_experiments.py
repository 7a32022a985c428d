"""The plain-data experiments behind bench/bench_compress.py (and the lab): paired deltas per seed."""

from __future__ import annotations

import pytest

from glassnet.compress.experiments import chain_row, init_check, spread
from glassnet.compress.pipeline import Recipe

OPTIONS = {"hidden": [32], "batchnorm": False, "epochs": 2}


def test_spread_is_mean_and_sample_std():
    s = spread([1.0, 2.0, 4.0])
    assert s["mean"] == pytest.approx(7 / 3) and s["std"] == pytest.approx(1.5275252)
    assert (s["min"], s["max"], spread([5.0])["std"]) == (1.0, 4.0, 0.0)


@pytest.mark.timeout(120)
def test_chain_row_pairs_each_seed_with_its_own_run(tmp_path):
    recipe = Recipe(prune=0.5, prune_rounds=1, cluster_bits=2, huffman=True)
    row = chain_row("mlp", OPTIONS, recipe, seeds=[3], folder=tmp_path)
    assert [r["seed"] for r in row["seeds"]] == [3]
    deltas = [100 * (r["after"] - r["before"]) for r in row["seeds"]]
    assert row["delta_pt"]["values"] == pytest.approx(deltas, abs=1e-4)
    # fc1 (64x32) loses half; fc2 (32x10 = 320 weights, under Recipe.small_layer) is kept
    assert row["kept"]["mean"] == pytest.approx((2048 / 2 + 320) / (2048 + 320), abs=0.002)
    assert all(r["file_ratio"] > 1 and r["weights_ratio"] > r["file_ratio"] for r in row["seeds"])
    # the runs stay in the folder and are reused: the init check trains nothing new
    runs = sorted(p.name for p in tmp_path.iterdir())
    assert runs == ["digits-mlp-seed3"]
    scores = init_check("mlp", OPTIONS, [3], tmp_path, bits=2)
    assert set(scores) == {"linear", "density", "random"}
    assert sorted(p.name for p in tmp_path.iterdir()) == runs
