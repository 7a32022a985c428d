"""`glassnet draw attention`: one head drawn from a real forward pass, and a trained run's weights."""

from __future__ import annotations

import argparse

import numpy
import pytest
import torch
from test_graph import parse_dot

from glassnet.cli.models import run_draw
from glassnet.train.job import resolve_config, train_run
from glassnet.viz.attention import attention_head_step, attention_tensors, draw_attention


def test_attention_head_step_matches_torch_sdpa():
    tensors = attention_tensors(tokens=5, width=4, head_width=3, seed=2)
    steps = attention_head_step(**tensors)
    x = torch.from_numpy(tensors["x"].data)
    q, k, v = (x @ torch.from_numpy(tensors[key].data).T for key in ("w_q", "w_k", "w_v"))
    expected = (
        torch.nn.functional.scaled_dot_product_attention(q, k, v)
        @ torch.from_numpy(tensors["w_o"].data).T
    )
    numpy.testing.assert_allclose(steps["y"].data, expected.numpy(), rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(steps["weights"].data.sum(axis=1), 1.0, rtol=1e-6)


def test_drawing_labels_every_step_in_order(tmp_path):
    drawing = draw_attention(tmp_path / "attn.dot")
    nodes, edges = parse_dot(drawing.source)
    first = {node_id: attrs["label"].split("\n")[0] for node_id, attrs in nodes.items()}
    flows = {(first[tail], first[head]) for tail, head, _ in edges}
    for edge in [
        ("queries  Q = x W_q^T", "Q K^T"),
        ("K^T", "Q K^T"),
        ("Q K^T", "scores  S = Q K^T / sqrt(d_k)"),
        ("scores  S = Q K^T / sqrt(d_k)", "attention weights  A = softmax(S), rows sum to 1"),
        (
            "attention weights  A = softmax(S), rows sum to 1",
            "Z = A V  (each token: a weighted average of the values)",
        ),
        ("values  V = x W_v^T", "Z = A V  (each token: a weighted average of the values)"),
        ("Z = A V  (each token: a weighted average of the values)", "y = Z W_o^T"),
    ]:
        assert edge in flows, edge
    assert {"w_q", "w_k", "w_v", "w_o"} <= set(first.values())
    assert "match queries with keys" in drawing.source


def test_cli_draws_attention(tmp_path, capsys):
    args = argparse.Namespace(
        target="attention",
        input=None,
        classes=10,
        level="module",
        output=str(tmp_path / "a.dot"),
        format=None,
        run=None,
        sample=0,
    )
    assert run_draw(args) == 0
    assert (tmp_path / "a.dot").read_text().startswith("digraph glassnet {")


@pytest.mark.timeout(120)
def test_cli_plots_a_trained_runs_attention(tmp_path, capsys):
    config = resolve_config(
        {"data": "mnist1d", "model": "transformer", "epochs": 1, "hidden": [8], "seed": 0}
    )
    train_run(config, tmp_path / "run")
    args = argparse.Namespace(
        target="attention",
        input=None,
        classes=10,
        level="module",
        output=str(tmp_path / "w.png"),
        format=None,
        run=str(tmp_path / "run"),
        sample=3,
    )
    assert run_draw(args) == 0
    assert (tmp_path / "w.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert capsys.readouterr().out.startswith(f"wrote {tmp_path / 'w.png'} (test sample 3: class ")
    args.sample, args.output = 5000, str(tmp_path / "x.png")
    assert run_draw(args) == 2
    assert (
        "--sample 5000 is out of range: the test split has 1000 samples" in capsys.readouterr().err
    )
    args.output = str(tmp_path / "x.svg")
    assert run_draw(args) == 2
    assert "attention --run needs -o PATH.png" in capsys.readouterr().err
