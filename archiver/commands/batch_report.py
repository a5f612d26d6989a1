"""What ``archiver capture`` prints of a batch: a result line (or JSON line) per URL as soon as it
is done, refused and skipped lines, and, when stopped by Ctrl-C, what finished, what was
interrupted and how to go on; the exit code of the whole batch."""

from __future__ import annotations

import json
import re
import shlex
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archiver.captured_before import DownloadArchive, Earlier
from archiver.commands.batch_progress import NoProgress
from archiver.commands.tsa_options import timestamp_note
from archiver.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEM, EXIT_USAGE
from archiver.models import Status
from archiver.pipeline import CaptureRequest, CaptureResult
from archiver.url_list import RefusedLine

if TYPE_CHECKING:
    from archiver.matcher import Match

INTERRUPTED = "interrupted"
NOT_STARTED = "not_started"
REFUSED = "refused"
SKIPPED = "skipped"
USERINFO = re.compile(r"(?<=://)[^/@\s]+@")

Matcher = Callable[[CaptureResult], "list[Match]"]


class BatchReport:
    """The batch's watcher (see ``archiver.batch.BatchWatcher``) and its printer.

    Matching a finished bundle against the store's banks and index, and printing its line, run
    in one thread of their own, in the order the URLs finish, so the browser is never kept
    waiting by them.
    """

    def __init__(self, requests: Sequence[CaptureRequest], progress: NoProgress, as_json: bool,
                 matcher: Matcher, archive: DownloadArchive | None) -> None:
        self.progress = progress
        self.as_json = as_json
        self.matcher = matcher
        self.archive = archive
        self.pending = {id(request): request for request in requests}  # not finished, not started
        self.earlier: dict[int, list[CaptureResult]] = {}  # failed tries, by request
        self.statuses: Counter[str] = Counter()
        self._printer = ThreadPoolExecutor(1, thread_name_prefix="batch-report")
        self._printed: list[Future[None]] = []

    # -- before the batch
    def refused(self, line: RefusedLine) -> None:
        self.statuses[REFUSED] += 1
        if self.as_json:
            self.progress.echo(json.dumps({"bundle_id": None, "status": REFUSED, "reason": line.reason,
                                           "url": line.text, "source": line.source}, ensure_ascii=False))
        click.echo(f"archiver: {line.line()}", err=True)

    def skipped(self, url: str, canonical_url: str, earlier: Earlier) -> None:
        self.statuses[SKIPPED] += 1
        if self.as_json:
            self.progress.echo(json.dumps({"bundle_id": earlier.bundle_id, "status": SKIPPED,
                                           "reason": earlier.why, "url": url, "canonical_url": canonical_url,
                                           "bundle": earlier.location}, ensure_ascii=False))
            return
        self.progress.echo(f"{SKIPPED:<15} {earlier.bundle_id or '-'}  {url} ({earlier.why})")
        if earlier.location:
            self.progress.echo(f"{'':<15} bundle: {earlier.location}")

    # -- the batch's watcher
    def started(self, request: CaptureRequest, bundle_id: str, folder: Path) -> None:
        self.pending.pop(id(request), None)
        self.progress.started(bundle_id, request.url)

    def retrying(self, request: CaptureRequest, failed: CaptureResult, wait: float) -> None:
        self.progress.stopped(failed.bundle_id, finished=False)
        self.earlier.setdefault(id(request), []).append(failed)
        self.progress.note(f"{request.url}: {failed.status} ({failed.reason}), bundle {failed.bundle_id} "
                           f"kept; trying again in {wait:g} s")

    def finished(self, request: CaptureRequest, result: CaptureResult) -> None:
        self.pending.pop(id(request), None)
        self.progress.stopped(result.bundle_id, finished=True)
        self.statuses[result.status] += 1
        earlier = self.earlier.pop(id(request), [])
        self._printed.append(self._printer.submit(self._print_result, result, earlier))

    def interrupted(self, request: CaptureRequest, bundle_id: str | None, folder: Path | None) -> None:
        self.progress.stopped(bundle_id, finished=False)
        earlier = self.earlier.pop(id(request), [])
        if bundle_id is None and not earlier:
            return  # it had not started: still pending
        self.pending.pop(id(request), None)
        self.statuses[INTERRUPTED] += 1
        result = CaptureResult(url=request.url, bundle_id=bundle_id, status=INTERRUPTED,
                               reason="stopped by Ctrl-C before it was sealed" if bundle_id else
                               "stopped by Ctrl-C before its next try",
                               location=str(folder) if folder else None)
        self._printed.append(self._printer.submit(self._print_result, result, earlier, False))

    # -- after the batch
    def close(self) -> None:
        """Wait for every result line (an error in one is raised here)."""
        self._printer.shutdown(wait=True)
        for printed in self._printed:
            printed.result()

    def not_started(self) -> list[CaptureRequest]:
        return list(self.pending.values())

    def stopped(self, argv: Sequence[str]) -> int:
        """After Ctrl-C: the URLs never started, a summary and the command that goes on."""
        left = self.not_started()
        if self.as_json:
            for request in left:
                self.progress.echo(json.dumps({"bundle_id": None, "status": NOT_STARTED, "url": request.url}))
        finished = sum(n for status, n in self.statuses.items()
                       if status not in (INTERRUPTED, REFUSED, SKIPPED))
        click.echo(f"archiver: stopped by Ctrl-C: {finished} finished, {self.statuses[INTERRUPTED]} "
                   f"interrupted (their bundles are unsealed: 'archiver ls' shows them interrupted), "
                   f"{len(left)} not started", err=True)
        click.echo(f"archiver: to capture what is left: {resume_command(argv)}", err=True)
        return EXIT_INTERRUPTED

    def exit_code(self) -> int:
        """1 when a capture is not complete, else 2 when a line was refused, else 0."""
        captured = {status for status in self.statuses if status not in (REFUSED, SKIPPED)}
        if captured - {Status.COMPLETE}:
            return EXIT_PROBLEM
        return EXIT_USAGE if self.statuses[REFUSED] else EXIT_OK

    def summary(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in self.statuses.most_common())
        return f"{sum(self.statuses.values())} URLs: {counts}"

    # -- in the printer's thread
    def _print_result(self, result: CaptureResult, earlier: list[CaptureResult], sealed: bool = True) -> None:
        matches = self.matcher(result) if sealed else []
        if self.archive and result.status == Status.COMPLETE and result.canonical_url:
            self.archive.add(result.canonical_url)
        if self.as_json:
            line: dict[str, Any] = {**result.summary(), "matches": [m.to_json() for m in matches],
                                    "earlier_tries": [attempt.summary() for attempt in earlier]}
            self.progress.echo(json.dumps(line, ensure_ascii=False))
            return
        echo, pad = self.progress.echo, f"{'':<15}"
        reason = f" ({result.reason})" if result.reason else ""
        echo(f"{result.status:<15} {result.bundle_id or '-'}  {result.url}{reason}")
        if result.location:
            echo(f"{pad} bundle: {result.location}")
        if result.hint:
            echo(f"{pad} hint: {result.hint}")
        if result.timestamp:
            echo(f"{pad} {timestamp_note(result.timestamp, result.location)}")
        for match in matches:
            echo(f"{pad} matched: {match.line()}")
        for attempt in earlier:
            echo(f"{pad} earlier try: {attempt.status} {attempt.bundle_id} ({attempt.reason})")


def resume_command(argv: Sequence[str]) -> str:
    """This command again, skipping what is complete (passwords in URLs left out)."""
    args = [USERINFO.sub("***@", arg) for arg in argv]
    if "--skip-captured" not in args and not any(a.startswith("--download-archive") for a in args):
        args.append("--skip-captured")
    return shlex.join(["archiver", *args])
