"""The admin's pages: users, API tokens and webhooks. A new token or webhook secret is shown
once, on the page that answers its form, and never again (only a digest of a token is kept)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from archiver.errors import ArchiverError
from archiver.service.auth import check_csrf, web_session
from archiver.service.state import ServiceState, state_of
from archiver.service.tables import Webhook
from archiver.service.users import (
    ROLES,
    Principal,
    add_user,
    create_token,
    find_user,
    list_tokens,
    list_users,
    revoke_token,
)
from archiver.service.web import CsrfField, page, see_other
from archiver.service.webhooks import EVENTS, WebhookError, create_webhook, delete_webhook, list_webhooks

router = APIRouter(prefix="/admin", include_in_schema=False)
State = Annotated[ServiceState, Depends(state_of)]


def admin_session(session: Annotated[tuple[Principal, str], Depends(web_session)]) -> tuple[Principal, str]:
    if not session[0].is_admin:
        raise HTTPException(403, "only an admin may open this page")
    return session


Admin = Annotated[tuple[Principal, str], Depends(admin_session)]
Text = Annotated[str, Form(max_length=2000)]


@router.get("/users")
def users_page(state: State, session: Admin) -> HTMLResponse:
    return users_view(state, session)


def users_view(state: ServiceState, session: tuple[Principal, str], error: str | None = None,
               done: str | None = None, code: int = 200) -> HTMLResponse:
    with state.db.session() as db:
        users = [{"name": u.name, "role": u.role, "cases": u.cases.splitlines()} for u in list_users(db)]
    return page("admin_users.html", code, user=session[0], csrf=session[1], users=users, roles=ROLES,
                error=error, done=done)


@router.post("/users")
def add_user_form(state: State, session: Admin, name: Text, role: Text, cases: Text, password: Text,
                  csrf: CsrfField = None) -> HTMLResponse:
    check_csrf(csrf, session[1])
    wanted = [case for case in cases.replace(",", " ").split() if case]
    try:
        if not wanted and role != "admin":
            raise ArchiverError("give at least one case (or '*') for a viewer or analyst")
        with state.db.session() as db:
            add_user(db, name.strip(), role, wanted, password)
    except ArchiverError as exc:
        return users_view(state, session, error=exc.format_message(), code=422)
    return users_view(state, session, done=f"Added user {name.strip()} ({role}).")


@router.get("/tokens")
def tokens_page(state: State, session: Admin) -> HTMLResponse:
    return tokens_view(state, session)


def tokens_view(state: ServiceState, session: tuple[Principal, str], new_token: str | None = None,
                error: str | None = None, code: int = 200) -> HTMLResponse:
    with state.db.session() as db:
        tokens, names = list_tokens(db), [u.name for u in list_users(db)]
    return page("admin_tokens.html", code, user=session[0], csrf=session[1], tokens=tokens, names=names,
                new_token=new_token, error=error)


@router.post("/tokens")
def create_token_form(state: State, session: Admin, name: Text,
                      label: Annotated[str, Form(max_length=200)] = "", csrf: CsrfField = None
                      ) -> HTMLResponse:
    check_csrf(csrf, session[1])
    try:
        with state.db.session() as db:
            token = create_token(db, find_user(db, name), label)
    except ArchiverError as exc:
        return tokens_view(state, session, error=exc.format_message(), code=422)
    return tokens_view(state, session, new_token=token)


@router.post("/tokens/{token_id}/revoke")
def revoke_token_form(token_id: int, state: State, session: Admin, csrf: CsrfField = None
                      ) -> RedirectResponse:
    check_csrf(csrf, session[1])
    with state.db.session() as db:
        revoke_token(db, token_id)
    state.tokens.forget_all()  # at once on this instance; others within TokenCache's 2 seconds
    return see_other("/admin/tokens")


@router.get("/webhooks")
def webhooks_page(state: State, session: Admin) -> HTMLResponse:
    return webhooks_view(state, session)


def webhooks_view(state: ServiceState, session: tuple[Principal, str], created: dict[str, Any] | None = None,
                  error: str | None = None, code: int = 200) -> HTMLResponse:
    with state.db.session() as db:
        hooks = list_webhooks(db)
    return page("admin_webhooks.html", code, user=session[0], csrf=session[1], hooks=hooks, events=EVENTS,
                created=created, error=error)


@router.post("/webhooks")
def create_webhook_form(state: State, session: Admin, url: Text, follows: Text,
                        events: Annotated[list[str] | None, Form()] = None, csrf: CsrfField = None
                        ) -> HTMLResponse:
    """``follows``: a case id, or ``token:<id>``."""
    check_csrf(csrf, session[1])
    follows = follows.strip()
    token_id = int(follows[6:]) if follows.startswith("token:") and follows[6:].isdigit() else None
    case = None if token_id is not None else follows or None
    try:
        with state.db.session() as db:
            hook, secret = create_webhook(db, session[0].name, url.strip(), events or [], case, token_id,
                                          None)
            created = {"id": hook.id, "url": hook.url, "secret": secret}
    except WebhookError as exc:
        return webhooks_view(state, session, error=str(exc), code=422)
    return webhooks_view(state, session, created=created)


@router.post("/webhooks/{webhook_id}/delete")
def delete_webhook_form(webhook_id: int, state: State, session: Admin, csrf: CsrfField = None
                        ) -> RedirectResponse:
    check_csrf(csrf, session[1])
    with state.db.session() as db:
        delete_webhook(db, webhook_id)
    return see_other("/admin/webhooks")


@router.get("/webhooks/{webhook_id}")
def deliveries_page(webhook_id: int, state: State, session: Admin) -> HTMLResponse:
    with state.db.session() as db:
        hook = db.scalar(select(Webhook).where(Webhook.id == webhook_id))
        if hook is None:
            raise HTTPException(404, "no such webhook")
        url = hook.url
    return page("admin_deliveries.html", user=session[0], csrf=session[1], webhook_id=webhook_id, url=url,
                deliveries=state.deliveries.listing(webhook_id))


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/retry")
def retry_form(webhook_id: int, delivery_id: str, state: State, session: Admin, csrf: CsrfField = None
               ) -> RedirectResponse:
    check_csrf(csrf, session[1])
    if state.deliveries.retry(webhook_id, delivery_id) is None:
        raise HTTPException(404, "no such delivery")
    return see_other(f"/admin/webhooks/{webhook_id}")
