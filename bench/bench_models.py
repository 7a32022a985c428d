"""glassnet vs PyTorch, whole training steps of the classic models, in one process.

Each model is built in glassnet and as a PyTorch twin with identical weights (the
twin's state dict is copied into the glassnet model). A training step is forward +
cross-entropy + backward + SGD(momentum=0.9) step; inference is forward in eval mode
under no_grad. The two frameworks run interleaved (glassnet, torch, glassnet, ...)
after warm-up, and the median times are compared as a ratio (above 1: glassnet is
slower). float32, batch 128.

    python bench/bench_models.py                 # the step table, both BLAS kernel settings
    python bench/bench_models.py --memory        # + peak RSS of a ResNet-20 step, one process each
    python bench/bench_models.py --profile       # + time per op class of a glassnet ResNet-20 step
    python bench/bench_models.py --threads 1 --clock cpu   # steadier on a shared, loaded machine

On a loaded machine two-thread wall times swing by 2-10x (a thread waits for a core the
other jobs hold); one thread each and CPU time (`--threads 1 --clock cpu`) stays within
a few per cent, so that is the setting the table in RESULTS.md was measured with.

The step table runs in child processes, once per OpenBLAS kernel setting, `--runs` times
each (alternating): "forced" keeps OPENBLAS_CORETYPE as the environment sets it (Haswell,
the AVX2 kernels CI forces, where it is unset) and "own" unsets OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE together, so OpenBLAS picks its kernels for this CPU; each column's
header names the kernel that ran (threadpoolctl's `architecture`). Per cell: the best
ratio over the runs [the worst]. Three steps are interleaved in each child: glassnet at
its default threads ("after"), glassnet with `glassnet.set_num_threads(1)` (the one-thread
path, the same code as before the thread pool: "1 thr") and PyTorch.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy

BATCH = 128
HERE = os.path.dirname(os.path.abspath(__file__))


# -- the PyTorch twins (same module names as glassnet's models, so state dicts match) --------
def torch_models() -> dict[str, Callable[[], Any]]:
    import torch
    import torch.nn.functional as TF
    from torch import nn

    class LeNet5(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 6, 5, padding=2),
                nn.Tanh(),
                nn.AvgPool2d(2),
                nn.Conv2d(6, 16, 5),
                nn.Tanh(),
                nn.AvgPool2d(2),
                nn.Conv2d(16, 120, 5),
                nn.Tanh(),
            )
            self.classifier = nn.Sequential(
                nn.Flatten(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10)
            )

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.classifier(self.features(x))

    class ZeroPad(nn.Module):  # option A: subsample, append zero channels
        def __init__(self, extra: int, stride: int) -> None:
            super().__init__()
            self.extra, self.stride = extra, stride

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return TF.pad(x[:, :, :: self.stride, :: self.stride], (0, 0, 0, 0, 0, self.extra))

    class Block(nn.Module):
        def __init__(self, inp: int, planes: int, stride: int) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(inp, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU()
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.downsample = (
                ZeroPad(planes - inp, stride) if stride != 1 or inp != planes else None
            )

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return self.relu(out + (x if self.downsample is None else self.downsample(x)))

    class ResNet20(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(16)
            self.relu = nn.ReLU()
            stages, planes = [], 16
            for stage, width in enumerate((16, 32, 64)):
                blocks = []
                for index in range(3):
                    blocks.append(Block(planes, width, 2 if stage and not index else 1))
                    planes = width
                stages.append(nn.Sequential(*blocks))
            self.layer1, self.layer2, self.layer3 = stages
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(64, 10)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x = self.relu(self.bn1(self.conv1(x)))
            x = self.layer3(self.layer2(self.layer1(x)))
            return self.fc(self.avgpool(x).flatten(1))

    def mlp() -> Any:
        return nn.Sequential(
            nn.Flatten(),
            nn.Linear(784, 300),
            nn.ReLU(),
            nn.Linear(300, 100),
            nn.ReLU(),
            nn.Linear(100, 10),
        )

    return {"mlp": mlp, "lenet": LeNet5, "resnet20": ResNet20}


def glassnet_model(name: str) -> Any:
    from glassnet.models.lenet import LeNet5
    from glassnet.models.mlp import MLP
    from glassnet.models.resnet_cifar import resnet20

    if name == "mlp":
        return MLP([784, 300, 100, 10])
    if name == "lenet":
        return LeNet5(input_size=28)
    return resnet20()


INPUTS = {"mlp": (784,), "lenet": (1, 28, 28), "resnet20": (3, 32, 32)}


def twins(name: str, seed: int = 0) -> tuple[Any, Any, numpy.ndarray, numpy.ndarray]:
    """(glassnet model, torch model) with the same weights, and a batch (x, labels)."""
    import torch

    torch.manual_seed(seed)
    theirs = torch_models()[name]()
    ours = glassnet_model(name)
    for module in theirs.modules():  # non-trivial BN statistics, so eval mode is a real test
        if isinstance(module, torch.nn.BatchNorm2d):
            with torch.no_grad():
                module.running_mean.uniform_(-0.1, 0.1)
                module.running_var.uniform_(0.5, 1.5)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.1, 0.1)
    ours.load_state_dict(
        {key: value.detach().numpy() for key, value in theirs.state_dict().items()}
    )
    rng = numpy.random.default_rng(seed)
    x = rng.standard_normal((BATCH, *INPUTS[name])).astype(numpy.float32)
    labels = rng.integers(0, 10, BATCH)
    return ours, theirs, x, labels


# -- one step of each framework ---------------------------------------------------------------
def train_step(lib: Any, model: Any, x: numpy.ndarray, labels: numpy.ndarray) -> Callable[[], None]:
    """forward + cross-entropy + backward + SGD(lr=0.01, momentum=0.9) step."""
    model.train()
    inputs, targets = lib.tensor(x), lib.tensor(labels)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def run() -> None:
        optimizer.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()

    return run


def eval_step(lib: Any, model: Any, x: numpy.ndarray) -> Callable[[], None]:
    model.eval()
    inputs = lib.tensor(x)

    def run() -> None:
        with lib.no_grad():
            model(inputs)

    return run


CLOCK = (
    time.perf_counter
)  # --clock cpu: time.process_time, steadier on a loaded machine with --threads 1


def measure(steps: list[Callable[[], None]], repeat: int, warmup: int = 3) -> list[float]:
    """Median time of each step, the steps interleaved (a, b, c, a, b, c, ...) after warm-up."""
    for _ in range(warmup):
        for step in steps:
            step()
    times: list[list[float]] = [[] for _ in steps]
    for _ in range(repeat):
        for step, taken in zip(steps, times):
            start = CLOCK()
            step()
            taken.append(CLOCK() - start)
    return [statistics.median(taken) for taken in times]


def one_thread(step: Callable[[], None]) -> Callable[[], None]:
    """The step with glassnet's thread pool off: the one-thread path, as before the pool."""
    import glassnet

    if not hasattr(glassnet, "set_num_threads"):  # a glassnet from before the thread pool
        return step

    def run() -> None:
        threads = glassnet.get_num_threads()
        glassnet.set_num_threads(1)
        try:
            step()
        finally:
            glassnet.set_num_threads(threads)

    return run


ROWS = [
    ("MLP 784-300-100-10", "mlp", "train"),
    ("LeNet-5 on 1x28x28", "lenet", "train"),
    ("ResNet-20 on 3x32x32, training", "resnet20", "train"),
    ("ResNet-20 inference (eval, no grad)", "resnet20", "eval"),
    ("ResNet-20 inference, conv-BN folded in both", "resnet20", "fused"),
]


def fused_pair(ours: Any, theirs: Any, x: numpy.ndarray) -> tuple[Any, Any]:
    """Both models with every BatchNorm folded into its conv: glassnet.nn.fusion vs torch.fx's fuse."""
    from torch.fx.experimental.optimization import fuse

    import glassnet
    from glassnet.nn.fusion import fuse_conv_bn

    ours.eval()
    theirs.eval()
    return fuse_conv_bn(ours, glassnet.tensor(x[:2])), fuse(theirs)


def check_outputs(name: str) -> float:
    """Largest |glassnet - torch| of the logits in train mode: the twins really are twins."""
    import torch

    import glassnet

    ours, theirs, x, _ = twins(name)
    got = ours(glassnet.tensor(x)).detach().numpy()
    want = theirs(torch.tensor(x)).detach().numpy()
    return float(numpy.abs(got - want).max())


def step_rows(repeat: int, only: str) -> list[dict[str, Any]]:
    """Per model: median ms of glassnet (default threads), glassnet on one thread, and torch."""
    import torch

    import glassnet

    rows = []
    for label, name, mode in ROWS:
        if only and only not in name:
            continue
        ours, theirs, x, labels = twins(name)
        if mode == "train":
            pair = train_step(glassnet, ours, x, labels), train_step(torch, theirs, x, labels)
        else:
            if mode == "fused":
                try:
                    ours, theirs = fused_pair(ours, theirs, x)
                except ImportError:  # a glassnet from before glassnet.nn.fusion existed
                    continue
            pair = eval_step(glassnet, ours, x), eval_step(torch, theirs, x)
        mine, single, other = measure([pair[0], one_thread(pair[0]), pair[1]], repeat=repeat)
        rows.append(
            {"label": label, "ours": mine, "one_thread": single, "torch": other}
            | {"load": os.getloadavg()[0]}
        )
    return rows


def step_table(repeat: int, only: str) -> None:
    """The table in this process, with the BLAS kernels the environment gives."""
    print("| model | glassnet ms | glassnet 1 thr ms | torch ms | ratio | ratio 1 thr | load |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in step_rows(repeat, only):
        print(
            f"| {row['label']} | {row['ours'] * 1e3:.2f} | {row['one_thread'] * 1e3:.2f} | "
            f"{row['torch'] * 1e3:.2f} | {row['ours'] / row['torch']:.2f} | "
            f"{row['one_thread'] / row['torch']:.2f} | {row['load']:.1f} |",
            flush=True,
        )


# -- the two BLAS kernel settings: one child process each --------------------------------------
KERNEL_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def kernel_env(kernel: str) -> dict[str, str]:
    """forced: OPENBLAS_CORETYPE as set here (else Haswell, as CI); own: both variables unset."""
    env = dict(os.environ)
    if kernel == "own":
        for name in KERNEL_VARIABLES:
            env.pop(name, None)
    else:
        env.setdefault("OPENBLAS_CORETYPE", "Haswell")
    return env


def kernel_child(repeat: int, only: str) -> None:
    """Print one JSON line: the kernel that ran and the step rows (run in a child process)."""
    from threadpoolctl import threadpool_info

    kernels = [p.get("architecture", "?") for p in threadpool_info() if p["user_api"] == "blas"]
    rows = step_rows(repeat, only)
    print(json.dumps({"kernel": "/".join(kernels), "rows": rows}))


def _cell(ratios: list[float]) -> str:
    return f"{min(ratios):.2f} [{max(ratios):.2f}]"


def kernel_table(repeat: int, only: str, runs: int, threads: int) -> None:
    """Both kernel settings, `runs` child processes each (alternating); ratios best [worst]."""
    results: dict[str, list[dict[str, Any]]] = {"forced": [], "own": []}
    for _ in range(runs):
        for kernel in results:
            command = [sys.executable, os.path.abspath(__file__), "--kernel-child"]
            command += ["--repeat", str(repeat), "--only", only, "--threads", str(threads)]
            out = subprocess.run(
                command, env=kernel_env(kernel), capture_output=True, text=True, timeout=1800
            )
            if out.returncode:
                raise SystemExit(f"bench child ({kernel} kernels) failed:\n{out.stderr}")
            results[kernel].append(json.loads(out.stdout.strip().splitlines()[-1]))
    names = {k: "/".join(sorted({r["kernel"] for r in runs_})) for k, runs_ in results.items()}
    print(
        f"ratio glassnet / torch, best of {runs} runs [worst]; 'after' = glassnet's default "
        f"threads ({threads or 'default'}), '1 thr' = glassnet.set_num_threads(1)\n"
    )
    print(
        f"| model | forced ({names['forced']}) after | forced 1 thr | own ({names['own']}) after | "
        "own 1 thr | glassnet / torch ms (own, best run) | load |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for index, row in enumerate(results["own"][0]["rows"]):
        cells = []
        for kernel in ("forced", "own"):
            rows = [run["rows"][index] for run in results[kernel]]
            cells.append(_cell([r["ours"] / r["torch"] for r in rows]))
            cells.append(_cell([r["one_thread"] / r["torch"] for r in rows]))
        best = min(
            (run["rows"][index] for run in results["own"]), key=lambda r: r["ours"] / r["torch"]
        )
        loads = [run["rows"][index]["load"] for k in results for run in results[k]]
        print(
            f"| {row['label']} | {' | '.join(cells)} | {best['ours'] * 1e3:.1f} / "
            f"{best['torch'] * 1e3:.1f} | {min(loads):.1f}-{max(loads):.1f} |",
            flush=True,
        )


# -- memory: one process per framework ------------------------------------------------------
def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def memory_child(framework: str, steps: int) -> None:
    """Run in a fresh process that imports only `framework`: print RSS after imports and the peak
    RSS over `steps` ResNet-20 training steps (KiB). The weights are each framework's own init."""
    if framework == "glassnet":
        import glassnet as lib
        from glassnet.models.resnet_cifar import resnet20 as make

        lib.utils.tune_malloc()  # as the glassnet command and Trainer do
    else:
        import torch as lib

        make = torch_models()["resnet20"]
    after_imports = _status_kib("VmRSS")
    lib.manual_seed(0)
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((BATCH, *INPUTS["resnet20"])).astype(numpy.float32)
    step = train_step(lib, make(), x, rng.integers(0, 10, BATCH))
    for _ in range(steps):
        step()
    print(json.dumps({"after_imports": after_imports, "peak": _status_kib("VmHWM")}))


def memory_table(steps: int) -> None:
    figures = {}
    for framework in ("glassnet", "torch"):
        out = subprocess.run(
            [
                sys.executable,
                os.path.abspath(__file__),
                "--memory-child",
                framework,
                "--steps",
                str(steps),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        figures[framework] = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        "\n| ResNet-20 training step, batch 128 | RSS after imports MiB | peak RSS MiB | peak - imports MiB |"
    )
    print("|---|---:|---:|---:|")
    for framework, f in figures.items():
        print(
            f"| {framework} | {f['after_imports'] / 1024:.0f} | {f['peak'] / 1024:.0f} | "
            f"{(f['peak'] - f['after_imports']) / 1024:.0f} |"
        )
    grown = {k: f["peak"] - f["after_imports"] for k, f in figures.items()}
    print(f"ratio glassnet / torch: {grown['glassnet'] / grown['torch']:.2f}")


# -- profile: time per Function class, forward and backward separately ------------------------
def profile(steps: int, name: str = "resnet20", mode: str = "train") -> None:
    """Wrap every Function subclass's forward/backward with a timer (bench-only, no engine change)."""
    import glassnet
    from glassnet.function import Function

    totals: dict[str, float] = defaultdict(float)

    def timed(cls: type, method: str) -> None:
        original = cls.__dict__[method]

        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            start = CLOCK()
            try:
                return original(self, *args, **kwargs)
            finally:
                totals[f"{cls.__name__}.{method}"] += CLOCK() - start

        setattr(cls, method, wrapper)

    def subclasses(cls: type) -> list[type]:
        found = []
        for sub in cls.__subclasses__():
            found += [sub] + subclasses(sub)
        return found

    for cls in subclasses(Function):
        for method in ("forward", "backward"):
            if method in cls.__dict__:
                timed(cls, method)
    ours, theirs, x, labels = twins(name)
    if mode == "fused":
        ours, _ = fused_pair(ours, theirs, x)
    step = (
        train_step(glassnet, ours, x, labels) if mode == "train" else eval_step(glassnet, ours, x)
    )
    for _ in range(2):
        step()
    totals.clear()
    start = CLOCK()
    for _ in range(steps):
        step()
    whole = (CLOCK() - start) / steps
    print(f"\nglassnet {name} {mode} step: {whole * 1e3:.1f} ms (mean of {steps}); time per op:")
    print("| op | ms per step | share |")
    print("|---|---:|---:|")
    accounted = 0.0
    for key, total in sorted(totals.items(), key=lambda item: -item[1]):
        per_step = total / steps
        accounted += per_step
        if per_step >= 0.2e-3:
            print(f"| {key} | {per_step * 1e3:.1f} | {per_step / whole:.0%} |")
    rest = whole - accounted
    print(
        f"| everything else (Python: apply, autograd walk, modules, optimizer) | {rest * 1e3:.1f} | "
        f"{rest / whole:.0%} |"
    )


def configure(threads: int, clock: str) -> None:
    """Threads of all three (torch, NumPy's BLAS, glassnet's pool) and the clock, for this process."""
    import torch

    import glassnet

    glassnet.utils.tune_malloc()  # as the glassnet command does; the whole process, torch too
    global CLOCK
    CLOCK = time.process_time if clock == "cpu" else time.perf_counter
    if threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads, user_api="blas")
        torch.set_num_threads(threads)
        if hasattr(glassnet, "set_num_threads"):
            glassnet.set_num_threads(threads)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--repeat", type=int, default=15, help="timed steps per framework and model")
    add("--only", default="", help="only models whose name contains this (mlp, lenet, resnet20)")
    add("--runs", type=int, default=2, help="child processes per kernel setting (best, worst)")
    add(
        "--kernels",
        default="both",
        choices=("both", "here"),
        help="both: the two OpenBLAS kernel settings, in child processes; here: this process only",
    )
    add("--memory", action="store_true", help="also measure the peak RSS of a ResNet-20 step")
    add("--profile", action="store_true", help="also profile a glassnet step (per op class)")
    add("--profile-mode", default="train", choices=("train", "eval", "fused"))
    add("--profile-model", default="resnet20", choices=("mlp", "lenet", "resnet20"))
    add(
        "--threads",
        type=int,
        default=0,
        help="threads for torch, NumPy's BLAS and glassnet (default: each library's own default); "
        "1 gives steadier ratios on a loaded machine",
    )
    add(
        "--clock",
        default="wall",
        choices=("wall", "cpu"),
        help="wall: perf_counter; cpu: process_time (only meaningful with --threads 1)",
    )
    add("--no-table", action="store_true", help="skip the step table")
    add("--memory-child", default="", help=argparse.SUPPRESS)
    add("--kernel-child", action="store_true", help=argparse.SUPPRESS)
    add("--steps", type=int, default=3, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.memory_child:
        if args.threads:
            from threadpoolctl import threadpool_limits

            threadpool_limits(args.threads)
        memory_child(args.memory_child, args.steps)
        return
    configure(args.threads, args.clock)
    if args.kernel_child:
        kernel_child(args.repeat, args.only)
        return
    import torch

    import glassnet
    from machine import blas_info, cpu_model

    print(
        f"CPU: {cpu_model()}; {os.cpu_count()} cores; {torch.get_num_threads()} torch threads; "
        f"{getattr(glassnet, 'get_num_threads', lambda: 'no')()} glassnet threads; BLAS here: {blas_info()}; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    print(
        f"numpy {numpy.__version__}, torch {torch.__version__}, glassnet {glassnet.__version__}; "
        f"median of {args.repeat} interleaved steps after 3 warm-up steps, float32, batch {BATCH}, "
        f"{'CPU time' if args.clock == 'cpu' else 'wall time'}"
    )
    print(
        "twins agree: "
        + ", ".join(
            f"{name} max |logit diff| {check_outputs(name):.1e}"
            for name in ("mlp", "lenet", "resnet20")
        )
        + "\n"
    )
    if not args.no_table and args.kernels == "both":
        kernel_table(args.repeat, args.only, args.runs, args.threads)
    elif not args.no_table:
        step_table(args.repeat, args.only)
    if args.memory:
        memory_table(args.steps)
    if args.profile:
        profile(5, name=args.profile_model, mode=args.profile_mode)
    print(f"load at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    main()
