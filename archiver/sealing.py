"""Sealing a browsed capture: build the manifest, sign it, timestamp it, commit the bundle.

Each step is its own function so the order that crash safety depends on reads top to
bottom in :func:`seal`: the manifest is complete before it is signed, the signature
and its custody events exist before a TSA is asked, and the store sees the bundle last.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from archiver import bundle as names
from archiver.bundle import BundleWriter
from archiver.capture import Capture
from archiver.capture_types import CaptureRequest, CaptureResult, Environment
from archiver.clock import utc_time
from archiver.custody import append_event
from archiver.faults import reach
from archiver.manifest import SCHEMA, SCHEMA_VERSION, Manifest, artifact_uri, capture_record_uri
from archiver.manifest_parts import Artifact
from archiver.media import collect_media
from archiver.models import Post, Status
from archiver.outcome import Outcome
from archiver.secrets import LoginMaterial, scrub
from archiver.signing import sign_manifest
from archiver.toolinfo import plugin_versions, tool_info
from archiver.warc import WarcFile


@dataclass
class Browsed:
    """A capture the browser is done with, waiting to be hashed and sealed."""

    request: CaptureRequest
    env: Environment
    capture: Capture
    outcome: Outcome
    login: LoginMaterial
    folder: Path
    writer: BundleWriter
    warc: WarcFile
    started_at: str
    post: Post | None


@dataclass(frozen=True)
class Verdict:
    status: Status
    reason: str | None
    hint: str | None


async def seal(browsed: Browsed) -> CaptureResult:
    """Hash what is left, write and sign the manifest, and commit the bundle to its store."""
    reach("seal")  # the page is recorded (WARC, screenshots); nothing is sealed yet
    await asyncio.gather(*browsed.capture.background)
    await record_post(browsed)
    verdict = judge(browsed)
    manifest = close_warc(browsed, build_manifest(browsed, verdict))
    manifest_sha = browsed.writer.write_manifest(manifest.to_dict())
    timestamp: dict[str, Any] | None = None  # the TSA's answer, or {"error": why there is none}
    if browsed.env.signer is not None:
        sign(browsed, manifest, manifest_sha)
        timestamp = await request_timestamp(browsed)
    location = commit(browsed)
    capture = browsed.capture
    return CaptureResult(
        url=capture.url, bundle_id=capture.bundle_id, status=manifest.status, reason=manifest.reason,
        platform=capture.platform, canonical_url=capture.match.canonical_url, location=location,
        manifest_sha256=manifest_sha, post=manifest.post, hint=manifest.hint, timestamp=timestamp,
    )


async def record_post(browsed: Browsed) -> None:
    """The post's media and metadata, into the bundle and the WARC."""
    post = browsed.post
    if post is None:
        return
    await collect_media(post, browsed.folder, browsed.writer, browsed.warc)
    metadata = json.dumps(post.to_dict(), indent=2, ensure_ascii=False).encode()
    browsed.writer.add_bytes(names.METADATA, metadata, "application/json")
    browsed.warc.write_resource(artifact_uri(browsed.capture.bundle_id, names.METADATA),
                                "application/json", metadata)


def judge(browsed: Browsed) -> Verdict:
    capture = browsed.capture
    status, reason, hint = browsed.outcome.verdict(capture)
    if status == Status.LOGIN_REQUIRED and not capture.logged_in:
        platform = capture.platform
        option_hint = (f"capture again with a logged-in session: --cookies {platform}=cookies.txt "
                       f"or --storage-state {platform}=state.json")
        hint = f"{hint}; {option_hint}" if hint else option_hint
    return Verdict(status, scrub(reason, capture.secrets) if reason else None, hint)


def build_manifest(browsed: Browsed, verdict: Verdict) -> Manifest:
    """Everything but the artifacts, which are known once the WARC is closed."""
    capture, env, outcome, request = browsed.capture, browsed.env, browsed.outcome, browsed.request
    main_document = outcome.main_document or {}
    return Manifest.from_dict({
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "bundle_id": capture.bundle_id,
        "case_id": request.case_id,
        "operator": request.operator,
        "tool": tool_info(),
        "plugins": plugin_versions(env.pm),
        "browser": {**env.browser_info, "user_agent": env.user_agent},
        "requested_url": capture.url,
        "final_url": outcome.final_url,
        "canonical_url": capture.match.canonical_url,
        "platform": capture.platform,
        "status": str(verdict.status),
        "reason": verdict.reason,
        "hint": verdict.hint,
        "started_at": browsed.started_at,
        "ended_at": utc_time(),
        "settings": {**env.settings.for_manifest(), "service_workers": "blocked",
                     "logged_in": capture.logged_in},
        "account": {"fingerprint": browsed.login.account_fingerprint()} if capture.logged_in else None,
        "network": {**capture.traffic.summary(), "main_document": outcome.main_document},
        "server_ip": main_document.get("server_ip"),
        "tls": main_document.get("tls"),
        "notes": capture.notes + outcome.notes,
        "post": browsed.post.to_dict() if browsed.post else None,
        "artifacts": [],
        **({"job": request.job.for_manifest()} if request.job else {}),
    })


def close_warc(browsed: Browsed, manifest: Manifest) -> Manifest:
    """Anchor the manifest in the WARC, close the WARC; the manifest, with every artifact listed."""
    bundle_id, warc, writer = browsed.capture.bundle_id, browsed.warc, browsed.writer
    warc.write_json_metadata(capture_record_uri(bundle_id), manifest.anchored())
    warc_sha, warc_size = warc.close()
    writer.add_existing(names.WARC, "application/warc", warc_sha, warc_size, records=warc.records)
    return replace(manifest, artifacts=tuple(Artifact.from_dict(entry) for entry in writer.artifacts))


def sign(browsed: Browsed, manifest: Manifest, manifest_sha: str) -> None:
    """The signature, then the custody events that name it."""
    env, request, capture = browsed.env, browsed.request, browsed.capture
    assert env.signer is not None
    signature = sign_manifest(browsed.folder, manifest.to_dict(), env.signer)
    append_event(browsed.folder, event="captured", actor=request.operator, signer=env.signer, details={
        "case_id": request.case_id, "requested_url": capture.url, "status": manifest.status,
        "started_at": manifest.started_at, "ended_at": manifest.ended_at,
        "manifest_sha256": manifest_sha})
    append_event(browsed.folder, event="signed", actor=request.operator, signer=env.signer,
                 details=signature)


async def request_timestamp(browsed: Browsed) -> dict[str, Any] | None:
    env = browsed.env
    if not env.settings.tsa_urls or env.signer is None:
        return None
    from archiver.timestamp import stamp_after_capture  # only captures that ask for a TSA need it

    return await stamp_after_capture(browsed.folder, env.settings.tsa_urls, env.signer,
                                     browsed.request.operator)


def commit(browsed: Browsed) -> str:
    browsed.writer.seal()
    return browsed.env.store.commit(browsed.capture.bundle_id, browsed.folder)
