"""``archiver mirrors``: the accounts of a store ranked as candidate mirrors of one account, each
signal shown on its own; ``--report`` writes the referral package (HTML or PDF)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archiver.bundle import MANIFEST
from archiver.commands.common import open_store, plugin_manager
from archiver.commands.outputs import write_new
from archiver.commands.store_command import StoreCommand
from archiver.errors import ArchiverError, EvidenceError
from archiver.hashing import hash_bytes
from archiver.name_similarity import AS_WRITTEN
from archiver.storage.base import Store, StoreUsageError
from archiver.storage.local import DEFAULT_LOCATION

if TYPE_CHECKING:
    from archiver.accounts import KnownAccount
    from archiver.bank import Bank
    from archiver.matcher import Rules
    from archiver.mirror_candidates import MirrorCandidate

@click.command(name="mirrors", cls=StoreCommand)
@click.argument("target")
@click.option("--store", "location", help=f"The store to search (default: the bundle's own store; for a URL, "
                                          f"{DEFAULT_LOCATION}).")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object: the account, the rule, every candidate's signals.")
@click.option("--report", "report_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the referral package here (a new file): PDF if it ends in .pdf, else HTML.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Candidates shown.")
@click.option("--max-distance", type=click.IntRange(0, 256), default=31, show_default=True,
              help="PDQ Hamming distance at which two images match.")
@click.option("--min-quality", type=click.IntRange(0, 100), default=50, show_default=True,
              help="PDQ hashes of lower quality are not matched.")
@click.option("--min-video-share", type=click.FloatRange(0, 1), default=0.8, show_default=True,
              help="Share of a video's frames that must match for the video to match.")
@click.option("--browser-path", type=click.Path(path_type=Path), help="Chromium to print the PDF with.")
@click.pass_context
def mirrors(ctx: click.Context, /, target: str, location: str | None, as_json: bool, report_path: Path | None,
            top: int, max_distance: int, min_quality: int, min_video_share: float, browser_path: Path | None,
            **store_options: Any) -> None:
    """Rank the other accounts of the store as mirrors of TARGET: an account's URL
    (https://x.com/NAME) or one of its bundles (a folder)."""
    from archiver.accounts import account_of_bundle, account_of_url, known_accounts, store_signals
    from archiver.bank_table import bank_table
    from archiver.image_signals import PdqRule
    from archiver.matcher import Rules
    from archiver.mirror_candidates import ABOVE_THRESHOLD, rank
    from archiver.platforms import Platforms

    if report_path is not None and report_path.exists():
        raise ArchiverError(f"{report_path} already exists; not overwriting it")
    pm = plugin_manager(ctx)
    folder = Path(target)
    is_bundle = (folder / MANIFEST).is_file()
    if not is_bundle and "://" not in target:
        raise ArchiverError(f"{target} is neither a bundle folder nor an account's URL")
    store = open_store(pm, location or (str(folder.resolve().parent) if is_bundle else DEFAULT_LOCATION),
                       store_options)
    accounts = known_accounts(store_signals(store))
    account = (account_of_bundle(accounts, folder.resolve().name) if is_bundle
               else account_of_url(accounts, target, Platforms.from_plugins(pm)))
    banks = banks_of(store)
    rule = Rules(PdqRule(max_distance, min_quality), min_video_share)
    candidates = rank(account, accounts, [bank_table(bank) for bank in banks], rule)[:top]
    refs = [bank.ref for bank in banks]
    if as_json:
        click.echo(json.dumps({"account": {"platform": account.platform, "handle": account.handle,
                                           "bundles": [found.bundle_id for found in account.bundles]},
                               "store": store.location, "rules": rule.record(),
                               "above_threshold": ABOVE_THRESHOLD, "banks": refs,
                               "accounts_compared": len(accounts) - 1,
                               "candidates": [candidate.record() for candidate in candidates]},
                              ensure_ascii=False))
    else:
        click.echo(f"mirrors of {account.label}: {len(account.bundles)} bundles, {len(account.media)} media "
                   f"items, {len(account.avatars)} avatars; {len(accounts) - 1} other accounts compared; "
                   f"banks: {', '.join(refs) or 'none'}")
        click.echo(f"rule: PDQ distance <= {max_distance}, quality >= {min_quality}; video >= "
                   f"{min_video_share:.0%} of frames; above the threshold: {ABOVE_THRESHOLD}")
        for number, candidate in enumerate(candidates, start=1):
            click.echo(candidate_lines(number, candidate.record()))
    if report_path is not None:
        data = report_bytes(store, report_path, account, candidates, rule, refs, len(accounts) - 1,
                            browser_path)
        write_new(report_path, data)
        # With --json, standard output holds the JSON object alone.
        click.echo(f"report {report_path} ({hash_bytes(data)})", err=as_json)


def banks_of(store: Store) -> list[Bank]:
    from archiver.bank import all_banks

    try:
        return all_banks(store)
    except StoreUsageError:  # banks are kept in local stores only
        click.echo(f"archiver: note: {store.location} keeps no banks; media are matched between accounts "
                   "only", err=True)
        return []


def candidate_lines(number: int, found: dict[str, Any]) -> str:
    media, avatar, bio = found["media"], found["avatar"], found["bio_similarity"]
    avatar_text = "-" if avatar is None else f"{avatar['distance']}{' (match)' if avatar['matched'] else ''}"
    head = (f"{number:>2}  {found['platform']}/{found['handle']}  "
            f"{'ABOVE' if found['above_threshold'] else 'below'}  "
            f"media {media['matched']}/{media['total']} matched ({media['share']:.0%}; "
            f"{media['matched_banks']} in banks)  avatar {avatar_text}  "
            f"handle {name_score(found['handle_similarity'])}  "
            f"name {name_score(found['display_name_similarity'])}  "
            f"bio {'-' if bio is None else bio['score']}  links {len(found['shared_links'])}")
    lines = [head]
    for item in media["items"]:
        theirs = item["item"]
        line = f"      {theirs['bundle_id']} {theirs['path']}"
        if "account_item" in item:
            ours, match = item["account_item"], item["match"]
            line += f" ~ {ours['bundle_id']} {ours['path']}: {match.get('how')}"
            line += f" distance {match['distance']}" if "distance" in match else ""
        for hit in item["bank_hits"]:
            labels = f" {', '.join(hit['labels'])}" if hit["labels"] else ""
            line += f"; bank {hit['bank']} {hit['how']}{labels}"
        lines.append(line)
    return "\n".join(lines)


def name_score(similar: dict[str, Any] | None) -> str:
    """The score; a star when the names were compared as transliterated skeletons (two scripts)."""
    if similar is None:
        return "-"
    return f"{similar['score']:g}" + ("" if similar["via"] == AS_WRITTEN else "*")


def report_bytes(store: Store, output: Path, account: KnownAccount, candidates: list[MirrorCandidate],
                 rule: Rules, refs: list[str], compared: int, browser_path: Path | None) -> bytes:
    from playwright.async_api import Error as PlaywrightError

    from archiver.mirror_report import gather
    from archiver.report import render_html
    from archiver.report_pdf import html_to_pdf

    document = render_html(gather(store, account, candidates, rule, refs, compared), "mirrors.html")
    if output.suffix.lower() == ".pdf":
        try:
            data: bytes = html_to_pdf(document, f"Mirror accounts of {account.label}", browser_path)
        except PlaywrightError as exc:
            raise EvidenceError(f"printing the PDF failed: {str(exc).splitlines()[0]}") from None
        return data
    return document.encode("utf-8")
