"""Killed at every step that writes evidence, a capture leaves a bundle that reads as interrupted
or incomplete, never as tampered; ``ls`` and ``verify`` agree; what is left can be finished."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.tsa import TestTSA

ARCHIVER = str(Path(sys.executable).parent / "archiver")
ARTICLE = "https://example.org/article"
# Every fault point a timestamped capture reaches, in order (archiver.faults.reach).
STEPS = [
    "seal",
    "write manifest.json",
    "write manifest.jcs",
    "write signer.pub.pem",
    "write manifest.sig",
    "write 000001-captured.json",
    "ledger custody/000001-captured.json",
    "write 000002-signed.json",
    "ledger custody/000002-signed.json",
    "write manifest.tsr",
    "write 000003-timestamped.json",
    "ledger custody/000003-timestamped.json",
]


def capture(store: Path, tsa: TestTSA, tls_args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ARCHIVER, "capture", ARTICLE, "--store", str(store), "--tsa", tsa.url, *tls_args],
                          capture_output=True, text=True, timeout=300, env={**os.environ, **env})


def run_json(*args: str) -> list[dict[str, object]]:
    done = subprocess.run([ARCHIVER, *args, "--json"], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_the_steps_listed_are_every_step_a_capture_takes(tmp_path: Path, tsa: TestTSA,
                                                         tls_args: list[str]) -> None:
    log = tmp_path / "steps.log"
    done = capture(tmp_path / "store", tsa, tls_args, ARCHIVER_FAULT_LOG=str(log))
    assert done.returncode == 0, done.stderr
    assert log.read_text().splitlines() == STEPS


@pytest.mark.parametrize("step", STEPS)
def test_killed_at_each_step(tmp_path: Path, tsa: TestTSA, tls_args: list[str], step: str) -> None:
    store = tmp_path / "store"
    killed = capture(store, tsa, tls_args, ARCHIVER_FAULT_AT=step)
    assert killed.returncode == -9, killed.stderr
    (verdict,) = run_json("verify", str(store))
    (row,) = run_json("ls", str(store))
    assert verdict["result"] in ("OK", "INCOMPLETE"), verdict["problems"]
    assert row["complete"] is (verdict["result"] == "OK")
    assert row["state"] == ("complete" if verdict["result"] == "OK" else
                            "interrupted" if step in STEPS[:3] or step.startswith("write ") else "incomplete")
    bundle = store / str(row["bundle_id"])
    if step in STEPS[:2]:
        assert verdict["problems"][0]["path"] == "manifest.json"  # not sealed: nothing to finish
        return
    if step in STEPS[9:]:
        # After signing, what is missing can be finished: the token is asked for (or recorded).
        finished = subprocess.run([ARCHIVER, "timestamp", str(bundle), "--tsa", tsa.url],
                                  capture_output=True, text=True, timeout=300)
        assert finished.returncode == 0 or "never replaced" in finished.stdout, finished.stdout + finished.stderr
