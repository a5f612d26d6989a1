"""Facebook groups as their page shows them: the group itself, apart from the posts it lists.

A group page's post is the group (kind "group"): its name, id, address, member count and
cover photo; the stories of its feed go to ``post.feed`` and never stand in for the group.
Comet pages hold the group as a Relay ``Group`` node (``name``, ``id``, ``url``,
``group_member_profiles.formatted_count_text`` such as "12K members", ``privacy_info.title``);
the mobile site writes the name as the main column's ``h1``, the cover as the header's
background image and the member count either into the header ("1.2K members") or, logged
out in 2020, only into ``<meta name="description">`` ("<name> has 1,631 members. <about>").
Pages that have them carry the name in ``og:title``, the description in ``og:description``,
the cover in ``og:image`` and the numeric id in ``al:android:url`` (``fb://group/<id>``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from archiver.models import Media, Post

from . import facebook_mobile as mobile
from . import facebook_relay as relay
from .counts import parse_count

if TYPE_CHECKING:
    from playwright.async_api import Page

MEMBERS = re.compile(r"(\d[\d.,\u00a0\u202f ]*[KkMm]?)\s+members\b")
FB_GROUP = re.compile(r"^fb://group/\??(?:id=)?(\d+)")
FACEBOOK_SUFFIX = " | Facebook"
PRIVACY = re.compile(r"\b(?:Public|Private|Secret) group\b")
CUT = ("...", "\u2026")

# The header of a mobile group page is the text before its first story, so that a story's own
# words ("... 30 members joined") are never read as the group's; scripts in the body are no
# text. Its name is the main column's h1: the page's first h1 is a hidden "Facebook"; its About
# is the header's [data-sigil="expose"] text, whole where the meta tags cut it.
HEADER_JS = """() => {
  const shown = """ + mobile.SHOWN_JS + """;
  const first = document.querySelector('#m_group_stories_container, article, [role="feed"]');
  const before = (e) => !first
    || Boolean(e.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING);
  const words = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n && before(n); n = walker.nextNode())
    if (!n.parentElement.closest('script, style, noscript')) words.push(n.data.trim());
  const name = Array.from(document.querySelectorAll('[role="main"] h1')).find(before);
  const cover = Array.from(document.querySelectorAll('[role="main"] i.img[style*="url("]'))
    .find(before);
  const url = cover ? (cover.style.backgroundImage.match(/url\\(["']?([^"')]+)/) || [])[1] : null;
  const about = Array.from(document.querySelectorAll('[role="main"] [data-sigil~="expose"]'))
    .find(before);
  return {text: words.filter(Boolean).join(' ').slice(0, 5000),
          name: name ? name.innerText.trim() : null,
          cover: url ? new URL(url, location.href).href : null,
          about: about ? shown(about) : null};
}"""


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


async def read_header(page: Page) -> dict[str, Any]:
    """The mobile header: its text up to the first story, the group's name and cover."""
    found: dict[str, Any] = await page.evaluate(HEADER_JS)
    return found


def fill_from_header(post: Post, header: dict[str, Any], sources: dict[str, str],
                     notes: list[str]) -> None:
    """What a rendered mobile header shows, when the page's data gave none."""
    author = post.author
    if header.get("name") and not author.display_name:
        author.display_name = header["name"]
        sources["author.display_name"] = 'dom:[role="main"] h1 before the first story'
    members = members_shown(header["text"])
    if members and post.counts.members is None:
        post.counts.members = members[1]
        sources["counts.members"] = "dom:text before the group's stories"
        notes.append(f"members shown as {members[0]!r}, stored as {members[1]}")
    privacy = PRIVACY.search(header["text"])
    if privacy and not any(n.startswith("the group says it is") for n in notes):
        notes.append(f"the group says it is: {privacy.group(0)}")
    if header.get("cover"):
        post.media.append(Media(kind="image", url=header["cover"], note="cover photo"))
        sources["media"] = 'dom:[role="main"] i.img background before the first story'


def about_after_members(post: Post, description: str, sources: dict[str, str],
                        notes: list[str]) -> str:
    """The count in "<name> has 1,631 members. <about>", and the about text after it."""
    members = members_shown(description)
    if not members:
        return description
    if post.counts.members is None:
        post.counts.members, sources["counts.members"] = members[1], "meta:description"
        notes.append(f"members shown as {members[0]!r}, stored as {members[1]}")
    lead = f"{post.author.display_name} has {members[0]}"
    return description.removeprefix(lead).lstrip(". ") if description.startswith(lead) \
        else description


def whole_about(description: str, about: str | None) -> str | None:
    """The header's About when the description is its beginning cut with "..."."""
    if not about or not description.endswith(CUT):
        return None
    words = " ".join(description.rstrip(".\u2026").split())
    return about if " ".join(about.split()).startswith(words) else None


def fill_from_meta(post: Post, meta: dict[str, str], sources: dict[str, str],
                   notes: list[str], about: str | None = None) -> None:
    """What the meta tags add to what the page's data said (they never override it).

    ``about`` is the About text the header shows; it stands in for a description the meta
    tags cut.
    """
    author = post.author
    title = (meta.get("og:title") or "").strip().removesuffix(FACEBOOK_SUFFIX)
    if title and not author.display_name:
        author.display_name, sources["author.display_name"] = title, "meta:og:title"
    key = "og:description" if meta.get("og:description") else "description"
    description = (meta.get(key) or "").strip()
    if key == "description":
        description = about_after_members(post, description, sources, notes)
    whole = whole_about(description, about)
    source = f"meta:{key}"
    if whole:
        description = whole
        source = f'dom:[data-sigil~="expose"] before the first story (meta:{key} is cut)'
    if description:
        author.bio, sources["author.bio"] = description, source
        post.text, sources["text"] = description, source
    app = FB_GROUP.match(meta.get("al:android:url") or meta.get("al:ios:url") or "")
    if app and not author.id:
        author.id, sources["author.id"] = app.group(1), "meta:al:android:url"
    if meta.get("og:url") and not author.url:
        author.url, sources["author.url"] = meta["og:url"], "meta:og:url"
    if meta.get("og:image") and not post.media:
        post.media.append(Media(kind="image", url=meta["og:image"], note="cover photo"))
        sources["media"] = "meta:og:image"
