"""Jobs in the database: submitted, claimed by one worker, ended exactly once.

A worker claims a pending job with a conditional UPDATE (only one claimer can move it out of
``pending``), renews its heartbeat while it runs, and ends it with another conditional UPDATE
(only a job still ``in_progress`` can end), so two instances on one PostgreSQL database never run
or end the same job twice. A job whose heartbeat stopped (its process was killed) is taken over:
when its bundle was already sealed it ends with that bundle, otherwise it runs again.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import CursorResult, Result, Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from archiver.ids import new_bundle_id
from archiver.service.capture_options import CaptureBody
from archiver.service.database import Database
from archiver.service.tables import Job, JobLogin, LoginUpload, Submission
from archiver.service.users import Principal

PENDING, IN_PROGRESS, COMPLETED, FAILED = "pending", "in_progress", "completed", "failed"
STATES = (PENDING, IN_PROGRESS, COMPLETED, FAILED)
CAPTURE, VERIFY = "capture", "verify"
MAX_ATTEMPTS = 3


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE changed: what tells who won a race for a job."""
    return cast("CursorResult[Any]", result).rowcount


class IdempotencyConflict(Exception):
    """An Idempotency-Key used before with another request body."""


# Called in the transaction that ends a job, so what it writes (webhook deliveries) exists
# exactly when the job ended, once.
OnEnd = Callable[[Session, Job, dict[str, Any]], None]


class JobQueue:
    def __init__(self, db: Database, on_end: OnEnd | None = None) -> None:
        self.db = db
        self.on_end = on_end
        self.instance = f"{socket.gethostname()}:{os.getpid()}"

    def submit_captures(self, who: Principal, body: CaptureBody, key: str | None,
                        sealed_logins: bytes | None = None) -> tuple[list[str], bool]:
        """The new jobs' ids and True, or (under a key seen before) the first answer's ids and False.
        ``sealed_logins``: login material for every job, kept until the last of them ends (the
        request's digest leaves it out, as the body's dump does: nothing derived from it stays)."""
        request_sha256 = hashlib.sha256(body.model_dump_json().encode()).hexdigest()
        if key is not None and (earlier := self._submitted(who, key, request_sha256)) is not None:
            return earlier, False
        now = time.time()
        options = body.options.model_dump(exclude_none=True)
        jobs = [Job(id=new_bundle_id(), kind=CAPTURE, state=PENDING, case_id=body.case, url=url,
                    request=json.dumps(options), user_id=who.id, token_id=who.token_id, operator=who.name,
                    created_at=now)
                for url in body.urls]
        try:
            with self.db.session() as session:
                session.add_all(jobs)
                if sealed_logins is not None:
                    upload = LoginUpload(id=new_bundle_id(), sealed=sealed_logins, jobs_left=len(jobs),
                                         created_at=now)
                    session.add(upload)
                    session.flush()  # the upload before the rows that name it
                    session.add_all(JobLogin(job_id=job.id, upload_id=upload.id) for job in jobs)
                if key is not None:
                    session.add(Submission(user_id=who.id, key=key, request_sha256=request_sha256,
                                           job_ids=json.dumps([job.id for job in jobs]), created_at=now))
        except IntegrityError:  # the same key, submitted at the same moment by another request
            if key is None or (earlier := self._submitted(who, key, request_sha256)) is None:
                raise
            return earlier, False
        return [job.id for job in jobs], True

    def _submitted(self, who: Principal, key: str, request_sha256: str) -> list[str] | None:
        with self.db.session() as session:
            found = session.scalar(select(Submission).where(Submission.user_id == who.id,
                                                            Submission.key == key))
        if found is None:
            return None
        if found.request_sha256 != request_sha256:
            raise IdempotencyConflict(key)
        ids: list[str] = json.loads(found.job_ids)
        return ids

    def submit_verify(self, who: Principal, bundle_ids: list[str], case: str | None, record: bool) -> str:
        job = Job(id=new_bundle_id(), kind=VERIFY, state=PENDING, case_id=case,
                  request=json.dumps({"bundles": bundle_ids, "record": record}), user_id=who.id,
                  token_id=who.token_id, operator=who.name, created_at=time.time())
        with self.db.session() as session:
            session.add(job)
        return job.id

    def claim(self) -> Job | None:
        """The oldest pending job, now ``in_progress`` for this caller alone."""
        while True:
            with self.db.session() as session:
                job = session.scalar(select(Job).where(Job.state == PENDING).order_by(Job.created_at, Job.id)
                                     .limit(1))
                if job is None:
                    return None
                now = time.time()
                claimed = rows_changed(session.execute(
                    update(Job).where(Job.id == job.id, Job.state == PENDING)
                    .values(state=IN_PROGRESS, attempt=Job.attempt + 1, started_at=now, heartbeat=now,
                            step="starting", runner=self.instance)
                    .execution_options(synchronize_session=False)))
                if claimed:
                    session.refresh(job)
                    return job

    def progress(self, job_id: str, step: str | None = None) -> None:
        values: dict[str, Any] = {"heartbeat": time.time()}
        if step is not None:
            values["step"] = step
        with self.db.session() as session:
            session.execute(update(Job).where(Job.id == job_id, Job.state == IN_PROGRESS).values(**values))

    def finish(self, job_id: str, state: str, **fields: Any) -> bool:
        """End a job that is still in progress; False when it had already ended."""
        if "result" in fields:
            fields["result"] = json.dumps(fields["result"])
        with self.db.session() as session:
            ended = rows_changed(session.execute(
                update(Job).where(Job.id == job_id, Job.state == IN_PROGRESS)
                .values(state=state, finished_at=time.time(), step=None, **fields)))
            if ended:
                self._forget_logins(session, job_id)
            if ended and self.on_end is not None:
                job = session.get(Job, job_id, populate_existing=True)
                assert job is not None
                self.on_end(session, job, self.describe(session, job))
        return bool(ended)

    def sealed_logins(self, job_id: str) -> bytes | None:
        with self.db.session() as session:
            return session.scalar(select(LoginUpload.sealed).join(JobLogin).where(JobLogin.job_id == job_id))

    @staticmethod
    def _forget_logins(session: Session, job_id: str) -> None:
        """In the transaction that ends the job: its login material goes with the last job that
        needed it (the row lock of the count orders jobs ending at once on PostgreSQL)."""
        upload_id = session.scalar(select(JobLogin.upload_id).where(JobLogin.job_id == job_id))
        if upload_id is None:
            return
        session.execute(delete(JobLogin).where(JobLogin.job_id == job_id))
        session.execute(update(LoginUpload).where(LoginUpload.id == upload_id)
                        .values(jobs_left=LoginUpload.jobs_left - 1))
        session.execute(delete(LoginUpload).where(LoginUpload.id == upload_id, LoginUpload.jobs_left <= 0))

    def take_over(self, lease: float, sealed: Callable[[Job], tuple[str, str] | None]) -> list[str]:
        """Jobs whose worker stopped renewing them: ended with the bundle ``sealed`` finds for
        them, failed after MAX_ATTEMPTS, or pending again."""
        with self.db.session() as session:
            stale = list(session.scalars(select(Job).where(Job.state == IN_PROGRESS,
                                                           Job.heartbeat < time.time() - lease)))
        for job in stale:
            found = sealed(job) if job.kind == CAPTURE else None
            if found is not None:
                bundle_id, status = found
                self.finish(job.id, COMPLETED, bundle_id=bundle_id, capture_status=status)
            elif job.attempt >= MAX_ATTEMPTS:
                self.finish(job.id, FAILED, reason=f"interrupted {job.attempt} times")
            else:
                with self.db.session() as session:
                    session.execute(update(Job).where(Job.id == job.id, Job.state == IN_PROGRESS)
                                    .values(state=PENDING, step=None, heartbeat=None))
        return [job.id for job in stale]

    def get(self, who: Principal, job_id: str) -> dict[str, Any] | None:
        # Polled by every client: a plain row, not an ORM object and its session.
        with self.db.engine.connect() as connection:
            job = connection.execute(select(Job.__table__).where(Job.id == job_id)).first()
            if job is None or not (who.can_see(job.case_id) or job.user_id == who.id):
                return None
            return self.describe(connection, job)

    def listing(self, who: Principal, case: str | None, state: str | None,
                limit: int) -> list[dict[str, Any]]:
        query = select(Job).order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)
        if case is not None:
            query = query.where(Job.case_id == case)
        if state is not None:
            query = query.where(Job.state == state)
        if not (who.role == "admin" or "*" in who.cases):
            query = query.where(or_(Job.case_id.in_(sorted(who.cases)), Job.user_id == who.id))
        with self.db.session() as session:
            return [self.describe(session, job) for job in session.scalars(query)]

    def counts(self) -> dict[str, int]:
        with self.db.session() as session:
            rows = session.execute(select(Job.kind, Job.state, func.count()).group_by(Job.kind, Job.state))
            return {f"{kind}/{state}": count for kind, state, count in rows}

    def capture_durations(self) -> list[float]:
        with self.db.session() as session:
            rows = session.execute(select(Job.started_at, Job.finished_at).where(
                Job.kind == CAPTURE, Job.state == COMPLETED))
            return [end - start for start, end in rows if start is not None and end is not None]

    @staticmethod
    def describe(session: Any, job: Job | Row[Any]) -> dict[str, Any]:
        position = None
        if job.state == PENDING:
            position = session.scalar(select(func.count()).select_from(Job).where(
                Job.state == PENDING, (Job.created_at < job.created_at)
                | ((Job.created_at == job.created_at) & (Job.id < job.id)))) + 1
        return {
            "id": job.id, "kind": job.kind, "state": job.state, "case": job.case_id, "url": job.url,
            "operator": job.operator, "attempt": job.attempt, "step": job.step, "queue_position": position,
            "runner": job.runner,
            "created_at": job.created_at, "started_at": job.started_at, "finished_at": job.finished_at,
            "bundle_id": job.bundle_id, "capture_status": job.capture_status, "reason": job.reason,
            "result": json.loads(job.result) if job.result else None,
        }
