"""Instagram accounts as a profile or story page shows them: handle, name, bio, link, counts, avatar.

Logged out, the page names the account only in meta tags. A profile's og:title is
"Pluto (@pluto__travel) • Instagram photos and videos", a story's "Watch this story by Jaime
Lorente on Instagram before it disappears."; og:description starts "2,362 Followers, 136
Following, 224 Posts" (counts as displayed, "12M" rounded); the description tag adds the bio
("... - Pluto (@pluto__travel) on Instagram: "bio""); og:image is the avatar. A rendered
profile shows a header with the avatar, exact counts, the name, the bio and a link; what it
shows is preferred to the meta tags.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from archiver.models import Media, Post

from .counts import parse_count

if TYPE_CHECKING:
    from playwright.async_api import Page


WWW = "https://www.instagram.com"
PROFILE_TITLE = re.compile(r"^(?P<name>.*?)\s*\(@(?P<handle>[A-Za-z0-9._]+)\)\s*\u2022\s*Instagram")
STORY_TITLE = re.compile(r"^Watch this story by (?P<name>.+?) on Instagram before it disappears")
COUNT = re.compile(r"(?P<number>\d[\d.,]*\s*[KkMmBb]?)\s+(?P<what>Followers|Following|Posts)\b",
                   re.I)
BIO = re.compile(r"\) on Instagram:\s*[\"\u201c](?P<bio>.*)[\"\u201d]\s*$", re.S)
# The words a header or description puts after each count, by the Counts field they fill.
COUNT_FIELDS = {"followers": "followers", "following": "following", "posts": "posts"}

HEADER_JS = """() => {
  const header = document.querySelector('main header');
  const name = header && header.querySelector('h1');
  if (!name) return null;
  const box = name.parentElement;
  const avatar = header.querySelector('img[data-testid="user-avatar"], img[alt$="profile picture"]');
  const handle = header.querySelector('h2');
  // The exact number is in a title attribute when the displayed one is rounded ("8.3m").
  const counts = Array.from(header.querySelectorAll('ul li')).map(li => {
    const number = li.querySelector('span[title]');
    return [number ? number.getAttribute('title') : li.innerText, li.innerText];
  });
  const bio = Array.from(box.children).filter(e => e.tagName === 'SPAN')
    .map(e => e.innerText).join('\\n');
  return {name: name.innerText, handle: handle ? handle.innerText : null,
          avatar: avatar ? (avatar.currentSrc || avatar.src) : null, counts, bio,
          links: Array.from(box.querySelectorAll('a[rel~="me"]')).map(a => a.href)};
}"""


def handle_in_url(url: str) -> str | None:
    """The account a profile (/<handle>/) or story (/stories/<handle>/<id>/) URL names."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if segments[:1] == ["stories"]:
        segments = segments[1:]
    return segments[0] if segments and segments[0] != "highlights" else None


def fill_from_meta(post: Post, meta: dict[str, str], sources: dict[str, str]) -> None:
    """Name, handle, counts, bio and avatar from a logged-out profile or story page."""
    title = (meta.get("og:title") or "").strip()
    profile, story = PROFILE_TITLE.match(title), STORY_TITLE.match(title)
    if profile:
        post.author.display_name, post.author.handle = profile["name"], profile["handle"]
        sources["author.display_name"] = sources["author.handle"] = "meta:og:title"
    elif story:
        post.author.display_name, sources["author.display_name"] = story["name"], "meta:og:title"
    if title:
        post.title, sources["title"] = title, "meta:og:title"
    if not post.author.handle:
        for key in ("og:url", "al:ios:url"):
            handle = _handle_in_meta(meta.get(key) or "")
            if handle:
                post.author.handle, sources["author.handle"] = handle, f"meta:{key}"
                break
    description_key = "og:description" if meta.get("og:description") else "description"
    for found in COUNT.finditer(meta.get(description_key) or ""):
        field = COUNT_FIELDS[found["what"].lower()]
        setattr(post.counts, field, parse_count(found["number"]))
        sources[f"counts.{field}"] = f"meta:{description_key}"
    bio = BIO.search(meta.get("description") or "")
    if bio:
        post.author.bio, sources["author.bio"] = bio["bio"], "meta:description"
    if meta.get("og:image"):
        post.author.avatar_url, sources["author.avatar_url"] = meta["og:image"], "meta:og:image"
    if meta.get("og:url"):
        post.canonical_url, sources["canonical_url"] = meta["og:url"], "meta:og:url"


def _handle_in_meta(value: str) -> str | None:
    if value.startswith("instagram://user?"):
        names = parse_qs(urlsplit(value).query).get("username")
        return names[0] if names else None
    return handle_in_url(value) if value.startswith(WWW) else None


async def fill_from_header(page: Page, post: Post, sources: dict[str, str]) -> None:
    """What a rendered profile's header shows: it beats the meta tags' rounded counts."""
    header: dict[str, Any] | None = await page.evaluate(HEADER_JS)
    if not header:
        return
    if header["name"].strip():
        post.author.display_name = header["name"].strip()
        sources["author.display_name"] = "dom:header h1"
    if header["handle"] and header["handle"].strip():
        post.author.handle, sources["author.handle"] = header["handle"].strip(), "dom:header h2"
    for number, label in header["counts"]:
        words = label.lower().split()
        field = next((COUNT_FIELDS[w] for w in words if w in COUNT_FIELDS), None)
        if field and parse_count(number) is not None:
            setattr(post.counts, field, parse_count(number))
            sources[f"counts.{field}"] = "dom:header ul li"
    bio = "\n".join(line.strip() for line in header["bio"].splitlines()).strip()
    if bio:
        post.author.bio, sources["author.bio"] = bio, "dom:header span"
    links = [_unwrapped(link) for link in header["links"]]
    if links:
        post.author.links, sources["author.links"] = links, "dom:header a[rel=me]"
    if header["avatar"]:
        post.author.avatar_url, sources["author.avatar_url"] = header["avatar"], "dom:header img"


def _unwrapped(link: str) -> str:
    """The address behind Instagram's l.instagram.com redirect, which the page shows."""
    parts = urlsplit(link)
    if parts.hostname == "l.instagram.com":
        return (parse_qs(parts.query).get("u") or [link])[0]
    return link


def avatar_media(post: Post, sources: dict[str, str]) -> list[Media]:
    """The account's avatar as a media item, so its bytes are kept and hashed."""
    if not post.author.avatar_url:
        return []
    # A story's own files, when listed, are the page's media; the avatar comes after them.
    sources.setdefault("media", sources["author.avatar_url"])
    return [Media(kind="avatar", url=post.author.avatar_url)]
