"""``archiver push``: upload (or finish uploading) a local bundle folder to a store."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from archiver.bundle import MANIFEST
from archiver.commands.common import open_store, plugin_manager
from archiver.commands.notices import note
from archiver.commands.store_command import StoreCommand
from archiver.custody import CUSTODY_DIR
from archiver.errors import ArchiverError, EvidenceError
from archiver.keys import DEFAULT_NAME, KeyFileError, Signer, load_key
from archiver.manifest import Manifest, ManifestError
from archiver.storage.base import Store, StoreError
from archiver.storage.lock import LockPolicy, lock_of_manifest


@click.command(cls=StoreCommand)
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--store", "location", required=True, metavar="s3://BUCKET/PREFIX",
              help="Store to upload the bundle into.")
@click.option("--operator", help="Who is pushing, recorded in the 'stored' custody event.")
@click.option("--key", "key_name", default=DEFAULT_NAME, show_default=True,
              help="Signing key for the 'stored' custody event.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object: bundle_id, location, uploaded, skipped, object_lock, custody_event.")
@click.pass_context
def push(ctx: click.Context, /, bundle: Path, location: str, operator: str | None, key_name: str,
         as_json: bool, **store_options: Any) -> None:
    """Upload a local BUNDLE folder to a store, or finish an interrupted upload (manifest last).

    Object Lock options apply to a bundle whose manifest records none; they are then recorded
    in a signed 'stored' custody event, as the manifest cannot change.
    """
    if not (bundle / MANIFEST).is_file():
        raise ArchiverError(f"{bundle} has no {MANIFEST} (not a bundle, or an incomplete capture)")
    try:
        manifest = Manifest.load(bundle / MANIFEST)
    except ManifestError as exc:
        raise ArchiverError(f"cannot push {bundle}: {exc}") from None
    bundle_id = manifest.bundle_id
    store = open_store(plugin_manager(ctx), location, store_options)
    lock = store.lock_for(manifest)
    signer = signer_for_event(key_name, needed=lock is not None and lock_of_manifest(manifest) is None)
    where = store.commit(bundle_id, bundle)
    upload = store.last_upload
    counts = f" ({upload.uploaded} uploaded, {upload.skipped} already there)" if upload else ""
    locked = f"; {lock.describe()}" if lock else ""
    if not as_json:
        click.echo(f"pushed {bundle_id} -> {where}{counts}{locked}")
    relpath = None
    # Only a store that copied the bundle out of the folder has a new place to record.
    if signer is not None and store.capabilities.resumable_upload:
        details = {"location": where, "object_lock": lock.for_manifest() if lock else None,
                   **(asdict(upload) if upload else {})}
        relpath = record_stored(store, bundle_id, bundle, signer, operator, details, lock)
        if not as_json:
            click.echo(f"recorded custody event {relpath}")
    if as_json:
        click.echo(json.dumps({"bundle_id": bundle_id, "location": where,
                               "uploaded": upload.uploaded if upload else None,
                               "skipped": upload.skipped if upload else None,
                               "object_lock": lock.for_manifest() if lock else None,
                               "custody_event": relpath}))


def signer_for_event(key_name: str, needed: bool) -> Signer | None:
    try:
        return load_key(key_name)
    except KeyFileError as exc:
        if needed:
            raise KeyFileError(f"{exc}; a lock applied by push is recorded in a signed 'stored' custody "
                               "event") from None
        note(f"{exc.format_message()}; no 'stored' custody event recorded")
        return None


def record_stored(store: Store, bundle_id: str, folder: Path, signer: Signer, operator: str | None,
                  details: dict[str, Any], lock: LockPolicy | None) -> str:
    """Append the signed 'stored' event to the stored bundle, and the same file to the local copy."""
    reader = store.reader(bundle_id)
    try:
        relpath = reader.append_event(event="stored", actor=operator, details=details, signer=signer,
                                      lock=lock)
        local = folder / relpath
        events = list((folder / CUSTODY_DIR).glob("*.json")) if folder.is_dir() else []
        if folder.is_dir() and not local.exists() and f"{len(events) + 1:06d}" == local.name[:6]:
            with reader.open(relpath) as stored:  # the local chain stays a prefix of the stored one
                local.write_bytes(stored.read())
            local.chmod(0o444)
    except (StoreError, OSError) as exc:
        raise EvidenceError(f"bundle {bundle_id} is committed, but its 'stored' custody event was not "
                            f"recorded: {exc}") from None
    return relpath
