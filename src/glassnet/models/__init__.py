"""The model zoo: `MLP`, `CNN`, and a registry from `--model` names to constructors.

    build_model("mlp", input_shape=(1, 8, 8), num_classes=10, hidden=(128, 64))
"""

from glassnet.models.cnn import CNN
from glassnet.models.layers import ACTIVATIONS, INITS
from glassnet.models.mlp import MLP
from glassnet.models.registry import MODELS, available_models, build_model, register_model

__all__ = ["ACTIVATIONS", "CNN", "INITS", "MLP", "MODELS", "available_models", "build_model", "register_model"]
