"""A throwaway PostgreSQL server from Debian's ``postgresql`` package, on a free loopback port, with
its data in a new temporary folder. PostgreSQL refuses to run as root, so as root the server runs
as the package's ``postgres`` user (through ``runuser``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.service import free_port


def server_binaries() -> Path | None:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    return versions[-1].parent if versions else None


@contextmanager
def postgres_server() -> Iterator[str]:
    """The database URL of a running server, stopped and removed afterwards."""
    binaries = server_binaries()
    if binaries is None:
        pytest.skip("PostgreSQL is not installed: apt-get install postgresql (make test does)")
    as_root = os.geteuid() == 0
    if as_root and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: PostgreSQL cannot be started as another user")
    folder = Path(tempfile.mkdtemp(prefix="archiver-pg-"))
    if as_root:
        shutil.chown(folder, "postgres", "postgres")

    def run(*command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    port = free_port()
    data = folder / "data"
    try:
        run(str(binaries / "initdb"), "-D", str(data), "--auth=trust", "-U", "archiver", "-E", "UTF8")
        run(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-o",
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        yield f"postgresql://archiver@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)
