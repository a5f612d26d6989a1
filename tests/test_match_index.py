"""The store's match index and ``archiver index`` / ``archiver match``, and matching in
``capture``, on real bundles captured in Chromium from pages showing real photographs
(tests/fixtures/images, SOURCES.txt there)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from archiver.image_signals import image_signals

from support.bundles import capture_into
from support.webserver import TestServer as Server

ARCHIVER = str(Path(sys.executable).parent / "archiver")
IMAGES = Path(__file__).parent / "fixtures" / "images"
CAPTURED = ("coffee", "astronaut", "chelsea")
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{name}</title>
<meta property="og:title" content="Post {name}">
<meta property="og:description" content="{text}">
<meta property="og:image" content="https://cdn.example.org/match/{name}.jpg">
<meta name="author" content="Channel {name}">
</head><body><article id="post"><h1>Post {name}</h1><p>{text}</p>
<img src="https://cdn.example.org/match/{name}.jpg" width="320"></article></body></html>"""


TEXTS = {"coffee": "Morning espresso at the bar, poured by hand; the crema holds for a minute.",
         "astronaut": "Official portrait of the mission commander before launch, in her flight suit.",
         "chelsea": "The cat slept on the windowsill all afternoon and would not be moved.",
         "rocket": "Liftoff from the coast at dawn, carrying a deep space weather satellite."}


def serve(server: Server, name: str, image: bytes, text: str | None = None) -> str:
    # Posts on other pages say nothing alike (hex digits share few four-letter shingles).
    text = text or TEXTS.get(name) or hashlib.sha256(name.encode()).hexdigest()
    server.site("example.org").add(f"/match/{name}", PAGE.format(name=name, text=text))
    server.site("cdn.example.org").add(f"/match/{name}.jpg", image, "image/jpeg")
    return f"https://example.org/match/{name}"


def photo(name: str) -> bytes:
    return (IMAGES / f"{name}.jpg").read_bytes()


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def transformed(name: str, how: str) -> bytes:
    image = Image.open(IMAGES / f"{name}.jpg")
    width, height = image.size
    if how == "jpeg-quality-40":
        return jpeg(image, 40)
    if how == "flipped":
        return jpeg(image.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    if how == "cut-10-percent-left-top":
        return jpeg(image.crop((round(width * 0.1), round(height * 0.1), width, height)))
    assert how == "cut-10-percent-right-bottom"
    return jpeg(image.crop((0, 0, round(width * 0.9), round(height * 0.9))))


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ARCHIVER, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env})


def run_json(*args: str) -> Any:
    done = run(*args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def match(store: Path, *target: str) -> dict[str, Any]:
    found: dict[str, Any] = run_json("match", *target, "--store", str(store))
    return found


@pytest.fixture(scope="module")
def captured(engine: Any, base_settings: Any, https_server: Server,
             tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A store holding one captured post for each of three photographs; bundle folders by name."""
    folder = tmp_path_factory.mktemp("match-store")
    return {name: capture_into(engine, base_settings, folder, serve(https_server, name, photo(name)),
                               "CASE-M", "Tester") for name in CAPTURED}


@pytest.fixture
def store(captured: dict[str, Path], tmp_path: Path) -> Path:
    """A copy of the captured store, for a test to index and add to."""
    copy = tmp_path / "store"
    shutil.copytree(next(iter(captured.values())).parent, copy)
    return copy


def capture_more(engine: Any, base_settings: Any, server: Server, store: Path, name: str,
                 image: bytes, text: str | None = None) -> Path:
    return capture_into(engine, base_settings, store, serve(server, name, image, text), "CASE-M", "Tester")


def from_bundle(found: dict[str, Any], bundle: Path) -> list[dict[str, Any]]:
    return [m for m in found["matches"] if m.get("bundle_id") == bundle.name]


def test_index_adds_only_new_bundles_and_rebuilds_from_the_bundles(
        store: Path, engine: Any, base_settings: Any, https_server: Server) -> None:
    first = run_json("index", str(store))
    assert (first["added"], first["bundles"], first["skipped"]) == (3, 3, {})
    assert run_json("index", str(store))["added"] == 0
    capture_more(engine, base_settings, https_server, store, "rocket", photo("rocket"))
    assert (run_json("index", str(store))["added"], run_json("index", str(store))["bundles"]) == (1, 4)
    rebuilt = run_json("index", str(store), "--rebuild")
    assert (rebuilt["added"], rebuilt["bundles"], rebuilt["rows"]) == (4, 4, first["rows"] * 4 // 3)
    folder = store / ".archiver" / "index"
    state = json.loads((folder / "state.json").read_text())
    # The old generation is gone: only what state.json names is left.
    assert sorted(p.name for p in folder.iterdir()) == sorted([".lock", "state.json", state["pdq"], *state["parts"]])


@pytest.mark.parametrize(("how", "expected"), [("jpeg-quality-40", "pdq"), ("flipped", "pdq-flip-horizontal"),
                                               ("cut-10-percent-left-top", "pdq-window"),
                                               ("cut-10-percent-right-bottom", "pdq-window")])
def test_a_transformed_copy_is_found(store: Path, captured: dict[str, Path], tmp_path: Path, how: str,
                                     expected: str) -> None:
    run_json("index", str(store))
    query = tmp_path / f"coffee-{how}.jpg"
    query.write_bytes(transformed("coffee", how))
    found = match(store, str(query))
    (hit,) = found["matches"]
    assert (hit["bundle_id"], hit["artifact"], hit["how"]) == (captured["coffee"].name, "media/01.jpg", expected)
    assert hit["distance"] <= 31 and hit["verify"] == "OK" and hit["platform"] == "generic"
    assert hit["rules"] == {"pdq_max_distance": 31, "pdq_min_quality": 50, "video_min_share": 0.8,
                            "text_min_similarity": 0.5}


def test_the_same_file_matches_exactly_and_unrelated_photographs_do_not_match(
        store: Path, captured: dict[str, Path]) -> None:
    run_json("index", str(store))
    (hit,) = match(store, str(IMAGES / "chelsea.jpg"))["matches"]
    assert (hit["how"], hit["bundle_id"], hit["distance"]) == ("sha256", captured["chelsea"].name, 0)
    for unrelated in ("hubble_deep_field.jpg", "retina.jpg", "rocket.jpg", "camera.png"):
        assert match(store, str(IMAGES / unrelated))["matches"] == [], unrelated


def test_a_bundle_is_matched_with_every_signal_and_never_with_itself(
        store: Path, captured: dict[str, Path], engine: Any, base_settings: Any, https_server: Server) -> None:
    run_json("index", str(store))
    text = TEXTS["coffee"].replace("espresso", "espresso!!") + " https://t.me/mirror"  # re-posted
    mirror = capture_more(engine, base_settings, https_server, store, "coffee-mirror",
                          transformed("coffee", "flipped"), text)
    found = match(store, str(mirror))
    assert found["query"]["bundle_id"] == mirror.name and not from_bundle(found, mirror)
    hows = {m["how"]: m for m in from_bundle(found, captured["coffee"])}
    assert hows["pdq-flip-horizontal"]["query"] == "media/01.jpg"
    assert hows["text"]["similarity"] >= 0.8
    assert not from_bundle(found, captured["astronaut"])
    # The same by bundle id in the store.
    assert match(store, mirror.name)["matches"] == found["matches"]


def test_bank_entries_are_found_with_their_bank_version_and_labels(store: Path, tmp_path: Path) -> None:
    signals = image_signals(photo("astronaut"))
    assert signals is not None
    bank = tmp_path / "bank.csv"
    bank.write_text(f"signal_type,signal,labels,source\npdq,{signals.pdq.hex},GROUP_A,analyst\n")
    assert run("bank", "import", str(bank), "--name", "TEST_BANK", "--format", "csv", "--store", str(store)
               ).returncode == 0
    query = tmp_path / "astronaut-q40.jpg"
    query.write_bytes(transformed("astronaut", "jpeg-quality-40"))
    found = match(store, str(query))  # the store has no index yet: the banks still answer
    assert found["searched"] == {"banks": ["TEST_BANK@v1"], "index": None}
    assert "no match index yet" in found["notes"][0]
    (hit,) = found["matches"]
    assert (hit["source"], hit["bank"], hit["labels"], hit["how"]) == ("bank", "TEST_BANK@v1", ["GROUP_A"], "pdq")
    assert hit["entry"]["source"] == "analyst" and hit["distance"] <= 31
    by_hash = match(store, "--hash", f"pdq:{signals.pdq.hex.upper()}")["matches"]
    assert [(m["bank"], m["distance"]) for m in by_hash] == [("TEST_BANK@v1", 0)]
    human = run("match", str(query), "--store", str(store))
    assert human.returncode == 0 and "bank TEST_BANK@v1" in human.stdout and "labels: GROUP_A" in human.stdout


def test_capture_reports_a_bank_match_records_it_in_custody_and_indexes_the_bundle(
        store: Path, captured: dict[str, Path], tmp_path: Path, https_server: Server,
        tls_args: list[str]) -> None:
    signals = image_signals(photo("coffee"))
    assert signals is not None
    bank = tmp_path / "list.txt"
    bank.write_text(f"pdq {signals.pdq.hex}\n")
    assert run("bank", "import", str(bank), "--name", "BANNED", "--format", "te", "--store", str(store)
               ).returncode == 0
    run_json("index", str(store))
    url = serve(https_server, "coffee-repost", transformed("coffee", "jpeg-quality-40"))
    done = run("capture", url, "--store", str(store), "--json", *tls_args)
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stdout)
    by_source = {m["source"]: m for m in line["matches"]}
    assert (by_source["bank"]["bank"], by_source["bank"]["how"]) == ("BANNED@v1", "pdq")
    assert by_source["index"]["bundle_id"] == captured["coffee"].name
    bundle = Path(line["bundle"])
    (event_file,) = (bundle / "custody").glob("*-matched.json")
    event = json.loads(event_file.read_text())
    assert event["details"]["banks"] == ["BANNED@v1"] and event["details"]["index"]["bundles"] == 3
    assert {m["source"] for m in event["details"]["matches"]} == {"bank", "index"}
    (verdict,) = [json.loads(row) for row in run("verify", str(bundle), "--json").stdout.splitlines()]
    assert verdict["result"] == "OK" and verdict["custody_events"] == 3
    assert run_json("index", str(store))["added"] == 0  # capture indexed it
    human = run("capture", url, "--store", str(store), *tls_args)
    assert "matched: media/01.jpg  pdq distance" in human.stdout and "bank BANNED@v1" in human.stdout


def test_capture_into_a_store_without_index_or_banks_does_nothing_more(
        store: Path, https_server: Server, tls_args: list[str]) -> None:
    url = serve(https_server, "plain", photo("coffee"))
    line = json.loads(run("capture", url, "--store", str(store), "--json", *tls_args).stdout)
    assert line["matches"] == []
    assert not list(Path(line["bundle"]).glob("custody/*-matched.json"))
    assert not (store / ".archiver" / "index").exists()


@pytest.mark.parametrize("step", ["match index part", "match index state.json"])
def test_a_killed_index_write_leaves_the_previous_index_usable(
        store: Path, captured: dict[str, Path], engine: Any, base_settings: Any, https_server: Server,
        step: str) -> None:
    run_json("index", str(store))
    rocket = capture_more(engine, base_settings, https_server, store, "rocket", photo("rocket"))
    killed = run("index", str(store), ARCHIVER_FAULT_AT=step)
    assert killed.returncode == -9, killed.stderr
    before = match(store, str(IMAGES / "coffee.jpg"))
    assert [m["bundle_id"] for m in before["matches"]] == [captured["coffee"].name]
    assert before["notes"] == [f"1 bundles of {store} are not indexed yet: archiver index {store}"]
    assert match(store, str(IMAGES / "rocket.jpg"))["matches"] == []
    assert run_json("index", str(store))["added"] == 1
    after = match(store, str(IMAGES / "rocket.jpg"))
    assert [(m["bundle_id"], m["how"]) for m in after["matches"]] == [(rocket.name, "sha256")]
    assert after["notes"] == []


@pytest.mark.parametrize(("args", "message"), [
    ((), "give one TARGET"),
    (("x.jpg", "--hash", "md5:" + "0" * 32), "give one TARGET"),
    (("--hash", "pdq:xyz"), "a PDQ hash is at most 64 hex digits"),
    (("--hash", "vpdq:[]"), "--hash is TYPE:VALUE"),
    (("no-such-file.jpg",), "no such file, folder or bundle"),
])
def test_bad_input_is_one_line_and_exit_2(store: Path, args: tuple[str, ...], message: str) -> None:
    done = run("match", *args, "--store", str(store))
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("archiver: error: ") and message in done.stderr


def test_a_file_that_is_neither_image_nor_video_is_bad_input(store: Path, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a picture")
    done = run("match", str(text), "--store", str(store))
    assert done.returncode == 2 and "neither an image nor a video" in done.stderr


def test_the_index_of_a_store_that_keeps_bundles_only_is_kept_in_the_local_cache(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from archiver.match_index import CACHE_ENV, index_folder
    from archiver.storage.local import LocalStore
    from archiver.storage.s3 import S3Store

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    remote = index_folder(S3Store("s3://bucket/cases"))
    assert remote == tmp_path / "index" / hashlib.sha256(b"s3://bucket/cases").hexdigest()
    assert index_folder(S3Store("s3://bucket/other")) != remote
    assert index_folder(LocalStore(tmp_path / "store")) == tmp_path / "store" / ".archiver" / "index"
