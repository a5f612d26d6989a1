"""X profile pages: the account's name, handle, id, bio, links, avatar and counts.

A rendered profile carries the account twice: the header the reader sees and a schema.org
``ProfilePage`` (JSON-LD) with exact counts. Displayed values are preferred for what is read
(name, bio), the JSON-LD for what the header rounds ("23.9K posts" is 23961 there).
The og-only page X serves to non-JS clients has just og:title, og:description and og:image.
"""

from __future__ import annotations

import re
from typing import Any

from archiver.models import Media, Post

from .counts import parse_count

HEADER = '[data-testid="UserName"]'
BIO = '[data-testid="UserDescription"]'
PROFILE_SCHEMA = 'script[type="application/ld+json"]'
OG_TITLE = re.compile(r"^(?P<name>.*) \(@(?P<handle>[A-Za-z0-9_]{1,15})\)(?: on X| / X)$")
URL_IN_TEXT = re.compile(r"https?://\S+")

PROFILE_JS = """() => {
  // The text a reader sees: hidden spans (the "http://" X puts before a shortened link) left
  // out, and the indentation of a saved, pretty-printed DOM dropped with the blank text
  // nodes between elements; line breaks the account wrote are kept.
  const visibleText = (el) => {
    let out = '';
    const walk = (node) => {
      if (node.nodeType === Node.TEXT_NODE) {
        const text = node.nodeValue;
        if (!(text.trim() === '' && text.includes('\\n'))) out += text;
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE || node.getAttribute('aria-hidden') === 'true') return;
      if (node.tagName === 'IMG') { out += node.getAttribute('alt') || ''; return; }
      if (node.tagName === 'BR') { out += '\\n'; return; }
      for (const child of node.childNodes) walk(child);
    };
    walk(el);
    return out;
  };
  // A link's full address: X shows "microlink.io" and hides the "http://" before it.
  const fullLink = (a) => {
    const text = (a.textContent || '').trim();
    return /^https?:\\/\\//.test(text) ? text : a.href;
  };
  let schema = null;
  for (const script of document.querySelectorAll('script[type="application/ld+json"]')) {
    try {
      const data = JSON.parse(script.textContent || '');
      if (data && data['@type'] === 'ProfilePage' && data.mainEntity) { schema = data; break; }
    } catch (e) { /* another page's JSON-LD shape: not the profile */ }
  }
  const header = document.querySelector('[data-testid="UserName"]');
  // visibleText keeps an emoji X draws as an <img alt> inside the name ("Javi López ⛩️").
  const spans = header ? Array.from(header.querySelectorAll('span'))
    .map(s => visibleText(s).trim()) : [];
  const handle = spans.find(t => /^@[A-Za-z0-9_]{1,15}$/.test(t));
  const bio = document.querySelector('[data-testid="UserDescription"]');
  const bioLinks = bio ? Array.from(bio.querySelectorAll('a[href^="http"]')).map(fullLink) : [];
  const userUrl = document.querySelector('a[data-testid="UserUrl"]');
  const label = (selector) => {
    const el = document.querySelector(selector);
    return el ? (el.textContent || '').replace(/\\s+/g, ' ').trim() : null;
  };
  const column = document.querySelector('[data-testid="primaryColumn"]') || document.body;
  const postsLine = Array.from(column.querySelectorAll('h2 ~ div'))
    .map(d => (d.textContent || '').trim()).find(t => /\\bposts?$/i.test(t));
  const avatar = document.querySelector(
    '[data-testid^="UserAvatar-Container-"] a[href$="/photo"] img, a[href$="/photo"] img');
  const follow = document.querySelector('[data-testid$="-follow"], [data-testid$="-unfollow"]');
  return {
    schema,
    displayName: header ? (spans.find(t => t && !t.startsWith('@')) || null) : null,
    handle: handle ? handle.slice(1) : null,
    verified: header ? !!header.querySelector('[data-testid="icon-verified"]') : null,
    bio: bio ? visibleText(bio) : null,
    links: bioLinks.concat(userUrl ? [fullLink(userUrl)] : []),
    followers: label('a[href$="/verified_followers"]') || label('a[href$="/followers"]'),
    following: label('a[href$="/following"]'),
    posts: postsLine || null,
    avatar: avatar ? avatar.src : null,
    followId: follow ? follow.getAttribute('data-testid').split('-')[0] : null,
  };
}"""


def clean_bio(text: str | None) -> str | None:
    """A bio as the reader sees it: each line trimmed, runs of spaces single, no blank ends."""
    if not text:
        return None
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    return "\n".join(lines).strip() or None


def fill_profile(post: Post, data: dict[str, Any], sources: dict[str, str]) -> None:
    """Fill the account and its counts from what PROFILE_JS read of a rendered profile."""
    schema = data["schema"] or {}
    person: dict[str, Any] = schema.get("mainEntity") or {}
    author = post.author
    ld = f"json-ld:{PROFILE_SCHEMA} ProfilePage"
    pick(author, "display_name", data["displayName"], f"dom:{HEADER}",
         person.get("name"), f"{ld} name", sources)
    pick(author, "handle", data["handle"], f"dom:{HEADER} span(@handle)",
         person.get("additionalName"), f"{ld} additionalName", sources)
    pick(author, "id", person.get("identifier"), f"{ld} identifier",
         data["followId"], 'dom:[data-testid$="-follow"]', sources)
    pick(author, "bio", clean_bio(data["bio"]), f"dom:{BIO}",
         clean_bio(person.get("description")), f"{ld} description", sources)
    if data["verified"]:
        author.verified = True
        sources["author.verified"] = f'dom:{HEADER} [data-testid="icon-verified"]'
    author.links = profile_links(data["links"], schema.get("relatedLink") or [])
    if author.links:
        sources["author.links"] = f"dom:{BIO} a, a[data-testid=UserUrl]; {ld} relatedLink"
    image = person.get("image") or {}
    avatar = data["avatar"] or image.get("contentUrl")
    if avatar:
        set_avatar(post, avatar, "dom:a[href$=/photo] img" if data["avatar"] else f"{ld} image",
                   sources)
    post.title = author.display_name
    if post.title:
        sources["title"] = sources["author.display_name"]
    stats = {s.get("name"): s.get("userInteractionCount")
             for s in person.get("interactionStatistic") or [] if isinstance(s, dict)}
    for field, name, shown, where in (
            ("followers", "Follows", data["followers"], "dom:a[href$=/followers]"),
            ("following", "Friends", data["following"], "dom:a[href$=/following]"),
            ("posts", "Tweets", data["posts"], "dom:primaryColumn h2 ~ div (N posts)")):
        exact = stats.get(name)
        if isinstance(exact, int):
            setattr(post.counts, field, exact)
            sources[f"counts.{field}"] = f"{ld} interactionStatistic {name}"
        elif (number := parse_count(shown)) is not None:
            setattr(post.counts, field, number)
            sources[f"counts.{field}"] = where


def fill_profile_from_meta(post: Post, meta: dict[str, str], sources: dict[str, str]) -> None:
    """The og-only profile page: name and handle from og:title, bio from og:description."""
    title = (meta.get("og:title") or "").strip()
    if found := OG_TITLE.match(title):
        post.author.display_name, post.author.handle = found["name"], found["handle"]
        sources["author.display_name"] = sources["author.handle"] = "meta:og:title"
        post.title = found["name"]
        sources["title"] = "meta:og:title"
    if bio := clean_bio(meta.get("og:description")):
        post.author.bio = bio
        sources["author.bio"] = "meta:og:description"
        post.author.links = URL_IN_TEXT.findall(bio)
        if post.author.links:
            sources["author.links"] = "meta:og:description"
    image = meta.get("og:image") or ""
    if "/profile_images/" in image:
        set_avatar(post, image, "meta:og:image", sources)


def set_avatar(post: Post, url: str, source: str, sources: dict[str, str]) -> None:
    post.author.avatar_url = url
    post.media.append(Media(kind="avatar", url=url))
    sources["author.avatar_url"] = sources["media"] = source


def pick(target: Any, field: str, shown: Any, shown_source: str, other: Any, other_source: str,
         sources: dict[str, str]) -> None:
    """Set ``field`` from the first of two readings the page gives, recording which."""
    for value, source in ((shown, shown_source), (other, other_source)):
        if value:
            setattr(target, field, value)
            sources[f"author.{field}"] = source
            return


def profile_links(shown: list[str], related: list[str]) -> list[str]:
    """The bio's links and the profile's website; the website's real address when JSON-LD has it."""
    # JSON-LD lists the website twice: as X's t.co redirect and as the address it leads to.
    direct = [link for link in related if isinstance(link, str) and "//t.co/" not in link]
    links: list[str] = []
    for link in shown + direct:
        if "//t.co/" in link and direct:
            continue
        if link not in links:
            links.append(link)
    return links
