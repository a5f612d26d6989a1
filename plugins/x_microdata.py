"""X's server-rendered post layout: ``article[data-tweet-id]`` with schema.org microdata.

This layout has none of the app's ``data-testid`` attributes. Each post is a
``SocialMediaPosting`` whose fields are ``itemprop`` elements (identifier, datePublished,
articleBody, author, interactionStatistic, image, video); a quoted post is an
``article[data-tweet-id]`` nested in it. The visible elements are read where microdata is
missing (the text, the ``<video>`` with its poster, the photos).
"""

from __future__ import annotations

import re
from typing import Any

from archiver.models import Media, Post

from .counts import parse_count

ARTICLE = "article[data-tweet-id]"
BASE = "https://x.com"
# One picture or file whatever size or format a URL asks for ("?format=jpg&name=medium",
# ".jpg:large", ".mp4?tag=12").
SAME_FILE = re.compile(r"(\.\w+)?(:\w+)?(\?.*)?$")
ANY_STATUS = re.compile(r"^https://(?:x|twitter)\.com/(?P<handle>\w+)/status/(?P<id>\d+)")

MICRODATA_JS = """(article) => {
  // The item an element belongs to is its nearest itemscope ancestor: an author's name is
  // not the post's name, and a quoted post's fields are not the quoting post's.
  const scopeOf = (el) => el.parentElement ? el.parentElement.closest('[itemscope]') : null;
  const items = (scope, name) => Array.from(scope.querySelectorAll(`[itemprop~="${name}"]`))
    .filter(el => scopeOf(el) === scope);
  const value = (el) => el.getAttribute('content') ?? el.getAttribute('href')
    ?? el.getAttribute('src') ?? el.getAttribute('datetime') ?? (el.textContent || '').trim();
  const prop = (scope, ...names) => {
    for (const name of names) {
      const el = items(scope, name)[0];
      if (el) return value(el);
    }
    return null;
  };
  const own = (el) => el.closest('article[data-tweet-id]') === article;
  const author = items(article, 'author')[0] || null;
  const stats = items(article, 'interactionStatistic').map(s => ({
    name: prop(s, 'name'), type: prop(s, 'interactionType'), count: prop(s, 'userInteractionCount'),
  }));
  const videos = items(article, 'video').map(v => ({
    src: prop(v, 'contentUrl'), poster: prop(v, 'thumbnailUrl'), duration: prop(v, 'duration'),
  }));
  const images = items(article, 'image').map(i => prop(i, 'contentUrl', 'url'));
  const shownText = Array.from(article.querySelectorAll('[lang]')).filter(own)
    .find(el => el.tagName !== 'ARTICLE');
  // X's own pages mark the text only by dir="auto" (no lang): its first such block is the text.
  const textBlock = shownText
    || Array.from(article.querySelectorAll('div[dir="auto"]')).find(own) || null;
  const quoted = Array.from(article.querySelectorAll('article[data-tweet-id]'))
    .find(q => q.parentElement.closest('article[data-tweet-id]') === article);
  const quotedAuthor = quoted ? items(quoted, 'author')[0] : null;
  const quotedLink = quoted ? quoted.querySelector(
    `a[href$="/status/${quoted.getAttribute('data-tweet-id')}"]`) : null;
  return {
    id: prop(article, 'identifier') || article.getAttribute('data-tweet-id'),
    url: prop(article, 'url'),
    published: prop(article, 'datePublished', 'dateCreated'),
    text: prop(article, 'articleBody', 'text'),
    shownText: shownText ? (shownText.innerText || '').trim() : null,
    lang: shownText ? shownText.getAttribute('lang') : null,
    anchors: textBlock ? Array.from(textBlock.querySelectorAll('a[href]')).map(a => ({
      href: a.href, path: a.pathname, text: (a.textContent || '').trim(),
    })) : [],
    author: author ? {
      id: prop(author, 'identifier'), name: prop(author, 'name', 'givenName'),
      handle: prop(author, 'alternateName', 'additionalName'), url: prop(author, 'url'),
    } : null,
    // The badge beside the author's name; a quoted post's badge is its author's.
    verified: Array.from(article.querySelectorAll('[data-icon^="icon-verified"]')).some(own),
    // The post replied to (isPartOf) and the post quoted (isBasedOn), as X's page states them.
    partOf: prop(article, 'isPartOf'),
    basedOn: prop(article, 'isBasedOn'),
    stats, videos, images,
    shownVideos: Array.from(article.querySelectorAll('video')).filter(own).map(v => ({
      src: v.currentSrc || v.getAttribute('src')
        || (v.querySelector('source') || {getAttribute: () => null}).getAttribute('src'),
      poster: v.getAttribute('poster'),
    })),
    shownPhotos: Array.from(article.querySelectorAll('img[src*="/media/"]')).filter(own)
      .map(img => img.src),
    quoted: quoted ? {
      id: prop(quoted, 'identifier') || quoted.getAttribute('data-tweet-id'),
      url: prop(quoted, 'url') || (quotedLink ? quotedLink.href : null),
      handle: quotedAuthor ? prop(quotedAuthor, 'alternateName', 'additionalName') : null,
    } : null,
  };
}"""

# interactionStatistic names and types as X writes them, to the Counts field they fill.
STAT_FIELDS = {
    "likes": "likes", "likeaction": "likes",
    "retweets": "reposts", "reposts": "reposts", "shareaction": "reposts",
    "replies": "replies", "replyaction": "replies", "commentaction": "replies",
    "views": "views", "viewaction": "views", "watchaction": "views",
}


def focal_selector(post_id: str | None) -> str:
    """The requested post among the page's top-level posts (quoted posts are nested in theirs)."""
    if post_id:
        return f'{ARTICLE}[data-tweet-id="{post_id}"]:not({ARTICLE} {ARTICLE})'
    return f"{ARTICLE}:not({ARTICLE} {ARTICLE})"


def fill_from_microdata(post: Post, data: dict[str, Any], sources: dict[str, str],
                        notes: list[str]) -> None:
    md = f"microdata:{ARTICLE}"
    author = data["author"] or {}
    for field, key, prop in (("id", "id", "identifier"), ("display_name", "name", "name"),
                             ("handle", "handle", "alternateName"), ("url", "url", "url")):
        if author.get(key):
            setattr(post.author, field, author[key])
            sources[f"author.{field}"] = f"{md} author {prop}"
    if data["verified"]:
        post.author.verified = True
        sources["author.verified"] = f'dom:{ARTICLE} [data-icon^="icon-verified"]'
    if data["published"]:
        post.published_at = data["published"]
        sources["published_at"] = f"{md} datePublished"
    if data["text"]:
        post.text = data["text"].strip()
        sources["text"] = f"{md} articleBody"
    elif data["shownText"]:
        post.text = data["shownText"]
        sources["text"] = f"dom:{ARTICLE} [lang]"
    if data["lang"]:
        post.language = data["lang"]
        sources["language"] = f"dom:{ARTICLE} [lang]"
    read_stats(post, data["stats"], sources, md)
    read_media(post, data, sources, md)
    if any(v["src"] and not v["src"].startswith(("http://", "https://")) for v in data["shownVideos"]):
        notes.append("a video is streamed (blob:/HLS); its segments are in the WARC, not a single file")
    if data["partOf"]:
        post.reply_to = same_post(data["partOf"])
        sources["reply_to"] = f"{md} isPartOf"
    quoted = data["quoted"]
    if quoted:
        post.quoted = quoted["url"] or status_url(quoted["handle"], quoted["id"])
        sources["quoted"] = f"microdata:{ARTICLE} {ARTICLE} (the nested post)"
    elif data["basedOn"]:
        post.quoted = same_post(data["basedOn"])
        sources["quoted"] = f"{md} isBasedOn"


def read_stats(post: Post, stats: list[dict[str, Any]], sources: dict[str, str], md: str) -> None:
    for stat in stats:
        kind = (stat["name"] or "").lower() or (stat["type"] or "").rsplit("/", 1)[-1].lower()
        field = STAT_FIELDS.get(kind)
        number = parse_count(str(stat["count"])) if stat["count"] is not None else None
        if field and number is not None:
            setattr(post.counts, field, number)
            sources[f"counts.{field}"] = f"{md} interactionStatistic {stat['name'] or kind}"


def read_media(post: Post, data: dict[str, Any], sources: dict[str, str], md: str) -> None:
    seen: set[str] = set()

    def add(kind: str, url: str | None, note: str | None = None) -> None:
        # The microdata names a photo's file, the page shows it resized: one photo, listed once.
        if url and url.startswith(("http://", "https://")) and same_file(url) not in seen:
            seen.add(same_file(url))
            post.media.append(Media(kind=kind, url=url, note=note))

    for video in data["videos"] + data["shownVideos"]:
        add("video", video["src"])
        add("image", video["poster"], "video poster")
    for url in data["images"] + data["shownPhotos"]:
        add("image", url)
    if post.media:
        sources["media"] = f"{md} video, image; dom:video[poster], img"


def same_file(url: str) -> str:
    """A picture or file's address whatever size or format it asks for."""
    return SAME_FILE.sub("", url)


def same_post(url: str) -> str | None:
    """A post's address in the plugin's form (X's pages also write ``x.com/i/status/<id>``)."""
    found = ANY_STATUS.match(url)
    if not found:
        return url
    return status_url(None if found["handle"] == "i" else found["handle"], found["id"])


def status_url(handle: str | None, post_id: str | None) -> str | None:
    if not post_id:
        return None
    return f"{BASE}/{handle}/status/{post_id}" if handle else f"{BASE}/i/web/status/{post_id}"

