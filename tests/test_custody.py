"""The custody log as a user adds to it and reads it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from archiver.problem import OK, TAMPERED
from archiver.storage.local import local_bundle
from archiver.verify import verify_bundle

from conftest import copy_bundle

ARCHIVER = str(Path(sys.executable).parent / "archiver")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ARCHIVER, *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def captured(engine, base_settings, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    from archiver.pipeline import CaptureRequest
    from archiver.storage.local import LocalStore

    store = LocalStore(tmp_path_factory.mktemp("custody"))
    result = engine.call(engine.engine.capture(CaptureRequest("https://example.org/article", "C-1", "J. Doe"),
                                               base_settings, store))
    return Path(result.location)


def test_capture_starts_the_chain_on_the_manifest(captured: Path) -> None:
    from archiver.hashing import hash_file

    first = json.loads((captured / "custody" / "000001-captured.json").read_text())
    assert first["event"] == "captured" and first["actor"] == "J. Doe"
    assert first["previous_sha256"] == hash_file(captured / "manifest.json")[0]
    assert first["details"]["case_id"] == "C-1"


def test_custody_add_and_show(captured: Path, tmp_path: Path) -> None:
    bundle = copy_bundle(str(captured), tmp_path)
    added = run("custody", "add", str(bundle), "--event", "transferred", "--operator", "J. Doe",
                "--to", "Court clerk", "--note", "filed as exhibit 12")
    assert added.returncode == 0, added.stderr
    assert (bundle / "custody" / "000003-transferred.json").exists()
    shown = run("custody", str(bundle))
    assert shown.returncode == 0 and "transferred" in shown.stdout and "chain OK (3 events" in shown.stdout
    report = verify_bundle(local_bundle(bundle))
    assert report.result == OK and report.custody_events == 3
    event = bundle / "custody" / "000003-transferred.json"
    event.write_text(event.read_text().replace("exhibit 12", "exhibit 13"))
    broken = run("custody", str(bundle))
    assert broken.returncode == 1 and "BROKEN custody/000003-transferred.json" in broken.stdout
    assert verify_bundle(local_bundle(bundle)).result == TAMPERED


def test_unknown_event_is_a_usage_error(captured: Path) -> None:
    done = run("custody", "add", str(captured), "--event", "lost")
    assert done.returncode == 2
