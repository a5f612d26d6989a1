"""``archiver bank``: import, export and list the hash banks of a store."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import click

from archiver.bank import Bank, BankEntry, all_banks, check_name, load_bank, merged, save_version, versions
from archiver.bank_formats import FORMATS, BankFormatError, parse, render
from archiver.bank_signals import SIGNAL_TYPES
from archiver.clock import utc_time
from archiver.commands.common import open_store, plugin_manager
from archiver.commands.outputs import write_new
from archiver.errors import EXIT_PROBLEM, ArchiverError
from archiver.storage.base import Store
from archiver.storage.local import DEFAULT_LOCATION

store_option = click.option("--store", default=DEFAULT_LOCATION, show_default=True,
                            help="The store whose banks these are (a folder).")
format_option = click.option("--format", "fmt", type=click.Choice(FORMATS), required=True,
                             help="te: '<signal_type> <signal>' lines; "
                                  "csv: signal_type,signal,labels,source; "
                                  "tat: Tech Against Terrorism hash-list JSON.")


@click.group(name="bank")
def bank() -> None:
    """Hash banks: named, versioned lists of known content that captures are matched against."""


def the_store(ctx: click.Context, location: str) -> Store:
    return open_store(plugin_manager(ctx), location, {})


def read_input(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ArchiverError(f"no such file: {path}") from None
    except OSError as exc:
        raise ArchiverError(f"cannot read {path}: {exc.strerror}") from None


@bank.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--name", required=True, help="The bank, CAPS_AND_UNDERSCORE (created on first import).")
@format_option
@click.option("--source", help="Where the entries come from (default: the file's name); a CSV row's own "
                               "source wins.")
@click.option("--replace", is_flag=True, help="The new version holds this file's entries only (default: "
                                              "the latest version's, added to and updated by the file).")
@store_option
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object: bank, entries, added, updated, removed, bad_rows (where, reason).")
@click.pass_context
def import_(ctx: click.Context, file: Path, name: str, fmt: str, source: str | None, replace: bool,
            store: str, as_json: bool) -> None:
    """Import FILE into bank --name as its next version; rows that cannot be read are reported
    (exit 1) and the rest imported."""
    backend = the_store(ctx, store)
    latest = load_bank(backend, name) if versions(backend, name) else None
    previous = latest.entries if latest else ()
    data = read_input(file)
    try:
        text = data.decode("utf-8-sig")  # a spreadsheet's CSV may start with a byte-order mark
    except UnicodeDecodeError:
        raise BankFormatError(f"{file} is not UTF-8 text") from None
    try:
        parsed = parse(fmt, text, source=source or file.name, added=utc_time())
    except BankFormatError as exc:
        raise BankFormatError(f"{file}: {exc.format_message()}") from None
    for bad in parsed.bad:
        click.echo(f"archiver: skipped {file} {bad.where}: {bad.reason}", err=True)
    if not parsed.rows:
        raise BankFormatError(f"nothing imported: {file} has no valid row")
    entries = merged(() if replace else previous, parsed.entries, parsed.deleted)
    counts = changes(previous, entries)
    origin = {"file": file.name, "sha256": hashlib.sha256(data).hexdigest(), "format": fmt,
              "replace": replace, **counts, "bad_rows": len(parsed.bad)}
    saved = save_version(backend, name, (latest.version if latest else 0) + 1, entries, origin)
    if as_json:
        bad_rows = [{"where": bad.where, "reason": bad.reason} for bad in parsed.bad]
        click.echo(json.dumps({"bank": saved.ref, "entries": len(saved.entries), **counts,
                               "bad_rows": bad_rows}, ensure_ascii=False))
    else:
        click.echo(f"{saved.ref}: {len(saved.entries)} entries ({counts['added']} added, "
                   f"{counts['updated']} updated, {counts['removed']} removed); {len(parsed.bad)} bad rows")
    if parsed.bad:
        ctx.exit(EXIT_PROBLEM)


def changes(previous: tuple[BankEntry, ...], entries: list[BankEntry]) -> dict[str, int]:
    before = {entry.key: entry for entry in previous}
    after = {entry.key for entry in entries}
    return {"added": len(after - set(before)),
            "updated": sum(1 for entry in entries if entry.key in before and before[entry.key] != entry),
            "removed": len(set(before) - after)}


@bank.command(name="export")
@click.argument("name")
@format_option
@click.option("--version", "version", type=click.IntRange(min=1), help="Default: the latest.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write here (a new file) rather than to standard output.")
@store_option
@click.pass_context
def export(ctx: click.Context, name: str, fmt: str, version: int | None, output: Path | None,
           store: str) -> None:
    """Write bank NAME in a sharing format."""
    found = load_bank(the_store(ctx, store), check_name(name), version)
    text, left_out = render(fmt, list(found.entries))
    if left_out:
        kinds = ", ".join(sorted({entry.signal_type for entry in left_out}))
        click.echo(f"archiver: warning: {len(left_out)} entries of {found.ref} ({kinds}) cannot be written "
                   f"in the {fmt} format; left out", err=True)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_new(output, text.encode())


@bank.command(name="ls")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per bank.")
@store_option
@click.pass_context
def ls(ctx: click.Context, as_json: bool, store: str) -> None:
    """List the banks of the store: latest version, entries by signal type, what was imported last."""
    for found in all_banks(the_store(ctx, store)):
        row = summary(found)
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            counts = " ".join(f"{kind}={count}" for kind, count in row["by_type"].items())
            click.echo(f"{found.name}  v{found.version}  {found.created}  {len(found.entries)} entries"
                       f"{'  ' + counts if counts else ''}  (from {found.origin['file']})")


def summary(found: Bank) -> dict[str, Any]:
    by_type = {kind: len(found.entries_of(kind)) for kind in SIGNAL_TYPES}
    return {"bank": found.name, "version": found.version, "created": found.created,
            "entries": len(found.entries), "by_type": {k: n for k, n in by_type.items() if n},
            "origin": found.origin}
