"""What an API user may choose for a capture. Network safety (``--resolve``, ``--insecure``,
``--ca-bundle``, ``--allow-private-networks``) is not among them: only whoever runs
``archiver serve`` sets it, so no API user can turn the SSRF guard off. Unknown keys are refused
rather than ignored, so a request that asks for them learns it did not get them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SkipValidation

from archiver.service.job_logins import PlatformLogin
from archiver.settings import CaptureSettings

MAX_URLS = 1000


class CaptureOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    navigation_timeout: float | None = Field(default=None, gt=0, le=300,
                                             description="Seconds for the page load.")
    settle_timeout: float | None = Field(default=None, ge=0, le=300,
                                         description="Seconds for scrolling and media.")
    timeout: float | None = Field(default=None, gt=0, le=900, description="Seconds for one whole capture.")
    viewport: str | None = Field(default=None, pattern=r"^[1-9][0-9]{2,3}x[1-9][0-9]{2,4}$",
                                 examples=["1280x900"])
    locale: str | None = Field(default=None, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    timezone: str | None = Field(default=None, pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$")
    max_bytes: int | None = Field(default=None, gt=0, le=4 * 1024**3, description="Network traffic cap.")
    screenshot_max_height: int | None = Field(default=None, ge=100, le=65536)
    # Checked by job_logins.read_api_logins rather than here: a validation error would echo the
    # value back. Never dumped (the job's stored options, the Idempotency-Key digest) nor shown.
    logins: SkipValidation[dict[str, PlatformLogin] | None] = Field(
        default=None, exclude=True, repr=False,
        examples=[{"x": {"cookies_txt": "# Netscape HTTP Cookie File\n..."}}],
        description="Login material for these jobs only, by platform ('*': every platform without its own).")

    def apply(self, base: CaptureSettings) -> CaptureSettings:
        changes: dict[str, Any] = {
            "navigation_timeout": self.navigation_timeout, "settle_timeout": self.settle_timeout,
            "capture_timeout": self.timeout, "locale": self.locale, "timezone": self.timezone,
            "max_capture_bytes": self.max_bytes, "screenshot_max_height": self.screenshot_max_height,
        }
        if self.viewport:
            width, height = self.viewport.split("x")
            changes |= {"viewport_width": int(width), "viewport_height": int(height)}
        return replace(base, **{key: value for key, value in changes.items() if value is not None})


class CaptureBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    urls: list[str] = Field(min_length=1, max_length=MAX_URLS)
    case: str = Field(min_length=1, max_length=200, description="Case id recorded in each manifest.")
    options: CaptureOptions = CaptureOptions()


class VerifyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bundles: list[str] | None = Field(default=None, max_length=10000, description="Bundle ids to verify.")
    case: str | None = Field(default=None, description="Every bundle of this case.")
    record: bool = Field(default=True, description="Append a signed 'verified' custody event to each bundle.")
