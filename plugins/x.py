"""Platform plugin: X (formerly Twitter) posts, Articles and profiles.

X renders pages in three layouts: the app's (``article[data-testid="tweet"]``), a server-rendered
one with schema.org microdata (``article[data-tweet-id]``, no ``data-testid``), and for clients
without JavaScript a small page of og:* tags. The plugin reads the richest one the page has and
records which. Profiles are read in ``x_profile``, the microdata layout in ``x_microdata``,
long-form Articles in ``x_article``; ``x_recorded`` then completes the post from the GraphQL
answers X sent the page (``x_graphql``).
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from playwright._impl._errors import Error as PlaywrightError  # see pagetools

from archiver import hookimpl
from archiver.models import Classification, Counts, Media, PlatformMatch, Post, Status
from archiver.page_context import PageContext
from archiver.platforms import Platform, platform_hook

from . import pagetools, x_article, x_microdata, x_recorded
from .pagetools import meta_tags, new_post, settle_generic
from .x_profile import PROFILE_JS, fill_profile, fill_profile_from_meta

if TYPE_CHECKING:
    from playwright.async_api import Page, Response


NAME = "x"
BASE = "https://x.com"
HOSTS = frozenset({
    "x.com", "www.x.com", "mobile.x.com",
    "twitter.com", "www.twitter.com", "mobile.twitter.com",
})
HANDLE = r"[A-Za-z0-9_]{1,15}"
STATUS_PATH = re.compile(rf"^/({HANDLE})/status(?:es)?/(\d{{1,20}})(?:/.*)?$")
WEB_STATUS_PATH = re.compile(r"^/i/(?:web/)?status/(\d{1,20})(?:/.*)?$")
PROFILE_PATH = re.compile(rf"^/({HANDLE})/?$")
ARTICLE_PATH = re.compile(rf"^/({HANDLE})/article/(\d{{1,20}})(?:/.*)?$")
# First path segments that are X's own pages, not user handles.
RESERVED = frozenset({
    "home", "explore", "i", "settings", "search", "login", "logout", "signup", "notifications",
    "messages", "compose", "tos", "privacy", "hashtag", "intent", "share", "account", "jobs",
    "about", "download", "lists", "bookmarks", "communities", "premium", "verified",
    "who_to_follow", "help", "rules", "following", "followers", "topics", "moments", "oauth",
    "sessions",
})
# Snowflake ids count milliseconds from this epoch; ids below the first snowflake are sequential
# (pre November 2010) and carry no time, so they must not be decoded.
TWITTER_EPOCH_MS = 1288834974657
FIRST_SNOWFLAKE = 29_700_859_247

LOGIN_HINT = "pass --cookies or --storage-state of a logged-in session"
LOGIN_FLOW = re.compile(r"^/(i/flow/login|login|i/flow/signup)(/|$)")
TWEET = 'article[data-testid="tweet"]'
# Texts X shows instead of a post or profile, most specific first (apostrophes normalised).
MARKERS: tuple[tuple[str, Status, str], ...] = (
    ("account suspended", Status.BLOCKED, "X says: Account suspended"),
    ("withheld in", Status.BLOCKED, "X says the content is withheld in this country"),
    ("these posts are protected", Status.LOGIN_REQUIRED, "X says the posts are protected"),
    ("posts are protected", Status.LOGIN_REQUIRED, "X says the posts are protected"),
    ("this post was deleted", Status.NOT_FOUND, "X says the post was deleted"),
    ("this tweet was deleted", Status.NOT_FOUND, "X says the post was deleted"),
    ("this post is unavailable", Status.NOT_FOUND, "X says: This post is unavailable"),
    ("this tweet is unavailable", Status.NOT_FOUND, "X says: This post is unavailable"),
    ("hmm...this page doesn't exist", Status.NOT_FOUND, "X says: this page doesn't exist"),
    ("this account doesn't exist", Status.NOT_FOUND, "X says: this account doesn't exist"),
)
LOGIN_PROMPTS = (
    '[data-testid="loginButton"], [data-testid="login"], input[autocomplete="username"], '
    'a[href="/login"], a[href^="/i/flow/login"]'
)
OVERLAY_CLOSERS = (
    '[data-testid="sheetDialog"] [data-testid="app-bar-close"]',
    '[data-testid="sheetDialog"] [aria-label="Close"]',
    'button:has-text("Not now")',
    'div[role="button"]:has-text("Not now")',
    'button:has-text("Refuse non-essential cookies")',
)


# ---------------------------------------------------------------- URLs


def match_url(url: str) -> PlatformMatch | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or (parts.hostname or "").lower() not in HOSTS:
        return None
    path = parts.path or "/"
    if found := STATUS_PATH.match(path):
        user, post_id = found.groups()
        if user.lower() == "i":
            return status_match(f"{BASE}/i/web/status/{post_id}", post_id)
        return status_match(f"{BASE}/{user}/status/{post_id}", post_id)
    if found := WEB_STATUS_PATH.match(path):
        post_id = found.group(1)
        return status_match(f"{BASE}/i/web/status/{post_id}", post_id)
    if found := ARTICLE_PATH.match(path):
        user, post_id = found.groups()
        return PlatformMatch(platform=NAME, canonical_url=f"{BASE}/{user}/article/{post_id}",
                             kind="article", post_id=post_id)
    found = PROFILE_PATH.match(path)
    if found and found.group(1).lower() not in RESERVED:
        canonical = f"{BASE}/{found.group(1)}"
        return PlatformMatch(platform=NAME, canonical_url=canonical, kind="profile")
    # X's own pages (home, search, explore...) are still X: its overlays and walls apply.
    query = f"?{parts.query}" if parts.query else ""
    return PlatformMatch(platform=NAME, canonical_url=f"{BASE}{path}{query}", kind="page")


def status_match(canonical: str, post_id: str) -> PlatformMatch:
    return PlatformMatch(platform=NAME, canonical_url=canonical, kind="post", post_id=post_id)


def snowflake_time(post_id: str | None) -> str | None:
    """The creation time encoded in a snowflake id, ISO 8601 UTC with milliseconds."""
    if not post_id or not post_id.isdigit() or int(post_id) < FIRST_SNOWFLAKE:
        return None
    millis = (int(post_id) >> 22) + TWITTER_EPOCH_MS
    moment = datetime.fromtimestamp(millis / 1000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"


def focal_selector(post_id: str | None) -> str:
    """The focal tweet: the article whose timestamp links to the requested status."""
    if not post_id:
        return TWEET
    return f'{TWEET}:has(a[href$="/status/{post_id}"] time)'


def any_focal(post_id: str | None) -> str:
    """The requested post in whichever layout the page has, or an Article's read view."""
    return f"{focal_selector(post_id)}, {x_microdata.focal_selector(post_id)}, {x_article.READ_VIEW}"


# ---------------------------------------------------------------- settle


async def settle_page(ctx: PageContext) -> bool | None:
    page = ctx.page
    budget = ctx.remaining(ctx.settings.settle_timeout)
    # The app renders the tweet a moment after "load"; give it part of the budget, not all,
    # because the bot-facing og-only page never renders one.
    await wait_for_content(page, min(budget / 3, 8.0))
    await dismiss_overlays(page)
    settled = await settle_generic(page, ctx.remaining(ctx.settings.settle_timeout))
    if not settled:
        ctx.fall_short(
            f"settle timeout: page not quiet after {ctx.settings.settle_timeout:g}s")
    await dismiss_overlays(page)
    return True


async def wait_for_content(page: Page, seconds: float) -> None:
    selector = f'{TWEET}, {x_microdata.ARTICLE}, {x_article.READ_VIEW}, ' \
               '[data-testid="error-detail"], [data-testid="emptyState"], [data-testid="UserName"]'
    with contextlib.suppress(PlaywrightError):
        await page.wait_for_selector(selector, timeout=max(seconds, 0.1) * 1000)


async def dismiss_overlays(page: Page) -> None:
    """Close login/cookie sheets so they do not cover the post in the screenshot."""
    for selector in OVERLAY_CLOSERS:
        try:
            target = page.locator(selector).first
            if await target.is_visible():
                await target.click(timeout=1000)
        except PlaywrightError:
            continue


# ---------------------------------------------------------------- classify

STATE_JS = """(focal) => {
  const main = document.querySelector('[data-testid="primaryColumn"]') || document.body;
  return {
    focal: !!document.querySelector(focal),
    articles: document.querySelectorAll('article[data-testid="tweet"], article[data-tweet-id]').length,
    profile: !!document.querySelector('[data-testid="UserName"], script[data-testid^="UserProfileSchema"]'),
    text: ((main && main.innerText) || '').replace(/[\\u2019\\u2018]/g, "'").toLowerCase(),
  };
}"""


async def classify_page(ctx: PageContext, response: Response | None) -> Classification | None:
    page = ctx.page
    final_path = urlsplit(page.url).path
    if LOGIN_FLOW.match(final_path) and not LOGIN_FLOW.match(urlsplit(ctx.url).path):
        return Classification(Status.LOGIN_REQUIRED, f"X redirected to its login page ({page.url})",
                              hint=LOGIN_HINT)
    state: dict[str, Any] = await page.evaluate(STATE_JS, any_focal(ctx.match.post_id))
    has_content = state["focal"] if ctx.match.kind in ("post", "article") else (
        state["articles"] > 0 or state["profile"])
    if has_content:
        return None
    for marker, status, reason in MARKERS:
        if marker in state["text"]:
            return Classification(status, reason, hint=LOGIN_HINT
                                  if status is Status.LOGIN_REQUIRED else None)
    meta = await meta_tags(page)
    if meta.get("og:description") or meta.get("og:title"):
        return None  # the og-only page X serves to non-JS clients: thin but genuine
    if await page.query_selector(LOGIN_PROMPTS) is not None:
        return Classification(Status.LOGIN_REQUIRED,
                              "X shows a login prompt instead of the content", hint=LOGIN_HINT)
    return None


# ---------------------------------------------------------------- extract

TWEET_JS = """(article) => {
  const textOf = (el) => {
    let out = '';
    const walk = (node) => {
      if (node.nodeType === Node.TEXT_NODE) { out += node.nodeValue; return; }
      if (node.nodeType !== Node.ELEMENT_NODE) return;
      if (node.tagName === 'IMG') { out += node.getAttribute('alt') || ''; return; }
      if (node.tagName === 'BR') { out += '\\n'; return; }
      for (const child of node.childNodes) walk(child);
    };
    walk(el);
    return out;
  };
  const user = article.querySelector('[data-testid="User-Name"]');
  let displayName = null, handle = null;
  const verified = !!(user && user.querySelector('[data-testid="icon-verified"]'));
  if (user) {
    const first = user.querySelector('a[role="link"]');
    if (first) displayName = textOf(first).trim() || null;
    for (const span of user.querySelectorAll('span')) {
      const t = (span.textContent || '').trim();
      if (/^@[A-Za-z0-9_]{1,15}$/.test(t)) { handle = t.slice(1); break; }
    }
  }
  // Media of a quoted post sits in a nested role=link container: it is not this post's.
  const own = (el) => !el.closest('div[role="link"]');
  const body = Array.from(article.querySelectorAll('[data-testid="tweetText"]')).find(own) || null;
  const anchors = body ? Array.from(body.querySelectorAll('a[href]')).map(a => ({
    href: a.href, path: a.getAttribute('href'), text: (a.textContent || '').trim(),
  })) : [];
  const time = article.querySelector('a[href*="/status/"] time[datetime]')
    || article.querySelector('time[datetime]');
  const label = (id) => {
    const el = article.querySelector(`[data-testid="${id}"]`);
    return el ? el.getAttribute('aria-label') : null;
  };
  const group = article.querySelector('[role="group"][aria-label]');
  const analytics = article.querySelector('a[href$="/analytics"]');
  // A quoted post is a card (role=link) with an author line of its own inside the post.
  const quote = Array.from(article.querySelectorAll('div[role="link"]'))
    .find(card => card.querySelector('[data-testid="User-Name"]'));
  let quoted = null;
  if (quote) {
    const name = Array.from(quote.querySelectorAll('[data-testid="User-Name"] span'))
      .map(s => (s.textContent || '').trim()).find(t => /^@[A-Za-z0-9_]{1,15}$/.test(t));
    const link = quote.querySelector('a[href*="/status/"]');
    quoted = {handle: name ? name.slice(1) : null, href: link ? link.href : null};
  }
  return {
    quoted,
    displayName, handle, verified,
    text: body ? textOf(body) : null,
    lang: body ? body.getAttribute('lang') : null,
    anchors,
    time: time ? time.getAttribute('datetime') : null,
    // A video player shows its poster as a picture until played: that picture is the poster.
    // A link shown only as a card (its preview of the linked page) is not in the text.
    cardLinks: Array.from(article.querySelectorAll('[data-testid="card.wrapper"] a[href]'))
      .filter(own).map(a => a.href),
    photos: Array.from(article.querySelectorAll('[data-testid="tweetPhoto"] img'))
      .filter(img => own(img) && !img.closest('[data-testid="videoPlayer"]')).map(img => img.src),
    videos: Array.from(article.querySelectorAll('video')).filter(own)
      .map(v => ({src: v.currentSrc || v.src || (v.querySelector('source') || {}).src || null,
                  poster: v.poster || null})),
    reply: label('reply'), retweet: label('retweet'), like: label('like'),
    group: group ? group.getAttribute('aria-label') : null,
    analytics: analytics ? analytics.getAttribute('aria-label') : null,
  };
}"""

# The post rendered above the focal one on a status page is the one it replies to.
REPLY_PARENT_JS = """(focal) => {
  const posts = Array.from(document.querySelectorAll('article[data-testid="tweet"]'));
  const at = posts.indexOf(document.querySelector(focal));
  const time = at > 0 ? posts[at - 1].querySelector('a[href*="/status/"] time') : null;
  return time ? time.closest('a').href.split('?')[0] : null;
}"""
OG_TITLE_NEW = re.compile(rf"^(?P<name>.*) \(@(?P<handle>{HANDLE})\) on (?:X|Twitter)$")
OG_TITLE_OLD = re.compile(r'^(?P<name>.*) on (?:X|Twitter): ".*"(?: / (?:X|Twitter))?$', re.S)
OG_MENTION = re.compile(rf"(?<![\w@])@({HANDLE})\b")
OG_HASHTAG = re.compile(r"(?<![\w#&])#(\w+)")
OG_LINK = re.compile(r"https?://\S+")
OG_POSTER = re.compile(
    r"^https://pbs\.twimg\.com/(?:tweet_video_thumb|ext_tw_video_thumb|amplify_video_thumb)/")
GROUP_COUNT = re.compile(r"([\d,]+) (replies|reply|reposts?|likes?|views?)\b", re.I)
GROUP_FIELDS = {"replie": "replies", "reply": "replies", "repost": "reposts", "like": "likes",
                "view": "views"}
LEADING_NUMBER = re.compile(r"^\s*([\d,.\s]+?)\s+\w")


async def extract_post(ctx: PageContext) -> Post | None:
    page = ctx.page
    match = ctx.match
    post, sources, notes = new_post(ctx)
    if match.kind == "profile":
        await read_profile(page, post, sources, notes)
    else:
        await read_post(page, post, sources, notes)
    await x_recorded.fill_from_answers(ctx, post, sources, notes)
    if post.published_at is None and match.kind in ("post", "article"):
        post.published_at = snowflake_time(match.post_id)
        if post.published_at:
            sources["published_at"] = "snowflake"
    if post.author.handle and not post.author.url:
        post.author.url = f"{BASE}/{post.author.handle}"
    # The og-only page names its photo without showing it, X's answers a video the player streams
    # from a blob:; lazy photos may not have loaded yet.
    wanted = [(m.url, "image" if m.kind == "avatar" else m.kind) for m in post.media]
    if await ctx.load_media(wanted):
        notes.append("media named by the page or X's answers but not yet loaded were loaded by "
                     "the plugin so their bytes are recorded")
    return post


async def read_post(page: Page, post: Post, sources: dict[str, str], notes: list[str]) -> None:
    """A post or Article in the app's layout, the microdata layout, or the og-only page."""
    post_id = post.post_id
    if (article := await focal_article(page, post_id, notes)) is not None:
        fill_from_tweet(post, await article.evaluate(TWEET_JS), sources, notes)
        parent = await page.evaluate(REPLY_PARENT_JS, focal_selector(post_id))
        if parent:
            post.reply_to = parent
            sources["reply_to"] = f"dom:the {TWEET} shown above the focal post (its parent)"
    elif (article := await page.query_selector(x_microdata.focal_selector(post_id))) is not None:
        notes.append("the post is in X's server-rendered layout (schema.org microdata)")
        data = await article.evaluate(x_microdata.MICRODATA_JS)
        x_microdata.fill_from_microdata(post, data, sources, notes)
        read_anchors(post, data["anchors"], sources, f'dom:{x_microdata.ARTICLE} div[dir="auto"] a')
    elif await page.query_selector(x_article.READ_VIEW) is None:
        fill_from_meta(post, await meta_tags(page), sources, notes)
    if (view := await page.query_selector(x_article.READ_VIEW)) is not None:
        x_article.fill_article(post, await view.evaluate(x_article.ARTICLE_JS), sources)


async def read_profile(page: Page, post: Post, sources: dict[str, str], notes: list[str]) -> None:
    data: dict[str, Any] = await page.evaluate(PROFILE_JS)
    if data["schema"] or data["handle"]:
        fill_profile(post, data, sources)
    else:
        notes.append("no rendered profile on the page; fields come from its og:* tags")
        fill_profile_from_meta(post, await meta_tags(page), sources)


async def focal_article(page: Page, post_id: str | None, notes: list[str]) -> Any:
    article = await page.query_selector(focal_selector(post_id))
    if article is None and (article := await page.query_selector(TWEET)) is not None:
        notes.append("no tweet links to the requested id; the first tweet on the page was read")
    return article


def fill_from_tweet(post: Post, data: dict[str, Any], sources: dict[str, str],
                    notes: list[str]) -> None:
    user = '[data-testid="User-Name"]'
    body = '[data-testid="tweetText"]'
    if data["displayName"]:
        post.author.display_name = data["displayName"]
        sources["author.display_name"] = f"dom:{user} a"
    if data["handle"]:
        post.author.handle = data["handle"]
        sources["author.handle"] = f"dom:{user} span(@handle)"
    if data["verified"]:
        post.author.verified = True
        sources["author.verified"] = f'dom:{user} [data-testid="icon-verified"]'
    if data["time"]:
        post.published_at = data["time"]
        sources["published_at"] = "dom:time[datetime]"
    if data["text"] is not None:
        post.text = data["text"].strip()
        sources["text"] = f"dom:{body}"
    if data["lang"]:
        post.language = data["lang"]
        sources["language"] = f"dom:{body}[lang]"
    read_anchors(post, data["anchors"], sources)
    read_card_links(post, data["cardLinks"], sources)
    read_media(post, data, sources, notes)
    read_counts(post.counts, data, sources)
    read_quoted(post, data["quoted"], sources, notes)


def read_quoted(post: Post, quoted: dict[str, str | None] | None, sources: dict[str, str],
                notes: list[str]) -> None:
    if not quoted:
        return
    if quoted["href"]:
        post.quoted = quoted["href"].split("?")[0]
        sources["quoted"] = 'dom:div[role="link"] a[href*="/status/"] (the quoted post)'
    else:
        who = f"@{quoted['handle']}" if quoted["handle"] else "another account"
        notes.append(f"the post quotes a post by {who} but shows no link to it; "
                     "its address is not recorded")


def read_anchors(post: Post, anchors: list[dict[str, str]], sources: dict[str, str],
                 where: str = 'dom:[data-testid="tweetText"] a') -> None:
    for anchor in anchors:
        path, text = anchor["path"] or "", anchor["text"]
        if path.startswith("/hashtag/") or text.startswith(("#", "$")):
            post.hashtags.append(text.lstrip("#$"))
        elif text.startswith("@") and re.fullmatch(rf"/{HANDLE}", path):
            post.mentions.append(path[1:])
        elif anchor["href"].startswith(("http://", "https://")):
            post.links.append(anchor["href"])
    pagetools.note_entity_sources(post, sources, where)


def read_card_links(post: Post, hrefs: list[str], sources: dict[str, str]) -> None:
    added = False
    for href in hrefs:
        if href.startswith(("http://", "https://")) and href not in post.links:
            post.links.append(href)
            added = True
    if added:
        card = 'dom:[data-testid="card.wrapper"] a'
        sources["links"] = f"{sources['links']}; {card}" if "links" in sources else card


def read_media(post: Post, data: dict[str, Any], sources: dict[str, str],
               notes: list[str]) -> None:
    for src in data["photos"]:
        post.media.append(Media(kind="image", url=src))
    for video in data["videos"]:
        src, poster = video["src"], video["poster"]
        if src and src.startswith(("http://", "https://")):
            post.media.append(Media(kind="video", url=src))
        elif src:
            notes.append("a video is streamed (blob:/HLS); its segments are in the WARC, "
                         "not a single file")
        if poster:
            post.media.append(Media(kind="image", url=poster, note="video poster"))
    if post.media:
        sources["media"] = 'dom:[data-testid="tweetPhoto"] img, video'


def read_counts(counts: Counts, data: dict[str, Any], sources: dict[str, str]) -> None:
    for field, key in (("replies", "reply"), ("reposts", "retweet"), ("likes", "like")):
        number = leading_number(data[key])
        if number is not None:
            setattr(counts, field, number)
            sources[f"counts.{field}"] = f'dom:[data-testid="{key}"][aria-label]'
    views = leading_number(data["analytics"])
    if views is not None:
        counts.views = views
        sources["counts.views"] = 'dom:a[href$="/analytics"][aria-label]'
    # The action bar's own label ("10 replies, 1 repost, 2378 likes, 11424 views") has every
    # count, also where a button's label has none (an Article's like button says just "Like").
    for number, word in GROUP_COUNT.findall(data["group"] or ""):
        field = GROUP_FIELDS[word.lower().rstrip("s")]
        if getattr(counts, field) is None:
            setattr(counts, field, int(number.replace(",", "")))
            sources[f"counts.{field}"] = 'dom:[role="group"][aria-label]'


def leading_number(label: str | None) -> int | None:
    """The exact count at the start of an aria-label such as "18151 Replies. Reply"."""
    if not label:
        return None
    found = LEADING_NUMBER.match(label)
    if not found:
        return None
    digits = re.sub(r"[,.\s]", "", found.group(1))
    return int(digits) if digits.isdigit() else None


def fill_from_meta(post: Post, meta: dict[str, str], sources: dict[str, str],
                   notes: list[str]) -> None:
    notes.append("no rendered tweet on the page; fields come from its og:* tags")
    title = (meta.get("og:title") or "").strip()
    if title:
        post.title = title
        sources["title"] = "meta:og:title"
    if found := OG_TITLE_NEW.match(title):
        post.author.display_name, post.author.handle = found["name"], found["handle"]
        sources["author.display_name"] = sources["author.handle"] = "meta:og:title"
    elif found := OG_TITLE_OLD.match(title):
        post.author.display_name = found["name"]
        sources["author.display_name"] = "meta:og:title"
    if post.kind == "post" and meta.get("og:description"):
        post.text = meta["og:description"].strip()
        sources["text"] = "meta:og:description"
        # The og text is plain: its @handles, #tags and t.co addresses are words, not links.
        post.mentions = OG_MENTION.findall(post.text)
        post.hashtags = OG_HASHTAG.findall(post.text)
        post.links = OG_LINK.findall(post.text)
        pagetools.note_entity_sources(post, sources, "meta:og:description (words of the text)")
    image = meta.get("og:image") or ""
    # og:image is the post's picture when it is a media file, or the poster of its video or
    # GIF; otherwise it is the author's avatar or X's placeholder card, not the post's media.
    if "pbs.twimg.com/media/" in image:
        post.media.append(Media(kind="image", url=image))
        sources["media"] = "meta:og:image"
    elif OG_POSTER.search(image):
        post.media.append(Media(kind="image", url=image, note="video poster"))
        sources["media"] = "meta:og:image"
    elif image:
        notes.append(f"og:image {image} is not post media (avatar or placeholder); not listed")


async def post_element(ctx: PageContext) -> str | None:
    page = ctx.page
    if ctx.match.kind not in ("post", "article"):
        return None
    post_id = ctx.match.post_id
    return await pagetools.first_present(page, focal_selector(post_id), TWEET,
                                         x_microdata.focal_selector(post_id), x_article.READ_VIEW)


@hookimpl
def plugin_info() -> dict[str, str]:
    return {"name": NAME, "kind": "platform",
            "description": "X / Twitter posts and profiles (x.com, twitter.com)"}


register_platforms = platform_hook(
    Platform(NAME, match_url, settle_page, classify_page, extract_post, post_element))
