"""glassnet.tune: hyper-parameter search on Optuna, one laptop or many machines, crash-safe.

    space = build_space("digits")                        # the data set's default space
    config = WorkerConfig(space, out="studies/digits-mlp", study_name="digits-mlp", n_trials=40)
    run_worker(config)                                   # trials: run folders under out
    study = open_study(open_storage(None, config.out), "digits-mlp", space)

space.py (what is searched), objective.py (a trial = a `glassnet train` run folder),
storage.py (journal file or database), recovery.py (dead workers' trials), study.py
(samplers, pruners), worker.py (the trial loop), report.py (table, best, plots).
"""

from glassnet.tune.objective import Objective, ReportToTrial, trial_folder
from glassnet.tune.recovery import fail_dead_trials
from glassnet.tune.space import PARAMETERS, Param, Space, build_space, load_space
from glassnet.tune.storage import Durability, open_storage
from glassnet.tune.study import PRUNERS, SAMPLERS, SpaceMismatchError, load_existing, open_study
from glassnet.tune.worker import WorkerConfig, run_worker, run_workers

__all__ = [
    "PARAMETERS",
    "PRUNERS",
    "SAMPLERS",
    "Durability",
    "Objective",
    "Param",
    "ReportToTrial",
    "Space",
    "SpaceMismatchError",
    "WorkerConfig",
    "build_space",
    "fail_dead_trials",
    "load_existing",
    "load_space",
    "open_storage",
    "open_study",
    "run_worker",
    "run_workers",
    "trial_folder",
]
