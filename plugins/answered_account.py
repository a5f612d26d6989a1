"""An account as a platform's API answer states it, merged into the account the page shows.

The page's own reading comes first: the answer fills what the page left empty, and its exact
counts replace those the page only rounds. When the page shows a handle and the answer's
account has another, the answer is about someone else and nothing of its account is taken:
an id or an avatar next to another account's handle would mix two people in the evidence.
Where the page and the answer disagree on a name or a bio, the page's is kept and a note names
both, so that the two are never silently reconciled.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from archiver.models import Author, Counts, Post

URL_IN_TEXT = re.compile(r"https?://\S+")


@dataclass
class Account:
    handle: str | None = None
    name: str | None = None
    id: str | None = None
    verified: bool | None = None
    bio: str | None = None
    links: list[str] = field(default_factory=list)
    avatar: str | None = None
    followers: int | None = None
    following: int | None = None
    posts: int | None = None


@dataclass(frozen=True)
class Answer:
    """Where a fact came from: the platform, named in notes, and the source label of the answer."""

    platform: str
    source: str

    def differs(self, what: str, shown: str, stated: str) -> str:
        return (f"the page's {what} {shown!r} differs from {self.platform}'s {self.source} answer "
                f"{stated!r}; the page's is kept")


def never(source: str) -> bool:
    """No count the page shows is taken as exact: the answer's always replaces it."""
    return False


def merge_author(post: Post, account: Account, answer: Answer, sources: dict[str, str],
                 notes: list[str]) -> bool:
    """The account's handle, name, id and badge where the page showed none.

    False, with a note, when the page shows another account's handle: nothing is taken then.
    """
    author = post.author
    if author.handle and account.handle and author.handle.casefold() != account.handle.casefold():
        notes.append(answer.differs("author", author.handle, account.handle)
                     + " and nothing of the answer's account is taken")
        return False
    for name, value in (("handle", account.handle), ("display_name", account.name)):
        fill_text(author, name, value, answer, sources, notes)
    for name, fact in (("id", account.id), ("verified", account.verified)):
        fill(author, name, fact, answer.source, sources, key=f"author.{name}")
    return True


def merge_account(post: Post, account: Account, answer: Answer, sources: dict[str, str],
                  notes: list[str], shown_exactly: Callable[[str], bool] = never) -> bool:
    """``merge_author``, then the bio, links, avatar and counts (see ``fill_counts``)."""
    if not merge_author(post, account, answer, sources, notes):
        return False
    author = post.author
    fill_text(author, "bio", account.bio, answer, sources, notes)
    if account.links and not author.links:
        author.links, sources["author.links"] = account.links, answer.source
    fill(author, "avatar_url", account.avatar, answer.source, sources, key="author.avatar_url")
    fill_counts(post.counts, {"followers": account.followers, "following": account.following,
                              "posts": account.posts}, answer.source, sources, shown_exactly)
    return True


def fill_counts(counts: Counts, stated: Mapping[str, int | None], source: str,
                sources: dict[str, str], shown_exactly: Callable[[str], bool] = never) -> None:
    """The answer's exact counts. They replace the page's, unless ``shown_exactly`` says that
    the source the page's count was read from shows it exactly."""
    for name, value in stated.items():
        key = f"counts.{name}"
        if value is not None and (getattr(counts, name) is None or not shown_exactly(sources.get(key, ""))):
            setattr(counts, name, value)
            sources[key] = source


def fill_text(author: Author, name: str, value: str | None, answer: Answer,
              sources: dict[str, str], notes: list[str]) -> None:
    shown = getattr(author, name)
    if shown and value and not same_text(shown, value):
        notes.append(answer.differs(f"author {name}", shown, value))
    fill(author, name, value, answer.source, sources, key=f"author.{name}")


def fill(target: object, name: str, value: object, source: str, sources: dict[str, str],
         key: str | None = None) -> None:
    """Set ``name`` from the answer when the page left it empty."""
    if value not in (None, "") and getattr(target, name) in (None, ""):
        setattr(target, name, value)
        sources[key or name] = source


def same_text(shown: str, stated: str) -> bool:
    """Whether two texts say the same: links left out (a page shows them shortened), spacing
    and case ignored."""
    return words(shown) == words(stated)


def words(text: str) -> str:
    return " ".join(URL_IN_TEXT.sub(" ", html.unescape(text)).split()).casefold()
