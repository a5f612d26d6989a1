"""The PDQ index returns exactly what brute force returns, survives a save and a load, and a
crash while saving leaves the index that was there before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from archiver import pdqsegment
from archiver.pdqindex import INDEX_FILE, PdqIndex, PdqIndexError
from archiver.pdqwords import PdqHashError, distances, to_hex, to_words

Words = npt.NDArray[np.uint64]


def random_words(count: int, seed: int) -> Words:
    return np.random.default_rng(seed).integers(0, 2**64 - 1, size=(count, 4), dtype=np.uint64, endpoint=True)


def flipped(word: Words, bits: int, rng: np.random.Generator) -> Words:
    """``word`` with ``bits`` distinct bits flipped: at exactly that distance."""
    near = word.copy()
    for bit in rng.choice(256, bits, replace=False):
        near[bit // 64] ^= np.uint64(1 << (63 - bit % 64))
    return near


def brute_force(stored: Words, query: Words, radius: int) -> list[tuple[int, int]]:
    distance = distances(stored, query)
    near = np.flatnonzero(distance <= radius)
    return sorted(zip(near.tolist(), distance[near].tolist(), strict=True), key=lambda pair: (pair[1], pair[0]))


@pytest.fixture(scope="module")
def stored() -> Words:
    return random_words(200_000, seed=1)


@pytest.fixture(scope="module")
def index(stored: Words) -> PdqIndex:
    """Added in uneven batches, so that queries cross merged segments, small ones and the scanned
    tail; the last ones a few at a time, as an index of captures grows."""
    index = PdqIndex()
    for start, stop in [(0, 150_000), (150_000, 151_000), (151_000, 190_000), (190_000, 195_000),
                        *((first, first + 50) for first in range(195_000, 200_000, 50))]:
        assert index.add(stored[start:stop]) == range(start, stop)
    assert [part.segment.rows for part in index._parts] == [150_000, 40_000, 10_000]
    return index


def test_every_hash_within_31_is_found_and_none_beyond(stored: Words, index: PdqIndex) -> None:
    rng = np.random.default_rng(2)
    planted = [(int(row), bits) for bits in range(41) for row in rng.choice(len(stored), 5, replace=False)]
    queries = np.stack([flipped(stored[row], bits, rng) for row, bits in planted] + list(random_words(100, seed=3)))
    results = index.query_batch(queries)
    for number, query in enumerate(queries):
        assert results[number] == brute_force(stored, query, 31)
    for (row, bits), result in zip(planted, results, strict=False):
        assert ((row, bits) in result) == (bits <= 31)
    assert all(not result for result in results[len(planted):])  # random 256-bit hashes are ~128 apart


def test_the_hardest_neighbours_are_found(stored: Words, index: PdqIndex) -> None:
    """31 bits flipped as evenly as possible over a segment's substrings, so that the neighbour
    is within a table's probe radius in one substring only: every rotation of that, for every
    segment. Random flips rarely come this close to the pigeonhole bound."""
    rng = np.random.default_rng(8)
    for part in index._parts:
        widths = part.segment.widths
        if not widths:
            continue  # the tail: scanned, no tables
        starts = np.cumsum((0, *widths[:-1]))
        within, more = divmod(31, len(widths))
        for rotation in range(len(widths)):
            row = part.first_id + int(rng.integers(part.segment.rows))
            near = stored[row].copy()
            for number, (start, width) in enumerate(zip(starts, widths, strict=True)):
                count = within + 1 if (number - rotation) % len(widths) < more else within
                for bit in start + rng.choice(width, count, replace=False):
                    near[bit // 64] ^= np.uint64(1 << (63 - int(bit) % 64))
            assert (row, 31) in index.query(to_hex(near[None])[0])


@pytest.mark.parametrize("radius", [0, 8, 20, 45])
def test_other_radii_agree_with_brute_force(stored: Words, index: PdqIndex, radius: int) -> None:
    rng = np.random.default_rng(radius)
    rows = rng.choice(len(stored), 20, replace=False)
    queries = np.stack([flipped(stored[row], int(rng.integers(0, radius + 3)), rng) for row in rows])
    assert index.query_batch(queries, radius) == [brute_force(stored, query, radius) for query in queries]


def test_row_numbers_of_4_bytes_as_in_segments_over_2_to_the_24(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdqsegment, "id_width", lambda rows: 4)
    stored = random_words(20_000, seed=9)
    index = PdqIndex()
    index.add(stored)
    assert len(index._parts[0].segment.ids) == 4 * 20_000 * len(index._parts[0].segment.widths) + 1
    queries = stored[::1_000].copy()
    queries[:, 0] ^= np.uint64(0xFFFF)  # 16 bits away
    expected = [brute_force(stored, query, 31) for query in queries]
    assert index.query_batch(queries) == expected
    assert [hits[0][1] for hits in expected] == [16] * len(queries)


def test_one_query_by_hex(stored: Words, index: PdqIndex) -> None:
    hex_hash = to_hex(stored[123_456:123_457])[0]
    assert index.query(hex_hash)[0] == (123_456, 0)
    assert index.query(hex_hash.upper())[0] == (123_456, 0)


def test_hex_is_64_lowercase_digits_zero_padded() -> None:
    hashes = ["00" + "f" * 62, "0" * 64]
    assert to_hex(to_words(hashes)) == hashes
    assert distances(to_words(["f" * 64]), to_words(["0" * 64])[0]).tolist() == [256]
    with pytest.raises(PdqHashError, match="hash 1 is not a PDQ hash"):
        to_words(["f" * 63])  # a hash whose leading zero was dropped is refused, never guessed


def test_saved_and_loaded_it_answers_the_same_and_takes_more(tmp_path: Path, stored: Words,
                                                             index: PdqIndex) -> None:
    queries = stored[::20_000]
    index.save(tmp_path)
    loaded = PdqIndex.load(tmp_path)
    assert len(loaded) == len(stored)
    assert loaded.query_batch(queries) == index.query_batch(queries)
    assert isinstance(loaded._parts[0].segment.words, np.memmap)

    more = random_words(30_000, seed=4)
    assert loaded.add(more[:5]) == range(200_000, 200_005)  # onto the loaded tail, which is read-only
    assert loaded.query(to_hex(more[4:5])[0]) == [(200_004, 0)]
    assert loaded.add(more[5:]) == range(200_005, 230_000)
    loaded.save(tmp_path)
    again = PdqIndex.load(tmp_path)
    assert again.query(to_hex(more[-1:])[0]) == [(229_999, 0)]
    assert again.query_batch(queries) == index.query_batch(queries)
    listing = json.loads((tmp_path / INDEX_FILE).read_text())
    named = {f"{segment['name']}.{kind}.npy" for segment in listing["segments"] for kind in ("words", "ids", "offsets")}
    assert {path.name for path in tmp_path.iterdir()} == named | {INDEX_FILE}  # nothing left of older segments


def test_a_rebuild_is_one_segment_with_the_same_answers(stored: Words, index: PdqIndex) -> None:
    rebuilt = PdqIndex()
    rebuilt.add(stored[:150_000])
    rebuilt.add(stored[150_000:])
    queries = stored[::7_000]
    expected = index.query_batch(queries)
    rebuilt.compact()
    assert len(rebuilt._parts) == 1
    assert rebuilt.query_batch(queries) == expected


def test_a_damaged_index_is_an_error_naming_the_cure(tmp_path: Path) -> None:
    with pytest.raises(PdqIndexError, match="no PDQ index"):
        PdqIndex.load(tmp_path)
    index = PdqIndex()
    index.add(random_words(20_000, seed=5))
    index.save(tmp_path)
    listing = json.loads((tmp_path / INDEX_FILE).read_text())
    (tmp_path / f"{listing['segments'][0]['name']}.ids.npy").write_bytes(b"\x93NUMPY")
    with pytest.raises(PdqIndexError, match="damaged .*rebuild it from the bundles"):
        PdqIndex.load(tmp_path)


SAVER = """
import sys
from pathlib import Path
import numpy as np
from archiver.pdqindex import PdqIndex
folder = Path(sys.argv[1])
index = PdqIndex.load(folder)
index.add(np.random.default_rng(7).integers(0, 2**63, size=(20_000, 4), dtype=np.uint64))
index.save(folder)
"""


def save_more(folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", SAVER, str(folder)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **env})


def test_killed_while_saving_it_leaves_the_index_before(tmp_path: Path) -> None:
    before = random_words(20_000, seed=6)
    index = PdqIndex()
    index.add(before)
    probe = before[::2_000]
    expected = index.query_batch(probe)

    log = tmp_path / "steps.log"
    (tmp_path / "logged").mkdir()
    index.save(tmp_path / "logged")
    assert save_more(tmp_path / "logged", ARCHIVER_FAULT_LOG=str(log)).returncode == 0
    steps = list(dict.fromkeys(log.read_text().splitlines()))
    assert steps == ["index write words", "index write ids", "index write offsets", "index write index.json",
                     "index remove old files"]

    for step in steps:
        folder = tmp_path / step.replace(" ", "-")
        index.save(folder)
        killed = save_more(folder, ARCHIVER_FAULT_AT=step)
        assert killed.returncode == -9, killed.stderr
        after = PdqIndex.load(folder)
        assert len(after) == (40_000 if step == "index remove old files" else 20_000)
        assert after.query_batch(probe) == expected
        # Whatever the crash left (temporary files, unnamed segments) the next save clears away.
        assert save_more(folder).returncode == 0
        listing = json.loads((folder / INDEX_FILE).read_text())
        assert len(os.listdir(folder)) == 1 + 3 * len(listing["segments"])
