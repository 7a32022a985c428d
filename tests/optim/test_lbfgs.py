"""optim.LBFGS against torch.optim.LBFGS: iterates on Rosenbrock and a small net, state, errors."""

from __future__ import annotations

import numpy
import pytest
import torch

import glassnet
from glassnet import optim

torch.set_num_threads(1)

_data = numpy.random.default_rng(3)
NET_SHAPES = [(5, 3), (5,), (2, 5), (2,)]
NET_INIT = [_data.standard_normal(shape) * 0.5 for shape in NET_SHAPES]
NET_X = _data.standard_normal((24, 3))
NET_Y = _data.standard_normal((24, 2))

# Two steps of each (up to 2 max_iter iterations). torch's add(alpha=) is a fused
# multiply-add and its dot a BLAS one, so the two frameworks round the two-loop
# recursion differently in the last bit; on Rosenbrock with fixed unit steps (no line
# search) that difference grows ~100x per few iterations (1e-10 after ~40), so that
# case runs 12 iterations per step. Everything else stays within 1e-11 for two steps.
OPTIONS = [
    {"max_iter": 12},
    {"line_search_fn": "strong_wolfe"},
    {"lr": 0.5, "history_size": 3, "max_iter": 7},
    {"history_size": 2, "max_iter": 12, "max_eval": 10, "line_search_fn": "strong_wolfe"},
    {"tolerance_change": 1e-3, "tolerance_grad": 1e-3, "line_search_fn": "strong_wolfe"},
    {"tolerance_change": 1e-1, "max_iter": 5},
]
IDS = ["max_iter12", "wolfe", "lr-history3", "history2-max_eval", "tolerances", "stop-early"]


def rosenbrock(lib, params):
    (xy,) = params
    return (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2


def small_net(lib, params):
    w1, b1, w2, b2 = params
    x, y = lib.tensor(NET_X), lib.tensor(NET_Y)
    hidden = lib.tanh(lib.nn.functional.linear(x, w1, b1))
    return ((lib.nn.functional.linear(hidden, w2, b2) - y) ** 2).mean()


PROBLEMS = {"rosenbrock": (rosenbrock, [numpy.array([-1.5, 2.0])]), "net": (small_net, NET_INIT)}


def run(lib, problem, options, steps):
    """Parameters and losses after each of `steps` LBFGS steps, plus the optimizer."""
    function, init = PROBLEMS[problem]
    params = [lib.tensor(array.copy(), requires_grad=True) for array in init]
    optimizer = (torch.optim if lib is torch else optim).LBFGS(params, **options)

    def closure():
        optimizer.zero_grad()
        loss = function(lib, params)
        loss.backward()
        return loss

    trace = []
    for _ in range(steps):
        loss = optimizer.step(closure)
        trace.append(([p.detach().numpy().copy() for p in params], float(loss.detach())))
    return trace, optimizer


@pytest.mark.parametrize("problem", list(PROBLEMS))
@pytest.mark.parametrize("options", OPTIONS, ids=IDS)
def test_iterates_match_torch(problem, options):
    ours, optimizer = run(glassnet, problem, options, 2)
    theirs, reference = run(torch, problem, options, 2)
    for (our_params, our_loss), (their_params, their_loss) in zip(ours, theirs):
        assert our_loss == pytest.approx(their_loss, rel=1e-10)
        for mine, expected in zip(our_params, their_params):
            scale = numpy.abs(expected).max()
            numpy.testing.assert_allclose(mine, expected, rtol=1e-10, atol=1e-10 * scale)
    ours_state = optimizer.state_dict()["state"][0]
    theirs_state = reference.state_dict()["state"][0]
    assert ours_state["func_evals"] == theirs_state["func_evals"]
    assert ours_state["n_iter"] == theirs_state["n_iter"]
    assert len(ours_state["old_dirs"]) == len(theirs_state["old_dirs"])
    assert float(ours_state["t"]) == pytest.approx(float(theirs_state["t"]), rel=1e-8)
    numpy.testing.assert_allclose(
        ours_state["d"].numpy(), theirs_state["d"].numpy(), rtol=1e-8, atol=1e-12
    )


def test_rosenbrock_reaches_the_minimum_with_strong_wolfe():
    trace, optimizer = run(glassnet, "rosenbrock", {"line_search_fn": "strong_wolfe"}, 3)
    numpy.testing.assert_allclose(trace[-1][0][0], [1.0, 1.0], atol=1e-4)
    assert optimizer.state_dict()["state"][0]["func_evals"] > 20


def test_state_dict_round_trip_with_torch_continues_identically():
    """Three steps in torch, load its state into glassnet, one more step each: same point."""
    options = {"line_search_fn": "strong_wolfe", "history_size": 4}
    trace, reference = run(torch, "net", options, 3)
    params = [glassnet.tensor(array.copy(), requires_grad=True) for array in trace[-1][0]]
    optimizer = optim.LBFGS(params, **options)
    optimizer.load_state_dict(reference.state_dict())

    def closure():
        optimizer.zero_grad()
        loss = small_net(glassnet, params)
        loss.backward()
        return loss

    optimizer.step(closure)
    torch_params = reference.param_groups[0]["params"]

    def torch_closure():
        reference.zero_grad()
        loss = small_net(torch, torch_params)
        loss.backward()
        return loss

    reference.step(torch_closure)
    for mine, expected in zip(params, torch_params):
        numpy.testing.assert_allclose(mine.detach().numpy(), expected.detach().numpy(), rtol=1e-10)
    again = optim.LBFGS([glassnet.tensor(a) for a in NET_INIT], **options)
    again.load_state_dict(optimizer.state_dict())
    assert again.state_dict()["state"][0]["n_iter"] == optimizer.state_dict()["state"][0]["n_iter"]


def test_float32_parameters_stay_float32():
    params = [glassnet.tensor(NET_INIT[i].astype("float32"), requires_grad=True) for i in range(4)]
    optimizer = optim.LBFGS(params, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = small_net(glassnet, params)
        loss.backward()
        return loss

    first = float(optimizer.step(closure))
    assert float(closure()) < 0.5 * first
    assert all(p.dtype == numpy.float32 for p in params)
    assert optimizer.state[params[0]]["d"].dtype == numpy.float32


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"lr": -1.0}, "Invalid learning rate: -1.0"),
        (
            {"line_search_fn": "armijo"},
            "line_search_fn must be None or 'strong_wolfe', got 'armijo'",
        ),
        ({"history_size": 0}, "history_size must be a positive integer, got 0"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        optim.LBFGS([glassnet.zeros(2, requires_grad=True)], **options)


def test_parameter_groups_are_refused():
    groups = [{"params": [glassnet.zeros(2)]}, {"params": [glassnet.zeros(3)]}]
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS(groups)
