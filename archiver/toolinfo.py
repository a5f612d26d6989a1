"""Names and versions of the tool and its parts, for warcinfo and manifest."""

from __future__ import annotations

import copy
import functools
import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import pluggy

TOOL_NAME = "evidence-archiver"
COMPONENTS = ("playwright", "warcio", "mitmproxy", "pluggy", "imagehash", "pdqhash", "pillow",
              "cryptography", "rfc8785", "rfc3161-client")


@functools.cache
def _version(dist: str) -> str | None:
    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def tool_info() -> dict[str, Any]:
    # A copy, so a caller that edits its manifest cannot change the next one.
    return copy.deepcopy(_tool_info())


@functools.cache
def _tool_info() -> dict[str, Any]:
    # Reading package metadata costs tens of milliseconds; versions do not change within a process.
    from archiver import __version__

    return {
        "name": TOOL_NAME,
        "version": __version__,
        "python": sys.version.split()[0],
        "os": platform.platform(),
        "components": {name: _version(name) for name in COMPONENTS},
    }


def plugin_versions(pm: pluggy.PluginManager) -> list[dict[str, Any]]:
    return copy.deepcopy(_plugin_versions(pm, tuple(name for name, _ in pm.list_name_plugin())))


@functools.lru_cache(maxsize=8)
def _plugin_versions(pm: pluggy.PluginManager, names: tuple[str, ...]) -> list[dict[str, Any]]:
    # Keyed by the registered names too: a plugin turned off later gives a new answer.
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    own_version = _tool_info()["version"]
    out = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        dist = dists.get(id(plugin))
        out.append({
            "name": name,
            "module": getattr(plugin, "__name__", type(plugin).__name__),
            "version": dist.version if dist else getattr(plugin, "__version__", None) or own_version,
            "distribution": dist.project_name if dist else TOOL_NAME,
        })
    return out
