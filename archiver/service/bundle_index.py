"""The bundles of the store as the service lists them: one row per sealed bundle, read once from its
manifest, so listing and access checks never re-read thousands of manifests."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, func, or_, select
from sqlalchemy.exc import IntegrityError

from archiver.bundle import MANIFEST
from archiver.ids import bundle_id_time_ms, is_bundle_id
from archiver.manifest import Manifest, ManifestError
from archiver.service.database import Database
from archiver.service.tables import BundleRow
from archiver.service.users import ALL_CASES, Principal
from archiver.storage.base import Store, StoreError, StoreUsageError

MAX_MANIFEST = 64 * 1024 * 1024
# Bundles written by others (the CLI, another instance) are looked for this often (the job runner does).
RESCAN_SECONDS = 10.0


class BundleIndex:
    def __init__(self, db: Database, store: Store) -> None:
        self.db = db
        self.store = store
        self._scanned_at = 0.0

    def rescan(self, force: bool = False) -> int:
        """Add the store's sealed bundles not indexed yet; how many were added."""
        if not force and time.monotonic() - self._scanned_at < RESCAN_SECONDS:
            return 0
        self._scanned_at = time.monotonic()
        with self.db.session() as session:
            known = set(session.scalars(select(BundleRow.bundle_id)))
        try:
            found = list(self.store.bundle_ids())
        except StoreUsageError:  # a new local store: its folder comes with its first bundle
            return 0
        return sum(self.add(bundle_id) for bundle_id in found if bundle_id not in known)

    def add(self, bundle_id: str) -> bool:
        """Index one bundle; False when it is not sealed (no readable manifest)."""
        manifest = self.manifest(bundle_id)
        if manifest is None:
            return False
        post = manifest.post or {}
        author = post.get("author") or {}
        try:
            with self.db.session() as session:
                session.merge(BundleRow(
                    bundle_id=bundle_id, case_id=manifest.case_id, platform=manifest.platform,
                    status=manifest.status, operator=manifest.operator,
                    author=author.get("handle") or author.get("display_name"),
                    url=manifest.canonical_url or manifest.final_url or manifest.requested_url,
                    captured_at=manifest.started_at, text=str(post.get("text") or "")[:2000]))
        except IntegrityError:  # indexed at the same moment by the rescan, or by another instance
            pass
        return True

    def manifest(self, bundle_id: str) -> Manifest | None:
        try:
            reader = self.store.reader(bundle_id)
            if MANIFEST not in reader.list_files():
                return None
            with reader.open(MANIFEST) as stream:
                return Manifest.from_bytes(stream.read(MAX_MANIFEST))
        except (StoreError, ManifestError, OSError):
            return None

    def row(self, who: Principal, bundle_id: str) -> BundleRow | None:
        """The bundle, when it exists and ``who`` may see its case (else None: the same answer for both)."""
        if not is_bundle_id(bundle_id):
            return None
        with self.db.session() as session:
            row = session.get(BundleRow, bundle_id)
        if row is None and self.add(bundle_id):  # sealed since the last scan
            with self.db.session() as session:
                row = session.get(BundleRow, bundle_id)
        return row if row is not None and who.can_see(row.case_id) else None

    def visible_ids(self, who: Principal) -> list[str]:
        """Every indexed bundle ``who`` may see, oldest first."""
        self.rescan()
        query = select(BundleRow.bundle_id).order_by(BundleRow.bundle_id)
        if not (who.role == "admin" or ALL_CASES in who.cases):
            query = query.where(BundleRow.case_id.in_(sorted(who.cases)))
        with self.db.session() as session:
            return list(session.scalars(query))

    def case_of(self, bundle_id: str) -> str | None:
        with self.db.session() as session:
            row = session.get(BundleRow, bundle_id)
        return row.case_id if row else None

    def search(self, who: Principal, *, case: str | None = None, platform: str | None = None,
               status: str | None = None, author: str | None = None, q: str | None = None,
               since: str | None = None, page: int = 1, per_page: int = 50) -> dict[str, Any]:
        conditions: list[ColumnElement[bool]] = []
        if not (who.role == "admin" or ALL_CASES in who.cases):
            conditions.append(BundleRow.case_id.in_(sorted(who.cases)))
        for column, value in ((BundleRow.case_id, case), (BundleRow.platform, platform),
                              (BundleRow.status, status)):
            if value:
                conditions.append(column == value)
        if author:
            conditions.append(BundleRow.author == author.removeprefix("@"))
        if since:
            conditions.append(BundleRow.captured_at >= since)
        if q:
            pattern = f"%{q.replace('%', '').replace('_', '')}%"
            conditions.append(or_(BundleRow.text.ilike(pattern), BundleRow.url.ilike(pattern),
                                  BundleRow.author.ilike(pattern)))
        # Polled by every client, this is the service's busiest read: plain rows and a plain count
        # (not ORM objects, not a count over a subquery of every column), and the page's offset
        # walked over bundle ids in an index rather than over whole rows.
        page_ids = (select(BundleRow.bundle_id).where(*conditions).order_by(BundleRow.bundle_id.desc())
                    .offset((page - 1) * per_page).limit(per_page))
        page_query = (select(*LISTED).where(BundleRow.bundle_id.in_(page_ids.scalar_subquery()))
                      .order_by(BundleRow.bundle_id.desc()))
        with self.db.engine.connect() as connection:
            total = connection.scalar(select(func.count()).select_from(BundleRow).where(*conditions)) or 0
            items = [summary(row) for row in connection.execute(page_query)]
        return {"total": total, "page": page, "per_page": per_page, "items": items}

    def record_verification(self, bundle_id: str, result: str) -> None:
        with self.db.session() as session:
            row = session.get(BundleRow, bundle_id)
            if row is not None:
                row.verify_result, row.verified_at = result, time.time()

    def find_capture(self, url: str, case: str | None, operator: str, since: float) -> BundleRow | None:
        """A bundle sealed for this request after ``since``: what an interrupted job had already made."""
        self.rescan(force=True)
        with self.db.session() as session:
            rows = session.scalars(select(BundleRow).where(BundleRow.case_id == case,
                                                           BundleRow.operator == operator))
            for row in rows:
                manifest = self.manifest(row.bundle_id)
                if (manifest is not None and manifest.requested_url == url
                        and bundle_id_time_ms(row.bundle_id) >= since * 1000):
                    return row
        return None


LISTED = (BundleRow.bundle_id, BundleRow.case_id, BundleRow.platform, BundleRow.status, BundleRow.author,
          BundleRow.url, BundleRow.operator, BundleRow.captured_at,
          func.substr(BundleRow.text, 1, 200).label("text"), BundleRow.verify_result, BundleRow.verified_at)


def summary(row: Row[Any]) -> dict[str, Any]:
    return {"bundle_id": row.bundle_id, "case": row.case_id, "platform": row.platform, "status": row.status,
            "author": row.author, "url": row.url, "operator": row.operator, "captured_at": row.captured_at,
            "text": row.text or None, "verify_result": row.verify_result,
            "verified_at": (datetime.fromtimestamp(row.verified_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                            if row.verified_at else None)}
