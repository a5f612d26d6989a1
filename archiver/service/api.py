"""The HTTP API, ``/api/v1``: capture jobs, bundles and their downloads, verification."""

from __future__ import annotations

import shutil
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Response
from fastapi.responses import FileResponse, StreamingResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from archiver.errors import ArchiverError
from archiver.netguard import BadURLError, validate_url
from archiver.platforms import Platforms
from archiver.secrets import LoginMaterial
from archiver.service import downloads
from archiver.service.access import verifiable_bundles, visible_bundle
from archiver.service.auth import acting_api_user, api_user
from archiver.service.bundle_view import detail
from archiver.service.bundle_zip import zip_chunks
from archiver.service.capture_options import CaptureBody, VerifyBody
from archiver.service.job_logins import LoginRejected, read_api_logins, seal
from archiver.service.jobs import STATES, IdempotencyConflict
from archiver.service.state import ServiceState, state_of
from archiver.service.users import Principal
from archiver.storage.base import StoreError

PREFIX = "/api/v1"
router = APIRouter(prefix=PREFIX)
State = Annotated[ServiceState, Depends(state_of)]
Reader = Annotated[Principal, Depends(api_user)]
Actor = Annotated[Principal, Depends(acting_api_user)]


def submit_captures(state: ServiceState, who: Principal, body: CaptureBody, key: str | None,
                    logins: dict[str, LoginMaterial] | None = None) -> tuple[list[str], bool]:
    """Shared by the API and the job page: checks the case and every URL before anything is queued;
    ``logins``: checked login material, sealed for the jobs (``job_logins``)."""
    if not who.can_see(body.case):
        raise HTTPException(403, f"you may not capture into case {body.case!r}")
    try:
        body.urls = [validate_url(url) for url in body.urls]
    except BadURLError as exc:
        raise HTTPException(422, str(exc)) from None
    try:
        sealed = seal(state.config.signer, logins) if logins is not None else None
        ids, created = state.queue.submit_captures(who, body, key, sealed)
    except IdempotencyConflict:
        raise HTTPException(409, "this Idempotency-Key was used with another request body") from None
    state.runner.wake()
    return ids, created


@router.post("/captures", status_code=201, summary="Queue captures: one job per URL")
def post_captures(body: CaptureBody, state: State, who: Actor, response: Response,
                  idempotency_key: Annotated[str | None, Header(max_length=200)] = None) -> dict[str, Any]:
    logins = None
    if body.options.logins is not None:
        try:
            logins = read_api_logins(body.options.logins, platforms_of(state))
        except LoginRejected as exc:
            raise HTTPException(exc.status, exc.message) from None
    ids, created = submit_captures(state, who, body, idempotency_key, logins)
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return {"jobs": [state.queue.get(who, job_id) for job_id in ids]}


def platforms_of(state: ServiceState) -> Platforms:
    return Platforms.from_plugins(state.config.pm)


# Async, the lookup inline: one or two reads by primary key (SQLite readers never wait for the
# writer), cheaper than the trip to a request thread and back that a polled call would pay.
@router.get("/jobs/{job_id}", summary="One job: state, attempt, step, queue position, bundle")
async def get_job(job_id: str, state: State, who: Reader) -> dict[str, Any]:
    job = state.queue.get(who, job_id)
    if job is None:
        raise HTTPException(404, "no such job")
    return job


@router.get("/jobs", summary="Recent jobs, newest first")
def list_jobs(state: State, who: Reader, case: str | None = None,
              job_state: Annotated[str | None, Query(alias="state", pattern="|".join(STATES))] = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    return {"jobs": state.queue.listing(who, case, job_state, limit)}


# Async: a page of the index is a count and a page read, cheaper inline than the trip to a request
# thread and back; a text search (q) reads every row's text, so it goes to a thread.
@router.get("/bundles", summary="Bundles the user may see, newest first, paged")
async def list_bundles(state: State, who: Reader, case: str | None = None, platform: str | None = None,
                       status: str | None = None, author: str | None = None, q: str | None = None,
                       since: str | None = None, page: Annotated[int, Query(ge=1)] = 1,
                       per_page: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    search = partial(state.index.search, who, case=case, platform=platform, status=status, author=author, q=q,
                     since=since, page=page, per_page=per_page)
    return search() if q is None else await run_in_threadpool(search)


@router.get("/bundles/{bundle_id}.zip", summary="The bundle's files in one ZIP (recorded in the custody log)")
def get_zip(bundle_id: str, state: State, who: Reader) -> StreamingResponse:
    return zip_response(state, who, bundle_id)


@router.get("/bundles/{bundle_id}", summary="One bundle: manifest summary, post, verification, custody")
def get_bundle(bundle_id: str, state: State, who: Reader) -> dict[str, Any]:
    reader = visible_bundle(state, who, bundle_id)
    found = detail(reader, f"{PREFIX}/bundles/{bundle_id}")
    found.pop("rows")
    return found


@router.get("/bundles/{bundle_id}/files/{path:path}", summary="A file of the bundle, as stored")
def get_file(bundle_id: str, path: str, state: State, who: Reader) -> StreamingResponse:
    return file_response(state, who, bundle_id, path)


@router.get("/bundles/{bundle_id}/report.pdf", summary="The court report (recorded in the custody log)")
def get_report(bundle_id: str, state: State, who: Reader) -> Response:
    return report_response(state, who, bundle_id)


@router.get("/bundles/{bundle_id}/capture.wacz", summary="The bundle as WACZ (recorded in the custody log)")
def get_wacz(bundle_id: str, state: State, who: Reader) -> FileResponse:
    return wacz_response(state, who, bundle_id)


@router.post("/verify", status_code=201, summary="Verify bundles, a case, or every bundle you may see")
def post_verify(body: VerifyBody, state: State, who: Actor) -> dict[str, Any]:
    bundle_ids, case = verifiable_bundles(state, who, body.bundles, body.case)
    job_id = state.queue.submit_verify(who, bundle_ids, case, body.record)
    state.runner.wake()
    return {"job": state.queue.get(who, job_id)}


def file_response(state: ServiceState, who: Principal, bundle_id: str, path: str) -> StreamingResponse:
    reader = visible_bundle(state, who, bundle_id)
    found = downloads.stored_file(reader, path, state.index.manifest(bundle_id))
    if found is None:
        raise HTTPException(404, "no such file in this bundle")
    inline = found.media_type in ("image/png", "image/jpeg", "image/webp", "image/gif")
    name = path.rsplit("/", 1)[-1]
    return StreamingResponse(downloads.chunks(found.stream), media_type=found.media_type, headers={
        "Content-Length": str(found.size),
        # Captured pages are hostile: never rendered as this site's own documents.
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
        "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'"})


def zip_response(state: ServiceState, who: Principal, bundle_id: str) -> StreamingResponse:
    reader = visible_bundle(state, who, bundle_id)
    try:
        # Recorded first, so the ZIP holds the event that says who took it.
        reader.append_event(event="exported", actor=who.name, signer=state.config.signer,
                            details={"format": "zip", "file": f"{bundle_id}.zip", "via": "archiver serve"})
    except StoreError as exc:
        raise HTTPException(409, str(exc)) from None
    return StreamingResponse(zip_chunks(reader, list(reader.list_files())), media_type="application/zip",
                             headers={"Content-Disposition": f'attachment; filename="{bundle_id}.zip"'})


def report_response(state: ServiceState, who: Principal, bundle_id: str) -> Response:
    reader = visible_bundle(state, who, bundle_id)
    try:
        data, result = downloads.report_pdf(reader, state.config.signer, who.name, state.config.browser_path)
    except ArchiverError as exc:
        raise HTTPException(409, exc.format_message()) from None
    return Response(data, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{bundle_id}-report.pdf"', "X-Verification": result})


def wacz_response(state: ServiceState, who: Principal, bundle_id: str) -> FileResponse:
    reader = visible_bundle(state, who, bundle_id)
    try:
        path = downloads.wacz(reader, state.config.signer, who.name)
    except downloads.NotLocal as exc:
        raise HTTPException(501, exc.format_message()) from None
    except ArchiverError as exc:
        raise HTTPException(409, exc.format_message()) from None
    return FileResponse(path, media_type="application/wacz+zip", filename=path.name,
                        background=BackgroundTask(shutil.rmtree, path.parent, ignore_errors=True))
