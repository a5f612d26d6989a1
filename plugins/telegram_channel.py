"""A Telegram channel or group as t.me shows it: the ``t.me/s/<channel>`` preview (header,
counters, the posts it lists) or the ``t.me/<name>`` contact page."""

from __future__ import annotations

import re
from typing import Any

from archiver.models import FeedEntry, Media, Post

from .counts import parse_count

BASE = "https://t.me"

CHANNEL_JS = """() => {
  const first = (sel) => document.querySelector(sel);
  const text = (sel) => {
    const el = first(sel);
    return el ? (el.innerText || el.textContent).trim() || null : null;
  };
  const header = !!first('.tgme_channel_info');
  const counters = Array.from(document.querySelectorAll('.tgme_channel_info_counter')).map(c => ({
    value: (c.querySelector('.counter_value') || {}).textContent || '',
    type: (c.querySelector('.counter_type') || {}).textContent || '',
  }));
  const resolve = first('a[href^="tg://resolve?domain="]');
  const description = first(header ? '.tgme_channel_info_description' : '.tgme_page_description');
  const avatar = first(header ? '.tgme_channel_info_header .tgme_page_photo_image img'
                              : 'img.tgme_page_photo_image, .tgme_page_photo_image img');
  return {
    header,
    title: text('.tgme_channel_info_header_title') || text('.tgme_page_title'),
    username: text('.tgme_channel_info_header_username'),
    resolve: resolve ? resolve.getAttribute('href') : null,
    description: description ? description.innerText.trim() || null : null,
    links: description ? Array.from(description.querySelectorAll('a[href]')).map(a => a.href) : [],
    avatar: avatar && avatar.src && !avatar.src.startsWith('data:') ? avatar.src : null,
    verified: !!first('.tgme_channel_info_header_labels .verified-icon, .tgme_page_title .verified-icon'),
    counters,
    extra: text('.tgme_page_extra'),
  };
}"""

# What t.me calls its counters, and the Counts field each fills; the others (photos, videos,
# files, links) have no field and are kept in the extraction record's "counters".
COUNTER_FIELDS = {"subscribers": "followers", "subscriber": "followers", "members": "members",
                  "member": "members"}
PLAIN_URL = re.compile(r"https?://[^\s<>\"]+")


def fill_from_channel(post: Post, data: dict[str, Any], sources: dict[str, str],
                      notes: list[str]) -> None:
    # t.me/s/<channel> has a channel_info header; the t.me/<channel> contact page a tgme_page.
    title, description, avatar = (
        (".tgme_channel_info_header_title", ".tgme_channel_info_description",
         ".tgme_channel_info_header .tgme_page_photo_image img")
        if data["header"] else (".tgme_page_title", ".tgme_page_description", "img.tgme_page_photo_image"))
    author = post.author
    if data["title"]:
        post.title = author.display_name = data["title"]
        sources["title"] = sources["author.display_name"] = f"dom:{title}"
    if data["username"] and data["username"].startswith("@"):
        author.handle = data["username"][1:]
        sources["author.handle"] = "dom:.tgme_channel_info_header_username"
    elif data["resolve"]:
        author.handle = data["resolve"].split("domain=", 1)[1].split("&")[0] or None
        sources["author.handle"] = 'dom:a[href^="tg://resolve?domain="]'
    if author.handle:
        author.url = f"{BASE}/{author.handle}"
    if data["description"]:
        post.text = author.bio = data["description"]
        sources["text"] = sources["author.bio"] = f"dom:{description}"
        author.links = list(dict.fromkeys([*data["links"], *PLAIN_URL.findall(data["description"])]))
        if author.links:
            sources["author.links"] = f"dom:{description}"
    if data["avatar"]:
        author.avatar_url = data["avatar"]
        post.media.append(Media(kind="avatar", url=data["avatar"]))
        sources["author.avatar_url"] = sources["media.avatar"] = f"dom:{avatar}[src]"
    if data["verified"]:
        author.verified = True
        sources["author.verified"] = "dom:.verified-icon"
    read_counters(post, data, sources, notes)


def read_counters(post: Post, data: dict[str, Any], sources: dict[str, str],
                  notes: list[str]) -> None:
    source = "dom:.tgme_channel_info_counter" if data["header"] else "dom:.tgme_page_extra"
    counters = [(c["value"].strip(), c["type"].strip().lower()) for c in data["counters"]]
    if data["extra"]:
        counters += split_counters(data["extra"])
    shown: dict[str, int] = {}
    for value, kind in counters:
        number = parse_count(value)
        if number is None:
            continue
        shown[kind] = number
        if not re.sub(r"[\s\u00a0]", "", value).isdigit():
            notes.append(f"{kind} shown rounded as {value!r}; stored as {number}")
        if field := COUNTER_FIELDS.get(kind):
            setattr(post.counts, field, number)
            sources[f"counts.{field}"] = source
    if shown:
        post.extraction["counters"] = shown
        sources["counters"] = source


def split_counters(text: str) -> list[tuple[str, str]]:
    """'2 805 members, 97 online' -> [('2 805', 'members'), ('97', 'online')]."""
    found = (re.fullmatch(r"\s*(.*?\d.*?)\s+(\w+)\s*", part) for part in text.split(","))
    return [(m.group(1), m.group(2).lower()) for m in found if m]


def feed_of(messages: list[dict[str, Any]]) -> list[FeedEntry]:
    """The posts a t.me/s/<channel> page lists, as it lists them."""
    return [FeedEntry(url=m["url"], post_id=m["post"], author=m["owner"],
                      published_at=m["time"], text=m["text"]) for m in messages]
