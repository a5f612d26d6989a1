"""``archiver verify``: re-check stored bundles."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archiver.batchverify import ERROR, already_reported, captured_since, verify_many
from archiver.bundle import MANIFEST
from archiver.clock import utc_seconds
from archiver.cluster import ClusterOptions
from archiver.cluster_verify import DEFAULT_CHUNK, verify_on_cluster
from archiver.commands.cluster_options import shared_store_option
from archiver.commands.common import open_store, plugin_manager
from archiver.commands.progress import progress_bar
from archiver.commands.store_command import StoreCommand
from archiver.commands.verify_ledger import ledger_reports
from archiver.commands.verify_wacz import is_wacz, verify_waczs
from archiver.errors import EXIT_PROBLEM, ArchiverError
from archiver.ids import is_bundle_id
from archiver.keys import Signer, load_key
from archiver.ledger import Head
from archiver.problem import OK
from archiver.storage.base import BundleReader, StoreError
from archiver.storage.local import local_bundle
from archiver.verify import BundleReport
from archiver.witness import parse_head

if TYPE_CHECKING:
    from cryptography import x509


def bundles_at(ctx: click.Context, location: str, store_options: Mapping[str, Any]) -> list[BundleReader]:
    path = Path(location)
    if "://" not in location:
        if not path.exists():
            raise ArchiverError(f"no such bundle or store: {location}")
        if (path / MANIFEST).exists() or is_bundle_id(path.name):
            return [local_bundle(path)]
    store = open_store(plugin_manager(ctx), location, store_options)
    return [store.reader(bundle_id) for bundle_id in store.bundle_ids()]


@click.command(cls=StoreCommand)
@click.argument("paths", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per bundle.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32),
              help="Bundles verified in parallel.")
@click.option("--report", "report_path", type=click.Path(path_type=Path),
              help="Append one JSON line per bundle, then a summary line.")
@click.option("--resume", is_flag=True, help="Skip bundles already in --report.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
              help="Only bundles captured at or after this UTC date.")
@click.option("--record", is_flag=True,
              help="Append a signed 'verified' custody event to each bundle (in S3: as a new object).")
@click.option("--deep", is_flag=True,
              help="Also re-read every WARC record (digests, artifact copies, capture record) even when "
                   "the WARC's SHA-256 and the signature already hold.")
@click.option("--tsa-ca", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Trusted CA certificates (PEM, or one DER) for timestamp tokens' chains.")
@click.option("--ledger", "ledger_file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="The store ledger handed over with bundles copied out of their store.")
@click.option("--ledger-head", "ledger_heads", multiple=True, metavar="'#N sha256:HEX'",
              help="A head printed by 'archiver ledger' and kept outside the store: it must still be there.")
@click.option("--cluster", metavar="tcp://HOST:PORT",
              help="Verify on the workers of this Dask scheduler. Default: $ARCHIVER_CLUSTER, the cluster "
                   "setting; none: here.")
@click.option("--chunk-size", default=DEFAULT_CHUNK, show_default=True, type=click.IntRange(1),
              help="With --cluster: at most this many bundles per task.")
@shared_store_option
@click.pass_context
def verify(ctx: click.Context, /, paths: tuple[str, ...], as_json: bool, workers: int,
           report_path: Path | None, resume: bool, since: datetime | None, record: bool,
           tsa_ca: Path | None, deep: bool, ledger_file: Path | None, ledger_heads: tuple[str, ...],
           cluster: str | None, chunk_size: int, shared_store: bool, **store_options: Any) -> None:
    """Verify bundles (a bundle folder or a whole store) or exported WACZ files. Exit 0 all OK, 1 any
    problem, 2 usage."""
    if any(is_wacz(p) for p in paths):
        given = {"--workers": workers != 1, "--report": report_path, "--resume": resume, "--since": since,
                 "--record": record, "--ledger": ledger_file, "--ledger-head": ledger_heads}
        verify_waczs(paths, as_json=as_json, tsa_ca=load_tsa_ca(tsa_ca) if tsa_ca else [], deep=deep,
                     bundle_options=[name for name, value in given.items() if value])
        return
    if resume and report_path is None:
        raise ArchiverError("--resume needs --report FILE")
    bundles = [b for location in paths for b in bundles_at(ctx, location, store_options)]
    if not bundles:
        raise ArchiverError(f"no bundles found in {', '.join(paths)}")
    since_utc = since.replace(tzinfo=UTC) if since else None
    skip = already_reported(report_path) if (resume and report_path) else set()
    todo = [b for b in bundles if b.bundle_id not in skip and captured_since(b.bundle_id, since_utc)]
    signer = load_key() if record else None
    heads = parse_heads(ledger_heads)
    tsa_roots = load_tsa_ca(tsa_ca) if tsa_ca else []
    report_file = report_path.open("a", encoding="utf-8") if report_path else None
    readers = {b.location: b for b in todo}
    bad = 0
    show = sys.stderr.isatty() and not as_json
    progress = progress_bar("verifying", len(todo), show)

    def on_report(report: BundleReport, seconds: float) -> None:
        nonlocal bad
        bad += report.result != OK
        entry = {**report.to_dict(), "duration_s": round(seconds, 3), "checked_at": utc_seconds()}
        if report_file:
            report_file.write(json.dumps(entry) + "\n")
            report_file.flush()
        if signer is not None and (trouble := record_event(report, signer, readers)):
            bad += 1
            click.echo(f"archiver: warning: {trouble}", err=True)
        line = json.dumps(report.to_dict()) if as_json else report.line()
        progress.echo(line)
        progress.advance()

    with progress:
        if cluster:
            summary = verify_on_cluster(
                ClusterOptions(cluster, shared_store), todo, on_report=on_report, chunk_size=chunk_size,
                store_options=store_options, disabled_plugins=tuple((ctx.find_root().obj or {}).get(
                    "disabled_plugins", ())), deep=deep, tsa_ca=tsa_ca.read_bytes() if tsa_ca else b"",
                ledger_file=ledger_file)
        else:
            summary = verify_many(todo, workers=workers, on_report=on_report, tsa_ca=tsa_roots,
                                  deep=deep, ledger_file=ledger_file)
        for store_report in ledger_reports(paths, heads, ledger_file):
            on_report(store_report, 0.0)
    if report_file:
        summary["summary"]["skipped_already_reported"] = len(skip)
        report_file.write(json.dumps(summary) + "\n")
        report_file.close()
    if bad:
        raise SystemExit(EXIT_PROBLEM)


def parse_heads(texts: tuple[str, ...]) -> list[Head]:
    try:
        return [parse_head(text) for text in texts]
    except ValueError as exc:
        raise ArchiverError(f"--ledger-head: {exc}") from None


def load_tsa_ca(path: Path) -> list[x509.Certificate]:
    from archiver.tstoken import load_certificates  # ASN.1 parsing: only for --tsa-ca

    try:
        return load_certificates(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ArchiverError(f"--tsa-ca {path}: not a PEM or DER certificate file ({exc})") from None


def record_event(report: BundleReport, signer: Signer, readers: dict[str, BundleReader]) -> str | None:
    """Append the 'verified' event; say why not when it could not be."""
    reader = readers.get(report.location)
    if reader is None or report.result == ERROR or any(p.kind == "missing" and p.path == MANIFEST
                                                       for p in report.problems):
        return None  # a store's ledger, no verdict, or nothing sealed to attach an event to
    details = {"result": report.result, "problems": len(report.problems)}
    try:
        reader.append_event(event="verified", actor=None, details=details, signer=signer)
    except StoreError as exc:
        return f"{report.bundle_id}: 'verified' custody event not recorded: {exc}"
    return None
