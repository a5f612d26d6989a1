"""``archiver timestamp``: add an RFC 3161 trusted timestamp to bundles that have none yet."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from archiver.bundle import MANIFEST
from archiver.commands.tsa_options import timestamp_note, tsa_urls_option
from archiver.errors import EXIT_ENVIRONMENT, EXIT_PROBLEM, ArchiverError
from archiver.ids import is_bundle_id
from archiver.keys import DEFAULT_NAME, Signer, load_key
from archiver.manifest import Manifest, ManifestError
from archiver.signing import JCS, PUBLIC_KEY, SIGNATURE, signature_problem
from archiver.timestamp import DEFAULT_TIMEOUT, TimestampError, stamp_bundle
from archiver.tstoken import TOKEN


def bundle_folders(path: Path) -> list[Path]:
    """A bundle folder, or every complete bundle in a local store folder."""
    if (path / MANIFEST).is_file():
        return [path]
    if path.is_dir():
        found = [child for child in sorted(path.iterdir())
                 if is_bundle_id(child.name) and (child / MANIFEST).is_file()]
        if found:
            return found
    raise ArchiverError(f"{path} is not a bundle (no {MANIFEST}) nor a local store of bundles")


def stamp_one(folder: Path, urls: Sequence[str], signer: Signer, operator: str | None,
              timeout: float) -> dict[str, Any]:
    entry: dict[str, Any] = {"bundle_id": folder.name, "bundle": str(folder)}
    if (folder / TOKEN).exists():
        return {**entry, "result": "skipped", "detail": f"already has {TOKEN} (a token is never replaced)"}
    if not all((folder / name).is_file() for name in (JCS, SIGNATURE, PUBLIC_KEY)):
        return {**entry, "result": "failed", "detail": "the manifest is not signed: nothing to timestamp"}
    # Timestamping vouches for what is there now: never for a manifest that fails its signature.
    try:
        manifest = Manifest.load(folder / MANIFEST)
    except ManifestError as exc:
        return {**entry, "result": "failed", "detail": f"not timestamped: {exc}"}
    problem = signature_problem(manifest.raw, (folder / JCS).read_bytes(), (folder / SIGNATURE).read_bytes(),
                              (folder / PUBLIC_KEY).read_bytes())
    if problem:
        return {**entry, "result": "failed", "detail": f"not timestamped: {problem}"}
    try:
        details = stamp_bundle(folder, urls, signer, operator, timeout)
    except TimestampError as exc:
        return {**entry, "result": "failed", "detail": str(exc), "tsa_failed": True}
    return {**entry, "result": "timestamped", "timestamp": details}


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--tsa", "tsa_urls", multiple=True, metavar="URL",
              help="RFC 3161 TSA; repeatable (tried in order). Default: $ARCHIVER_TSA.")
@click.option("--operator", help="Who asks for the timestamp (recorded in the custody event).")
@click.option("--key", "key_name", default=DEFAULT_NAME, show_default=True,
              help="Key that signs the 'timestamped' custody event.")
@click.option("--timeout", default=DEFAULT_TIMEOUT, show_default=True, type=float, help="Seconds per TSA.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per bundle.")
def timestamp(paths: tuple[Path, ...], tsa_urls: tuple[str, ...], operator: str | None, key_name: str,
              timeout: float, as_json: bool) -> None:
    """Add a trusted timestamp (manifest.tsr) to bundles lacking one: bundle folders or local stores.

    Exit 0 when every bundle has a token afterwards, 1 when a bundle cannot be timestamped, 2 on
    usage errors, 3 when the only failures were TSAs that did not answer (try again later).
    """
    urls = tsa_urls_option(tsa_urls)
    if not urls:
        raise ArchiverError("no TSA given: pass --tsa URL or set $ARCHIVER_TSA")
    folders = [folder for path in paths for folder in bundle_folders(path)]
    signer = load_key(key_name)
    failed = tsa_failed = 0
    for folder in folders:
        entry = stamp_one(folder, urls, signer, operator, timeout)
        failed += entry["result"] == "failed"
        tsa_failed += bool(entry.pop("tsa_failed", False))
        if as_json:
            click.echo(json.dumps(entry, ensure_ascii=False))
        elif entry["result"] == "timestamped":
            click.echo(f"{'timestamped':<12} {folder.name}  {timestamp_note(entry['timestamp'], None)}")
        else:
            click.echo(f"{entry['result']:<12} {folder.name}  {entry['detail']}")
    if failed:
        raise SystemExit(EXIT_ENVIRONMENT if failed == tsa_failed else EXIT_PROBLEM)
