"""The exit codes of every command, and the one base of every error a user reads.

An ``ArchiverError`` reaches the user as one line, ``archiver: error: ...``, never a traceback,
and ends the command with the exit code its class declares. Library code raises the subclass
that names what went wrong (``KeyFileError``, ``StoreError``...); commands let it propagate.
"""

from __future__ import annotations

from typing import IO, Any, ClassVar

import click

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2
EXIT_ENVIRONMENT = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a process stopped by Ctrl-C

# The one table of exit codes; README's "Exit codes" table says the same (a test keeps them in step).
EXIT_CODES = {
    EXIT_OK: "done, and everything is as it should be",
    EXIT_PROBLEM: "an evidence problem",
    EXIT_USAGE: "bad input; retrying the same command cannot help",
    EXIT_ENVIRONMENT: "the environment: unreachable or refusing; retrying later may help",
    EXIT_INTERRUPTED: "stopped by Ctrl-C (SIGINT); what finished is kept and reported",
}


class ArchiverError(click.ClickException):
    """Bad input (exit 2) unless a subclass declares another ``exit_code``."""

    exit_code: ClassVar[int] = EXIT_USAGE

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"archiver: error: {self.format_message()}", file=file, err=file is None)


class EnvironmentFailure(ArchiverError):
    """Something outside the tool is unreachable or refusing (a store, a TSA); retrying may help."""

    exit_code = EXIT_ENVIRONMENT


class EvidenceError(ArchiverError):
    """The evidence itself is the problem: it does not verify, or a step it needs did not happen."""

    exit_code = EXIT_PROBLEM
