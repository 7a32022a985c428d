"""Measurements behind the notes' claims about style and content layers (plain data out).

The notes (风格转换的原理) say the result is computed from style and content features
together, that deeper style layers are "more concrete, with more content mixed in",
and that deeper content layers "mix in more style and look less like the original".
Three measurements, each returning numbers and pictures (no judging, no figures):

- `content_by_depth`: from noise, match ONE layer's features of the content picture;
  per layer the similarity of the reconstruction to the original: SSIM (structure)
  and PSNR (pixels). Deeper layers keeping the layout but losing the pixels would show
  as SSIM and PSNR falling with depth.
- `style_by_depth`: from noise, match the Gram matrices of layer sets of growing depth
  (relu1_1; relu1_1 + relu2_1; ... as in Gatys et al.'s Fig. 1); per set the
  correlation length of the result (`correlation_length`), the size of its structures.
- `weight_sweep`: style transfers over a range of style/content weight ratios; the two
  final losses of each (relative to their targets, as in transfer.py).

The depth measurements need a deep network: `RandomVGG` at VGG-19's full widths
(random He-normal weights, each layer calibrated on the picture) unless a VGG-19 with
trained weights is passed. Reconstructions start from uniform noise, as in Gatys et al. `MODES` gives the picture
sizes and step budgets of the quick mode (small pictures) and the full one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy
import scipy.fft
from scipy.ndimage import gaussian_filter

from glassnet import optim
from glassnet.style.features import FeatureExtractor
from glassnet.style.features_vgg import GATYS_STYLE, RandomVGG, VGGFeatures
from glassnet.style.transfer import Objective, transfer
from glassnet.tensor import Tensor

MODES = {"quick": {"size": 64, "steps": 40}, "full": {"size": 256, "steps": 200}}
DEPTH_LAYERS = GATYS_STYLE  # relu1_1 .. relu5_1


@dataclass
class Reconstruction:
    """One reconstruction: which layers, the picture (3, H, W) and its measures."""

    layers: tuple[str, ...]
    image: numpy.ndarray
    loss_start: float
    loss_end: float
    ssim: float = float("nan")
    psnr: float = float("nan")
    correlation_length: float = float("nan")


@dataclass
class SweepPoint:
    """One style transfer of the weight sweep: style/content ratio, losses, picture."""

    ratio: float
    image: numpy.ndarray
    content_loss: float
    style_loss: float


# -- measures ------------------------------------------------------------------------
def ssim(image: numpy.ndarray, reference: numpy.ndarray, data_range: float = 1.0) -> float:
    r"""Mean structural similarity (Wang et al. 2004) of two (C, H, W) pictures, over channels.

    With Gaussian-weighted local means mu, variances sigma^2 and covariance sigma_xy
    (window sigma 1.5, truncated at 3.5 sigma)::

        SSIM = (2 mu_x mu_y + C1)(2 sigma_xy + C2) / ((mu_x^2 + mu_y^2 + C1)(sigma_x^2 + sigma_y^2 + C2))

    C1 = (0.01 L)^2, C2 = (0.03 L)^2 with L the data range; averaged over positions at
    least 3.5 sigma from the border, then over channels (scikit-image's
    `structural_similarity(..., gaussian_weights=True)`).
    """
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    scores = []
    for x, y in zip(numpy.asarray(image, numpy.float64), numpy.asarray(reference, numpy.float64)):

        def blur(a: numpy.ndarray) -> numpy.ndarray:
            return gaussian_filter(a, sigma=1.5, truncate=3.5)

        mu_x, mu_y = blur(x), blur(y)
        var_x = blur(x * x) - mu_x**2
        var_y = blur(y * y) - mu_y**2
        cov = blur(x * y) - mu_x * mu_y
        score = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / (
            (mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2)
        )
        pad = int(3.5 * 1.5 + 0.5)
        scores.append(score[pad:-pad, pad:-pad].mean())
    return float(numpy.mean(scores))


def psnr(image: numpy.ndarray, reference: numpy.ndarray, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB: 10 log10(L^2 / mean (x - y)^2) (the pixel measure)."""
    error = float(numpy.mean((numpy.asarray(image, numpy.float64) - reference) ** 2))
    return float("inf") if error == 0 else 10.0 * numpy.log10(data_range**2 / error)


def correlation_length(image: numpy.ndarray) -> float:
    """The radius (pixels) at which the grey picture's autocorrelation falls to 1/e.

    The autocorrelation of the mean-removed grey values g, through the FFT with zero
    padding (so it does not wrap), each shift averaged over the pixel pairs it has:
    A(r) = mean_x g(x) g(x + r) / mean_x g(x)^2, then over directions (rings of radius
    r, up to half the short side), linearly interpolated. Larger structures in a
    picture make a longer correlation length; white noise has ~0.5.
    """
    grey = numpy.asarray(image, numpy.float64).mean(axis=0)
    grey = grey - grey.mean()
    height, width = grey.shape
    shape = (2 * height, 2 * width)
    auto = scipy.fft.irfft2(numpy.abs(scipy.fft.rfft2(grey, s=shape)) ** 2, s=shape)
    pairs = scipy.fft.irfft2(
        numpy.abs(scipy.fft.rfft2(numpy.ones_like(grey), s=shape)) ** 2, s=shape
    )
    auto = auto / numpy.maximum(pairs, 0.5)  # the mean over the overlapping pairs at each shift
    if auto[0, 0] <= 0:
        return 0.0
    auto /= auto[0, 0]
    rows = numpy.minimum(numpy.arange(shape[0]), shape[0] - numpy.arange(shape[0]))
    cols = numpy.minimum(numpy.arange(shape[1]), shape[1] - numpy.arange(shape[1]))
    radius = numpy.rint(numpy.hypot(rows[:, None], cols[None, :])).astype(int)
    limit = min(height, width) // 2
    inside = radius <= limit
    sums = numpy.bincount(radius[inside], weights=auto[inside], minlength=limit + 1)
    counts = numpy.bincount(radius[inside], minlength=limit + 1)
    profile = sums / numpy.maximum(counts, 1)
    below = numpy.nonzero(profile <= numpy.exp(-1))[0]
    if len(below) == 0:
        return float(limit)
    r = below[0]
    a, b = profile[r - 1], profile[r]
    return float(r - 1 + (a - numpy.exp(-1)) / (a - b))


# -- reconstructions -----------------------------------------------------------------
def _minimise(
    objective: Objective, start: numpy.ndarray, steps: int
) -> tuple[numpy.ndarray, float, float]:
    """L-BFGS (strong Wolfe) on the pixels from `start`; the picture and the first/last loss."""
    image = Tensor(start[None].astype(numpy.float32).copy(), requires_grad=True)
    losses: list[float] = []

    def closure() -> Tensor:
        image.grad = None
        loss, _ = objective(image)
        loss.backward()
        losses.append(float(loss))
        return loss

    solver = optim.LBFGS(
        [image],
        max_iter=steps,
        max_eval=max(1, steps - 1),
        history_size=50,
        tolerance_grad=0.0,
        tolerance_change=0.0,
        line_search_fn="strong_wolfe",
    )
    solver.step(closure)
    return numpy.clip(image.data[0], 0.0, 1.0), losses[0], losses[-1]


def _noise(shape: tuple[int, ...], seed: int) -> numpy.ndarray:
    return numpy.random.default_rng(seed).random(shape).astype(numpy.float32)


def _deep_features(image: numpy.ndarray, network: VGGFeatures | None, seed: int) -> VGGFeatures:
    if network is not None:
        return network
    vgg = RandomVGG(width=1.0, seed=seed)  # VGG-19's full widths: narrower ones invert worse
    vgg.calibrate(Tensor(image[None]))
    return vgg


def content_by_depth(
    content: numpy.ndarray,
    layers: Sequence[str] = DEPTH_LAYERS,
    steps: int = 40,
    network: VGGFeatures | None = None,
    seed: int = 0,
) -> list[Reconstruction]:
    """Reconstruct `content` (3, H, W) from each layer alone, starting from noise.

    Loss: mean((F_l(x) - F_l(c))^2) / mean(F_l(c)^2). Measures: SSIM and PSNR to `content`.
    """
    vgg = _deep_features(content, network, seed)
    results = []
    for layer in layers:
        objective = Objective(vgg.with_layers((), (layer,)), content, content, 1.0, 0.0, 0.0)
        image, start, end = _minimise(objective, _noise(content.shape, seed), steps)
        results.append(
            Reconstruction(
                (layer,), image, start, end, ssim=ssim(image, content), psnr=psnr(image, content)
            )
        )
    return results


def style_by_depth(
    style: numpy.ndarray,
    layers: Sequence[str] = DEPTH_LAYERS,
    steps: int = 40,
    network: VGGFeatures | None = None,
    seed: int = 0,
) -> list[Reconstruction]:
    """Texture from noise matching the Gram matrices of layers[:1], layers[:2], ...

    Loss: sum_l mean((G_l(x) - G_l(s))^2) / mean(G_l(s)^2). Measure: correlation length.
    """
    vgg = _deep_features(style, network, seed)
    results = []
    for depth in range(1, len(layers) + 1):
        chosen = tuple(layers[:depth])
        objective = Objective(vgg.with_layers(chosen, ()), style, style, 0.0, 1.0, 0.0)
        image, start, end = _minimise(objective, _noise(style.shape, seed), steps)
        results.append(
            Reconstruction(chosen, image, start, end, correlation_length=correlation_length(image))
        )
    return results


def weight_sweep(
    content: numpy.ndarray,
    style: numpy.ndarray,
    features: FeatureExtractor,
    ratios: Sequence[float] = (0.1, 1.0, 10.0, 100.0, 1000.0),
    steps: int = 40,
) -> list[SweepPoint]:
    """`transfer` with content_weight 1 and style_weight = ratio, for each ratio.

    The losses reported are the unweighted relative ones of transfer.py at the end.
    """
    points = []
    for ratio in ratios:
        result = transfer(
            content, style, features, content_weight=1.0, style_weight=ratio, steps=steps
        )
        last = result.history[-1]
        points.append(SweepPoint(ratio, result.image, last["content"], last["style"]))
    return points
