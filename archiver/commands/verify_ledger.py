"""What ``archiver verify`` reports of a local store's ledger besides each bundle."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from archiver.ids import is_bundle_id
from archiver.ledger import LEDGER_DIR, Head, ledger_of_store, load_cached
from archiver.verify import BundleReport
from archiver.witness import KIND, LEDGER_NAME, store_findings


def ledger_reports(locations: Sequence[str], heads: Sequence[Head],
                   ledger_file: Path | None = None) -> list[BundleReport]:
    """One report per local store given whose ledger shows a removed bundle, damage, or lost head.

    With ``ledger_file`` (a ledger handed over beside lone bundles) only the heads are checked
    against it: the bundles it names need not all be here.
    """
    targets: list[tuple[Path | None, Path]] = [(Path(loc), ledger_of_store(Path(loc))) for loc in locations
               if "://" not in loc and (Path(loc) / LEDGER_DIR).is_dir()]
    if ledger_file is not None:
        targets = [(None, ledger_file)]
    reports = []
    for root, path in targets:
        ledger = load_cached(path)
        report = BundleReport("ledger", str(path))
        if ledger is None:
            report.problem(KIND, LEDGER_NAME, "the store keeps a ledger, but its file is gone")
        else:
            present = ({p.name for p in root.iterdir() if p.is_dir() and is_bundle_id(p.name)} if root
                       else set(ledger.by_bundle))
            report.add(*store_findings(ledger, present, heads))
        if report.problems:
            reports.append(report)
    return reports
