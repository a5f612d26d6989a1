"""Notes and warnings for the person running a command: on stderr, unless ``-q`` asked for silence."""

from __future__ import annotations

import click


def quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    settings = ctx.find_root().obj if ctx is not None else None
    return isinstance(settings, dict) and settings.get("verbosity", 0) < 0


def warn(message: str) -> None:
    if not quiet():
        click.echo(f"archiver: warning: {message}", err=True)


def note(message: str) -> None:
    if not quiet():
        click.echo(f"archiver: note: {message}", err=True)
