"""Fixtures for the tuner tests: one BLAS thread, quiet Optuna, and a throw-away PostgreSQL cluster.

The cluster: `initdb` and `postgres` refuse to run as root, so as root they run as the
`postgres` user (`runuser -u postgres --`), in temporary folders owned by it, listening
on 127.0.0.1 at a free port with its socket in its own folder; fsync off (-F). It is
stopped (fast shutdown) and removed at the end. Without PostgreSQL's binaries the test
is skipped on a developer's machine, and FAILS in CI (CI set): `.ci/run` installs them.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

import optuna
import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    with threadpool_limits(1, user_api="blas"):
        yield


@pytest.fixture(autouse=True, scope="module")
def quiet_optuna():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    yield


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


@pytest.fixture(scope="module")
def postgres_url():
    """A postgresql:// URL of a fresh, empty cluster, stopped and removed afterwards."""
    bindir = _postgres_bin()
    if bindir is None:
        message = "PostgreSQL is not installed (apt-get install postgresql; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message + ": CI must run the PostgreSQL fault test")
        pytest.skip(message)
    as_user: list[str] = []
    root = tempfile.mkdtemp(prefix="glassnet-pg-")
    data, sockets = os.path.join(root, "data"), os.path.join(root, "sockets")
    os.makedirs(sockets)
    if os.geteuid() == 0:  # initdb and postgres refuse root
        user = pwd.getpwnam("postgres")
        for path in (root, sockets):
            os.chown(path, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_user, f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = _free_port()
    server = subprocess.Popen(
        [*as_user, f"{bindir}/postgres", "-D", data, "-k", sockets, "-p", str(port)]
        + ["-h", "127.0.0.1", "-F", "-c", "max_connections=60"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    try:
        _wait_ready(bindir, port, server)
        yield url
    finally:
        subprocess.run(
            [*as_user, f"{bindir}/pg_ctl", "-D", data, "stop", "-m", "fast", "-w"],
            capture_output=True,
            timeout=60,
        )
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


def _wait_ready(bindir: str, port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"postgres exited: {server.stderr.read().decode()[-2000:]}")
        ready = subprocess.run(
            [f"{bindir}/pg_isready", "-h", "127.0.0.1", "-p", str(port)], capture_output=True
        )
        if ready.returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError("postgres did not accept connections within 60 s")
