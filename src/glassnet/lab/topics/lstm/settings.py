"""lstm's settings and thresholds, all fixed before the first run."""

from __future__ import annotations

HIDDEN, BATCH, LR, NOISE_STD = 32, 64, 1e-2, 1.0
CONFIG = {  # lengths, Adam steps per run, replicates (seeds), test sequences per length
    "smoke": {"lengths": (50,), "steps": 300, "replicates": 1, "test": 500},
    "quick": {"lengths": (10, 25, 50, 100), "steps": 600, "replicates": 2, "test": 1000},
    "full": {
        "lengths": (5, 10, 20, 35, 50, 100, 200),
        "steps": 3000,
        "replicates": 3,
        "test": 2000,
    },
}
ARMS = {  # arm -> its cell (labels: notes/lstm.toml, text.arm_ARM)
    "rnn": "rnn",
    "lstm": "lstm",
    "lstm_chrono": "lstm",
    "lstm_bias1": "lstm",
}
# mean test accuracy: "fails" at or below 0.60 (chance 0.5), "learns" at or above 0.90
FAILS, LEARNS = 0.60, 0.90
# "steps to learn": running mean training loss below 0.1 (~90% confident)
LEARNED_LOSS, LOSS_WINDOW = 0.1, 20
GRADIENT_PROBE = 256  # sequences for the input-gradient ratio at initialisation
GATE_SEQUENCES, DRAWN_SEQUENCES = 200, 30  # the gate trace, and the sequences drawn of it


def arms_for(mode: str) -> list[str]:
    return ["rnn", "lstm", "lstm_chrono"] + (["lstm_bias1"] if mode == "full" else [])
