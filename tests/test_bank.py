"""Hash banks: each sharing format imported with its bad rows, versions, export -> import round trips."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from archiver.bank import Bank, BankEntry, load_bank, save_version
from archiver.bank_formats import FORMATS
from archiver.bank_signals import normalised
from archiver.cli import cli
from archiver.errors import EXIT_ENVIRONMENT, EnvironmentFailure
from archiver.storage.local import LocalStore

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
PDQ_LEADING_ZEROS = "0000ab12cd34ef5600000000ffffeeee1111222233334444555566667777aaaa"
MD5 = "d41d8cd98f00b204e9800998ecf8427e"
SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
SHA512 = ("cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
          "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")
VPDQ = json.dumps([f"{PDQ},100,0.0", f"{PDQ_LEADING_ZEROS},87,1.0"])

TE_LIST = f"""# ISKP propaganda, shared 2026-11-30
pdq {PDQ.upper()}
pdq {PDQ_LEADING_ZEROS.lstrip("0")}
video_md5 {MD5}
sha256 {SHA256}
vpdq {VPDQ}
raw_text   Join   the caravan  before it leaves
tmk 0123abcd
md5 d41d8cd98f00b204
pdq {PDQ}ff
pdq {PDQ[:-1]}z
sha512
vpdq ["{PDQ},101,0.0"]
"""
TE_BAD = {"line 8": "unknown signal type 'tmk'", "line 9": "md5 is 32 hex digits",
          "line 10": "at most 64 hex digits", "line 11": "at most 64 hex digits",
          "line 12": "expected '<signal_type> <signal>'", "line 13": "quality is 0-100"}

CSV_LIST = f"""\ufeffsignal_type,signal,labels,source
pdq,{PDQ},"ISKP;Amaq, al-Naba",Telegram channel 2026-11
md5,{MD5.upper()},ISKP,
sha512,{SHA512},ISKP;ISKP,analyst J. Doe
sha512,{SHA512[:-2]},ISKP,
pdq,{PDQ},ISKP
phash,{PDQ},ISKP,
text,"  الله   أكبر  ",ISKP,
"""
CSV_BAD = {"line 5": "sha512 is 128 hex digits", "line 6": "3 fields, the header has 4",
           "line 7": "unknown signal type 'phash'"}

TAT_ITEMS: list[object] = [
    {"id": 1041, "hash_digest": PDQ, "algorithm": "PDQ", "ideology": "Islamist", "file_type": "image/jpeg",
     "deleted": False, "created_on": "2024-03-01T10:00:00Z", "updated_on": "2024-03-01T10:00:00Z"},
    {"id": 1042, "hash_digest": SHA256.upper(), "algorithm": "sha256", "ideology": "Far-right",
     "file_type": "video/mp4", "deleted": False, "created_on": "2024-03-02T10:00:00Z",
     "updated_on": "2024-05-02T10:00:00Z"},
    {"id": 1043, "hash_digest": MD5, "algorithm": "MD5", "ideology": None, "file_type": "application/pdf",
     "deleted": False, "created_on": "2024-03-03T10:00:00Z", "updated_on": None},
    {"id": 1044, "hash_digest": "aa" * 16, "algorithm": "TMK", "ideology": "Islamist", "deleted": False},
    "not an item",
    {"id": 1046, "algorithm": "MD5", "deleted": False},
    {"id": 1047, "hash_digest": "xyz", "algorithm": "PDQ", "deleted": False},
    {"id": 1048, "hash_digest": MD5, "algorithm": "MD5", "deleted": "yes"},
]
TAT_BAD = {"item [3]": "algorithm is one of MD5, SHA256, SHA512, PDQ", "item [4]": "not a JSON object",
           "item [5]": "no hash_digest string", "item [6]": "at most 64 hex digits",
           "item [7]": "deleted is true or false"}


def bank(*args: str) -> Result:
    return CliRunner().invoke(cli, ["bank", *args])


def store_of(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "evidence")


def bad_rows(result: Result, file: Path) -> dict[str, str]:
    """Each skipped row's place and reason, from the import's standard error."""
    prefix = f"archiver: skipped {file} "
    lines = [line.removeprefix(prefix) for line in result.stderr.splitlines()]
    assert all(line.startswith(("line ", "item [")) for line in lines), result.stderr
    return dict(line.split(": ", 1) for line in lines)


def assert_reported(result: Result, file: Path, expected: dict[str, str]) -> None:
    reported = bad_rows(result, file)
    assert set(reported) == set(expected)
    for where, reason in expected.items():
        assert reason in reported[where], (where, reported[where])


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_te_list_bad_rows_are_reported_and_the_rest_imported(tmp_path: Path) -> None:
    listed = write(tmp_path, "iskp.txt", TE_LIST)
    done = bank("import", str(listed), "--name", "ISKP", "--format", "te", "--store", str(tmp_path / "evidence"))
    assert done.exit_code == 1, done.output
    assert_reported(done, listed, TE_BAD)
    assert done.stdout.strip() == "ISKP@v1: 6 entries (6 added, 0 updated, 0 removed); 6 bad rows"
    found = load_bank(store_of(tmp_path), "ISKP")
    assert {(e.signal_type, e.signal) for e in found.entries} == {
        ("pdq", PDQ), ("pdq", PDQ_LEADING_ZEROS), ("md5", MD5), ("sha256", SHA256), ("vpdq", VPDQ),
        ("text", "Join the caravan before it leaves")}
    assert {e.source for e in found.entries} == {"iskp.txt"}
    assert found.origin["bad_rows"] == 6 and found.origin["format"] == "te"


def test_csv_labels_sources_and_bad_rows(tmp_path: Path) -> None:
    listed = write(tmp_path, "iskp.csv", CSV_LIST)
    done = bank("import", str(listed), "--name", "ISKP", "--format", "csv", "--source", "GIFCT",
                "--store", str(tmp_path / "evidence"))
    assert done.exit_code == 1, done.output
    assert_reported(done, listed, CSV_BAD)
    entries = {e.signal_type: e for e in load_bank(store_of(tmp_path), "ISKP").entries}
    assert entries["pdq"].labels == ("ISKP", "Amaq, al-Naba")
    assert entries["pdq"].source == "Telegram channel 2026-11"
    assert entries["md5"].signal == MD5 and entries["md5"].source == "GIFCT"
    assert entries["sha512"].labels == ("ISKP",)
    assert entries["text"].signal == "الله أكبر"


def test_tat_list_keeps_its_fields_and_deleted_items_leave_the_bank(tmp_path: Path) -> None:
    store = str(tmp_path / "evidence")
    listed = write(tmp_path, "tcap.json", json.dumps(TAT_ITEMS))
    done = bank("import", str(listed), "--name", "TTP_PROPAGANDA", "--format", "tat", "--store", store)
    assert done.exit_code == 1, done.output
    assert_reported(done, listed, TAT_BAD)
    first = load_bank(store_of(tmp_path), "TTP_PROPAGANDA")
    by_type = {e.signal_type: e for e in first.entries}
    assert set(by_type) == {"pdq", "sha256", "md5"}
    assert by_type["sha256"].signal == SHA256 and by_type["sha256"].labels == ("Far-right",)
    assert by_type["pdq"].meta == {"id": 1041, "file_type": "image/jpeg", "created_on": "2024-03-01T10:00:00Z",
                                   "updated_on": "2024-03-01T10:00:00Z"}
    assert by_type["md5"].labels == ()

    # The API's next page: one item deleted, one new, one both added and later deleted.
    update = {"count": 3, "next": None, "results": [
        {"id": 1042, "hash_digest": SHA256, "algorithm": "SHA256", "deleted": True},
        {"id": 1050, "hash_digest": SHA512, "algorithm": "SHA512", "ideology": "Islamist", "deleted": False},
        {"id": 1051, "hash_digest": "bb" * 16, "algorithm": "MD5", "deleted": False},
        {"id": 1051, "hash_digest": "BB" * 16, "algorithm": "MD5", "deleted": True}]}
    page = write(tmp_path, "tcap-page2.json", json.dumps(update))
    again = bank("import", str(page), "--name", "TTP_PROPAGANDA", "--format", "tat", "--store", store)
    assert again.exit_code == 0, again.output
    assert again.stdout.strip() == "TTP_PROPAGANDA@v2: 3 entries (1 added, 0 updated, 1 removed); 0 bad rows"
    second = load_bank(store_of(tmp_path), "TTP_PROPAGANDA")
    assert {e.signal_type for e in second.entries} == {"pdq", "md5", "sha512"}
    assert load_bank(store_of(tmp_path), "TTP_PROPAGANDA", 1).entries == first.entries  # still readable
    kept = {e.key: e for e in first.entries}
    assert all(kept[e.key].added == e.added for e in second.entries if e.key in kept)


def test_replace_starts_the_version_from_the_file_alone(tmp_path: Path) -> None:
    store = str(tmp_path / "evidence")
    bank("import", str(write(tmp_path, "a.txt", f"md5 {MD5}\n")), "--name", "B", "--format", "te", "--store", store)
    done = bank("import", str(write(tmp_path, "b.txt", f"pdq {PDQ}\n")), "--name", "B", "--format", "te",
                "--replace", "--store", store)
    assert done.exit_code == 0 and "1 added, 0 updated, 1 removed" in done.stdout
    latest = load_bank(store_of(tmp_path), "B")
    assert latest.ref == "B@v2" and [e.key for e in latest.entries] == [("pdq", PDQ)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_import_round_trip_is_identical(tmp_path: Path, fmt: str) -> None:
    store = str(tmp_path / "evidence")
    sources = {"te": ("l.txt", TE_LIST), "csv": ("l.csv", CSV_LIST), "tat": ("l.json", json.dumps(TAT_ITEMS))}
    name, text = sources[fmt]
    bank("import", str(write(tmp_path, name, text)), "--name", "ORIGINAL", "--format", fmt, "--store", store)
    first, second = tmp_path / f"first.{fmt}", tmp_path / f"second.{fmt}"
    assert bank("export", "ORIGINAL", "--format", fmt, "-o", str(first), "--store", store).exit_code == 0
    imported = bank("import", str(first), "--name", "COPY", "--format", fmt, "--store", store)
    assert imported.exit_code == 0, imported.output
    assert bank("export", "COPY", "--format", fmt, "-o", str(second), "--store", store).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    original, copy = (load_bank(store_of(tmp_path), n) for n in ("ORIGINAL", "COPY"))
    assert carried(original, fmt) == carried(copy, fmt) and len(copy.entries) == len(original.entries)


def carried(found: Bank, fmt: str) -> list[tuple[object, ...]]:
    """What format ``fmt`` carries of each entry."""
    if fmt == "te":
        return [e.key for e in found.entries]
    if fmt == "csv":
        return [(*e.key, e.labels, e.source) for e in found.entries]
    return [(*e.key, e.labels, e.meta) for e in found.entries]


def test_export_to_stdout_names_what_a_format_cannot_hold(tmp_path: Path) -> None:
    store = str(tmp_path / "evidence")
    bank("import", str(write(tmp_path, "l.txt", TE_LIST)), "--name", "ISKP", "--format", "te", "--store", store)
    done = bank("export", "ISKP", "--format", "tat", "--store", store)
    assert done.exit_code == 0
    assert [item["algorithm"] for item in json.loads(done.stdout)] == ["MD5", "PDQ", "PDQ", "SHA256"]
    assert done.stderr == ("archiver: warning: 2 entries of ISKP@v1 (text, vpdq) cannot be written in the tat "
                           "format; left out\n")


def test_ls(tmp_path: Path) -> None:
    store = str(tmp_path / "evidence")
    bank("import", str(write(tmp_path, "l.txt", TE_LIST)), "--name", "ISKP", "--format", "te", "--store", store)
    bank("import", str(write(tmp_path, "t.json", json.dumps(TAT_ITEMS))), "--name", "TTP_PROPAGANDA",
         "--format", "tat", "--store", store)
    rows = [json.loads(line) for line in bank("ls", "--json", "--store", store).stdout.splitlines()]
    assert [(r["bank"], r["version"], r["entries"]) for r in rows] == [("ISKP", 1, 6), ("TTP_PROPAGANDA", 1, 3)]
    assert rows[0]["by_type"] == {"pdq": 2, "vpdq": 1, "md5": 1, "sha256": 1, "text": 1}
    human = bank("ls", "--store", store).stdout.splitlines()
    assert human[1].startswith("TTP_PROPAGANDA  v1  ") and human[1].endswith("3 entries  pdq=1 md5=1 sha256=1  (from t.json)")


@pytest.mark.parametrize(("args", "message"), [
    (["import", "{tmp}/missing.txt", "--name", "ISKP", "--format", "te"], "no such file: {tmp}/missing.txt"),
    (["import", "{tmp}/empty.json", "--name", "ISKP", "--format", "tat"], "{tmp}/empty.json: the file is empty"),
    (["import", "{tmp}/bad.json", "--name", "ISKP", "--format", "tat"], "{tmp}/bad.json: not JSON: "),
    (["import", "{tmp}/object.json", "--name", "ISKP", "--format", "tat"], "expected a JSON list of hash items"),
    (["import", "{tmp}/noheader.csv", "--name", "ISKP", "--format", "csv"], "the first line must be the header"),
    (["import", "{tmp}/allbad.txt", "--name", "ISKP", "--format", "te"], "nothing imported: "),
    (["import", "{tmp}/bad.json", "--name", "Iskp", "--format", "tat"], "bank names are CAPS_AND_UNDERSCORE"),
    (["import", "{tmp}/bad.json", "--name", "ISKP-2", "--format", "tat"], "bank names are CAPS_AND_UNDERSCORE"),
    (["export", "NOPE", "--format", "te"], "no bank NOPE in "),
    (["ls", "--store", "{tmp}/nowhere"], "no such store: {tmp}/nowhere"),
    (["ls", "--store", "s3://bucket/cases"], "hash banks are kept in local stores only"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    write(tmp_path, "empty.json", "\n \n")
    write(tmp_path, "bad.json", '[{"hash_digest": ')
    write(tmp_path, "object.json", '{"hash_digest": "00"}')
    write(tmp_path, "noheader.csv", f"pdq,{PDQ},ISKP,x\n")
    write(tmp_path, "allbad.txt", "# nothing good\npdq xyz\n")
    argv = [arg.format(tmp=tmp_path) for arg in args]
    if "--store" not in argv:
        argv += ["--store", str(tmp_path / "evidence")]
    done = bank(*argv)
    assert done.exit_code == 2, done.output
    last = done.stderr.splitlines()[-1]
    assert last.startswith("archiver: error: ") and message.format(tmp=tmp_path) in last
    assert all(line.startswith("archiver: skipped ") for line in done.stderr.splitlines()[:-1])
    assert not (tmp_path / "evidence" / ".archiver" / "banks" / "ISKP").exists()


def test_export_never_overwrites(tmp_path: Path) -> None:
    store = str(tmp_path / "evidence")
    bank("import", str(write(tmp_path, "l.txt", f"md5 {MD5}\n")), "--name", "B", "--format", "te", "--store", store)
    taken = write(tmp_path, "out.csv", "keep me")
    done = bank("export", "B", "--format", "csv", "-o", str(taken), "--store", store)
    assert done.exit_code == 2 and taken.read_text() == "keep me"


def test_older_versions_and_missing_ones(tmp_path: Path) -> None:
    store = str(tmp_path / "evidence")
    for number, signal in enumerate((MD5, "ab" * 16), 1):
        bank("import", str(write(tmp_path, f"{number}.txt", f"md5 {signal}\n")), "--name", "B", "--format", "te",
             "--store", store)
    assert bank("export", "B", "--format", "te", "--version", "1", "--store", store).stdout == f"md5 {MD5}\n"
    missing = bank("export", "B", "--format", "te", "--version", "3", "--store", store)
    assert missing.exit_code == 2 and "bank B has no version 3 (it has v1-v2)" in missing.stderr


def test_an_import_racing_another_writes_nothing(tmp_path: Path) -> None:
    store = store_of(tmp_path)
    save_version(store, "B", 1, [BankEntry("md5", MD5)], {"file": "a.txt"})
    made_from_v1 = [*load_bank(store, "B").entries, BankEntry("md5", "ab" * 16)]
    save_version(store, "B", 2, [BankEntry("md5", "cd" * 16)], {"file": "other.txt"})  # the other import
    with pytest.raises(EnvironmentFailure, match="another import wrote version 2 of B") as raised:
        save_version(store, "B", 2, made_from_v1, {"file": "b.txt"})
    assert raised.value.exit_code == EXIT_ENVIRONMENT
    assert [e.signal for e in load_bank(store, "B").entries] == ["cd" * 16]


@pytest.mark.parametrize(("signal_type", "value", "expected"), [
    ("pdq", "ABC", "0" * 61 + "abc"),
    ("md5", f" {MD5.upper()} ", MD5),
    ("vpdq", '["ABC,50,1.23456"]', json.dumps(["0" * 61 + "abc,50,1.235"])),
    ("text", "a\n\tb  c", "a b c"),
])
def test_values_are_normalised(signal_type: str, value: str, expected: str) -> None:
    assert normalised(signal_type, value) == expected


def test_installed_command(tmp_path: Path) -> None:
    archiver = str(Path(sys.executable).parent / "archiver")
    done = subprocess.run([archiver, "bank", "import", str(tmp_path / "missing.csv"), "--name", "ISKP",
                           "--format", "csv", "--store", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr == f"archiver: error: no such file: {tmp_path}/missing.csv\n"
