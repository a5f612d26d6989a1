"""Every hook an archiver plugin can implement: the plugin contract, version 1.

``docs/plugins.md`` documents each hook with the same signature (a test keeps the two
in step). A platform's page work is not a hook: a plugin registers
:class:`~archiver.platforms.Platform` objects, and only the platform that claimed a
URL runs on its page (see :mod:`archiver.platforms`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from archiver.platforms import Platform
    from archiver.storage.base import Store

hookspec = pluggy.HookspecMarker("archiver")


@hookspec
def register_platforms(register: Callable[[Platform], None]) -> None:
    """Register the platforms this plugin captures: call ``register(Platform(...))`` once for each.

    Platforms are asked to claim a URL in hook order (``tryfirst`` plugins first); the
    built-in ``generic`` platform is always asked last and also fills in any step the
    claiming platform leaves out.
    """


@hookspec(firstresult=True)
def open_store(location: str) -> Store | None:
    """Return a storage backend for ``location`` (a path, ``s3://bucket/prefix``...), or ``None``."""


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``archiver`` command-line group."""


@hookspec
def plugin_info() -> dict[str, Any] | None:
    """Describe the plugin for ``archiver plugins`` (name, version, kind, description)."""
