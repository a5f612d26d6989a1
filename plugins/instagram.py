"""Platform plugin: Instagram posts, reels, IGTV, stories and profiles.

Logged out, Instagram's server HTML carries the post only in meta tags; the
visible page is built by scripts (and usually hidden behind a login modal).
``og:description`` reads ``"298K likes, 553 comments - willyrex on May 29, 2021:
"caption""`` (until 2021: ``"255k Likes, 549 Comments - Willyrex (@willyrex) on
Instagram: “caption”"``): counts are rounded as displayed and the date has no time
of day, so the plugin records exactly that and says so. Older server pages also
carry the post's own data (``instagram_shared_data``), and a rendered page shows the
post in an ``<article>`` (``instagram_article``); both are exact and preferred.
Profiles and stories are read by ``instagram_account``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from playwright._impl._errors import Error as PlaywrightError  # see pagetools

from archiver import PlatformMatch, hookimpl
from archiver.models import Author, Classification, Counts, Media, Post, Status
from archiver.page_context import PageContext
from archiver.platforms import Platform, platform_hook
from archiver.plugins import pagetools

from . import instagram_account, instagram_article, instagram_recorded, instagram_shared_data
from .counts import parse_count

if TYPE_CHECKING:
    from playwright.async_api import Response


NAME = "instagram"
WWW = "https://www.instagram.com"
HOSTS = frozenset({"instagram.com", "www.instagram.com", "m.instagram.com",
                   "instagr.am", "www.instagr.am"})
# First path segments that are Instagram's own sections, not user names.
RESERVED = frozenset({
    "accounts", "explore", "direct", "about", "legal", "developer", "emails", "challenge",
    "web", "graphql", "api", "static", "privacy", "terms", "session", "oauth", "data",
})
LOGIN_HINT = "pass --cookies or --storage-state of a logged-in session"
NOT_AVAILABLE = ("sorry, this page isn't available", "sorry, this page isn\u2019t available")
DISMISS = ('[role="dialog"] [role="button"]:has-text("Not now")',
           '[role="dialog"] button:has-text("Not now")',
           'button:has-text("Allow all cookies")',
           'button:has-text("Decline optional cookies")',
           '[role="dialog"] [aria-label="Close"]')

DESCRIPTION = re.compile(
    r"^(?:(?P<likes>[\d.,]+[KkMm]?) likes?, )?(?:(?P<comments>[\d.,]+[KkMm]?) comments?)?"
    r"\s*-\s*(?P<user>[A-Za-z0-9._]+) on (?P<date>[A-Z][a-z]+ \d{1,2}, \d{4})"
    r"(?::\s*\"(?P<caption>.*)\"\.?\s*)?$", re.S)
# Until 2021 the counts came first, capitalised, and the name with the handle.
LEGACY_DESCRIPTION = re.compile(
    r"^(?P<likes>[\d.,]+[KkMm]?) Likes, (?P<comments>[\d.,]+[KkMm]?) Comments - "
    r"(?P<name>.*?) \(@(?P<user>[A-Za-z0-9._]+)\) on Instagram")
OG_TITLE = re.compile(
    r"^(?P<name>.*?) on Instagram(?::\s*[\"\u201c](?P<caption>.*)[\"\u201d])?\s*$", re.S)
TWITTER_TITLE = re.compile(r"^(?P<name>.*?)\s*\(@(?P<user>[A-Za-z0-9._]+)\)")
MEDIA_ID = re.compile(r"^instagram://media\?id=(\d+)")

# ---------------------------------------------------------------------------- URLs


def _match_path(segments: list[str]) -> tuple[str, str | None, str] | None:
    if not segments:
        return None
    first, rest = segments[0], segments[1:]
    if first in ("p", "tv") and rest:
        return ("post" if first == "p" else "video"), rest[0], f"/{first}/{rest[0]}/"
    if first in ("reel", "reels") and rest:
        return "video", rest[0], f"/reel/{rest[0]}/"
    if first == "stories" and len(rest) >= 2:
        return "story", rest[1], f"/stories/{rest[0]}/{rest[1]}/"
    if first == "stories" and rest:
        return "story", None, f"/stories/{rest[0]}/"
    if first.lower() in RESERVED:
        return None
    # Newer share links put the user first: /<user>/p/<code>/ and /<user>/reel/<code>/.
    if len(rest) >= 2 and rest[0] in ("p", "reel", "tv"):
        return _match_path(rest)
    return "profile", None, f"/{first}/"


def match_url(url: str) -> PlatformMatch | None:
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in HOSTS:
        return None
    found = _match_path([s for s in parts.path.split("/") if s])
    if found is None:
        return PlatformMatch(NAME, WWW + (parts.path or "/"), kind="page")
    kind, post_id, path = found
    return PlatformMatch(NAME, WWW + path, kind=kind, post_id=post_id)


# ---------------------------------------------------------------------------- settle


async def settle_page(ctx: PageContext) -> bool | None:
    page = ctx.page
    for selector in DISMISS:
        locator = page.locator(selector).first
        try:
            if await locator.count() and await locator.is_visible():
                await locator.click(timeout=2000)
                ctx.note(f"instagram: dismissed {selector}")
        except PlaywrightError:
            continue
    await pagetools.settle_generic(page, ctx.remaining(ctx.settings.settle_timeout))
    return True


# ---------------------------------------------------------------------------- classify


async def classify_page(ctx: PageContext, response: Response | None) -> Classification | None:
    page = ctx.page
    final = urlsplit(page.url).path
    if final.startswith("/accounts/login") and not urlsplit(ctx.url).path.startswith(
            "/accounts/login"):
        return Classification(Status.LOGIN_REQUIRED,
                              f"Instagram redirected to its login page ({page.url})",
                              hint=LOGIN_HINT)
    body = (await page.evaluate("() => document.body ? document.body.innerText : ''")).lower()
    title = (await page.title()).lower()
    if any(m in body for m in NOT_AVAILABLE) or title.startswith("page not found"):
        return Classification(Status.NOT_FOUND, "Instagram says: Sorry, this page isn't available "
                              "(removed, private or wrong link)", hint=LOGIN_HINT)
    return None


# ---------------------------------------------------------------------------- extract


def _day(text: str) -> str | None:
    try:
        return datetime.strptime(text, "%B %d, %Y").strftime("%Y-%m-%d")
    except ValueError:
        return None


def fill_from_meta(post: Post, meta: dict[str, str], sources: dict[str, str],
                   notes: list[str]) -> None:
    described = DESCRIPTION.match((meta.get("og:description") or meta.get("description") or "")
                                  .strip())
    desc_key = "meta:og:description" if meta.get("og:description") else "meta:description"
    titled = OG_TITLE.match((meta.get("og:title") or "").strip())
    tweeted = TWITTER_TITLE.match((meta.get("twitter:title") or "").strip())
    if tweeted:
        post.author = Author(handle=tweeted["user"], display_name=tweeted["name"])
        sources["author.handle"] = sources["author.display_name"] = "meta:twitter:title"
    elif titled:
        post.author.display_name, sources["author.display_name"] = titled["name"], "meta:og:title"
    if described:
        if not post.author.handle:
            post.author.handle, sources["author.handle"] = described["user"], desc_key
        day = _day(described["date"])
        if day:
            post.published_at, sources["published_at"] = day, desc_key
            notes.append(f"Instagram shows only the date ({described['date']}), not the time; "
                         "published_at is that date")
        post.counts = Counts(likes=parse_count(described["likes"]),
                             replies=parse_count(described["comments"]))
        if described["likes"]:
            sources["counts.likes"] = desc_key
        if described["comments"]:
            sources["counts.replies"] = desc_key
        if any(c and c[-1] in "KkMm" for c in (described["likes"], described["comments"])):
            notes.append("counts are as displayed, rounded by Instagram (e.g. 298K)")
    else:
        _fill_from_legacy_description(post, meta, sources, notes)
    caption = (titled and titled["caption"]) or (described and described["caption"])
    if caption:
        post.text = caption
        sources["text"] = "meta:og:title" if titled and titled["caption"] else desc_key
    if meta.get("og:title"):
        post.title, sources["title"] = meta["og:title"].strip(), "meta:og:title"
    if meta.get("og:url"):
        post.canonical_url, sources["canonical_url"] = meta["og:url"], "meta:og:url"
    if meta.get("instapp:owner_user_id") and not post.author.id:
        post.author.id = meta["instapp:owner_user_id"]
        sources["author.id"] = "meta:instapp:owner_user_id"
    media_id = MEDIA_ID.match(meta.get("al:ios:url") or "")
    if media_id:
        notes.append(f"Instagram media id {media_id.group(1)} (meta:al:ios:url); "
                     "post_id is the shortcode")


def _fill_from_legacy_description(post: Post, meta: dict[str, str], sources: dict[str, str],
                                  notes: list[str]) -> None:
    key = "og:description" if meta.get("og:description") else "description"
    described = LEGACY_DESCRIPTION.match((meta.get(key) or "").strip())
    if not described:
        return
    post.author.handle, sources["author.handle"] = described["user"], f"meta:{key}"
    if not post.author.display_name:
        post.author.display_name, sources["author.display_name"] = described["name"], f"meta:{key}"
    post.counts.likes = parse_count(described["likes"])
    post.counts.replies = parse_count(described["comments"])
    sources["counts.likes"] = sources["counts.replies"] = f"meta:{key}"
    if any(c[-1] in "KkMm" for c in (described["likes"], described["comments"])):
        notes.append(f"counts are as displayed, rounded by Instagram (e.g. {described['likes']})")


def media_from_meta(meta: dict[str, str], sources: dict[str, str]) -> list[Media]:
    media: list[Media] = []
    video = meta.get("og:video:secure_url") or meta.get("og:video")
    if video:
        media.append(Media(kind="video", url=video))
        sources["media"] = "meta:og:video"
    if meta.get("og:image"):
        note = "video thumbnail" if video else None
        media.append(Media(kind="image", url=meta["og:image"], note=note))
        sources.setdefault("media", "meta:og:image")
    return media


async def extract_post(ctx: PageContext) -> Post | None:
    post, sources, notes = pagetools.new_post(ctx)
    meta = await pagetools.meta_tags(ctx.page)
    if ctx.match.kind in ("profile", "story"):
        await _read_account(ctx, post, meta, sources, notes)
    else:
        await _read_post(ctx, post, meta, sources, notes)
    if post.author.handle:
        post.author.url = f"{WWW}/{post.author.handle}/"
        sources["author.url"] = sources["author.handle"]
    return post


async def _read_account(ctx: PageContext, post: Post, meta: dict[str, str],
                        sources: dict[str, str], notes: list[str]) -> None:
    instagram_account.fill_from_meta(post, meta, sources)
    if not post.author.handle:
        post.author.handle = instagram_account.handle_in_url(ctx.match.canonical_url)
        if post.author.handle:
            sources["author.handle"] = "url"
    story_media: list[Media] = []
    if ctx.match.kind == "profile":
        await instagram_account.fill_from_header(ctx.page, post, sources)
        await instagram_recorded.fill_account(ctx, post, sources, notes)
    else:
        story_media = await instagram_recorded.fill_story(ctx, post, sources, notes)
        if not story_media:
            notes.append("the story's own picture or video is not in a logged-out page; pass "
                         "--cookies or --storage-state of a logged-in session to capture it")
    post.media = story_media + instagram_account.avatar_media(post, sources)
    # A logged-out page shows neither the avatar (named in og:image or an API answer) nor the
    # story's files (named in an answer only): the browser fetches them for the bundle.
    await ctx.load_media([(m.url, "image" if m.kind == "avatar" else m.kind) for m in post.media],
                         wait=20)


async def _read_post(ctx: PageContext, post: Post, meta: dict[str, str], sources: dict[str, str],
                     notes: list[str]) -> None:
    fill_from_meta(post, meta, sources, notes)
    named = await instagram_shared_data.fill_from_shared_data(ctx.page, post, sources, notes)
    shown = await instagram_article.fill_from_article(ctx.page, post, sources)
    answered = await instagram_recorded.fill_post(ctx, post, sources, notes)
    if post.text:
        post.hashtags = re.findall(r"#(\w+)", post.text)
        post.mentions = re.findall(r"@([A-Za-z0-9._]+[A-Za-z0-9_])", post.text)
    if shown:
        post.media = shown
        return
    post.media = named or answered or media_from_meta(meta, sources)
    if post.kind == "video" and not any(m.kind == "video" for m in post.media):
        for item in post.media:
            item.note = item.note or "video thumbnail"
        notes.append("the page names no video file for this reel or video, only its cover "
                     "picture; the video itself is not recorded")
    loaded = len(await ctx.load_media([(m.url, m.kind) for m in post.media], wait=20))
    if loaded:
        notes.append(f"{loaded} media file(s) named by the page but not shown were loaded by the "
                     "plugin so their bytes are recorded")


async def post_element(ctx: PageContext) -> str | None:
    page = ctx.page
    return await pagetools.first_present(page, "article", "main header")


@hookimpl
def plugin_info() -> dict[str, str]:
    return {"name": NAME, "kind": "platform",
            "description": "Instagram posts, carousels, reels, IGTV, stories and profiles "
                           "(meta tags, the page's post data, the rendered article or header)"}


register_platforms = platform_hook(
    Platform(NAME, match_url, settle_page, classify_page, extract_post, post_element))
