"""Platforms: what a plugin registers to capture one kind of site, and how a URL finds its platform.

A plugin registers :class:`Platform` objects through the ``register_platforms`` hook
(the way llm plugins register models) rather than implementing page hooks that every
plugin receives. The core asks each platform in turn to claim the URL, then calls only
the claiming platform's functions, so no plugin filters captures by platform name.
The ``generic`` platform is the explicit fallback: it claims every URL nobody else
claims, and it answers any step the claiming platform leaves out or answers with
``None``. Platforms are plain objects, so their page functions are typed ``async``
callables that the core awaits directly, and one package may ship several platforms.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import pluggy

from archiver.errors import ArchiverError

if TYPE_CHECKING:
    from playwright.async_api import Response

    from archiver.models import Classification, PlatformMatch, Post
    from archiver.page_context import PageContext

FALLBACK = "generic"
# The same marker as archiver.hookimpl, which this module cannot import (archiver/__init__ imports it).
HOOKIMPL = pluggy.HookimplMarker("archiver")
# Other names users type for a platform (yt-dlp and gallery-dl users say twitter).
ALIASES = {"twitter": "x", "fb": "facebook", "ig": "instagram", "tg": "telegram", "wa": "whatsapp"}

# The steps a platform may implement, with the argument names docs/plugins.md documents.
class MatchUrl(Protocol):
    def __call__(self, url: str) -> PlatformMatch | None: ...


class SettlePage(Protocol):
    def __call__(self, ctx: PageContext) -> Awaitable[bool | None]: ...


class ClassifyPage(Protocol):
    def __call__(self, ctx: PageContext, response: Response | None) -> Awaitable[Classification | None]: ...


class ExtractPost(Protocol):
    def __call__(self, ctx: PageContext) -> Awaitable[Post | None]: ...


class PostElement(Protocol):
    def __call__(self, ctx: PageContext) -> Awaitable[str | None]: ...


@dataclass(frozen=True)
class Platform:
    """One site a plugin knows how to capture. Every step but ``match_url`` is optional."""

    name: str
    match_url: MatchUrl
    settle_page: SettlePage | None = None
    classify_page: ClassifyPage | None = None
    extract_post: ExtractPost | None = None
    post_element: PostElement | None = None


def platform_hook(*platforms: Platform) -> Callable[[Callable[[Platform], None]], None]:
    """A ``register_platforms`` hook implementation registering ``platforms``; a plugin that only
    brings platforms needs nothing else: ``register_platforms = platform_hook(Platform(...))``."""

    @HOOKIMPL
    def register_platforms(register: Callable[[Platform], None]) -> None:
        for platform in platforms:
            register(platform)

    return register_platforms


class PlatformError(ArchiverError):
    """Two plugins registered platforms of the same name, or no platform claims a URL."""


@dataclass(frozen=True)
class Claim:
    platform: Platform
    match: PlatformMatch


class Platforms:
    """Every registered platform, asked in hook order, with the fallback asked last."""

    def __init__(self, platforms: list[Platform]) -> None:
        by_name: dict[str, Platform] = {}
        for platform in platforms:
            if platform.name in by_name:
                raise PlatformError(f"two plugins register the platform {platform.name!r}")
            by_name[platform.name] = platform
        self.by_name = by_name
        self.fallback = by_name.get(FALLBACK)
        self.ordered = [p for p in platforms if p is not self.fallback]
        if self.fallback is not None:
            self.ordered.append(self.fallback)

    @classmethod
    def from_plugins(cls, pm: pluggy.PluginManager) -> Platforms:
        registered: list[Platform] = []
        pm.hook.register_platforms(register=registered.append)
        return cls(registered)

    def name_of(self, typed: str) -> str:
        """The registered platform a user means by ``typed``: its name in any case, or an alias."""
        name = ALIASES.get(typed.lower(), typed.lower())
        if name not in self.by_name:
            aliases = {target: alias for alias, target in ALIASES.items()}
            known = [f"{n} ({aliases[n]})" if n in aliases else n for n in sorted(self.by_name)]
            raise PlatformError(f"unknown platform {typed!r}; known: {', '.join(known)}")
        return name

    def claim(self, url: str) -> Claim:
        for platform in self.ordered:
            match = platform.match_url(url)
            if match is not None:
                return Claim(platform, match)
        raise PlatformError(f"no platform claims {url} (is the generic plugin disabled?)")

    def steps(self, claimed: Platform) -> PlatformSteps:
        return PlatformSteps(claimed, self.fallback)


class PlatformSteps:
    """The page functions of one capture: the claiming platform's, else the fallback's."""

    def __init__(self, claimed: Platform, fallback: Platform | None) -> None:
        self.chain = [claimed] if fallback is None or fallback is claimed else [claimed, fallback]

    async def settle_page(self, ctx: PageContext) -> bool | None:
        for platform in self.chain:
            if platform.settle_page is not None and await platform.settle_page(ctx):
                return True
        return None

    async def classify_page(self, ctx: PageContext, response: Response | None) -> Classification | None:
        for platform in self.chain:
            if platform.classify_page is not None:
                found = await platform.classify_page(ctx, response)
                if found is not None:
                    return found
        return None

    async def extract_post(self, ctx: PageContext) -> Post | None:
        for platform in self.chain:
            if platform.extract_post is not None:
                post = await platform.extract_post(ctx)
                if post is not None:
                    return post
        return None

    async def post_element(self, ctx: PageContext) -> str | None:
        for platform in self.chain:
            if platform.post_element is not None:
                selector = await platform.post_element(ctx)
                if selector is not None:
                    return selector
        return None
