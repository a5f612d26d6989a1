"""Platform plugin: Facebook posts, photos, videos, reels, groups and pages.

Two page generations are read:

* the mobile site (m./mbasic.facebook.com) renders the story as HTML: a
  ``.story_body_container`` with the author in ``header h3``, the text in the
  first ``div`` and the photos as ``img``; the precise time is only in the
  ``data-ft`` / ``data-store`` JSON attributes. Some parts arrive as deferred
  HTML inside ``<code><!-- ... --></code>`` that Facebook's own scripts insert
  later; when those scripts did not run the plugin reads the comment text.
* the modern ("Comet") www site ships the story as Relay JSON in ``<script>``
  payloads and builds the DOM from it with JavaScript; the plugin parses that
  JSON (``__typename: "Story"`` nodes) in Python.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, Response

from archiver import PlatformMatch, hookimpl
from archiver.models import Author, Classification, Counts, Media, Post, Status
from archiver.page_context import PageContext
from archiver.platforms import Platform
from archiver.plugins import pagetools

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

# Reads the mobile-site story. Deferred parts (HTML comments in <code>) are parsed with
# DOMParser, which neither runs scripts nor loads images, so the page itself is untouched.
MOBILE_JS = r"""() => {
  const live = [document];
  const deferred = [];
  for (const code of document.querySelectorAll('code')) {
    const c = code.firstChild;
    if (c && c.nodeType === Node.COMMENT_NODE)
      deferred.push(new DOMParser().parseFromString(c.data, 'text/html'));
  }
  const find = (sel) => {
    for (const root of live) { const e = root.querySelector(sel); if (e) return [e, 'dom:' + sel]; }
    for (const root of deferred) {
      const e = root.querySelector(sel); if (e) return [e, 'dom:code<!--deferred--> ' + sel];
    }
    return [null, null];
  };
  const text = (e) => e ? (e.innerText || e.textContent || '').trim() : null;
  const out = {sources: {}};
  const story = document.querySelector('#m_story_permalink_view .story_body_container')
    || document.querySelector('.story_body_container');
  out.story = !!story;
  const pick = (field, sels, fn) => {
    for (const sel of sels) {
      const [e, src] = find(sel);
      if (e) { const v = fn(e); if (v) { out[field] = v; out.sources[field] = src; return; } }
    }
  };
  pick('author', ['.story_body_container header h3 strong a', '.story_body_container h3 a',
                  'a.actor-link .actor', 'header h3 a'],
       e => ({name: text(e), href: (e.closest('a') || e).getAttribute('href')}));
  pick('text', ['.story_body_container > div:first-of-type'],
       e => e.querySelector('img, i.img') ? null : text(e));
  pick('ft', ['[data-sigil~="story-div"][data-ft]', '.story_body_container[data-ft]',
              '[data-ft*="publish_time"]'],
       e => e.getAttribute('data-ft'));
  pick('time', ['abbr[data-store*="time"]'], e => e.getAttribute('data-store'));
  pick('time_text', ['.story_body_container header abbr', 'abbr[data-sigil="timestamp"]'], text);
  pick('likes', ['.like_def', '[id^="like_sentence_"]'], text);
  pick('shares', ['[data-sigil="feed-ufi-sharers"]'], text);
  const images = [];
  // Only the requested story: the page also lists other stories of the same author.
  const imgSel = story ? 'img:not(.profpic), i.img[style*="background-image"]'
    : '[data-sigil~="photo-stage"] img[data-sigil~="photo-image"]';
  for (const e of (story || document).querySelectorAll(imgSel)) {
    let url = e.currentSrc || e.src || null;
    if (!url) {
      const m = (e.getAttribute('style') || '').match(/url\(['"]?([^'")]+)['"]?\)/);
      const raw = m ? m[1].replace(/\\([0-9a-fA-F]{1,6})\s?/g,
        (_, hex) => String.fromCodePoint(parseInt(hex, 16))) : null;
      url = raw ? new URL(raw, location.href).href : null;
    }
    if (url && !images.includes(url)) images.push(url);
  }
  out.images = images;
  out.images_source = 'dom:' + (story ? '.story_body_container ' : '') + imgSel;
  return out;
}"""

SCRIPTS_JS = """() => Array.from(document.scripts)
  .map(s => s.text)
  .filter(t => t.includes('"__typename":"Story"'))"""

COUNT = re.compile(r"([\d][\d.,]*)\s*([KkMm])?")


def parse_count(text: str | None) -> int | None:
    """'281 shares' -> 281, '1.2K' -> 1200; None when the text holds no number."""
    if not text:
        return None
    found = COUNT.search(text)
    if not found:
        return None
    number, suffix = found.group(1), (found.group(2) or "").upper()
    if suffix:
        return int(float(number.replace(",", "")) * {"K": 1_000, "M": 1_000_000}[suffix])
    return int(number.replace(",", "").replace(".", ""))


def iso_from_unix(seconds: int | float | str) -> str:
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}[{index}]")


def _publish_time(data_ft: str | None) -> int | None:
    if not data_ft:
        return None
    try:
        data = json.loads(data_ft)
    except ValueError:
        return None
    for _path, node in _walk(data):
        if isinstance(node, dict) and isinstance(node.get("publish_time"), int):
            return int(node["publish_time"])
    return None


def _owner_id(data_ft: str | None) -> str | None:
    try:
        data = json.loads(data_ft or "")
    except ValueError:
        return None
    owner = data.get("content_owner_id_new") if isinstance(data, dict) else None
    return str(owner) if owner else None


def _absolute(href: str | None) -> str | None:
    if not href:
        return None
    path = urlsplit(href).path
    return WWW + path if href.startswith("/") or "facebook.com" in href else href


async def extract_mobile(page: Page, ctx: PageContext, post: Post, sources: dict[str, str],
                         notes: list[str]) -> bool:
    found: dict[str, Any] = await page.evaluate(MOBILE_JS)
    if not (found.get("story") or found.get("author") or found.get("images")):
        return False
    src = found["sources"]
    if found.get("author"):
        post.author = Author(display_name=found["author"]["name"],
                             url=_absolute(found["author"]["href"]), id=_owner_id(found.get("ft")))
        sources["author.display_name"] = sources["author.url"] = src["author"]
        if post.author.id:
            sources["author.id"] = src["ft"] + " [data-ft].content_owner_id_new"
    unix = _publish_time(found.get("ft"))
    if unix is not None:
        sources["published_at"] = src["ft"] + " [data-ft]..post_context.publish_time"
    elif found.get("time"):
        unix = json.loads(found["time"]).get("time")
        sources["published_at"] = src["time"] + " [data-store].time"
    if unix is not None:
        post.published_at = iso_from_unix(unix)
    elif found.get("time_text"):
        notes.append(f"time shown only as {found['time_text']!r} (no machine-readable time)")
    if found.get("text"):
        post.text, sources["text"] = found["text"], src["text"]
    post.counts = Counts(likes=parse_count(found.get("likes")),
                         reposts=parse_count(found.get("shares")))
    if post.counts.likes is not None:
        sources["counts.likes"] = src["likes"]
    if post.counts.reposts is not None:
        sources["counts.reposts"] = src["shares"]
    post.media = [Media(kind="image", url=u) for u in found["images"]]
    if post.media:
        sources["media"] = found["images_source"]
    return True


def _json_objects(script: str) -> Iterator[Any]:
    """JSON values in a script: the whole text, or each Relay ``{"__bbox": ...}`` payload."""
    try:
        yield json.loads(script)
        return
    except ValueError:
        pass
    decoder = json.JSONDecoder()
    for start in (m.start() for m in re.finditer(r'\{"__bbox":', script)):
        try:
            yield decoder.raw_decode(script, start)[0]
        except ValueError:
            continue


def comet_stories(scripts: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Top-level ``Story`` nodes (with their JSON paths) in the Relay payloads."""
    stories: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for script in scripts:
        for data in _json_objects(script):
            for path, node in _walk(data):
                if (isinstance(node, dict) and node.get("__typename") == "Story"
                        and "comet_sections" in node and node.get("post_id")
                        and node["post_id"] not in seen):
                    seen.add(node["post_id"])
                    stories.append((path, node))
    return stories


def _first(story: dict[str, Any], test: Any) -> tuple[str, Any] | tuple[None, None]:
    for path, node in _walk(story):
        if isinstance(node, dict) and test(node):
            return path, node
    return None, None


def _story_matches(story: dict[str, Any], wanted: str) -> bool:
    if story.get("post_id") == wanted:
        return True
    return any(isinstance(n, dict) and wanted in str(n.get("url") or "") for _p, n in _walk(story))


def fill_from_story(post: Post, path: str, story: dict[str, Any],
                    sources: dict[str, str]) -> None:
    where = f"json:{path}"
    post.post_id = str(story["post_id"])
    sources["post_id"] = f"{where}.post_id"
    sub, node = _first(story, lambda n: isinstance(n.get("creation_time"), int))
    if node:
        post.published_at = iso_from_unix(node["creation_time"])
        sources["published_at"] = f"{where}.{sub}.creation_time"
    sub, node = _first(story, lambda n: isinstance(n.get("message"), dict)
                       and isinstance(n["message"].get("text"), str))
    if node:
        post.text = node["message"]["text"]
        sources["text"] = f"{where}.{sub}.message.text"
    sub, node = _first(story, lambda n: isinstance(n.get("actors"), list) and n["actors"])
    if node:
        actor = node["actors"][0]
        post.author = Author(id=actor.get("id"), display_name=actor.get("name"),
                             url=actor.get("url") or actor.get("profile_url"))
        for key in ("id", "display_name", "url"):
            sources[f"author.{key}"] = f"{where}.{sub}.actors[0]"
    photos = [(p, n) for p, n in _walk(story) if isinstance(n, dict)
              and isinstance(n.get("photo_image"), dict) and n["photo_image"].get("uri")]
    post.media = [Media(kind="image", url=n["photo_image"]["uri"],
                        width=n["photo_image"].get("width"), height=n["photo_image"].get("height"))
                  for _p, n in photos]
    if photos:
        sources["media"] = f"{where}.{photos[0][0]}.photo_image.uri"
    fill_comet_counts(post, where, story, sources)


def fill_comet_counts(post: Post, where: str, story: dict[str, Any],
                      sources: dict[str, str]) -> None:
    sub, node = _first(story, lambda n: "comet_ufi_summary_and_actions_renderer" in n)
    if not node:
        return
    feedback = node["comet_ufi_summary_and_actions_renderer"].get("feedback") or {}
    base = f"{where}.{sub}.comet_ufi_summary_and_actions_renderer.feedback"
    for field, key, inner in (("likes", "reaction_count", "count"),
                              ("replies", "comment_count", "total_count"),
                              ("reposts", "share_count", "count")):
        value = (feedback.get(key) or {}).get(inner)
        if isinstance(value, int):
            setattr(post.counts, field, value)
            sources[f"counts.{field}"] = f"{base}.{key}.{inner}"


async def extract_comet(page: Page, ctx: PageContext, post: Post, sources: dict[str, str],
                        notes: list[str]) -> bool:
    stories = comet_stories(await page.evaluate(SCRIPTS_JS))
    if not stories:
        return False
    wanted = ctx.match.post_id
    chosen = next(((p, s) for p, s in stories if wanted and _story_matches(s, wanted)), None)
    if chosen is None and ctx.match.kind in ("post", "video") and len(stories) == 1:
        chosen = stories[0]
        notes.append("the requested id is not in the page data; the page's only story was read")
    if chosen is None:
        # A profile or page: its timeline is context, not the post asked for.
        notes.append("stories in the page data (not extracted): "
                     + ", ".join(str(s["post_id"]) for _p, s in stories))
        return False
    fill_from_story(post, chosen[0], chosen[1], sources)
    return True


async def fill_from_meta(page: Page, post: Post, sources: dict[str, str]) -> None:
    """What the page's own meta tags say; used for profiles and pages."""
    meta = await pagetools.meta_tags(page)
    if meta.get("og:title"):
        post.title = post.author.display_name = meta["og:title"].strip()
        sources["title"] = sources["author.display_name"] = "meta:og:title"
    if meta.get("og:description"):
        post.text, sources["text"] = meta["og:description"].strip(), "meta:og:description"
    app_url = meta.get("al:android:url") or meta.get("al:ios:url") or ""
    if app_url.startswith("fb://profile/"):
        post.author.id = app_url.rsplit("/", 1)[-1]
        sources["author.id"] = "meta:al:android:url"
    if meta.get("og:url"):
        post.author.url, sources["author.url"] = meta["og:url"], "meta:og:url"
    if meta.get("og:image"):
        post.media = [Media(kind="image", url=meta["og:image"], note="profile picture")]
        sources["media"] = "meta:og:image"


async def extract_post(ctx: PageContext) -> Post | None:
    page = ctx.page
    post, sources, notes = pagetools.new_post(ctx)
    title = (await page.title()).strip()
    if title:
        post.title, sources["title"] = title, "dom:title"
    found = await extract_mobile(page, ctx, post, sources, notes)
    if not found:
        found = await extract_comet(page, ctx, post, sources, notes)
        if found:
            notes.append("read from the page's embedded Relay JSON (the visible post is built "
                         "from it by Facebook's scripts)")
    if not found and ctx.match.kind in ("profile", "group", "page"):
        await fill_from_meta(page, post, sources)
    elif not found:
        notes.append("no post found in the page")
    loaded = await ctx.load_media([(m.url, m.kind) for m in post.media])
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
