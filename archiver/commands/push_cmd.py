"""``archiver push``: upload (or finish uploading) a local bundle folder to a store."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from archiver.bundle import MANIFEST
from archiver.commands.common import fail, open_store, plugin_manager
from archiver.storage.base import StoreError

ENDPOINT_ENV = "AWS_ENDPOINT_URL"


def use_endpoint(endpoint_url: str | None) -> None:
    """Hand --endpoint-url to every S3 client of this process (boto3 reads $AWS_ENDPOINT_URL)."""
    if endpoint_url:
        os.environ[ENDPOINT_ENV] = endpoint_url


endpoint_option = click.option(
    "--endpoint-url", metavar="URL",
    help="S3-compatible server to talk to (default: $AWS_ENDPOINT_URL, else AWS).")


@click.command()
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--store", "location", required=True, metavar="s3://BUCKET/PREFIX",
              help="Store to upload the bundle into.")
@endpoint_option
@click.pass_context
def push(ctx: click.Context, bundle: Path, location: str, endpoint_url: str | None) -> None:
    """Upload a local BUNDLE folder to a store, or finish an interrupted upload (manifest last)."""
    use_endpoint(endpoint_url)
    try:
        manifest = json.loads((bundle / MANIFEST).read_bytes())
        bundle_id = manifest["bundle_id"]
    except FileNotFoundError:
        fail(f"{bundle} has no {MANIFEST} (not a bundle, or an incomplete capture)")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        fail(f"cannot read {bundle / MANIFEST}: {type(exc).__name__}")
    store = open_store(plugin_manager(ctx), location)
    try:
        where = store.commit(bundle_id, bundle)
    except StoreError as exc:
        fail(str(exc))
    stats = getattr(store, "last_commit", {}) or {}
    counts = f" ({stats['uploaded']} uploaded, {stats['skipped']} already there)" if stats else ""
    click.echo(f"pushed {bundle_id} -> {where}{counts}")
