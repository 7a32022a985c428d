"""glassnet.utils.tune_malloc: importing glassnet leaves glibc's malloc alone; the `glassnet`
command and Trainer opt in, and GLASSNET_MALLOC_TUNING=0 says no.

Each case runs in a fresh interpreter whose ctypes.CDLL is replaced, before glassnet is
imported, by a spy that records every mallopt(param, value) call instead of making it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from glassnet import utils

GLIBC = sys.platform.startswith("linux") and os.confstr("CS_GNU_LIBC_VERSION") is not None
TUNED = [[utils.M_MMAP_THRESHOLD, 32 << 20], [utils.M_TRIM_THRESHOLD, 1 << 30]]

SPY = """
import ctypes, json
calls = []
RealCDLL = ctypes.CDLL


class Mallopt:  # records instead of calling; tune_malloc sets argtypes/restype on it
    def __call__(self, param, value):
        calls.append([param, value])
        return 1


class SpyCDLL:
    def __init__(self, *args, **kwargs):
        self._lib = RealCDLL(*args, **kwargs)

    def __getattr__(self, name):
        return Mallopt() if name == "mallopt" else getattr(self._lib, name)


ctypes.CDLL = SpyCDLL
"""

pytestmark = [pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's"), pytest.mark.timeout(240)]


def _run(code: str, switch: str | None = None) -> list:
    env = {key: value for key, value in os.environ.items() if key != utils.MALLOC_TUNING_ENV}
    if switch is not None:
        env[utils.MALLOC_TUNING_ENV] = switch
    finished = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=200
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout.strip().splitlines()[-1])


def test_importing_glassnet_calls_no_mallopt_and_trainer_calls_it_once():
    code = SPY + (
        "import glassnet, glassnet.cli, glassnet.data, glassnet.diagnose, glassnet.train\n"
        "from glassnet import nn, optim\n"
        "from glassnet.train import Trainer\n"
        "after_import = list(calls)\n"
        "model = nn.Linear(2, 2)\n"
        "Trainer(model, optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss())\n"
        "after_trainer = list(calls)\n"
        "again = glassnet.utils.tune_malloc()\n"
        "print(json.dumps([after_import, after_trainer, again, calls]))"
    )
    after_import, after_trainer, again, after_second_call = _run(code)
    assert after_import == []
    assert after_trainer == TUNED
    assert again is True and after_second_call == TUNED  # set once per process


@pytest.mark.parametrize("switch, expected", [(None, TUNED), ("0", []), ("off", [])])
def test_the_glassnet_command_applies_it_unless_switched_off(switch, expected):
    code = SPY + (
        "import contextlib, io\n"
        "from glassnet.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    status = main(['shape', '3x8x8', 'conv:4,k3'])\n"
        "print(json.dumps([status, calls]))"
    )
    assert _run(code, switch) == [0, expected]


def test_the_real_mallopt_accepts_the_thresholds():
    code = (
        "import json, glassnet\n"
        "from glassnet.utils import malloc_tuned, tune_malloc\n"
        "print(json.dumps([malloc_tuned(), tune_malloc(), malloc_tuned()]))"
    )
    assert _run(code) == [False, True, True]
