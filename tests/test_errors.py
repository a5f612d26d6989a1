"""One table of exit codes, the README's; every error a one-line message with its class's code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from archiver.errors import EXIT_CODES, EXIT_ENVIRONMENT, EXIT_PROBLEM, EXIT_USAGE
from archiver.keys import Signer

ARCHIVER = str(Path(sys.executable).parent / "archiver")
README = Path(__file__).resolve().parent.parent / "README.md"


def one_line_error(*args: str) -> tuple[int, str]:
    done = subprocess.run([ARCHIVER, *args], capture_output=True, text=True, timeout=120)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("archiver: error: "), done.stderr
    return done.returncode, lines[0]


def test_readme_exit_codes_are_the_code_table() -> None:
    section = README.read_text(encoding="utf-8").split("### Exit codes", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| (\d+) \| ([^|]+?) \|", section, flags=re.M)
    assert {int(code): meaning for code, meaning in rows} == EXIT_CODES


def test_bad_input_exits_2() -> None:
    code, line = one_line_error("keys", "show", "--name", "never-created")
    assert code == EXIT_USAGE and "no signing key 'never-created'" in line


def test_a_store_that_cannot_be_written_exits_3(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    code, line = one_line_error("capture", "https://example.org/", "--store", str(tmp_path / "file" / "ev"))
    assert code == EXIT_ENVIRONMENT and "is not a folder" in line


def test_a_bundle_that_cannot_be_reported_on_exits_1(tmp_path: Path, signer: Signer) -> None:
    """``signer``: the key exists already, so no note about creating it comes before the error."""
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "manifest.json").write_text(json.dumps(["not", "a", "manifest"]))
    code, line = one_line_error("report", str(bundle), "-o", str(tmp_path / "report.html"))
    assert code == EXIT_PROBLEM and "manifest" in line
