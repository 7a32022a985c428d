"""Distillation: the Hinton loss against the same formula in torch, gradcheck, and the Trainer route."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import glassnet
from glassnet import nn
from glassnet.compress.distill import DistillationLoss, distillation_loss
from glassnet.compress.prune import CompressionError
from glassnet.gradcheck import gradcheck
from glassnet.optim import SGD
from glassnet.tensor import Tensor
from glassnet.train import Trainer


def _torch_reference(s, t, y, temperature, alpha):
    soft = torch.nn.functional.kl_div(
        torch.log_softmax(s / temperature, 1),
        torch.softmax(t / temperature, 1),
        reduction="batchmean",
    ) * (temperature**2)
    return alpha * soft + (1 - alpha) * torch.nn.functional.cross_entropy(s, y)


@pytest.mark.parametrize(
    ("temperature", "alpha"), [(1.0, 0.5), (4.0, 0.9), (20.0, 0.3), (2.0, 1.0)]
)
def test_value_and_gradient_match_the_formula_in_torch(rng, temperature, alpha):
    s = rng.standard_normal((6, 5)) * 3
    t = rng.standard_normal((6, 5)) * 3
    y = rng.integers(0, 5, 6)
    ours_s = glassnet.tensor(s, requires_grad=True)
    ours = distillation_loss(ours_s, glassnet.tensor(t), glassnet.tensor(y), temperature, alpha)
    ours.backward()
    ref_s = torch.tensor(s, requires_grad=True)
    ref = _torch_reference(ref_s, torch.tensor(t), torch.tensor(y), temperature, alpha)
    ref.backward()
    np.testing.assert_allclose(ours.data, ref.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours_s.grad.data, ref_s.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_gradcheck(rng):
    t = glassnet.tensor(rng.standard_normal((4, 3)))
    y = glassnet.tensor(rng.integers(0, 3, 4))
    s = glassnet.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    assert gradcheck(lambda z: distillation_loss(z, t, y, 3.0, 0.7), (s,))


def test_teacher_gets_no_gradient_and_equal_logits_leave_only_the_hard_loss(rng):
    z = rng.standard_normal((5, 4))
    y = rng.integers(0, 4, 5)
    teacher = glassnet.tensor(z, requires_grad=True)
    student = glassnet.tensor(z, requires_grad=True)
    loss = distillation_loss(student, teacher, glassnet.tensor(y), 4.0, 0.5)
    ce = torch.nn.functional.cross_entropy(torch.tensor(z), torch.tensor(y)).item()
    np.testing.assert_allclose(loss.data, 0.5 * ce, rtol=1e-10)
    loss.backward()
    assert teacher.grad is None and student.grad is not None


def test_bad_options_and_shapes_are_named():
    z = glassnet.tensor(np.zeros((2, 3)))
    y = glassnet.tensor(np.zeros(2, dtype=np.int64))
    with pytest.raises(CompressionError, match="temperature must be > 0"):
        distillation_loss(z, z, y, 0.0)
    with pytest.raises(CompressionError, match=r"alpha must be in \[0, 1\]"):
        distillation_loss(z, z, y, 2.0, 1.5)
    with pytest.raises(CompressionError, match=r"\(2, 3\) and \(2, 4\)"):
        distillation_loss(z, glassnet.tensor(np.zeros((2, 4))), y)
    with pytest.raises(CompressionError, match="attach"):
        DistillationLoss(nn.Linear(3, 3))(z, y)


def test_trainer_distils_a_student_towards_its_teacher(rng):
    glassnet.manual_seed(0)
    teacher = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
    student = nn.Linear(8, 3)
    x = rng.standard_normal((64, 8)).astype(np.float32)
    with glassnet.no_grad():
        y = teacher(Tensor(x)).data.argmax(1)
    batches = [(x[i : i + 16], y[i : i + 16]) for i in range(0, 64, 16)]
    loss = DistillationLoss(teacher, temperature=2.0, alpha=1.0).attach(student)

    def gap() -> float:  # the soft loss over the whole set
        with glassnet.no_grad():
            return float(loss(student(Tensor(x)), Tensor(y)).data)

    before = gap()
    Trainer(student, SGD(student.parameters(), lr=0.1), loss, seed=0).fit(batches, epochs=20)
    after = gap()
    loss.detach()
    assert after < 0.5 * before
    assert not student._forward_pre_hooks
