"""``archiver index``: build or bring up to date the match index of a store."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Any

import click

from archiver.commands.common import open_store, plugin_manager
from archiver.commands.progress import progress_bar
from archiver.commands.store_command import StoreCommand
from archiver.indexing import refresh


@click.command(name="index", cls=StoreCommand)
@click.argument("location", metavar="STORE")
@click.option("--rebuild", is_flag=True, help="Index every bundle again, from the bundles alone, into a new "
                                              "index that replaces the old one.")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as one JSON object.")
@click.pass_context
def index(ctx: click.Context, /, location: str, rebuild: bool, as_json: bool, **store_options: Any) -> None:
    """Add every bundle of STORE (a folder or s3://bucket/prefix) not indexed yet to its match index."""
    store = open_store(plugin_manager(ctx), location, store_options)
    total = sum(1 for _ in store.bundle_ids())
    with progress_bar("indexing", total, sys.stderr.isatty() and not as_json) as progress:
        done = refresh(store, rebuild, on_bundle=lambda _bundle: progress.advance())
    if as_json:
        click.echo(json.dumps(asdict(done)))
        return
    click.echo(f"indexed {done.added} new bundles; the index of {location} holds {done.bundles} bundles "
               f"({done.rows} signal rows) in {done.folder}")
    for bundle_id, why in done.skipped.items():
        click.echo(f"skipped {bundle_id}: {why}")
