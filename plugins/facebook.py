"""Platform plugin: Facebook posts, photos, videos, reels, profiles, Pages and groups.

Two page generations are read: the mobile site (m./mbasic.facebook.com), which renders
stories as HTML (``facebook_mobile``), and the modern ("Comet") www site, which ships its
content as Relay JSON in ``<script>`` payloads and builds the DOM from it with JavaScript
(``facebook_relay``). What a page is decides what is read:

* a post, photo or video: the story (author, time, text, photos, video and poster, counts);
* a profile or Page: the account (``facebook_account``: name, id, handle, avatar, cover,
  counts, intro) and the stories it lists, as ``feed``;
* a group: the group (``facebook_group``: name, id, members, cover, description) and the
  stories its feed lists, as ``feed``; a listed story never stands in for the group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from playwright._impl._errors import Error as PlaywrightError  # see pagetools

from archiver import PlatformMatch, hookimpl
from archiver.models import Classification, FeedEntry, Post, Status
from archiver.page_context import PageContext
from archiver.platforms import Platform, platform_hook
from archiver.plugins import pagetools

from . import facebook_account as account
from . import facebook_group as group
from . import facebook_mobile as mobile
from . import facebook_relay as relay
from . import facebook_video as video
from . import facebook_video_page as video_page

if TYPE_CHECKING:
    from playwright.async_api import Page, Response


NAME = "facebook"
WWW = "https://www.facebook.com"
HOSTS = frozenset({
    "facebook.com", "www.facebook.com", "m.facebook.com", "mbasic.facebook.com",
    "web.facebook.com", "touch.facebook.com", "fb.com", "www.fb.com",
})
WATCH_HOSTS = frozenset({"fb.watch", "www.fb.watch"})
# First path segments that are Facebook's own sections, not page or profile names.
RESERVED = frozenset({
    "login", "login.php", "recover", "help", "settings", "privacy", "policies", "policy.php",
    "marketplace", "gaming", "events", "hashtag", "search", "home.php", "r.php", "l.php",
    "sharer", "sharer.php", "dialog", "plugins", "business", "ads", "notifications",
    "messages", "friends", "bookmarks", "checkpoint", "a", "ajax", "browse", "composer",
})
LOGIN_HINT = "pass --cookies or --storage-state of a logged-in session"
LOGIN_TITLES = ("log in to facebook", "log into facebook", "facebook – log in or sign up",
                "facebook - log in or sign up")
NOT_AVAILABLE = ("this content isn't available", "content isn't available right now",
                 "this page isn't available", "this content isn\u2019t available",
                 "content isn\u2019t available right now", "this page isn\u2019t available")
COOKIE_BUTTONS = ("Allow all cookies", "Decline optional cookies", "Only allow essential cookies")

# ---------------------------------------------------------------------------- URLs


def _www(path: str, query: str = "") -> str:
    return f"{WWW}{path}" + (f"?{query}" if query else "")


def _match_path(segments: list[str], query: dict[str, str]) -> tuple[str, str | None, str] | None:
    """(kind, post id, canonical path with query) for a facebook.com path, or None."""
    first = segments[0] if segments else ""
    rest = segments[1:]
    if first in ("permalink.php", "story.php") and query.get("story_fbid"):
        fbid, owner = query["story_fbid"], query.get("id", "")
        return "post", fbid, f"/{first}?story_fbid={fbid}" + (f"&id={owner}" if owner else "")
    if first in ("photo.php", "photo") and query.get("fbid"):
        path = "/photo.php" if first == "photo.php" else "/photo/"
        return "post", query["fbid"], f"{path}?fbid={query['fbid']}"
    if first == "watch" and query.get("v"):
        return "video", query["v"], f"/watch/?v={query['v']}"
    if first in ("reel", "reels") and rest:
        return "video", rest[0], f"/reel/{rest[0]}/"
    if first == "share" and len(rest) >= 2:
        kind = {"v": "video", "r": "video"}.get(rest[0], "post")
        return kind, rest[1], f"/share/{rest[0]}/{rest[1]}/"
    if first == "groups" and rest:
        if len(rest) >= 3 and rest[1] in ("posts", "permalink"):
            return "post", rest[2], f"/groups/{rest[0]}/posts/{rest[2]}/"
        return "group", None, f"/groups/{rest[0]}/"
    if first == "people" and len(rest) >= 2:
        return "profile", None, f"/people/{rest[0]}/{rest[1]}/"
    if first == "profile.php" and query.get("id"):
        return "profile", None, f"/profile.php?id={query['id']}"
    if not first or first in RESERVED:
        return None
    if len(rest) >= 2 and rest[0] == "posts":
        return "post", rest[1], f"/{first}/posts/{rest[1]}"
    if len(rest) >= 2 and rest[0] == "videos":
        return "video", rest[-1], f"/{first}/videos/{rest[-1]}/"
    if len(rest) >= 3 and rest[0] == "photos":
        return "post", rest[2], f"/{first}/photos/{rest[1]}/{rest[2]}/"
    return "profile", None, f"/{first}"


def match_url(url: str) -> PlatformMatch | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    if host in WATCH_HOSTS and segments:
        return PlatformMatch(NAME, f"https://fb.watch/{segments[0]}/", kind="video",
                             post_id=segments[0])
    if host not in HOSTS:
        return None
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    found = _match_path(segments, query)
    if found is None:
        # Still Facebook (login pages, sections): claim it so its walls are classified.
        return PlatformMatch(NAME, _www(parts.path or "/", parts.query), kind="page")
    kind, post_id, path = found
    return PlatformMatch(NAME, WWW + path, kind=kind, post_id=post_id)


# ---------------------------------------------------------------------------- settle


async def _click_if_present(page: Page, selector: str) -> bool:
    locator = page.locator(selector).first
    try:
        if await locator.count() and await locator.is_visible():
            await locator.click(timeout=2000)
            return True
    except PlaywrightError:
        pass
    return False


async def settle_page(ctx: PageContext) -> bool | None:
    page = ctx.page
    for label in COOKIE_BUTTONS:
        if await _click_if_present(page, f'[role="dialog"] [role="button"]:has-text("{label}"), '
                                         f'button:has-text("{label}")'):
            ctx.note(f"facebook: clicked the cookie banner's {label!r}")
            break
    # The logged-out login pop-up covers the post; its close button leaves the page as is.
    if await _click_if_present(page, '[role="dialog"] [aria-label="Close"]'):
        ctx.note("facebook: closed the login dialog")
    await pagetools.settle_generic(page, ctx.remaining(ctx.settings.settle_timeout))
    return True


# ---------------------------------------------------------------------------- classify

PAGE_STATE_JS = """() => ({
  text: (document.body ? document.body.innerText : '').slice(0, 20000),
  loginForm: !!document.querySelector('#login_form, form[action*="login"]'),
  story: !!document.querySelector(
    '.story_body_container, article, [data-sigil~="photo-stage"], [role="article"]'),
  cometStory: Array.from(document.scripts).some(s => s.text.includes('"__typename":"Story"')),
})"""


async def classify_page(ctx: PageContext, response: Response | None) -> Classification | None:
    page = ctx.page
    title = (await page.title()).strip().lower()
    state = await page.evaluate(PAGE_STATE_JS)
    text = state["text"].lower()
    has_content = state["story"] or state["cometStory"]
    if any(marker in text for marker in NOT_AVAILABLE) and not has_content:
        return Classification(Status.NOT_FOUND, "Facebook says the content isn't available "
                              "(deleted, or not visible to this viewer)", hint=LOGIN_HINT)
    if any(title.startswith(t) for t in LOGIN_TITLES) or (state["loginForm"] and not has_content):
        return Classification(Status.LOGIN_REQUIRED, f"Facebook login wall (title {title!r})",
                              hint=LOGIN_HINT)
    return None


# ---------------------------------------------------------------------------- extract


async def read_post(ctx: PageContext, scripts: list[str], wanted: str | None, post: Post,
                    sources: dict[str, str], notes: list[str]) -> bool:
    """A story or photo: the mobile site's HTML, else the Comet page's story JSON."""
    if await mobile.read_story(ctx.page, post, sources, notes):
        return True
    found = relay.stories(scripts)
    chosen = relay.matching_story(found, wanted) if wanted else None
    if chosen is None and len(found) == 1:
        chosen = found[0]
        notes.append("the requested id is not in the page data; the page's only story was read")
    if chosen is None:
        return False
    relay.fill_from_story(post, chosen[0], chosen[1], sources)
    sub, clip = relay.first(chosen[1], lambda n: n.get("__typename") == "Video"
                            and video.file_key(n) is not None)
    if clip:
        post.media += video.media_of(clip)
        sources.setdefault("media", f"json:{chosen[0]}.{sub}")
    notes.append("read from the page's embedded Relay JSON (the visible post is built from it "
                 "by Facebook's scripts)")
    return True


def is_short_link(url: str) -> bool:
    """Whether a video's address is a short code (``fb.watch/<code>``, ``/share/v|r/<code>``)."""
    parts = urlsplit(url)
    return (parts.hostname or "") in WATCH_HOSTS or parts.path.startswith(("/share/v/", "/share/r/"))


def video_id(ctx: PageContext, post: Post, sources: dict[str, str],
             notes: list[str]) -> str | None:
    """The requested video's id; for a short link, the one in the address it led to, if any."""
    if not is_short_link(ctx.match.canonical_url):
        return ctx.match.post_id
    # Pages name a video by its numeric id, never by the short code.
    final = match_url(ctx.page.url)
    if final is None or final.kind != "video" or is_short_link(final.canonical_url):
        notes.append(f"the short link's page is at {ctx.page.url}, an address naming no video id")
        return None
    post.post_id, sources["post_id"] = final.post_id, "final_url"
    notes.append(f"the short link led to {final.canonical_url}; the video there was read")
    return final.post_id


async def read_video(ctx: PageContext, scripts: list[str], meta: dict[str, str], post: Post,
                     sources: dict[str, str], notes: list[str]) -> None:
    wanted = video_id(ctx, post, sources, notes)
    found = await read_post(ctx, scripts, wanted, post, sources, notes)
    if any(m.kind == "video" for m in post.media):
        return
    node = video.video_node(scripts, wanted, notes)
    if node:
        video.fill_from_node(post, f"json:{node[0]}", node[1], sources)
        return
    if video_page.read(scripts, wanted, post, sources, notes):
        return
    if meta.get("og:video") or meta.get("og:video:url") or meta.get("og:video:secure_url"):
        video.fill_from_meta(post, meta, sources)
    elif not found:
        notes.append("no video found in the page")


async def listed(ctx: PageContext, scripts: list[str]) -> tuple[list[FeedEntry], str | None]:
    """The stories a profile or group page lists, and where they were read."""
    stories = relay.stories(scripts)
    if stories:
        return [relay.feed_entry(s) for _p, s in stories], f"json:{stories[0][0]} (Story nodes)"
    entries = await mobile.feed(ctx.page)
    return entries, ("dom:article[data-ft]" if entries else None)


async def read_account(ctx: PageContext, scripts: list[str], meta: dict[str, str], post: Post,
                       sources: dict[str, str], notes: list[str]) -> None:
    header = account.header_user(scripts)
    if header:
        account.fill_from_header(post, f"json:{header[0]}", header[1], sources, notes)
    account.fill_from_meta(post, meta, sources)
    if not post.author.handle:
        post.author.handle = account.handle_from_url(ctx.match.canonical_url)
        if post.author.handle:
            sources["author.handle"] = "url"


async def read_group(ctx: PageContext, scripts: list[str], meta: dict[str, str], post: Post,
                     sources: dict[str, str], notes: list[str]) -> None:
    segments = [s for s in urlsplit(ctx.match.canonical_url).path.split("/") if s]
    node = group.group_node(scripts, segments[1] if len(segments) > 1 else None)
    if node:
        group.fill_from_node(post, f"json:{node[0]}", node[1], sources, notes)
    header = await group.read_header(ctx.page)
    group.fill_from_header(post, header, sources, notes)
    group.fill_from_meta(post, meta, sources, notes, header.get("about"))
    if not post.author.id and len(segments) > 1 and segments[1].isdigit():
        post.author.id, sources["author.id"] = segments[1], "url"


async def extract_post(ctx: PageContext) -> Post | None:
    page = ctx.page
    post, sources, notes = pagetools.new_post(ctx)
    title = (await page.title()).strip()
    if title:
        post.title, sources["title"] = title, "dom:title"
    scripts: list[str] = await page.evaluate(relay.SCRIPTS_JS, relay.MARKERS)
    meta = await pagetools.meta_tags(page)
    kind = ctx.match.kind
    if kind in ("profile", "group"):
        reader = read_account if kind == "profile" else read_group
        await reader(ctx, scripts, meta, post, sources, notes)
        post.feed, feed_source = await listed(ctx, scripts)
        if feed_source:
            sources["feed"] = feed_source
    elif kind == "video":
        await read_video(ctx, scripts, meta, post, sources, notes)
    elif not await read_post(ctx, scripts, ctx.match.post_id, post, sources, notes):
        notes.append("no post found in the page")
    loaded = await ctx.load_media([(m.url, "video" if m.kind == "video" else "image")
                                   for m in post.media])
    if loaded:
        notes.append(f"{len(loaded)} media file(s) named by the page but not displayed were "
                     "loaded by the plugin so their bytes are recorded")
    return post


async def post_element(ctx: PageContext) -> str | None:
    page = ctx.page
    return await pagetools.first_present(page, "#m_story_permalink_view", ".story_body_container",
                                         '[data-sigil~="photo-stage"]', '[role="article"]')


@hookimpl
def plugin_info() -> dict[str, str]:
    return {"name": NAME, "kind": "platform",
            "description": "Facebook posts, photos, videos, reels, groups and pages "
                           "(mobile HTML and Comet Relay JSON)"}


register_platforms = platform_hook(
    Platform(NAME, match_url, settle_page, classify_page, extract_post, post_element))
