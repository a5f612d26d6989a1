"""What happened to a capture's page, gathered as the capture goes, and the status it earns."""

from __future__ import annotations

from typing import Any

from archiver.capture import Capture
from archiver.models import Classification, Status


class Outcome:
    """What happened to the page, gathered as the capture goes."""

    def __init__(self) -> None:
        self.final_url: str | None = None
        self.main_document: dict[str, Any] | None = None
        self.classification: Classification | None = None
        self.failure: str | None = None
        self.not_loaded = False  # no document arrived: nothing to settle, classify or extract
        self.notes: list[str] = []

    def verdict(self, capture: Capture) -> tuple[Status, str | None, str | None]:
        if self.failure:
            return Status.FAILED, self.failure, None
        if self.classification:
            reasons = [self.classification.reason, *capture.limits_hit]
            return self.classification.status, "; ".join(reasons), self.classification.hint
        limits = list(capture.limits_hit)
        if capture.traffic.limit_reason:
            limits.append(capture.traffic.limit_reason)
        if limits:
            return Status.PARTIAL, "; ".join(dict.fromkeys(limits)), None
        return Status.COMPLETE, None, None
