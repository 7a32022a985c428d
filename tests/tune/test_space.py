"""The search space: defaults per data set, TOML specs, and one clear error per bad spec."""

from __future__ import annotations

import optuna
import pytest

from glassnet.tune import PARAMETERS, build_space, load_space
from glassnet.tune.space import to_train_options


def test_digits_default_space_searches_the_notes_first_six():
    space = build_space("digits")
    assert [p.name for p in space.params] == [
        "lr", "weight_decay", "layers", "units", "batch_size", "activation"
    ]  # fmt: skip
    assert space.fixed == {"model": "mlp", "epochs": 10, "data": "digits"}
    assert PARAMETERS["lr"].log and PARAMETERS["lr"].kind == "float"


def test_suggested_options_are_train_options():
    space = build_space("digits", search=["layers", "units", "init", "loss", "train_fraction"])
    trial = optuna.create_study().ask()
    options = space.suggest(trial)
    assert options["hidden"] == [trial.params["units"]] * trial.params["layers"]
    assert "layers" not in options and "units" not in options
    assert options["loss"] in ("cross_entropy", "bce", "mse")
    assert 0.1 <= options["train_fraction"] <= 1.0
    assert to_train_options({}, {"init": "default"}) == {"init": None}


def test_toml_space(tmp_path):
    path = tmp_path / "space.toml"
    path.write_text(
        "[fixed]\nepochs = 3\noptimizer = 'sgd'\n"
        "[search.lr]\nlow = 0.01\nhigh = 0.5\nlog = true\n"
        "[search.activation]\nchoices = ['relu', 'tanh']\n"
        "[search.batch_size]\ngrid = [32, 128]\n"
    )
    space = load_space(path, "mnist1d")
    assert space.fixed == {"model": "mlp", "epochs": 3, "optimizer": "sgd", "data": "mnist1d"}
    assert space.grid() == {
        "lr": [0.01, pytest.approx(0.5**0.5 * 0.1), 0.5],
        "activation": ["relu", "tanh"],
        "batch_size": [32, 128],
    }


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[search.momentum]\n", "unknown parameter 'momentum'"),
        ("[search.lr]\nlow = 0.1\nhigh = 0.01\n", "empty range for lr: low 0.1 >= high 0.01"),
        ("[search.lr]\nlow = 0.0\nhigh = 0.1\nlog = true\n", "low must be > 0"),
        ("[search.lr]\nlow = 0.001\nstep = 2\n", "unknown key(s) step"),
        ("[search.activation]\nchoices = []\n", "non-empty subset"),
        ("[search.activation]\nchoices = ['swish']\n", "non-empty subset"),
        ("[fixed]\nlr = 0.1\n[search.lr]\n", "lr both fixed and searched"),
        ("[fixed]\nmomentum = 0.9\n[search.lr]\n", "unknown option(s) momentum"),
        ("[fixed]\nepochs = 2\n", "nothing to search"),
        ("[serach.lr]\n", "unknown table(s) serach"),
        ("[search.lr\n", "not valid TOML"),
    ],
)
def test_bad_space_is_one_clear_error(tmp_path, toml, message):
    path = tmp_path / "space.toml"
    path.write_text(toml)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_space(path, "digits")
