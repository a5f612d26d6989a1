"""``archiver match``: where else an image, a video, a bundle or a hash has been seen: the
store's index of every capture, and its hash banks."""

from __future__ import annotations

import json
from typing import Any

import click

from archiver.commands.common import open_store, plugin_manager
from archiver.commands.store_command import StoreCommand
from archiver.errors import ArchiverError
from archiver.image_signals import PdqRule
from archiver.match_sources import Sources
from archiver.match_target import hash_target, path_target
from archiver.matcher import Rules
from archiver.storage.base import Store
from archiver.storage.local import DEFAULT_LOCATION


@click.command(name="match", cls=StoreCommand)
@click.argument("target", required=False)
@click.option("--hash", "given_hash", metavar="TYPE:VALUE",
              help="Match one hash instead of a TARGET: pdq:<64 hex>, md5:, sha256: or sha512:<hex>.")
@click.option("--store", default=DEFAULT_LOCATION, show_default=True,
              help="The store whose index and banks to search (a folder or s3://...; banks: folders only).")
@click.option("--json", "as_json", is_flag=True, help="Print the query, the rules and every match as one "
                                                      "JSON object.")
@click.option("--max-distance", default=31, show_default=True, type=click.IntRange(0, 64),
              help="PDQ: the largest Hamming distance that matches.")
@click.option("--min-quality", default=50, show_default=True, type=click.IntRange(0, 100),
              help="PDQ: hashes of lower quality (flat, nearly blank images) are not matched.")
@click.option("--min-video-share", default=0.8, show_default=True, type=click.FloatRange(0, 1, min_open=True),
              help="Video: the share of the query's frames that must match frames of the other video.")
@click.option("--min-text-similarity", default=0.5, show_default=True,
              type=click.FloatRange(0, 1, min_open=True),
              help="Post text: the MinHash similarity that matches.")
@click.pass_context
def match(ctx: click.Context, /, target: str | None, given_hash: str | None, store: str, as_json: bool,
          max_distance: int, min_quality: int, min_video_share: float, min_text_similarity: float,
          **store_options: Any) -> None:
    """Match TARGET (an image, a video, a bundle folder or a bundle id of the store) against the
    store's match index and hash banks. Exit 0 whether anything matched or not."""
    if (target is None) == (given_hash is None):
        raise ArchiverError("give one TARGET (an image, a video, a bundle) or --hash TYPE:VALUE")
    backend = open_store(plugin_manager(ctx), store, store_options)
    asked = hash_target(given_hash) if given_hash else path_target(str(target), backend)
    sources = Sources.of_store(backend)
    rules = Rules(PdqRule(max_distance, min_quality), min_video_share, min_text_similarity)
    found = sources.find(asked.query, rules)
    notes = index_notes(backend, sources)
    if as_json:
        click.echo(json.dumps({"query": asked.record(), "rules": rules.record(), "searched": sources.record(),
                               "notes": notes, "matches": [m.to_json() for m in found]},
                              ensure_ascii=False))
        return
    for note in notes:
        click.echo(f"archiver: note: {note}", err=True)
    searched = sources.record()
    index = searched["index"]
    click.echo(f"rules: PDQ distance <= {max_distance}, quality >= {min_quality}; "
               f"video >= {min_video_share:.0%} of frames; text similarity >= {min_text_similarity}")
    covered = f"index of {index['bundles']} bundles (updated {index['updated']})" if index else "no index"
    click.echo(f"searched: {', '.join(searched['banks']) or 'no banks'}; {covered}")
    for found_match in found:
        click.echo(found_match.line())
    click.echo(f"{len(found)} matches" if found else "no match")


def index_notes(store: Store, sources: Sources) -> list[str]:
    """What the index does not cover, so that "no match" is read for what it is."""
    if sources.index is None:
        return [f"{store.location} has no match index yet, so only its banks were searched: "
                f"archiver index {store.location}"]
    missing = sum(1 for bundle_id in store.bundle_ids() if bundle_id not in sources.index.bundle_ids)
    if missing:
        return [f"{missing} bundles of {store.location} are not indexed yet: archiver index {store.location}"]
    return []
