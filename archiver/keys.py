"""The operator's Ed25519 signing key: created once, kept in the user's config dir (mode 0600)."""

from __future__ import annotations

import hashlib
import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from archiver.errors import ArchiverError

PASSPHRASE_ENV = "ARCHIVER_KEY_PASSPHRASE"
CONFIG_ENV = "ARCHIVER_CONFIG_DIR"
DEFAULT_NAME = "default"


class KeyFileError(ArchiverError):
    """A key that is missing, exists already, or cannot be opened (never names the passphrase)."""


def config_dir() -> Path:
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "evidence-archiver"


def key_paths(name: str = DEFAULT_NAME) -> tuple[Path, Path]:
    folder = config_dir() / "keys"
    return folder / f"{name}.key", folder / f"{name}.pub.pem"


def public_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the DER SubjectPublicKeyInfo: what `openssl pkey -pubin -outform DER | sha256sum` prints."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "sha256:" + hashlib.sha256(der).hexdigest()


@dataclass(frozen=True)
class Signer:
    name: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)


def init_key(name: str = DEFAULT_NAME, force: bool = False) -> Signer:
    private_path, public_path = key_paths(name)
    if private_path.exists() and not force:
        raise KeyFileError(f"key {name!r} already exists at {private_path} (use --force to replace it)")
    private_path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(private_path.parent, 0o700)
    key = Ed25519PrivateKey.generate()
    passphrase = os.environ.get(PASSPHRASE_ENV)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode()) if passphrase
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    temp = private_path.with_suffix(".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    os.replace(temp, private_path)
    public_path.write_bytes(public_pem(key.public_key()))
    return Signer(name, key)


def load_key(name: str = DEFAULT_NAME) -> Signer:
    private_path, _ = key_paths(name)
    try:
        pem = private_path.read_bytes()
    except FileNotFoundError:
        named = "" if name == DEFAULT_NAME else f" --name {shlex.quote(name)}"
        raise KeyFileError(f"no signing key {name!r}: run 'archiver keys init{named}'") from None
    passphrase = os.environ.get(PASSPHRASE_ENV)
    try:
        key = serialization.load_pem_private_key(pem, passphrase.encode() if passphrase else None)
    except (TypeError, ValueError):
        raise KeyFileError(f"cannot open key {name!r}: wrong or missing ${PASSPHRASE_ENV}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"key {name!r} is not an Ed25519 key")
    return Signer(name, key)


def load_or_create(name: str = DEFAULT_NAME) -> tuple[Signer, bool]:
    """The signing key, created on first use; the flag says whether it was just created."""
    private_path, _ = key_paths(name)
    if private_path.exists():
        return load_key(name), False
    return init_key(name), True
