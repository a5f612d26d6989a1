"""``archiver ledger``: the store ledger's head, to record outside the store, and its check."""

from __future__ import annotations

import json
from pathlib import Path

import click

from archiver.errors import EXIT_PROBLEM, ArchiverError
from archiver.ids import is_bundle_id
from archiver.ledger import LEDGER_DIR, ledger_of_store, load
from archiver.witness import store_findings


@click.command()
@click.argument("store", type=click.Path(path_type=Path, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def ledger(store: Path, as_json: bool) -> None:
    """Check STORE's ledger of custody events and print its head.

    Keep the head outside the store (the case file, an e-mail to counsel): `archiver verify STORE
    --ledger-head "#N sha256:..."` later proves the ledger still holds it, so no event written
    before that moment was removed, not even the last one.
    """
    path = ledger_of_store(store)
    if not (store / LEDGER_DIR).is_dir():
        raise ArchiverError(f"{store} keeps no ledger (not a local store, or nothing was captured into it "
                            "yet)")
    if not path.is_file():
        click.echo(f"TAMPERED  {path}  the store keeps a ledger ({LEDGER_DIR}/) but the file is gone")
        raise SystemExit(EXIT_PROBLEM)
    checked = load(path)
    present = {p.name for p in store.iterdir() if p.is_dir() and is_bundle_id(p.name)}
    findings = store_findings(checked, present)
    result = "TAMPERED" if findings else "OK"
    if as_json:
        click.echo(json.dumps({"ledger": str(path), "result": result, "lines": len(checked.lines),
                               "head": str(checked.head), "bundles": len(checked.by_bundle),
                               "problems": [{"path": p.path, "detail": p.detail} for p in findings],
                               "torn_tail": checked.torn_tail}))
    else:
        click.echo(f"{result}  {path}  {len(checked.lines)} lines, {len(checked.by_bundle)} bundles")
        for finding in findings:
            click.echo(f"  {finding.line()}")
        click.echo(f"head {checked.head}")
    if findings:
        raise SystemExit(EXIT_PROBLEM)
