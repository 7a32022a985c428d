"""instance_norm: standardise each channel of each sample over its own spatial positions.

Instance norm is batch norm applied to a batch of one sample with N * C channels: every
(sample, channel) pair gets its own mean and variance. That is how it is computed here
(and in PyTorch): reshape (N, C, *) to (1, N C, *), run `batch_norm` with the running
statistics and the affine parameters repeated N times, then average the N updated
copies of the running statistics back into one per channel. The gradient is batch
norm's. Used for style transfer, where each image's contrast should not leak into the
others'.
"""

from __future__ import annotations

from glassnet.backend import namespace
from glassnet.grad_mode import no_grad
from glassnet.ops.norm import batch_norm
from glassnet.ops.rearrange import tile
from glassnet.tensor import Tensor


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """(x - mean) / sqrt(var + eps) * weight + bias, statistics per sample and channel over (*)."""
    if input.ndim < 3:
        raise ValueError(
            f"instance_norm: input must be (N, C, *) with at least one spatial dim, got shape {input.shape}"
        )
    batch, channels = input.shape[:2]
    if use_input_stats and input.numel() // (batch * channels) <= 1:
        raise ValueError(
            f"instance_norm: expected more than 1 spatial element when training, got input shape {input.shape}"
        )
    for name, value in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if value is not None and value.shape != (channels,):
            raise ValueError(
                f"instance_norm: {name} must have shape ({channels},) for input shape {input.shape}, "
                f"got {value.shape}"
            )
    xp = namespace(input.data)
    repeated = [
        None if stats is None else Tensor(xp.tile(stats.data, batch))
        for stats in (running_mean, running_var)
    ]
    out = batch_norm(
        input.reshape(1, batch * channels, *input.shape[2:]),
        repeated[0],
        repeated[1],
        None if weight is None else tile(weight, (batch,)),
        None if bias is None else tile(bias, (batch,)),
        use_input_stats,
        momentum,
        eps,
    )
    with no_grad():
        for stats, copies in zip((running_mean, running_var), repeated):
            if stats is not None and use_input_stats:
                stats.data[...] = copies.data.reshape(batch, channels).mean(axis=0)
    return out.reshape(input.shape)


__all__ = ["instance_norm"]
