"""What commands that write share: a new output file outside the bundle, and the signer that
records the custody event for it."""

from __future__ import annotations

from pathlib import Path

from archiver.commands.notices import note
from archiver.errors import ArchiverError
from archiver.keys import Signer, key_paths, load_or_create


def check_output(output: Path, bundle: Path) -> Path:
    """A path for a file that does not exist yet, in an existing folder, outside the (sealed) bundle."""
    if output.exists():
        raise ArchiverError(f"{output} already exists; not overwriting it")
    if not output.parent.resolve().is_dir():
        raise ArchiverError(f"no such folder: {output.parent}")
    resolved = output.parent.resolve() / output.name
    if bundle.resolve() in resolved.parents:
        raise ArchiverError("the output cannot go inside the bundle folder (a bundle is sealed); "
                            "choose another -o")
    return output


def signer(key_name: str) -> Signer:
    found, created = load_or_create(key_name)
    if created:
        note(f"created signing key {key_name!r} ({found.fingerprint}) in {key_paths(key_name)[0].parent}; "
             "back it up")
    return found


def write_new(output: Path, data: bytes) -> None:
    """Write a file that must not exist (an existing one appearing meanwhile is not replaced)."""
    try:
        with output.open("xb") as out:
            out.write(data)
    except FileExistsError:
        raise ArchiverError(f"{output} already exists; not overwriting it") from None
    except OSError as exc:
        raise ArchiverError(f"cannot write {output}: {exc.strerror}") from None
