"""``archiver install-browser``: Playwright's Chromium, installed by the Python that runs this tool.

pipx puts only ``archiver`` on the PATH, not ``playwright``; running Playwright's installer as
``python -m playwright`` with the tool's own interpreter reaches it wherever the tool is installed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import click

from archiver.commands.notices import quiet
from archiver.errors import EnvironmentFailure

DEBIAN_PACKAGES = "chromium-headless-shell chromium"


@click.command("install-browser")
@click.option("--json", "as_json", is_flag=True, help="Print {\"browser\": PATH} when done.")
def install_browser(as_json: bool) -> None:
    """Download the Chromium that Playwright drives (needs internet; exit 3 when it cannot).

    Without internet, install Debian's instead: sudo apt-get install chromium-headless-shell chromium
    (found in /usr/bin without any option).
    """
    # The installer's progress goes to stderr, so that stdout holds only the answer.
    shown = subprocess.DEVNULL if quiet() else sys.stderr
    done = subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], stdout=shown,
                          stderr=shown, check=False)
    if done.returncode != 0:
        raise EnvironmentFailure(f"Playwright's installer could not install Chromium (exit "
                                 f"{done.returncode}); without internet, install Debian's: "
                                 f"sudo apt-get install {DEBIAN_PACKAGES}")
    from playwright.sync_api import sync_playwright  # starts Playwright's driver: only once installed

    with sync_playwright() as playwright:
        executable = playwright.chromium.executable_path
    click.echo(json.dumps({"browser": executable}) if as_json else f"Chromium installed: {executable}")
