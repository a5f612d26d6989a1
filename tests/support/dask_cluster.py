"""A real Dask scheduler and real ``archiver worker`` processes on loopback, for --cluster tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from support.webserver import free_port, wait_for_port

ARCHIVER = str(Path(sys.executable).parent / "archiver")
START_TIMEOUT = 90.0


@dataclass
class LocalCluster:
    logs: Path
    port: int = 0
    scheduler: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def start(self) -> LocalCluster:
        self.port = free_port()
        self.logs.mkdir(parents=True, exist_ok=True)
        with (self.logs / "scheduler.log").open("wb") as log:
            self.scheduler = subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                 "--port", str(self.port), "--no-dashboard"], stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, START_TIMEOUT)
        return self

    def add_worker(self, captures: int = 1, nthreads: int = 2, **env: str) -> subprocess.Popen[bytes]:
        """``archiver worker`` without a nanny, so killing its process kills the worker."""
        with (self.logs / f"worker-{len(self.workers)}.log").open("wb") as log:
            worker = subprocess.Popen(
                [ARCHIVER, "worker", "--scheduler", self.address, "--captures", str(captures),
                 "--nthreads", str(nthreads), "--no-nanny", "--host", "127.0.0.1"],
                stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env})
        self.workers.append(worker)
        return worker

    def wait_for_capture_workers(self, count: int) -> None:
        """Until ``count`` workers have registered with their ``capture`` resource."""
        from distributed import Client

        deadline = time.monotonic() + START_TIMEOUT
        with Client(self.address, timeout=START_TIMEOUT, set_as_default=False) as client:
            while time.monotonic() < deadline:
                workers = client.scheduler_info(n_workers=-1)["workers"].values()
                if sum(1 for w in workers if w.get("resources", {}).get("capture")) >= count:
                    return
                time.sleep(0.2)
        raise TimeoutError(f"{count} archiver workers did not register; see {self.logs}")

    def stop(self) -> None:
        # The workers first: a worker told to close by a closing scheduler and by SIGTERM at once
        # can hang in its own close until killed.
        for group in (self.workers, [self.scheduler]):
            for process in group:
                if process is not None and process.poll() is None:
                    process.terminate()
            for process in group:
                if process is None:
                    continue
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
