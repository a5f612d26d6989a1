"""How verify --cluster cuts a store into chunks: shrinking, so no worker thread idles long at the end."""

from __future__ import annotations

from archiver.cluster_verify import MIN_CHUNK, guided_chunks


def test_chunks_cover_the_bundles_in_order_and_shrink_to_the_smallest() -> None:
    ids = [f"b{n}" for n in range(600)]
    chunks = list(guided_chunks(ids, threads=2, most=1000))
    assert [bundle for chunk in chunks for bundle in chunk] == ids
    sizes = [len(chunk) for chunk in chunks]
    assert sizes[0] == 150  # half of what is left, per thread
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-2] == MIN_CHUNK and sizes[-1] <= MIN_CHUNK


def test_chunk_size_caps_every_chunk_even_below_the_smallest() -> None:
    ids = [f"b{n}" for n in range(5000)]
    assert max(len(chunk) for chunk in guided_chunks(ids, threads=2, most=1000)) == 1000
    assert {len(chunk) for chunk in guided_chunks(ids[:50], threads=8, most=2)} == {2}
