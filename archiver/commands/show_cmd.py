"""``archiver show``: a bundle summary for people, or its manifest for machines."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from archiver.bundle import MANIFEST
from archiver.errors import ArchiverError
from archiver.ids import is_bundle_id
from archiver.manifest import Manifest
from archiver.report_sections import media_rows, navigations, setting_warnings


def post_card(post: dict[str, Any]) -> list[tuple[str, str]]:
    author = post.get("author") or {}
    handle = f"@{author['handle']}" if author.get("handle") else None
    who = " ".join(x for x in (author.get("display_name"), handle) if x)
    counts = {k: v for k, v in (post.get("counts") or {}).items() if v is not None}
    rows = [
        ("Platform", post.get("platform") or ""),
        ("Kind", post.get("kind") or ""),
        ("Author", who),
        ("Published", post.get("published_at") or "unknown"),
        ("Text", (post.get("text") or "")[:500]),
        *media_rows(post),
        ("Counts", ", ".join(f"{k} {v}" for k, v in counts.items())),
    ]
    return [(k, v) for k, v in rows if v]


@click.command()
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True,
              help="Print the manifest as JSON, with setting_warnings added: the recorded capture settings "
                   "that weaken what the bundle shows (--insecure, --ca-bundle, --resolve, "
                   "--allow-private-networks).")
def show(bundle: Path, as_json: bool) -> None:
    """Summarise one bundle."""
    if not bundle.is_dir():
        raise ArchiverError(f"no such bundle folder: {bundle}")
    if any(is_bundle_id(child.name) for child in bundle.iterdir()):
        raise ArchiverError(f"{bundle} is a store, not a bundle: pass one of its folders (see 'archiver ls "
                            f"{bundle}')")
    if not (bundle / MANIFEST).exists():
        raise ArchiverError(f"{bundle} has no manifest.json (not a bundle, or an interrupted capture)")
    manifest = Manifest.load(bundle / MANIFEST)
    warnings = setting_warnings(manifest)
    if as_json:
        shown = {**manifest.raw, "setting_warnings": [asdict(warning) for warning in warnings]}
        click.echo(json.dumps(shown, indent=2, ensure_ascii=False))
        return
    console = Console()
    for warning in warnings:  # first: a reader who stops after one screen still sees them
        console.print(f"[bold yellow]WARNING[/] {escape(warning.line())}")
    table = Table(show_header=False, box=None)
    for key, value in (
        ("Bundle", manifest.bundle_id),
        ("Case", manifest.case_id or ""),
        ("Operator", manifest.operator or ""),
        ("Status", manifest.status + (f" ({manifest.reason})" if manifest.reason else "")),
        ("Requested", manifest.requested_url),
        ("Final URL", manifest.final_url or ""),
        ("Canonical", manifest.canonical_url or ""),
        ("Captured", f"{manifest.started_at} .. {manifest.ended_at} (UTC)"),
        ("Server IP", manifest.server_ip or "unknown"),
        ("TLS cert", str((manifest.tls or {}).get("subject", "none"))),
        ("Browser", f"{manifest.browser.name} {manifest.browser.version}"),
        ("Exchanges", str(manifest.network.exchanges)),
        ("Blocked", str(len(manifest.network.blocked))),
        ("Failed", str(len(manifest.network.failed))),
        *(("Navigation", f"stopped: {line}") for line in navigations(manifest.network)),
    ):
        table.add_row(f"[bold]{key}", escape(value))  # page text is not markup
    if manifest.post:
        for key, value in post_card(manifest.post):
            table.add_row(f"[bold]{key}", escape(value))  # page text is not markup
    console.print(table)
    artifacts = Table("artifact", "size", "sha256", "pdq")
    for entry in manifest.artifacts:
        pdq = (entry.perceptual_hashes or {}).get("pdq", {}).get("hash", "")
        artifacts.add_row(entry.path, str(entry.size), entry.sha256, pdq[:16])
    console.print(artifacts)
