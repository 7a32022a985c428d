"""The search space: which `glassnet train` options a study varies, over which ranges.

A space is a small declarative spec: the options held fixed, and one `Param` per searched
hyper-parameter. It comes from the data set's defaults (DATASET_DEFAULTS), optionally
narrowed with `--search lr,units`, or from a TOML file:

    [fixed]                 # any `glassnet train` option
    epochs = 15

    [search.lr]             # a float range; log = true samples log-uniformly
    low = 1e-4
    high = 0.3
    log = true

    [search.units]          # an empty table: the parameter's default range (PARAMETERS)

    [search.activation]
    choices = ["relu", "tanh"]

    [search.batch_size]     # grid = [...]: the values the grid sampler tries
    grid = [32, 128]

The notes' hyper-parameters map to train options: lr, weight_decay (the regularisation
lambda), layers and units (hidden = [units] * layers), epochs, batch_size, loss (output
encoding and cost function), init, activation, dropout, optimizer, batchnorm and
train_fraction (the size of the training data).
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from glassnet.models import ACTIVATIONS, INITS
from glassnet.train.job import OPTIMIZERS, resolve_config
from glassnet.train.output_encoding import LOSSES


@dataclass(frozen=True)
class Param:
    """One searched hyper-parameter: a range (low..high, int or float, maybe log) or choices."""

    name: str
    kind: str  # "float", "int" or "categorical"
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[Any, ...] | None = None
    grid: tuple[Any, ...] | None = None

    def suggest(self, trial: Any) -> Any:
        """Draw this parameter's value from an Optuna trial."""
        if self.kind == "categorical":
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.kind == "int":
            return trial.suggest_int(self.name, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(self.name, float(self.low), float(self.high), log=self.log)

    def grid_values(self) -> list[Any]:
        """The values the grid sampler tries: `grid`, the choices, or low / middle / high."""
        if self.grid is not None:
            return list(self.grid)
        if self.choices is not None:
            return list(self.choices)
        low, high = float(self.low), float(self.high)
        middle = math.sqrt(low * high) if self.log else (low + high) / 2
        values = [low, middle, high]
        if self.kind == "int":
            values = sorted({round(value) for value in values})
        return values


# every searchable parameter with its default range (or choices); "default" = the model's own
_CHOICES: dict[str, tuple[Any, ...]] = {
    "activation": tuple(ACTIVATIONS),
    "init": ("default", *INITS),
    "optimizer": OPTIMIZERS,
    "loss": LOSSES,
    "batchnorm": (True, False),
}
PARAMETERS: dict[str, Param] = {
    "lr": Param("lr", "float", 1e-4, 0.3, log=True),
    "weight_decay": Param("weight_decay", "float", 1e-6, 1e-2, log=True),
    "layers": Param("layers", "int", 1, 3),
    "units": Param("units", "int", 16, 256, log=True),
    "epochs": Param("epochs", "int", 2, 40, log=True),
    "batch_size": Param("batch_size", "int", 16, 256, log=True),
    "dropout": Param("dropout", "float", 0.0, 0.5),
    "train_fraction": Param("train_fraction", "float", 0.1, 1.0, log=True),
    **{name: Param(name, "categorical", choices=values) for name, values in _CHOICES.items()},
}
# per data set: the options held fixed, and the parameters searched by default
DATASET_DEFAULTS: dict[str, dict[str, Any]] = {
    "digits": {
        "fixed": {"model": "mlp", "epochs": 10},
        "search": ("lr", "weight_decay", "layers", "units", "batch_size", "activation"),
    },
    "mnist1d": {
        "fixed": {"model": "mlp", "epochs": 20},
        "search": ("lr", "weight_decay", "layers", "units", "batch_size", "activation"),
    },
}
_GENERIC = {"fixed": {"model": "mlp", "epochs": 10}, "search": ("lr", "weight_decay", "batch_size")}
_DEFAULT_SHAPE = {"layers": 2, "units": 128}  # when only one of layers / units is searched
_PARAM_KEYS = {"low", "high", "log", "choices", "grid"}


@dataclass
class Space:
    """The fixed `glassnet train` options and the searched parameters of one study."""

    fixed: dict[str, Any]
    params: tuple[Param, ...]

    def suggest(self, trial: Any) -> dict[str, Any]:
        """A trial's `glassnet train` options: the fixed ones plus one draw of every parameter."""
        drawn = {param.name: param.suggest(trial) for param in self.params}
        return to_train_options(self.fixed, drawn)

    def grid(self) -> dict[str, list[Any]]:
        return {param.name: param.grid_values() for param in self.params}

    def to_json(self) -> str:
        """A canonical text of the space: studies compare it to refuse a different one."""
        params = [
            {k: v for k, v in asdict(param).items() if v is not None} for param in self.params
        ]
        return json.dumps({"fixed": self.fixed, "params": params}, sort_keys=True, default=list)


def to_train_options(fixed: dict[str, Any], drawn: dict[str, Any]) -> dict[str, Any]:
    """Map drawn parameters onto `glassnet train` options (layers x units -> hidden, 'default' -> None)."""
    options = {**fixed, **drawn}
    if "layers" in options or "units" in options:
        layers = int(options.pop("layers", _DEFAULT_SHAPE["layers"]))
        units = int(options.pop("units", _DEFAULT_SHAPE["units"]))
        options["hidden"] = [units] * layers
    if options.get("init") == "default":
        options["init"] = None
    return options


def _check_param(name: str, table: dict[str, Any], where: str) -> Param:
    if name not in PARAMETERS:
        raise ValueError(
            f"{where}: unknown parameter {name!r}; searchable: {', '.join(PARAMETERS)}"
        )
    unknown = sorted(set(table) - _PARAM_KEYS)
    if unknown:
        raise ValueError(
            f"{where}: parameter {name!r} has unknown key(s) {', '.join(unknown)}; "
            f"valid: {', '.join(sorted(_PARAM_KEYS))}"
        )
    base = PARAMETERS[name]
    grid = tuple(table["grid"]) if "grid" in table else None
    if base.kind == "categorical":
        choices = tuple(table.get("choices", base.choices))
        bad = [choice for choice in choices if choice not in base.choices]
        if not choices or bad:
            raise ValueError(
                f"{where}: {name} choices must be a non-empty subset of "
                f"{', '.join(map(str, base.choices))}, got {list(choices)}"
            )
        return Param(name, base.kind, choices=choices, grid=grid)
    if "choices" in table:
        raise ValueError(f"{where}: {name} is a range: give low/high (or grid), not choices")
    low, high = table.get("low", base.low), table.get("high", base.high)
    log = bool(table.get("log", base.log))
    if not low < high:
        raise ValueError(f"{where}: empty range for {name}: low {low!r} >= high {high!r}")
    if log and low <= 0:
        raise ValueError(f"{where}: {name} has log = true, so low must be > 0, got {low!r}")
    if grid is not None and not all(low <= value <= high for value in grid):
        raise ValueError(f"{where}: {name} grid {list(grid)} leaves the range [{low}, {high}]")
    return Param(name, base.kind, low, high, log=log, grid=grid)


def build_space(
    data: str,
    model: str | None = None,
    search: list[str] | None = None,
    fixed: dict[str, Any] | None = None,
    tables: dict[str, dict[str, Any]] | None = None,
    where: str = "search space",
) -> Space:
    """The space for `data`: the data set's defaults, `fixed` options over them, and either
    `tables` (name -> range/choices, as in TOML) or `search` (names, with default ranges)."""
    defaults = DATASET_DEFAULTS.get(data, _GENERIC)
    if tables is None:
        tables = {name: {} for name in (search or defaults["search"])}
    params = tuple(_check_param(name, table, where) for name, table in tables.items())
    if not params:
        raise ValueError(f"{where}: nothing to search; name at least one parameter")
    fixed = {**(fixed or {}), **({} if model is None else {"model": model})}
    clash = sorted(name for name in tables if name in fixed)
    if clash:
        raise ValueError(f"{where}: {', '.join(clash)} both fixed and searched")
    held = {key: value for key, value in defaults["fixed"].items() if key not in tables}
    fixed_options = {**held, **fixed, "data": data}
    # the options must make a valid run (an unknown option or a bad value fails here)
    resolve_config(to_train_options(fixed_options, {p.name: p.grid_values()[0] for p in params}))
    return Space(fixed_options, params)


def load_space(
    path: str | Path, data: str, model: str | None = None, fixed: dict[str, Any] | None = None
) -> Space:
    """A space from a TOML file with [fixed] and [search.NAME] tables (see the module docstring);
    `fixed` (e.g. --epochs) is added to the file's [fixed]."""
    path = Path(path)
    try:
        spec = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as problem:
        raise ValueError(f"{path}: not valid TOML: {problem}") from None
    unknown = sorted(set(spec) - {"fixed", "search"})
    if unknown:
        raise ValueError(f"{path}: unknown table(s) {', '.join(unknown)}; valid: fixed, search")
    tables = spec.get("search", {})
    if not tables:
        raise ValueError(f"{path}: no [search.NAME] table: nothing to search")
    fixed = {**spec.get("fixed", {}), **(fixed or {})}
    return build_space(data, model, fixed=fixed, tables=tables, where=str(path))
