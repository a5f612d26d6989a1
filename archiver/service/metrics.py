"""``GET /metrics`` in Prometheus' text format, read from the database at each scrape so every
instance sharing a database reports the same figures."""

from __future__ import annotations

from sqlalchemy import func, select

from archiver.service.database import Database
from archiver.service.jobs import STATES, JobQueue
from archiver.service.tables import BundleRow

DURATION_BUCKETS = (5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


def render(queue: JobQueue, db: Database) -> str:
    lines = ["# HELP archiver_jobs Jobs by kind and state.", "# TYPE archiver_jobs gauge"]
    counts = queue.counts()
    for kind in ("capture", "verify"):
        for state in STATES:
            lines.append(f'archiver_jobs{{kind="{kind}",state="{state}"}} {counts.get(f"{kind}/{state}", 0)}')
    durations = queue.capture_durations()
    lines += ["# HELP archiver_capture_duration_seconds Completed capture jobs, start to end.",
              "# TYPE archiver_capture_duration_seconds histogram"]
    for bound in DURATION_BUCKETS:
        lines.append(f'archiver_capture_duration_seconds_bucket{{le="{bound}"}} '
                     f"{sum(d <= bound for d in durations)}")
    lines += [f'archiver_capture_duration_seconds_bucket{{le="+Inf"}} {len(durations)}',
              f"archiver_capture_duration_seconds_sum {sum(durations):.3f}",
              f"archiver_capture_duration_seconds_count {len(durations)}",
              "# HELP archiver_bundles_verified Bundles by the result of their last verification.",
              "# TYPE archiver_bundles_verified gauge"]
    with db.session() as session:
        results = session.execute(select(BundleRow.verify_result, func.count())
                                  .where(BundleRow.verify_result.is_not(None)).group_by(BundleRow.verify_result))
        for result, count in results:
            lines.append(f'archiver_bundles_verified{{result="{result}"}} {count}')
    return "\n".join(lines) + "\n"
