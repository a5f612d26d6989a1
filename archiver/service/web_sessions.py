"""Web sessions: a random cookie value stored as its digest, each with its own CSRF token."""

from __future__ import annotations

import secrets
import time

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from archiver.service.tables import User, WebSession
from archiver.service.users import Principal, digest

LIFETIME = 12 * 3600.0


def open_session(session: Session, user_id: int) -> tuple[str, str]:
    """(cookie value, CSRF token) of a new session."""
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.execute(delete(WebSession).where(WebSession.expires_at < time.time()))
    session.add(WebSession(digest=digest(cookie), user_id=user_id, csrf=csrf,
                           expires_at=time.time() + LIFETIME))
    return cookie, csrf


def session_user(session: Session, cookie: str) -> tuple[Principal, str] | None:
    """The user and CSRF token of a live session."""
    row = session.execute(select(User, WebSession.csrf).join(WebSession, WebSession.user_id == User.id)
                          .where(WebSession.digest == digest(cookie),
                                 WebSession.expires_at > time.time())).first()
    return (Principal.of(row[0]), row[1]) if row else None


def close_session(session: Session, cookie: str) -> None:
    session.execute(delete(WebSession).where(WebSession.digest == digest(cookie)))
