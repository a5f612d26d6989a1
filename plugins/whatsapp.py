"""Platform plugin: WhatsApp public landing pages (channels, group invites, contact links).

WhatsApp messages are end-to-end encrypted and never on the web. What can be
captured is the public landing page a link leads to: a channel's name,
follower count, description and picture; a group invite's name and picture;
a click-to-chat link's phone number. That is what this plugin records.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from archiver import PlatformMatch, hookimpl
from archiver.models import Author, Classification, Counts, Media, Post, Status
from archiver.page_context import PageContext
from archiver.platforms import Platform, platform_hook
from archiver.plugins import pagetools
from archiver.plugins.counts import parse_count

if TYPE_CHECKING:
    from playwright.async_api import Response


NAME = "whatsapp"
E2E_NOTE = ("WhatsApp messages are end-to-end encrypted and not on the web; "
            "only the public landing page is captured")
CHANNEL_HOSTS = frozenset({"whatsapp.com", "www.whatsapp.com"})
INVITE_HOSTS = frozenset({"chat.whatsapp.com"})
WA_ME_HOSTS = frozenset({"wa.me", "www.wa.me"})
API_HOSTS = frozenset({"api.whatsapp.com"})
FOLLOWERS = re.compile(r"([\d][\d.,]*\s*[KkMmBb]?)\s+followers", re.IGNORECASE)
TITLE_SUFFIX = re.compile(r"\s*\|\s*WhatsApp Channel\s*$", re.IGNORECASE)
DIGITS = re.compile(r"^\+?(\d{5,15})$")

# ---------------------------------------------------------------------------- URLs


def _phone(value: str) -> str | None:
    found = DIGITS.match(value.replace(" ", ""))
    return found.group(1) if found else None


def match_url(url: str) -> PlatformMatch | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    if host in CHANNEL_HOSTS and len(segments) >= 2 and segments[0] == "channel":
        return PlatformMatch(NAME, f"https://www.whatsapp.com/channel/{segments[1]}",
                             kind="channel", post_id=segments[1])
    if host in INVITE_HOSTS and segments:
        code = segments[1] if segments[0] == "invite" and len(segments) > 1 else segments[0]
        return PlatformMatch(NAME, f"https://chat.whatsapp.com/{code}", kind="invite",
                             post_id=code)
    if host in WA_ME_HOSTS and len(segments) >= 2 and segments[0] == "c" and _phone(segments[1]):
        number = _phone(segments[1])
        return PlatformMatch(NAME, f"https://wa.me/c/{number}", kind="catalog", post_id=number)
    if host in WA_ME_HOSTS and segments and _phone(segments[0]):
        number = _phone(segments[0])
        return PlatformMatch(NAME, f"https://wa.me/{number}", kind="profile", post_id=number)
    if host in API_HOSTS and segments and segments[0] == "send":
        number = _phone(parse_qs(parts.query).get("phone", [""])[0])
        if number:
            return PlatformMatch(NAME, f"https://wa.me/{number}", kind="profile", post_id=number)
    if host in WA_ME_HOSTS | INVITE_HOSTS | API_HOSTS:
        return PlatformMatch(NAME, f"https://{host}{parts.path or '/'}", kind="page")
    return None


# ---------------------------------------------------------------------------- settle / classify


async def settle_page(ctx: PageContext) -> bool | None:
    page = ctx.page
    await pagetools.settle_generic(page, ctx.remaining(ctx.settings.settle_timeout))
    return True


CARD_JS = """() => {
  const text = (sel) => { const e = document.querySelector(sel);
                          return e ? (e.innerText || e.textContent || '').trim() || null : null; };
  const img = document.querySelector('main img, img[src*="pps.whatsapp.net"]');
  const button = document.querySelector('#action-button, a[href*="/accept"], a[href^="whatsapp:"]');
  return {name: text('h3'), subtitle: text('h4'), about: text('h4 + p'),
          image: img ? (img.currentSrc || img.src) : null,
          button: button ? (button.innerText || button.textContent || '').trim() : null};
}"""


async def classify_page(ctx: PageContext, response: Response | None) -> Classification | None:
    page = ctx.page
    if ctx.match.kind not in ("channel", "invite"):
        return None
    card = await page.evaluate(CARD_JS)
    meta = await pagetools.meta_tags(page)
    named = card.get("name") or TITLE_SUFFIX.sub("", meta.get("og:title") or "").strip()
    if not named:
        # A reset invite or a removed channel still answers 200, with a bare page.
        what = "group invite" if ctx.match.kind == "invite" else "channel"
        return Classification(Status.NOT_FOUND,
                              f"the WhatsApp {what} page shows no name (link reset or removed)")
    return None


# ---------------------------------------------------------------------------- extract


def channel_description(description: str, name: str | None) -> str | None:
    """'WhatsApp Channel. Name. 1.2M followers. About text' -> 'About text'."""
    found = FOLLOWERS.search(description)
    rest = description[found.end():] if found else description
    rest = rest.lstrip(". ").strip()
    if not found and name and rest.startswith(f"WhatsApp Channel. {name}."):
        rest = rest[len(f"WhatsApp Channel. {name}."):].strip()
    return rest or None


def fill_channel(post: Post, meta: dict[str, str], card: dict[str, str | None],
                 sources: dict[str, str], notes: list[str]) -> None:
    description = (meta.get("og:description") or "").strip()
    followers = FOLLOWERS.search(description)
    if followers:
        post.counts = Counts(followers=parse_count(followers.group(1)))
        sources["counts.followers"] = "meta:og:description"
        if followers.group(1)[-1:].isalpha():
            notes.append(f"follower count as displayed, rounded by WhatsApp "
                         f"({followers.group(1)} followers)")
    post.text = channel_description(description, post.author.display_name)
    if post.text:
        sources["text"] = "meta:og:description"
    elif card.get("about"):
        post.text, sources["text"] = card["about"], "dom:h4 + p"


async def extract_post(ctx: PageContext) -> Post | None:
    page = ctx.page
    match = ctx.match
    post, sources, notes = pagetools.new_post(ctx)
    notes.append(E2E_NOTE)
    meta = await pagetools.meta_tags(page)
    card = await page.evaluate(CARD_JS)
    name = card.get("name")
    if name:
        sources["author.display_name"] = "dom:h3"
    elif meta.get("og:title"):
        name = TITLE_SUFFIX.sub("", meta["og:title"]).strip() or None
        sources["author.display_name"] = "meta:og:title"
    page_title = (await page.title()).strip()
    post.title = page_title or name
    sources["title"] = "dom:title" if page_title else sources.get("author.display_name", "")
    post.author = Author(display_name=name, url=match.canonical_url)
    if match.kind in ("profile", "catalog"):
        # The heading is WhatsApp's wording around the number, not the owner's name.
        post.author = Author(id=match.post_id, url=match.canonical_url)
        sources["author.id"] = "url"
        sources.pop("author.display_name", None)
        notes.append("a click-to-chat link: the page names the number, not the account's owner"
                     + (f"; it reads {name!r}" if name else ""))
    if match.kind == "channel":
        post.author.id = match.post_id
        sources["author.id"] = "url"
        fill_channel(post, meta, card, sources, notes)
    if card.get("button"):
        notes.append(f"landing page button: {card['button']!r}")
    image = card.get("image") or meta.get("og:image")
    if image:
        # The channel's or group's own picture: its avatar, hashed like any media item.
        post.media = [Media(kind="avatar", url=image, note="channel or group picture")]
        post.author.avatar_url = image
        sources["media"] = sources["author.avatar_url"] = (
            "dom:main img" if card.get("image") else "meta:og:image")
        if await ctx.load_media([(image, "image")]):
            notes.append("the picture named in the meta tags was loaded by the plugin "
                         "so its bytes are recorded")
    return post


async def post_element(ctx: PageContext) -> str | None:
    page = ctx.page
    return await pagetools.first_present(page, "main")


@hookimpl
def plugin_info() -> dict[str, str]:
    return {"name": NAME, "kind": "platform",
            "description": "WhatsApp public landing pages: channels, group invites, "
                           "click-to-chat and catalog links (no messages: end-to-end encrypted)"}


register_platforms = platform_hook(
    Platform(NAME, match_url, settle_page, classify_page, extract_post, post_element))
