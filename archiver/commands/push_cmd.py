"""``archiver push``: upload (or finish uploading) a local bundle folder to a store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from archiver.bundle import MANIFEST
from archiver.commands.common import open_store, plugin_manager
from archiver.commands.s3_options import (
    check_lock_store,
    endpoint_option,
    lock_options,
    lock_policy,
    use_endpoint,
)
from archiver.custody import CUSTODY_DIR
from archiver.errors import ArchiverError, EvidenceError
from archiver.keys import DEFAULT_NAME, KeyFileError, Signer, load_key
from archiver.manifest import Manifest, ManifestError
from archiver.storage.base import Store, StoreError
from archiver.storage.s3_lock import LockPolicy, lock_of_manifest

# Kept importable from here for commands written before s3_options existed.
__all__ = ["endpoint_option", "push", "use_endpoint"]


@click.command()
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--store", "location", required=True, metavar="s3://BUCKET/PREFIX",
              help="Store to upload the bundle into.")
@endpoint_option
@lock_options
@click.option("--operator", help="Who is pushing, recorded in the 'stored' custody event.")
@click.option("--key", "key_name", default=DEFAULT_NAME, show_default=True,
              help="Signing key for the 'stored' custody event.")
@click.pass_context
def push(ctx: click.Context, bundle: Path, location: str, endpoint_url: str | None, retain_days: int | None,
         lock_mode: str | None, legal_hold: bool, operator: str | None, key_name: str) -> None:
    """Upload a local BUNDLE folder to a store, or finish an interrupted upload (manifest last).

    Object Lock options apply to a bundle whose manifest records none; they are then recorded
    in a signed 'stored' custody event, as the manifest cannot change.
    """
    use_endpoint(endpoint_url)
    asked = lock_policy(lock_mode, retain_days, legal_hold)
    if not (bundle / MANIFEST).is_file():
        raise ArchiverError(f"{bundle} has no {MANIFEST} (not a bundle, or an incomplete capture)")
    try:
        manifest = Manifest.load(bundle / MANIFEST)
    except ManifestError as exc:
        raise ArchiverError(f"cannot push {bundle}: {exc}") from None
    bundle_id = manifest.bundle_id
    recorded = lock_of_manifest(manifest)
    store = open_store(plugin_manager(ctx), location)
    signer = signer_for_event(key_name, needed=asked is not None and recorded is None)
    check_lock_store(store, asked)
    if asked is not None:
        store.lock = asked  # check_lock_store made sure it is an S3Store
    lock: LockPolicy | None = store.lock_for(manifest) if hasattr(store, "lock_for") else None
    where = store.commit(bundle_id, bundle)
    stats = getattr(store, "last_commit", {}) or {}
    counts = f" ({stats['uploaded']} uploaded, {stats['skipped']} already there)" if stats else ""
    locked = f"; {lock.describe()}" if lock else ""
    click.echo(f"pushed {bundle_id} -> {where}{counts}{locked}")
    if signer is not None:
        details = {"location": where, "object_lock": lock.for_manifest() if lock else None, **stats}
        relpath = record_stored(store, bundle_id, bundle, signer, operator, details, lock)
        if relpath:
            click.echo(f"recorded custody event {relpath}")


def signer_for_event(key_name: str, needed: bool) -> Signer | None:
    try:
        return load_key(key_name)
    except KeyFileError as exc:
        if needed:
            raise KeyFileError(f"{exc}; a lock applied by push is recorded in a signed 'stored' custody "
                               "event") from None
        click.echo(f"archiver: note: {exc}; no 'stored' custody event recorded", err=True)
        return None


def record_stored(store: Store, bundle_id: str, folder: Path, signer: Signer, operator: str | None,
                  details: dict[str, Any], lock: LockPolicy | None) -> str | None:
    """Append the signed 'stored' event to the stored bundle, and the same file to the local copy."""
    reader = store.reader(bundle_id)
    append = getattr(reader, "append_event", None)
    if append is None:
        return None
    try:
        relpath: str = append(event="stored", actor=operator, details=details, signer=signer, lock=lock)
        local = folder / relpath
        events = list((folder / CUSTODY_DIR).glob("*.json")) if folder.is_dir() else []
        if folder.is_dir() and not local.exists() and f"{len(events) + 1:06d}" == local.name[:6]:
            local.write_bytes(reader.read(relpath))  # the local chain stays a prefix of the stored one
            local.chmod(0o444)
    except (StoreError, OSError) as exc:
        raise EvidenceError(f"bundle {bundle_id} is committed, but its 'stored' custody event was not "
                            f"recorded: {exc}") from None
    return relpath
