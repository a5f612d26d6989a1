"""The progress bar of long commands, on a terminal only.

rich is imported only when the bar is shown: importing it costs about 0.05 s, which every
``archiver verify`` in a script and every capture before its browser starts would pay for nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class TerminalBar:
    """A bar on stderr; lines printed through it appear above the bar."""

    def __init__(self, label: str, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress: Progress = Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
                                            TimeElapsedColumn(), console=Console(stderr=True))
        self._task: TaskID = self._progress.add_task(label, total=total)

    def __enter__(self) -> TerminalBar:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def advance(self) -> None:
        self._progress.advance(self._task)

    def echo(self, line: str) -> None:
        self._progress.console.print(line, soft_wrap=True, highlight=False, markup=False)


class NoBar:
    """No bar: lines go to stdout as they come."""

    def __enter__(self) -> NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def advance(self) -> None:
        return None

    def echo(self, line: str) -> None:
        click.echo(line)


def progress_bar(label: str, total: int, show: bool) -> TerminalBar | NoBar:
    return TerminalBar(label, total) if show else NoBar()
