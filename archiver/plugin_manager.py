"""Building the plugin manager: specs, third-party entry points, built-ins."""

from __future__ import annotations

import os
from collections.abc import Iterable
from importlib import import_module
from importlib.metadata import entry_points

import pluggy

from archiver import hookspecs
from archiver.errors import ArchiverError

PROJECT = "archiver"
DISABLE_ENV = "ARCHIVER_DISABLE_PLUGINS"

# Import paths of the plugins that ship with the tool, registered like any other.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "archiver.plugins.x",
    "archiver.plugins.facebook",
    "archiver.plugins.instagram",
    "archiver.plugins.telegram",
    "archiver.plugins.whatsapp",
    "archiver.plugins.generic",
    "archiver.storage.s3",
    "archiver.storage.local",
)


class UnknownPluginError(ArchiverError):
    """A plugin to disable that is not installed: a typo would otherwise leave it running."""


def disabled_from_env() -> set[str]:
    raw = os.environ.get(DISABLE_ENV, "")
    return {name.strip() for name in raw.split(",") if name.strip()}


def get_plugin_manager(
    disable: Iterable[str] = (), *, load_entrypoints: bool = True
) -> pluggy.PluginManager:
    """A fresh manager with the hook specs, third-party plugins and built-ins.

    ``disable`` (plus ``$ARCHIVER_DISABLE_PLUGINS``, comma-separated) names plugins
    to leave out; they stay listed as blocked so ``archiver plugins --all`` shows them.
    """
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    to_disable = set(disable) | disabled_from_env()
    check_installed(to_disable)
    for name in to_disable:
        pm.set_blocked(name)
    if load_entrypoints:
        pm.load_setuptools_entrypoints(PROJECT)
    for path in BUILTIN_PLUGINS:
        name = builtin_name(path)
        if pm.is_blocked(name):
            continue
        pm.register(import_module(path), name=name)
    return pm


def builtin_name(import_path: str) -> str:
    return import_path.rsplit(".", 1)[-1]


def installed_names() -> set[str]:
    return {builtin_name(path) for path in BUILTIN_PLUGINS} | {ep.name for ep in entry_points(group=PROJECT)}


def check_installed(names: set[str]) -> None:
    unknown = sorted(names - installed_names())
    if unknown:
        raise UnknownPluginError(f"no plugin named {unknown[0]!r} to disable (--disable-plugin, "
                                 f"${DISABLE_ENV}); installed: {', '.join(sorted(installed_names()))}")
