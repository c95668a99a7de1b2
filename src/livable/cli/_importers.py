"""The ``livable import`` commands and the ``--dedupe-m`` step of ``livable evaluate``.

Kept apart from :mod:`livable.cli` so the command line only imports it when used.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any, TextIO

import orjson

from livable._text import escape, show, where
from livable.cli._common import IMPORT_FORMATS, STDIO, UsageError, read_stdin, write_stdout
from livable.errors import LivableError
from livable.io import (
    ImportResult,
    facilities_to_geojson,
    streets_to_geojson,
    type_counts,
    write_geojson,
)
from livable.io.dedupe import DedupeResult, dedupe_facilities
from livable.io.readers import FacilityLayer

__all__ = ["dedupe_for_evaluate", "run_import"]


def _known_types() -> list[str]:
    from livable.plugins import PluginManager

    return list(PluginManager().facility_types())


def _print_dedupe(result: DedupeResult, tolerance: float, out: TextIO, limit: int) -> None:
    print(
        f"de-duplicated within {tolerance:g} m: {result.removed} facilities merged into "
        f"{len(result.merges)}",
        file=out,
    )
    for m in result.merges[:limit]:
        merged = ", ".join(show(i, quote=False) for i in m.merged)
        print(
            f"  {show(m.kept, quote=False)} <- {merged} ({m.type}, {m.max_distance_m:.1f} m)",
            file=out,
        )
    if len(result.merges) > limit:
        print(f"  ... and {len(result.merges) - limit} more", file=out)


def _report(result: ImportResult, kind: str, top_n: int, out: TextIO) -> None:
    layer = result.facilities
    print(f"facilities 设施: {len(layer)}", file=out)
    for t, n in result.counts.items():
        print(f"  {t:<30}{n:>7}", file=out)
    if result.skipped:
        print(f"skipped by the mapping (not facilities): {result.skipped}", file=out)
    what = "tags" if kind == "osm" else "type codes"
    if result.unmatched:
        shown = result.unmatched[:top_n]
        print(
            f"{what} that matched no mapping row (top {len(shown)} of {len(result.unmatched)}):",
            file=out,
        )
        for label, n in shown:
            print(f"  {n:>6}  {show(label, 80, quote=False)}", file=out)
    else:
        print(f"{what} that matched no mapping row: none", file=out)
    if layer.rejected:
        print(f"rejected rows 未导入 ({len(layer.rejected)}):", file=out)
        for r in layer.rejected[:top_n]:
            print(f"  {where(r.source, r.id)}: {escape(r.reason)}", file=out)
        if len(layer.rejected) > top_n:
            print(f"  ... and {len(layer.rejected) - top_n} more", file=out)


def _input(args: argparse.Namespace) -> str | bytes:
    """``FILE``, or the bytes of standard input for ``-`` (read in the ``--format`` given)."""
    if args.format is not None and args.file != STDIO:
        raise UsageError(f"argument --format: it is the format of FILE -, not of {show(args.file)}")
    return read_stdin() if args.file == STDIO else args.file


def run_import(args: argparse.Namespace, out: TextIO) -> int:
    """``livable import osm|amap FILE --out DIR``: write facilities (and streets) GeoJSON.

    With ``--out -`` the facilities GeoJSON goes to standard output and every other line to
    standard error; ``--quiet`` prints nothing but errors.
    """
    to_stdout = args.out == STDIO
    if to_stdout and args.source == "osm" and not args.no_streets:
        raise UsageError("--out - writes only the facilities to standard output: add --no-streets")
    if args.quiet:
        out = io.StringIO()
    elif to_stdout:
        out = sys.stderr
    known = _known_types()
    result = _read(args, _input(args), known)
    layer = result.facilities
    if args.dedupe_m is not None:
        deduped = dedupe_facilities(layer, tolerance_m=args.dedupe_m)
        layer = deduped.facilities
        result = ImportResult(
            facilities=layer,
            counts=type_counts(layer.types.tolist(), known),
            unmatched=result.unmatched,
            skipped=result.skipped,
            streets=result.streets,
        )
    _report(result, args.source, args.top, out)
    if args.dedupe_m is not None:
        _print_dedupe(deduped, args.dedupe_m, out, args.top)
    if to_stdout:
        write_stdout(orjson.dumps(facilities_to_geojson(layer)))
        if not len(layer):
            print(_NONE_MATCHED, file=out)
        return 0
    folder = Path(args.out)
    written = [write_geojson(facilities_to_geojson(layer), folder / "facilities.geojson")]
    if result.streets is not None:
        written.append(
            write_geojson(streets_to_geojson(result.streets), folder / "streets.geojson")
        )
        print(f"walkable streets 步行道路: {len(result.streets)}", file=out)
    for path in written:
        print(f"wrote {path}", file=out)
    if not len(layer):
        print(_NONE_MATCHED, file=out)
    print(
        "\nnext: livable evaluate --communities COMMUNITIES --facilities "
        f"{written[0]} --out report.json",
        file=out,
    )
    if len(written) > 1:
        print(f"  (network distance: add --streets {written[1]} --distance network)", file=out)
    return 0


_NONE_MATCHED = "warning: no facilities matched the mapping; check the file and the mapping"


def _read(args: argparse.Namespace, file: str | bytes, known: list[str]) -> ImportResult:
    """The import of ``FILE`` (or of the bytes of standard input)."""
    fmt: Any = args.format or IMPORT_FORMATS[args.source][0]  # one of the parser's choices
    if args.source == "osm":
        from livable.io.osm import read_osm

        return read_osm(
            file,
            mapping=args.tags,
            keep_areas=args.keep_areas,
            streets=not args.no_streets,
            known_types=known,
            format=fmt,
        )
    from livable.io.amap import read_amap

    return read_amap(
        file,
        typecodes=args.typecodes,
        encoding=args.encoding,
        datum=args.datum,
        known_types=known,
        format=fmt,
    )


def dedupe_for_evaluate(args: argparse.Namespace, out: TextIO) -> FacilityLayer:
    """Read ``--facilities`` and merge duplicates within ``--dedupe-m`` metres."""
    from livable.io.readers import read_facilities

    if args.dedupe_m <= 0:
        raise LivableError("--dedupe-m must be a positive number of metres")
    layer = read_facilities(
        args.facilities,
        crs=args.facilities_crs,
        datum=args.facilities_datum,
        known_types=_known_types(),
        strict=args.strict,
        encoding=getattr(args, "encoding", None),
    )
    result = dedupe_facilities(layer, tolerance_m=args.dedupe_m)
    if not args.quiet:
        _print_dedupe(result, args.dedupe_m, out, 10)
    return result.facilities
