"""The compression topic: settings (sizes, budgets per mode, and the verdict thresholds).

Every threshold below was fixed before the final run; the catalog's rule texts name them.
"""

from __future__ import annotations

# data: scikit-learn's 8x8 digits, standardised (1,077 train, 720 test = val + test splits)
IMAGE = (1, 8, 8)

# the base CNN of the structural claims: conv 1->C, conv C->C, pool, conv C->C, FC -> 10
WIDTH = {"smoke": 8, "quick": 32, "full": 32}
SWAPPED = ["3", "7"]  # the two C->C 3x3 convs that the efficient blocks replace
GROUPS = 4  # group conv and channel shuffle
BOTTLENECK = 4  # 1x1 bottleneck: C -> C/4 -> 3x3 -> C

SEEDS = {"smoke": 1, "quick": 3, "full": 5}
EPOCHS = {"smoke": 1, "quick": 10, "full": 20}  # training from scratch (Adam, lr 1e-3, batch 64)
FINETUNE = {"smoke": 1, "quick": 5, "full": 10}  # epochs per retraining stage
N_TRAIN = {"smoke": 200, "quick": None, "full": None}  # None: the whole training split
LR, FINETUNE_LR = 1e-3, 1e-3  # Adam; fine-tuning at the training rate

# Deep Compression (Han et al. 2016) on the LeNet-like digits CNN
PRUNE = 0.8  # share of each large layer's weights removed (3 AGP rounds, retraining after each):
# the share issue 14 chose on the validation split (bench/RESULTS.md), not on this topic's test
CLUSTER_BITS = 5
LENET_EPOCHS = {"smoke": 3, "quick": 40, "full": 40}  # as bench/bench_compress.py
CHAIN_FINETUNE = {"smoke": 1, "quick": 10, "full": 20}  # per stage (bench: 20)

# SVD of the digits MLP 64-300-100-10's two large layers, and Tucker-2 of the CNN's convs
MLP_HIDDEN = (300, 100)
SVD_BUDGET = 0.3  # share of each factored layer's parameters kept
TUCKER_BUDGET = 0.4
CHANNELS_PRUNED = 0.5  # channel pruning: share of each conv's filters removed (L1 norm)

# distillation: teacher = the trained base CNN, student = MLP 64-STUDENT-10
STUDENT = 16
TEMPERATURE, ALPHA = 4.0, 0.9
STUDENT_EPOCHS = {"smoke": 2, "quick": 20, "full": 40}
SWEEP = {"smoke": (), "quick": (), "full": (1.0, 2.0, 8.0)}  # more temperatures (reported only)

# timing: CPU time (time.process_time, one BLAS thread), median of REPEATS calls
REPEATS = {"smoke": 3, "quick": 11, "full": 21}
TIME_BATCH = 128  # whole models on 8x8 digits
LAYER = {"smoke": (16, 8, 8), "quick": (64, 16, 16), "full": (64, 32, 32)}  # C, H, W
LAYER_BATCH = {"smoke": 4, "quick": 16, "full": 32}
SPARSE_LAYER = 1024  # a 1024 x 1024 Linear at the pruned density, beside the model's own layer
SPARSE_BATCHES = (1, 128)
RATIO_N = (16, 32, 64, 256, 1024)  # output channels N of the depthwise-ratio table (k = 3)
RATIO_AT = 32  # the N judged: the base CNN's width (quick and full)

# thresholds, fixed before measuring (accuracy in percentage points, paired by seed)
LOSS_HOLDS, LOSS_PARTLY = 1.0, 3.0  # mean paired accuracy loss allowed
BINARY_LOSS_HOLDS, BINARY_LOSS_PARTLY = 2.0, 5.0  # issue 14's BWN target: within 2 points
CUT_HOLDS = 2.0  # a structural swap must cut the swapped layers' MACs and params >= 2x
PRUNE_HOLDS, PRUNE_PARTLY = 5.0, 2.0  # sparse storage vs dense (Han: 12x on LeNet-5)
SHARE_HOLDS, SHARE_PARTLY = 3.0, 1.5  # weight sharing's gain over the pruned sparse storage
BINARY_HOLDS = 8.0  # binarised model's weight storage vs float32
HUFFMAN_HOLDS, HUFFMAN_PARTLY = 1.1, 1.0  # fixed-width bits / Huffman bits (Han: 1.2-1.4)
SVD_HOLDS = 3.0  # issue 15's target: >= 3x fewer FC parameters
RATIO_CLOSE = 0.10  # depthwise ratio: the notes' 1/Dk^2 within 10% of the measured ratio
EXACT = 1e-12  # a counted ratio equals a formula
SPEED_SHARE, SPEED_PARTLY = 0.5, 1.1  # speed: >= half the MAC cut as CPU speed-up; > 1.1x
GAIN_HOLDS = 1.0  # shuffle, distillation: mean paired gain >= 1 point ...
GAIN_SEEDS = 2 / 3  # ... and a gain in at least this share of the seeds
