"""What the command modules share: ``-`` for standard input or output wherever the command
line reads or writes a file, and the usage error."""

from __future__ import annotations

import sys

__all__ = ["IMPORT_FORMATS", "STDIO", "UsageError", "read_stdin", "write_stdout"]

STDIO = "-"
"""The file name of standard input (where a file is read) or output (where one is written)."""

IMPORT_FORMATS = {"osm": ("pbf", "osm"), "amap": ("json", "jsonl", "csv")}
"""The formats ``livable import osm|amap - --format F`` reads from standard input (the first
is the default)."""


class UsageError(Exception):
    """A usage error only found after parsing (an unknown distance provider): exit 2."""


def read_stdin() -> bytes:
    """All of standard input, as bytes (a command reads it at most once).

    >>> import io, sys
    >>> saved, sys.stdin = sys.stdin, io.TextIOWrapper(io.BytesIO(b"{}"))
    >>> read_stdin()
    b'{}'
    >>> sys.stdin = saved
    """
    return sys.stdin.buffer.read()


def write_stdout(data: bytes) -> None:
    """Write a product (a report, a map, a plan) to standard output as bytes, after any text
    already printed there.

    >>> import io, sys
    >>> saved, sys.stdout = sys.stdout, io.TextIOWrapper(io.BytesIO())
    >>> write_stdout(b"done")
    >>> sys.stdout.buffer.getvalue(), setattr(sys, "stdout", saved)
    (b'done', None)
    """
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
