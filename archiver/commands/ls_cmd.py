"""``archiver ls``: the bundles of a store (local folder or s3://), complete or not."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from archiver.bundle import MANIFEST
from archiver.commands.common import open_store, plugin_manager
from archiver.commands.store_command import StoreCommand
from archiver.ids import bundle_id_time_ms
from archiver.ledger import LEDGER_DIR, LEDGER_FILE, ledger_of_store
from archiver.manifest import Manifest, ManifestError
from archiver.problem import OK, TAMPERED, UNPROTECTED
from archiver.storage.base import BundleReader, StoreUsageError
from archiver.verify import verify_bundle

MAX_MANIFEST = 64 * 1024 * 1024


def describe(reader: BundleReader) -> dict[str, Any]:
    """One row; ``state`` by the rules ``verify`` uses, without hashing every byte.

    ``complete`` (verify would say OK if every hash holds), ``interrupted`` (a capture or a write
    stopped before the bundle was sealed: no manifest, or a half-written file), ``incomplete``
    (sealed, but a step after sealing is missing: signature, custody, timestamp, ledger), or
    ``TAMPERED``; ``reason`` says why for all but the first.
    """
    ms = bundle_id_time_ms(reader.bundle_id)
    row: dict[str, Any] = {
        "bundle_id": reader.bundle_id,
        "time": datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "platform": None, "status": None, "state": "interrupted", "reason": None,
        "complete": False, "location": reader.location,
    }
    report = verify_bundle(reader, shallow=True)
    if report.problems:
        row["reason"] = "; ".join(p.line() for p in report.problems[:3])
    if report.result in (OK, UNPROTECTED):
        row["state"], row["complete"] = "complete", True
    elif report.result == TAMPERED:
        row["state"] = TAMPERED
    elif not any(p.path == MANIFEST or p.kind == "interrupted" for p in report.problems):
        row["state"] = "incomplete"
    if MANIFEST in reader.list_files():
        try:
            with reader.open(MANIFEST) as stream:
                manifest = Manifest.from_bytes(stream.read(MAX_MANIFEST))
            row["platform"], row["status"] = manifest.platform, manifest.status
        except (ManifestError, OSError):
            row["status"] = "unreadable-manifest"
    return row


@click.command(name="ls", cls=StoreCommand)
@click.argument("location", metavar="STORE")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per bundle.")
@click.pass_context
def ls(ctx: click.Context, /, location: str, as_json: bool, **store_options: Any) -> None:
    """List the bundles in STORE (a folder or s3://bucket/prefix), oldest first."""
    store = open_store(plugin_manager(ctx), location, store_options)
    listed = 0
    for bundle_id in store.bundle_ids():
        listed += 1
        row = describe(store.reader(bundle_id))
        if as_json:
            click.echo(json.dumps(row))
        else:
            why = f"  ({row['reason']})" if row["reason"] else ""
            click.echo(f"{row['bundle_id']}  {row['time']}  {row['platform'] or '-':<10} "
                       f"{row['status'] or '-':<15} {row['state']}{why}")
    # A store keeps a ledger from its first capture on: a folder with neither is a mistyped path.
    if not listed and store.capabilities.ledger and not ledger_of_store(Path(store.location)).is_file():
        raise StoreUsageError(f"{location} is not a store: no bundles and no {LEDGER_DIR}/{LEDGER_FILE}")
