"""A run folder's trained model, taken out of glassnet: an ONNX file or a flat torch state dict.

A run checkpoint (best.safetensors, last.safetensors) nests the weights under `model/`
beside the optimiser and the RNG states. `export_torch_state_dict` writes the model's
`state_dict()` alone, flat, in safetensors: the keys and shapes are PyTorch's, so

    torch_model.load_state_dict(safetensors.torch.load_file(path))   # strict

loads it into the PyTorch twin of the architecture. The model is rebuilt as
`glassnet eval` rebuilds it (the run's config.json, its data's sample shape and classes,
then the checkpoint's weights). It takes inputs standardised as the run's training data
were: (x - mean) / std with the run's standardize.safetensors.
"""

from __future__ import annotations

import os
from pathlib import Path

from glassnet.nn.module import Module
from glassnet.serialization import save
from glassnet.train.checkpoint import load_weights
from glassnet.train.job import make_model, read_config
from glassnet.train.job_data import load_job_data

CHECKPOINTS = ("best", "last")


def load_run_model(
    run: str | os.PathLike[str], checkpoint: str = "best"
) -> tuple[Module, tuple[int, ...]]:
    """The run's model with the weights of `checkpoint` (best or last), in eval mode, and its sample shape."""
    if checkpoint not in CHECKPOINTS:
        raise ValueError(f"checkpoint must be 'best' or 'last', got {checkpoint!r}")
    folder = Path(os.fspath(run))
    config = read_config(folder)
    path = folder / f"{checkpoint}.safetensors"
    if not path.is_file():
        raise FileNotFoundError(f"'{folder}' has no {path.name}: train the run first")
    data = load_job_data(config["data"])
    model = make_model(config, data.input_shape, len(data.classes))
    load_weights(model, path)
    return model.eval(), tuple(data.input_shape)


def export_torch_state_dict(model: Module, path: str | os.PathLike[str]) -> int:
    """Write `model.state_dict()` flat to `path` (safetensors, atomic); returns the number of entries."""
    state = dict(model.state_dict())
    save(state, path)
    return len(state)
