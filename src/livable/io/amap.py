"""Amap (高德) POI exports into facilities: type codes mapped, GCJ-02 converted to WGS84.

Reads the JSON of the place-search API (``{"pois": [...]}``, a bare list of POIs, a list
of such pages, or JSON Lines) and CSV exports with a ``location`` column (``"lon,lat"``) or
``lon``/``lat`` columns (Chinese headers 经度/纬度 too). Type codes map to facility types
through a table shipped as data (``livable/data/amap_typecodes.toml``, see
:func:`load_amap_typecodes`): the most specific matching row wins, multi-valued codes
(``050100|050300``) included. A malformed row is reported with its feature or line
number and the rest are read.

>>> t = load_amap_typecodes()
>>> t.classify(["150702"]).type, t.classify(["141204"]).type, t.classify(["060705"]).type
('transit_stop', 'kindergarten', 'vegetable_store')
>>> t.classify(["050100"], name="老王早餐店").type
'breakfast_outlet'
>>> t.classify(["990000"]).type is None, t.classify(["250000"]) is None
(True, True)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs
import numpy as np
import orjson

from livable._text import show
from livable.errors import InputError, LivableError
from livable.io._common import (
    ImportResult,
    bytes_info,
    check_types,
    load_toml,
    rows_to_layer,
    top,
    type_counts,
)
from livable.io._csv import read_csv_rows
from livable.io.datums import Datum, parse_datum
from livable.io.datums import to_wgs84 as datum_to_wgs84
from livable.io.readers import Rejection, SourceInfo
from livable.models import FACILITY_TYPES

__all__ = [
    "AmapTable",
    "CodeRow",
    "load_amap_typecodes",
    "read_amap",
    "typecode_table_markdown",
]

_CODE_RE = re.compile(r"^\d{6}$")

_ALIASES: Mapping[str, tuple[str, ...]] = {
    "id": ("id", "poi_id", "poiid", "uid", "编号", "POI编号"),
    "name": ("name", "名称", "poi名称"),
    "typecode": ("typecode", "type_code", "typecodes", "类型编码", "分类编码"),
    "type": ("type", "类型", "分类"),
    "location": ("location", "坐标", "经纬度"),
    "lon": ("lon", "lng", "longitude", "经度"),
    "lat": ("lat", "latitude", "纬度"),
    "address": ("address", "地址"),
}


def normalize_code(code: str, *, source: str = "typecodes") -> str:
    """The prefix a table code stands for: ``"150700"`` -> ``"1507"``, ``"050000"`` -> ``"05"``.

    Two-, four- and six-digit codes are accepted; ``""`` matches every code.

    >>> normalize_code("150700"), normalize_code("141204"), normalize_code("0602")
    ('1507', '141204', '0602')
    """
    text = str(code).strip()
    if not (text == "" or (text.isdigit() and len(text) in (2, 4, 6))):
        raise InputError(f"type code {code!r} is not 2, 4 or 6 digits", source=source)
    while len(text) > 2 and text.endswith("00"):
        text = text[:-2]
    return "" if text == "00" else text


@attrs.frozen
class CodeRow:
    """One row of the type-code table: a code prefix (and name pattern) -> a facility type.

    ``type`` is ``None`` for a ``skip`` row.
    """

    code: str
    type: str | None
    name: re.Pattern[str] | None = None
    label: str = ""
    note: str = ""
    written: str = ""
    """The code as the table wrote it (``"150700"``)."""


@attrs.frozen
class AmapTable:
    """The type-code table: most specific prefix wins; rows with a name pattern first."""

    rows: tuple[CodeRow, ...]
    source: str = "livable/data/amap_typecodes.toml"
    _plain: Mapping[str, CodeRow] = attrs.field(init=False, repr=False, eq=False)
    _named: Mapping[str, tuple[CodeRow, ...]] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        plain: dict[str, CodeRow] = {}
        named: dict[str, list[CodeRow]] = {}
        for row in self.rows:  # earlier rows (an override file's) win
            if row.name is None:
                plain.setdefault(row.code, row)
            else:
                named.setdefault(row.code, []).append(row)
        object.__setattr__(self, "_plain", plain)
        object.__setattr__(self, "_named", {k: tuple(v) for k, v in named.items()})

    def classify(self, codes: Sequence[str], name: str | None = None) -> CodeRow | None:
        """The row for a POI's six-digit codes (and name), or ``None`` when none matches.

        Rows whose name pattern matches come first, longest prefix first; then plain rows,
        longest prefix first; among codes of equal specificity the first listed wins.
        """
        lengths = (6, 4, 2, 0)
        if name:
            for n in lengths:
                for code in codes:
                    for row in self._named.get(code[:n], ()):
                        if row.name is not None and row.name.search(name):
                            return row
        for n in lengths:
            for code in codes:
                found = self._plain.get(code[:n])
                if found is not None:
                    return found
        return None

    def with_overrides(self, overrides: Mapping[str, str | None]) -> AmapTable:
        """A table whose rows for these codes win: ``{"060400": "convenience_store"}``;
        ``None`` skips a code.

        >>> load_amap_typecodes().with_overrides({"060400": "convenience_store"}).classify(
        ...     ["060401"]).type
        'convenience_store'
        """
        rows = tuple(
            CodeRow(code=normalize_code(k, source="overrides"), type=v, written=str(k))
            for k, v in overrides.items()
        )
        return AmapTable(rows=rows + self.rows, source=self.source)


def _code_row(raw: Any, index: int, source: str) -> CodeRow:
    where = f"{source}: code row {index + 1}"
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: each [[code]] must be a table")
    unknown = set(raw) - {"code", "type", "skip", "name", "label", "note"}
    if unknown:
        raise InputError(f"{where}: unknown field(s) {sorted(unknown)}")
    code = raw.get("code")
    if not isinstance(code, str):
        raise InputError(f'{where}: `code` must be a string like "150700" (quote it)')
    skip = raw.get("skip", False)
    ftype = raw.get("type")
    if skip is True:
        if ftype is not None:
            raise InputError(f"{where}: a skip row has no type")
    elif not isinstance(ftype, str) or not ftype:
        raise InputError(f"{where}: needs `type` (a facility type id) or `skip = true`")
    pattern = raw.get("name")
    try:
        name = re.compile(pattern) if isinstance(pattern, str) and pattern else None
    except re.error as exc:
        raise InputError(f"{where}: bad name pattern {pattern!r}: {exc}") from None
    return CodeRow(
        code=normalize_code(code, source=where),
        type=None if skip is True else ftype,
        name=name,
        label=str(raw.get("label", "")),
        note=str(raw.get("note", "")),
        written=code,
    )


def load_amap_typecodes(
    path: str | Path | None = None,
    *,
    overrides: Mapping[str, str | None] | None = None,
    known_types: Collection[str] | None = None,
) -> AmapTable:
    """The type-code table: the built-in one, or a TOML file of your own, plus overrides.

    A file with ``extends = "builtin"`` puts its ``[[code]]`` rows before the built-in ones
    (they win over rows of the same code); without it, it replaces the table.
    ``overrides`` maps codes to types (``None`` to skip a code) and wins over both. Amap
    revises its codes between versions, so a district can keep its own file; a plugin can
    ship one and pass it here. Every type must be known (``known_types``, default the
    built-in types).

    >>> load_amap_typecodes(overrides={"141204": None}).classify(["141204"]).type is None
    True
    """
    known = FACILITY_TYPES.keys() if known_types is None else known_types
    builtin = path is None
    source = "livable/data/amap_typecodes.toml" if builtin else str(path)
    data = load_toml("" if builtin else Path(path), package_default="amap_typecodes.toml")  # type: ignore[arg-type]
    raw_rows = data.get("code", [])
    if not isinstance(raw_rows, list):
        raise InputError(f"{source}: `code` must be an array of tables ([[code]])")
    rows = tuple(_code_row(r, i, source) for i, r in enumerate(raw_rows))
    extends = data.get("extends")
    if extends is not None:
        if extends != "builtin":
            raise InputError(f'{source}: extends must be "builtin", not {extends!r}')
        rows = rows + load_amap_typecodes(known_types=known).rows
    elif not rows:
        raise InputError(f'{source}: no [[code]] rows (add extends = "builtin" to extend)')
    table = AmapTable(rows=rows, source=source)
    if overrides:
        table = table.with_overrides(overrides)
    check_types((r.type for r in table.rows if r.type is not None), known, source=source)
    return table


def typecode_table_markdown(table: AmapTable | None = None) -> str:
    """The table as Markdown (the how-to page embeds the built-in one).

    >>> print(typecode_table_markdown().splitlines()[2])
    | `150500` |  | `transit_stop` | 交通设施服务;地铁站 |  |
    """
    t = table or load_amap_typecodes()
    lines = [
        "| code | name contains | facility type | Amap class | note |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in t.rows:
        target = "(skipped)" if row.type is None else f"`{row.type}`"
        code = f"`{row.written}`" if row.written else "any"
        pattern = "" if row.name is None else f"`{row.name.pattern}`".replace("|", "\\|")
        lines.append(f"| {code} | {pattern} | {target} | {row.label} | {row.note} |")
    return "\n".join(lines)


# --- reading --------------------------------------------------------------------------


def _field(row: Mapping[str, Any], key: str) -> Any:
    for alias in _ALIASES[key]:
        if alias in row:
            value = row[alias]
            if value in ("", [], None):
                return None
            return value
    return None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, list | dict):
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _position(row: Mapping[str, Any]) -> tuple[float, float] | str:
    location = _field(row, "location")
    if location is not None:
        if isinstance(location, str):
            parts = location.replace(";", ",").split(",")
            if len(parts) != 2:
                return f"location {show(location)} is not 'lon,lat'"
        elif isinstance(location, list | tuple) and len(location) == 2:
            parts = list(location)
        else:
            return f"location {show(location)} is not 'lon,lat'"
        shown = f"location {show(location)}"
        lon, lat = _number(parts[0]), _number(parts[1])
    else:
        raw_lon, raw_lat = _field(row, "lon"), _field(row, "lat")
        if raw_lon is None or raw_lat is None:
            return "no location: needs a 'location' (\"lon,lat\") or 'lon'/'lat' values"
        shown = f"lon/lat {show(raw_lon)}, {show(raw_lat)}"
        lon, lat = _number(raw_lon), _number(raw_lat)
    if lon is None or lat is None or not (math.isfinite(lon) and math.isfinite(lat)):
        return f"{shown} is not two numbers"
    if abs(lon) > 180 or abs(lat) > 90:
        if abs(lat) <= 180 and abs(lon) <= 90:
            return f"{shown} looks swapped (Amap writes longitude first)"
        return f"{shown} is outside the lon/lat range"
    return lon, lat


def _codes(raw: Any) -> tuple[list[str], list[str]]:
    text = _text(raw)
    if text is None:
        return [], []
    good: list[str] = []
    bad: list[str] = []
    for part in re.split(r"[|;,\s]+", text):
        if not part:
            continue
        (good if _CODE_RE.match(part) else bad).append(part)
    return good, bad


AmapFormat = Literal["json", "jsonl", "csv"]
"""The formats of an Amap export given as bytes (a file's suffix names its own)."""


def _records(
    source: Any, *, encoding: str | None, format: AmapFormat | None
) -> tuple[list[tuple[str, Any]], SourceInfo]:
    """``(where, record)`` pairs and the source info, for JSON, JSON Lines and CSV."""
    if isinstance(source, Mapping | list):
        return _json_records(source, "<memory>"), SourceInfo("<memory>")
    if isinstance(source, bytes):
        info = bytes_info(source)
        data, name = source, info.path
        suffix = f".{format or 'json'}"
    else:
        from livable.io._common import source_info

        path = Path(source)
        info = source_info(path)
        data = path.read_bytes()
        name = str(path)
        suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        rows, header = read_csv_rows(data, source=name, encoding=encoding)
        has_location = any(a in header for a in _ALIASES["location"])
        has_lonlat = any(a in header for a in _ALIASES["lon"]) and any(
            a in header for a in _ALIASES["lat"]
        )
        if not (has_location or has_lonlat):
            raise InputError(
                f"no location column: expected 'location' (\"lon,lat\") or 'lon'/'lat' "
                f"(found {', '.join(header)})",
                source=name,
            )
        return [(f"{name}:line {line}", row) for line, row in rows], info
    if suffix in (".jsonl", ".ndjson"):
        out: list[tuple[str, Any]] = []
        for number, raw in enumerate(data.splitlines(), 1):
            if not raw.strip():
                continue
            try:
                item = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                out.append((f"{name}:line {number}", _Broken(f"not valid JSON: {exc}")))
                continue
            for k, rec in enumerate(_json_records(item, "")):
                where = f"{name}:line {number}" + (
                    f"#{k}" if isinstance(item, dict) and "pois" in item else ""
                )
                out.append((where, rec[1]))
        return out, info
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", source=name) from None
    return _json_records(parsed, name), info


class _Broken:
    def __init__(self, reason: str):
        self.reason = reason


def _json_records(parsed: Any, name: str) -> list[tuple[str, Any]]:
    if isinstance(parsed, Mapping):
        if "pois" not in parsed:
            if parsed.get("status") == "0" or ("info" in parsed and "pois" not in parsed):
                raise InputError(
                    f"an Amap error response, not POIs (info: {show(parsed.get('info'))})",
                    source=name or None,
                )
            return [(f"{name}#0", parsed)]
        pois = parsed["pois"]
        if not isinstance(pois, list):
            raise InputError("'pois' is not a list", source=name or None)
        return [(f"{name}#{i}", p) for i, p in enumerate(pois)]
    if isinstance(parsed, list):
        if parsed and all(isinstance(p, Mapping) and "pois" in p for p in parsed):
            out: list[tuple[str, Any]] = []
            count = 0
            for page in parsed:
                pois = page["pois"] if isinstance(page["pois"], list) else []
                for p in pois:
                    out.append((f"{name}#{count}", p))
                    count += 1
            return out
        return [(f"{name}#{i}", p) for i, p in enumerate(parsed)]
    raise InputError(
        'not an Amap export: expected {"pois": [...]} or a list of POIs', source=name or None
    )


def read_amap(
    source: str | Path | bytes | Mapping[str, Any] | list[Any],
    *,
    typecodes: AmapTable | str | Path | Mapping[str, str | None] | None = None,
    encoding: str | None = None,
    format: AmapFormat | None = None,
    datum: Datum | str = Datum.GCJ02,
    known_types: Collection[str] | None = None,
) -> ImportResult:
    """Read an Amap POI export into facilities (WGS84).

    ``source`` is a ``.json``/``.jsonl``/``.csv`` path, parsed JSON, or the bytes of an
    export in the ``format`` given (``json``, ``jsonl`` or ``csv``; default ``json``;
    named ``<bytes>`` in messages, e.g. standard input). ``typecodes`` is a
    table, a TOML path, or a mapping of code overrides on the built-in table. ``datum`` is
    the export's datum (Amap's is GCJ-02; name ``wgs84`` for re-projected exports).
    ``encoding`` applies to CSV (default UTF-8; Chinese exports are often ``gb18030``).
    Ids are ``amap:<poi id>`` (``amap:<file stem>-<row>`` when a row has none); a POI id
    seen twice (overlapping pages) is rejected the second time. ``unmatched`` lists the
    codes that matched no table row as ``"<code> <Amap class>"``.

    >>> result = read_amap({"pois": [
    ...     {"id": "B1", "name": "幼儿园", "typecode": "141204", "location": "108.95,34.26"},
    ...     {"id": "B2", "name": "?", "typecode": "141204", "location": "oops"}]})
    >>> result.facilities.ids.tolist(), result.counts["kindergarten"]
    (['amap:B1'], 1)
    >>> [(r.source, r.reason) for r in result.rejected]
    [('<memory>#1', "location 'oops' is not 'lon,lat'")]
    >>> csv = 'id,name,typecode,location\\nB3,幼儿园,141204,"108.95,34.26"\\nB4,x,1,2\\n'.encode()
    >>> from_bytes = read_amap(csv, format="csv")
    >>> from_bytes.facilities.ids.tolist(), [r.source for r in from_bytes.rejected]
    (['amap:B3'], ['<bytes>:line 3'])
    """
    known = FACILITY_TYPES.keys() if known_types is None else known_types
    if isinstance(typecodes, AmapTable):
        table = typecodes
        check_types((r.type for r in table.rows if r.type is not None), known, source=table.source)
    elif isinstance(typecodes, Mapping):
        table = load_amap_typecodes(overrides=typecodes, known_types=known)
    else:
        table = load_amap_typecodes(typecodes, known_types=known)
    d = parse_datum(datum)
    records, info = _records(source, encoding=encoding, format=format)
    stem = Path(info.path).stem if not info.path.startswith("<") else info.path.strip("<>")
    rows: list[dict[str, Any]] = []
    rejected: list[Rejection] = []
    unmatched: Counter[str] = Counter()
    seen: dict[str, str] = {}
    skipped = 0
    for number, (where, rec) in enumerate(records):
        if isinstance(rec, _Broken):
            rejected.append(Rejection(None, where, rec.reason))
            continue
        if not isinstance(rec, Mapping):
            rejected.append(Rejection(None, where, "not a POI object"))
            continue
        raw_id = _text(_field(rec, "id"))
        fid = f"amap:{raw_id}" if raw_id else f"amap:{stem}-{number}"
        if "\0extra" in rec:
            rejected.append(Rejection(fid, where, "more values than header columns"))
            continue
        if fid in seen:
            rejected.append(Rejection(fid, where, f"duplicate POI id (first at {seen[fid]})"))
            continue
        seen[fid] = where
        name = _text(_field(rec, "name"))
        codes, bad = _codes(_field(rec, "typecode"))
        if not codes:
            why = f"typecode {show(', '.join(bad))} is not six digits" if bad else "no typecode"
            rejected.append(Rejection(fid, where, why))
            continue
        pos = _position(rec)
        if isinstance(pos, str):
            rejected.append(Rejection(fid, where, pos))
            continue
        row = table.classify(codes, name)
        type_text = _text(_field(rec, "type")) or ""
        if row is None:
            labels = type_text.split("|")
            for k, code in enumerate(codes):
                label = labels[k] if k < len(labels) else ""
                unmatched[f"{code} {label}".strip()] += 1
            continue
        if row.type is None:
            skipped += 1
            continue
        attributes: dict[str, Any] = {
            "source": "amap",
            "amap_id": raw_id,
            "typecode": "|".join(codes),
            "amap_match": row.written or "any" + (f" name~{row.name.pattern}" if row.name else ""),
        }
        if type_text:
            attributes["amap_type"] = type_text
        address = _text(_field(rec, "address"))
        if address:
            attributes["address"] = address
        rows.append(
            {
                "id": fid,
                "type": row.type,
                "lon": pos[0],
                "lat": pos[1],
                "name": name,
                "attributes": attributes,
            }
        )
    if rows:
        lon, lat = datum_to_wgs84(
            np.array([r["lon"] for r in rows]), np.array([r["lat"] for r in rows]), d
        )
        for r, x, y in zip(rows, lon.tolist(), lat.tolist(), strict=True):
            r["lon"], r["lat"] = x, y
    layer = rows_to_layer(rows, rejected=rejected, source=info, count=len(records))
    return ImportResult(
        facilities=layer,
        counts=type_counts(layer.types.tolist(), known),
        unmatched=top(unmatched),
        skipped=skipped,
    )


def describe(result: ImportResult, *, top_n: int = 20) -> Iterable[str]:
    """Lines for the terminal: counts per type, unknown codes and rejected rows."""
    yield f"facilities: {len(result.facilities)} of {result.facilities.count} POIs"
    for t, n in result.counts.items():
        yield f"  {t:<30}{n:>7}"
    yield f"skipped by the table: {result.skipped}"
    if result.unmatched:
        yield f"type codes that matched no row (top {top_n}):"
        for label, n in result.unmatched[:top_n]:
            yield f"  {n:>5}  {label}"
    if result.rejected:
        yield f"rejected rows ({len(result.rejected)}):"
        for r in result.rejected[:top_n]:
            yield f"  {r.source} {r.id or ''}: {r.reason}"
        if len(result.rejected) > top_n:
            yield f"  ... and {len(result.rejected) - top_n} more"
    if not result.facilities.count:
        raise LivableError("the export holds no POIs")
