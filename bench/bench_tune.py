"""glassnet tune's targets on MNIST-1D (issue 17), printed as Markdown for bench/RESULTS.md.

    python bench/bench_tune.py sampler   TPE vs random: best validation accuracy after
                                         each of TRIALS trials, over sampler seeds, and
                                         the default `glassnet train` configuration
    python bench/bench_tune.py pruning   TPE with median / hyperband pruning: best
                                         reached and training epochs spent
    python bench/bench_tune.py tables --sampler-json S.. --pruning-json P..
                                         both tables over all seeds of the JSON files
                                         (pruning against the sampler part's TPE runs:
                                         same seeds, no pruning)
    python bench/bench_tune.py workers   20 enqueued configurations on PostgreSQL (a
                                         throw-away cluster): 1 worker vs 2, wall time

The search: an MLP on MNIST-1D over lr, units, layers, weight decay, batch size and
activation, EPOCHS epochs per trial; the value is the validation accuracy of each run's
best checkpoint. One BLAS thread per process. Trials are ordinary run folders in a
temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import optuna
from threadpoolctl import threadpool_limits

from glassnet.train.job import resolve_config, train_run
from glassnet.tune import Objective, ReportToTrial, WorkerConfig, build_space, run_workers
from glassnet.tune.storage import Durability, open_storage
from glassnet.tune.study import make_pruner, open_study

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "tune"))
from pg_cluster import postgres_bindir, throwaway_cluster

SEARCH = ["lr", "units", "layers", "weight_decay", "batch_size", "activation"]
EPOCHS = 10


def _space():
    return build_space("mnist1d", search=SEARCH, fixed={"epochs": EPOCHS})


def _study_run(sampler: str, pruner: str, seed: int, trials: int, out: Path) -> dict:
    space = _space()
    make = {"tpe": optuna.samplers.TPESampler, "random": optuna.samplers.RandomSampler}
    study = optuna.create_study(
        direction="maximize",
        sampler=make[sampler](seed=seed),
        pruner=make_pruner(pruner, EPOCHS),
    )
    started = time.process_time()
    study.optimize(Objective(space, out / f"{sampler}-{pruner}-{seed}"), n_trials=trials)
    best, curve = 0.0, []
    for trial in study.trials:
        if trial.state == optuna.trial.TrialState.COMPLETE and trial.value > best:
            best = trial.value
        curve.append(best)
    epochs = sum(int(trial.user_attrs.get("epochs", 0)) for trial in study.trials)
    return {"curve": curve, "epochs": epochs, "cpu_s": time.process_time() - started}


def _default_value(out: Path, seed: int) -> float:
    """The default `glassnet train` MLP on MNIST-1D: val accuracy of its best checkpoint."""
    reporter = ReportToTrial(optuna.create_study().ask())
    config = resolve_config({"data": "mnist1d", "model": "mlp", "epochs": EPOCHS, "seed": seed})
    train_run(config, out / f"default-{seed}", callbacks=(reporter,))
    return reporter.best_checkpoint_value()


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} [{min(values):.3f}, {max(values):.3f}]"


def sampler_part(seeds: list[int], trials: int, out: Path) -> dict:
    runs = {
        name: [_study_run(name, "none", seed, trials, out) for seed in seeds]
        for name in ("tpe", "random")
    }
    defaults = [_default_value(out, seed) for seed in range(3)]
    sampler_table(runs, defaults, trials)
    return {"runs": runs, "defaults": defaults}


def sampler_table(runs: dict, defaults: list[float], trials: int) -> None:
    print(f"default configuration, val accuracy over train seeds 0-2: {_spread(defaults)}")
    print("\n| trials | TPE best val acc, median [min, max] | random |\n|---:|---|---|")
    for count in sorted({1, 5, 10, 20, 30, trials} & set(range(1, trials + 1))):
        cells = [_spread([run["curve"][count - 1] for run in runs[n]]) for n in ("tpe", "random")]
        print(f"| {count} | {cells[0]} | {cells[1]} |")


def pruning_part(seeds: list[int], trials: int, out: Path) -> dict:
    return {
        pruner: [_study_run("tpe", pruner, seed, trials, out) for seed in seeds]
        for pruner in ("median", "hyperband")
    }


def pruning_table(results: dict) -> None:
    """`results`: pruner -> runs, with "none" = the sampler part's TPE runs (same seeds)."""
    print(
        "\n| TPE with pruner | best val acc, median [min, max] | epochs trained, median | vs none |"
    )
    print("|---|---|---:|---:|")
    base = statistics.median(run["epochs"] for run in results["none"])
    for pruner, runs in results.items():
        epochs = statistics.median(run["epochs"] for run in runs)
        best = _spread([run["curve"][-1] for run in runs])
        print(f"| {pruner} | {best} | {epochs:.0f} | {epochs / base:.2f}x |")
    for pruner in ("median", "hyperband"):
        gaps = [n["curve"][-1] - p["curve"][-1] for n, p in zip(results["none"], results[pruner])]
        print(f"{pruner}: best below none's by {_spread(gaps)} (per seed)")


def workers_part(configs: int, out: Path) -> dict:
    bindir = postgres_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
    space, times = _space(), {}
    params = [_draw(space, seed) for seed in range(configs)]
    with throwaway_cluster(bindir) as url:
        for workers in (1, 2):
            name = f"workers-{workers}"
            study = open_study(open_storage(url, None), name, space, sampler="random")
            for values in params:
                study.enqueue_trial(values)
            config = WorkerConfig(
                space, str(out / name), name, configs, url, "random", "none",
                durability=Durability(), blas_threads=1, verbose=False,
            )  # fmt: skip
            load = os.getloadavg()
            started = time.perf_counter()
            codes = run_workers([config] * workers)
            times[workers] = {"wall_s": time.perf_counter() - started, "load": load}
            assert codes == [0] * workers, codes
            finished = len(study.get_trials(states=(optuna.trial.TrialState.COMPLETE,)))
            times[workers]["complete"] = finished
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    ratio = times[2]["wall_s"] / times[1]["wall_s"]
    print(f"\n1 worker: {times[1]['wall_s']:.1f} s wall (load before {times[1]['load']})")
    print(f"2 workers: {times[2]['wall_s']:.1f} s wall (load before {times[2]['load']})")
    print(f"ratio 2/1: {ratio:.2f}; uptime after: {uptime}")
    return {"times": times, "ratio": ratio, "uptime": uptime}


def _draw(space, seed: int) -> dict:
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    trial = study.ask()
    for param in space.params:
        param.suggest(trial)
    return dict(trial.params)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=("sampler", "pruning", "tables", "workers"))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0, help="sampler seeds from this one")
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--configs", type=int, default=20)
    parser.add_argument("--json", help="write the raw results here")
    parser.add_argument("--sampler-json", nargs="+", help="tables: the sampler parts' JSON")
    parser.add_argument("--pruning-json", nargs="+", help="tables: the pruning parts' JSON")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if args.part == "tables":  # merge runs over seeds, from several invocations
        sampled = [json.loads(Path(path).read_text()) for path in args.sampler_json]
        pruned = [json.loads(Path(path).read_text()) for path in args.pruning_json]
        runs = {
            name: sum((part["runs"][name] for part in sampled), []) for name in ("tpe", "random")
        }
        sampler_table(runs, sampled[0]["defaults"], args.trials)
        merged = {
            name: sum((part[name] for part in pruned), []) for name in ("median", "hyperband")
        }
        pruning_table({"none": runs["tpe"], **merged})
        return
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    with tempfile.TemporaryDirectory() as tmp, threadpool_limits(1, user_api="blas"):
        out = Path(tmp)
        if args.part == "sampler":
            result = sampler_part(seeds, args.trials, out)
        elif args.part == "pruning":
            result = pruning_part(seeds, args.trials, out)
        else:
            result = workers_part(args.configs, out)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
