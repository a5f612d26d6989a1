"""Helpers every command shares: plugin manager from the CLI context, one-line errors."""

from __future__ import annotations

from typing import NoReturn

import click
import pluggy

from archiver.plugin_manager import get_plugin_manager
from archiver.storage.base import Store, StoreError

# The one table of exit codes, for every command (README "Exit codes").
EXIT_OK = 0
EXIT_PROBLEM = 1  # an evidence problem: a capture not complete, a bundle not OK
EXIT_USAGE = 2  # bad input: arguments, files, an existing output; nothing was stored
EXIT_ENVIRONMENT = 3  # the store, a TSA or the network is unreachable or refused; retrying may help


def plugin_manager(ctx: click.Context) -> pluggy.PluginManager:
    disabled = (ctx.find_root().obj or {}).get("disabled_plugins", ())
    return get_plugin_manager(disabled)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"archiver: error: {message}", err=True)
    raise SystemExit(code)


def store_failed(exc: StoreError) -> NoReturn:
    """A store's failure: the user's input (exit 2) or the store itself (exit 3, retrying may help)."""
    fail(str(exc), EXIT_USAGE if getattr(exc, "usage", False) else EXIT_ENVIRONMENT)


def open_store(pm: pluggy.PluginManager, location: str) -> Store:
    try:
        store = pm.hook.open_store(location=location)
    except StoreError as exc:  # a malformed location, such as s3:// without a bucket
        store_failed(exc)
    if store is None:
        fail(f"no storage backend handles {location!r}")
    return store


def check_store(store: Store) -> None:
    """Fail before any work (no browser, no spool folder) when the store could not take a bundle."""
    check = getattr(store, "check", None)  # stores of plugins written before Store.check existed
    if check is None:
        return
    try:
        check()
    except StoreError as exc:
        store_failed(exc)


__all__ = ["EXIT_ENVIRONMENT", "EXIT_OK", "EXIT_PROBLEM", "EXIT_USAGE", "StoreError", "check_store", "fail",
           "open_store",
           "plugin_manager", "store_failed"]
