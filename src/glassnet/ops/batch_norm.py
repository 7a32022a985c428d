"""batch_norm: statistics per channel, over the batch and spatial axes (0, 2, 3, ...).

The formulas are in `norm.py`, beside layer_norm and group_norm; BatchNorm has its own
file for its fast paths (per-channel sums as einsums, in-place steps) and for the
running estimates it updates in training. The input checks that all three share are here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from glassnet.backend import Array
from glassnet.function import Function
from glassnet.ops.cast import as_operand
from glassnet.parallel import min_items, parallel_for
from glassnet.tensor import Tensor


def check_float(input: Tensor, op: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: input must be floating point, got {input.dtype}")


def optional_param(value: Tensor | None, dtype, op: str, name: str) -> Tensor | None:
    if value is None:
        return None
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor or None, got {type(value).__name__}")
    return as_operand(value, dtype)


class BatchNorm(Function):
    """Batch normalisation over axis 1 (channels), in four steps per channel c:

        1. batch mean      mu_c      = mean of x[:, c, ...]           (over N and spatial axes)
        2. batch variance  var_c     = mean of (x[:, c, ...] - mu_c)^2 (biased: divides by n)
        3. normalise       xhat      = (x - mu_c) / sqrt(var_c + eps)
        4. scale and shift y         = gamma_c * xhat + beta_c

    In eval mode steps 1-2 are replaced by the running estimates, so y is an affine
    function of x, y = x * scale + shift per channel (which is how BN folds into the
    preceding convolution for inference), and dx = dy * gamma * invstd. In training mode the statistics depend
    on the batch, and with n values per channel

        dx = (1/n) * invstd * gamma * (n * dy - sum(dy) - xhat * sum(dy * xhat))
        dgamma = sum(dy * xhat),   dbeta = sum(dy)       (sums over N and spatial axes)

    Training also moves the running estimates towards the batch's, in place:
    running = (1 - momentum) * running + momentum * batch_stat, using the unbiased
    variance (times n / (n - 1)) for running_var. That is why the same layer gives
    different outputs in train and eval mode.

    Speed: the per-channel sums are einsums over the (N, C, pixels) view (one pass each,
    no temporary), and every other step works in place on the one array it allocates:
    forward five passes over the data (mean, centre, variance, scale, shift), backward
    seven (two sums, centre, four for dx), against eleven and thirteen with temporaries
    (timings in bench/RESULTS.md). The backward recomputes x - mean rather than keeping
    xhat: the graph holds on to x anyway (it is this node's input), so keeping xhat as
    well would add one activation per BN layer.

    Threads: each pass is split over blocks of images (`glassnet.parallel`); the
    per-channel sums of the blocks are added in block order, so they are the same every
    run (and, with one thread, exactly the one einsum over the whole batch).
    """

    def forward(
        self,
        x: Array,
        weight: Array | None,
        bias: Array | None,
        running_mean: Array | None = None,
        running_var: Array | None = None,
        training: bool = False,
        momentum: float = 0.1,
        eps: float = 1e-5,
    ) -> Array:
        xp = self.xp
        channels = x.shape[1]
        self.param_shape = (1, channels) + (1,) * (x.ndim - 2)
        self.training = training
        gamma = weight.reshape(self.param_shape) if weight is not None else None
        rows = x.reshape(x.shape[0], channels, -1)  # (N, C, pixels): sums run over axes 0 and 2
        y = xp.empty(rows.shape, dtype=x.dtype)
        if not training:  # fold everything into one scale and shift per channel: two passes over x
            invstd = 1.0 / xp.sqrt(running_var.astype(x.dtype, copy=False) + x.dtype.type(eps))
            scale = invstd if weight is None else invstd * weight
            shift = -running_mean * scale if bias is None else bias - running_mean * scale
            self.scale = scale.reshape(self.param_shape).astype(x.dtype, copy=False)
            if self.needs_input_grad[1] or self.needs_input_grad[2]:  # gamma/beta grads need xhat
                self.save(
                    x,
                    running_mean.reshape(self.param_shape).astype(x.dtype, copy=False),
                    invstd.reshape(self.param_shape),
                )
            _affine(
                xp, rows, y, scale.astype(x.dtype, copy=False), shift.astype(x.dtype, copy=False)
            )
            return y.reshape(x.shape)
        n = x.size // channels
        count = x.dtype.type(n)
        mean = _channel_sums(xp, rows) / count
        # centred first, so the variance has no cancellation; y holds x - mean, then xhat * gamma + beta
        var = _channel_sums(xp, rows, lambda a, b: _centre(xp, rows[a:b], mean, y[a:b])) / count
        invstd = 1.0 / xp.sqrt(var + x.dtype.type(eps))
        if running_mean is not None:
            running_mean *= 1.0 - momentum
            running_mean += momentum * mean
            running_var *= 1.0 - momentum
            running_var += (momentum * n / (n - 1)) * var
        _affine(xp, y, y, invstd if gamma is None else invstd * weight, bias)
        self.save(x, mean.reshape(self.param_shape), invstd.reshape(self.param_shape), gamma)
        self.count = n
        return y.reshape(x.shape)

    def backward(self, grad: Array) -> tuple[Array | None, Array | None, Array | None]:
        xp = self.xp
        channels = self.param_shape[1]
        need_x, need_weight, need_bias = self.needs_input_grad
        rows = grad.reshape(grad.shape[0], channels, -1)
        if not self.training:  # y = x * scale + shift
            if need_weight or need_bias:
                return self._eval_parameter_grads(grad)
            if not need_x:
                return None, None, None
            grad_x = xp.empty(rows.shape, dtype=grad.dtype)
            _affine(xp, rows, grad_x, self.scale.reshape(-1), None)
            return grad_x.reshape(grad.shape), None, None
        x, mean, invstd, gamma = self.saved
        sum_dy = _channel_sums(xp, rows)
        grad_x = sum_dy_xhat = None
        if need_x or need_weight:
            x_rows, mean = x.reshape(rows.shape), mean.reshape(-1)
            centered = xp.empty(rows.shape, dtype=grad.dtype)  # becomes dx below, in place
            sum_dy_xhat = _channel_sums(
                xp, rows, lambda a, b: _centre(xp, x_rows[a:b], mean, centered[a:b], rows[a:b])
            ) * invstd.reshape(-1)
        if need_x:
            # dx = scale * (dy - sum(dy)/n - xhat * sum(dy xhat)/n), xhat = centered * invstd: in place
            n = grad.dtype.type(self.count)
            scale = invstd if gamma is None else invstd * gamma
            grad_x = centered
            _dx(
                xp,
                grad_x,
                rows,
                invstd * (-sum_dy_xhat / n).reshape(self.param_shape),
                sum_dy / n,
                scale,
            )
        return (
            None if grad_x is None else grad_x.reshape(grad.shape),
            sum_dy_xhat if need_weight else None,
            sum_dy if need_bias else None,
        )

    def _eval_parameter_grads(self, grad: Array) -> tuple[Array | None, Array | None, Array | None]:
        """Eval mode with gradients for gamma or beta (rare: fine-tuning BN in eval mode)."""
        x, mean, invstd = self.saved
        need_x, need_weight, need_bias = self.needs_input_grad
        axes = (0,) + tuple(range(2, grad.ndim))
        grad_weight = (
            (grad * ((x - mean) * invstd)).sum(axis=axes).reshape(-1) if need_weight else None
        )
        grad_bias = grad.sum(axis=axes).reshape(-1) if need_bias else None
        return (grad * self.scale if need_x else None, grad_weight, grad_bias)


# -- the passes, each split over blocks of images (glassnet.parallel) -----------------------
def _blocks(xp: Any, rows: Array, body: Callable[[int, int], Any]) -> list[Any]:
    """body(start, stop) over glassnet's static split of the images of (N, C, pixels) rows."""
    return parallel_for(xp, rows.shape[0], body, min_items(rows[0].size))


def _channel_sums(
    xp: Any, rows: Array, product: Callable[[int, int], Array] | None = None
) -> Array:
    """Per channel, the sum over images and pixels of `rows` (N, C, pixels), or of the array
    product(start, stop) returns for each block of images; block sums added in block order."""
    if product is None:
        sums = _blocks(xp, rows, lambda a, b: xp.einsum("ncp->c", rows[a:b]))
    else:
        sums = _blocks(xp, rows, product)
    total = sums[0]
    for part in sums[1:]:
        total = total + part
    return total


def _centre(xp: Any, rows: Array, mean: Array, out: Array, other: Array | None = None) -> Array:
    """out = rows - mean per channel; the per-channel sum of out * out (or of other * out)."""
    xp.subtract(rows, mean[:, None], out=out)
    return xp.einsum("ncp,ncp->c", out if other is None else other, out)


def _affine(xp: Any, rows: Array, out: Array, scale: Array, shift: Array | None) -> None:
    """out = rows * scale + shift per channel, over blocks of images."""

    def block(a: int, b: int) -> None:
        xp.multiply(rows[a:b], scale[:, None], out=out[a:b])
        if shift is not None:
            out[a:b] += shift[:, None]

    _blocks(xp, rows, block)


def _dx(
    xp: Any, centered: Array, grad: Array, xhat_factor: Array, mean_dy: Array, scale: Array
) -> None:
    """In place: centered <- scale * (centered * xhat_factor + grad - mean_dy), per channel."""
    factor, scale = xhat_factor.reshape(-1, 1), scale.reshape(-1, 1)

    def block(a: int, b: int) -> None:
        part = centered[a:b]
        part *= factor
        part += grad[a:b]
        part -= mean_dy[:, None]
        part *= scale

    _blocks(xp, grad, block)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-05,
) -> Tensor:
    """Normalise each channel of an (N, C, *) input; see `BatchNorm` for the four steps.

    training=True uses the batch statistics and updates running_mean / running_var in
    place (when given); training=False uses the running statistics.
    """
    check_float(input, "batch_norm")
    if input.ndim < 2:
        raise ValueError(f"batch_norm: input must have shape (N, C, *), got shape {input.shape}")
    channels = input.shape[1]
    if (running_mean is None) != (running_var is None):
        raise ValueError(
            "batch_norm: running_mean and running_var must either both be None or neither be None"
        )
    for name, value in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if value is not None and (not isinstance(value, Tensor) or value.numel() != channels):
            size = value.numel() if isinstance(value, Tensor) else type(value).__name__
            raise ValueError(
                f"batch_norm: {name} should contain {channels} elements (one per channel, C={channels}), "
                f"got {size} (input shape {input.shape})"
            )
    if training:
        values_per_channel = input.numel() // channels if channels else 0
        if values_per_channel == 1:
            raise ValueError(
                f"batch_norm: Expected more than 1 value per channel when training, got input size {input.shape}"
            )
        if running_mean is not None and momentum is None:
            raise TypeError(
                "batch_norm: momentum must be a float, got None (nn.BatchNorm turns momentum=None "
                "into a cumulative-average factor before calling batch_norm)"
            )
    elif running_mean is None:
        raise ValueError(
            "batch_norm: running_mean and running_var must be given in evaluation mode (training=False)"
        )
    return BatchNorm.apply(
        input,
        optional_param(weight, input.dtype, "batch_norm", "weight"),
        optional_param(bias, input.dtype, "batch_norm", "bias"),
        running_mean=running_mean.data if running_mean is not None else None,
        running_var=running_var.data if running_var is not None else None,
        training=bool(training),
        momentum=float(momentum) if momentum is not None else None,
        eps=float(eps),
    )


__all__ = ["batch_norm", "check_float", "optional_param"]
