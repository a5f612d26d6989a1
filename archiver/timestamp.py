"""Trusted timestamps (RFC 3161) over a bundle's signed manifest: asking TSAs, storing, checking.

The imprint is the SHA-256 of ``manifest.jcs``, the exact bytes the operator signed, so the
token proves those bytes (hence the manifest and every artifact hash in it) existed no later
than the TSA's ``genTime``, and ``openssl ts -verify -data manifest.jcs -in manifest.tsr``
checks it. The token is stored as ``manifest.tsr`` and recorded, with its own SHA-256, in a
signed ``timestamped`` custody event, so any change to the file is caught even in the parts
a CMS signature does not cover (the response status, unsigned certificates).
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

from archiver.atomic import write_new
from archiver.custody import CUSTODY_DIR, append_event
from archiver.errors import EnvironmentFailure
from archiver.hashing import hash_bytes
from archiver.keys import Signer
from archiver.problem import INCOMPLETE, Problem
from archiver.signing import JCS
from archiver.storage.base import BundleFiles
from archiver.tsa_urls import TSA_ENV, check_tsa_url, public_url, tsa_urls_from_env
from archiver.tstoken import CHAIN_OK, CHAIN_UNCHECKED, TOKEN, TokenError, TokenInfo, check_token

DEFAULT_TIMEOUT = 20.0
MAX_REPLY = 1024 * 1024
QUERY_TYPE = "application/timestamp-query"
KIND = "timestamp"  # what verify calls the problems of the token


__all__ = ["TSA_ENV", "check_tsa_url", "public_url", "tsa_urls_from_env"]  # re-exported


class TimestampError(EnvironmentFailure):
    """No usable token: the message says why, for every TSA tried."""


def request_token(message: bytes, urls: Sequence[str], timeout: float = DEFAULT_TIMEOUT
                  ) -> tuple[str, bytes, TokenInfo]:
    """Ask each TSA in turn; the first good token wins: (public URL, TimeStampResp DER, info)."""
    failures = []
    for url in urls:
        try:
            data, info = ask(url, message, timeout)
            return public_url(url), data, info
        except TimestampError as exc:
            failures.append(f"{public_url(url)}: {exc}")
    raise TimestampError("; ".join(failures) or "no TSA given")


def ask(url: str, message: bytes, timeout: float) -> tuple[bytes, TokenInfo]:
    query = (TimestampRequestBuilder().data(message).hash_algorithm(HashAlgorithm.SHA256)
             .nonce(nonce=True).cert_request(cert_request=True).build())
    parts = urlsplit(url)
    headers = {"Content-Type": QUERY_TYPE, "Accept": "application/timestamp-reply"}
    if parts.username is not None:
        credentials = f"{parts.username}:{parts.password or ''}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode()
    request = urllib.request.Request(public_url(url), data=query.as_bytes(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            data = reply.read(MAX_REPLY + 1)
    except urllib.error.HTTPError as exc:
        raise TimestampError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise TimestampError(f"cannot reach the TSA: {exc.reason}") from None
    except TimeoutError:
        raise TimestampError(f"no answer within {timeout:g}s") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise TimestampError(f"connection failed: {type(exc).__name__}: {exc}") from None
    if len(data) > MAX_REPLY:
        raise TimestampError("answer larger than 1 MiB")
    try:
        info = check_token(data, message)
    except TokenError as exc:
        raise TimestampError(f"unusable answer: {exc}") from None
    if info.nonce != f"{query.nonce:x}":
        raise TimestampError("the answer's nonce is not our request's (a replayed or foreign token)")
    return data, info


def stamp_bundle(folder: Path, urls: Sequence[str], signer: Signer, actor: str | None,
                 timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """Timestamp a signed local bundle: write ``manifest.tsr`` and a ``timestamped`` event.

    Never replaces a token; raises TimestampError when the bundle has one or no TSA answers. A
    token an interrupted run left without its event is checked and recorded instead.
    """
    if not (folder / JCS).is_file():
        raise TimestampError(f"not signed (no {JCS}), nothing to timestamp")
    jcs = (folder / JCS).read_bytes()
    if (folder / TOKEN).exists():
        return record_left_token(folder, jcs, signer, actor)
    url, data, info = request_token(jcs, urls, timeout)
    write_new(folder / TOKEN, data, mode=0o444)
    details = {"tsa_url": url, "tsa": info.tsa, "gen_time": info.gen_time, "serial": info.serial,
               "policy": info.policy, "token": TOKEN, "token_sha256": hash_bytes(data),
               "imprint": f"sha256 of {JCS}", "manifest_jcs_sha256": hash_bytes(jcs)}
    append_event(folder, event="timestamped", actor=actor, signer=signer, details=details)
    return details


def record_left_token(folder: Path, jcs: bytes, signer: Signer, actor: str | None) -> dict[str, Any]:
    from archiver.storage.local import local_bundle

    bundle = local_bundle(folder)
    if _recorded_tokens(bundle, bundle.list_files()):
        raise TimestampError(f"already has {TOKEN}; a token is never replaced")
    data = (folder / TOKEN).read_bytes()
    try:
        info = check_token(data, jcs)
    except TokenError as exc:
        raise TimestampError(f"{TOKEN} left by an interrupted run is unusable: {exc}") from None
    details = {"tsa_url": None, "tsa": info.tsa, "gen_time": info.gen_time, "serial": info.serial,
               "policy": info.policy, "token": TOKEN, "token_sha256": hash_bytes(data),
               "imprint": f"sha256 of {JCS}", "manifest_jcs_sha256": hash_bytes(jcs),
               "note": "recorded after an interrupted run had written the token"}
    append_event(folder, event="timestamped", actor=actor, signer=signer, details=details)
    return details


async def stamp_after_capture(folder: Path, urls: Sequence[str], signer: Signer,
                              actor: str | None) -> dict[str, Any]:
    """Like stamp_bundle, off the event loop; a failure is returned (``{"error": ...}``), not raised.

    Anything at all that goes wrong here is reported, never raised: the capture is already
    signed and must still be sealed and stored; ``archiver timestamp`` can try again later.
    """
    try:
        return await asyncio.to_thread(stamp_bundle, folder, urls, signer, actor)
    except TimestampError as exc:
        error = str(exc)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    # The manifest asked for a token: a signed event says why there is none, so that verify can
    # tell this bundle from one whose token was removed.
    await asyncio.to_thread(append_event, folder, event="timestamp-failed", actor=actor, signer=signer,
                            details={"error": error, "tsa_urls": [public_url(u) for u in urls]})
    return {"error": error}


def check_bundle_timestamp(bundle: BundleFiles, stored: dict[str, int],
                           ca_certs: Sequence[x509.Certificate] = ()
                           ) -> tuple[dict[str, Any], list[Problem]]:
    """For verify: (what the report shows, the problems found)."""
    recorded = _recorded_tokens(bundle, stored)
    if TOKEN not in stored:
        if recorded:
            path = next(iter(recorded.values()))
            return ({"status": "FAILED", "detail": f"{TOKEN} is missing"},
                    [Problem(KIND, TOKEN, f"missing, but {path} records a timestamp")])
        return {"status": "none"}, []
    if JCS not in stored:
        return ({"status": "FAILED", "detail": f"no {JCS}"},
                [Problem(KIND, TOKEN, f"cannot be checked without {JCS}", INCOMPLETE)])
    data = _read(bundle, TOKEN)
    try:
        info = check_token(data, _read(bundle, JCS), ca_certs)
    except TokenError as exc:
        return {"status": "FAILED", "detail": str(exc)}, [Problem(KIND, TOKEN, str(exc))]
    if recorded and hash_bytes(data) not in recorded:
        detail = "differs from the token the custody log recorded"
        return {"status": "FAILED", "detail": detail}, [Problem(KIND, TOKEN, detail)]
    if not recorded:
        # The token is written before its event: this is what a crash between the two leaves. A
        # removed event is caught by the custody chain or the store ledger, not here.
        detail = ("not recorded in the custody log (no timestamped event): timestamping was interrupted; "
                  "archiver timestamp BUNDLE records it")
        return {"status": "FAILED", "detail": detail}, [Problem(KIND, TOKEN, detail, INCOMPLETE)]
    summary = {"status": "OK", **info.to_dict(), "chain": CHAIN_OK if ca_certs else CHAIN_UNCHECKED}
    return summary, []


def _recorded_tokens(bundle: BundleFiles, stored: dict[str, int]) -> dict[str, str]:
    """token_sha256 -> the custody event that recorded it."""
    recorded: dict[str, str] = {}
    events = (p for p in stored if p.startswith(f"{CUSTODY_DIR}/") and p.endswith("-timestamped.json"))
    for path in sorted(events):
        try:
            event = json.loads(_read(bundle, path))
        except ValueError:
            continue  # the custody check reports unreadable events
        details = event.get("details") if isinstance(event, dict) else None
        if isinstance(details, dict) and details.get("token_sha256"):
            recorded[str(details["token_sha256"])] = path
    return recorded


def _read(bundle: BundleFiles, relpath: str) -> bytes:
    with bundle.open(relpath) as stream:
        return stream.read()
