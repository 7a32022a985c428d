"""Paper check: the MNIST-1D benchmark (Greydanus 2020), our test accuracies beside the paper's.

The paper trains four small models on 4,000 signals and reports test accuracy on the
other 1,000: logistic regression ~32%, MLP ~68%, CNN ~94%, GRU ~91%. Its code
(github.com/greydanus/mnist1d, models.py and train.py) fixes the models and the recipe,
which are reproduced here in glassnet:

    LinearBase  Linear(40, 10)
    MLPBase     h = relu(Linear(40, 100) x); h = h + relu(Linear(100, 100) h); Linear(100, 10) h
    ConvBase    3 x [Conv1d (25 channels; kernel 5, 3, 3; stride 2; padding 1) + ReLU] -> Linear(125, 10)
                (glassnet.models.resnet1d.CNN1d)
    GRUBase     bidirectional GRU, hidden 6, every time step's output flattened (40 x 12) -> Linear(480, 10)

    Adam, lr 1e-2, no weight decay, batch 100 taken in order (step * 100 mod 4,000), 6,000 steps.

The check runs in full mode only (minutes on a CPU). Quick and smoke modes train each
model for a few hundred (or a few dozen) steps: a sanity run that the report shows as
such, with the claim 'not measured in this mode'. The prose, the rule, table titles and
headers and the figure's labels are in `notes/mnist1d_benchmark.toml`.
"""

from __future__ import annotations

import numpy as np

from glassnet import nn
from glassnet.data.datasets import MNIST1D
from glassnet.lab import Result, Text, Verdict, experiment, new_figure
from glassnet.lab.fonts import figure_text
from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.fit import Recipe, fit, seeded
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.kit.stats import mean_std
from glassnet.models.resnet1d import CNN1d
from glassnet.tensor import Tensor

PAPER = {"logistic regression": 32.0, "MLP": 68.0, "CNN": 94.0, "GRU": 91.0}
LABELS = {"logistic regression": "logistic", "MLP": "mlp", "CNN": "cnn", "GRU": "gru"}  # catalog
SETTINGS = {
    "smoke": {"steps": 40, "seeds": 1, "eval_every": 10**9},
    "quick": {"steps": 500, "seeds": 1, "eval_every": 10**9},
    "full": {"steps": 6000, "seeds": 3, "eval_every": 5},
}  # eval every 5 epochs = 200 steps
LR, BATCH = 1e-2, 100
AGREE_POINTS = 4.0  # |ours - paper| within this many points counts as reproduced


class MLPBase(nn.Module):
    """The paper's MLP: two hidden layers of 100 with a residual connection around the second."""

    def __init__(self, hidden: int = 100) -> None:
        super().__init__()
        self.linear1, self.linear2, self.linear3 = (
            nn.Linear(40, hidden),
            nn.Linear(hidden, hidden),
            nn.Linear(hidden, 10),
        )

    def forward(self, x: Tensor) -> Tensor:
        h = self.linear1(x).relu()
        h = h + self.linear2(h).relu()
        return self.linear3(h)


class GRUBase(nn.Module):
    """The paper's GRU: bidirectional, hidden 6, all 40 steps' outputs flattened into one linear layer."""

    def __init__(self, hidden: int = 6, steps: int = 40) -> None:
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True, bidirectional=True)
        self.linear = nn.Linear(2 * hidden * steps, 10)

    def forward(self, x: Tensor) -> Tensor:
        output, _ = self.gru(x.unsqueeze(-1))  # (N, 40, 12)
        return self.linear(output.reshape(output.shape[0], -1))


MODELS = {
    "logistic regression": lambda: nn.Linear(40, 10),
    "MLP": MLPBase,
    "CNN": lambda: CNN1d(channels=25),
    "GRU": GRUBase,
}


@experiment("mnist1d_benchmark")
def run(mode: str, seed: int) -> Result:
    s = SETTINGS[mode]
    result = Result.start("mnist1d_benchmark", mode, seed)
    result.setup = result.say(
        "setup",
        lr=LR,
        batch=BATCH,
        steps=s["steps"],
        seeds=s["seeds"],
        steps_short_of_paper=6000 - s["steps"],
    )
    with one_blas_thread():
        measured = measure(mode, seed)
    accuracy_table(result, measured, s["steps"])
    cpu_table(result, measured["cpu"], s["steps"])
    judge_paper_accuracies(result, mode, measured["accuracy"])
    draw_benchmark(result, measured, s["steps"])
    return result


def measure(mode: str, seed: int) -> dict:
    """Train the four models with the paper's recipe: {'accuracy': {model: [test %, per seed]},
    'curves': {model: [Curve, per seed]}, 'cpu': {model: CPU s per seed}}."""
    s = SETTINGS[mode]
    train, test = MNIST1D("train"), MNIST1D("test")  # the paper's split and order
    recipe = Recipe(
        steps=s["steps"], batch_size=BATCH, lr=LR, sequential=True, eval_every=s["eval_every"]
    )
    seeds = [seed + r for r in range(s["seeds"])]
    measured: dict = {"accuracy": {}, "curves": {}, "cpu": {}}
    for name, build in MODELS.items():
        with Clock() as clock:
            runs = [
                fit(
                    seeded(r, build),
                    train.data,
                    train.targets,
                    recipe,
                    seed=r,
                    val=(test.data, test.targets),
                )
                for r in seeds
            ]
        measured["accuracy"][name] = [100 * c.val_acc[-1] for c in runs]
        measured["curves"][name] = runs
        measured["cpu"][name] = clock.cpu / len(seeds)
    return measured


def model_label(result: Result, name: str) -> Text:
    return result.text(f"model_{LABELS[name]}")


def accuracy_table(result: Result, measured: dict, steps: int) -> None:
    """Each model's test accuracy beside the paper's, and its final training accuracy."""
    rows = []
    for name, values in measured["accuracy"].items():
        mean, std = mean_std(values, ddof=1)
        train_acc = np.mean([c.train_acc[-1] for c in measured["curves"][name]])
        rows.append(
            [
                model_label(result, name),
                PAPER[name],
                f"{mean:.1f} ± {std:.1f}" if len(values) > 1 else f"{mean:.1f}",
                round(mean - PAPER[name], 1),
                round(100 * float(train_acc), 1),
            ]
        )
    columns = [
        result.text("col_model"),
        result.text("col_paper"),
        result.say("col_glassnet", steps=steps),
        result.text("col_difference"),
        result.text("col_train"),
    ]
    result.add_table(result.text("accuracy_title"), columns, rows)


def cpu_table(result: Result, cpu: dict, steps: int) -> None:
    rows = [
        [model_label(result, n), round(s, 2), round(1000 * s / steps, 2)] for n, s in cpu.items()
    ]
    columns = [result.text(f"col_{key}") for key in ("model", "cpu_seed", "cpu_step")]
    result.add_table(result.text("cpu_title"), columns, rows)


def judge_paper_accuracies(result: Result, mode: str, measured: dict) -> Verdict:
    """Full mode: each model within AGREE_POINTS of the paper (or the paper's ranking)."""
    means = {name: float(np.mean(values)) for name, values in measured.items()}
    numbers = {}
    for name, mean in means.items():
        numbers[result.say("num_ours", model=name)] = round(mean, 2)
        numbers[result.say("num_paper", model=name)] = PAPER[name]
    rule = result.say("rule", points=AGREE_POINTS)
    if mode != "full":
        note = result.text("sanity_note")
        result.judge("paper_accuracies", Verdict.NOT_MEASURED, numbers, rule, note=note)
        return Verdict.NOT_MEASURED
    agree = sum(abs(mean - PAPER[name]) <= AGREE_POINTS for name, mean in means.items())
    ranking = means["logistic regression"] < means["MLP"] < min(means["GRU"], means["CNN"])
    numbers[result.text("num_agree")] = agree
    numbers[result.text("num_ranking")] = ranking
    verdict = (
        Verdict.HOLDS
        if agree == len(PAPER)
        else Verdict.PARTLY
        if agree >= 2 or ranking
        else Verdict.DOES_NOT_HOLD
    )
    result.judge("paper_accuracies", verdict, numbers, rule)
    return verdict


def draw_bars(result: Result, axes: object, accuracy: dict, steps: int) -> None:
    """The paper's test accuracy (gray) beside ours (± std over seeds), per model."""
    names = list(PAPER)
    positions = np.arange(len(names))
    paper = figure_text(result.text("fig_paper"))
    axes.bar(positions - 0.2, [PAPER[n] for n in names], 0.4, label=paper, color="gray")
    axes.bar(
        positions + 0.2,
        [float(np.mean(accuracy[n])) for n in names],
        0.4,
        yerr=[float(np.std(accuracy[n])) for n in names],
        label=figure_text(result.say("fig_ours", steps=steps)),
    )
    axes.set_xticks(positions, [figure_text(result.text(f"tick_{LABELS[n]}")) for n in names])
    axes.set(title=figure_text(result.text("fig_bars_title")), ylabel="%", ylim=(0, 100))
    axes.legend(fontsize=8)


def draw_curves(result: Result, axes: object, curves: dict) -> None:
    """Test accuracy as training goes, per model and seed; dotted, the paper's number."""
    for index, name in enumerate(PAPER):
        for run_index, curve in enumerate(curves[name]):
            steps = [40 * epoch for epoch in curve.epoch]  # 40 batches of 100 per epoch
            axes.plot(
                steps,
                100 * np.asarray(curve.val_acc),
                color=f"C{index}",
                alpha=0.8,
                marker="o" if len(steps) < 3 else None,
                label=figure_text(model_label(result, name)) if run_index == 0 else None,
            )
        axes.axhline(PAPER[name], color=f"C{index}", ls=":", lw=0.8)
    axes.set(
        title=figure_text(result.text("fig_curves_title")),
        xlabel=figure_text(result.text("fig_step")),
        ylabel="%",
        ylim=(0, 100),
    )
    axes.legend(fontsize=8)


def draw_benchmark(result: Result, measured: dict, steps: int) -> None:
    fig, (left, right) = new_figure(10.0, 3.6, ncols=2)
    draw_bars(result, left, measured["accuracy"], steps)
    draw_curves(result, right, measured["curves"])
    result.add_figure(fig, "benchmark", result.text("figure_caption"))
