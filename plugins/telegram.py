"""Platform plugin: public Telegram channels and their posts on t.me.

A ``t.me/<channel>/<id>`` page holds only a shell; the post itself is the widget
``t.me/<channel>/<id>?embed=1`` (loaded by telegram.org's script in an iframe), so the
match asks the core to load that widget into the bundle too. ``t.me/s/<channel>`` pages
and the widget carry the messages (``.tgme_widget_message``) in their own HTML.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Page, Response

from archiver import hookimpl
from archiver.models import Classification, Media, Origin, PlatformMatch, Post, Status
from archiver.page_context import PageContext
from archiver.platforms import Platform

from . import pagetools
from .counts import parse_count
from .pagetools import meta_tags, new_post, settle_generic

NAME = "telegram"
BASE = "https://t.me"
HOSTS = frozenset({"t.me", "www.t.me", "telegram.me", "www.telegram.me"})
CHANNEL = r"[A-Za-z0-9_]{3,32}"
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

MESSAGE_JS = """(msg) => {
  const q = (sel) => msg.querySelector(sel);
  const urlOf = (el) => {
    const found = /url\\(["']?(.*?)["']?\\)/.exec((el && el.style.backgroundImage) || '');
    return found ? new URL(found[1], document.baseURI).href : null;
  };
  const owner = q('.tgme_widget_message_owner_name');
  const text = q('.tgme_widget_message_bubble > .tgme_widget_message_text')
    || q('.tgme_widget_message_text');
  const time = q('.tgme_widget_message_date time[datetime]') || q('time[datetime]');
  const forwarded = q('.tgme_widget_message_forwarded_from_name');
  const reply = q('a.tgme_widget_message_reply');
  const views = q('.tgme_widget_message_views');
  const media = [];
  // Album items and single media, in page order; a reply's or link preview's pictures are
  // someone else's content and are skipped.
  const items = msg.querySelectorAll(
    '.tgme_widget_message_photo_wrap, .tgme_widget_message_video_player, ' +
    '.tgme_widget_message_roundvideo_player, audio.tgme_widget_message_voice, ' +
    '.tgme_widget_message_voice_player audio');
  for (const item of items) {
    if (item.closest('.tgme_widget_message_reply, .tgme_widget_message_link_preview')) continue;
    if (item.classList.contains('tgme_widget_message_photo_wrap')) {
      const url = urlOf(item);
      if (url) media.push({kind: 'image', url});
    } else if (item.tagName === 'AUDIO') {
      if (item.src) media.push({kind: 'audio', url: item.src});
    } else {
      const video = item.querySelector('video');
      const thumb = urlOf(item.querySelector('.tgme_widget_message_video_thumb, ' +
                                             '.tgme_widget_message_roundvideo_thumb'));
      if (video && video.src) media.push({kind: 'video', url: video.src});
      else if (thumb) media.push({kind: 'image', url: thumb,
        note: 'thumbnail only: the web preview does not offer this video'});
    }
  }
  const anchors = text ? Array.from(text.querySelectorAll('a[href]')).map(a => ({
    href: a.href, raw: a.getAttribute('href'), text: (a.textContent || '').trim(),
  })) : [];
  return {
    post: msg.dataset.post,
    owner: owner ? (owner.innerText || owner.textContent).trim() : null,
    ownerUrl: owner ? owner.href : null,
    text: text ? text.innerText.trim() : null,
    time: time ? time.getAttribute('datetime') : null,
    forwarded: forwarded ? {name: forwarded.textContent.trim() || null, url: forwarded.href || null} : null,
    reply: reply ? reply.href : null,
    views: views ? views.textContent.trim() : null,
    media, anchors,
  };
}"""

CHANNEL_JS = """() => {
  const text = (sel) => {
    const el = document.querySelector(sel);
    return el ? (el.innerText || el.textContent).trim() || null : null;
  };
  const counters = Array.from(document.querySelectorAll('.tgme_channel_info_counter')).map(c => ({
    value: (c.querySelector('.counter_value') || {}).textContent || '',
    type: (c.querySelector('.counter_type') || {}).textContent || '',
  }));
  const resolve = document.querySelector('a[href^="tg://resolve?domain="]');
  return {
    title: text('.tgme_channel_info_header_title') || text('.tgme_page_title'),
    username: text('.tgme_channel_info_header_username'),
    resolve: resolve ? resolve.getAttribute('href') : null,
    description: text('.tgme_channel_info_description') || text('.tgme_page_description'),
    counters,
    extra: text('.tgme_page_extra'),
    header: !!document.querySelector('.tgme_channel_info'),
  };
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
        if isinstance(root, Frame):
            notes.append(f"post read from the embed widget frame {root.url}")
        elif root is not page:
            notes.append(f"post read from the embed widget {root.url}, loaded beside the page "
                         "(the page showed no widget frame with the post)")
        fill_from_message(post, await message.evaluate(MESSAGE_JS), sources, notes)
    elif match.kind == "post" and is_shell_page(ctx):
        embed = match.extra_urls[0]
        loaded = (ctx.response_facts(embed) or {}).get("status") == 200
        why = "holds no message" if loaded else "did not load (the capture's reason says why)"
        notes.append(f"the embed widget {embed} {why}; only the page's og tags were read")
        fill_from_meta(post, await meta_tags(page), sources)
    else:
        fill_from_channel(post, await page.evaluate(CHANNEL_JS), sources, notes)
        if post.author.display_name is None:
            fill_from_meta(post, await meta_tags(page), sources)
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


def fill_from_message(post: Post, data: dict[str, Any], sources: dict[str, str],
                      notes: list[str]) -> None:
    post.post_id = data["post"]
    sources["post_id"] = "dom:.tgme_widget_message[data-post]"
    if data["owner"]:
        post.author.display_name = data["owner"]
        sources["author.display_name"] = "dom:.tgme_widget_message_owner_name"
    if data["ownerUrl"]:
        post.author.url = data["ownerUrl"]
        post.author.handle = channel_of(data["ownerUrl"])
        sources["author.url"] = sources["author.handle"] = \
            "dom:.tgme_widget_message_owner_name[href]"
    if data["time"]:
        post.published_at = data["time"]
        sources["published_at"] = "dom:.tgme_widget_message_date time[datetime]"
    if data["text"] is not None:
        post.text = data["text"]
        sources["text"] = "dom:.tgme_widget_message_text"
    if data["forwarded"]:
        post.forwarded_from = Origin(name=data["forwarded"]["name"], url=data["forwarded"]["url"],
                                     handle=channel_of(data["forwarded"]["url"] or ""))
        sources["forwarded_from"] = "dom:.tgme_widget_message_forwarded_from_name"
    if data["reply"]:
        post.reply_to = data["reply"]
        sources["reply_to"] = "dom:a.tgme_widget_message_reply[href]"
    views = parse_count(data["views"])
    if views is not None:
        post.counts.views = views
        sources["counts.views"] = "dom:.tgme_widget_message_views"
        if not data["views"].isdigit():
            notes.append(f"views shown rounded as {data['views']!r}; stored as {views}")
    for item in data["media"]:
        post.media.append(Media(kind=item["kind"], url=item["url"], note=item.get("note")))
    if post.media:
        sources["media"] = ("dom:.tgme_widget_message_photo_wrap background-image, "
                            ".tgme_widget_message_video[src]")
    read_anchors(post, data["anchors"], sources)


def read_anchors(post: Post, anchors: list[dict[str, str]], sources: dict[str, str]) -> None:
    for anchor in anchors:
        raw, text = anchor["raw"] or "", anchor["text"]
        if raw.startswith("?q=") and text.startswith(("#", "$")):
            post.hashtags.append(text[1:])
        elif text.startswith("@") and re.fullmatch(CHANNEL, text[1:]):
            post.mentions.append(text[1:])
        elif anchor["href"].startswith(("http://", "https://")):
            post.links.append(anchor["href"])
    pagetools.note_entity_sources(post, sources, "dom:.tgme_widget_message_text a")


def fill_from_channel(post: Post, data: dict[str, Any], sources: dict[str, str],
                      notes: list[str]) -> None:
    # t.me/s/<channel> has a channel_info header; the t.me/<channel> contact page a tgme_page.
    title, description = ((".tgme_channel_info_header_title", ".tgme_channel_info_description")
                          if data["header"] else (".tgme_page_title", ".tgme_page_description"))
    if data["title"]:
        post.title = post.author.display_name = data["title"]
        sources["title"] = sources["author.display_name"] = f"dom:{title}"
    if data["username"] and data["username"].startswith("@"):
        post.author.handle = data["username"][1:]
        sources["author.handle"] = "dom:.tgme_channel_info_header_username"
    elif data["resolve"]:
        post.author.handle = data["resolve"].split("domain=", 1)[1].split("&")[0] or None
        sources["author.handle"] = 'dom:a[href^="tg://resolve?domain="]'
    if post.author.handle:
        post.author.url = f"{BASE}/{post.author.handle}"
    if data["description"]:
        post.text = data["description"]
        sources["text"] = f"dom:{description}"
    counters = [(c["value"].strip(), c["type"].strip().lower()) for c in data["counters"]]
    if data["extra"]:
        counters.append(split_counter(data["extra"]))
    for value, kind in counters:
        field = {"subscribers": "followers", "subscriber": "followers", "followers": "followers",
                 "members": "members", "member": "members"}.get(kind)
        number = parse_count(value)
        if field and number is not None:
            setattr(post.counts, field, number)
            sources[f"counts.{field}"] = ("dom:.tgme_channel_info_counter" if data["header"]
                                          else "dom:.tgme_page_extra")
            if not value.replace(" ", "").replace("\u00a0", "").isdigit():
                notes.append(f"{kind} shown rounded as {value!r}; stored as {number}")


def split_counter(text: str) -> tuple[str, str]:
    """'2 805 members' -> ('2 805', 'members')."""
    value, _, kind = text.strip().rpartition(" ")
    return value, kind.lower()


def fill_from_meta(post: Post, meta: dict[str, str], sources: dict[str, str]) -> None:
    if meta.get("og:title"):
        post.author.display_name = meta["og:title"].strip()
        sources["author.display_name"] = "meta:og:title"
    if meta.get("og:description") and post.text is None:
        post.text = meta["og:description"].strip()
        sources["text"] = "meta:og:description"


def channel_of(url: str) -> str | None:
    parts = urlsplit(url)
    first = parts.path.strip("/").split("/")[0] if parts.path else ""
    return first if re.fullmatch(CHANNEL, first) else None


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


PLATFORM = Platform(
    name=NAME,
    match_url=match_url,
    settle_page=settle_page,
    classify_page=classify_page,
    extract_post=extract_post,
    post_element=post_element,
)


@hookimpl
def register_platforms(register: Callable[[Platform], None]) -> None:
    register(PLATFORM)
