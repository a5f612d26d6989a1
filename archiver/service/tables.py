"""The service's database tables: users, their API tokens and web sessions, jobs, and the bundle index.

Secrets are stored only as digests (tokens, sessions) or scrypt hashes (passwords). Times are
POSIX seconds (floats), which sort and compare the same way in SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    # Case ids the user may see, one a line; "*" for every case.
    cases: Mapped[str] = mapped_column(Text, default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[float] = mapped_column(Float)


class Token(Base):
    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[float] = mapped_column(Float)


class WebSession(Base):
    __tablename__ = "web_sessions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[float] = mapped_column(Float)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("jobs_by_state", "state", "created_at"), Index("jobs_by_case", "case_id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # capture | verify
    state: Mapped[str] = mapped_column(String(20))  # pending | in_progress | completed | failed
    case_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Capture options (never login material: see JobLogin) or the bundles a verify job checks, as JSON.
    request: Mapped[str] = mapped_column(Text, default="{}")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The API token it was submitted with (None: a web page): what a per-token webhook follows.
    token_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    operator: Mapped[str] = mapped_column(String(100))
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str | None] = mapped_column(String(50), nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    started_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Renewed while a worker runs the job; a job whose heartbeat is older than the lease is taken over.
    heartbeat: Mapped[float | None] = mapped_column(Float, nullable=True)
    runner: Mapped[str | None] = mapped_column(String(200), nullable=True)  # the instance that ran it last
    bundle_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    capture_status: Mapped[str | None] = mapped_column(String(30), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON: what the job found


class LoginUpload(Base):
    """Login material uploaded with a request's capture jobs, sealed (``job_logins``): kept apart
    from the jobs, which every listing and webhook describes, and deleted with the last of them."""

    __tablename__ = "login_uploads"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    jobs_left: Mapped[int] = mapped_column(Integer)  # counted down as each job ends
    created_at: Mapped[float] = mapped_column(Float)


class JobLogin(Base):
    """The upload a capture job logs in with, while the job has not ended."""

    __tablename__ = "job_logins"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    upload_id: Mapped[str] = mapped_column(ForeignKey("login_uploads.id", ondelete="CASCADE"))


class Submission(Base):
    """A POST answered under an ``Idempotency-Key``: the same key gets the same answer again."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    request_sha256: Mapped[str] = mapped_column(String(64))
    job_ids: Mapped[str] = mapped_column(Text)  # JSON list
    created_at: Mapped[float] = mapped_column(Float)


class BundleRow(Base):
    """What listing and access checks need of a bundle, read once from its manifest."""

    __tablename__ = "bundles"
    __table_args__ = (Index("bundles_by_case", "case_id", "bundle_id"),)

    bundle_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    platform: Mapped[str | None] = mapped_column(String(50), nullable=True)
    status: Mapped[str | None] = mapped_column(String(30), nullable=True)
    author: Mapped[str | None] = mapped_column(String(300), nullable=True)
    url: Mapped[str] = mapped_column(Text, default="")
    operator: Mapped[str | None] = mapped_column(String(100), nullable=True)
    captured_at: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")  # the post's text, for ?q=
    verify_result: Mapped[str | None] = mapped_column(String(20), nullable=True)
    verified_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class Webhook(Base):
    """Where events of one case, or of the jobs one token submitted, are POSTed."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    case_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("tokens.id", ondelete="CASCADE"), nullable=True)
    events: Mapped[str] = mapped_column(Text)  # one a line
    # Kept as given: each delivery is signed with it (HMAC), so a digest would not do.
    secret: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[float] = mapped_column(Float)


class Delivery(Base):
    """One event for one webhook: its body, fixed when the event happened, and every attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("deliveries_due", "state", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(50))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # in the current series (5 at most)
    next_attempt_at: Mapped[float] = mapped_column(Float)
    log: Mapped[str] = mapped_column(Text, default="[]")  # JSON: every attempt's time, status, error
    created_at: Mapped[float] = mapped_column(Float)
    delivered_at: Mapped[float | None] = mapped_column(Float, nullable=True)
