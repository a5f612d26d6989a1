"""Who is asking: an API token in the Authorization header, or a web session cookie.

The API takes only tokens and the web pages only sessions: a page's cookie is sent by the
browser on its own, so only the pages, which check a CSRF token on every form, accept it.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from archiver.service.state import ServiceState, state_of
from archiver.service.users import Principal, user_for_token
from archiver.service.web_sessions import session_user

SESSION_COOKIE = "archiver_session"
State = Annotated[ServiceState, Depends(state_of)]


async def api_user(request: Request, state: State) -> Principal:
    """Async, unlike most handlers: a token seen in the last seconds costs no thread and no query
    (every poll of every client carries one); only a lookup goes to a request thread."""
    token = bearer_token(request)
    who = state.tokens.get(token)
    if who is None:
        who = await run_in_threadpool(look_up, state, token)
    return rate_limited(state, who)


def token_user(request: Request, state: ServiceState) -> Principal:
    """``api_user`` for handlers that are not async."""
    token = bearer_token(request)
    return rate_limited(state, state.tokens.get(token) or look_up(state, token))


def bearer_token(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(401, "an API token is required: 'Authorization: Bearer <token>'",
                            headers={"WWW-Authenticate": "Bearer"})
    return token.strip()


def look_up(state: ServiceState, token: str) -> Principal:
    with state.db.session() as session:
        who = user_for_token(session, token)
    if who is None:
        raise HTTPException(401, "unknown API token",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    state.tokens.put(token, who)
    return who


def rate_limited(state: ServiceState, who: Principal) -> Principal:
    wait = state.limits.wait(who.token_id)
    if wait:
        raise HTTPException(429, f"too many requests with this token; try again in {wait} s",
                            headers={"Retry-After": str(wait)})
    return who


async def acting_api_user(who: Annotated[Principal, Depends(api_user)]) -> Principal:
    if not who.can_act:
        raise HTTPException(403, f"role {who.role} may not capture or verify")
    return who


async def admin_api_user(who: Annotated[Principal, Depends(api_user)]) -> Principal:
    if not who.is_admin:
        raise HTTPException(403, "only an admin may do this")
    return who


class LoginRequired(Exception):
    """A page asked for without a live session: the handler sends the browser to the login page."""


def web_session(request: Request, state: State) -> tuple[Principal, str]:
    """The user and the session's CSRF token."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise LoginRequired
    with state.db.session() as session:
        found = session_user(session, cookie)
    if found is None:
        raise LoginRequired
    return found


def check_csrf(sent: str | None, expected: str) -> None:
    if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(403, "the form's CSRF token is missing or wrong; reload the page and try again")
