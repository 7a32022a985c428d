"""Knowledge distillation (Hinton, Vinyals & Dean 2015): a small student learns a teacher's soft targets.

With student logits z_s, teacher logits z_t, temperature T and mixing weight alpha,

    p_t = softmax(z_t / T),   log q_s = log_softmax(z_s / T)
    soft = T^2 * KL(p_t || q_s) = T^2 * (1/N) sum_n sum_c p_t[n,c] (log p_t[n,c] - log q_s[n,c])
    loss = alpha * soft + (1 - alpha) * cross_entropy(z_s, y)

d KL / d z_s = (q_s - p_t) / T, and for large T, q_s - p_t ~ (z_s - z_t) / (C T), so the soft
gradients shrink as 1/T^2; the T^2 factor keeps them on the hard term's scale as T changes
(Hinton et al., section 2).
The teacher's logits are constants (no gradient flows into the teacher).

Training through the ordinary `glassnet.train.Trainer`: `DistillationLoss(teacher, ...)`
hooks the student's forward (a pre-hook runs the frozen teacher on the same batch), so it
is a plain `loss_fn(outputs, targets)`:

    loss = DistillationLoss(teacher, temperature=4.0, alpha=0.9).attach(student)
    Trainer(student, optimizer, loss, metrics=["accuracy"]).fit(train, val, epochs=10)
    loss.detach()
"""

from __future__ import annotations

from typing import Any

from glassnet.compress.prune import CompressionError
from glassnet.grad_mode import no_grad
from glassnet.nn import functional as F
from glassnet.nn.module import Module
from glassnet.tensor import Tensor


def _check(temperature: float, alpha: float) -> None:
    if not temperature > 0:
        raise CompressionError(f"distillation: temperature must be > 0, got {temperature!r}")
    if not 0 <= alpha <= 1:
        raise CompressionError(f"distillation: alpha must be in [0, 1], got {alpha!r}")


def distillation_loss(
    student: Tensor, teacher: Tensor, target: Tensor, temperature: float = 4.0, alpha: float = 0.9
) -> Tensor:
    """alpha * T^2 * KL(softmax(teacher/T) || softmax(student/T)) + (1 - alpha) * CE(student, target)."""
    _check(temperature, alpha)
    if tuple(student.shape) != tuple(teacher.shape) or student.ndim != 2:
        raise CompressionError(
            f"distillation_loss: student and teacher logits must both be (N, C); got "
            f"{tuple(student.shape)} and {tuple(teacher.shape)}"
        )
    t = float(temperature)
    log_q = F.log_softmax(student / t, dim=1)
    log_p = F.log_softmax(teacher.detach() / t, dim=1)
    soft = F.kl_div(log_q, log_p, reduction="batchmean", log_target=True) * (t * t)
    if alpha == 1:
        return soft
    hard = F.cross_entropy(student, target)
    return soft * alpha + hard * (1 - alpha)


class DistillationLoss:
    """A Trainer `loss_fn(outputs, targets)` that distils `teacher` into the model it is attached to."""

    def __init__(self, teacher: Module, temperature: float = 4.0, alpha: float = 0.9) -> None:
        if not isinstance(teacher, Module):
            raise CompressionError(
                f"DistillationLoss: teacher must be a glassnet Module, got {type(teacher).__name__}"
            )
        _check(temperature, alpha)
        self.teacher, self.temperature, self.alpha = teacher.eval(), temperature, alpha
        self._handle: Any = None
        self._teacher_logits: Tensor | None = None

    def _run_teacher(self, module: Module, args: tuple[Any, ...]) -> None:
        with no_grad():
            self._teacher_logits = self.teacher(args[0])

    def attach(self, student: Module) -> DistillationLoss:
        """Run the teacher on every batch the student sees; returns self."""
        self.detach()
        self._handle = student.register_forward_pre_hook(self._run_teacher)
        return self

    def detach(self) -> None:
        if self._handle is not None:
            self._handle.remove()
            self._handle = None
        self._teacher_logits = None

    def __call__(self, outputs: Tensor, targets: Tensor) -> Tensor:
        teacher = self._teacher_logits
        if teacher is None or teacher.shape[0] != outputs.shape[0]:
            raise CompressionError(
                "DistillationLoss: no teacher logits for this batch; attach(student) first and call "
                "the loss on the outputs of that student"
            )
        self._teacher_logits = None
        return distillation_loss(outputs, teacher, targets, self.temperature, self.alpha)
