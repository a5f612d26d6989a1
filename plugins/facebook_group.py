"""Facebook groups as their page shows them: the group itself, apart from the posts it lists.

A group page's post is the group (kind "group"): its name, id, address, member count and
cover photo; the stories of its feed go to ``post.feed`` and never stand in for the group.
Comet pages hold the group as a Relay ``Group`` node (``name``, ``id``, ``url``,
``group_member_profiles.formatted_count_text`` such as "12K members", ``privacy_info.title``);
the mobile site writes the member count into the header ("1.2K members"); both carry the
name in ``og:title``, the description in ``og:description``, the cover in ``og:image`` and
the numeric id in ``al:android:url`` (``fb://group/<id>``).
"""

from __future__ import annotations

import re

from archiver.models import Media, Post

from . import facebook_relay as relay
from .counts import parse_count

MEMBERS = re.compile(r"(\d[\d.,\u00a0\u202f ]*[KkMm]?)\s+members\b")
FB_GROUP = re.compile(r"^fb://group/\??(?:id=)?(\d+)")
FACEBOOK_SUFFIX = " | Facebook"


def group_node(scripts: list[str], wanted: str | None) -> tuple[str, relay.Node] | None:
    """The group's node: the one the URL names, else the one with a member count, else the first."""
    found = list(relay.nodes(scripts, lambda n: n.get("__typename") == "Group"
                             and isinstance(n.get("name"), str)))
    found.sort(key=lambda pair: (pair[1].get("id") != wanted,
                                 "group_member_profiles" not in pair[1]))
    return found[0] if found else None


def members_shown(text: str) -> tuple[str, int] | None:
    """("1.2K members", 1200) from the text that shows a member count."""
    found = MEMBERS.search(text)
    number = parse_count(found.group(1)) if found else None
    return (found.group(0), number) if found and number is not None else None


def fill_from_node(post: Post, where: str, node: relay.Node, sources: dict[str, str],
                   notes: list[str]) -> None:
    author = post.author
    author.display_name, author.id, author.url = node["name"], node.get("id"), node.get("url")
    for key, name in (("display_name", "name"), ("id", "id"), ("url", "url")):
        if getattr(author, key) is not None:
            sources[f"author.{key}"] = f"{where}.{name}"
    shown = relay.text_of((node.get("group_member_profiles") or {}).get("formatted_count_text"))
    members = members_shown(shown) if shown else None
    if members:
        post.counts.members = members[1]
        sources["counts.members"] = f"{where}.group_member_profiles.formatted_count_text"
        notes.append(f"members shown as {members[0]!r}, stored as {members[1]}")
    privacy = relay.text_of((node.get("privacy_info") or {}).get("title"))
    if privacy:
        notes.append(f"the group says it is: {privacy}")


def fill_from_text(post: Post, header: str, source: str, sources: dict[str, str],
                   notes: list[str]) -> None:
    """The member count a rendered header shows, when the page's data gave none."""
    members = members_shown(header)
    if members and post.counts.members is None:
        post.counts.members, sources["counts.members"] = members[1], source
        notes.append(f"members shown as {members[0]!r}, stored as {members[1]}")


def fill_from_meta(post: Post, meta: dict[str, str], sources: dict[str, str]) -> None:
    """What the meta tags add to what the page's data said (they never override it)."""
    author = post.author
    title = (meta.get("og:title") or "").strip().removesuffix(FACEBOOK_SUFFIX)
    if title and not author.display_name:
        author.display_name, sources["author.display_name"] = title, "meta:og:title"
    description = (meta.get("og:description") or "").strip()
    if description:
        author.bio, sources["author.bio"] = description, "meta:og:description"
        post.text, sources["text"] = description, "meta:og:description"
    app = FB_GROUP.match(meta.get("al:android:url") or meta.get("al:ios:url") or "")
    if app and not author.id:
        author.id, sources["author.id"] = app.group(1), "meta:al:android:url"
    if meta.get("og:url") and not author.url:
        author.url, sources["author.url"] = meta["og:url"], "meta:og:url"
    if meta.get("og:image"):
        post.media.append(Media(kind="image", url=meta["og:image"], note="cover photo"))
        sources["media"] = "meta:og:image"
