"""What every request handler reaches: the database, the job queue, the bundle index, the runner."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from archiver.service.bundle_index import BundleIndex
from archiver.service.database import Database
from archiver.service.jobs import JobQueue
from archiver.service.runner import JobRunner, RunnerConfig


@dataclass
class ServiceState:
    db: Database
    queue: JobQueue
    index: BundleIndex
    runner: JobRunner
    config: RunnerConfig


def state_of(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state
