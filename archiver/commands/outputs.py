"""What commands that write share: a new output file outside the bundle, and the signer that
records the custody event for it."""

from __future__ import annotations

from pathlib import Path

import click

from archiver.commands.common import fail
from archiver.keys import KeyError_, Signer, key_paths, load_or_create


def check_output(output: Path, bundle: Path) -> Path:
    """A path for a file that does not exist yet, in an existing folder, outside the (sealed) bundle."""
    if output.exists():
        fail(f"{output} already exists; not overwriting it")
    if not output.parent.resolve().is_dir():
        fail(f"no such folder: {output.parent}")
    resolved = output.parent.resolve() / output.name
    if bundle.resolve() in resolved.parents:
        fail("the output cannot go inside the bundle folder (a bundle is sealed); choose another -o")
    return output


def signer(key_name: str) -> Signer:
    try:
        found, created = load_or_create(key_name)
    except KeyError_ as exc:
        fail(str(exc))
    if created:
        click.echo(f"archiver: created signing key {key_name!r} ({found.fingerprint}) in "
                   f"{key_paths(key_name)[0].parent}; back it up", err=True)
    return found


def write_new(output: Path, data: bytes) -> None:
    """Write a file that must not exist (an existing one appearing meanwhile is not replaced)."""
    try:
        with output.open("xb") as out:
            out.write(data)
    except FileExistsError:
        fail(f"{output} already exists; not overwriting it")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}")
