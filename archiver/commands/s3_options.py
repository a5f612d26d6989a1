"""Options every command that talks to S3 shares: the endpoint, and Object Lock for writers."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import click

from archiver.errors import ArchiverError
from archiver.storage.base import Store
from archiver.storage.s3_lock import MODES, LockPolicy

ENDPOINT_ENV = "AWS_ENDPOINT_URL"
F = TypeVar("F", bound=Callable[..., Any])

endpoint_option = click.option(
    "--endpoint-url", metavar="URL",
    help="S3-compatible server to talk to (default: $AWS_ENDPOINT_URL, else AWS).")


def use_endpoint(endpoint_url: str | None) -> None:
    """Hand --endpoint-url to every S3 client of this process (boto3 reads $AWS_ENDPOINT_URL)."""
    if endpoint_url:
        os.environ[ENDPOINT_ENV] = endpoint_url


def lock_options(func: F) -> F:
    """--retain-days, --lock-mode, --legal-hold (for commands that write to a store)."""
    for option in reversed((
        click.option("--retain-days", type=int, metavar="N",
                     help="S3 Object Lock: keep every object undeletable for N days (bucket needs "
                          "Object Lock). Recorded."),
        click.option("--lock-mode", type=click.Choice(MODES, case_sensitive=False),
                     help="Object Lock mode with --retain-days: governance (privileged users may lift it, "
                          "default) or compliance (nobody can, not even the account root)."),
        click.option("--legal-hold", is_flag=True,
                     help="S3 Object Lock: put a legal hold on every object (until explicitly lifted)."),
    )):
        func = option(func)
    return func


def lock_policy(mode: str | None, retain_days: int | None, legal_hold: bool) -> LockPolicy | None:
    return LockPolicy.from_options(mode, retain_days, legal_hold)


def check_lock_store(store: Store, lock: LockPolicy | None) -> None:
    """Fail before any work when a lock is asked of a store that cannot keep one."""
    if lock is None:
        return
    require = getattr(store, "require_object_lock", None)
    if require is None:
        raise ArchiverError("--retain-days/--legal-hold need an s3:// store with Object Lock, not "
                            f"{store.location}")
    require(lock)
