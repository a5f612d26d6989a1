"""``archiver custody``: print a bundle's chain of custody, or append an event to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from archiver.bundle import MANIFEST
from archiver.custody import CUSTODY_DIR, EVENTS, append_event, check_custody_chain
from archiver.errors import EXIT_PROBLEM, ArchiverError
from archiver.keys import DEFAULT_NAME, load_key
from archiver.storage.local import local_bundle


class DefaultToShow(click.Group):
    """``archiver custody BUNDLE`` means ``archiver custody show BUNDLE``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["show", *args]
        return super().parse_args(ctx, args)


def bundle_folder(path: Path) -> Path:
    if not (path / MANIFEST).is_file():
        raise ArchiverError(f"{path} is not a bundle (no {MANIFEST})")
    return path


@click.group(cls=DefaultToShow)
def custody() -> None:
    """Chain-of-custody log of a bundle."""


@custody.command("show")
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def show(bundle: Path, as_json: bool) -> None:
    """Print every custody event and whether the chain holds."""
    folder = bundle_folder(bundle)
    reader = local_bundle(folder)
    paths = sorted(p for p in reader.list_files() if p.startswith(f"{CUSTODY_DIR}/"))
    events, problems = check_custody_chain(paths, reader.open, (folder / MANIFEST).read_bytes())
    if as_json:
        listed = [{"path": problem.path, "problem": problem.detail} for problem in problems]
        click.echo(json.dumps({"events": events, "problems": listed}, indent=2, ensure_ascii=False))
    else:
        for event in events:
            click.echo(f"#{event.get('seq')} {event.get('time')} {event.get('event'):<12} "
                       f"{event.get('actor') or '-'}  {summary(event.get('details') or {})}")
        for problem in problems:
            click.echo(f"BROKEN {problem.line()}")
        if not problems:
            click.echo(f"chain OK ({len(events)} events, anchored on {MANIFEST})")
    if problems:
        raise SystemExit(EXIT_PROBLEM)


def summary(details: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in details.items() if v is not None)[:160]


@custody.command("add")
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--event", type=click.Choice(EVENTS), required=True)
@click.option("--operator", help="Who is recording this event.")
@click.option("--to", "recipient", help="For 'transferred': to whom.")
@click.option("--note", help="Why, or any other detail.")
@click.option("--key", "key_name", default=DEFAULT_NAME, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object: bundle, event, custody_event.")
def add(bundle: Path, event: str, operator: str | None, recipient: str | None, note: str | None,
        key_name: str, as_json: bool) -> None:
    """Append a signed event (never rewriting an existing one)."""
    folder = bundle_folder(bundle)
    signer = load_key(key_name)
    details = {k: v for k, v in {"to": recipient, "note": note}.items() if v}
    relpath = append_event(folder, event=event, actor=operator, details=details, signer=signer)
    if as_json:
        click.echo(json.dumps({"bundle": str(folder), "event": event, "custody_event": relpath}))
    else:
        click.echo(f"added {relpath}")
