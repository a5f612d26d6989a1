"""Every hook an archiver plugin can implement: the plugin contract, version 1.

``docs/plugins.md`` documents each hook with the same signature (a test keeps the two
in step). A platform's page work is not a hook: a plugin registers
:class:`~archiver.platforms.Platform` objects, and only the platform that claimed a
URL runs on its page (see :mod:`archiver.platforms`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
def open_store(location: str, options: Mapping[str, Any]) -> Store | None:
    """Return a storage backend for ``location`` (a path, ``s3://bucket/prefix``...), or ``None``.

    The backend implements the protocol of :class:`archiver.storage.base.Store` (see
    ``docs/stores.md``). ``options`` holds the values of the options that storage plugins added
    to the running command (``store_options``), by parameter name, whichever plugin added
    them; it is empty outside the command line. Raise ``StoreUsageError`` for a location that
    is yours but malformed, or when options you added make no sense for ``location``.
    """


@hookspec
def store_options(command: str) -> list[click.Option] | None:
    """Add your storage backend's options to the built-in command ``command``.

    Asked for each command that opens a store: ``capture`` and ``push`` (which write bundles),
    ``verify`` and ``ls`` (which read them). Return new ``click.Option`` objects, or ``None``;
    their values reach every ``open_store`` call of the command as ``options``. Options are
    shared by all backends on the command line, so two plugins adding the same option is an
    error: name yours after your backend unless users already know it by another name.
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``archiver`` command-line group."""


@hookspec
def plugin_info() -> dict[str, Any] | None:
    """Describe the plugin for ``archiver plugins`` (name, version, kind, description)."""
