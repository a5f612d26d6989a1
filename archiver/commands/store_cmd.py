"""``archiver store init``: create an S3 bucket ready for evidence (versioning, Object Lock)."""

from __future__ import annotations

import click

from archiver.commands.s3_options import endpoint_option, use_endpoint


@click.group()
def store() -> None:
    """Set up a store."""


@store.command("init")
@click.argument("location", metavar="s3://BUCKET[/PREFIX]")
@click.option("--object-lock", is_flag=True,
              help="Create the bucket with S3 Object Lock (needed for --retain-days / --legal-hold). "
                   "It cannot be turned off again.")
@endpoint_option
def init(location: str, object_lock: bool, endpoint_url: str | None) -> None:
    """Create the bucket of LOCATION, versioned (and with Object Lock when asked).

    An existing bucket is never changed: a bucket that already has what was asked for is
    reported and the command succeeds; one without Object Lock when --object-lock was asked
    is an error.
    """
    from archiver.storage.s3 import S3Store
    from archiver.storage.s3_bucket import init_bucket

    use_endpoint(endpoint_url)
    click.echo(init_bucket(S3Store(location), object_lock))
