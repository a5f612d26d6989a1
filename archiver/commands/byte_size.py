"""Sizes as people type them: ``1048576``, ``512M``, ``1G``, ``1.5GiB``."""

from __future__ import annotations

import re

import click

from archiver.errors import ArchiverError

# Powers of 1024 whichever way the unit is written: a cap of 1G means one GiB.
UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)


class ByteSize(click.ParamType[int]):
    name = "size"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        match = SIZE.match(str(value))
        if not match:
            option = param.opts[0] if param is not None else "size"
            raise ArchiverError(f"{option} {value!r} is not a size: bytes, or a number with K, M, G or T "
                                "(powers of 1024), e.g. 512M or 1G")
        number, unit = match.groups()
        return int(float(number) * UNITS[unit.lower()])
