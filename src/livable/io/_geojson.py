"""Loading a GeoJSON FeatureCollection: the checks that stop a whole file.

A file path, bytes, a parsed mapping or an object with ``__geo_interface__`` (a
GeoDataFrame) becomes a FeatureCollection mapping and its :class:`SourceInfo`; GIS files
and CSV go through :mod:`livable.io.gis`. A file that is missing, over a :class:`Limits`
limit, not UTF-8, not JSON or not a FeatureCollection raises
:class:`~livable.errors.InputError` naming the file and the fix; a feature that repeats a
JSON key is marked for rejection (``ParsedCollection.problems``).

>>> collection, info = load_collection(b'{"type": "FeatureCollection", "features": []}',
...                                    Limits())
>>> info.path, len(feature_list(collection, info, Limits()))
('<bytes>', 0)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson
import pyproj

from livable._numbers import FLOAT_MAX
from livable._text import show
from livable.errors import InputError, ResourceLimitError
from livable.io.gis import is_gis_path, load_features
from livable.io.layers import FeatureSource, Limits
from livable.models.results import SourceInfo

__all__ = [
    "GEOJSON_GEOMETRIES",
    "ParsedCollection",
    "check_file_size",
    "feature_list",
    "json_kind",
    "load_collection",
    "show_value",
    "source_bytes",
]


def show_value(value: Any, width: int = 40) -> str:
    """A value quoted, escaped and cut for a message (the one sanitiser, :func:`show`)."""
    return show(value, width)


def _encoding_problem(data: bytes) -> str | None:
    r"""Why ``data`` is not UTF-8 text, naming the encoding it looks like; ``None`` if it is.

    >>> _encoding_problem(b"\x1f\x8b\x08\x00")
    'this looks like a gzip file (...), not GeoJSON text: decompress it first, e.g. gunzip ...'
    """
    packed = _compressed_kind(data)
    if packed is not None:
        return packed
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        len(data) >= 2 and (data[0] == 0 or data[1] == 0)
    ):
        return (
            "the file is UTF-16 text, but GeoJSON must be UTF-8 (RFC 7946): re-save it as "
            "UTF-8, e.g. iconv -f UTF-16 -t UTF-8 IN.geojson > OUT.geojson"
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        where = f"invalid byte 0x{data[exc.start]:02x} on line {line}"
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = ""
        if re.search(r"[\u4e00-\u9fff]", text):
            return (
                f"not UTF-8 text ({where}); it looks GB18030/GBK-encoded (Chinese Windows "
                "software writes it): GeoJSON must be UTF-8 (RFC 7946), convert it with "
                "iconv -f GB18030 -t UTF-8 IN.geojson > OUT.geojson"
            )
        return (
            f"not UTF-8 text ({where}): GeoJSON must be UTF-8 (RFC 7946); re-save the file as UTF-8"
        )
    return None


_BOM = b"\xef\xbb\xbf"
"""The UTF-8 byte-order mark (U+FEFF)."""

_SIGNATURES = (
    (b"\x1f\x8b", "a gzip file", "1f 8b", "decompress it first, e.g. gunzip IN.geojson.gz"),
    (b"PK\x03\x04", "a zip archive", "PK", "extract the GeoJSON file from it first"),
    (b"BZh", "a bzip2 file", "BZh", "decompress it first, e.g. bunzip2 IN.geojson.bz2"),
    (
        b"\xfd7zXZ\x00",
        "an xz file",
        "fd 37 7a 58 5a",
        "decompress it first, e.g. unxz IN.geojson.xz",
    ),
)


def _compressed_kind(data: bytes) -> str | None:
    """Why ``data`` is a compressed file rather than text (by its signature), or ``None``."""
    for magic, kind, shown_magic, fix in _SIGNATURES:
        if data.startswith(magic):
            return (
                f"this looks like {kind} (it starts with the {kind.split()[-2]} signature "
                f"{shown_magic}), not GeoJSON text: {fix}"
            )
    return None


def _json_problem(data: bytes, exc: orjson.JSONDecodeError) -> str:
    encoding = _encoding_problem(data)
    if encoding is not None:
        return encoding
    if not data.strip():
        return "the file is empty: expected a GeoJSON FeatureCollection"
    message = str(exc.msg) if hasattr(exc, "msg") else str(exc)
    where = f"line {exc.lineno} column {exc.colno}"
    if "depth limit" in message or "recursion" in message:
        return (
            f"JSON nested too deeply at {where} (more than 1024 levels; GeoJSON needs 6): "
            "the file is not GeoJSON"
        )
    if data.startswith(_BOM):  # _load strips one byte-order mark; this is another
        marks = 1
        while data.startswith(_BOM, 3 * marks):
            marks += 1
        return (
            f"the file starts with {marks + 1} byte-order marks "
            "(U+FEFF); at most one may precede UTF-8 JSON: remove the extra ones (an "
            "editor or a conversion added one more than once)"
        )
    # orjson's position counts characters, not bytes: slice the text, not the bytes, or
    # any non-ASCII text before the number hides it (the data is valid UTF-8 here)
    text = data.decode("utf-8")
    token = text[exc.pos : exc.pos + 9]
    if "infinity when parsed" in message:  # orjson's words for 1e400 or 10**400 written out
        return (
            f"not valid JSON at {where}: the number there is out of range (beyond "
            f"{FLOAT_MAX:.3g}, the largest float): fix it or drop the feature"
        )
    if token.startswith(("NaN", "Infinity", "-Infinity", "-NaN")):
        return (
            f"not valid JSON at {where}: NaN and Infinity are not JSON numbers; write null "
            "or a number (or drop the feature)"
        )
    return (
        f"not valid JSON at {where}: {message}; check the file is complete GeoJSON "
        "(a truncated download or a hand edit?)"
    )


def source_bytes(source: object, limits: Limits) -> tuple[bytes, str]:
    """The bytes of a GeoJSON file path or ``bytes`` source and its name in messages,
    within ``limits`` (a missing, unreadable or too large file stops the read).

    >>> source_bytes(b"{}", Limits())
    (b'{}', '<bytes>')
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data, name = bytes(source), "<bytes>"
        if len(data) > limits.max_file_bytes:
            raise ResourceLimitError(
                f"input is {len(data):,} bytes, over the limit of {limits.max_file_bytes:,} "
                "(raise Limits.max_file_bytes or split the input)",
                source=name,
            )
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        name = str(path)
        check_file_size(path, limits)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read file: {_os_reason(exc)}", source=name) from None
        if len(data) > limits.max_file_bytes:  # grew since stat, or a special file
            raise ResourceLimitError(
                f"file is over the limit of {limits.max_file_bytes:,} bytes", source=name
            )
    else:
        raise InputError(
            f"cannot read GeoJSON from a {type(source).__name__}: give a file path, bytes or "
            "a parsed FeatureCollection mapping"
        )
    return data, name


def load_collection(
    source: FeatureSource, limits: Limits, encoding: str | None = None
) -> tuple[Mapping[str, Any], SourceInfo]:
    if isinstance(source, Mapping):
        return source, SourceInfo("<memory>")
    geo = getattr(source, "__geo_interface__", None)
    if isinstance(geo, Mapping):
        crs = getattr(source, "crs", None)  # a GeoDataFrame's own CRS (flags still win)
        if isinstance(crs, pyproj.CRS) and "crs" not in geo:
            geo = {**geo, "crs": crs.to_wkt()}
        return geo, SourceInfo("<memory>")
    if is_gis_path(source):  # shapefile, GeoPackage, FlatGeobuf, GeoParquet, CSV
        check_file_size(Path(source), limits)  # type: ignore[arg-type]
        return load_features(source, encoding=encoding)  # type: ignore[arg-type]
    data, name = source_bytes(source, limits)
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(_BOM):  # a UTF-8 byte order mark: RFC 8259 lets us ignore it
        data = data[3:]
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(_json_problem(data, exc), source=name) from None
    if isinstance(parsed, dict) and _may_repeat_keys(data, parsed):
        parsed = _repeated_keys(data, parsed, name)
    if not isinstance(parsed, dict):
        raise InputError(
            f"not a GeoJSON FeatureCollection: the top level is a JSON "
            f"{json_kind(parsed)}, not an object; expected "
            '{"type": "FeatureCollection", "features": [...]}',
            source=name,
        )
    return parsed, SourceInfo(name, digest)


class ParsedCollection(dict[str, Any]):
    """A parsed FeatureCollection with ``problems``: per feature index, the duplicate key
    that rejects it (read by :class:`~livable.io._validate.Collector` as a loader's known
    problems)."""

    problems: dict[int, str]

    def __init__(self, parsed: Mapping[str, Any], problems: dict[int, str]):
        super().__init__(parsed)
        self.problems = problems


def _may_repeat_keys(data: bytes, parsed: Any) -> bool:
    r"""Whether an object in ``data`` may repeat a key (orjson keeps the last silently).

    Exact in one direction, at C speed: every ``:`` of the text separates a member or sits
    in a string (literally or as ``\u003a``), and serialising the parsed value again writes
    one per member kept and per string colon. A repeated key is a member not kept, so the
    text has more; equal counts prove there is none. More (a repeat, or a ``\u003a`` that
    is not an escape) sends the file to :func:`_repeated_keys`, which looks properly.

    >>> _may_repeat_keys(b'{"a": 1, "b": "x:y"}', {"a": 1, "b": "x:y"})
    False
    >>> _may_repeat_keys(b'{"a": 1, "a": 2}', {"a": 2})
    True
    """
    colons = data.count(b":")
    if b"\\u003" in data:
        colons += data.count(b"\\u003a") + data.count(b"\\u003A")
    return colons != orjson.dumps(parsed).count(b":")


class _Repeats(dict[str, Any]):
    """A JSON object that repeated a key (``repeated``: those keys, in order)."""

    repeated: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    repeated: dict[str, None] = {}
    for key, _ in pairs:
        if key in seen:
            repeated[key] = None
        seen.add(key)
    marked = _Repeats(obj)
    marked.repeated = tuple(repeated)
    return marked


def _first_repeat(value: Any, path: str) -> tuple[str, str] | None:
    """``(key, where)`` of the first object under ``value`` that repeats a key."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, _Repeats):
            return item.repeated[0], where
        if isinstance(item, dict):
            stack.extend((v, f"{where}.{k}" if where else k) for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((v, f"{where}[{i}]") for i, v in reversed(list(enumerate(item))))
    return None


def _repeated_keys(data: bytes, parsed: dict[str, Any], name: str) -> dict[str, Any]:
    """``parsed`` with a problem for each feature that repeats a key somewhere inside it;
    a repeat outside the features (``"features"`` itself, the ``crs``) stops the file.

    Only called when :func:`_may_repeat_keys` says so: a second parse, with the standard
    library's :mod:`json`, which sees every member.
    """
    try:
        pairs = json.loads(data.decode("utf-8"), object_pairs_hook=_pairs)
    except (ValueError, RecursionError):  # orjson read it; nothing more to say
        return parsed
    if not isinstance(pairs, dict):
        return parsed
    if isinstance(pairs, _Repeats):
        found: tuple[str, str] | None = (pairs.repeated[0], "")
    else:  # the crs member, say; "features" itself is checked per feature below
        found = _first_repeat({k: v for k, v in pairs.items() if k != "features"}, "")
    if found is not None:
        key, where = found
        at = f"in {where}" if where else "at the top level"
        raise InputError(
            f"duplicate key {show_value(key)} {at}: JSON readers keep only one of the values, "
            "so what was meant is unknown: keep one",
            source=name,
        )
    features = pairs.get("features")
    problems: dict[int, str] = {}
    for index, feature in enumerate(features if isinstance(features, list) else []):
        found = _first_repeat(feature, "")
        if found is not None:
            key, where = found
            problems[index] = (
                f"duplicate key {show_value(key)} in {where or 'the Feature object'}: JSON readers "
                "keep only one of the values, so what was meant is unknown: keep one"
            )
    return ParsedCollection(parsed, problems) if problems else parsed


def check_file_size(path: Path, limits: Limits) -> None:
    """Refuse a missing file, or one over ``limits.max_file_bytes``, before reading it."""
    name = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        hint = ""
        if name.lstrip().startswith("{"):
            hint = " (this looks like JSON text: pass bytes or a parsed mapping instead)"
        raise InputError(f"file not found{hint}", source=name[:200]) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read file: {_os_reason(exc)}", source=name) from None
    if size > limits.max_file_bytes:
        raise ResourceLimitError(
            f"file is {size:,} bytes, over the limit of {limits.max_file_bytes:,} "
            "(raise the limit with --max-file-mb or Limits.max_file_bytes, or split the file)",
            source=name,
        )


def _os_reason(exc: BaseException) -> str:
    return str(getattr(exc, "strerror", None) or exc)


def json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool) or value is None:
        return "literal"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def feature_list(collection: Mapping[str, Any], info: SourceInfo, limits: Limits) -> Sequence[Any]:
    kind = collection.get("type")
    if kind != "FeatureCollection":
        if kind == "Feature":
            hint = "a single Feature: wrap it as"
        elif isinstance(kind, str) and kind in GEOJSON_GEOMETRIES:
            hint = "a bare geometry: make it a Feature with an id inside"
        else:
            hint = "expected"
        raise InputError(
            f"not a GeoJSON FeatureCollection (type is {show_value(kind)}); {hint} "
            '{"type": "FeatureCollection", "features": [...]}',
            source=info.path,
        )
    features = collection.get("features")
    if not isinstance(features, list | tuple):
        raise InputError(
            f'a FeatureCollection\'s "features" must be a JSON array, not {show_value(features)}',
            source=info.path,
        )
    if len(features) > limits.max_features:
        raise ResourceLimitError(
            f"{len(features):,} features, over the limit of {limits.max_features:,} "
            "(raise it with --max-features or Limits.max_features, or split the file)",
            source=info.path,
        )
    return features


GEOJSON_GEOMETRIES = frozenset(
    {
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
    }
)
