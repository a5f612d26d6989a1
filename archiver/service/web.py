"""The web pages: server-rendered HTML, no scripts. Every form carries the session's CSRF token
(the login form a token of its own cookie), and everything that writes, custody events included
(a report or WACZ download records one), is a POST."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, Response, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import ValidationError

from archiver.service import api
from archiver.service.access import visible_bundle
from archiver.service.auth import SESSION_COOKIE, check_csrf, web_session
from archiver.service.bundle_view import detail
from archiver.service.capture_options import CaptureBody
from archiver.service.job_logins import ANY_PLATFORM, LoginRejected, read_uploaded_files
from archiver.service.state import ServiceState, state_of
from archiver.service.users import ALL_CASES, Principal, user_for_password
from archiver.service.web_sessions import LIFETIME, close_session, open_session

LOGIN_COOKIE = "archiver_login"
router = APIRouter(include_in_schema=False)
templates = Environment(loader=PackageLoader("archiver.service", "templates"), autoescape=True,
                        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
templates.filters["utc"] = lambda seconds: datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S")
State = Annotated[ServiceState, Depends(state_of)]
Session = Annotated[tuple[Principal, str], Depends(web_session)]
CsrfField = Annotated[str | None, Form()]
OptionalFile = Annotated[UploadFile | None, File()]


def page(name: str, code: int = 200, **facts: Any) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**facts), status_code=code)


def set_cookie(response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, secure=True, samesite="lax", path="/")


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/")
def home() -> RedirectResponse:
    return see_other("/jobs")


@router.get("/login")
def login_form() -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = page("login.html", user=None, csrf=token, error=None)
    set_cookie(response, LOGIN_COOKIE, token, 600)
    return response


@router.post("/login")
def login(request: Request, state: State, name: Annotated[str, Form(max_length=100)],
          password: Annotated[str, Form(max_length=1000)], csrf: CsrfField = None) -> Response:
    check_csrf(csrf, request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32))
    with state.db.session() as session:
        who = user_for_password(session, name, password)
        if who is None:
            token = secrets.token_urlsafe(32)
            response: Response = page("login.html", 401, user=None, csrf=token,
                                      error="Wrong user name or password.")
            set_cookie(response, LOGIN_COOKIE, token, 600)
            return response
        cookie, _ = open_session(session, who.id)
    response = see_other("/jobs")
    set_cookie(response, SESSION_COOKIE, cookie, int(LIFETIME))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, state: State, session: Session, csrf: CsrfField = None) -> RedirectResponse:
    check_csrf(csrf, session[1])
    with state.db.session() as db:
        close_session(db, request.cookies.get(SESSION_COOKIE, ""))
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/jobs")
def jobs_page(state: State, session: Session, error: str | None = None) -> HTMLResponse:
    who, csrf = session
    jobs = state.queue.listing(who, None, None, 200)
    running = any(job["state"] in ("pending", "in_progress") for job in jobs)
    cases = sorted(c for c in who.cases if c != ALL_CASES)
    return page("jobs.html", user=who, csrf=csrf, jobs=jobs, refresh=running, cases=cases, error=error,
                platforms=sorted(api.platforms_of(state).by_name), any_platform=ANY_PLATFORM)


@router.post("/jobs")
def submit_jobs(state: State, session: Session, urls: Annotated[str, Form(max_length=200_000)],
                case: Annotated[str, Form(max_length=200)], csrf: CsrfField = None,
                login_platform: Annotated[str, Form(max_length=50)] = ANY_PLATFORM,
                cookies_file: OptionalFile = None, storage_state_file: OptionalFile = None) -> Response:
    who, expected = session
    check_csrf(csrf, expected)
    if not who.can_act:
        raise HTTPException(403, f"role {who.role} may not capture")
    lines = [line.strip() for line in urls.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    try:
        body = CaptureBody(urls=lines, case=case.strip())
        logins = read_uploaded_files(login_platform, uploaded(cookies_file), uploaded(storage_state_file),
                                     api.platforms_of(state))
        api.submit_captures(state, who, body, None, logins)
    except LoginRejected as exc:
        return jobs_page(state, session, error=exc.message)
    except ValidationError:
        return jobs_page(state, session, error="Give at least one URL (one a line) and a case.")
    except HTTPException as exc:
        return jobs_page(state, session, error=str(exc.detail))
    return see_other("/jobs")


def uploaded(file: UploadFile | None) -> bytes:
    """A file input's content; empty when no file was chosen (browsers send an empty part)."""
    return file.file.read() if file is not None else b""


@router.get("/bundles")
def bundles_page(state: State, session: Session, case: str | None = None, q: str | None = None,
                 status: str | None = None, page_number: Annotated[int, Query(alias="page", ge=1)] = 1
                 ) -> HTMLResponse:
    who, csrf = session
    listing = state.index.search(who, case=case or None, q=q or None, status=status or None,
                                 page=page_number, per_page=50)
    return page("bundles.html", user=who, csrf=csrf, listing=listing, case=case or "", q=q or "",
                status=status or "")


@router.get("/bundles/{bundle_id}")
def bundle_page(bundle_id: str, state: State, session: Session) -> HTMLResponse:
    who, csrf = session
    reader = visible_bundle(state, who, bundle_id)
    return page("bundle.html", user=who, csrf=csrf, bundle=detail(reader, f"/bundles/{bundle_id}"),
                stored=reader.list_files())


@router.post("/bundles/{bundle_id}/verify")
def reverify(bundle_id: str, state: State, session: Session, csrf: CsrfField = None) -> RedirectResponse:
    who, expected = session
    check_csrf(csrf, expected)
    if not who.can_act:
        raise HTTPException(403, f"role {who.role} may not verify")
    visible_bundle(state, who, bundle_id)
    state.queue.submit_verify(who, [bundle_id], state.index.case_of(bundle_id), True)
    state.runner.wake()
    return see_other("/jobs")


@router.get("/bundles/{bundle_id}/files/{path:path}")
def bundle_file(bundle_id: str, path: str, state: State, session: Session) -> Response:
    return api.file_response(state, session[0], bundle_id, path)


@router.post("/bundles/{bundle_id}/report.pdf")
def bundle_report(bundle_id: str, state: State, session: Session, csrf: CsrfField = None) -> Response:
    check_csrf(csrf, session[1])
    return api.report_response(state, session[0], bundle_id)


@router.post("/bundles/{bundle_id}.zip")
def bundle_zip(bundle_id: str, state: State, session: Session, csrf: CsrfField = None) -> Response:
    check_csrf(csrf, session[1])
    return api.zip_response(state, session[0], bundle_id)


@router.post("/bundles/{bundle_id}/capture.wacz")
def bundle_wacz(bundle_id: str, state: State, session: Session, csrf: CsrfField = None) -> Response:
    check_csrf(csrf, session[1])
    return api.wacz_response(state, session[0], bundle_id)
