"""Users, their roles and the cases they may see, and the API tokens that stand for them."""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from archiver.errors import ArchiverError
from archiver.service.passwords import check_password, hash_password
from archiver.service.tables import Token, User

ROLES = ("viewer", "analyst", "admin")
ALL_CASES = "*"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
TOKEN_PREFIX = "arc_"


@dataclass(frozen=True)
class Principal:
    """Who a request is from: the custody operator of everything it does."""

    id: int
    name: str
    role: str
    cases: frozenset[str]
    token_id: int | None = None  # the API token it came with; None for a web session

    @classmethod
    def of(cls, user: User, token_id: int | None = None) -> Principal:
        return cls(user.id, user.name, user.role, frozenset(filter(None, user.cases.splitlines())), token_id)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can_see(self, case_id: str | None) -> bool:
        if self.role == "admin" or ALL_CASES in self.cases:
            return True
        return case_id is not None and case_id in self.cases

    @property
    def can_act(self) -> bool:
        """Capture and verify; a viewer only reads."""
        return self.role in ("analyst", "admin")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def add_user(session: Session, name: str, role: str, cases: list[str], password: str) -> User:
    if not NAME.match(name):
        raise ArchiverError(f"user name {name!r}: letters, digits and . _ @ - only (at most 100)")
    if role not in ROLES:
        raise ArchiverError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < 12:
        raise ArchiverError("the password must have at least 12 characters")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise ArchiverError(f"user {name!r} already exists")
    user = User(name=name, role=role, cases="\n".join(cases), password_hash=hash_password(password),
                created_at=time.time())
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise ArchiverError(f"no user {name!r} (add one with 'archiver users add')")
    return user


def create_token(session: Session, user: User, label: str = "") -> str:
    """A new API token for ``user``; only its digest is kept, so this is the one time it is seen."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(Token(user_id=user.id, digest=digest(token), label=label, created_at=time.time()))
    return token


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def list_tokens(session: Session) -> list[dict[str, Any]]:
    """Every token's id, user, label and age: never the token, which is not kept."""
    rows = session.execute(select(Token, User.name).join(User, User.id == Token.user_id).order_by(Token.id))
    return [{"id": token.id, "user": name, "label": token.label, "created_at": token.created_at}
            for token, name in rows]


def revoke_token(session: Session, token_id: int) -> bool:
    return bool(session.execute(delete(Token).where(Token.id == token_id)).rowcount)  # type: ignore[attr-defined]


def user_for_token(session: Session, token: str) -> Principal | None:
    row = session.execute(select(User, Token.id).join(Token, Token.user_id == User.id)
                          .where(Token.digest == digest(token))).first()
    return Principal.of(row[0], row[1]) if row else None


def user_for_password(session: Session, name: str, password: str) -> Principal | None:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        check_password(password, _DUMMY_HASH)  # the same work whether or not the name exists
        return None
    return Principal.of(user) if check_password(password, user.password_hash) else None


_DUMMY_HASH = hash_password(secrets.token_hex(16))
