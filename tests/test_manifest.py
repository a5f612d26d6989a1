"""The typed manifest, and bundles made by the last release: read, verified, reported, exported."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from archiver.manifest import Manifest, ManifestError, UnknownSchemaVersion

ARCHIVER = str(Path(sys.executable).parent / "archiver")
RELEASE = Path(__file__).parent / "fixtures" / "bundles" / "release-0.1.0"
RELEASE_TSA_CA = RELEASE.with_name("release-0.1.0.tsa-ca.pem")
RELEASE_BUNDLE = "01a23377-63d2-7904-802c-27daba687011"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ARCHIVER, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A writable copy of the release's store (report and export add custody events)."""
    copy = tmp_path / "release"
    shutil.copytree(RELEASE, copy)
    return copy


def test_the_release_bundle_verifies_with_this_build() -> None:
    done = run("verify", str(RELEASE), "--tsa-ca", str(RELEASE_TSA_CA), "--deep", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["result"] == "OK" and report["problems"] == []
    assert report["custody_events"] == 3 and report["signer"].startswith("sha256:")
    assert report["timestamp"]["status"] == "OK" and report["warc_records_read"] is True


def test_the_release_manifest_loads_typed_and_writes_back_its_own_bytes() -> None:
    path = RELEASE / RELEASE_BUNDLE / "manifest.json"
    manifest = Manifest.load(path)
    assert manifest.schema_version == 1 and manifest.bundle_id == RELEASE_BUNDLE
    assert (manifest.status, manifest.platform, manifest.case_id) == ("complete", "generic", "FIXTURE-1")
    assert manifest.requested_url == "https://example.org/article"
    assert manifest.browser.name == "chromium" and manifest.network.exchanges == 3
    assert manifest.settings.tsa_urls and manifest.settings.object_lock is None
    warc = manifest.artifact("capture.warc.gz")
    assert warc is not None and warc.extra["records"] == 11
    media = manifest.artifact("media/01.png")
    assert media is not None and media.source_url == "https://cdn.example.org/picture.png"
    assert (media.width, media.height) == (320, 200)
    assert manifest.to_json_bytes() == path.read_bytes()
    assert manifest.raw == json.loads(path.read_bytes())


def test_the_release_bundle_is_reported_and_exported(store: Path, tmp_path: Path) -> None:
    bundle = store / RELEASE_BUNDLE
    report = tmp_path / "report.html"
    done = run("report", str(bundle), "--format", "html", "-o", str(report), "--tsa-ca", str(RELEASE_TSA_CA))
    assert done.returncode == 0, done.stderr
    html = report.read_text()
    assert RELEASE_BUNDLE in html and "FIXTURE-1" in html and "Text of the demo post." in html
    wacz = tmp_path / "release.wacz"
    done = run("export", str(bundle), "--wacz", str(wacz))
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(wacz) as archive:
        assert archive.read("evidence/manifest.json") == (bundle / "manifest.json").read_bytes()
        package = json.loads(archive.read("datapackage.json"))
    assert package["evidence"] == {"bundle_id": RELEASE_BUNDLE, "case_id": "FIXTURE-1",
                                   "manifest": "evidence/manifest.json"}
    assert package["mainPageURL"] == "https://example.org/article"


def test_a_manifest_of_an_unknown_schema_version_is_a_one_line_error(store: Path) -> None:
    path = store / RELEASE_BUNDLE / "manifest.json"
    data = json.loads(path.read_bytes())
    data["schema_version"] = 2
    path.chmod(0o644)
    path.write_text(json.dumps(data))
    with pytest.raises(UnknownSchemaVersion, match=r"schema_version 2 is not one this build reads \(it reads 1\)"):
        Manifest.load(path)
    for args in (["verify", str(store / RELEASE_BUNDLE)], ["verify", str(store)], ["show", str(store / RELEASE_BUNDLE)]):
        done = run(*args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert done.stderr.startswith("archiver: error: manifest schema_version 2 is not one this build reads")
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_keys_of_a_later_minor_version_survive_reading() -> None:
    data = json.loads((RELEASE / RELEASE_BUNDLE / "manifest.json").read_bytes())
    data["witnesses"] = [{"kind": "later"}]
    data["artifacts"][0]["thumbnail"] = "thumbs/dom.png"
    data["network"]["http3"] = False
    manifest = Manifest.from_dict(data)
    assert manifest.extra == {"witnesses": [{"kind": "later"}]}
    assert manifest.artifacts[0].extra == {"thumbnail": "thumbs/dom.png"}
    assert manifest.raw is data
    assert json.loads(manifest.to_json_bytes()) == data


@pytest.mark.parametrize(("change", "message"), [
    ({"schema_version": None}, "schema_version null is not one this build reads"),
    ({"schema_version": True}, "schema_version true is not one this build reads"),
    ({"status": 3}, "manifest field status is missing or not a string"),
    ({"artifacts": [{"path": "dom.html", "size": "782", "sha256": "sha256:00"}]},
     "manifest field artifacts['dom.html'].size is missing or not an integer"),
    ({"network": []}, "manifest field network is not a JSON object"),
    ({"settings": {"tsa_urls": "http://tsa.example"}}, "manifest field settings.tsa_urls is not a list"),
])
def test_fields_of_the_wrong_type_are_named(change: dict[str, object], message: str) -> None:
    data = json.loads((RELEASE / RELEASE_BUNDLE / "manifest.json").read_bytes())
    with pytest.raises(ManifestError, match=message.replace("[", r"\[").replace("(", r"\(")):
        Manifest.from_dict({**data, **change})


def test_not_a_manifest() -> None:
    for data in (b"[]", b"{}", b"not json"):
        with pytest.raises(ManifestError) as raised:
            Manifest.from_bytes(data)
        assert not isinstance(raised.value, UnknownSchemaVersion)
