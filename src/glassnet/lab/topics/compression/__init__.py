"""CNN compression and acceleration: the notes' thirteen techniques and two numbers, measured.

The notes list 1. sensible model design, 2. weight pruning into sparse matrices,
3. weight quantisation (clustering), 4. binarisation (BWN, XNOR-Net), 5. Huffman coding,
6. SVD of fully connected layers, 7. 1x1 convolutions to reduce channels, 8. depthwise +
pointwise factorisation, "1/(Dk^2)" of the computation and parameters, 9. group convolution,
"saves 1/g of the computation", 10. channel shuffle, 11. distillation, 12. low-rank
factorisation, 13. model pruning (channels). Each is applied with glassnet.compress to a
small model trained on the 8x8 digits in this run, and judged on what it claims: size
(paired accuracy change by seed), or an exact count (the two numbers), or accuracy (shuffle,
distillation). Where the notes imply a speed-up as well, the speed is a separate lab claim,
measured as CPU time with one BLAS thread.

    measure.py   measure(mode, seed) -> plain data (measure_chain, measure_structure, measure_layers)
    judge_*.py   one judge per claim, rules in rules.py, thresholds in settings.py
    figures.py   accuracy against size; CPU speed-up against the MAC cut
    tables.py    the chain's stages; the CNN's variants
"""

from __future__ import annotations

from glassnet.lab.kit.costs import add_cost_table
from glassnet.lab.registry import experiment
from glassnet.lab.result import Result
from glassnet.lab.topics.compression.figures import accuracy_vs_size, speed_vs_cut
from glassnet.lab.topics.compression.judge_layers import judge_layers
from glassnet.lab.topics.compression.judge_storage import (
    judge_binarisation,
    judge_huffman,
    judge_pruning,
    judge_pruning_speed,
    judge_quantisation,
    judge_svd,
)
from glassnet.lab.topics.compression.judge_structure import judge_structure
from glassnet.lab.topics.compression.measure import measure
from glassnet.lab.topics.compression.models import images
from glassnet.lab.topics.compression.settings import (
    CLUSTER_BITS,
    EPOCHS,
    GROUPS,
    LENET_EPOCHS,
    N_TRAIN,
    PRUNE,
    SEEDS,
    WIDTH,
)
from glassnet.lab.topics.compression.tables import chain_table, structure_table, temperature_table


@experiment("compression", exclusive=True)
def run(mode: str, seed: int) -> Result:
    result = Result.start("compression", mode, seed)
    data = measure(mode, seed)
    result.setup = result.say(
        "setup", seeds=SEEDS[mode], width=WIDTH[mode], epochs=EPOCHS[mode],
        lenet_epochs=LENET_EPOCHS[mode], prune=PRUNE, bits=CLUSTER_BITS, groups=GROUPS,
        n_train=len(images(N_TRAIN[mode]).y_train), n_test=len(images(N_TRAIN[mode]).y_test),
    )  # fmt: skip
    chain = data["chain"]
    chain_table(result, chain)
    structure_table(result, data["structure"])
    temperature_table(result, data["structure"])
    judge_pruning(result, chain)
    judge_pruning_speed(result, data["sparse"], chain[0]["density"])
    judge_quantisation(result, chain)
    judge_binarisation(result, chain)
    judge_huffman(result, chain)
    judge_svd(result, data["svd"])
    judge_layers(result, data["layers"])
    judge_structure(result, data["structure"])
    accuracy_vs_size(result, data)
    speed_vs_cut(result, data)
    add_cost_table(result, data["costs"])
    return result
