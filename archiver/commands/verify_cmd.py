"""``archiver verify``: re-check stored bundles."""

from __future__ import annotations

import json
from pathlib import Path

import click

from archiver.bundle import MANIFEST
from archiver.commands.common import EXIT_PROBLEM, fail, open_store, plugin_manager
from archiver.ids import is_bundle_id
from archiver.storage.base import BundleReader, StoreError
from archiver.storage.local import local_bundle
from archiver.verify import OK, verify_bundle


def bundles_at(ctx: click.Context, location: str) -> list[BundleReader]:
    path = Path(location)
    if "://" not in location:
        if not path.exists():
            fail(f"no such bundle or store: {location}")
        if (path / MANIFEST).exists() or is_bundle_id(path.name):
            return [local_bundle(path)]
    store = open_store(plugin_manager(ctx), location)
    try:
        return [store.reader(bundle_id) for bundle_id in store.bundle_ids()]
    except StoreError as exc:
        fail(str(exc))


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per bundle.")
@click.pass_context
def verify(ctx: click.Context, paths: tuple[str, ...], as_json: bool) -> None:
    """Verify bundles (a bundle folder or a whole store). Exit 0 all OK, 1 any problem, 2 usage."""
    bundles = [b for location in paths for b in bundles_at(ctx, location)]
    if not bundles:
        fail(f"no bundles found in {', '.join(paths)}")
    bad = 0
    for bundle in bundles:
        report = verify_bundle(bundle)
        bad += report.result != OK
        click.echo(json.dumps(report.to_dict()) if as_json else report.line())
    if bad:
        raise SystemExit(EXIT_PROBLEM)
