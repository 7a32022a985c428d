"""The attention weights of a trained `--model transformer` run, for one test sample.

Rebuilds the run's model from its config.json, loads best.safetensors, standardises one
test sample with the run's statistics (as training did) and plots every layer's attention
(`attention.attention_weights_figure`). Kept apart from `attention.py` because it needs the
training package, which `import glassnet.viz` should not pull in.
"""

from __future__ import annotations

import os
from pathlib import Path

from glassnet.serialization import load
from glassnet.tensor import Tensor
from glassnet.train.checkpoint import load_weights
from glassnet.train.job import make_model, read_config
from glassnet.train.job_data import load_job_data, standardize
from glassnet.viz.attention import attention_weights_figure, model_attention


def run_attention_figure(
    run: str | os.PathLike[str], path: str | os.PathLike[str], sample: int = 0
) -> tuple[Path, int, int]:
    """Plot the attention of run's best checkpoint on test sample `sample`; (path, label, predicted)."""
    run = Path(os.fspath(run))
    config = read_config(run)
    data = load_job_data(config["data"])
    if not 0 <= sample < len(data.test.y):
        raise ValueError(
            f"--sample {sample} is out of range: the test split has {len(data.test.y)} samples"
        )
    model = make_model(config, data.input_shape, len(data.classes))
    load_weights(model, run / "best.safetensors")
    stats = load(run / "standardize.safetensors", as_numpy=True)
    x = standardize(data.test.x[sample : sample + 1], stats["mean"], stats["std"])[0]
    maps = model_attention(model, x)
    model.eval()
    predicted = int(model(Tensor(x[None])).data.argmax())
    label = int(data.test.y[sample])
    title = f"{config['data']} test sample {sample}: class {label}, predicted {predicted}"
    return attention_weights_figure(data.test.x[sample], maps, path, title), label, predicted
