from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest

from archiver import keys

ARCHIVER = str(Path(sys.executable).parent / "archiver")


@pytest.fixture
def own_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(keys.CONFIG_ENV, str(tmp_path))
    return tmp_path


def test_init_writes_a_private_key_only_the_user_can_read(own_config: Path) -> None:
    signer = keys.init_key("alice")
    private, public = keys.key_paths("alice")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert public.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    assert keys.load_key("alice").fingerprint == signer.fingerprint
    with pytest.raises(keys.KeyFileError):
        keys.init_key("alice")


def test_passphrase_protects_the_key(own_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "correct horse")
    keys.init_key("bob")
    assert b"ENCRYPTED" in keys.key_paths("bob")[0].read_bytes()
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "not-the-passphrase-42")
    with pytest.raises(keys.KeyFileError) as error:
        keys.load_key("bob")
    assert "not-the-passphrase-42" not in str(error.value)


def test_fingerprint_matches_openssl(own_config: Path) -> None:
    signer = keys.init_key("carol")
    der = subprocess.run(["openssl", "pkey", "-pubin", "-in", str(keys.key_paths("carol")[1]), "-outform", "DER"],
                         capture_output=True, check=True).stdout
    import hashlib

    assert signer.fingerprint == "sha256:" + hashlib.sha256(der).hexdigest()


def test_keys_cli(own_config: Path) -> None:
    env_run = lambda *a: subprocess.run([ARCHIVER, *a], capture_output=True, text=True)  # noqa: E731
    assert env_run("keys", "show").returncode == 2
    created = env_run("keys", "init")
    assert created.returncode == 0 and "fingerprint sha256:" in created.stdout
    shown = env_run("keys", "show")
    assert shown.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    out = own_config / "pub.pem"
    assert env_run("keys", "export-public", "-o", str(out)).returncode == 0
    assert out.read_bytes() == keys.key_paths()[1].read_bytes()
