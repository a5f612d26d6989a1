"""Finding and launching Chromium."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, Playwright

from archiver.config import load_config
from archiver.errors import ArchiverError

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
# Chromium's headless shell, which Playwright itself runs for headless launches. Debian ships it
# beside the full browser; preferred because every capture opens a new browser context, and a
# new context costs the full browser about 2 CPU-seconds but the shell about 0.1 (measured
# with Debian's 156 on 2 cores: 20-URL batches ran about 40% faster).
DEBIAN_HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-http2",
    "--no-first-run",
    # Keep WebRTC from reaching the network around the recording proxy.
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--disable-features=DnsOverHttps,MediaRouter,AutofillServerCommunication,OptimizationHints",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
)


class BrowserNotFoundError(ArchiverError):
    """No Chromium to drive; the message says how to get one."""


NO_CHROMIUM = ("no Chromium found: run 'archiver install-browser' (downloads Playwright's Chromium; "
               "needs internet), or 'sudo apt-get install chromium-headless-shell chromium', "
               "or pass --browser-path")


def find_browser(playwright: Playwright, override: Path | None = None) -> Path:
    """The Chromium to drive: --browser-path, else $ARCHIVER_BROWSER or the config file's
    ``browser``, else Playwright's own download, else Debian's headless shell, else Debian's
    full browser."""
    chosen = chosen_browser(override)
    if chosen is not None:
        return chosen
    bundled = Path(playwright.chromium.executable_path)
    if bundled.exists():
        return bundled
    for debian in (DEBIAN_HEADLESS_SHELL, DEBIAN_CHROMIUM):
        if debian.exists():
            return debian
    raise BrowserNotFoundError(NO_CHROMIUM)


def chosen_browser(override: Path | None = None) -> Path | None:
    """The Chromium the user named (--browser-path, $ARCHIVER_BROWSER, the config file), if any;
    an error names where a missing one was named."""
    if override is not None:
        return existing(override, "--browser-path")
    chosen = load_config().values["browser"]
    if chosen.value is None:
        return None
    origin = chosen.origin if chosen.origin.startswith("$") else f"browser in {chosen.origin}:"
    return existing(Path(chosen.value), origin)


def existing(path: Path, origin: str) -> Path:
    """``path``, which the user named through ``origin`` (a flag, a variable, the config file)."""
    if not path.exists():
        raise BrowserNotFoundError(f"{origin} {path} does not exist")
    return path


async def launch(playwright: Playwright, executable: Path) -> Browser:
    # Ctrl-C in a terminal reaches Playwright's driver too (same process group): left to it, the
    # driver would close the browser under the captures a stopping batch still finishes.
    return await playwright.chromium.launch(
        executable_path=str(executable), headless=True, args=list(LAUNCH_ARGS), handle_sigint=False
    )


def desktop_user_agent(browser_version: str) -> str:
    """A plain desktop Chrome UA for the running version (headless UAs are refused by platforms)."""
    major = re.match(r"\d+", browser_version)
    return (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{major.group(0) if major else '120'}.0.0.0 Safari/537.36"
    )
