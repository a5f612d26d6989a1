"""Accounts as a store knows them: every bundle of one (platform, handle) taken together.

A bundle shows one account: the author of its post, or whose profile, channel or group page it
is (``post.author``). Bundles are grouped by platform and handle (case-insensitive, as the
platforms treat handles); a bundle whose author has no handle is left out, since nothing else
ties it to an account reliably. What an account is known by is gathered from all its bundles:
every display name, bio and link it showed (a mirror may change them between captures), its
avatars, and the media of its posts, each with the signals computed from the stored bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from archiver.bundle import MANIFEST
from archiver.bundle_signals import ArtifactSignals, BundleSignals, bundle_signals, read_manifest
from archiver.errors import ArchiverError
from archiver.manifest import ManifestError
from archiver.platforms import Platforms
from archiver.storage.base import Store

AVATAR = "avatar"
# The post-element screenshot is the platform's layout around the post: two posts of one
# platform look alike in it whoever wrote them, so it is no evidence of a shared source.
NOT_MEDIA = (AVATAR, "post-screenshot")


class AccountNotFound(ArchiverError):
    """The account asked for has no bundle in the store (bad input: exit 2)."""


@dataclass(frozen=True)
class AccountItem:
    """One stored image or video of an account, where it is, and its signals."""

    bundle_id: str
    captured_at: str
    capture_url: str
    signals: ArtifactSignals

    @property
    def sha256(self) -> str:
        return self.signals.digests["sha256"]


@dataclass
class KnownAccount:
    platform: str
    handle: str
    display_names: list[str] = field(default_factory=list)
    bios: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)  # the account's own address, as the pages gave it
    bundles: list[BundleSignals] = field(default_factory=list)
    avatars: list[AccountItem] = field(default_factory=list)
    # Distinct by SHA-256: the same file captured twice (on a post page and on its channel's
    # page) is one item, so no share is inflated by re-captures.
    media: list[AccountItem] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return self.platform, self.handle.casefold()

    @property
    def label(self) -> str:
        return f"{self.platform}/{self.handle}"

    def add(self, found: BundleSignals) -> None:
        self.bundles.append(found)
        account, profile = found.account, found.profile
        self.handle = account.handle if account and account.handle else self.handle  # as last shown
        add_new(self.display_names, account.display_name if account else None)
        add_new(self.bios, profile.get("bio"))
        for link in profile.get("links") or ():
            add_new(self.links, link)
        add_new(self.urls, profile.get("url"))
        known = {item.sha256 for item in (*self.avatars, *self.media)}
        for signals in found.artifacts:
            item = AccountItem(found.bundle_id, found.captured_at, found.url, signals)
            if item.sha256 in known or signals.kind == "post-screenshot":
                continue
            known.add(item.sha256)
            (self.avatars if signals.kind == AVATAR else self.media).append(item)


def add_new(values: list[str], value: str | None) -> None:
    if value and value.strip() and value not in values:
        values.append(value)


def store_signals(store: Store) -> Iterator[BundleSignals]:
    """The signals of every bundle with a readable manifest, oldest first."""
    for bundle_id in store.bundle_ids():
        reader = store.reader(bundle_id)
        if MANIFEST not in reader.list_files():
            continue  # interrupted: nothing sealed to match
        try:
            manifest = read_manifest(reader)
        except ManifestError:
            continue  # verify reports it; an unreadable manifest names no account
        yield bundle_signals(reader, manifest)


def known_accounts(bundles: Iterator[BundleSignals] | list[BundleSignals]) -> list[KnownAccount]:
    """The accounts the bundles show, in the order each was first captured."""
    accounts: dict[tuple[str, str], KnownAccount] = {}
    for found in bundles:
        if found.account is None or not found.account.handle:
            continue
        platform = found.account.platform or found.platform or "generic"
        key = (platform, found.account.handle.casefold())
        accounts.setdefault(key, KnownAccount(platform, found.account.handle)).add(found)
    return list(accounts.values())


def account_of_url(accounts: list[KnownAccount], url: str, platforms: Platforms) -> KnownAccount:
    """The account at ``url``: of the platform that claims it, with the same canonical address,
    or whose handle is one of the URL's path segments (``t.me/s/NAME`` and ``t.me/NAME``)."""
    claim = platforms.claim(url).match
    wanted = claim.canonical_url.casefold()
    segments = {part.casefold() for part in urlsplit(claim.canonical_url).path.split("/") if part}
    for account in accounts:
        if account.platform != claim.platform:
            continue
        addresses = {canonical(platforms, address) for address in account.urls}
        if wanted in addresses or account.handle.casefold() in segments:
            return account
    raise AccountNotFound(f"no bundle of the {claim.platform} account at {url} in the store: "
                          "capture its profile or posts first")


def account_of_bundle(accounts: list[KnownAccount], bundle_id: str) -> KnownAccount:
    for account in accounts:
        if any(found.bundle_id == bundle_id for found in account.bundles):
            return account
    raise AccountNotFound(f"bundle {bundle_id} names no account handle (or is not in the store)")


def canonical(platforms: Platforms, url: str) -> str:
    try:
        return platforms.claim(url).match.canonical_url.casefold()
    except ArchiverError:
        return url.casefold()
