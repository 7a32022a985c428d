"""glassnet vs PyTorch, whole training steps of the classic models, in one process.

Each model is built in glassnet and as a PyTorch twin with identical weights (the
twin's state dict is copied into the glassnet model). A training step is forward +
cross-entropy + backward + SGD(momentum=0.9) step; inference is forward in eval mode
under no_grad. The two frameworks run interleaved (glassnet, torch, glassnet, ...)
after warm-up, and the median times are compared as a ratio (above 1: glassnet is
slower). float32, batch 128.

    python bench/bench_models.py                 # the step table (each library's default threads)
    python bench/bench_models.py --memory        # + peak RSS of a ResNet-20 step, one process each
    python bench/bench_models.py --profile       # + time per op class of a glassnet ResNet-20 step
    python bench/bench_models.py --threads 1 --clock cpu   # steadier on a shared, loaded machine

On a loaded machine two-thread wall times swing by 2-10x (a thread waits for a core the
other jobs hold); one thread each and CPU time (`--threads 1 --clock cpu`) stays within
a few per cent, so that is the setting the table in RESULTS.md was measured with.
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


def measure(
    ours: Callable[[], None], theirs: Callable[[], None], repeat: int, warmup: int = 3
) -> tuple[float, float]:
    for _ in range(warmup):
        ours()
        theirs()
    ours_times, theirs_times = [], []
    for _ in range(repeat):
        start = CLOCK()
        ours()
        ours_times.append(CLOCK() - start)
        start = CLOCK()
        theirs()
        theirs_times.append(CLOCK() - start)
    return statistics.median(ours_times), statistics.median(theirs_times)


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


def step_table(repeat: int, only: str) -> None:
    import torch

    import glassnet

    print("| model | glassnet ms | torch ms | ratio | load |")
    print("|---|---:|---:|---:|---:|")
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
                    print(f"| {label} | n/a | | | |")
                    continue
            pair = eval_step(glassnet, ours, x), eval_step(torch, theirs, x)
        mine, other = measure(*pair, repeat=repeat)
        load = os.getloadavg()[0]
        print(
            f"| {label} | {mine * 1e3:.2f} | {other * 1e3:.2f} | {mine / other:.2f} | {load:.1f} |",
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=15, help="timed steps per framework and model"
    )
    parser.add_argument(
        "--only", default="", help="only models whose name contains this (mlp, lenet, resnet20)"
    )
    parser.add_argument(
        "--memory", action="store_true", help="also measure the peak RSS of a ResNet-20 step"
    )
    parser.add_argument(
        "--profile", action="store_true", help="also profile a glassnet step (per op class)"
    )
    parser.add_argument("--profile-mode", default="train", choices=("train", "eval", "fused"))
    parser.add_argument("--profile-model", default="resnet20", choices=("mlp", "lenet", "resnet20"))
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="threads for both torch and NumPy's BLAS (default: each library's own default); "
        "1 gives steadier ratios on a loaded machine",
    )
    parser.add_argument(
        "--clock",
        default="wall",
        choices=("wall", "cpu"),
        help="wall: perf_counter; cpu: process_time (only meaningful with --threads 1)",
    )
    parser.add_argument("--no-table", action="store_true", help="skip the step table")
    parser.add_argument("--memory-child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, default=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        if args.threads:
            from threadpoolctl import threadpool_limits

            threadpool_limits(args.threads)
        memory_child(args.memory_child, args.steps)
        return
    import torch

    import glassnet
    from machine import blas_info, cpu_model

    glassnet.utils.tune_malloc()  # as the glassnet command does; the whole process, torch too
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    if args.threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads, user_api="blas")
        torch.set_num_threads(args.threads)

    print(
        f"CPU: {cpu_model()}; {os.cpu_count()} cores; {torch.get_num_threads()} torch threads; "
        f"BLAS: {blas_info()}"
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
    if not args.no_table:
        step_table(args.repeat, args.only)
    if args.memory:
        memory_table(args.steps)
    if args.profile:
        profile(5, name=args.profile_model, mode=args.profile_mode)


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    main()
