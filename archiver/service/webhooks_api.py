"""``/api/v1/webhooks``: an admin's webhooks, their delivery log, and sending a delivery again."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field

from archiver.service.api import PREFIX
from archiver.service.auth import admin_api_user
from archiver.service.state import ServiceState, state_of
from archiver.service.tables import Webhook
from archiver.service.users import Principal
from archiver.service.webhooks import (
    EVENTS,
    WebhookError,
    create_webhook,
    delete_webhook,
    describe_webhook,
    list_webhooks,
)

router = APIRouter(prefix=PREFIX)
State = Annotated[ServiceState, Depends(state_of)]
Admin = Annotated[Principal, Depends(admin_api_user)]


class WebhookBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, description="Where each event is POSTed (http or https).")
    events: list[str] = Field(min_length=1, description=f"Some of {', '.join(EVENTS)}.")
    case: str | None = Field(default=None, max_length=200, description="Follow the jobs of this case...")
    token_id: int | None = Field(default=None, description="...or the jobs submitted with this API token.")
    secret: str | None = Field(default=None, max_length=200,
                               description="Key of X-Archiver-Signature (default: generated, shown once).")


@router.post("/webhooks", status_code=201, summary="A webhook for a case's or a token's job events")
def post_webhook(body: WebhookBody, state: State, who: Admin) -> dict[str, Any]:
    try:
        with state.db.session() as session:
            hook, secret = create_webhook(session, who.name, body.url, body.events, body.case, body.token_id,
                                          body.secret)
            return {**describe_webhook(hook), "secret": secret}
    except WebhookError as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/webhooks", summary="Every webhook (without secrets)")
def get_webhooks(state: State, _who: Admin) -> dict[str, Any]:
    with state.db.session() as session:
        return {"webhooks": list_webhooks(session)}


@router.delete("/webhooks/{webhook_id}", status_code=204, summary="Remove a webhook and its delivery log")
def remove_webhook(webhook_id: int, state: State, _who: Admin) -> Response:
    with state.db.session() as session:
        if not delete_webhook(session, webhook_id):
            raise HTTPException(404, "no such webhook")
    return Response(status_code=204)


@router.get("/webhooks/{webhook_id}/deliveries", summary="A webhook's deliveries, newest first")
def get_deliveries(webhook_id: int, state: State, _who: Admin) -> dict[str, Any]:
    with state.db.session() as session:
        if session.get(Webhook, webhook_id) is None:
            raise HTTPException(404, "no such webhook")
    return {"deliveries": state.deliveries.listing(webhook_id)}


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/retry", status_code=202,
             summary="Send a delivery again, with a new series of tries")
def retry_delivery(webhook_id: int, delivery_id: str, state: State, _who: Admin) -> dict[str, Any]:
    found = state.deliveries.retry(webhook_id, delivery_id)
    if found is None:
        raise HTTPException(404, "no such delivery")
    return found
