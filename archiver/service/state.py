"""What every request handler reaches: the database, the job queue, the bundle index, the runner,
the rate limits, webhook deliveries and the match sources."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request

from archiver.service.bundle_index import BundleIndex
from archiver.service.database import Database
from archiver.service.jobs import JobQueue
from archiver.service.match_lookup import MatchLookup
from archiver.service.rate_limits import RateLimiter
from archiver.service.runner import JobRunner, RunnerConfig
from archiver.service.token_cache import TokenCache
from archiver.service.webhook_sender import WebhookSender
from archiver.service.webhooks import Deliveries


@dataclass
class ServiceState:
    db: Database
    queue: JobQueue
    index: BundleIndex
    runner: JobRunner
    config: RunnerConfig
    limits: RateLimiter
    deliveries: Deliveries
    sender: WebhookSender
    matching: MatchLookup
    tokens: TokenCache = field(default_factory=TokenCache)


async def state_of(request: Request) -> ServiceState:  # async: no request thread for an attribute
    state: ServiceState = request.app.state.service
    return state
