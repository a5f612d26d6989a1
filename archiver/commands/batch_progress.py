"""How a batch of captures shows its progress on stderr: which URLs are loading and for how long.

On a terminal, a live panel of the URLs in progress under the result lines; otherwise (piped,
logged) a line as each URL starts and, every ``HEARTBEAT`` seconds, which are still loading;
nothing with ``-q``. Result lines go to stdout, each as soon as its URL is done.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.live import Live

HEARTBEAT = 30.0


def elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


class Loading:
    """The URLs in progress, by bundle id (one URL may be in a batch twice), with their start."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.began = time.monotonic()
        self.urls: dict[str, tuple[str, float]] = {}
        self.lock = threading.Lock()

    def start(self, bundle_id: str, url: str) -> None:
        with self.lock:
            self.urls[bundle_id] = (url, time.monotonic())

    def stop(self, bundle_id: str | None, finished: bool) -> None:
        with self.lock:
            self.urls.pop(bundle_id or "", None)
            self.done += finished

    def rows(self) -> list[tuple[str, str]]:
        """(time so far, URL), longest first."""
        now = time.monotonic()
        with self.lock:
            loading = sorted(self.urls.values(), key=lambda entry: entry[1])
        return [(elapsed(now - since), url) for url, since in loading]


class NoProgress:
    """``-q``: result lines only."""

    def __init__(self, total: int) -> None:
        self.loading = Loading(total)

    def __enter__(self) -> NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def started(self, bundle_id: str, url: str) -> None:
        self.loading.start(bundle_id, url)

    def stopped(self, bundle_id: str | None, finished: bool) -> None:
        self.loading.stop(bundle_id, finished)

    def note(self, line: str) -> None:
        return None

    def echo(self, line: str) -> None:
        click.echo(line)


class LogProgress(NoProgress):
    """stderr is not a terminal: one line as each URL starts, and a heartbeat of the slow ones."""

    def __init__(self, total: int) -> None:
        super().__init__(total)
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._heartbeat, name="batch-heartbeat", daemon=True)

    def __enter__(self) -> LogProgress:
        self._beat.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._beat.join()

    def started(self, bundle_id: str, url: str) -> None:
        super().started(bundle_id, url)
        self.note(f"capturing {url} ({self.loading.done} of {self.loading.total} done)")

    def note(self, line: str) -> None:
        click.echo(f"archiver: {line}", err=True)

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT):
            for took, url in self.loading.rows():
                self.note(f"still capturing {url} ({took})")


class LiveProgress(NoProgress):
    """stderr is a terminal: a panel of the URLs in progress, redrawn twice a second."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.live import Live

        super().__init__(total)
        self._live: Live = Live(get_renderable=self._render, console=Console(stderr=True),
                                refresh_per_second=2, transient=True, redirect_stdout=False,
                                redirect_stderr=False)
        # Result lines meant for the same terminal go through the panel, above it; to a file
        # or a pipe they go to stdout as they are.
        self._through_panel = sys.stdout.isatty()

    def __enter__(self) -> LiveProgress:
        self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.stop()

    def note(self, line: str) -> None:
        self._live.console.print(f"archiver: {line}", soft_wrap=True, highlight=False, markup=False)

    def echo(self, line: str) -> None:
        if self._through_panel:
            self._live.console.print(line, soft_wrap=True, highlight=False, markup=False)
        else:
            click.echo(line)

    def _render(self) -> RenderableType:
        from rich.console import Group
        from rich.text import Text

        loading = self.loading
        head = Text.assemble(("capturing ", "bold"), f"{loading.done}/{loading.total} done  ",
                             (elapsed(time.monotonic() - loading.began), "dim"))
        rows = [Text(f"  {took:>6}  {url}", no_wrap=True, overflow="ellipsis")
                for took, url in loading.rows()]
        return Group(head, *rows)


def batch_progress(total: int, quiet: bool) -> NoProgress:
    if quiet:
        return NoProgress(total)
    return LiveProgress(total) if sys.stderr.isatty() else LogProgress(total)
