"""mnist1d_benchmark: smoke mode is a sanity run (the claim is 'not measured'); the four models are the
paper's, checked against PyTorch twins of its models.py (same parameter count, same outputs on shared weights)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from lab_checks import smoke_result

import glassnet
from glassnet import lab
from glassnet.lab import Verdict, notes_topic
from glassnet.lab.topics import mnist1d_benchmark as topic

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def result() -> lab.Result:
    return smoke_result("mnist1d_benchmark")


@pytest.mark.timeout(
    180
)  # the fixture runs the smoke experiment: seconds of CPU, more wall time on a busy machine
def test_smoke_mode_is_a_sanity_run_that_does_not_judge_the_paper(result):
    assert result.error is None and result.mode == "smoke"
    assert [c.claim.id for c in result.claims] == [
        c.id for c in notes_topic("mnist1d_benchmark").claims
    ]
    judged = result.claim("paper_accuracies")
    assert (
        judged.verdict is Verdict.NOT_MEASURED and not judged.asserted and judged.note is not None
    )
    for name, paper in topic.PAPER.items():
        assert judged.number(f"{name}: paper %") == paper
        assert 0 <= judged.number(f"{name}: ours %") <= 100
    table = result.tables[0]
    assert [row[0].en for row in table.rows] == list(topic.PAPER)
    assert [f.name for f in result.figures] == ["benchmark"] and result.figures[0].png.startswith(
        PNG
    )


# -- PyTorch twins of the paper's models (github.com/greydanus/mnist1d, notebooks/models.py) --------------------
class TorchMLP(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear1, self.linear2, self.linear3 = (
            torch.nn.Linear(40, 100),
            torch.nn.Linear(100, 100),
            torch.nn.Linear(100, 10),
        )

    def forward(self, x):
        h = self.linear1(x).relu()
        h = h + self.linear2(h).relu()
        return self.linear3(h)


class TorchConv(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = torch.nn.Conv1d(1, 25, 5, stride=2, padding=1)
        self.conv2 = torch.nn.Conv1d(25, 25, 3, stride=2, padding=1)
        self.conv3 = torch.nn.Conv1d(25, 25, 3, stride=2, padding=1)
        self.linear = torch.nn.Linear(125, 10)

    def forward(self, x):
        h = self.conv3(self.conv2(self.conv1(x.view(-1, 1, x.shape[-1])).relu()).relu()).relu()
        return self.linear(h.view(h.shape[0], -1))


class TorchGRU(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.gru = torch.nn.GRU(1, 6, batch_first=True, bidirectional=True)
        self.linear = torch.nn.Linear(480, 10)

    def forward(self, x):
        output, _ = self.gru(x.view(*x.shape[:2], 1), torch.zeros(2, x.shape[0], 6))
        return self.linear(output.reshape(output.shape[0], -1))


CONV_NAMES = {"conv1": "features.0", "conv2": "features.2", "conv3": "features.4", "linear": "fc"}


def _glassnet_state(name: str, twin: torch.nn.Module) -> dict:
    state = twin.state_dict()
    if name == "CNN":  # glassnet's CNN1d names its layers features.0/2/4 and fc
        state = {
            CONV_NAMES[key.split(".")[0]] + "." + key.split(".")[1]: value
            for key, value in state.items()
        }
    return state


@pytest.mark.parametrize(
    ("name", "twin", "parameters"),
    [
        ("logistic regression", lambda: torch.nn.Linear(40, 10), 410),
        ("MLP", TorchMLP, 15_210),
        ("CNN", TorchConv, 5_210),
        ("GRU", TorchGRU, 5_134),
    ],
)
def test_models_match_the_papers(name, twin, parameters):
    torch.manual_seed(0)
    reference = twin()
    model = topic.MODELS[name]()
    assert sum(p.numel() for p in reference.parameters()) == parameters
    assert sum(int(np.prod(p.shape)) for p in model.parameters()) == parameters
    model.load_state_dict(_glassnet_state(name, reference))
    x = np.random.default_rng(0).standard_normal((5, 40)).astype(np.float32)
    with glassnet.no_grad():
        ours = model(glassnet.tensor(x)).data
    expected = reference(torch.from_numpy(x)).detach().numpy()
    assert ours.shape == (5, 10)
    np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-5)
