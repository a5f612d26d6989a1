"""Helpers every command shares: plugin manager from the CLI context, one-line errors."""

from __future__ import annotations

from typing import NoReturn

import click
import pluggy

from archiver.plugin_manager import get_plugin_manager
from archiver.storage.base import Store, StoreError

EXIT_PROBLEM = 1
EXIT_USAGE = 2


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


__all__ = ["EXIT_PROBLEM", "EXIT_USAGE", "StoreError", "fail", "open_store", "plugin_manager"]
