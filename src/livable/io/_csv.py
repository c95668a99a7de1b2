"""Reading delimited text (CSV) with an honest answer about its encoding.

CSV files from Chinese offices are often GBK/GB18030. Without an ``encoding`` the text
must be UTF-8 (a byte-order mark is fine); anything else stops with the line that failed
and the encoding to name, so that no name is ever garbled.

>>> rows, header = read_csv_rows(b"id,name\\n1,\\xe8\\x8f\\x9c\\xe5\\xba\\x97\\n", source="x.csv")
>>> header, rows[0]
(['id', 'name'], (2, {'id': '1', 'name': '菜店'}))
>>> read_csv_rows("id,name\\n1,菜店\\n".encode("gb18030"), source="x.csv")
Traceback (most recent call last):
...
livable.errors.InputError: x.csv: line 2 is not UTF-8 text;...--encoding gb18030...
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence

from livable.errors import InputError

__all__ = ["decode_text", "read_csv_rows"]

ENCODING_HINT = (
    "files from Chinese Windows are usually GBK/GB18030: pass --encoding gb18030 "
    "(Python: encoding='gb18030')"
)


def decode_text(data: bytes, *, encoding: str | None, source: str) -> str:
    """Decode bytes strictly: ``encoding``, else UTF-8 (with or without a BOM).

    A failure raises :class:`~livable.errors.InputError` naming the line and the fix.

    >>> decode_text("菜店".encode("gb18030"), encoding="gb18030", source="x.csv")
    '菜店'
    """
    name = encoding or "utf-8-sig"
    try:
        codecs.lookup(name)
    except LookupError:
        raise InputError(f"unknown text encoding {encoding!r}", source=source) from None
    try:
        return data.decode(name)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        if encoding is None:
            raise InputError(
                f"line {line} is not UTF-8 text; {ENCODING_HINT}", source=source
            ) from None
        raise InputError(
            f"line {line} is not valid {encoding} text ({exc.reason}); check the encoding",
            source=source,
        ) from None


def read_csv_rows(
    data: bytes, *, source: str, encoding: str | None = None
) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """Rows of a CSV file as ``(line number, {column: text})`` and the header.

    Line numbers are the file's own (the header is line 1), so a report can point at the
    row. Tab-separated files are recognised by a header with tabs and no commas.
    """
    text = decode_text(data, encoding=encoding, source=source)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError("empty CSV file (no header row)", source=source) from None
    except csv.Error as exc:
        raise InputError(f"line 1: malformed CSV header: {exc}", source=source) from None
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise InputError(f"line 1: duplicate column names {dupes}", source=source)
    rows: list[tuple[int, dict[str, str]]] = []
    start = 2
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InputError(
                f"line {reader.line_num}: malformed CSV: {exc}", source=source
            ) from None
        line, start = start, reader.line_num + 1
        if not values or all(not v.strip() for v in values):
            continue
        row = dict(zip(header, _pad(values, len(header)), strict=False))
        if len(values) > len(header):
            row["\0extra"] = ",".join(values[len(header) :])
        rows.append((line, row))
    return rows, header


def _pad(values: Sequence[str], n: int) -> list[str]:
    return list(values) + [""] * (n - len(values))
