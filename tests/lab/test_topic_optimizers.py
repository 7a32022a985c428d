"""optimizers in smoke mode: its asserted claims (exact replays, the 2-D momentum test) and the machinery behind them."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from lab_checks import assert_judges_every_claim, smoke_result

import glassnet
from glassnet import lab, nn, optim
from glassnet.lab import Verdict
from glassnet.lab.kit import curve as training
from glassnet.lab.topics.optimizers import convexity, definitions, mechanics, settings, surfaces

PNG = b"\x89PNG\r\n\x1a\n"
ASSERTED = {
    "adagrad_rule": Verdict.DOES_NOT_HOLD,
    "rmsprop_average": Verdict.HOLDS,
    "rmsprop_no_momentum": Verdict.HOLDS,
    "momentum_damps_oscillation": Verdict.HOLDS,
}


@pytest.fixture(scope="module")
def result() -> lab.Result:
    return smoke_result("optimizers")


def test_smoke_run_completes_and_judges_every_claim(result):
    assert_judges_every_claim(result, "optimizers", ASSERTED)


@pytest.mark.parametrize("claim_id", sorted(ASSERTED))
def test_asserted_verdicts(result, claim_id):
    judged = result.claim(claim_id)
    assert judged.verdict is ASSERTED[claim_id], (judged.numbers, judged.margin)


def test_replay_margins(result):
    """Margins: the standard rules match to rounding (<1e-12); the notes' Adagrad readings are off by ~100%."""
    adagrad = result.claim("adagrad_rule")
    assert (
        float(adagrad.number("max relative error, Duchi et al.: g / (sqrt(sum g^2) + eps)")) < 1e-12
    )
    assert float(adagrad.number("max relative error, notes: g x sqrt(sum g^2)")) > 0.5
    rmsprop = result.claim("rmsprop_average")
    assert float(rmsprop.number("state vs moving average alpha v + (1 - alpha) g^2")) < 1e-12
    moves = result.claim("rmsprop_no_momentum")
    assert float(moves.number("largest |update| with zero gradient, RMSProp")) == 0.0
    assert float(moves.number("largest |update| with zero gradient, Adam")) > 1e-3


def test_momentum_margin(result):
    """Margin: Momentum's consecutive-update cosine beats GD's by > 1 on both problems (0.2 needed)."""
    judged = result.claim("momentum_damps_oscillation")
    for problem in ("quadratic, lr 0.0316", "rosenbrock, lr 0.001"):
        gd, momentum = (
            float(v) for v in judged.number(f"{problem}: update cosine GD / Momentum").split(" / ")
        )
        assert momentum - gd > 1.0


def test_figures_are_png(result):
    assert [f.name for f in result.figures] == ["trajectories", "mnist1d"]
    assert all(f.png.startswith(PNG) and len(f.png) > 5000 for f in result.figures)


@pytest.mark.parametrize(
    "problem", [surfaces.quadratic(), surfaces.rosenbrock()], ids=["quadratic", "rosenbrock"]
)
def test_exact_gradients_match_autograd(problem):
    for point in ([0.3, -1.7], [-1.2, 1.0], [2.0, 0.5]):
        p = nn.Parameter(glassnet.tensor(np.array(point)))
        x, y = p[0], p[1]
        if problem.convex:
            h = problem.grad(np.eye(2)[0]), problem.grad(np.eye(2)[1])  # the Hessian's columns
            f = 0.5 * (h[0][0] * x * x + 2 * h[0][1] * x * y + h[1][1] * y * y)
        else:
            f = (1 - x) ** 2 + 100 * (y - x * x) ** 2
        f.backward()
        np.testing.assert_allclose(problem.grad(np.array(point)), p.grad.data, rtol=1e-12)
        assert problem.f(np.array(point)) == pytest.approx(float(f.item()))


def test_run_2d_steps_like_torch():
    """run_2d feeds the exact gradient to a real optimiser: Adam on Rosenbrock matches torch.optim.Adam."""
    problem = surfaces.rosenbrock()
    path = surfaces.run_2d(mechanics.OPTIMIZERS["Adam"], problem, 0.01, 50, stop=False)
    p = torch.tensor(problem.start, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.01)
    for _ in range(50):
        opt.zero_grad()
        ((1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2).backward()
        opt.step()
    np.testing.assert_allclose(path.points[-1], p.detach().numpy(), rtol=1e-10)


def test_path_cosine_on_known_paths():
    assert surfaces.path_cosine(np.array([[0, 0], [1, 0], [2, 0], [3, 0]], float)) == pytest.approx(
        1.0
    )
    assert surfaces.path_cosine(np.array([[0, 0], [0, 1], [0, 0], [0, 1]], float)) == pytest.approx(
        -1.0
    )


def test_effective_lr_reads_each_optimisers_state():
    param = nn.Parameter(glassnet.tensor(np.array([1.0, 2.0])))
    for make, expected in (
        (lambda: optim.Adagrad([param], lr=0.1), lambda g: 0.1 / (np.abs(g) + 1e-10)),
        (
            lambda: optim.RMSprop([param], lr=0.1),
            lambda g: 0.1 / (np.sqrt(0.01) * np.abs(g) + 1e-8),
        ),
        (lambda: optim.Adam([param], lr=0.1), lambda g: 0.1 / (np.abs(g) + 1e-8)),
    ):
        optimizer = make()
        g = np.array([0.5, 4.0])
        param.grad = glassnet.tensor(g)
        optimizer.step()
        assert mechanics.effective_lr(optimizer) == pytest.approx(float(np.median(expected(g))))
    assert np.isnan(mechanics.effective_lr(optim.SGD([param], lr=0.1)))


def test_lr_grid_and_curve_helpers():
    assert training.lr_grid(-2, 0) == [0.01, 0.0316, 0.1, 0.316, 1.0]
    curve = training.Curve(
        eval_steps=[0, 25, 50], eval_acc=[0.1, 0.4, 0.7], eval_loss=[2.3, 1.5, 0.9]
    )
    assert curve.steps_to(0.4) == 25 and curve.steps_to(0.8) is None and curve.final_loss == 0.9
    with pytest.raises(ValueError, match="n_train must be >= 1 \\(or None for all\\), got 0"):
        training.probe_split(n_train=0)


# -- issue 13: the definitional checks and the relative comparisons --------------------------


def test_update_degree_tells_fixed_from_adaptive_learning_rates():
    """Exact arithmetic: SGD and Momentum are degree 1 in the gradients, the adaptive three degree 0
    (up to eps, which is 1e-8 against gradients of 0.1 to 10)."""
    degree = definitions.scale_degree(0)
    for name in ("SGD", "Momentum"):
        assert degree[name] == pytest.approx(1.0, abs=1e-9)
    for name in ("Adagrad", "RMSProp", "Adam"):
        assert degree[name] == pytest.approx(0.0, abs=1e-6)


def test_momentum_carries_its_last_update_and_sgd_does_not():
    errors = definitions.continuity_errors(0)
    assert errors["momentum"] < 1e-12 and errors["sgd"] < 1e-12
    assert errors["sgd_as_momentum"] > 0.1


def test_new_claims_are_judged_with_their_rules(result):
    assert result.claim("fixed_vs_adaptive").verdict is Verdict.HOLDS  # exact: 1 and 0 to 1e-9
    assert result.claim("momentum_continuity").verdict is Verdict.HOLDS  # exact: 1e-16 vs 1e-6
    general = result.claim("adam_general_purpose")
    assert "default settings" in general.rule.en
    ranks = general.number("mlp: rank at defaults (1 = best of 5)")
    assert sorted(int(part.split()[-1]) for part in ranks.split(", "))[0] == 1


def test_relative_cost_is_against_the_median_of_the_other_four():
    costs = {
        "quadratic": {
            "SGD": 100.0,
            "Momentum": 50.0,
            "Adagrad": 60.0,
            "RMSProp": 40.0,
            "Adam": 30.0,
        },
        "rosenbrock": {"SGD": 8.0, "Momentum": 1.0, "Adagrad": 10.0, "RMSProp": 2.0, "Adam": 4.0},
        "mlp": {"SGD": 1.0, "Momentum": 1.0, "Adagrad": 3.0, "RMSProp": 1.0, "Adam": 1.0},
    }
    ratio = convexity.relative(costs, "Adagrad")
    assert ratio == {"quadratic": 60.0 / 45.0, "rosenbrock": 10.0 / 3.0, "mlp": 3.0}


def test_ranks_share_ties_and_order_unsolved_runs_by_their_final_value():
    keys = {
        "quadratic": {"SGD": (np.inf, 0.5), "Momentum": (90, 0.0), "Adagrad": (np.inf, 0.1)},
        "mlp": {"SGD": (1.0,), "Momentum": (1.0,), "Adagrad": (0.5,)},
    }
    assert convexity.ranks(keys) == {
        "quadratic": {"SGD": 3, "Momentum": 1, "Adagrad": 2},
        "mlp": {"SGD": 2, "Momentum": 2, "Adagrad": 1},
    }


def test_every_default_lr_lies_on_the_grids():
    for mode in ("smoke", "quick", "full"):
        found = convexity.default_lrs(settings.LRS_2D, settings.LRS_MLP[mode])
        assert found[("mlp", "Adam")] == 1e-3 and found[("quadratic", "RMSProp")] == 1e-2
    with pytest.raises(ValueError, match="default lr 0.001 of SGD is not on the mlp grid"):
        convexity.default_lrs(settings.LRS_2D, [0.01, 0.1])
