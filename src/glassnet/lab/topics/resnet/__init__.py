"""Residual networks vs plain networks as depth grows (He, Zhang, Ren & Sun, CVPR 2016).

The CIFAR-style nets of `glassnet.models.resnet_cifar` (6n + 2 layers, BatchNorm after
every conv) and their plain twins (the same layers without the additions, the same
parameter count), narrowed and fed the 8x8 digits (1,077 training images):

  * degradation: every depth trains until its training loss plateaus (settings.PLATEAU_GAIN,
    with a step cap that is reported when hit), over several seeds, and the TRAINING
    errors are compared: a deeper plain net that fits its own training set worse at its
    plateau is harder to optimise (the paper's figures 1 and 6); one that is only worse at
    a fixed budget converges more slowly, which is another claim;
  * the backward signal layer by layer (`glassnet.diagnose.gradient_flow`: RMS of dL/dy at
    every conv over that at the classifier), at initialisation and at the plateau: is the
    gradient of the deep plain BN nets vanishing, as the notes guess?
  * "a deeper net is at least as good, given ideal training": the notes' construction, built
    exactly (a trained shallow ResNet plus identity blocks), then whether SGD finds it;
  * costs: parameters and multiply-accumulates per image (glassnet.summary), autograd nodes
    of the backward pass, CPU time per step (reported, never asserted);
  * exploding gradients: the first conv's weight gradient over the classifier's, its growth
    with depth at initialisation and over early training, with BatchNorm (the notes' nets)
    and, beside, without it (measure_exploding);
  * the block's definition, relu(f(x) + x), checked on the zoo's block (measure_block), and
    the notes' motive judged as the conjunction of the claims it rests on.
"""

from __future__ import annotations

from glassnet.lab.kit.clock import Clock
from glassnet.lab.kit.machine import one_blas_thread
from glassnet.lab.registry import experiment
from glassnet.lab.result import Result
from glassnet.lab.topics.resnet import (
    judge,
    judge_exploding,
    judge_gradients,
    measure,
    measure_block,
    measure_exploding,
)
from glassnet.lab.topics.resnet.figures import (
    construction_table,
    depth_table,
    exploding_table,
    figures,
)
from glassnet.lab.topics.resnet.settings import (
    BATCH,
    CONFIG,
    FITTED_LOSS,
    LR,
    MOMENTUM,
    PLATEAU_GAIN,
)


@experiment("resnet")
def run(mode: str, seed: int) -> Result:
    clock, config = Clock(), CONFIG[mode]
    data = measure.digits()
    with one_blas_thread():
        runs = measure.measure(mode, seed, data)
        built = measure.construction(runs, data, mode)
        bare = measure_exploding.unnormalised(mode, seed, data)
        block = measure_block.measure_block(seed)
    result = Result.start("resnet", mode, seed)
    c = judge.context(runs, mode)
    judge_exploding.judge_block(result, block)
    judge_gradients.judge_shortcut(result, runs, c)
    judge.judge_deeper(result, c, built)
    judge.judge_plain_degrades(result, c)
    judge.judge_solves(result, c)
    judge.judge_training_error(result, c)
    judge_gradients.judge_efficiency(result, runs, c, config["depths"])
    judge.judge_better_than_shallow(result, c)
    judge_gradients.judge_vanishing(result, runs, c)
    judge_gradients.judge_backprop(result, runs, c)
    judge_exploding.judge_exploding(result, runs, bare, c)
    judge_exploding.judge_motive(result)
    depth_table(result, runs, mode)
    construction_table(result, built, mode)
    exploding_table(result, runs, bare, mode)
    figures(result, runs, mode)
    result.setup = result.say(
        "setup",
        depths=", ".join(map(str, config["depths"])),
        widths=str(config["widths"]),
        lr=LR,
        momentum=MOMENTUM,
        batch=BATCH,
        seeds=config["seeds"],
        eval_every=config["eval_every"],
        gain=PLATEAU_GAIN * 100,
        patience=config["patience"],
        fitted=FITTED_LOSS,
        cap=config["cap"],
        time=clock.note(),
    )
    return result
