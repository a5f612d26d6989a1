"""Facebook's mobile site (m./mbasic.facebook.com): a story, or the stories a timeline lists.

The mobile site renders the story as HTML: a ``.story_body_container`` with the author in
``header h3``, the text in the first ``div`` and the photos as ``img``; the precise time is
only in the ``data-ft`` / ``data-store`` JSON attributes. Some parts arrive as deferred HTML
inside ``<code><!-- ... --></code>`` that Facebook's own scripts insert later; when those
scripts did not run the plugin reads the comment text. A Page's timeline or a group lists
its stories as ``article``s carrying the same ``data-ft``.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from archiver.models import Author, Counts, FeedEntry, Media, Post

from .counts import parse_count
from .facebook_relay import iso_from_unix, walk

if TYPE_CHECKING:
    from playwright.async_api import Page


WWW = "https://www.facebook.com"
# What identifies a story in a link; the rest (refid, __tn__, __xts__) tracks the click.
STORY_PARAMETERS = ("story_fbid", "id", "fbid", "v")

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

# The text an element shows, its long text whole: Facebook cuts it with "… More"
# (.text_exposed_hide) and goes on in .text_exposed_show; its stylesheet hides one of them, so
# without it both show.
SHOWN_JS = r"""(e) => {
  const text = (n) => (n.innerText || n.textContent || '').trim();
  let t = text(e);
  for (const cut of e.querySelectorAll('.text_exposed_hide')) {
    const hidden = text(cut);
    const at = hidden ? t.indexOf(hidden) : -1;
    if (at < 0) continue;
    let end = at + hidden.length;
    // A cut inside a link: the HTML parser closes that link at the nested "More" link, which
    // then follows it, outside the cut.
    const host = cut.closest('a');
    const more = host && host.nextElementSibling;
    const after = t.indexOf('More', end);
    if (more && more.matches('a') && text(more) === 'More' && after >= 0
        && !t.slice(end, after).trim()) end = after + 'More'.length;
    t = t.slice(0, at) + t.slice(end);
  }
  return t.trim() || null;
}"""

# The stories a timeline or group page lists; an article nested in another (a shared post)
# belongs to the outer one.
FEED_JS = r"""() => {
  const sel = 'article[data-ft], #m_group_stories_container [data-ft*="top_level_post_id"], '
    + '[data-sigil~="story-div"][data-ft*="top_level_post_id"]';
  const all = Array.from(document.querySelectorAll(sel));
  const outer = all.filter(e => !all.some(o => o !== e && o.contains(e)));
  const text = (e) => e ? (e.innerText || e.textContent || '').trim() : null;
  // In order of preference, not of place: "shared a link" in the header names the shared
  // story, while the time shown under the author links to this one.
  const first = (e, sels) => sels.map(s => e.querySelector(s)).find(Boolean) || null;
  const shown = """ + SHOWN_JS + r""";
  return outer.map(e => {
    const author = e.querySelector('header h3 strong a, h3 strong a, header h3 a, h3 a');
    const link = first(e, ['[data-sigil~="m-feed-voice-subtitle"] a', 'a[href*="story.php"]',
      'a[href*="/permalink/"]', 'a[href*="/posts/"]', 'a[href*="permalink.php"]']);
    const body = e.querySelector('.story_body_container > div:first-of-type, '
      + '[data-ft*="\\"tn\\":\\"*s\\""]');
    return {ft: e.getAttribute('data-ft'), author: text(author),
            href: link ? link.getAttribute('href') : null,
            text: body && !body.querySelector('img, i.img') ? shown(body) : null,
            shown_time: text(e.querySelector('abbr'))};
  });
}"""


def shown_count(text: str | None) -> int | None:
    """'281 shares' -> 281, '2 people like this.' -> 2: the first number the text shows."""
    found = re.search(r"\d", text or "")
    return parse_count(text[found.start():]) if text and found else None


def ft_json(data_ft: str | None) -> Any:
    try:
        return json.loads(data_ft or "")
    except ValueError:
        return None


def publish_time(data_ft: str | None) -> int | None:
    """The story's own time; a shared story's (``attached_story``) is the original's."""
    for path, node in walk(ft_json(data_ft)):
        if "attached_story" in path:
            continue
        if isinstance(node, dict) and isinstance(node.get("publish_time"), int):
            return int(node["publish_time"])
    return None


def owner_id(data_ft: str | None) -> str | None:
    data = ft_json(data_ft)
    owner = data.get("content_owner_id_new") if isinstance(data, dict) else None
    return str(owner) if owner else None


def absolute(href: str | None) -> str | None:
    """A story link on www, without the mobile site's tracking parameters."""
    if not href:
        return None
    parts = urlsplit(href)
    if not (href.startswith("/") or (parts.hostname or "").endswith("facebook.com")):
        return href
    query = dict(parse_qsl(parts.query))
    group = re.fullmatch(r"/groups/([^/]+)/?", parts.path)
    if group and query.get("view") == "permalink" and query.get("id"):
        # The mobile site's "/groups/<id>?view=permalink&id=<post>" is this post on www.
        return f"{WWW}/groups/{group.group(1)}/permalink/{query['id']}/"
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k in STORY_PARAMETERS]
    return WWW + parts.path + (f"?{urlencode(kept)}" if kept else "")


async def read_story(page: Page, post: Post, sources: dict[str, str], notes: list[str]) -> bool:
    """Fill ``post`` from the mobile story on the page; False when the page shows none."""
    found: dict[str, Any] = await page.evaluate(MOBILE_JS)
    if not (found.get("story") or found.get("author") or found.get("images")):
        return False
    src = found["sources"]
    if found.get("author"):
        href = found["author"]["href"]
        post.author = Author(display_name=found["author"]["name"],
                             url=WWW + urlsplit(href).path if href else None,
                             id=owner_id(found.get("ft")))
        sources["author.display_name"] = sources["author.url"] = src["author"]
        if post.author.id:
            sources["author.id"] = src["ft"] + " [data-ft].content_owner_id_new"
    unix = publish_time(found.get("ft"))
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
    post.counts = Counts(likes=shown_count(found.get("likes")),
                         reposts=shown_count(found.get("shares")))
    if post.counts.likes is not None:
        sources["counts.likes"] = src["likes"]
    if post.counts.reposts is not None:
        sources["counts.reposts"] = src["shares"]
    post.media = [Media(kind="image", url=u) for u in found["images"]]
    if post.media:
        sources["media"] = found["images_source"]
    return True


async def feed(page: Page) -> list[FeedEntry]:
    """The stories the page lists, as it lists them."""
    entries = []
    for item in await page.evaluate(FEED_JS):
        data = ft_json(item["ft"])
        data = data if isinstance(data, dict) else {}
        post_id = data.get("top_level_post_id") or data.get("mf_story_key")
        unix = publish_time(item["ft"])
        entries.append(FeedEntry(url=absolute(item["href"]),
                                 post_id=str(post_id) if post_id else None, author=item["author"],
                                 published_at=iso_from_unix(unix) if unix is not None else None,
                                 text=item["text"]))
    return entries
