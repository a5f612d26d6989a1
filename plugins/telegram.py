"""Platform plugin: public Telegram channels and their posts on t.me.

A ``t.me/<channel>/<id>`` page holds only a shell; the post itself is the widget
``t.me/<channel>/<id>?embed=1`` (loaded by telegram.org's script in an iframe), so the
match asks the core to load that widget into the bundle too. ``t.me/s/<channel>`` pages
and the widget carry the messages (``.tgme_widget_message``) in their own HTML.
"""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from playwright._impl._errors import Error as PlaywrightError  # see pagetools

from archiver import hookimpl
from archiver.models import Classification, PlatformMatch, Post, Status
from archiver.page_context import PageContext
from archiver.platforms import Platform, platform_hook

from .pagetools import meta_tags, new_post, settle_generic
from .telegram_channel import BASE, CHANNEL_JS, feed_of, fill_from_channel
from .telegram_message import CHANNEL, MESSAGE_JS, MESSAGES_JS, fill_from_message, load_stickers

if TYPE_CHECKING:
    from playwright.async_api import Frame, Page, Response


NAME = "telegram"
HOSTS = frozenset({"t.me", "www.t.me", "telegram.me", "www.telegram.me"})
PREVIEW_PATH = re.compile(rf"^/s/({CHANNEL})(?:/(\d+))?/?$")
POST_PATH = re.compile(rf"^/({CHANNEL})/(\d+)/?$")
CHANNEL_PATH = re.compile(rf"^/({CHANNEL})/?$")
PRIVATE_PATH = re.compile(r"^/c/(\d+)(?:/(\d+))?(?:/(\d+))?/?$")
INVITE_PATH = re.compile(r"^/(?:\+|joinchat/)([A-Za-z0-9_-]+)/?$")
# t.me's own pages (sticker sets, share links, proxies...) are not channels.
RESERVED = frozenset({
    "s", "c", "addstickers", "addemoji", "addtheme", "share", "proxy", "socks", "iv", "login",
    "setlanguage", "bg", "confirmphone", "boost", "contact", "joinchat", "invoice", "giftcode",
})

MESSAGE = ".tgme_widget_message[data-post]"
# What a widget that loaded shows: its message, or Telegram's error in its place.
WIDGET_CONTENT = f"{MESSAGE}, .tgme_widget_message_error"
MEMBER_HINT = ("only members see a private channel or group: capture it from a member's "
               "session (pass --cookies or --storage-state of that logged-in session)")


# ---------------------------------------------------------------- URLs


def match_url(url: str) -> PlatformMatch | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in HOSTS:
        return None
    path = parts.path or "/"
    if found := PRIVATE_PATH.match(path):
        return private_match(found.groups())
    if found := PREVIEW_PATH.match(path):
        channel, post_id = found.groups()
        if post_id:
            canonical = f"{BASE}/{channel}/{post_id}"
            return PlatformMatch(NAME, canonical, "post", f"{channel}/{post_id}")
        return PlatformMatch(NAME, f"{BASE}/s/{channel}", "channel")
    if (found := POST_PATH.match(path)) and found.group(1).lower() not in RESERVED:
        channel, post_id = found.groups()
        canonical = f"{BASE}/{channel}/{post_id}"
        # The post page is a shell around the embed widget; the widget itself needs nothing more.
        extra = () if "embed" in parse_qs(parts.query) else (f"{canonical}?embed=1",)
        return PlatformMatch(NAME, canonical, "post", f"{channel}/{post_id}", extra)
    if found := INVITE_PATH.match(path):
        return PlatformMatch(NAME, f"{BASE}{path.rstrip('/')}", "invite")
    if (found := CHANNEL_PATH.match(path)) and found.group(1).lower() not in RESERVED:
        return PlatformMatch(NAME, f"{BASE}/s/{found.group(1)}", "channel")
    return PlatformMatch(NAME, f"{BASE}{path}", "page")


def private_match(groups: tuple[str | None, ...]) -> PlatformMatch:
    """t.me/c/<chat>[/<topic>]/<message>: links inside private chats, for members only."""
    chat, *rest = groups
    numbers = [n for n in rest if n]
    path = "/".join(["c", chat or "", *numbers])
    if not numbers:
        return PlatformMatch(NAME, f"{BASE}/{path}", "channel")
    return PlatformMatch(NAME, f"{BASE}/{path}", "post", f"c/{chat}/{numbers[-1]}")


def is_private(ctx: PageContext) -> bool:
    return urlsplit(ctx.match.canonical_url).path.startswith("/c/")


def is_shell_page(ctx: PageContext) -> bool:
    """True for t.me/<channel>/<id>: the post body is in the embed widget, not the page."""
    return bool(ctx.match.extra_urls)


# ---------------------------------------------------------------- settle


async def settle_page(ctx: PageContext) -> bool | None:
    page = ctx.page
    if is_shell_page(ctx):
        # telegram.org's widget script adds the embed iframe after "load".
        budget = ctx.remaining(ctx.settings.settle_timeout)
        with contextlib.suppress(PlaywrightError):
            await page.wait_for_selector('iframe[src*="embed=1"]',
                                         timeout=max(min(budget / 3, 5.0), 0.1) * 1000)
    settled = await settle_generic(page, ctx.remaining(ctx.settings.settle_timeout))
    if not settled:
        ctx.fall_short(
            f"settle timeout: page not quiet after {ctx.settings.settle_timeout:g}s")
    return True


# ---------------------------------------------------------------- classify


async def classify_page(ctx: PageContext, response: Response | None) -> Classification | None:
    page = ctx.page
    if is_private(ctx):
        return Classification(
            Status.LOGIN_REQUIRED,
            "t.me/c/ links point into a private channel or group: they need membership",
            hint=MEMBER_HINT)
    root = await message_root(page, ctx)
    error = await root.query_selector(".tgme_widget_message_error")
    if error is not None:
        text = (await error.inner_text()).strip() or "error"
        return Classification(Status.NOT_FOUND, f"Telegram says: {text}")
    wanted = ctx.match.post_id
    if ctx.match.kind == "post" and wanted and not is_shell_page(ctx):
        posts = await root.eval_on_selector_all(MESSAGE, "els => els.map(e => e.dataset.post)")
        if posts and wanted.lower() not in (p.lower() for p in posts):
            return Classification(
                Status.NOT_FOUND, f"message {wanted} is not on the page (deleted or never posted)")
    return None


# ---------------------------------------------------------------- extract

SHELL_JS = """() => {
  const widget = document.querySelector('[data-telegram-post]');
  return {post: widget ? widget.dataset.telegramPost : null};
}"""


async def extract_post(ctx: PageContext) -> Post | None:
    page = ctx.page
    match = ctx.match
    post, sources, notes = new_post(ctx)
    if is_private(ctx):
        notes.append("private t.me/c/ link: nothing public to read")
        return post
    root = await message_root(page, ctx)
    message = await find_message(root, match.post_id) if match.kind == "post" else None
    if message is not None:
        from playwright.async_api import Frame  # a capture has Playwright loaded; loading the plugin need not

        if isinstance(root, Frame):
            notes.append(f"post read from the embed widget frame {root.url}")
        elif root is not page:
            notes.append(f"post read from the embed widget {root.url}, loaded beside the page "
                         "(the page showed no widget frame with the post)")
        data = await message.evaluate(MESSAGE_JS)
        fill_from_message(post, data, sources, notes)
        await load_stickers(ctx, data["media"])
    elif match.kind == "post" and is_shell_page(ctx):
        embed = match.extra_urls[0]
        loaded = (ctx.response_facts(embed) or {}).get("status") == 200
        why = "holds no message" if loaded else "did not load (the capture's reason says why)"
        notes.append(f"the embed widget {embed} {why}; only the page's data-telegram-post "
                     "and og tags were read")
        fill_from_shell(post, await page.evaluate(SHELL_JS), sources)
        fill_from_meta(post, await meta_tags(page), sources)
    else:
        fill_from_channel(post, await page.evaluate(CHANNEL_JS), sources, notes)
        if post.author.display_name is None:
            fill_from_meta(post, await meta_tags(page), sources)
        if match.kind == "channel":
            post.feed = feed_of(await page.eval_on_selector_all(MESSAGE, MESSAGES_JS))
            if post.feed:
                sources["feed"] = "dom:.tgme_widget_message"
    return post


async def message_root(page: Page, ctx: PageContext) -> Page | Frame:
    """The embed widget's frame on a t.me/<channel>/<id> page, else the page itself."""
    if not is_shell_page(ctx):
        return page
    wanted = urlsplit(ctx.match.canonical_url).path.lower()
    for frame in page.frames:
        parts = urlsplit(frame.url)
        # A frame whose widget request failed keeps the widget's URL but shows an error page.
        if parts.path.lower() == wanted and "embed" in parse_qs(parts.query) \
                and await frame.query_selector(WIDGET_CONTENT) is not None:
            return frame
    # Offline or script-blocked, the widget iframe never appears: read the embed the core
    # loaded beside the page (PlatformMatch.extra_urls) instead.
    for url in ctx.match.extra_urls:
        extra = ctx.extra_page(url)
        if extra is not None and await extra.query_selector(WIDGET_CONTENT) is not None:
            return extra
    return page


async def find_message(root: Page | Frame, post_id: str | None) -> Any:
    """The message whose data-post is the requested channel/id (any case); else the only one."""
    messages = await root.query_selector_all(MESSAGE)
    for message in messages:
        if post_id and (await message.get_attribute("data-post") or "").lower() == post_id.lower():
            return message
    return messages[0] if len(messages) == 1 and not post_id else None


def fill_from_shell(post: Post, data: dict[str, str | None], sources: dict[str, str]) -> None:
    """The channel a t.me/<channel>/<id> page names in its widget's data-telegram-post."""
    handle = (data["post"] or "").split("/")[0]
    if re.fullmatch(CHANNEL, handle):
        post.author.handle = handle
        post.author.url = f"{BASE}/{handle}"
        sources["author.handle"] = sources["author.url"] = "dom:[data-telegram-post]"


def fill_from_meta(post: Post, meta: dict[str, str], sources: dict[str, str]) -> None:
    if meta.get("og:title"):
        post.author.display_name = meta["og:title"].strip()
        sources["author.display_name"] = "meta:og:title"
    if meta.get("og:description") and post.text is None:
        post.text = meta["og:description"].strip()
        sources["text"] = "meta:og:description"


async def post_element(ctx: PageContext) -> str | None:
    page = ctx.page
    if is_private(ctx):
        return None
    root = await message_root(page, ctx)
    if root is not page:
        return 'iframe[src*="embed=1"]'
    post_id = ctx.match.post_id
    if ctx.match.kind == "post" and post_id:
        selector = f'.tgme_widget_message[data-post="{post_id}" i]'
        if await page.query_selector(selector) is not None:
            return selector
    if await page.query_selector(".tgme_channel_info") is not None:
        return ".tgme_channel_info"
    return None


@hookimpl
def plugin_info() -> dict[str, str]:
    return {"name": NAME, "kind": "platform",
            "description": "public Telegram channels and posts (t.me, t.me/s, embeds)"}


register_platforms = platform_hook(
    Platform(NAME, match_url, settle_page, classify_page, extract_post, post_element))
