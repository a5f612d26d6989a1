"""The s3 backend's command line: its options on the commands that open a store, and ``archiver store``.

The options join the built-in commands through the ``store_options`` hook, and their values
come back to this backend's ``open_store`` (see ``archiver/commands/store_command.py``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import click

from archiver.storage.base import StoreUsageError
from archiver.storage.lock import MODES, LockPolicy
from archiver.storage.s3_bucket import init_bucket, object_lock_enabled, versioning_enabled

# Commands that write bundles into a store, so may lock what they write.
WRITERS = ("capture", "push")
READERS = ("verify", "ls", "index", "match", "mirrors")


def endpoint_option() -> click.Option:
    return click.Option(["--endpoint-url"], metavar="URL",
                        help="S3-compatible server to talk to (default: $AWS_ENDPOINT_URL, else AWS).")


def lock_options() -> list[click.Option]:
    return [
        click.Option(["--retain-days"], type=int, metavar="N",
                     help="S3 Object Lock: keep every object undeletable for N days (bucket needs "
                          "Object Lock). Recorded."),
        click.Option(["--lock-mode"], type=click.Choice(MODES, case_sensitive=False),
                     help="Object Lock mode with --retain-days: governance (privileged users may lift it, "
                          "default) or compliance (nobody can, not even the account root)."),
        click.Option(["--legal-hold"], is_flag=True,
                     help="S3 Object Lock: put a legal hold on every object (until explicitly lifted)."),
    ]


def options_for(command: str) -> list[click.Option]:
    if command in WRITERS:
        return [*lock_options(), endpoint_option()]
    if command in READERS:
        return [endpoint_option()]
    return []


def lock_from_options(options: Mapping[str, Any]) -> LockPolicy | None:
    """The lock ``--lock-mode/--retain-days/--legal-hold`` ask for (None: no lock at all)."""
    mode, retain_days = options.get("lock_mode"), options.get("retain_days")
    legal_hold = bool(options.get("legal_hold"))
    if mode is not None and retain_days is None:
        raise StoreUsageError("--lock-mode needs --retain-days N")
    if retain_days is not None and retain_days < 1:
        raise StoreUsageError("--retain-days must be at least 1")
    if retain_days is None and not legal_hold:
        return None
    if retain_days is not None:
        mode = (mode or "governance").lower()
        if mode not in MODES:
            raise StoreUsageError(f"--lock-mode must be one of {', '.join(MODES)}, not {mode!r}")
    return LockPolicy(mode, retain_days, legal_hold)


@click.group()
def store() -> None:
    """Set up a store."""


@store.command("init", params=[endpoint_option()])
@click.argument("location", metavar="s3://BUCKET[/PREFIX]")
@click.option("--object-lock", is_flag=True,
              help="Create the bucket with S3 Object Lock (needed for --retain-days / --legal-hold). "
                   "It cannot be turned off again.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object: bucket, versioning, object_lock (null: the server does not say), "
                   "message.")
def init(location: str, object_lock: bool, endpoint_url: str | None, as_json: bool) -> None:
    """Create the bucket of LOCATION, versioned (and with Object Lock when asked).

    An existing bucket is never changed: a bucket that already has what was asked for is
    reported and the command succeeds; one without Object Lock when --object-lock was asked
    is an error.
    """
    from archiver.storage.s3 import S3Store  # s3 imports this module for its hooks

    store = S3Store(location, endpoint_url=endpoint_url)
    message = init_bucket(store, object_lock)
    if as_json:
        click.echo(json.dumps({"bucket": f"s3://{store.bucket}", "versioning": versioning_enabled(store),
                               "object_lock": object_lock_enabled(store), "message": message}))
    else:
        click.echo(message)
