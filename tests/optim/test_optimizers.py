"""Optimizers against torch.optim: 50 steps on a small MLP, state, state_dict, options, errors."""

from __future__ import annotations

import inspect
import json
import warnings

import numpy
import pytest
import torch

import glassnet
from glassnet import optim

torch.set_num_threads(1)

# A 4-6-3 tanh MLP as raw parameters, float64. glassnet's and torch's gradients differ in
# the last bit (summation order), and an adaptive optimizer amplifies such differences
# where a gradient component cancels (e.g. at a weight-decay equilibrium). On this
# problem every case below stays over 100x inside rtol 1e-10 for 8 different data seeds.
SHAPES = [(6, 4), (6,), (3, 6), (3,)]
_data = numpy.random.default_rng(7)
INIT = [_data.standard_normal(shape) * 0.5 for shape in SHAPES]
X = _data.standard_normal((32, 4))
Y = _data.standard_normal((32, 3))

# (optimizer, options): every optimizer, and the options that change its rule.
CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.1, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    (
        "Adagrad",
        {
            "lr": 0.1,
            "lr_decay": 0.01,
            "weight_decay": 0.1,
            "initial_accumulator_value": 0.1,
            "eps": 1e-6,
        },
    ),
    ("Adagrad", {"lr": 0.1, "maximize": True}),
    ("RMSprop", {"lr": 0.01}),
    (
        "RMSprop",
        {"lr": 0.001, "alpha": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.1},
    ),
    ("RMSprop", {"lr": 0.01, "centered": True, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "amsgrad": True, "weight_decay": 0.1, "eps": 1e-6}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.5, "amsgrad": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.1, "maximize": True}),
    ("NAdam", {"lr": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "momentum_decay": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
]
IDS = [
    f"{name}-{'-'.join(f'{k}={v}' for k, v in options.items()) or 'defaults'}"
    for name, options in CASES
]


def make_params(lib, arrays=INIT, dtype=numpy.float64):
    if lib is torch:
        return [torch.tensor(array.astype(dtype), requires_grad=True) for array in arrays]
    return [glassnet.tensor(array.astype(dtype), requires_grad=True) for array in arrays]


def compute_loss(lib, params, maximize=False):
    """Mean squared error of tanh MLP; its negative when the optimizer maximizes."""
    dtype = params[0].detach().numpy().dtype
    x, y = lib.tensor(X.astype(dtype)), lib.tensor(Y.astype(dtype))
    w1, b1, w2, b2 = params
    out = lib.nn.functional.linear(lib.tanh(lib.nn.functional.linear(x, w1, b1)), w2, b2)
    loss = ((out - y) ** 2).mean()
    return -loss if maximize else loss


def train(lib, optimizer, params, steps, maximize=False):
    for _ in range(steps):
        compute_loss(lib, params, maximize).backward()
        optimizer.step()
        optimizer.zero_grad()


def make_optimizer(lib, name, params, options):
    return getattr(lib.optim, name)(params, **options)


def as_numpy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().numpy()
    if isinstance(value, glassnet.Tensor):
        return value.detach().numpy()
    return value


def assert_states_match(ours: dict, theirs: dict, rtol=1e-10, atol=1e-12):
    """Same indices, same entries, same dtypes and values (param_groups equal too)."""
    assert sorted(ours["state"]) == sorted(theirs["state"])
    for index, their_state in theirs["state"].items():
        our_state = ours["state"][index]
        assert sorted(our_state) == sorted(their_state), f"state[{index}]"
        for key, their_value in their_state.items():
            our_value = our_state[key]
            assert isinstance(our_value, glassnet.Tensor), (
                f"state[{index}][{key!r}] is {type(our_value)}"
            )
            expected = as_numpy(their_value)
            assert our_value.dtype == expected.dtype, f"state[{index}][{key!r}] dtype"
            numpy.testing.assert_allclose(
                our_value.numpy(),
                expected,
                rtol=rtol,
                atol=atol,
                err_msg=f"state[{index}][{key!r}]",
            )
    assert ours["param_groups"] == theirs["param_groups"]


@pytest.fixture(params=range(len(CASES)), ids=IDS)
def case(request):
    return CASES[request.param]


def test_parameters_and_state_match_torch_after_50_steps(case):
    name, options = case
    maximize = options.get("maximize", False)
    ours, theirs = make_params(glassnet), make_params(torch)
    our_optimizer = make_optimizer(glassnet, name, ours, options)
    their_optimizer = make_optimizer(torch, name, theirs, options)
    train(glassnet, our_optimizer, ours, 50, maximize)
    train(torch, their_optimizer, theirs, 50, maximize)
    for index, (mine, reference, start) in enumerate(zip(ours, theirs, INIT)):
        assert not numpy.allclose(reference.detach().numpy(), start, atol=1e-3), (
            "the parameters must move"
        )
        numpy.testing.assert_allclose(
            mine.detach().numpy(),
            reference.detach().numpy(),
            rtol=1e-10,
            atol=1e-12,
            err_msg=f"parameter {index}",
        )
    assert_states_match(our_optimizer.state_dict(), their_optimizer.state_dict())


def test_state_dict_round_trip_continues_exactly(case):
    """Save after 20 steps, load into a fresh optimizer, 30 more steps == 50 uninterrupted steps."""
    name, options = case
    maximize = options.get("maximize", False)
    straight = make_params(glassnet)
    train(glassnet, make_optimizer(glassnet, name, straight, options), straight, 50, maximize)

    first = make_params(glassnet)
    optimizer = make_optimizer(glassnet, name, first, options)
    train(glassnet, optimizer, first, 20, maximize)
    saved = optimizer.state_dict()
    # what a safetensors + JSON file holds: arrays, and JSON for everything else
    arrays = {
        (index, key): value.numpy().copy()
        for index, entries in saved["state"].items()
        for key, value in entries.items()
    }
    metadata = json.loads(
        json.dumps(
            {
                "param_groups": saved["param_groups"],
                "state": {
                    index: {key: None for key in entries}
                    for index, entries in saved["state"].items()
                },
            }
        )
    )
    restored = {
        "param_groups": metadata["param_groups"],
        "state": {
            index: {key: arrays[(int(index), key)] for key in entries}
            for index, entries in metadata["state"].items()
        },
    }

    resumed = [
        glassnet.tensor(param.detach().numpy().copy(), requires_grad=True) for param in first
    ]
    fresh = make_optimizer(
        glassnet, name, resumed, {"lr": 123.0} if name != "Adadelta" else {"lr": 9.0}
    )
    fresh.load_state_dict(restored)
    assert fresh.param_groups[0]["lr"] == optimizer.param_groups[0]["lr"]
    train(glassnet, fresh, resumed, 30, maximize)
    for mine, reference in zip(resumed, straight):
        numpy.testing.assert_array_equal(mine.detach().numpy(), reference.detach().numpy())


def test_torch_state_dict_loads_and_continues_like_torch(case):
    name, options = case
    maximize = options.get("maximize", False)
    theirs = make_params(torch)
    their_optimizer = make_optimizer(torch, name, theirs, options)
    train(torch, their_optimizer, theirs, 20, maximize)
    ours = [glassnet.tensor(param.detach().numpy().copy(), requires_grad=True) for param in theirs]
    our_optimizer = make_optimizer(glassnet, name, ours, options)
    our_optimizer.load_state_dict(their_optimizer.state_dict())  # torch tensors as state values
    train(torch, their_optimizer, theirs, 30, maximize)
    train(glassnet, our_optimizer, ours, 30, maximize)
    for mine, reference in zip(ours, theirs):
        numpy.testing.assert_allclose(
            mine.detach().numpy(), reference.detach().numpy(), rtol=1e-10, atol=1e-12
        )


@pytest.mark.parametrize(
    "name, options", [CASES[2], CASES[9], CASES[11], CASES[14], CASES[19]], ids=str
)
def test_glassnet_state_dict_loads_into_torch(name, options):
    maximize = options.get("maximize", False)
    ours = make_params(glassnet)
    our_optimizer = make_optimizer(glassnet, name, ours, options)
    train(glassnet, our_optimizer, ours, 20, maximize)
    saved = our_optimizer.state_dict()
    theirs = [torch.tensor(param.detach().numpy().copy(), requires_grad=True) for param in ours]
    their_optimizer = make_optimizer(torch, name, theirs, options)
    their_optimizer.load_state_dict(
        {
            "param_groups": saved["param_groups"],
            "state": {
                index: {key: torch.tensor(value.numpy().copy()) for key, value in entries.items()}
                for index, entries in saved["state"].items()
            },
        }
    )
    train(torch, their_optimizer, theirs, 30, maximize)
    train(glassnet, our_optimizer, ours, 30, maximize)
    for mine, reference in zip(ours, theirs):
        numpy.testing.assert_allclose(
            mine.detach().numpy(), reference.detach().numpy(), rtol=1e-10, atol=1e-12
        )


@pytest.mark.parametrize(
    "name", ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "NAdam"]
)
def test_float32_stays_float32_and_updates_in_place(name):
    options = {
        "SGD": {"lr": 0.1, "momentum": 0.9},
        "RMSprop": {"momentum": 0.5, "centered": True},
        "Adam": {"amsgrad": True},
    }.get(name, {})
    params = make_params(glassnet, dtype=numpy.float32)
    arrays = [param.data for param in params]
    optimizer = make_optimizer(glassnet, name, params, options)
    train(glassnet, optimizer, params, 2)
    state_arrays = {
        (index, key): value.data
        for index, entries in optimizer.state_dict()["state"].items()
        for key, value in entries.items()
    }
    train(glassnet, optimizer, params, 3)
    for param, array, start in zip(params, arrays, INIT):
        assert param.data is array, "the update must write into param.data, not replace it"
        assert param.dtype == numpy.float32
        assert not numpy.allclose(param.detach().numpy(), start)
    for (index, key), array in state_arrays.items():
        value = optimizer.state_dict()["state"][index][key]
        assert value.data is array, f"state[{index}][{key!r}] must be updated in place"
        assert value.dtype == numpy.float32, f"state[{index}][{key!r}] is {value.dtype}"


def test_step_float32_matches_torch_float32():
    ours, theirs = (
        make_params(glassnet, dtype=numpy.float32),
        make_params(torch, dtype=numpy.float32),
    )
    our_optimizer, their_optimizer = optim.Adam(ours, lr=0.01), torch.optim.Adam(theirs, lr=0.01)
    train(glassnet, our_optimizer, ours, 20)
    train(torch, their_optimizer, theirs, 20)
    for mine, reference in zip(ours, theirs):
        numpy.testing.assert_allclose(
            mine.detach().numpy(), reference.detach().numpy(), rtol=2e-5, atol=2e-6
        )


def test_parameter_groups_with_their_own_options_match_torch():
    def groups(params):
        return [
            {"params": params[:2]},
            {"params": params[2:], "lr": 0.2, "momentum": 0.5, "nesterov": True},
        ]

    ours, theirs = make_params(glassnet), make_params(torch)
    our_optimizer = optim.SGD(groups(ours), lr=0.05, momentum=0.9)
    their_optimizer = torch.optim.SGD(groups(theirs), lr=0.05, momentum=0.9)
    assert [group["lr"] for group in our_optimizer.param_groups] == [0.05, 0.2]
    assert our_optimizer.param_groups[1]["dampening"] == 0  # filled from defaults
    train(glassnet, our_optimizer, ours, 30)
    train(torch, their_optimizer, theirs, 30)
    for mine, reference in zip(ours, theirs):
        numpy.testing.assert_allclose(
            mine.detach().numpy(), reference.detach().numpy(), rtol=1e-10, atol=1e-12
        )
    assert_states_match(our_optimizer.state_dict(), their_optimizer.state_dict())


def test_add_param_group_and_named_parameters():
    params = make_params(glassnet)
    optimizer = optim.Adam([("w1", params[0]), ("b1", params[1])], lr=0.01)
    optimizer.add_param_group({"params": [("w2", params[2]), ("b2", params[3])], "lr": 0.001})
    assert optimizer.param_groups[1]["betas"] == (0.9, 0.999)
    assert optimizer.param_groups[1]["param_names"] == ["w2", "b2"]
    saved = optimizer.state_dict()
    assert saved["param_groups"][1]["params"] == [2, 3]
    assert saved["param_groups"][0]["param_names"] == ["w1", "b1"]


def test_parameters_without_grad_are_skipped_like_torch():
    ours, theirs = make_params(glassnet), make_params(torch)
    our_optimizer, their_optimizer = (
        optim.SGD(ours, lr=0.1, momentum=0.9, weight_decay=0.1),
        torch.optim.SGD(theirs, lr=0.1, momentum=0.9, weight_decay=0.1),
    )
    for lib, params, optimizer in (
        (glassnet, ours, our_optimizer),
        (torch, theirs, their_optimizer),
    ):
        compute_loss(lib, params).backward()
        params[3].grad = None  # b2 got no gradient this step
        optimizer.step()
    numpy.testing.assert_array_equal(ours[3].detach().numpy(), INIT[3])
    assert (
        sorted(our_optimizer.state_dict()["state"])
        == sorted(their_optimizer.state_dict()["state"])
        == [0, 1, 2]
    )


def test_adagrad_creates_its_state_at_construction_like_torch():
    ours, theirs = make_params(glassnet), make_params(torch)
    assert_states_match(
        optim.Adagrad(ours, initial_accumulator_value=0.5).state_dict(),
        torch.optim.Adagrad(theirs, initial_accumulator_value=0.5).state_dict(),
    )


def test_step_closure_returns_the_loss_and_runs_with_grad():
    params = make_params(glassnet)
    optimizer = optim.SGD(params, lr=0.1)
    calls = []

    def closure():
        optimizer.zero_grad()
        loss = compute_loss(glassnet, params)
        loss.backward()
        calls.append(loss.item())
        return loss

    with glassnet.no_grad():
        loss = optimizer.step(closure)
    assert calls and loss.item() == calls[0]
    assert not numpy.allclose(params[0].detach().numpy(), INIT[0])
    assert optimizer.step() is None


def test_zero_grad_sets_none_or_zeros():
    params = make_params(glassnet)
    optimizer = optim.SGD(params)
    compute_loss(glassnet, params).backward()
    grad = params[0].grad
    optimizer.zero_grad(set_to_none=False)
    assert params[0].grad is grad and not grad.numpy().any()
    optimizer.zero_grad()
    assert all(param.grad is None for param in params)


def test_one_element_tensor_lr_is_accepted():
    params = make_params(glassnet)
    optimizer = optim.SGD(params, lr=glassnet.tensor(0.5))
    assert optimizer.param_groups[0]["lr"] == 0.5
    with pytest.raises(ValueError, match=r"Tensor lr must be 1-element, got shape \(2,\)"):
        optim.SGD(params, lr=glassnet.tensor([0.1, 0.2]))


def test_repr_lists_each_group():
    text = repr(optim.SGD(make_params(glassnet), lr=0.25))
    assert (
        text.startswith("SGD (\nParameter Group 0\n")
        and "    lr: 0.25\n" in text
        and "params" not in text
    )


BAD_OPTIONS = [
    ("SGD", {"lr": -0.1}, r"SGD: Invalid learning rate: -0.1"),
    ("SGD", {"lr": float("nan")}, r"SGD: Invalid learning rate: nan"),
    ("SGD", {"momentum": -0.5}, r"SGD: Invalid momentum value: -0.5"),
    ("SGD", {"weight_decay": -1e-4}, r"SGD: Invalid weight_decay value: -0.0001"),
    (
        "SGD",
        {"nesterov": True},
        r"requires a momentum and zero dampening, got momentum=0, dampening=0",
    ),
    (
        "SGD",
        {"nesterov": True, "momentum": 0.9, "dampening": 0.1},
        r"got momentum=0.9, dampening=0.1",
    ),
    ("SGD", {"fused": True}, r"SGD: fused=True is not supported"),
    ("SGD", {"differentiable": True}, r"SGD: differentiable=True is not supported"),
    ("Adagrad", {"lr_decay": -1}, r"Adagrad: Invalid lr_decay value: -1"),
    ("Adagrad", {"initial_accumulator_value": -1}, r"Invalid initial_accumulator_value value: -1"),
    ("Adagrad", {"eps": -1e-10}, r"Adagrad: Invalid epsilon value: -1e-10"),
    ("RMSprop", {"alpha": -0.9}, r"RMSprop: Invalid alpha value: -0.9"),
    ("RMSprop", {"capturable": True}, r"RMSprop: capturable=True is not supported"),
    ("Adam", {"betas": (1.0, 0.999)}, r"Adam: Invalid beta parameter at index 0: 1.0"),
    ("Adam", {"betas": (0.9, -0.1)}, r"Adam: Invalid beta parameter at index 1: -0.1"),
    ("Adam", {"betas": 0.9}, r"Adam: betas must be a pair \(beta1, beta2\), got 0.9"),
    ("Adam", {"lr": "fast"}, r"Adam: lr must be a number, got str 'fast'"),
    ("AdamW", {"weight_decay": -0.01}, r"AdamW: Invalid weight_decay value: -0.01"),
    ("Adadelta", {"rho": 1.5}, r"Adadelta: Invalid rho value: 1.5"),
    ("NAdam", {"momentum_decay": -1}, r"NAdam: Invalid momentum_decay value: -1"),
    ("NAdam", {"betas": (0.9, 1.0)}, r"NAdam: Invalid beta parameter at index 1: 1.0"),
]


@pytest.mark.parametrize(
    "name, options, message", BAD_OPTIONS, ids=[row[2][:40] for row in BAD_OPTIONS]
)
def test_bad_options_raise_naming_the_value(name, options, message):
    error = TypeError if "must be a number" in message else ValueError
    with pytest.raises(error, match=message):
        make_optimizer(glassnet, name, make_params(glassnet), options)


def test_bad_options_in_a_param_group_are_caught_too():
    params = make_params(glassnet)
    with pytest.raises(ValueError, match=r"Adam: Invalid learning rate: -1"):
        optim.Adam([{"params": params[:2]}, {"params": params[2:], "lr": -1}])


def test_bad_params_raise():
    params = make_params(glassnet)
    with pytest.raises(
        TypeError, match=r"an iterable of Tensors or dicts, but got a Tensor of shape \(6, 4\)"
    ):
        optim.SGD(params[0])
    with pytest.raises(ValueError, match=r"SGD: optimizer got an empty parameter list"):
        optim.SGD([])
    with pytest.raises(TypeError, match=r"ordered collections.*Please use a list instead"):
        optim.SGD([{"params": set(params)}])
    with pytest.raises(
        TypeError, match=r"can only optimize Tensors, but parameter 1 of the group is ndarray"
    ):
        optim.SGD([params[0], INIT[1]])
    with pytest.raises(
        ValueError, match=r"can't optimize a non-leaf Tensor \(parameter 0, shape \(6, 4\)\)"
    ):
        optim.SGD([params[0] * 2])
    with pytest.raises(
        ValueError, match=r"some parameters appear in more than one parameter group \(group 0"
    ):
        optim.SGD([{"params": params[:2]}, {"params": params[1:]}])
    with pytest.raises(TypeError, match=r"param_group must be a dict, but got list"):
        optim.SGD(params).add_param_group(params)
    with pytest.warns(UserWarning, match=r"holds the same parameter twice"):
        optim.SGD([params[0], params[0]])


def test_load_state_dict_errors_name_what_differs():
    params = make_params(glassnet)
    optimizer = optim.Adam(params, lr=0.01)
    train(glassnet, optimizer, params, 1)
    saved = optimizer.state_dict()
    with pytest.raises(
        ValueError, match=r"different number of parameter groups: 2 saved, 1 in this optimizer"
    ):
        optimizer.load_state_dict({"state": {}, "param_groups": saved["param_groups"] * 2})
    other = optim.Adam(params[:3])
    with pytest.raises(
        ValueError, match=r"group 0 holds 4 parameters in the state dict and 3 here"
    ):
        other.load_state_dict(saved)
    swapped = optim.Adam([params[1], params[0], params[2], params[3]])
    with pytest.raises(
        ValueError,
        match=r"state\[0\]\['exp_avg'\] has shape \(6, 4\) but parameter 0 has shape \(6,",
    ):
        swapped.load_state_dict(saved)
    with pytest.raises(ValueError, match=r"the state dict has no 'param_groups' entry"):
        optimizer.load_state_dict({"state": {}})


def test_adamw_stays_decoupled_after_loading_an_adam_state_dict():
    params = make_params(glassnet)
    saved = optim.Adam(params).state_dict()
    optimizer = optim.AdamW(params)
    optimizer.load_state_dict(saved)
    assert optimizer.param_groups[0]["decoupled_weight_decay"] is True


@pytest.mark.parametrize(
    "name",
    ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adadelta", "NAdam", "LBFGS", "Optimizer"],
)
def test_signature_matches_torch(name):
    ours = inspect.signature(getattr(optim, name).__init__).parameters
    theirs = inspect.signature(getattr(torch.optim, name).__init__).parameters
    assert [(p.name, p.kind, p.default) for p in ours.values()] == [
        (p.name, p.kind, p.default) for p in theirs.values()
    ]


def test_no_warnings_in_a_normal_run():
    params = make_params(glassnet)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train(glassnet, optim.NAdam(params), params, 3)


class SignSGD(optim.Optimizer):
    """theta <- theta - lr * sign(grad): a custom rule written as an `_update` only."""

    def __init__(self, params, lr=0.01):
        super().__init__(params, {"lr": lr})

    def _update(self, param, grad, state, group):
        state["count"] = state.get("count", 0) + 1
        param -= group["lr"] * numpy.sign(grad)


def test_a_custom_optimizer_needs_only_an_update_rule():
    params = make_params(glassnet)
    optimizer = SignSGD(params, lr=0.1)
    compute_loss(glassnet, params).backward()
    grads = [param.grad.numpy().copy() for param in params]
    optimizer.step()
    optimizer.step()
    for param, grad, start in zip(params, grads, INIT):
        numpy.testing.assert_allclose(
            param.detach().numpy(), start - 0.2 * numpy.sign(grad), rtol=1e-15
        )
    assert optimizer.state_dict()["state"][3] == {"count": 2}
