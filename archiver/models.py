"""Plain data objects shared by the core and the plugins."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any


class Status(enum.StrEnum):
    """Outcome of one capture. Anything but COMPLETE means the evidence is not whole."""

    COMPLETE = "complete"
    PARTIAL = "partial"
    LOGIN_REQUIRED = "login_required"
    CHALLENGE = "challenge"
    NOT_FOUND = "not_found"
    BLOCKED = "blocked"
    FAILED = "failed"


@dataclass(frozen=True)
class PlatformMatch:
    """Answer of ``match_url``: which platform a URL belongs to and its canonical form."""

    platform: str
    canonical_url: str
    kind: str | None = None
    post_id: str | None = None
    # Further pages to load into the same bundle (e.g. a Telegram post's embed widget).
    extra_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Classification:
    """Answer of ``classify_page``: a status other than complete and why."""

    status: Status
    reason: str
    hint: str | None = None


@dataclass
class Author:
    """An account: who posted, or whose profile/channel/group the page is."""

    id: str | None = None
    handle: str | None = None
    display_name: str | None = None
    url: str | None = None
    bio: str | None = None
    # The avatar's address; its bytes, when captured, are the post's media item of kind "avatar".
    avatar_url: str | None = None
    links: list[str] = field(default_factory=list)
    verified: bool | None = None


@dataclass
class Media:
    kind: str  # image|video|gif|audio|file|sticker|avatar
    url: str
    sha256: str | None = None
    size: int | None = None
    pdq: str | None = None
    phash: str | None = None
    dhash: str | None = None
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    path: str | None = None
    note: str | None = None
    # Whether the bundle holds the item's bytes (``path``); if not, ``failure`` says why.
    captured: bool | None = None
    failure: str | None = None


@dataclass
class Counts:
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    views: int | None = None
    followers: int | None = None
    following: int | None = None
    members: int | None = None
    posts: int | None = None


@dataclass
class Origin:
    """Where a forwarded or quoted post came from: the name shown and the link, as far as the page tells."""

    name: str | None = None
    url: str | None = None
    handle: str | None = None


@dataclass
class Poll:
    question: str
    options: list[str] = field(default_factory=list)
    # Votes or percentages per option, when the page shows them, in the order of ``options``.
    results: list[str] = field(default_factory=list)
    total_votes: int | None = None


@dataclass
class FeedEntry:
    """One post a profile, channel or group page lists, as the listing shows it."""

    url: str | None = None
    post_id: str | None = None
    author: str | None = None
    published_at: str | None = None
    text: str | None = None


@dataclass
class Post:
    """The common post schema every platform plugin fills. Unknown fields stay None."""

    platform: str
    url: str
    canonical_url: str | None = None
    post_id: str | None = None
    kind: str | None = None  # post|profile|channel|group|invite|story|video|article|page
    author: Author = field(default_factory=Author)
    published_at: str | None = None
    title: str | None = None
    text: str | None = None
    language: str | None = None
    media: list[Media] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    reply_to: str | None = None
    quoted: str | None = None
    forwarded_from: Origin | None = None
    # The author line a channel shows under a post (Telegram's signature), apart from the channel.
    signature: str | None = None
    poll: Poll | None = None
    # Posts listed by a profile, channel or group page (the page's own post is the Post itself).
    feed: list[FeedEntry] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    # plugin, version, sources {field: "dom"|"json"|"meta"|...}, notes
    extraction: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Post:
        data = dict(data)
        data["author"] = Author(**(data.get("author") or {}))
        data["counts"] = Counts(**(data.get("counts") or {}))
        data["media"] = [Media(**m) for m in data.get("media") or []]
        data["forwarded_from"] = origin_of(data.get("forwarded_from"))
        data["poll"] = Poll(**data["poll"]) if data.get("poll") else None
        data["feed"] = [FeedEntry(**entry) for entry in data.get("feed") or []]
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def origin_of(value: Any) -> Origin | None:
    """An Origin from metadata, including bundles of releases that stored a bare URL or name."""
    if not value:
        return None
    if isinstance(value, dict):
        return Origin(**value)
    text = str(value)
    return Origin(url=text) if text.startswith(("http://", "https://")) else Origin(name=text)
