"""The optimizers topic's figures: the paths on the 2-D problems, and the MNIST-1D sweep."""

from __future__ import annotations

import numpy as np

from glassnet.lab.fonts import figure_text
from glassnet.lab.result import Result, new_figure
from glassnet.lab.topics.optimizers.measure import final_loss
from glassnet.lab.topics.optimizers.mechanics import OPTIMIZERS
from glassnet.lab.topics.optimizers.settings import ADAPTIVE
from glassnet.lab.topics.optimizers.surfaces import run_2d

__all__ = ["trajectories", "mnist1d"]

COLORS = {
    "SGD": "tab:gray",
    "Momentum": "tab:blue",
    "Adagrad": "tab:green",
    "RMSProp": "tab:orange",
    "Adam": "tab:red",
}


def trajectories(result: Result, problems: dict, paths: dict, best_2d: dict) -> None:
    fig, axes = new_figure(12.0, 4.0, ncols=3)
    limits = {"quadratic": ((-4.0, 4.0), (-3.0, 3.5)), "rosenbrock": ((-1.6, 1.6), (-0.5, 2.0))}
    for ax, (p, problem) in zip(axes[:2], problems.items()):
        (x0, x1), (y0, y1) = limits[p]
        xs, ys = np.linspace(x0, x1, 120), np.linspace(y0, y1, 120)
        grid = np.array([[problem.f(np.array([x, y])) for x in xs] for y in ys])
        ax.contour(xs, ys, np.log10(grid + 1e-3), levels=15, colors="lightgray", linewidths=0.6)
        for name in OPTIMIZERS:
            path = paths[(p, name)][best_2d[(p, name)]].points
            ax.plot(
                path[:, 0],
                path[:, 1],
                "-",
                color=COLORS[name],
                lw=1.0,
                label=f"{name} (lr {best_2d[(p, name)]:g})",
            )
        ax.plot(*problem.start, "ko", ms=4)
        ax.plot(*problem.minimum, "k*", ms=8)
        ax.set(
            xlim=(x0, x1),
            ylim=(y0, y1),
            title=figure_text(result.say("fig_paths_title", problem=problem.name.split(" (")[0])),
        )
        ax.legend(fontsize=6, loc="upper right")
    problem, lr = problems["quadratic"], best_2d[("quadratic", "SGD")]
    basis = np.linalg.eigh(
        np.column_stack([problem.grad(np.array(e)) for e in ((1.0, 0.0), (0.0, 1.0))])
    )[1]
    for name in ("SGD", "Momentum"):
        coords = run_2d(OPTIMIZERS[name], problem, lr, 60, stop=False).points @ basis
        axes[2].plot(
            coords[:, 1],
            ".-",
            color=COLORS[name],
            lw=0.8,
            ms=3,
            label=f"{name}: " + figure_text(result.text("fig_across")),
        )
        axes[2].plot(
            coords[:, 0],
            "--",
            color=COLORS[name],
            lw=1.2,
            label=f"{name}: " + figure_text(result.text("fig_along")),
        )
    axes[2].axhline(0, color="gray", lw=0.6)
    axes[2].set(
        title=figure_text(result.say("fig_coordinates_title", lr=lr)),
        xlabel=figure_text(result.text("fig_step")),
        ylabel=figure_text(result.text("fig_eigen")),
    )
    axes[2].legend(fontsize=7)
    result.add_figure(
        fig,
        "trajectories",
        result.text("caption_trajectories"),
    )


def mnist1d(result: Result, sweep: dict, best_mlp: dict, lrs: list[float]) -> None:
    fig, axes = new_figure(12.0, 3.8, ncols=3)
    for name in OPTIMIZERS:
        runs = sweep[(name, best_mlp[name])]
        grid = runs[0][0].eval_steps
        axes[0].plot(
            grid,
            np.mean([c.eval_loss[: len(grid)] for c, _ in runs], axis=0),
            color=COLORS[name],
            label=f"{name} (lr {best_mlp[name]:g})",
        )
        finals = [final_loss(sweep[(name, lr)]) for lr in lrs]
        axes[1].plot(lrs, [min(v, 3.0) for v in finals], "o-", ms=3, color=COLORS[name], label=name)
        if name in ADAPTIVE:
            curve = runs[0][0]
            axes[2].loglog(
                curve.extra["step"], curve.extra["eff_lr"], color=COLORS[name], label=name
            )
    axes[0].set(
        xlabel=figure_text(result.text("fig_step")),
        ylabel=figure_text(result.text("fig_train_loss")),
        title=figure_text(result.text("fig_mnist_title")),
        yscale="log",
    )
    axes[1].set(
        xscale="log",
        xlabel=figure_text(result.text("fig_lr")),
        ylabel=figure_text(result.text("fig_final_loss")),
        title=figure_text(result.text("fig_sensitivity")),
    )
    axes[2].set(
        xlabel=figure_text(result.text("fig_step")),
        ylabel="median lr / (sqrt(v) + eps)",
        title=figure_text(result.text("fig_eff_lr")),
    )
    for ax in axes:
        ax.legend(fontsize=7)
    result.add_figure(
        fig,
        "mnist1d",
        result.text("caption_mnist1d"),
    )
