"""The match page: upload an image or a video, see where it was seen before (near-duplicates
among the bundles the user may see, with thumbnails and distances) and which hash banks know it."""

from __future__ import annotations

import base64
import io
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import HTMLResponse

from archiver.service.auth import check_csrf, web_session
from archiver.service.match_api import lookup
from archiver.service.match_lookup import BUNDLES, NotMatchable, file_query
from archiver.service.state import ServiceState, state_of
from archiver.service.users import Principal
from archiver.service.web import page

router = APIRouter(include_in_schema=False)
State = Annotated[ServiceState, Depends(state_of)]
Session = Annotated[tuple[Principal, str], Depends(web_session)]
THUMBNAIL = 320


@router.get("/match")
def match_form(session: Session) -> HTMLResponse:
    return page("match.html", user=session[0], csrf=session[1], result=None, error=None)


@router.post("/match")
def match_upload(state: State, session: Session, file: Annotated[UploadFile, File()],
                 csrf: Annotated[str | None, Form()] = None) -> HTMLResponse:
    who, expected = session
    check_csrf(csrf, expected)
    data = file.file.read()
    name = file.filename or "upload"
    try:
        target = file_query(name, data)
    except NotMatchable as exc:
        return page("match.html", 422, user=who, csrf=expected, result=None, error=str(exc))
    answer = lookup(state, who, target)
    banks = {bank: hits for bank, hits in answer.items() if bank != BUNDLES}
    return page("match.html", user=who, csrf=expected, error=None, upload=name, kind=target.kind,
                preview=preview(data), result={"bundles": answer[BUNDLES], "banks": banks})


def preview(data: bytes) -> str | None:
    """The uploaded image, small, as a data: URL (the page's CSP allows those for images)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((THUMBNAIL, THUMBNAIL))
            out = io.BytesIO()
            image.convert("RGB").save(out, "PNG")
    except (UnidentifiedImageError, OSError, ValueError):
        return None  # a video
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
