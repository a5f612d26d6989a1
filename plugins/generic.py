"""The fallback for every hook: any web page, read through its meta tags."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from archiver import __version__, hookimpl
from archiver.models import Author, Classification, Media, PlatformMatch, Post, Status
from archiver.page_context import PageContext
from archiver.platforms import Platform, platform_hook
from archiver.plugins.pagetools import first_attribute, meta_tags, settle_generic

if TYPE_CHECKING:
    from playwright.async_api import Response


NAME = "generic"

CHALLENGE_MARKERS = (
    "cf-chl",
    "challenge-platform",
    "g-recaptcha",
    "h-captcha",
    "hcaptcha.com",
    "px-captcha",
    "/_Incapsula_Resource",
)
CHALLENGE_TITLES = ("just a moment", "attention required", "are you a robot", "verify you are human")
LOGIN_PATH = re.compile(r"/(login|signin|sign-in|accounts/login|auth)(/|$|\?)", re.IGNORECASE)


def match_url(url: str) -> PlatformMatch:
    parts = urlsplit(url)
    canonical = urlunsplit(
        (parts.scheme.lower(), (parts.hostname or "").lower() + (f":{parts.port}" if parts.port else ""),
         parts.path or "/", parts.query, "")
    )
    return PlatformMatch(platform=NAME, canonical_url=canonical, kind="page")


async def settle_page(ctx: PageContext) -> bool:
    page = ctx.page
    settled = await settle_generic(page, ctx.remaining(ctx.settings.settle_timeout))
    if not settled:
        ctx.fall_short(
            f"settle timeout: page not quiet after {ctx.settings.settle_timeout:g}s"
        )
    return True


def classify_http_status(status: int) -> Classification | None:
    if status in (404, 410):
        return Classification(Status.NOT_FOUND, f"HTTP {status}")
    if status in (401, 407):
        return Classification(Status.LOGIN_REQUIRED, f"HTTP {status}",
                              hint="pass --cookies or --storage-state of a logged-in session")
    if status in (403, 451):
        return Classification(Status.BLOCKED, f"HTTP {status}")
    if status == 429:
        return Classification(Status.BLOCKED, "HTTP 429 (rate limited)")
    if status >= 500:
        return Classification(Status.FAILED, f"HTTP {status} from the server")
    return None


async def classify_page(ctx: PageContext, response: Response | None) -> Classification | None:
    page = ctx.page
    title = (await page.title()).strip().lower()
    html = await page.content()
    if any(title.startswith(t) for t in CHALLENGE_TITLES) or any(m in html for m in CHALLENGE_MARKERS):
        return Classification(Status.CHALLENGE, f"bot challenge page (title {title!r})")
    if response is not None:
        by_status = classify_http_status(response.status)
        if by_status is not None:
            return by_status
    requested = urlsplit(ctx.url).path
    final = urlsplit(page.url).path
    if LOGIN_PATH.search(final) and not LOGIN_PATH.search(requested):
        return Classification(Status.LOGIN_REQUIRED, f"redirected to a login page ({page.url})",
                              hint="pass --cookies or --storage-state of a logged-in session")
    return None


async def extract_post(ctx: PageContext) -> Post:
    page = ctx.page
    meta = await meta_tags(page)
    sources: dict[str, str] = {}

    def pick(field: str, *keys: str) -> str | None:
        for key in keys:
            if meta.get(key):
                sources[field] = f"meta:{key}"
                return meta[key].strip()
        return None

    post = Post(platform=NAME, url=ctx.url, canonical_url=ctx.match.canonical_url, kind="page")
    post.title = pick("title", "og:title", "twitter:title") or (await page.title()).strip() or None
    if post.title and "title" not in sources:
        sources["title"] = "dom:title"
    post.text = pick("text", "og:description", "description", "twitter:description")
    post.published_at = pick("published_at", "article:published_time", "datePublished")
    if post.published_at is None:
        post.published_at = await first_attribute(page, "time[datetime]", "datetime")
        if post.published_at:
            sources["published_at"] = "dom:time[datetime]"
    author = pick("author.display_name", "author", "article:author", "twitter:creator")
    post.author = Author(display_name=author)
    post.language = await page.evaluate("() => document.documentElement.lang || null")
    if post.language:
        sources["language"] = "dom:html[lang]"
    image = pick("media", "og:image", "twitter:image")
    notes: list[str] = []
    if image:
        post.media.append(Media(kind="image", url=image))
        if await ctx.load_media([(image, "image")]):
            notes.append(f"the image named by the meta tags ({sources['media']}) is not shown by the page; "
                         "it was loaded by the plugin so its bytes are recorded")
    post.extraction = {"plugin": NAME, "version": __version__, "sources": sources, "notes": notes}
    return post


@hookimpl
def plugin_info() -> dict[str, str]:
    return {"name": NAME, "kind": "platform", "description": "any web page (fallback)"}


register_platforms = platform_hook(Platform(NAME, match_url, settle_page, classify_page, extract_post))
