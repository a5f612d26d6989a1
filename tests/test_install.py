"""The tool as pipx installs it: a wheel built from the source, in a virtualenv of its own.

pipx makes a fresh venv, installs the wheel into it and puts only ``archiver`` on the PATH. The
dependencies here come from this test run's environment (symlinked, without the editable install
of the tool itself or the example plugin), so the test needs no network;
what it checks is the wheel: its entry point, its modules and its package data.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "cli.py", "archiver", "plugins", "storage")
FIXTURE_BUNDLE = ROOT / "tests/fixtures/bundles/release-0.1.0/01a23377-63d2-7904-802c-27daba687011"
# What of this environment the fresh one must not see: the tool and plugins installed from source.
NOT_DEPENDENCIES = ("evidence_archiver", "__editable__", "archiver_example_plugin", "archiver")

pytestmark = pytest.mark.install


def build_wheel(tmp_path: Path) -> Path:
    """``pip wheel`` of a copy of the source (building in place would leave build/ behind)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "--quiet", "--wheel-dir", str(tmp_path / "wheels"), str(source)], check=True, timeout=120)
    (wheel,) = (tmp_path / "wheels").glob("evidence_archiver-*.whl")
    return wheel


def fresh_venv(tmp_path: Path) -> Path:
    """A venv whose dependencies are this environment's, but not the tool."""
    venv = tmp_path / "pipx-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    ours = Path(sysconfig.get_path("purelib"))
    dependencies = tmp_path / "dependencies"
    dependencies.mkdir()
    for entry in ours.iterdir():
        if not entry.name.startswith(NOT_DEPENDENCIES) and not entry.name.endswith(".pth"):
            (dependencies / entry.name).symlink_to(entry)
    (purelib / "dependencies.pth").write_text(f"{dependencies}\n")
    return venv


def test_the_wheel_installed_as_pipx_does_runs_with_its_templates(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    venv = fresh_venv(tmp_path)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet",
                    "--no-deps", "--no-index", str(wheel)], check=True, timeout=120)
    archiver = str(venv / "bin" / "archiver")
    env = {**os.environ, "ARCHIVER_CONFIG_DIR": str(tmp_path / "config"), "PATH": "/usr/bin:/bin"}
    env.pop("ARCHIVER_CONFIG", None)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([archiver, *args], capture_output=True, text=True, env=env, cwd=tmp_path,
                              timeout=120)

    version = run("--version")
    assert version.returncode == 0 and version.stdout == "archiver, version 0.1.0\n", version.stderr
    helped = run("--help")
    assert helped.returncode == 0 and "install-browser" in helped.stdout and "capture" in helped.stdout
    assert "example" not in run("plugins", "--all").stdout  # the tool alone, as pipx installs it
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import archiver.cli; print(archiver.cli.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, check=True).stdout
    assert where.startswith(str(venv)), where
    # A court report renders the package's templates: they must be in the wheel.
    bundle = tmp_path / "store" / FIXTURE_BUNDLE.name
    shutil.copytree(FIXTURE_BUNDLE, bundle)
    shutil.copytree(FIXTURE_BUNDLE.parent / ".archiver", bundle.parent / ".archiver")
    for path in bundle.parent.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    report = run("report", str(bundle), "-o", str(tmp_path / "report.html"), "--json")
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["result"] == "OK"
    assert "Evidence report" in (tmp_path / "report.html").read_text()
