"""``archiver keys``: the operator's signing key."""

from __future__ import annotations

import json
from pathlib import Path

import click

from archiver.keys import DEFAULT_NAME, Signer, init_key, key_paths, load_key, public_pem

JSON_HELP = "One JSON object: name, fingerprint, public_key (PEM), private_key_file, public_key_file."


def key_json(signer: Signer) -> str:
    private_path, public_path = key_paths(signer.name)
    return json.dumps({"name": signer.name, "fingerprint": signer.fingerprint,
                       "public_key": public_pem(signer.public_key).decode(),
                       "private_key_file": str(private_path), "public_key_file": str(public_path)})


@click.group()
def keys() -> None:
    """Create and show the Ed25519 key that signs manifests and custody events."""


@keys.command("init")
@click.option("--name", default=DEFAULT_NAME, show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing key (old bundles stay verifiable).")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def init(name: str, force: bool, as_json: bool) -> None:
    """Create a key pair (private key mode 0600; encrypted with $ARCHIVER_KEY_PASSPHRASE if set)."""
    signer = init_key(name, force=force)
    if as_json:
        click.echo(key_json(signer))
        return
    click.echo(f"created key {name!r} in {key_paths(name)[0]}")
    click.echo(f"fingerprint {signer.fingerprint}")


@keys.command("show")
@click.option("--name", default=DEFAULT_NAME, show_default=True)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def show(name: str, as_json: bool) -> None:
    """Print the public key (PEM) and its SHA-256 fingerprint."""
    signer = load_key(name)
    if as_json:
        click.echo(key_json(signer))
        return
    click.echo(public_pem(signer.public_key).decode(), nl=False)
    click.echo(f"fingerprint {signer.fingerprint}")


@keys.command("export-public")
@click.option("--name", default=DEFAULT_NAME, show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write (default: stdout).")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def export_public(name: str, output: Path | None, as_json: bool) -> None:
    """Write the public key (PEM) for others to verify your bundles with."""
    signer = load_key(name)
    pem = public_pem(signer.public_key)
    if output is not None:
        output.write_bytes(pem)
    if as_json:
        click.echo(key_json(signer))
    elif output is None:
        click.echo(pem.decode(), nl=False)
