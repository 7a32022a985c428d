"""LR schedulers against torch.optim.lr_scheduler: the same sequences, state dicts, errors."""

from __future__ import annotations

import inspect
import json
import warnings

import numpy
import pytest
import torch

import glassnet
from glassnet import optim
from glassnet.optim import lr_scheduler

torch.set_num_threads(1)

STEPS = 60

# (scheduler, options): chosen so that 60 steps cross every branch (milestones, the
# cosine trough at T_max and its restart, the end of a warm-up, all 1cycle phases).
SCHEDULES = [
    ("StepLR", {"step_size": 7, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [5, 12, 12, 30], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.93}),
    ("CosineAnnealingLR", {"T_max": 20, "eta_min": 0.01}),
    ("CosineAnnealingLR", {"T_max": STEPS}),
    ("LinearLR", {"start_factor": 0.25, "total_iters": 10}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 45}),
    ("OneCycleLR", {"max_lr": 0.8, "total_steps": STEPS + 1}),
    (
        "OneCycleLR",
        {
            "max_lr": [0.8, 0.3],
            "epochs": 4,
            "steps_per_epoch": 16,
            "anneal_strategy": "linear",
            "base_momentum": 0.8,
            "max_momentum": [0.9, 0.95],
        },
    ),
    (
        "OneCycleLR",
        {
            "max_lr": 0.5,
            "total_steps": STEPS + 1,
            "three_phase": True,
            "pct_start": 0.25,
            "div_factor": 10.0,
            "final_div_factor": 100.0,
        },
    ),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(SCHEDULES)]


def make(lib, optimizer_name="SGD", groups=2):
    """An optimizer over two parameter groups with different learning rates."""
    make_tensor = torch.zeros if lib is torch else glassnet.zeros
    params = [make_tensor(3, requires_grad=True) for _ in range(groups)]
    param_groups = [
        {"params": [param], "lr": 0.1 * (index + 1)} for index, param in enumerate(params)
    ]
    options = {"momentum": 0.9} if optimizer_name == "SGD" else {}
    return params, getattr(lib.optim, optimizer_name)(param_groups, **options)


def fake_step(params, optimizer):
    for param in params:
        param.grad = torch.ones(3) if isinstance(param, torch.Tensor) else glassnet.ones(3)
    optimizer.step()


def record(lib, name, options, optimizer_name="SGD", steps=STEPS, scheduler_first=False):
    """lr (and momentum/beta1) of each group as seen by each optimizer.step(), and get_last_lr()."""
    params, optimizer = make(lib, optimizer_name)
    scheduler = getattr(lib.optim.lr_scheduler, name)(optimizer, **options)
    seen, last = [], []
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore"
        )  # torch and glassnet both warn when the scheduler steps first
        for _ in range(steps):
            if scheduler_first:
                scheduler.step()
            seen.append(
                [
                    (group["lr"], group.get("momentum"), group.get("betas", (None,))[0])
                    for group in optimizer.param_groups
                ]
            )
            fake_step(params, optimizer)
            if not scheduler_first:
                scheduler.step()
            last.append(list(scheduler.get_last_lr()))
    return numpy.array(seen, dtype=float), numpy.array(last)


def assert_same_sequences(ours, theirs):
    for mine, reference in zip(ours, theirs):
        assert mine.shape == reference.shape
        numpy.testing.assert_allclose(mine, reference, rtol=1e-12, atol=0)


@pytest.mark.parametrize("name, options", SCHEDULES, ids=IDS)
def test_learning_rates_match_torch(name, options):
    ours, theirs = record(glassnet, name, options), record(torch, name, options)
    assert_same_sequences(ours, theirs)
    assert len(numpy.unique(ours[1][:, 0])) > 3, "the schedule must change the learning rate"


@pytest.mark.parametrize("name, options", [SCHEDULES[0], SCHEDULES[3], SCHEDULES[5]], ids=str)
def test_stepping_the_scheduler_first_matches_torch_and_warns(name, options):
    assert_same_sequences(
        record(glassnet, name, options, scheduler_first=True),
        record(torch, name, options, scheduler_first=True),
    )
    _params, optimizer = make(glassnet)
    scheduler = getattr(lr_scheduler, name)(optimizer, **options)
    with pytest.warns(UserWarning, match=r"lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
        scheduler.step()


def test_no_warning_in_the_right_order():
    params, optimizer = make(glassnet)
    scheduler = lr_scheduler.StepLR(optimizer, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fake_step(params, optimizer)
        scheduler.step()


class PlainOptimizer(optim.Optimizer):
    def __init__(self, params):
        super().__init__(params, {"lr": 0.1})

    def step(self, closure=None):
        return None


def test_an_optimizer_with_its_own_step_still_counts_as_stepped():
    params = [glassnet.zeros(2, requires_grad=True)]
    optimizer = PlainOptimizer(params)
    scheduler = lr_scheduler.StepLR(optimizer, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizer.step()
        scheduler.step()
    scheduler = lr_scheduler.StepLR(PlainOptimizer(params), 2)
    with pytest.warns(UserWarning, match=r"before `optimizer.step\(\)`"):
        scheduler.step()


@pytest.mark.parametrize(
    "options",
    [
        {"max_lr": 0.01, "total_steps": STEPS + 1},
        {
            "max_lr": 0.01,
            "total_steps": STEPS + 1,
            "base_momentum": 0.7,
            "max_momentum": 0.9,
            "three_phase": True,
        },
    ],
    ids=["cos", "three_phase"],
)
def test_one_cycle_cycles_adams_beta1_like_torch(options):
    ours, theirs = (
        record(glassnet, "OneCycleLR", options, "Adam"),
        record(torch, "OneCycleLR", options, "Adam"),
    )
    assert_same_sequences(ours, theirs)
    beta1 = ours[0][:, 0, 2]
    assert beta1[0] == options.get("max_momentum", 0.95)
    assert 0 <= beta1.min() - options.get("base_momentum", 0.85) < 1e-3


def test_one_cycle_without_momentum_cycling_leaves_momentum_alone():
    options = {"max_lr": 1.0, "total_steps": STEPS, "cycle_momentum": False}
    ours = record(glassnet, "OneCycleLR", options, "Adagrad")
    assert_same_sequences(ours, record(torch, "OneCycleLR", options, "Adagrad"))


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"mode": "max", "factor": 0.5, "patience": 2, "threshold": 0.05, "cooldown": 3},
        {
            "factor": 0.5,
            "patience": 0,
            "threshold_mode": "abs",
            "threshold": 0.1,
            "min_lr": [0.02, 0.05],
        },
        {"factor": 0.2, "patience": 1, "min_lr": 0.004, "eps": 1e-3},
    ],
    ids=["defaults", "max-rel-cooldown", "abs-min_lr-list", "min_lr-eps"],
)
def test_reduce_on_plateau_matches_torch(options):
    # improving for 20 epochs, then a noisy plateau just above the best value
    metrics = numpy.concatenate(
        [1.0 / (1.0 + numpy.arange(20)), 0.06 + 0.01 * numpy.sin(numpy.arange(STEPS - 20))]
    )
    sequences = []
    for lib in (glassnet, torch):
        params, optimizer = make(lib)
        scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **options)
        lrs = []
        for metric in metrics:
            fake_step(params, optimizer)
            scheduler.step(lib.tensor(metric) if lib is glassnet else metric)
            lrs.append(scheduler.get_last_lr())
        sequences.append(numpy.array(lrs))
    numpy.testing.assert_allclose(sequences[0], sequences[1], rtol=1e-12, atol=0)
    assert len(numpy.unique(sequences[0][:, 0])) > 1, "the plateau must reduce the learning rate"


@pytest.mark.parametrize("name, options", SCHEDULES, ids=IDS)
def test_state_dict_round_trip_through_json_continues_the_sequence(name, options):
    straight = record(glassnet, name, options)[1]
    params, optimizer = make(glassnet)
    scheduler = getattr(lr_scheduler, name)(optimizer, **options)
    lrs = []
    for _ in range(25):
        fake_step(params, optimizer)
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
    saved_scheduler = json.loads(json.dumps(scheduler.state_dict()))
    saved_groups = json.loads(json.dumps(optimizer.state_dict()["param_groups"]))
    params, optimizer = make(glassnet)
    resumed = getattr(lr_scheduler, name)(optimizer, **options)
    optimizer.load_state_dict(
        {"state": {}, "param_groups": saved_groups}
    )  # after the scheduler, as in PyTorch
    resumed.load_state_dict(saved_scheduler)
    for _ in range(STEPS - 25):
        fake_step(params, optimizer)
        resumed.step()
        lrs.append(resumed.get_last_lr())
    numpy.testing.assert_array_equal(numpy.array(lrs), straight)


def test_plateau_state_dict_round_trip_through_json():
    _params, optimizer = make(glassnet)
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, patience=1, factor=0.5)
    for metric in (1.0, 0.9, 0.95, 0.97):
        scheduler.step(metric)
    other = lr_scheduler.ReduceLROnPlateau(make(glassnet)[1], patience=1, factor=0.5)
    other.load_state_dict(json.loads(json.dumps(scheduler.state_dict())))
    assert (other.best, other.num_bad_epochs, other.last_epoch) == (0.9, 0, 4)
    assert other.get_last_lr() == scheduler.get_last_lr() == [0.05, 0.1]


def test_torch_scheduler_state_loads_into_glassnet():
    name, options = SCHEDULES[3]
    reference = record(torch, name, options)[1]
    their_params, their_optimizer = make(torch)
    theirs = torch.optim.lr_scheduler.CosineAnnealingLR(their_optimizer, **options)
    for _ in range(25):
        fake_step(their_params, their_optimizer)
        theirs.step()
    params, optimizer = make(glassnet)
    ours = lr_scheduler.CosineAnnealingLR(optimizer, **options)
    optimizer.load_state_dict(
        {"state": {}, "param_groups": their_optimizer.state_dict()["param_groups"]}
    )
    ours.load_state_dict(theirs.state_dict())
    lrs = []
    for _ in range(STEPS - 25):
        fake_step(params, optimizer)
        ours.step()
        lrs.append(ours.get_last_lr())
    numpy.testing.assert_allclose(numpy.array(lrs), reference[25:], rtol=1e-12, atol=0)


@pytest.mark.parametrize(
    "name, options", [SCHEDULES[0], SCHEDULES[1], SCHEDULES[3], SCHEDULES[6]], ids=str
)
def test_resuming_with_last_epoch_matches_torch(name, options):
    """A scheduler built with last_epoch=k on an optimizer that holds initial_lr."""
    sequences = []
    for lib in (glassnet, torch):
        params, optimizer = make(lib)
        for group in optimizer.param_groups:
            group["initial_lr"] = group["lr"]
        scheduler = getattr(lib.optim.lr_scheduler, name)(optimizer, last_epoch=9, **options)
        lrs = [scheduler.get_last_lr()]
        for _ in range(20):
            fake_step(params, optimizer)
            scheduler.step()
            lrs.append(scheduler.get_last_lr())
        sequences.append(numpy.array(lrs))
    numpy.testing.assert_allclose(sequences[0], sequences[1], rtol=1e-12, atol=0)


def test_deprecated_step_with_epoch_uses_the_closed_form_like_torch():
    sequences = []
    for lib in (glassnet, torch):
        params, optimizer = make(lib)
        scheduler = lib.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[3, 8], gamma=0.5)
        fake_step(params, optimizer)
        with pytest.warns(UserWarning, match="deprecated"):
            scheduler.step(10)
        sequences.append(scheduler.get_last_lr())
    assert sequences[0] == sequences[1] == pytest.approx([0.025, 0.05], rel=1e-15)


def test_bad_arguments_raise():
    _params, optimizer = make(glassnet)
    with pytest.raises(TypeError, match=r"list is not an Optimizer"):
        lr_scheduler.StepLR([], 3)
    with pytest.raises(ValueError, match=r"step_size must be a positive integer, got 0"):
        lr_scheduler.StepLR(optimizer, 0)
    with pytest.raises(ValueError, match=r"T_max must be positive, got 0"):
        lr_scheduler.CosineAnnealingLR(optimizer, T_max=0)
    with pytest.raises(ValueError, match=r"Starting multiplicative factor .* got start_factor=0"):
        lr_scheduler.LinearLR(optimizer, start_factor=0)
    with pytest.raises(ValueError, match=r"Ending multiplicative factor .* got end_factor=2"):
        lr_scheduler.LinearLR(optimizer, end_factor=2)
    with pytest.raises(
        KeyError, match=r"'initial_lr' is not specified in param_groups\[0\] .* last_epoch=4"
    ):
        lr_scheduler.ExponentialLR(optimizer, 0.9, last_epoch=4)
    with pytest.raises(ValueError, match=r"either total_steps OR \(epochs AND steps_per_epoch\)"):
        lr_scheduler.OneCycleLR(optimizer, max_lr=0.1)
    with pytest.raises(ValueError, match=r"Expected positive integer total_steps, but got 2.5"):
        lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=2.5)
    with pytest.raises(
        ValueError, match=r"anneal_strategy must be one of 'cos' or 'linear', instead got 'step'"
    ):
        lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10, anneal_strategy="step")
    with pytest.raises(ValueError, match=r"max_lr has 3 values, param_groups has 2"):
        lr_scheduler.OneCycleLR(optimizer, max_lr=[0.1, 0.2, 0.3], total_steps=10)
    with pytest.raises(ValueError, match=r"must support momentum or beta1 .* Adagrad has neither"):
        lr_scheduler.OneCycleLR(make(glassnet, "Adagrad")[1], max_lr=0.1, total_steps=10)
    with pytest.raises(ValueError, match=r"Factor should be < 1.0, got factor=1.5"):
        lr_scheduler.ReduceLROnPlateau(optimizer, factor=1.5)
    with pytest.raises(ValueError, match=r"mode 'maximum' is unknown! \(choose 'min' or 'max'\)"):
        lr_scheduler.ReduceLROnPlateau(optimizer, mode="maximum")
    with pytest.raises(ValueError, match=r"threshold mode 'relative' is unknown!"):
        lr_scheduler.ReduceLROnPlateau(optimizer, threshold_mode="relative")
    with pytest.raises(ValueError, match=r"expected 2 min_lrs, got 1"):
        lr_scheduler.ReduceLROnPlateau(optimizer, min_lr=[0.1])


def test_one_cycle_refuses_to_step_past_total_steps():
    params, optimizer = make(glassnet)
    scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=3)
    for _ in range(3):
        fake_step(params, optimizer)
        scheduler.step()
    with pytest.raises(
        ValueError, match=r"Tried to step 4 times. The specified number of total steps is 3"
    ):
        scheduler.step()


def test_load_state_dict_checks_the_number_of_groups():
    _params, optimizer = make(glassnet)
    saved = lr_scheduler.StepLR(optimizer, 3).state_dict()
    single = lr_scheduler.StepLR(make(glassnet, groups=1)[1], 3)
    with pytest.raises(
        ValueError, match=r"StepLR.load_state_dict: base_lrs has 2 entries but the optimizer has 1"
    ):
        single.load_state_dict(saved)


@pytest.mark.parametrize("name", lr_scheduler.__all__)
def test_signature_matches_torch(name):
    ours = inspect.signature(getattr(lr_scheduler, name).__init__).parameters
    theirs = inspect.signature(getattr(torch.optim.lr_scheduler, name).__init__).parameters
    assert [(p.name, p.kind, p.default) for p in ours.values()] == [
        (p.name, p.kind, p.default) for p in theirs.values()
    ]
