"""Re-verifying many bundles: concurrent, resumable, with a JSON-lines report a lawyer can attach."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archiver.clock import utc_seconds
from archiver.ids import bundle_id_time_ms, is_bundle_id
from archiver.problem import Problem
from archiver.storage.base import BundleReader, StoreError
from archiver.verify import BundleReport, verify_bundle

if TYPE_CHECKING:
    from cryptography import x509

# The bundle could not be read to the end (store unreachable, object gone meanwhile...): not a
# verdict on the evidence, so --resume verifies it again.
ERROR = "ERROR"
RESULTS = ("OK", "TAMPERED", "INCOMPLETE", "UNPROTECTED", ERROR)


def already_reported(report_path: Path) -> set[str]:
    """Bundle ids a previous (interrupted) run already wrote to the report."""
    done: set[str] = set()
    if not report_path.exists():
        return done
    for line in report_path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line cut short by a crash is simply verified again
        if isinstance(entry, dict) and entry.get("bundle_id") and entry.get("result") != ERROR:
            done.add(entry["bundle_id"])
    return done


def captured_since(bundle_id: str, since: datetime | None) -> bool:
    if since is None or not is_bundle_id(bundle_id):
        return True
    return bundle_id_time_ms(bundle_id) >= since.timestamp() * 1000


def verify_many(bundles: Iterable[BundleReader], *, workers: int = 1,
                on_report: Callable[[BundleReport, float], None],
                tsa_ca: Sequence[x509.Certificate] = (), deep: bool = False,
                ledger_file: Path | None = None) -> dict[str, Any]:
    """Verify bundles with ``workers`` threads (hashing releases the GIL); return the summary.

    Each bundle is streamed file by file, so memory does not grow with object size or count.
    """
    tally = Tally()

    def one(bundle: BundleReader) -> tuple[BundleReport, float]:
        return verify_one(bundle, tsa_ca=tsa_ca, deep=deep, ledger_file=ledger_file)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for report, seconds in pool.map(one, bundles):
            tally.add(report)
            on_report(report, seconds)
    return tally.summary()


def verify_one(bundle: BundleReader, *, tsa_ca: Sequence[x509.Certificate] = (), deep: bool = False,
               ledger_file: Path | None = None) -> tuple[BundleReport, float]:
    """The bundle's report (ERROR when it could not be read to the end) and the seconds it took."""
    began = time.monotonic()
    try:
        report = verify_bundle(bundle, tsa_ca=tsa_ca, deep=deep, ledger_file=ledger_file)
    except (StoreError, OSError) as exc:
        report = BundleReport(bundle.bundle_id, bundle.location, result=ERROR,
                              problems=[Problem("store", "", str(exc), ERROR)])
    return report, time.monotonic() - began


class Tally:
    """The counts of a batch's summary line, from its reports as they come."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.counts: Counter[str] = Counter()
        self.bytes_read = 0

    def add(self, report: BundleReport) -> None:
        self.counts[report.result] += 1
        if any(p.kind == "missing" for p in report.problems):
            self.counts["MISSING"] += 1
        self.bytes_read += report.bytes_read

    def summary(self) -> dict[str, Any]:
        counts = self.counts
        return {
            "summary": {
                "bundles": sum(counts[k] for k in RESULTS),
                "ok": counts["OK"],
                "tampered": counts["TAMPERED"],
                "incomplete": counts["INCOMPLETE"],
                "unprotected": counts["UNPROTECTED"],
                "errors": counts[ERROR],
                "with_missing_files": counts["MISSING"],
                "bytes_read": self.bytes_read,
                "duration_s": round(time.monotonic() - self.started, 3),
                "finished_at": utc_seconds(),
            }
        }
