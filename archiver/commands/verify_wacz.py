"""``archiver verify FILE.wacz``: exported WACZ packages (archiver/wacz_verify.py), one line each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from archiver.errors import EXIT_PROBLEM, ArchiverError
from archiver.problem import OK

if TYPE_CHECKING:
    from cryptography import x509


def is_wacz(location: str) -> bool:
    return location.endswith(".wacz") and "://" not in location


def verify_waczs(paths: tuple[str, ...], *, as_json: bool, tsa_ca: list[x509.Certificate], deep: bool,
                 bundle_options: list[str]) -> None:
    """Verify each WACZ; exit 1 when any is not OK. ``bundle_options``: options given that apply to
    bundles only."""
    from archiver.wacz_verify import verify_wacz

    if not all(is_wacz(p) for p in paths):
        raise ArchiverError("verify WACZ files apart from bundles and stores (one command each)")
    if bundle_options:
        raise ArchiverError(f"{', '.join(bundle_options)}: not for WACZ files")
    for location in paths:
        if not Path(location).is_file():
            raise ArchiverError(f"no such file: {location}")
    bad = 0
    for location in paths:
        report = verify_wacz(Path(location), tsa_ca=tsa_ca, deep=deep)
        bad += report.result != OK
        click.echo(json.dumps(report.to_dict()) if as_json else report.line())
    if bad:
        raise SystemExit(EXIT_PROBLEM)
