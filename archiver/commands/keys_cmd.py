"""``archiver keys``: the operator's signing key."""

from __future__ import annotations

from pathlib import Path

import click

from archiver.keys import DEFAULT_NAME, init_key, key_paths, load_key, public_pem


@click.group()
def keys() -> None:
    """Create and show the Ed25519 key that signs manifests and custody events."""


@keys.command("init")
@click.option("--name", default=DEFAULT_NAME, show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing key (old bundles stay verifiable).")
def init(name: str, force: bool) -> None:
    """Create a key pair (private key mode 0600; encrypted with $ARCHIVER_KEY_PASSPHRASE if set)."""
    signer = init_key(name, force=force)
    click.echo(f"created key {name!r} in {key_paths(name)[0]}")
    click.echo(f"fingerprint {signer.fingerprint}")


@keys.command("show")
@click.option("--name", default=DEFAULT_NAME, show_default=True)
def show(name: str) -> None:
    """Print the public key (PEM) and its SHA-256 fingerprint."""
    signer = load_key(name)
    click.echo(public_pem(signer.public_key).decode(), nl=False)
    click.echo(f"fingerprint {signer.fingerprint}")


@keys.command("export-public")
@click.option("--name", default=DEFAULT_NAME, show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write (default: stdout).")
def export_public(name: str, output: Path | None) -> None:
    """Write the public key (PEM) for others to verify your bundles with."""
    pem = public_pem(load_key(name).public_key)
    if output is None:
        click.echo(pem.decode(), nl=False)
    else:
        output.write_bytes(pem)
