"""The archiver command as a user runs it: exit codes, one-line errors, JSON output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ARCHIVER = str(Path(sys.executable).parent / "archiver")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ARCHIVER, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "notaurl"])
def test_bad_url_is_a_one_line_usage_error(url: str, tmp_path: Path) -> None:
    done = run("capture", url, "--store", str(tmp_path / "ev"))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("archiver: error:")
    assert not (tmp_path / "ev").exists()


def test_capture_batch_json_verify_show(tmp_path: Path, tls_args: list[str]) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("# to capture\nhttps://example.org/article\n\nhttps://example.org/missing\n")
    store = tmp_path / "ev"
    done = run("capture", "--from", str(urls), "--store", str(store), "--workers", "2", "--json",
               "--case", "CASE-42", "--operator", "J. Doe", *tls_args)
    assert done.returncode == 1, done.stderr  # one URL was not complete
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    by_url = {line["url"]: line for line in lines}
    assert by_url["https://example.org/article"]["status"] == "complete"
    assert by_url["https://example.org/missing"]["status"] == "not_found"
    for line in lines:
        assert {"bundle_id", "status", "reason", "platform", "canonical_url", "bundle",
                "manifest_sha256", "post"} <= set(line)
        assert line["manifest_sha256"].startswith("sha256:")

    verified = run("verify", str(store), "--json")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert [json.loads(x)["result"] for x in verified.stdout.splitlines()] == ["OK", "OK"]

    bundle = by_url["https://example.org/article"]["bundle"]
    shown = run("show", bundle)
    assert shown.returncode == 0 and "https://example.org/article" in shown.stdout and "CASE-42" in shown.stdout
    as_json = json.loads(run("show", bundle, "--json").stdout)
    assert as_json["operator"] == "J. Doe"

    target = Path(bundle) / "dom.html"
    target.chmod(0o644)
    target.write_text("<html>changed</html>")
    tampered = run("verify", str(store))
    assert tampered.returncode == 1
    assert any(line.startswith("TAMPERED") and "dom.html" in line for line in tampered.stdout.splitlines())


def test_verify_usage_errors(tmp_path: Path) -> None:
    assert run("verify", str(tmp_path / "nothing-here")).returncode == 2
    (tmp_path / "empty").mkdir()
    assert run("verify", str(tmp_path / "empty")).returncode == 2


def test_plugins_listing_and_disabling() -> None:
    listed = run("plugins", "--all")
    assert listed.returncode == 0
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    assert {"generic", "local", "x", "example"} <= set(names)
    third_party = run("plugins")
    assert [line.split()[0] for line in third_party.stdout.splitlines()] == ["example"]
    disabled = run("--disable-plugin", "example", "plugins", "--all")
    assert "example  (disabled)" in disabled.stdout or "example (disabled)" in disabled.stdout


def test_insecure_is_accepted_and_recorded(tmp_path: Path, https_server) -> None:  # type: ignore[no-untyped-def]
    resolve = f"example.org:443:127.0.0.1:{https_server.port}"
    refused = run("capture", "https://example.org/article", "--store", str(tmp_path / "a"),
                  "--resolve", resolve, "--json")
    assert json.loads(refused.stdout)["status"] == "failed"
    # the post's picture is on cdn.example.org: without it the capture is partial
    cdn = f"cdn.example.org:443:127.0.0.1:{https_server.port}"
    accepted = run("capture", "https://example.org/article", "--store", str(tmp_path / "b"),
                   "--resolve", resolve, "--resolve", cdn, "--insecure", "--json")
    line = json.loads(accepted.stdout)
    assert line["status"] == "complete"
    manifest = json.loads((Path(line["bundle"]) / "manifest.json").read_text())
    assert manifest["settings"]["insecure"] is True
    assert manifest["settings"]["resolve"] == [resolve, cdn]


def test_platform_scoped_cookies_are_used_only_for_that_platform(tmp_path: Path, tls_args: list[str]) -> None:
    secret = "SCOPED-COOKIE-1b2c3d"
    cookies = tmp_path / "cookies-x.txt"
    cookies.write_text(f".example.org\tTRUE\t/\tTRUE\t0\tsid\t{secret}\n")
    store = tmp_path / "ev"
    # example.org is a generic page: cookies scoped to x must not be sent to it
    done = run("capture", "https://example.org/whoami", "--store", str(store), "--json",
               "--cookies", f"x={cookies}", *tls_args)
    line = json.loads(done.stdout)
    dom = (Path(line["bundle"]) / "dom.html").read_text()
    assert ">0<" in dom  # the server saw no Cookie header
    manifest = json.loads((Path(line["bundle"]) / "manifest.json").read_text())
    assert manifest["settings"]["platform_logins"] == [{"platform": "x", "kind": "cookies", "file": str(cookies)}]
    assert manifest["account"] is None
    used = run("capture", "https://example.org/whoami", "--store", str(store), "--json",
               "--cookies", f"generic={cookies}", *tls_args)
    line = json.loads(used.stdout)
    assert f">{len('sid=' + secret)}<" in (Path(line["bundle"]) / "dom.html").read_text()
    for path in store.rglob("*"):
        if path.is_file() and path.suffix != ".gz":
            assert secret.encode() not in path.read_bytes()
    assert secret not in done.stdout + done.stderr + used.stdout + used.stderr


def test_missing_cookie_file_is_a_usage_error(tmp_path: Path) -> None:
    done = run("capture", "https://example.org/a", "--cookies", "x=/nonexistent/c.txt",
               "--store", str(tmp_path / "ev"))
    assert done.returncode == 2 and "no such file" in done.stderr


def test_batch_verify_report_resume_since_and_record(tmp_path: Path, tls_args: list[str]) -> None:
    store = tmp_path / "ev"
    done = run("capture", "https://example.org/article", "https://example.org/image.png", "--store", str(store),
               "--json", "--workers", "2", *tls_args)
    bundles = [json.loads(line)["bundle"] for line in done.stdout.splitlines()]
    report = tmp_path / "report.jsonl"
    first = run("verify", str(store), "--workers", "2", "--report", str(report))
    assert first.returncode == 0, first.stdout + first.stderr
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    assert [line["result"] for line in lines[:-1]] == ["OK", "OK"]
    summary = lines[-1]["summary"]
    assert summary["ok"] == 2 and summary["tampered"] == 0 and summary["bytes_read"] > 0
    # an interrupted run resumes: nothing left to verify, nothing verified twice
    again = run("verify", str(store), "--report", str(report), "--resume")
    assert again.returncode == 0 and again.stdout.strip() == ""
    assert json.loads(report.read_text().splitlines()[-1])["summary"]["skipped_already_reported"] == 2
    # --since after the capture leaves nothing; a tampered bundle makes the run fail and is reported
    assert run("verify", str(store), "--since", "2999-01-01").stdout.strip() == ""
    target = Path(bundles[0]) / "dom.html"
    target.chmod(0o644)
    target.write_text("<html>changed</html>")
    tampered_report = tmp_path / "tampered.jsonl"
    tampered = run("verify", str(store), "--report", str(tampered_report), "--record")
    assert tampered.returncode == 1
    assert json.loads(tampered_report.read_text().splitlines()[-1])["summary"]["tampered"] == 1
    events = sorted((Path(bundles[1]) / "custody").iterdir())
    assert events[-1].name == "000003-verified.json"
    assert json.loads(events[-1].read_text())["details"]["result"] == "OK"


def test_exit_status_follows_sys_exit() -> None:
    from archiver.cli import exit_status

    assert (exit_status(None), exit_status(0), exit_status(3)) == (0, 0, 3)
    assert exit_status("archiver: something broke") == 1


def test_output_is_complete_when_the_process_skips_its_teardown(tmp_path: Path) -> None:
    # main() ends with os._exit: whatever a command printed must still reach a pipe.
    done = run("ls", str(tmp_path / "empty-store"), "--json")
    versions = run("--version")
    assert versions.returncode == 0 and versions.stdout.startswith("archiver, version ")
    assert done.returncode in (0, 1, 2) and (done.stdout or done.stderr).strip()
