"""``archiver report``: one self-contained court report (HTML or PDF) of a bundle."""

from __future__ import annotations

import json
from pathlib import Path

import click
from playwright.async_api import Error as PlaywrightError

from archiver.browser import chosen_browser
from archiver.commands.custody_cmd import bundle_folder
from archiver.commands.outputs import check_output, signer, write_new
from archiver.custody import append_event
from archiver.errors import EXIT_PROBLEM, EvidenceError
from archiver.hashing import hash_bytes
from archiver.keys import DEFAULT_NAME
from archiver.problem import OK
from archiver.storage.local import local_bundle


@click.command()
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]),
              help="Default: pdf when -o ends in .pdf, else html.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="File to write (never overwritten). Default: ./<bundle-id>-report.<format>")
@click.option("--operator", help="Who makes the report (recorded in the custody event).")
@click.option("--key", "key_name", default=DEFAULT_NAME, show_default=True,
              help="Signing key for the 'reported' custody event.")
@click.option("--tsa-ca", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Trusted CA certificate(s) of the time-stamping authority, to check the token's chain.")
@click.option("--browser-path", type=click.Path(path_type=Path), help="Chromium to print the PDF with.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object: result, bundle_id, report, format, sha256, size, custody_event.")
def report(bundle: Path, fmt: str | None, output: Path | None, operator: str | None, key_name: str,
           tsa_ca: Path | None, browser_path: Path | None, as_json: bool) -> None:
    """Render a court report of one local bundle; exit 1 when the bundle does not verify."""
    from archiver.report import gather, render_html  # template engine and images: only here
    from archiver.report_pdf import html_to_pdf

    folder = bundle_folder(bundle)
    fmt = fmt or ("pdf" if output is not None and output.suffix.lower() == ".pdf" else "html")
    output = check_output(output or Path(f"{folder.resolve().name}-report.{fmt}"), folder)
    options = {}
    if tsa_ca is not None:
        from archiver.commands.verify_cmd import load_tsa_ca

        options["tsa_ca"] = load_tsa_ca(tsa_ca)
    if fmt == "pdf":
        chosen_browser(browser_path)
    recorder = signer(key_name)  # once every input is known to be usable: a first run makes the key
    facts = gather(local_bundle(folder), **options)
    document = render_html(facts)
    if fmt == "pdf":
        try:
            data = html_to_pdf(document, f"Evidence report {facts['bundle_id']}", browser_path)
        except PlaywrightError as exc:
            raise EvidenceError(f"printing the PDF failed: {str(exc).splitlines()[0]}") from None
    else:
        data = document.encode("utf-8")
    write_new(output, data)
    digest = hash_bytes(data)
    event = append_event(folder, event="reported", actor=operator, signer=recorder, details={
        "format": fmt, "file": output.name, "sha256": digest, "size": len(data),
        "verification": facts["result"]})
    if as_json:
        click.echo(json.dumps({"result": facts["result"], "bundle_id": facts["bundle_id"],
                               "report": str(output), "format": fmt, "sha256": digest, "size": len(data),
                               "custody_event": event}))
    else:
        click.echo(f"{facts['result']}  {facts['bundle_id']}  report {output} ({fmt}, {digest}); "
                   f"custody event {event}")
    if facts["result"] != OK:
        raise SystemExit(EXIT_PROBLEM)
