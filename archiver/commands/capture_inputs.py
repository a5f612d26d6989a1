"""What ``archiver capture`` checks before it makes a key, opens a browser or stores anything:
the login files and who the capture is for."""

from __future__ import annotations

import re
from pathlib import Path

from archiver.commands.notices import warn
from archiver.config import load_config
from archiver.errors import ArchiverError
from archiver.platforms import PlatformError, Platforms
from archiver.secrets import parse_netscape_cookies, read_storage_state

PLATFORM_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
READERS = {"cookies": parse_netscape_cookies, "storage_state": read_storage_state}


def parse_logins(cookies: tuple[str, ...], states: tuple[str, ...], platforms: Platforms,
                 ) -> tuple[Path | None, Path | None, tuple[tuple[str, str, Path], ...]]:
    """Split ``[PLATFORM=]FILE`` options into the default files and per-platform ones, each file
    read once now so that a bad one stops the command before anything else happens."""
    defaults: dict[str, Path | None] = {"cookies": None, "storage_state": None}
    per_platform: list[tuple[str, str, Path]] = []
    for kind, values in (("cookies", cookies), ("storage_state", states)):
        for value in values:
            platform, sep, rest = value.partition("=")
            scoped = bool(sep) and PLATFORM_NAME.match(platform) is not None and not Path(value).exists()
            path = Path(rest if scoped else value)
            option = f"--{kind.replace('_', '-')}"
            if scoped:
                try:
                    per_platform.append((platforms.name_of(platform), kind, path))
                except PlatformError as exc:
                    raise PlatformError(f"{option} {value}: {exc.format_message()}") from None
            elif defaults[kind] is not None:
                raise ArchiverError(f"{option} given twice without a PLATFORM= prefix")
            else:
                defaults[kind] = path
            READERS[kind](path)
    return defaults["cookies"], defaults["storage_state"], tuple(per_platform)


def check_case_operator(case_id: str | None, operator: str | None) -> None:
    """Refuse a capture for no case or by nobody when the settings say so; else warn about it."""
    missing = [flag for flag, value in (("--case", case_id), ("--operator", operator)) if not value]
    if not missing:
        return
    config = load_config()
    if config["require_case_operator"]:
        raise ArchiverError(f"{' and '.join(missing)} required (require_case_operator, from "
                            f"{config.origin('require_case_operator')})")
    warn(f"no {' or '.join(missing)}: the manifest records none; set case and operator in "
         f"{config.path} or $ARCHIVER_CASE and $ARCHIVER_OPERATOR")
