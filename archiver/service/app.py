"""The ASGI application: API, pages, health and metrics, behind the guards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from archiver.service import admin_pages, api, match_api, match_page, metrics, web, webhooks_api
from archiver.service.auth import LoginRequired, api_user, token_user, web_session
from archiver.service.guards import Guards
from archiver.service.state import ServiceState, state_of
from archiver.service.users import Principal
from archiver.toolinfo import tool_info

MAX_BODY = 16 * 1024 * 1024


def create_app(state: ServiceState, max_body: int = MAX_BODY) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await state.runner.start()
        await state.sender.start()
        try:
            yield
        finally:
            await state.sender.stop()
            await state.runner.stop()

    app = FastAPI(title="evidence-archiver service", version=tool_info()["version"], lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)
    app.state.service = state
    app.include_router(api.router)
    app.include_router(match_api.router)
    app.include_router(webhooks_api.router)
    app.include_router(web.router)
    app.include_router(match_page.router)
    app.include_router(admin_pages.router)
    app.mount("/static", StaticFiles(directory=str(files("archiver.service") / "static")), name="static")

    @app.exception_handler(RequestValidationError)
    async def without_values(_request: Request, exc: RequestValidationError) -> Response:
        # A refused body may hold login material (a cookies file under a mistyped key): the
        # answer names the place and the rule, never the value.
        errors = [{key: value for key, value in error.items() if key != "input"} for error in exc.errors()]
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

    @app.exception_handler(LoginRequired)
    async def to_login(_request: Request, _exc: LoginRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metrics", include_in_schema=False)
    def get_metrics(_who: Annotated[Principal, Depends(api_user)],
                    service: Annotated[ServiceState, Depends(state_of)]) -> PlainTextResponse:
        return PlainTextResponse(metrics.render(service.queue, service.db),
                                 media_type="text/plain; version=0.0.4")

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi(request: Request) -> dict[str, Any]:
        signed_in(request)
        return app.openapi()

    @app.get("/api/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        signed_in(request)
        return get_swagger_ui_html(openapi_url="/api/openapi.json", title="evidence-archiver API")

    def signed_in(request: Request) -> Principal:
        """The docs are read in a browser (a session) or fetched by a client (a token)."""
        if request.headers.get("authorization"):
            return token_user(request, state)
        try:
            return web_session(request, state)[0]
        except LoginRequired:
            raise HTTPException(401, "log in, or send an API token") from None

    app.add_middleware(Guards, max_body=max_body)
    return app
