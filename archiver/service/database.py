"""The service's database: SQLite beside a local store by default, PostgreSQL for several instances."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from archiver.errors import ArchiverError, EnvironmentFailure
from archiver.service.tables import Base

DB_SUFFIX = ".service.db"
# Request handlers run on AnyIO's pool of 40 threads; the job workers and webhook sender add a few.
SQLITE_CONNECTIONS = 48


def default_url(store: str) -> str:
    """``./evidence`` -> ``sqlite:///./evidence.service.db``: beside the store, never inside it
    (a store holds bundles and its ledger only)."""
    if "://" in store and not store.startswith("file://"):
        raise ArchiverError(f"--db is needed for a store at {store} (e.g. postgresql://...)")
    folder = Path(store.removeprefix("file://"))
    return f"sqlite:///{folder.parent / (folder.name + DB_SUFFIX)}"


class Database:
    def __init__(self, url: str) -> None:
        try:
            parsed = make_url(url)
            if parsed.drivername == "postgresql":
                # SQLAlchemy's default driver for the plain scheme is psycopg2; we depend on psycopg 3.
                parsed = parsed.set(drivername="postgresql+psycopg")
            _private_sqlite_file(parsed)
            self.engine: Engine = create_engine(parsed, **pool_options(parsed))
        except (ArgumentError, ImportError, ValueError) as exc:
            raise ArchiverError(f"--db {url.split('@')[-1]}: {exc}") from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def create(self) -> Database:
        try:
            Base.metadata.create_all(self.engine)
        except OperationalError as exc:
            raise EnvironmentFailure(f"cannot open the service database: {exc.orig}") from None
        return self

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session, session.begin():
            yield session


def pool_options(url: URL) -> dict[str, Any]:
    """SQLite: a connection kept for every thread that may ask at once (the request handlers' pool
    and the job workers), since opening one (and setting its pragmas) cost more than the query it
    was for; no ping before each use, which only a server that drops idle connections needs."""
    if url.get_backend_name() != "sqlite":
        return {"pool_pre_ping": True}
    if not url.database or url.database == ":memory:":
        return {}
    return {"pool_size": SQLITE_CONNECTIONS, "max_overflow": SQLITE_CONNECTIONS}


def _private_sqlite_file(url: URL) -> None:
    """Password hashes and token digests are for this account's eyes only (SQLite makes its
    journal files with the database file's mode)."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    try:
        os.close(os.open(url.database, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise EnvironmentFailure(f"cannot create the service database {url.database}: "
                                 f"{exc.strerror}") from None


def _sqlite_pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL: readers (status polls, listings) never wait for the writer (job updates).
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted rows are overwritten, not left in free pages: a job's sealed login material goes when it ends.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
