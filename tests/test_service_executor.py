"""The service's capture process: the captures of a real server run in a child process, which
goes when the server goes (no capture of a killed server seals a bundle after its job was taken
over), and whose death fails only the jobs it held."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from support.service import ARTICLE, Service, new_service, wait_for

pytestmark = pytest.mark.browser
HANG = "https://example.org/hang"


@pytest.fixture
def service(tmp_path: Path, tls_args: list[str]) -> Iterator[Service]:
    running = new_service(tmp_path, [("alice", "analyst", "CASE-42")],
                          ["--workers", "2", "--job-lease", "3", *tls_args])
    running.start()
    yield running
    if running.process is not None and running.process.poll() is None:
        running.stop()


def capture_process(service: Service) -> psutil.Process:
    assert service.process is not None
    (child,) = [p for p in psutil.Process(service.process.pid).children() if "spawn_main" in " ".join(p.cmdline())]
    return child


def wait_until_capturing(service: Service, job_id: str) -> None:
    with service.client() as api:
        deadline = time.monotonic() + 60
        while api.get(f"/jobs/{job_id}").json()["step"] != "capturing":
            assert time.monotonic() < deadline
            time.sleep(0.2)
    time.sleep(1)  # handed to the child, its browser loading the page


def test_the_capture_process_ends_with_the_server(service: Service) -> None:
    with service.client() as api:
        job_id = api.post("/captures", json={"urls": [HANG], "case": "CASE-42"}).json()["jobs"][0]["id"]
    wait_until_capturing(service, job_id)
    child = capture_process(service)
    assert service.process is not None
    os.kill(service.process.pid, signal.SIGKILL)  # the server alone, not its process group
    service.process.wait(10)
    child.wait(60)  # its end of the pipe closed: it closes its browser and exits
    with contextlib.suppress(ProcessLookupError):  # what is left of the group (none expected)
        os.killpg(service.process.pid, signal.SIGKILL)


def test_a_dead_capture_process_fails_its_jobs_and_the_next_job_gets_a_new_one(service: Service) -> None:
    with service.client() as api:
        stuck = api.post("/captures", json={"urls": [HANG], "case": "CASE-42"}).json()["jobs"][0]["id"]
        wait_until_capturing(service, stuck)
        first = capture_process(service)
        first.kill()
        failed = wait_for(api, stuck)
        assert failed["state"] == "failed" and "capture process stopped" in failed["reason"], failed
        after = api.post("/captures", json={"urls": [ARTICLE], "case": "CASE-42",
                                            "options": {"settle_timeout": 2}}).json()["jobs"][0]["id"]
        done = wait_for(api, after)
    assert done["state"] == "completed" and done["capture_status"] == "complete", done
    assert capture_process(service).pid != first.pid
