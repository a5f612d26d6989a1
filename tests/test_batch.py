"""The parts of a batch that need no browser: which failures are retried and when, pacing per
host, --from files, the download archive, and the command that resumes a stopped batch."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from archiver.batch import BatchPolicy, HostPacer, is_transient
from archiver.captured_before import DownloadArchive
from archiver.commands.batch_report import resume_command
from archiver.errors import ArchiverError
from archiver.pipeline import CaptureResult
from archiver.url_list import read_url_file


@pytest.mark.parametrize(("status", "reason", "transient"), [
    ("failed", "cannot fetch https://a.example/: [Errno 111] Connect call failed ('10.0.0.1', 443)", True),
    ("failed", "navigation failed: net::ERR_CONNECTION_RESET at https://a.example/", True),
    ("failed", "HTTP 503 from the server", True),
    ("blocked", "HTTP 429 (rate limited)", True),
    ("failed", "cannot fetch https://a.example/: certificate verify failed: self-signed certificate", False),
    ("blocked", "HTTP 403", False),
    ("not_found", "HTTP 404", False),
    ("partial", "navigation timeout: page did not load within 30s", False),
])
def test_only_transient_failures_are_retried(status: str, reason: str, transient: bool) -> None:
    assert is_transient(CaptureResult("https://a.example/", "id", status, reason)) is transient


def test_a_refused_url_is_not_retried() -> None:
    assert not is_transient(CaptureResult("https://a.example/", None, "failed", "timed out"))


def test_backoff_doubles_up_to_a_minute() -> None:
    policy = BatchPolicy(retries=8)
    assert [policy.wait_before(attempt) for attempt in range(1, 8)] == [2, 4, 8, 16, 32, 60, 60]


def test_captures_of_one_host_start_at_least_delay_apart() -> None:
    async def starts() -> dict[str, list[float]]:
        pacer, slot = HostPacer(0.3), asyncio.Semaphore(3)
        loop = asyncio.get_running_loop()
        began: dict[str, list[float]] = {}

        async def capture(url: str) -> None:
            async with pacer.turn(slot, url):
                began.setdefault(url.split("/")[2], []).append(loop.time())

        await asyncio.gather(*(capture(url) for url in ["https://a.example/1", "https://a.example/2",
                                                        "https://b.example/1", "https://a.example/3"]))
        return began

    began = asyncio.run(starts())
    a = began["a.example"]
    assert all(later - before >= 0.29 for before, later in zip(a, a[1:], strict=False))
    assert began["b.example"][0] - a[0] < 0.1  # another host does not wait


def test_url_file_lines_refused_with_file_and_line(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_bytes("\ufeff# case 7\nhttps://a.example/1\n  \nnot a url\nhttps://[::1\n".encode())
    listed = read_url_file(urls)
    assert listed.urls == ["https://a.example/1"]  # the byte-order mark is not part of the line
    assert [(line.source, line.text) for line in listed.refused] == [
        (f"{urls}:4", "not a url"), (f"{urls}:5", "https://[::1")]
    assert listed.refused[0].line().startswith(f"{urls}:4: not a URL")


def test_url_file_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(ArchiverError, match="is a folder"):
        read_url_file(tmp_path)
    (tmp_path / "utf16.txt").write_text("https://a.example/\n", encoding="utf-16")
    with pytest.raises(ArchiverError, match="not UTF-8"):
        read_url_file(tmp_path / "utf16.txt")


def test_download_archive_lists_and_adds_canonical_urls(tmp_path: Path) -> None:
    path = tmp_path / "archive.txt"
    path.write_text("https://a.example/1\n\n")
    with DownloadArchive(path) as archive:
        assert set(archive.listed({"https://a.example/1", "https://a.example/2"})) == {"https://a.example/1"}
        archive.add("https://a.example/2")
        archive.add("https://a.example/1")
    assert path.read_text() == "https://a.example/1\n\nhttps://a.example/2\n"


def test_resume_command_skips_what_is_complete_and_hides_passwords() -> None:
    argv = ["capture", "--from", "my urls.txt", "--tsa", "https://user:secret@tsa.example/"]
    assert resume_command(argv) == ("archiver capture --from 'my urls.txt' --tsa 'https://***@tsa.example/' "
                                    "--skip-captured")
    assert resume_command(["capture", "x", "--download-archive=a.txt"]).endswith("--download-archive=a.txt")


def test_ctrl_c_in_any_command_is_one_line_and_exit_130(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from archiver.cli import cli
    from archiver.commands import ls_cmd

    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ls_cmd, "open_store", interrupted)
    done = CliRunner().invoke(cli, ["ls", str(tmp_path)])
    assert done.exit_code == 130
    assert done.output == "archiver: interrupted\n"  # not click's "Aborted!"
