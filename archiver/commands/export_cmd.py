"""``archiver export``: a bundle as a WACZ package (replayable web archive, evidence files included)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from archiver.commands.custody_cmd import bundle_folder
from archiver.commands.notices import warn
from archiver.commands.outputs import check_output, signer
from archiver.custody import append_event
from archiver.errors import ArchiverError, EvidenceError
from archiver.keys import DEFAULT_NAME
from archiver.problem import OK, TAMPERED
from archiver.signing import PUBLIC_KEY
from archiver.storage.local import local_bundle
from archiver.verify import verify_bundle


@click.command()
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--wacz", "output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="WACZ file to write (never overwritten).")
@click.option("--operator", help="Who exports (recorded in the custody event).")
@click.option("--key", "key_name", default=DEFAULT_NAME, show_default=True,
              help="Signing key for the WACZ and the 'exported' custody event.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object: bundle_id, wacz, wacz_version, sha256, size, verification, "
                   "custody_event.")
def export(bundle: Path, output: Path, operator: str | None, key_name: str, as_json: bool) -> None:
    """Export one local bundle as a WACZ 1.1.1 file; a bundle that fails verification is not exported."""
    # cdxj-indexer takes a second to import (surt loads the public-suffix list): only when exporting.
    from archiver.wacz_export import WACZ_VERSION, export_wacz

    folder = bundle_folder(bundle)
    check_output(output, folder)
    if output.suffix != ".wacz":
        raise ArchiverError(f"{output}: a WACZ file must end in .wacz")
    recorder = signer(key_name)
    checked = verify_bundle(local_bundle(folder), deep=True)
    if checked.result == TAMPERED:
        raise EvidenceError(f"not exported: {checked.line()}")
    if checked.result != OK:
        warn(f"exporting anyway: {checked.line()}")
    if checked.signer and checked.signer != recorder.fingerprint:
        warn(f"the WACZ is signed with key {key_name!r} ({recorder.fingerprint}), not the bundle's "
             f"signer ({checked.signer}, {PUBLIC_KEY}): 'archiver verify' will report that")
    try:
        result = export_wacz(folder, output, recorder)
    except FileExistsError:
        raise ArchiverError(f"{output} already exists; not overwriting it") from None
    except OSError as exc:
        raise ArchiverError(f"cannot write {output}: {exc.strerror or exc}") from None
    event = append_event(folder, event="exported", actor=operator, signer=recorder, details={
        "format": "wacz", "wacz_version": WACZ_VERSION, "file": output.name, "sha256": result.sha256,
        "size": result.size, "datapackage_sha256": result.datapackage_sha256, "wacz_signer": result.signer,
        "verification": checked.result})
    if as_json:
        click.echo(json.dumps({"bundle_id": checked.bundle_id, "wacz": str(output),
                               "wacz_version": WACZ_VERSION, "sha256": result.sha256, "size": result.size,
                               "verification": checked.result, "custody_event": event}))
    else:
        click.echo(f"exported {checked.bundle_id} to {output} (WACZ {WACZ_VERSION}, {result.size} bytes, "
                   f"{result.sha256}); custody event {event}")
