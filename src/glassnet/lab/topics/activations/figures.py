"""The `activations` topic's measured tables and its three figures, their words from the catalog."""

from __future__ import annotations

import numpy as np

import glassnet
from glassnet.lab.fonts import figure_text
from glassnet.lab.kit import activations as T
from glassnet.lab.kit.stats import geometric_mean, mean_std
from glassnet.lab.report.formatting import pm
from glassnet.lab.result import Result, new_figure
from glassnet.lab.text import Text
from glassnet.lab.topics.activations.measure import Context, Trained
from glassnet.lab.topics.activations.settings import (
    ACTIVATION_SIZE,
    ARITHMETIC_SIZE,
    COMMON_LR,
    TRAINED,
)
from glassnet.lab.topics.activations.timing import OPERATIONS

GRID_COLUMNS = (
    "col_activation",
    "col_min_f",
    "col_max_f",
    "col_max_grad",
    "col_active_edge",
    "col_grad_at_09",
    "col_zeros_neg",
    "col_min_grad_neg",
    "col_jump",
)
STACK_COLUMNS = (
    "col_activation",
    "col_wgrad_fanin",
    "col_signal_fanin",
    "col_wgrad_default",
    "col_signal_default",
)
TRAINING_COLUMNS = (
    "col_activation",
    "col_lr",
    "col_loss_area",
    "col_final_loss",
    "col_test_acc",
    "col_update_first",
    "col_update_last",
    "col_offset",
    "col_saturated",
    "col_never_positive",
)


def columns(result: Result, keys: tuple[str, ...]) -> list[Text]:
    return [result.text(key) for key in keys]


def grid_table(result: Result, c: Context) -> None:
    rows = [
        [
            T.LABELS[name],
            m.low,
            m.high,
            m.max_grad,
            round(m.active_edge, 2) if name in ("sigmoid", "tanh") else "-",
            round(m.grad_at_09, 3),
            m.zeros_neg,
            m.min_grad_neg,
            m.jump,
        ]
        for name, m in c.grid.items()
    ]
    result.add_table(result.text("grid_title"), columns(result, GRID_COLUMNS), rows)


def stack_table(result: Result, c: Context) -> None:
    rows = []
    for name in T.ACTIVATIONS:
        cells = [T.LABELS[name]]
        for init in ("kaiming", None):
            stacks = c.stacks[name, init]
            cells += [
                geometric_mean([s.first_to_last for s in stacks]),
                geometric_mean([s.signal_first_to_last for s in stacks]),
            ]
        rows.append(cells)
    depth = len(c.stacks["relu", None][0].weight_grads) - 1
    result.add_table(
        result.say("stack_title", width=c.plan.stack_width, depth=depth),
        columns(result, STACK_COLUMNS),
        rows,
        note=result.text("stack_note"),
    )


def _pm(values: list[float], digits: int = 3) -> str:
    return pm(values, digits, ddof=1, finite_only=True)


def training_row(name: str, lr: float, trained: Trained, epochs: int) -> list:
    after = trained.after
    final = [r.train_loss[-1] if r.train_loss and not r.diverged else np.nan for r in trained.runs]
    return [
        T.LABELS[name],
        lr,
        _pm(trained.area(epochs)),
        _pm(final),
        _pm([r.test_acc for r in trained.runs]),
        f"{mean_std(trained.quarter(late=False), ddof=1, finite_only=True)[0]:.2e}",
        f"{mean_std(trained.quarter(late=True), ddof=1, finite_only=True)[0]:.2e}",
        _pm([s.offset for s in after], 2),
        _pm([s.saturated for s in after])
        if name in ("sigmoid", "tanh", "centred_sigmoid")
        else "-",
        _pm([s.never_positive for s in after]) if name in ("relu", "leaky_relu", "elu") else "-",
    ]


def training_tables(result: Result, c: Context) -> None:
    for title, pick in (
        (result.say("common_lr_title", common_lr=COMMON_LR), lambda name: COMMON_LR),
        (result.text("best_lr_title"), lambda name: c.best[name]),
    ):
        rows = [
            training_row(name, pick(name), c.trained[name, pick(name)], c.plan.epochs)
            for name in TRAINED
        ]
        result.add_table(
            title,
            columns(result, TRAINING_COLUMNS),
            rows,
            note=result.text("training_note"),
        )


def cost_table(result: Result, c: Context) -> None:
    sizes = sorted(c.costs)
    small = c.costs[ACTIVATION_SIZE]
    heads = [
        result.text("col_activation"),
        result.say("col_arith", arithmetic_size=ARITHMETIC_SIZE),
        result.text("col_ops"),
        result.say("col_numpy_small", activation_size=ACTIVATION_SIZE),
        result.say("col_forward_small", activation_size=ACTIVATION_SIZE),
        *[result.say("col_fwd_bwd", size=size) for size in sizes],
        result.text("col_step_ms"),
    ]
    rows = [
        [
            T.LABELS[name],
            round(c.arith(name), 3),
            "{} ({})".format(*OPERATIONS[name]),
            round(small[name]["numpy"], 3),
            round(small[name]["forward"], 3),
            *[round(c.costs[size][name]["forward_backward"], 3) for size in sizes],
            round(c.steps[name] * 1e3, 3),
        ]
        for name in T.ACTIVATIONS
    ]
    result.add_table(result.text("cost_title"), heads, rows, note=result.text("cost_note"))


def tables(result: Result, c: Context) -> None:
    grid_table(result, c)
    stack_table(result, c)
    training_tables(result, c)
    cost_table(result, c)


def label(result: Result, key: str) -> str:
    return figure_text(result.text(key))


def curves_figure(result: Result, c: Context) -> None:
    x = np.linspace(-5, 5, 1001, dtype=np.float32)
    fig, (left, right) = new_figure(9.0, 3.4, ncols=2)
    for name in T.ACTIVATIONS:
        leaf = glassnet.tensor(x, requires_grad=True)
        out = T.GLASSNET_OPS[name](leaf)
        out.sum().backward()
        style = "--" if name == "leaky_relu" else "-"  # else it hides ReLU where the two coincide
        left.plot(x, out.data, style, color=T.COLORS[name], label=T.LABELS[name])
        right.plot(x, leaf.grad.data, style, color=T.COLORS[name], label=T.LABELS[name])
    right.axvspan(-0.9, 0.9, color="gray", alpha=0.15, label=label(result, "fig_notes_interval"))
    edge = c.grid["sigmoid"].active_edge
    right.axvline(-edge, color=T.COLORS["sigmoid"], ls=":", lw=1)
    right.axvline(
        edge, color=T.COLORS["sigmoid"], ls=":", lw=1, label=label(result, "fig_sigmoid_edge")
    )
    left.set(title=label(result, "fig_f"), xlabel="x", ylim=(-1.5, 3))
    right.set(title=label(result, "fig_f_prime"), xlabel="x")
    left.legend(fontsize=8)
    right.legend(fontsize=7)
    result.add_figure(fig, "curves", result.text("curves_caption"))


def stack_figure(result: Result, c: Context) -> None:
    fig, axes = new_figure(9.0, 3.4, ncols=2)
    for ax, init, title in (
        (axes[0], "kaiming", "fig_fanin_init"),
        (axes[1], None, "fig_default_init"),
    ):
        for name in T.ACTIVATIONS:
            grads = np.array([s.weight_grads for s in c.stacks[name, init]], dtype=np.float64)
            relative = np.exp(np.log(grads / grads[:, -1:]).mean(axis=0))
            ax.semilogy(
                range(1, len(relative) + 1),
                relative,
                "o-",
                ms=3,
                color=T.COLORS[name],
                label=T.LABELS[name],
            )
        ax.set(
            title=label(result, title),
            xlabel=label(result, "fig_weight_layer"),
            ylabel=label(result, "fig_grad_relative"),
        )
    axes[0].legend(fontsize=8)
    result.add_figure(fig, "stack_gradients", result.text("stack_caption"))


def training_figure(result: Result, c: Context) -> None:
    fig, (left, right) = new_figure(9.0, 3.4, ncols=2)
    epochs = range(1, c.plan.epochs + 1)
    for name in TRAINED:
        runs = c.trained[name, COMMON_LR].runs
        style = "--" if name == "centred_sigmoid" else "-"
        curves = [r.train_loss for r in runs if not r.diverged and r.train_loss]
        if curves:
            line = {"color": T.COLORS[name], "label": T.LABELS[name]}
            left.plot(epochs, np.mean(curves, axis=0), style, **line)
            ratios = [r.update_ratio for r in runs if not r.diverged and r.update_ratio]
            right.semilogy(epochs, np.mean(ratios, axis=0), style, **line)
    left.set(
        title=figure_text(result.say("fig_training_loss", common_lr=COMMON_LR)),
        xlabel=label(result, "fig_epoch"),
        ylabel=label(result, "fig_cross_entropy"),
    )
    right.set(
        title=label(result, "fig_update_ratio"),
        xlabel=label(result, "fig_epoch"),
        ylabel=label(result, "fig_epoch_mean"),
    )
    left.legend(fontsize=8)
    result.add_figure(fig, "training", result.say("training_caption", common_lr=COMMON_LR))


def figures(result: Result, c: Context) -> None:
    curves_figure(result, c)
    stack_figure(result, c)
    training_figure(result, c)
