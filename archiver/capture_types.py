"""What a capture is asked, what it answers, and what it runs with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy

from archiver.contexts import ContextPool, ContextSpec
from archiver.keys import Signer
from archiver.netguard import AddressGuard
from archiver.platforms import Platforms
from archiver.secrets import LoginMaterial
from archiver.settings import CaptureSettings
from archiver.storage.base import Store

if TYPE_CHECKING:
    from playwright.async_api import Browser

    from archiver.proxy import RecordingProxy


@dataclass(frozen=True)
class ClusterJob:
    """A capture run as one task of a batch on a cluster, recorded in its manifest (``job``): a
    rerun of the task (its worker died) finds the bundle an earlier attempt sealed by this id."""

    id: str
    cluster: str  # the scheduler's address
    plaintext_cluster_allowed: bool = False  # login material went to workers unencrypted

    def for_manifest(self) -> dict[str, Any]:
        return {"id": self.id, "cluster": self.cluster,
                "plaintext_cluster_allowed": self.plaintext_cluster_allowed}


@dataclass
class CaptureRequest:
    url: str
    case_id: str | None = None
    operator: str | None = None
    job: ClusterJob | None = None


@dataclass
class CaptureResult:
    url: str
    bundle_id: str | None
    status: str
    reason: str | None
    platform: str | None = None
    canonical_url: str | None = None
    location: str | None = None
    manifest_sha256: str | None = None
    post: dict[str, Any] | None = None
    hint: str | None = None
    timestamp: dict[str, Any] | None = None  # RFC 3161: the token's details, or {"error": ...}
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        post = self.post or {}
        author = post.get("author") or {}
        return {
            "bundle_id": self.bundle_id,
            "status": self.status,
            "reason": self.reason,
            "hint": self.hint,
            "platform": self.platform,
            "url": self.url,
            "canonical_url": self.canonical_url,
            "bundle": self.location,
            "manifest_sha256": self.manifest_sha256,
            "timestamp": self.timestamp,
            "post": {
                "author": author.get("handle") or author.get("display_name"),
                "published_at": post.get("published_at"),
                "text": (post.get("text") or "")[:200] or None,
                "media": len(post.get("media") or []),
            } if post else None,
        }


@dataclass
class Environment:
    """What one capture runs with."""

    pm: pluggy.PluginManager
    platforms: Platforms
    store: Store
    settings: CaptureSettings
    logins: dict[str, LoginMaterial]  # by platform; "*" for any platform
    guard: AddressGuard
    proxy: RecordingProxy
    browser: Browser
    browser_info: dict[str, Any]
    user_agent: str
    contexts: ContextPool
    signer: Signer | None = None

    def login_for(self, platform: str) -> LoginMaterial:
        return self.logins.get(platform) or self.logins["*"]

    def context_spec(self) -> ContextSpec:
        return ContextSpec(proxy_port=self.proxy.port, viewport_width=self.settings.viewport_width,
                           viewport_height=self.settings.viewport_height, user_agent=self.user_agent,
                           locale=self.settings.locale, timezone=self.settings.timezone)
