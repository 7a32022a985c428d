"""glassnet.malloc_tuning: glibc's thresholds are raised at import, and the environment can say no."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import glassnet  # noqa: F401  (importing the package applies the tuning)
from glassnet import malloc_tuning

GLIBC = sys.platform.startswith("linux") and os.confstr("CS_GNU_LIBC_VERSION") is not None


def _applied_in_fresh_process(env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != malloc_tuning.ENV}
    if env_value is not None:
        env[malloc_tuning.ENV] = env_value
    code = "import glassnet.malloc_tuning as m, glassnet; print(m.applied)"
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.strip()


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
@pytest.mark.timeout(240)
def test_thresholds_are_set_at_import_unless_switched_off():
    assert _applied_in_fresh_process(None) == "True"
    assert _applied_in_fresh_process("0") == "False"
    assert _applied_in_fresh_process("off") == "False"


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_tune_malloc_is_idempotent():
    if os.environ.get(malloc_tuning.ENV, "1") in ("0", "false", "no", "off"):
        pytest.skip("switched off in this environment")
    assert malloc_tuning.applied
    assert malloc_tuning.tune_malloc() is True
