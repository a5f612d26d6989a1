"""Facebook video and reel pages as served since 2025, where no ``Video`` node holds the video.

Such a page splits the video over several Relay query results (each a
``{"__bbox": {"result": {"data": ...}}}`` payload):

* the media node (``attachments[].media`` under ``data.video.creation_story`` for a reel,
  under ``data.video.story`` for a Page's video): ``id``, ``preferred_thumbnail.image.uri``
  (the poster) and the file in
  ``videoDeliveryResponseFragment.videoDeliveryResponseResult.progressive_urls[].progressive_url``;
* the story: ``actors[0]``, ``creation_time`` and ``message.text`` beside
  ``attachments[].media.id``; a Page's video has its time in
  ``media.creation_story.comet_sections.metadata[].story.creation_time`` and its owner in
  ``owner.owner_as_page``;
* the counts: ``feedback.total_comment_count``, the reactions as ``unified_reactors.count``
  (reels) or ``reaction_count.count``, the shares as ``share_count_reduced`` ("1.9K", which
  Facebook rounds).

A video page also carries the videos it would play next, so a payload that names another
video is never read, wherever it names it (a ``Video`` node under ``node``, a
``playback_video`` holding its file). A payload that names no video at all is read only when
no payload names the requested one, and for a fact only when no other such payload has that
fact too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from archiver.models import Author, Media, Post

from . import facebook_account as account
from . import facebook_relay as relay
from .counts import parse_count

Node = relay.Node
# A finder returns, for one payload, the JSON path of the node that holds a fact and the fact.
Finder = Callable[[Node], tuple[str, Any] | None]
LAST_KEY = re.compile(r"(?:^|\.)([^.\[]+)(?:\[\d+\])*$")
VIDEO_KEYS = ("video", "media", "playback_video")


def payloads(scripts: list[str]) -> list[tuple[str, Node]]:
    """Every query result's ``data`` in the page, with its JSON path."""
    found = relay.nodes(scripts, lambda n: isinstance(n.get("__bbox"), dict)
                        and isinstance(n["__bbox"].get("result"), dict)
                        and isinstance(n["__bbox"]["result"].get("data"), dict))
    return [(f"{path}.__bbox.result.data", node["__bbox"]["result"]["data"])
            for path, node in found]


def names_a_video(path: str, node: Node) -> bool:
    """Whether a node with an id is a video: typed so, under a video's key, or holding a file."""
    key = LAST_KEY.search(path)
    return (node.get("__typename") == "Video" or bool(key and key.group(1) in VIDEO_KEYS)
            or "videoDeliveryResponseFragment" in node)


def videos_named(data: Node) -> dict[str, str]:
    """The ids of the videos a payload names anywhere, with their paths."""
    named: dict[str, str] = {}
    for path, node in relay.walk(data):
        if isinstance(node, dict) and isinstance(node.get("id"), str) \
                and names_a_video(path, node):
            named.setdefault(node["id"], f"{path}.id")
    return named


def _join(path: str, *keys: str) -> str:
    return ".".join(part for part in (path, *keys) if part)


def _first(data: Node, test: Callable[[Node], bool]) -> tuple[str, Node] | None:
    path, node = relay.first(data, test)
    return (path or "", node) if node is not None else None


def _named(key: str) -> Callable[[Node], bool]:
    return lambda n: isinstance(n.get(key), dict) and isinstance(n[key].get("name"), str)


def _delivery(data: Node) -> tuple[str, Any] | None:
    found = _first(data, lambda n: isinstance(n.get("videoDeliveryResponseFragment"), dict))
    if not found:
        return None
    result = found[1]["videoDeliveryResponseFragment"].get("videoDeliveryResponseResult") or {}
    files = [f for f in result.get("progressive_urls") or []
             if isinstance(f, dict) and isinstance(f.get("progressive_url"), str)]
    return (found[0], (found[1], files)) if files else None


def _time(data: Node) -> tuple[str, Any] | None:
    found = _first(data, lambda n: isinstance(n.get("creation_time"), int))
    return (_join(found[0], "creation_time"), found[1]["creation_time"]) if found else None


def _text(data: Node) -> tuple[str, Any] | None:
    found = _first(data, lambda n: isinstance(n.get("message"), dict)
                   and isinstance(n["message"].get("text"), str))
    return (_join(found[0], "message.text"), found[1]["message"]["text"]) if found else None


def _owner(data: Node) -> tuple[str, Any] | None:
    for key in ("owner_as_page", "video_owner"):
        found = _first(data, _named(key))
        if found:
            return _join(found[0], key), found[1][key]
    found = _first(data, lambda n: isinstance(n.get("actors"), list) and bool(n["actors"])
                   and isinstance(n["actors"][0], dict)
                   and isinstance(n["actors"][0].get("name"), str))
    return (_join(found[0], "actors[0]"), found[1]["actors"][0]) if found else None


def _count_at(*keys: str) -> Finder:
    def finder(data: Node) -> tuple[str, Any] | None:
        def holds(node: Node) -> bool:
            value: Any = node
            for key in keys:
                value = value.get(key) if isinstance(value, dict) else None
            return isinstance(value, int) and not isinstance(value, bool)
        found = _first(data, holds)
        if not found:
            return None
        value: Any = found[1]
        for key in keys:
            value = value[key]
        return _join(found[0], *keys), value
    return finder


def _shares(data: Node) -> tuple[str, Any] | None:
    found = _first(data, lambda n: isinstance(n.get("share_count_reduced"), str))
    if not found or parse_count(found[1]["share_count_reduced"]) is None:
        return None
    return _join(found[0], "share_count_reduced"), found[1]["share_count_reduced"]


FACTS: dict[str, tuple[Finder, ...]] = {
    "media": (_delivery,),
    "published_at": (_time,),
    "text": (_text,),
    "author": (_owner,),
    "counts.likes": (_count_at("unified_reactors", "count"), _count_at("reaction_count", "count")),
    "counts.replies": (_count_at("total_comment_count"),),
    "counts.reposts": (_count_at("share_count", "count"), _shares),
}


class VideoPage:
    """The payloads of one page, sorted by whether they are about the requested video."""

    def __init__(self, scripts: list[str], wanted: str | None) -> None:
        self.about: list[tuple[str, Node]] = []
        self.unnamed: list[tuple[str, Node]] = []
        self.id_source: str | None = None
        wanted_named = False
        for path, data in payloads(scripts):
            named = videos_named(data)
            wanted_named = wanted_named or (wanted in named)
            if not named:
                self.unnamed.append((path, data))
            elif wanted and set(named) == {wanted}:
                self.about.append((path, data))
                self.id_source = self.id_source or f"json:{path}.{named[wanted]}"
        if wanted_named:
            # Where the page names the requested video, a result naming none cannot be told
            # apart from another video's; only a page that never names it (a Page's video
            # of 2026 names no id) is read from them.
            self.unnamed = []

    def fact(self, name: str) -> tuple[str, Any] | None:
        """A fact, with its source: from a payload about the video, else the only unnamed one."""
        for finder in FACTS[name]:
            for path, data in self.about:
                found = finder(data)
                if found:
                    return f"json:{_join(path, found[0])}", found[1]
        for finder in FACTS[name]:
            hits = [(path, hit) for path, data in self.unnamed if (hit := finder(data))]
            if len(hits) == 1:
                return f"json:{_join(hits[0][0], hits[0][1][0])}", hits[0][1][1]
        return None


def media_of(node: Node, files: list[Node]) -> list[Media]:
    """The file (HD when the page labels one) and the poster the media node names."""
    best = next((f for f in files if (f.get("metadata") or {}).get("quality") == "HD"), files[0])
    duration = node.get("playable_duration_in_ms")
    items = [Media(kind="video", url=best["progressive_url"],
                   duration=duration / 1000 if isinstance(duration, int) else None)]
    poster = ((node.get("preferred_thumbnail") or {}).get("image") or {}).get("uri")
    if isinstance(poster, str) and poster:
        items.append(Media(kind="image", url=poster, note="poster"))
    return items


def read(scripts: list[str], wanted: str | None, post: Post, sources: dict[str, str],
         notes: list[str]) -> bool:
    """Fill what the post still lacks from the page's payloads; False if it names no video."""
    page = VideoPage(scripts, wanted)
    delivery = page.fact("media")
    if delivery is None:
        return False
    where, (node, files) = delivery
    post.media += media_of(node, files)
    sources["media"] = _join(where, "videoDeliveryResponseFragment.videoDeliveryResponseResult"
                                    ".progressive_urls")
    if page.id_source:
        sources["post_id"] = page.id_source
    else:
        notes.append("the page's only video names no id; it was read as the requested one")
    _fill_story(page, post, sources)
    _fill_counts(page, post, sources, notes)
    notes.append("read from the video page's Relay query results (file, story and counts "
                 "are apart)")
    return True


def _fill_story(page: VideoPage, post: Post, sources: dict[str, str]) -> None:
    owner = page.fact("author")
    if owner and not post.author.display_name:
        where, actor = owner
        url = actor.get("url") if isinstance(actor.get("url"), str) else None
        post.author = Author(id=actor.get("id"), display_name=actor["name"], url=url,
                             handle=account.handle_from_url(url) if url else None)
        for key in ("id", "display_name", "url", "handle"):
            if getattr(post.author, key):
                sources[f"author.{key}"] = where
    time = page.fact("published_at")
    if time and post.published_at is None:
        post.published_at, sources["published_at"] = relay.iso_from_unix(time[1]), time[0]
    text = page.fact("text")
    if text and post.text is None:
        post.text, sources["text"] = text[1], text[0]


def _fill_counts(page: VideoPage, post: Post, sources: dict[str, str], notes: list[str]) -> None:
    for name in ("counts.likes", "counts.replies", "counts.reposts"):
        field = name.removeprefix("counts.")
        found = page.fact(name)
        if found is None or getattr(post.counts, field) is not None:
            continue
        where, value = found
        if isinstance(value, str):
            notes.append(f"{field} shown as {value!r} (rounded by Facebook), stored as "
                         f"{parse_count(value)}")
            value = parse_count(value)
        setattr(post.counts, field, value)
        sources[name] = where
