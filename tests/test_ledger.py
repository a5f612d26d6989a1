"""The store ledger catches what the custody chain alone cannot: events removed from its end."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from archiver.ledger import LEDGER_DIR, LEDGER_FILE
from archiver.problem import INCOMPLETE, OK, TAMPERED
from archiver.storage.local import local_bundle
from archiver.tstoken import TOKEN
from archiver.verify import verify_bundle

from support.tsa import TestTSA

ARCHIVER = str(Path(sys.executable).parent / "archiver")
ARTICLE = "https://example.org/article"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ARCHIVER, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def store(engine, base_settings, tsa: TestTSA, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """A store with one timestamped bundle whose custody log has five events."""
    from dataclasses import replace

    from archiver.pipeline import CaptureRequest
    from archiver.storage.local import LocalStore

    root = tmp_path_factory.mktemp("ledger-store")
    settings = replace(base_settings, tsa_urls=(tsa.url,))
    result = engine.call(engine.engine.capture(CaptureRequest(ARTICLE, "C-L", "Op"), settings, LocalStore(root)))
    assert result.status == "complete" and "error" not in (result.timestamp or {}), result
    for note in ("exhibit 1", "exhibit 2"):
        added = run("custody", "add", str(result.location), "--event", "transferred", "--to", "Clerk",
                    "--note", note)
        assert added.returncode == 0, added.stderr
    return root


def copy_store(store: Path, target: Path) -> tuple[Path, Path]:
    """A writable copy of the whole store; (store, its one bundle)."""
    copied = target / "store"
    shutil.copytree(store, copied)
    for path in copied.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    bundle = next(p for p in copied.iterdir() if not p.name.startswith("."))
    return copied, bundle


def events(bundle: Path) -> list[Path]:
    return sorted((bundle / "custody").iterdir())


def test_untouched_store_verifies_with_every_event_witnessed(store: Path, tmp_path: Path) -> None:
    _copied, bundle = copy_store(store, tmp_path)
    report = verify_bundle(local_bundle(bundle))
    assert report.result == OK, report.problems
    assert [p.name for p in events(bundle)][-1] == "000005-transferred.json"
    assert report.ledger and report.ledger.startswith("OK (5 events in the store ledger, head #5 sha256:")


@pytest.mark.parametrize("removed", [1, 2, 3])
@pytest.mark.parametrize("with_token", [False, True], ids=["token-kept", "token-removed"])
def test_removing_the_last_events_is_caught(store: Path, tmp_path: Path, removed: int, with_token: bool) -> None:
    copied, bundle = copy_store(store, tmp_path)
    gone = events(bundle)[-removed:]
    for path in gone:
        path.unlink()
    if with_token:
        (bundle / TOKEN).unlink()
    report = verify_bundle(local_bundle(bundle))
    assert report.result == TAMPERED
    named = {p.path for p in report.problems if p.kind == "ledger" and p.detail.startswith("removed")}
    assert named == {f"custody/{p.name}" for p in gone}
    done = run("verify", str(copied))
    assert done.returncode == 1 and done.stdout.startswith("TAMPERED"), done.stdout


def test_a_ledger_line_removed_from_the_middle_breaks_its_chain(store: Path, tmp_path: Path) -> None:
    copied, bundle = copy_store(store, tmp_path)
    (bundle / "custody" / "000005-transferred.json").unlink()
    ledger = copied / LEDGER_DIR / LEDGER_FILE
    lines = ledger.read_bytes().splitlines(keepends=True)
    ledger.write_bytes(b"".join(lines[:3] + lines[4:]))  # line 4, event 4, is now the last event
    (bundle / "custody" / "000004-transferred.json").unlink()
    done = run("verify", str(copied))
    assert done.returncode == 1
    assert "line #4: says seq 5, is line #4" in done.stdout, done.stdout


def test_rewritten_ledger_lines_need_the_events_keys(store: Path, tmp_path: Path) -> None:
    copied, bundle = copy_store(store, tmp_path)
    ledger = copied / LEDGER_DIR / LEDGER_FILE
    lines = [json.loads(line) for line in ledger.read_text().splitlines()]
    lines[2]["time"] = "2020-01-01T00:00:00.000000Z"
    ledger.write_text("".join(json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n" for line in lines))
    report = verify_bundle(local_bundle(bundle))
    assert report.result == TAMPERED
    assert any("line #3: signature does not verify" in p.detail for p in report.problems)


def test_a_removed_bundle_is_named_by_the_store_ledger(store: Path, tmp_path: Path) -> None:
    copied, bundle = copy_store(store, tmp_path)
    shutil.rmtree(bundle)
    (copied / "01a00000-0000-7000-8000-000000000000").mkdir()  # verify needs something to look at
    done = run("verify", str(copied))
    assert done.returncode == 1
    assert f"{bundle.name}: bundle removed: ledger lines #1.. record 5 of its custody events" in done.stdout


def test_truncating_the_ledger_too_is_caught_by_any_later_event(store: Path, tmp_path: Path,
                                                                 engine, base_settings) -> None:  # type: ignore[no-untyped-def]
    from archiver.pipeline import CaptureRequest
    from archiver.storage.local import LocalStore

    copied, bundle = copy_store(store, tmp_path)
    later = engine.call(engine.engine.capture(CaptureRequest(ARTICLE, "C-L2", "Op"), base_settings,
                                              LocalStore(copied)))
    ledger = copied / LEDGER_DIR / LEDGER_FILE
    lines = ledger.read_bytes().splitlines(keepends=True)
    assert len(lines) == 7  # five events of the first bundle, two of the later one
    # The attacker removes the first bundle's last event and its ledger line, and every later line.
    (bundle / "custody" / "000005-transferred.json").unlink()
    ledger.write_bytes(b"".join(lines[:4]))
    report = verify_bundle(local_bundle(Path(later.location)))
    assert report.result == TAMPERED
    assert any("the store ledger is truncated" in p.detail for p in report.problems), report.problems


def test_the_limit_and_the_outside_head_that_closes_it(store: Path, tmp_path: Path) -> None:
    copied, bundle = copy_store(store, tmp_path)
    head = run("ledger", str(copied))
    assert head.returncode == 0 and head.stdout.startswith("OK"), head.stdout
    recorded = head.stdout.splitlines()[-1].removeprefix("head ")
    (bundle / "custody" / "000005-transferred.json").unlink()
    ledger = copied / LEDGER_DIR / LEDGER_FILE
    ledger.write_bytes(b"".join(ledger.read_bytes().splitlines(keepends=True)[:4]))
    # The store's very last write, removed with its ledger line: nothing inside the store can tell.
    assert run("verify", str(copied)).returncode == 0
    # The head kept outside the store can.
    done = run("verify", str(copied), "--ledger-head", recorded)
    assert done.returncode == 1 and f"does not hold head {recorded}" in done.stdout, done.stdout


def test_a_deleted_ledger_and_a_bundle_copied_out_of_its_store(store: Path, tmp_path: Path) -> None:
    copied, bundle = copy_store(store, tmp_path)
    ledger = copied / LEDGER_DIR / LEDGER_FILE
    kept = tmp_path / "ledger.jsonl"
    shutil.copy(ledger, kept)
    ledger.unlink()
    assert verify_bundle(local_bundle(bundle)).result == TAMPERED
    shutil.rmtree(copied / LEDGER_DIR)  # now it looks like a bundle handed over on its own
    report = verify_bundle(local_bundle(bundle))
    assert report.result == INCOMPLETE
    assert "cannot be ruled out" in report.problems[0].detail
    done = run("verify", str(bundle), "--ledger", str(kept))
    assert done.returncode == 0 and "ledger OK (5 events" in done.stdout, done.stdout


def test_a_torn_ledger_line_is_cut_by_the_next_writer(store: Path, tmp_path: Path) -> None:
    _copied, bundle = copy_store(store, tmp_path)
    ledger = _copied / LEDGER_DIR / LEDGER_FILE
    with ledger.open("ab") as out:
        out.write(b'{"seq":6,"bundle_id":')  # what a crash mid-append leaves
    assert verify_bundle(local_bundle(bundle)).result == OK
    added = run("custody", "add", str(bundle), "--event", "transferred", "--to", "Court")
    assert added.returncode == 0, added.stderr
    assert verify_bundle(local_bundle(bundle)).result == OK
    assert ledger.read_bytes().count(b"\n") == 6
