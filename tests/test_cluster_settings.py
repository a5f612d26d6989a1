"""The cluster setting: --cluster of capture and verify and worker's --scheduler from the config
file or $ARCHIVER_CLUSTER, a flag winning, and 'config show' saying where it came from."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ARCHIVER = str(Path(sys.executable).parent / "archiver")
FAR_SCHEDULER = "tcp://192.0.2.10:8786"  # TEST-NET-1: never reached, the command stops first
FIXTURE_BUNDLE = Path(__file__).parent / "fixtures/bundles/release-0.1.0/01a23377-63d2-7904-802c-27daba687011"


def run(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**{k: v for k, v in os.environ.items() if k not in ("ARCHIVER_CLUSTER", "ARCHIVER_CONFIG")},
               "ARCHIVER_CONFIG_DIR": str(home), **env}
    return subprocess.run([ARCHIVER, *args], capture_output=True, text=True, env=environ, timeout=120)


def origin_of_cluster(home: Path, **env: str) -> tuple[str | None, str]:
    shown = json.loads(run("config", "show", "--json", home=home, **env).stdout)["settings"]["cluster"]
    return shown["value"], shown["origin"]


def test_config_show_names_where_the_cluster_comes_from(tmp_path: Path) -> None:
    assert origin_of_cluster(tmp_path) == (None, "default")
    (tmp_path / "config.toml").write_text(f'cluster = "{FAR_SCHEDULER}"\n')
    assert origin_of_cluster(tmp_path) == (FAR_SCHEDULER, str(tmp_path / "config.toml"))
    assert origin_of_cluster(tmp_path, ARCHIVER_CLUSTER="tls://10.0.0.5:8786") == ("tls://10.0.0.5:8786",
                                                                                  "$ARCHIVER_CLUSTER")


def test_capture_and_verify_use_the_configured_cluster(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(f'cluster = "{FAR_SCHEDULER}"\n')
    store = tmp_path / "evidence"
    shutil.copytree(FIXTURE_BUNDLE, store / FIXTURE_BUNDLE.name)
    # A folder of this machine is refused for a scheduler elsewhere: proof the setting was used.
    for args in (("capture", "https://example.org/a", "--store", str(store)), ("verify", str(store))):
        refused = run(*args, home=tmp_path)
        assert refused.returncode == 2, refused.stderr
        assert FAR_SCHEDULER in refused.stderr and "--shared-store" in refused.stderr
    flagged = run("capture", "https://example.org/a", "--store", str(store), "--cluster", "tcp://127.0.0.1:9",
                  home=tmp_path, ARCHIVER_CLUSTER="tcp://192.0.2.11:8786")
    assert "tcp://127.0.0.1:9" in flagged.stderr and "192.0.2" not in flagged.stderr


def test_worker_takes_its_scheduler_from_the_setting(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('cluster = "not-a-scheduler"\n')
    refused = run("worker", home=tmp_path)
    assert refused.returncode == 2 and "--scheduler 'not-a-scheduler'" in refused.stderr
    assert "Missing option" in run("worker", home=tmp_path / "none").stderr
