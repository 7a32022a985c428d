"""The histogram and gradient-flow figures: what they hold, and that the files are real PNGs."""

from __future__ import annotations

import numpy
import pytest
from diagnose_nets import make_batch, normal, stack
from PIL import Image

from glassnet import nn
from glassnet.diagnose import (
    activation_stats,
    gradient_flow,
    plot_gradient_flow,
    plot_histograms,
    save_figure,
    save_histograms,
)

pytestmark = pytest.mark.timeout(60)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def stats():
    x, _ = make_batch(samples=32)
    return activation_stats(stack([32, 16, 16, 16, 10], nn.Tanh, normal(0.3)), x, bins=20)


def test_one_panel_per_activation_layer(stats):
    figure = plot_histograms(stats)
    panels = figure.get_axes()
    assert [axes.get_title() for axes in panels] == ["1 (Tanh)", "3 (Tanh)", "5 (Tanh)"]
    (stairs,) = panels[0].patches  # one filled outline holding the 20 bins
    assert stairs.get_path().vertices[:, 0].min() == pytest.approx(stats[1].bin_edges[0])
    assert "std" in panels[0].texts[0].get_text()


def test_layer_selection(stats):
    assert len(plot_histograms(stats, layers="all").get_axes()) == len(stats) == 7
    assert [a.get_title() for a in plot_histograms(stats, layers=["0", "6"]).get_axes()] == [
        "0 (Linear)",
        "6 (Linear)",
    ]
    with pytest.raises(KeyError, match="no layer named 'fc1'"):
        plot_histograms(stats, layers=["fc1"])
    with pytest.raises(
        ValueError, match="layers must be 'activations', 'all' or a list of layer names, got 'tanh'"
    ):
        plot_histograms(stats, layers="tanh")
    with pytest.raises(ValueError, match="columns must be a positive int, got 0"):
        plot_histograms(stats, columns=0)
    with pytest.raises(
        TypeError, match="layers must be 'activations', 'all' or a list of layer names, got int"
    ):
        plot_histograms(stats, layers=3)
    with pytest.raises(TypeError, match="expected the ActivationStats of activation_stats"):
        plot_histograms([])


def test_saved_histograms_are_a_valid_png(stats, tmp_path):
    path = save_histograms(stats, tmp_path / "activations.png", columns=2)
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size[0] == pytest.approx(2 * 260, abs=2)
        pixels = numpy.asarray(image.convert("L"))
    assert pixels.min() < 100  # something was drawn, not a blank page
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "activations.png"
    ]  # no temporary left behind


def test_gradient_flow_figure(tmp_path):
    x, y = make_batch(samples=16)
    flow = gradient_flow(stack([32, 16, 10], nn.ReLU, normal(0.1)), (x, y), nn.CrossEntropyLoss())
    figure = plot_gradient_flow(flow)
    top, bottom = figure.get_axes()
    assert [tick.get_text() for tick in top.get_xticklabels()] == [
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
    ]
    assert [rect.get_height() for rect in top.patches] == pytest.approx(
        [row.grad_norm for row in flow]
    )
    assert [tick.get_text() for tick in bottom.get_xticklabels()] == ["0", "1", "2"]
    assert save_figure(figure, tmp_path / "g.png").read_bytes().startswith(PNG_SIGNATURE)
    with pytest.raises(ValueError, match=r"'.*g.svg' should end in .png"):
        save_figure(figure, tmp_path / "g.svg")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_figure(figure, tmp_path / "missing" / "g.png")
