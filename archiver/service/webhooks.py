"""Webhooks: where the events of a case, or of the jobs one API token submitted, are POSTed, and
the log of every delivery.

A delivery is written in the transaction that ends its job (jobs.py calls ``on_job_end``), so an
event exists exactly when its job ended, once, whichever instance ended it. Its body is fixed
then; each attempt signs the same bytes. Attempts are claimed with a conditional UPDATE, so two
instances never send one attempt twice; a claim not recorded within ``CLAIM_LEASE`` (its
instance was killed mid-send) is attempted again.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from archiver.ids import new_bundle_id
from archiver.netguard import BadURLError, validate_url
from archiver.service.database import Database
from archiver.service.jobs import CAPTURE, COMPLETED, rows_changed
from archiver.service.tables import Delivery, Job, Token, Webhook

EVENTS = ("capture.completed", "capture.failed", "verify.completed", "match.found")
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
MAX_TRIES = 5
# Seconds after the 1st, 2nd, 3rd and 4th failed try: five tries within about a minute.
BACKOFF = (2.0, 5.0, 12.0, 30.0)
CLAIM_LEASE = 60.0


class WebhookError(ValueError):
    """A webhook that cannot be made as asked (the API answers 422)."""


@dataclass(frozen=True)
class Attempt:
    """A claimed delivery: what to send where, signed with what."""

    delivery_id: str
    webhook_id: int
    event: str
    url: str
    secret: str
    body: bytes
    number: int  # 1 to MAX_TRIES


def create_webhook(session: Session, creator: str, url: str, events: list[str], case: str | None,
                   token_id: int | None, secret: str | None) -> tuple[Webhook, str]:
    """The new webhook and its secret (generated unless given; shown to its creator once)."""
    try:
        url = validate_url(url)
    except BadURLError as exc:
        raise WebhookError(str(exc)) from None
    unknown = sorted(set(events) - set(EVENTS))
    if not events or unknown:
        raise WebhookError(f"events must be some of {', '.join(EVENTS)}"
                           + (f", not {', '.join(unknown)}" if unknown else ""))
    if (case is None) == (token_id is None):
        raise WebhookError("a webhook follows one case or one API token: give 'case' or 'token_id'")
    if token_id is not None and session.get(Token, token_id) is None:
        raise WebhookError(f"no API token {token_id}")
    if secret is not None and len(secret) < 16:
        raise WebhookError("a webhook secret has at least 16 characters")
    secret = secret or secrets.token_urlsafe(32)
    hook = Webhook(url=url, case_id=case, token_id=token_id, events="\n".join(dict.fromkeys(events)),
                   secret=secret, created_by=creator, created_at=time.time())
    session.add(hook)
    session.flush()
    return hook, secret


def describe_webhook(hook: Webhook) -> dict[str, Any]:
    """A webhook as listed: never its secret."""
    return {"id": hook.id, "url": hook.url, "case": hook.case_id, "token_id": hook.token_id,
            "events": hook.events.splitlines(), "created_by": hook.created_by, "created_at": hook.created_at}


def describe_delivery(delivery: Delivery) -> dict[str, Any]:
    return {"id": delivery.id, "webhook_id": delivery.webhook_id, "event": delivery.event,
            "state": delivery.state, "attempts": delivery.attempts,
            "next_attempt_at": delivery.next_attempt_at if delivery.state == PENDING else None,
            "created_at": delivery.created_at, "delivered_at": delivery.delivered_at,
            "log": json.loads(delivery.log), "body": json.loads(delivery.body)}


def events_of(job: dict[str, Any]) -> list[str]:
    if job["kind"] == CAPTURE:
        if job["state"] != COMPLETED:
            return ["capture.failed"]
        return ["capture.completed", *(["match.found"] if (job["result"] or {}).get("matches") else [])]
    return ["verify.completed"] if job["state"] == COMPLETED else []


def on_job_end(session: Session, job: Job, described: dict[str, Any]) -> None:
    """Queue a delivery of each of the ended job's events to each webhook following it."""
    events = events_of(described)
    if not events:
        return
    follows = [Webhook.case_id == job.case_id] if job.case_id is not None else []
    if job.token_id is not None:
        follows.append(Webhook.token_id == job.token_id)
    if not follows:
        return
    if described["kind"] != CAPTURE and described["result"]:
        # A verify job's reports can run to thousands; the receiver reads them from GET /jobs/{id}.
        described = {**described, "result": {"summary": described["result"].get("summary")}}
    now = time.time()
    for hook in session.scalars(select(Webhook).where(or_(*follows))):
        for event in events:
            if event not in hook.events.splitlines():
                continue
            delivery_id = new_bundle_id()
            body = {"event": event, "delivery": delivery_id, "webhook": hook.id, "created_at": now,
                    "data": {"job": described}}
            session.add(Delivery(id=delivery_id, webhook_id=hook.id, event=event, state=PENDING, attempts=0,
                                 next_attempt_at=now, log="[]", created_at=now,
                                 body=json.dumps(body, ensure_ascii=False, sort_keys=True)))


class Deliveries:
    def __init__(self, db: Database) -> None:
        self.db = db

    def claim_due(self, limit: int = 20) -> list[Attempt]:
        now = time.time()
        with self.db.session() as session:
            due = session.execute(select(Delivery, Webhook).join(Webhook, Webhook.id == Delivery.webhook_id)
                                  .where(Delivery.state == PENDING, Delivery.next_attempt_at <= now)
                                  .order_by(Delivery.next_attempt_at).limit(limit)).all()
        claimed = []
        for delivery, hook in due:
            with self.db.session() as session:
                won = rows_changed(session.execute(
                    update(Delivery).where(Delivery.id == delivery.id, Delivery.state == PENDING,
                                           Delivery.attempts == delivery.attempts,
                                           Delivery.next_attempt_at <= now)
                    .values(attempts=delivery.attempts + 1, next_attempt_at=now + CLAIM_LEASE)))
            if won:
                claimed.append(Attempt(delivery.id, hook.id, delivery.event, hook.url, hook.secret,
                                       delivery.body.encode(), delivery.attempts + 1))
        return claimed

    def record(self, attempt: Attempt, status: int | None, error: str | None, final: bool = False) -> None:
        """The outcome of ``attempt``: delivered on a 2xx; else tried again after its backoff,
        until MAX_TRIES (or at once ``final``: a try that cannot succeed later)."""
        now = time.time()
        ok = status is not None and 200 <= status < 300
        with self.db.session() as session:
            delivery = session.get(Delivery, attempt.delivery_id)
            if delivery is None or delivery.state != PENDING or delivery.attempts != attempt.number:
                return  # deleted with its webhook, or retried by hand meanwhile
            log = json.loads(delivery.log)
            log.append({"attempt": attempt.number, "time": now, "status": status, "error": error})
            delivery.log = json.dumps(log)
            if ok:
                delivery.state, delivery.delivered_at = DELIVERED, now
            elif final or attempt.number >= MAX_TRIES:
                delivery.state = FAILED
            else:
                delivery.next_attempt_at = now + BACKOFF[attempt.number - 1]

    def listing(self, webhook_id: int, limit: int = 100) -> list[dict[str, Any]]:
        with self.db.session() as session:
            rows = session.scalars(select(Delivery).where(Delivery.webhook_id == webhook_id)
                                   .order_by(Delivery.created_at.desc(), Delivery.id.desc()).limit(limit))
            return [describe_delivery(row) for row in rows]

    def retry(self, webhook_id: int, delivery_id: str) -> dict[str, Any] | None:
        """Send a delivery again now, with a new series of tries (the log keeps the old ones)."""
        with self.db.session() as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery is None or delivery.webhook_id != webhook_id:
                return None
            delivery.state, delivery.attempts, delivery.next_attempt_at = PENDING, 0, time.time()
            delivery.delivered_at = None
            session.flush()
            return describe_delivery(delivery)


def list_webhooks(session: Session) -> list[dict[str, Any]]:
    return [describe_webhook(hook) for hook in session.scalars(select(Webhook).order_by(Webhook.id))]


def delete_webhook(session: Session, webhook_id: int) -> bool:
    session.execute(delete(Delivery).where(Delivery.webhook_id == webhook_id))
    return bool(rows_changed(session.execute(delete(Webhook).where(Webhook.id == webhook_id))))
