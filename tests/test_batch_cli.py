"""Batches as an analyst runs them: results as each URL is done, bad lines reported with their
``file:line``, Ctrl-C that keeps and reports what finished, and resuming with --skip-captured."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import pty
import queue
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import IO, Any

import pytest

from support import webserver

ARCHIVER = str(Path(sys.executable).parent / "archiver")
SITE = "https://example.org"
HANG = f"{SITE}/hang"  # the server answers after 30 s; the capture gives up loading it first

pytestmark = pytest.mark.browser


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ARCHIVER, *args], capture_output=True, text=True, timeout=300)


class Running:
    """An ``archiver`` process whose stdout and stderr lines are read as they come."""

    def __init__(self, *args: str) -> None:
        # A session of its own, as a terminal's foreground job: Ctrl-C goes to its whole group.
        self.process = subprocess.Popen([ARCHIVER, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, start_new_session=True)
        self.stdout: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        self._pumps = [threading.Thread(target=self._pump, args=(self.process.stdout, self.stdout.put), daemon=True),
                       threading.Thread(target=self._pump, args=(self.process.stderr, self.stderr.append),
                                        daemon=True)]
        for pump in self._pumps:
            pump.start()

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:  # the test failed before the end
            self.process.kill()
        self.finish()

    @staticmethod
    def _pump(stream: IO[str], put) -> None:  # type: ignore[no-untyped-def]
        with stream:
            for line in stream:
                put(line)

    def next_line(self, timeout: float = 120) -> dict[str, Any]:
        line: dict[str, Any] = json.loads(self.stdout.get(timeout=timeout))
        return line

    def wait_for_stderr(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.stderr):
            assert time.monotonic() < deadline, f"no {text!r} on stderr: {self.stderr}"
            time.sleep(0.1)

    def finish(self, timeout: float = 180) -> tuple[int, list[dict[str, Any]]]:
        code = self.process.wait(timeout)
        for pump in self._pumps:
            pump.join(timeout)
        rest = []
        while not self.stdout.empty():
            rest.append(json.loads(self.stdout.get()))
        return code, rest


def test_json_lines_arrive_as_each_url_finishes(tmp_path: Path, tls_args: list[str]) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{HANG}\n{SITE}/article\n")
    with Running("capture", "--from", str(urls), "--workers", "2", "--json", "--navigation-timeout", "12",
                 "--store", str(tmp_path / "ev"), *tls_args) as batch:
        first = batch.next_line()
        assert first["url"] == f"{SITE}/article" and first["status"] == "complete"
        assert batch.process.poll() is None, "the first line came only when the batch ended"
        assert any(f"capturing {HANG}" in line for line in batch.stderr)  # progress goes to stderr
        code, rest = batch.finish()
    assert [line["url"] for line in rest] == [HANG] and rest[0]["status"] == "partial"
    assert code == 1
    assert batch.stderr[-1] == "archiver: 2 URLs: 1 complete, 1 partial\n"


def test_bad_lines_are_reported_by_file_and_line_and_the_rest_captured(tmp_path: Path,
                                                                       tls_args: list[str]) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# evidence for CASE-7\nnot a url\n{SITE}/article\n\nfile:///etc/passwd\n")
    done = run("capture", "--from", str(urls), "--json", "--store", str(tmp_path / "ev"), *tls_args)
    assert done.returncode == 2, done.stderr  # every capture complete, but lines were refused
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    refused = [line for line in lines if line["status"] == "refused"]
    assert [(line["source"], line["url"]) for line in refused] == [
        (f"{urls}:2", "not a url"), (f"{urls}:5", "file:///etc/passwd")]
    assert [line["status"] for line in lines if line not in refused] == ["complete"]
    errors = [line for line in done.stderr.splitlines() if line.startswith(f"archiver: {urls}:")]
    assert [line.split(": ", 2)[1] for line in errors] == [f"{urls}:2", f"{urls}:5"]
    assert "refusing file" in errors[1] and "Traceback" not in done.stderr


def test_text_output_says_where_each_bundle_landed(tmp_path: Path, tls_args: list[str]) -> None:
    store = tmp_path / "ev"
    done = run("-q", "capture", f"{SITE}/article", "--store", str(store), *tls_args)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # -q: no progress
    status, bundle = done.stdout.splitlines()[:2]
    bundle_id = status.split()[1]
    assert status.startswith("complete") and bundle.split() == ["bundle:", str(store / bundle_id)]


def test_ctrl_c_reports_what_finished_marks_what_was_interrupted_and_resumes(tmp_path: Path,
                                                                          tls_args: list[str]) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text(f"{SITE}/article\n{HANG}\n{SITE}/chunked\n")
    store = tmp_path / "ev"
    with Running("capture", "--from", str(urls), "--json", "--navigation-timeout", "20",
                 "--store", str(store), *tls_args) as batch:
        finished = batch.next_line()
        assert finished["url"] == f"{SITE}/article" and finished["status"] == "complete"
        batch.wait_for_stderr(f"capturing {HANG}")
        time.sleep(1)
        os.killpg(batch.process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        code, rest = batch.finish()
    assert code == 130, batch.stderr
    assert [(line["url"], line["status"]) for line in rest] == [(HANG, "interrupted"), (f"{SITE}/chunked",
                                                                                        "not_started")]
    interrupted = rest[0]
    assert interrupted["bundle"] == str(store / interrupted["bundle_id"])
    stderr = "".join(batch.stderr)
    assert "Traceback" not in stderr and "Aborted" not in stderr
    assert "stopped by Ctrl-C: 1 finished, 1 interrupted" in stderr and "1 not started" in stderr

    states = {row["bundle_id"]: row["state"] for row in map(json.loads, run("ls", str(store), "--json")
                                                             .stdout.splitlines())}
    assert states == {finished["bundle_id"]: "complete", interrupted["bundle_id"]: "interrupted"}

    hint = next(line for line in batch.stderr if "to capture what is left: " in line)
    command = shlex.split(hint.split("to capture what is left: ", 1)[1])
    assert command[0] == "archiver" and command[-1] == "--skip-captured"
    resumed = run(*command[1:-1], "--navigation-timeout", "3", command[-1])
    lines = {line["url"]: line for line in map(json.loads, resumed.stdout.splitlines())}
    assert lines[f"{SITE}/article"]["status"] == "skipped"
    assert lines[f"{SITE}/article"]["bundle_id"] == finished["bundle_id"]
    assert lines[HANG]["status"] == "partial" and lines[f"{SITE}/chunked"]["status"] == "complete"


def test_skip_captured_goes_by_canonical_url_and_only_complete_bundles(tmp_path: Path,
                                                                       tls_args: list[str]) -> None:
    store = tmp_path / "ev"
    archive = tmp_path / "done.txt"
    first = run("capture", f"{SITE}/article", f"{SITE}/missing", "--store", str(store), "--json",
                "--download-archive", str(archive), *tls_args)
    assert first.returncode == 1  # /missing is not_found
    assert archive.read_text() == f"{SITE}/article\n"  # only what is complete

    again = run("capture", "https://EXAMPLE.org/article#top", f"{SITE}/missing", "--skip-captured",
                "--store", str(store), "--json", *tls_args)
    lines = [json.loads(line) for line in again.stdout.splitlines()]
    assert [(line["status"], line["canonical_url"]) for line in lines] == [
        ("skipped", f"{SITE}/article"), ("not_found", f"{SITE}/missing")]

    listed = run("capture", f"{SITE}/article", "--download-archive", str(archive), "--store",
                 str(tmp_path / "other"), *tls_args)
    assert listed.returncode == 0 and listed.stdout.startswith(f"skipped         -  {SITE}/article (listed in")
    assert not (tmp_path / "other").exists()  # nothing to capture: no browser, no store


def test_a_terminal_shows_the_urls_in_progress_and_for_how_long(tmp_path: Path, tls_args: list[str]) -> None:
    controller, terminal = pty.openpty()
    done = subprocess.Popen([ARCHIVER, "capture", HANG, "--json", "--navigation-timeout", "6",
                             "--store", str(tmp_path / "ev"), *tls_args],
                            stdout=subprocess.PIPE, stderr=terminal, text=True, env={**os.environ, "COLUMNS": "200"})
    os.close(terminal)
    shown = b""
    with contextlib.suppress(OSError):  # EIO: the process closed the terminal
        while chunk := os.read(controller, 4096):
            shown += chunk
    os.close(controller)
    stdout, _ = done.communicate(timeout=120)
    assert json.loads(stdout)["status"] == "partial"  # stdout, a pipe, has the results only
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode(errors="replace"))  # colours, cursor moves
    assert "capturing 0/1 done" in screen
    assert re.search(rf"0:0[2-6]  {re.escape(HANG)}", screen), screen


def test_retries_after_a_transient_failure_and_delay_between_captures_of_one_host(
        tmp_path: Path, tls_args: list[str], https_server: webserver.TestServer) -> None:
    path = f"/busy-once-{tmp_path.name}"
    answers = iter([503])

    def busy_once(handler: BaseHTTPRequestHandler) -> None:
        code = next(answers, 200)
        handler.send(code, b"<html><body>busy</body></html>" if code == 503 else b"<html><body>ok</body></html>",  # type: ignore[attr-defined]
                     "text/html")

    https_server.site("example.org").routes[path] = busy_once
    store = tmp_path / "ev"
    done = run("capture", f"{SITE}{path}", f"{SITE}/article", "--workers", "2", "--retries", "2",
               "--delay", "2", "--json", "--store", str(store), *tls_args)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = {line["url"]: line for line in map(json.loads, done.stdout.splitlines())}
    (earlier,) = lines[f"{SITE}{path}"]["earlier_tries"]
    assert earlier["status"] == "failed" and earlier["reason"] == "HTTP 503 from the server"
    assert "trying again in 2 s" in done.stderr
    assert lines[f"{SITE}/article"]["earlier_tries"] == []

    starts = sorted(json.loads(run("show", bundle, "--json").stdout)["started_at"]
                    for bundle in (earlier["bundle"], *(line["bundle"] for line in lines.values())))
    times = [datetime.fromisoformat(start.replace("Z", "+00:00")) for start in starts]
    # started_at is stamped a few milliseconds after the capture's turn, by a lag that differs per capture.
    assert all((later - before).total_seconds() >= 1.95 for before, later in itertools.pairwise(times)), starts
