"""``archiver verify FILE.wacz``: the package as exported is OK; any changed byte, signature or
signing key is reported with the entry it is in."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from archiver.keys import Signer
from archiver.wacz_sign import signed_digest
from archiver.wacz_verify import verify_wacz

from support.bundles import capture_into

ARCHIVER = str(Path(sys.executable).parent / "archiver")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ARCHIVER, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def exported(engine, base_settings, tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("wacz-verify")
    bundle = capture_into(engine, base_settings, folder / "store", "https://example.org/article", "CASE-V", "V. Op")
    out = folder / "exhibit.wacz"
    done = run("export", str(bundle), "--wacz", str(out))
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture
def wacz(exported: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(exported, tmp_path / "exhibit.wacz"))


def rewrite(source: Path, target: Path, changes: dict[str, bytes]) -> Path:
    """A well-formed ZIP (CRCs that hold) with some entries' contents replaced."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info, changes.get(info.filename, old.read(info.filename)), info.compress_type)
    return target


def digest_of(path: Path) -> dict:  # type: ignore[type-arg]
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("datapackage-digest.json"))  # type: ignore[no-any-return]


def test_the_exported_package_verifies(wacz: Path) -> None:
    done = run("verify", str(wacz))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("OK  ") and "the bundle's signer" in done.stdout
    assert "signature OK" in done.stdout and "custody OK" in done.stdout
    as_json = json.loads(run("verify", "--json", str(wacz)).stdout)
    assert as_json["result"] == "OK" and as_json["package_signer"] == as_json["bundle_signer"]
    assert as_json["entries"] >= 10


def test_a_flipped_byte_in_any_entry_is_tampered_and_named(wacz: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wacz) as archive:
        infos = archive.infolist()
    data = wacz.read_bytes()
    for info in infos:
        name_len, extra_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little"), \
            int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
        start = info.header_offset + 30 + name_len + extra_len
        flipped = bytearray(data)
        flipped[start + info.compress_size // 2] ^= 0x01
        target = tmp_path / "flipped.wacz"
        target.write_bytes(bytes(flipped))
        report = verify_wacz(target)
        assert report.result == "TAMPERED", info.filename
        assert info.filename in {p.path for p in report.problems}, (info.filename, report.problems)
    done = run("verify", str(target))
    assert done.returncode == 1 and done.stdout.startswith("TAMPERED") and infos[-1].filename in done.stdout


def test_changed_contents_in_a_well_formed_zip_are_named(wacz: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wacz) as archive:
        pages = archive.read("pages/pages.jsonl")
    changed = rewrite(wacz, tmp_path / "changed.wacz", {"pages/pages.jsonl": pages.replace(b"demo", b"DEMO")})
    report = verify_wacz(changed)
    assert report.result == "TAMPERED"
    assert [(p.kind, p.path) for p in report.problems] == [("sha256", "pages/pages.jsonl")]


def test_a_changed_signature_is_reported(wacz: Path, tmp_path: Path) -> None:
    digest = digest_of(wacz)
    signature = bytearray(base64.b64decode(digest["signedData"]["signature"]))
    signature[10] ^= 0x01
    digest["signedData"]["signature"] = base64.b64encode(bytes(signature)).decode()
    changed = rewrite(wacz, tmp_path / "sig.wacz", {"datapackage-digest.json": json.dumps(digest).encode()})
    done = run("verify", str(changed))
    assert done.returncode == 1 and done.stdout.startswith("TAMPERED")
    assert "datapackage-digest.json: signedData.signature does not verify" in done.stdout


def test_a_package_re_signed_with_another_key_names_both_keys(wacz: Path, tmp_path: Path) -> None:
    other = Signer("other", Ed25519PrivateKey.generate())
    with zipfile.ZipFile(wacz) as archive:
        package = archive.read("datapackage.json")
    created = json.loads(package)["created"]
    digest = signed_digest(package, created, "someone else", other)
    resigned = rewrite(wacz, tmp_path / "resigned.wacz", {"datapackage-digest.json": json.dumps(digest).encode()})
    report = verify_wacz(resigned)
    assert report.result == "TAMPERED" and report.package_signer == other.fingerprint
    assert [p.kind for p in report.problems] == ["signer"]
    done = run("verify", str(resigned))
    assert done.returncode == 1
    assert f"signed by a different key ({other.fingerprint}) than the bundle's signer" in done.stdout
    assert "evidence/signer.pub.pem" in done.stdout


def test_usage_errors(wacz: Path, tmp_path: Path) -> None:
    for args in (["verify", str(tmp_path / "none.wacz")], ["verify", str(wacz), "--record"],
                 ["verify", str(wacz), str(tmp_path)]):
        done = run(*args)
        assert done.returncode == 2 and done.stderr.startswith("archiver: error:"), (args, done.stderr)
