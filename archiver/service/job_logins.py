"""Login material uploaded with capture jobs: read with the CLI's parsers (``--cookies``,
``--storage-state``), sealed while the jobs wait, opened by the worker that runs each, and
deleted in the transaction that ends the last of them (``JobQueue.finish``).

Sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the service's signing key, so
the database, its backups and PostgreSQL's dead row versions (kept until VACUUM) hold nothing
readable without that key, which stays on the service's machines. Every instance sharing a
database must therefore sign with the same key; a job sealed under another key fails, saying so.
No message here ever quotes a value.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from pydantic import BaseModel, ConfigDict, Field

from archiver.errors import ArchiverError
from archiver.platforms import PlatformError, Platforms
from archiver.secrets import (
    LoginMaterial,
    SecretsError,
    cookie_text_lines,
    parse_netscape_lines,
    parse_storage_state,
)

if TYPE_CHECKING:
    from archiver.keys import Signer
    from archiver.service.jobs import JobQueue

MAX_LOGIN_BYTES = 1024 * 1024  # a real account's cookies and storage state are kilobytes
ANY_PLATFORM = "*"  # as --cookies FILE without a PLATFORM= prefix: for every platform without its own
SAME_SITE = ("Strict", "Lax", "None")
KEY_INFO = b"archiver serve: login material of capture jobs"
NONCE_BYTES = 12


class PlatformLogin(BaseModel):
    """One platform's login material, as ``options.logins`` takes it (documents the API's shape;
    read by ``read_api_logins``, whose errors never echo a value back)."""

    model_config = ConfigDict(extra="forbid")

    cookies_txt: str | None = Field(default=None, description="A Netscape cookies.txt, as text.")
    storage_state: dict[str, Any] | None = Field(default=None,
                                                 description="A Playwright storage state (cookies, origins).")


class LoginRejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def read_api_logins(raw: Any, platforms: Platforms) -> dict[str, LoginMaterial]:
    """``options.logins`` of ``POST /captures``: platform (or ``*``) to cookies.txt text and/or
    a storage state."""
    if not isinstance(raw, dict) or not raw:
        raise LoginRejected(422, "options.logins must be an object of platform name to "
                                 "{cookies_txt, storage_state}")
    size = 0
    for entry in raw.values():
        if isinstance(entry, dict):
            size += len(str(entry.get("cookies_txt") or "").encode())
            size += len(json.dumps(entry.get("storage_state")).encode())
    check_size(size)
    logins: dict[str, LoginMaterial] = {}
    for typed, entry in raw.items():
        where = f"options.logins.{typed}"
        platform = platform_name(typed, platforms, where)
        if platform in logins:
            raise LoginRejected(422, f"{where}: platform {platform} is given twice (a name and an alias)")
        if not isinstance(entry, dict) or not entry or set(entry) - {"cookies_txt", "storage_state"}:
            raise LoginRejected(422, f"{where} must be an object with cookies_txt and/or storage_state")
        cookies, state = entry.get("cookies_txt"), entry.get("storage_state")
        if cookies is not None and not isinstance(cookies, str):
            raise LoginRejected(422, f"{where}.cookies_txt must be the text of a cookies.txt file")
        logins[platform] = material(where, cookies.splitlines() if cookies is not None else None,
                                    f"{where}.cookies_txt",
                                    json.dumps(state).encode() if state is not None else None,
                                    f"{where}.storage_state")
    return with_default(logins)


def read_uploaded_files(typed: str, cookies: bytes, state: bytes, platforms: Platforms
                        ) -> dict[str, LoginMaterial] | None:
    """The submit page's file inputs: one platform (or ``*``), a cookies.txt and/or a storage
    state; None when neither was given."""
    if not cookies and not state:
        return None
    check_size(len(cookies) + len(state))
    platform = platform_name(typed, platforms, "the login's platform")
    try:
        lines = cookie_text_lines(cookies, "the cookies file") if cookies else None
    except SecretsError as exc:
        raise LoginRejected(422, exc.format_message()) from None
    return with_default({platform: material("the uploaded login", lines, "the cookies file",
                                            state or None, "the storage state file")})


def check_size(size: int) -> None:
    if size > MAX_LOGIN_BYTES:
        raise LoginRejected(413, f"login material is limited to {MAX_LOGIN_BYTES // 1024**2} MiB a request")


def platform_name(typed: str, platforms: Platforms, where: str) -> str:
    if typed == ANY_PLATFORM:
        return ANY_PLATFORM
    try:
        return platforms.name_of(typed)
    except PlatformError as exc:
        raise LoginRejected(422, f"{where}: {exc.format_message()}") from None


def material(where: str, cookie_lines: list[str] | None, cookies_source: str, state: bytes | None,
             state_source: str) -> LoginMaterial:
    found = LoginMaterial()
    try:
        if cookie_lines is not None:
            found.cookies = parse_netscape_lines(cookie_lines, cookies_source)
            if not found.cookies:
                raise LoginRejected(422, f"{cookies_source} holds no cookie")
        if state is not None:
            found.storage_state = parse_storage_state(state, state_source)
            check_storage_state(found.storage_state, state_source)
    except SecretsError as exc:
        raise LoginRejected(422, exc.format_message()) from None
    if not found.secret_values:
        raise LoginRejected(422, f"{where} holds no cookie or local storage value")
    return found


def check_storage_state(state: dict[str, Any], source: str) -> None:
    """What Playwright would refuse when the worker opens the browser context, refused now,
    with the place named rather than the value."""
    cookies, origins = state.get("cookies", []), state.get("origins", [])
    if not isinstance(cookies, list) or not isinstance(origins, list):
        raise LoginRejected(422, f"{source}: cookies and origins must be lists")
    for number, cookie in enumerate(cookies):
        where = f"{source}: cookies[{number}]"
        if not (isinstance(cookie, dict) and is_text(cookie, "name", "value")
                and (is_text(cookie, "url") or is_text(cookie, "domain", "path"))):
            raise LoginRejected(422, f"{where} needs a name and a value, and a domain and path (or a url), "
                                     "all strings")
        expires, same_site = cookie.get("expires", -1), cookie.get("sameSite", "Lax")
        if not isinstance(expires, int | float) or same_site not in SAME_SITE:
            raise LoginRejected(422, f"{where}: expires must be a number and sameSite one of "
                                     f"{', '.join(SAME_SITE)}")
    for number, origin in enumerate(origins):
        items = origin.get("localStorage", []) if isinstance(origin, dict) else None
        if not (isinstance(origin, dict) and is_text(origin, "origin") and isinstance(items, list)
                and all(isinstance(item, dict) and is_text(item, "name", "value") for item in items)):
            raise LoginRejected(422, f"{source}: origins[{number}] needs an origin and a localStorage "
                                     "list of names and values, all strings")


def is_text(found: dict[str, Any], *keys: str) -> bool:
    return all(isinstance(found.get(key), str) for key in keys)


def with_default(logins: dict[str, LoginMaterial]) -> dict[str, LoginMaterial]:
    """As the CLI's: ``*`` always answers, empty when no default was given."""
    return {ANY_PLATFORM: LoginMaterial(), **logins}


def seal(signer: Signer, logins: dict[str, LoginMaterial]) -> bytes:
    plain = json.dumps({platform: {"cookies": found.cookies, "storage_state": found.storage_state}
                        for platform, found in logins.items()}).encode()
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(sealing_key(signer)).encrypt(nonce, plain, KEY_INFO)


def unseal(signer: Signer, sealed: bytes) -> dict[str, LoginMaterial]:
    try:
        plain = AESGCM(sealing_key(signer)).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], KEY_INFO)
    except InvalidTag:
        raise ArchiverError("the login material uploaded with this job was sealed under another "
                            "signing key: run every instance of the service with the same --key") from None
    return {platform: LoginMaterial(found["cookies"], found["storage_state"])
            for platform, found in json.loads(plain).items()}


def sealing_key(signer: Signer) -> bytes:
    private = signer.private_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                               serialization.NoEncryption())
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(private)


def open_job_logins(queue: JobQueue, signer: Signer, job_id: str) -> dict[str, LoginMaterial] | None:
    """The job's uploaded login material, or None (then the server's own settings apply)."""
    sealed = queue.sealed_logins(job_id)
    return unseal(signer, sealed) if sealed is not None else None
