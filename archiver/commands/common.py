"""Helpers every command shares: the plugin manager from the CLI context, the store asked for."""

from __future__ import annotations

import click
import pluggy

from archiver.errors import ArchiverError
from archiver.plugin_manager import get_plugin_manager
from archiver.storage.base import Store


def plugin_manager(ctx: click.Context) -> pluggy.PluginManager:
    disabled = (ctx.find_root().obj or {}).get("disabled_plugins", ())
    return get_plugin_manager(disabled)


def open_store(pm: pluggy.PluginManager, location: str) -> Store:
    store: Store | None = pm.hook.open_store(location=location)
    if store is None:
        raise ArchiverError(f"no storage backend handles {location!r}")
    return store


def check_store(store: Store) -> None:
    """Fail before any work (no browser, no spool folder) when the store could not take a bundle."""
    check = getattr(store, "check", None)  # stores of plugins written before Store.check existed
    if check is None:
        return
    check()
