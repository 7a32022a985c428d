"""A throw-away PostgreSQL cluster for the tuner's fault test and bench/bench_tune.py.

`initdb` and `postgres` refuse to run as root, so as root they run as the `postgres`
user (`runuser -u postgres --`), in temporary folders owned by it, listening on
127.0.0.1 at a free port with the socket in its own folder; fsync off (-F: nothing here
must survive a power cut). `pg_ctl stop -m fast` and the folders' removal end it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator


def postgres_bindir() -> str | None:
    """The folder of initdb/postgres/pg_ctl (Debian's /usr/lib/postgresql/N/bin, or PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def throwaway_cluster(bindir: str) -> Iterator[str]:
    """Start a fresh cluster; yield its postgresql:// URL; stop and remove it."""
    as_user: list[str] = []
    root = tempfile.mkdtemp(prefix="glassnet-pg-")
    data, sockets = os.path.join(root, "data"), os.path.join(root, "sockets")
    os.makedirs(sockets)
    if os.geteuid() == 0:  # initdb and postgres refuse root
        user = pwd.getpwnam("postgres")
        for path in (root, sockets):
            os.chown(path, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    try:
        subprocess.run(
            [*as_user, f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres"]
            + ["--no-sync"],
            check=True,
            capture_output=True,
            timeout=120,
        )
        port = _free_port()
        server = subprocess.Popen(
            [*as_user, f"{bindir}/postgres", "-D", data, "-k", sockets, "-p", str(port)]
            + ["-h", "127.0.0.1", "-F", "-c", "max_connections=300"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            _wait_ready(bindir, port, server)
            yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
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
    finally:
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
