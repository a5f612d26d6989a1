"""Helpers every command shares: the plugin manager from the CLI context, the store asked for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click
import pluggy

from archiver.errors import ArchiverError
from archiver.plugin_manager import get_plugin_manager
from archiver.storage.base import Store

PLUGIN_MANAGER = "archiver.plugin_manager"


def plugin_manager(ctx: click.Context) -> pluggy.PluginManager:
    """The command line's one plugin manager, built when first asked for (by a command's store
    options, then by the command itself): building one reads every entry point again."""
    if PLUGIN_MANAGER not in ctx.meta:  # meta is shared by every context of the command line
        disabled = (ctx.find_root().obj or {}).get("disabled_plugins", ())
        ctx.meta[PLUGIN_MANAGER] = get_plugin_manager(disabled)
    pm: pluggy.PluginManager = ctx.meta[PLUGIN_MANAGER]
    return pm


def open_store(pm: pluggy.PluginManager, location: str, options: Mapping[str, Any]) -> Store:
    """The store at ``location``; ``options``: what storage plugins' own options were given
    (see ``store_command``)."""
    store: Store | None = pm.hook.open_store(location=location, options=options)
    if store is None:
        raise ArchiverError(f"no storage backend handles {location!r}")
    return store

