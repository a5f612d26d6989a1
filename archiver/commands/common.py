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


def open_store(pm: pluggy.PluginManager, location: str) -> Store:
    store = pm.hook.open_store(location=location)
    if store is None:
        fail(f"no storage backend handles {location!r}")
    return store


__all__ = ["EXIT_ENVIRONMENT", "EXIT_OK", "EXIT_PROBLEM", "EXIT_USAGE", "StoreError", "fail", "open_store", "plugin_manager"]
