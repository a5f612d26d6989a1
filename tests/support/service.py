"""``archiver serve`` as a test starts it: a real server process on loopback, its users and tokens
made with the real ``archiver users`` and ``archiver tokens`` commands."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ARCHIVER = str(Path(sys.executable).parent / "archiver")
PASSWORD = "correct horse battery staple"
ARTICLE = "https://example.org/article"
SCREENSHOTS = Path(os.environ.get("ARCHIVER_SERVICE_SCREENSHOTS", "/tmp/archiver-service-screenshots"))


def archiver(*args: str, stdin: str | None = None) -> str:
    done = subprocess.run([ARCHIVER, *args], input=stdin, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Service:
    url: str
    store: Path
    tokens: dict[str, str]
    args: list[str]
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with (self.store.parent / "serve.log").open("ab") as log:
            self.process = subprocess.Popen([ARCHIVER, "serve", *self.args], stdout=log, stderr=log,
                                            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError((self.store.parent / "serve.log").read_text())

    def stop(self, sig: int = signal.SIGTERM) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, sig)  # the server and the browser it started
        self.process.wait(30)

    def client(self, user: str | None = "alice") -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return httpx.Client(base_url=f"{self.url}/api/v1", headers=headers, timeout=120)


def wait_for(client: httpx.Client, job_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/jobs/{job_id}").raise_for_status().json()
        if job["state"] in ("completed", "failed"):
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not end: {job}")


def new_service(root: Path, users: list[tuple[str, str, str]], args: list[str], db: str | None = None) -> Service:
    """A service over a new store under ``root`` (not started), with ``users`` (name, role, case)
    and a token for each; ``db``: a database URL instead of the SQLite file beside the store."""
    store = root / "evidence"
    where = ["--store", str(store), *(["--db", db] if db else [])]
    tokens = {}
    for name, role, case in users:
        archiver("users", "add", name, "--role", role, "--case", case, "--password-stdin", *where,
                 stdin=PASSWORD + "\n")
        tokens[name] = archiver("tokens", "create", name, *where)
    port = free_port()
    return Service(f"http://127.0.0.1:{port}", store, tokens, [*where, "--port", str(port), *args])
