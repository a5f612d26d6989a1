"""Every hook an archiver plugin can implement.

Synchronous hooks follow pluggy's usual rules. Hooks that drive the browser are
``async``: pluggy returns one coroutine per implementation, in hook order
(``tryfirst`` first, ``trylast`` generic fallbacks last), and the core awaits them
in that order and keeps the first result that is not ``None`` (see
:func:`archiver.plugin_manager.first_async_result`). A platform plugin therefore
answers only for captures of its own platform (``capture.platform``) and returns
``None`` for all others, exactly as with ``firstresult=True``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from playwright.async_api import Page, Response

    from archiver.capture import Capture
    from archiver.models import Classification, PlatformMatch, Post
    from archiver.storage.base import Store

hookspec = pluggy.HookspecMarker("archiver")


@hookspec(firstresult=True)
def match_url(url: str) -> PlatformMatch | None:
    """Claim ``url`` for a platform.

    Return the platform name, the canonical URL (and optionally the kind of page,
    the post id and extra URLs to load into the same bundle), or ``None`` when the
    URL is not yours. The generic plugin claims everything, last.
    """


@hookspec
async def settle_page(page: Page, capture: Capture) -> bool | None:
    """Bring the loaded page into its evidential state before it is recorded.

    Dismiss cookie and login overlays, expand truncated text, scroll to load lazy
    media and wait for it. Return ``True`` when you handled the page; the first
    ``True`` stops the search. Respect ``capture.remaining(capture.settings.settle_timeout)``.
    """


@hookspec
async def classify_page(page: Page, response: Response | None, capture: Capture) -> Classification | None:
    """Say whether the page is not the requested content.

    Return a :class:`~archiver.models.Classification` for a login wall, a bot
    challenge, a deleted or missing post, or a block; ``None`` when the page looks
    like the content asked for. ``response`` is the main document's response, if any.
    """


@hookspec
async def extract_post(page: Page, capture: Capture) -> Post | None:
    """Read the post (author, time, text, media, counts...) from the settled page.

    Fill only what the page shows; leave everything else ``None``. Record in
    ``post.extraction["sources"]`` where each field came from.
    """


@hookspec
async def post_element(page: Page, capture: Capture) -> str | None:
    """Return a selector for the element that holds the post, for its own screenshot."""


@hookspec(firstresult=True)
def open_store(location: str) -> Store | None:
    """Return a storage backend for ``location`` (a path, ``s3://bucket/prefix``...), or ``None``."""


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``archiver`` command-line group."""


@hookspec
def plugin_info() -> dict[str, Any] | None:
    """Describe the plugin for ``archiver plugins`` (name, version, platforms)."""
