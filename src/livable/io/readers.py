"""Reading communities and facilities from GeoJSON, with validation.

Inputs are RFC 7946 FeatureCollections (a file path, ``bytes`` or an in-memory mapping),
lon/lat WGS84 unless a CRS or a Chinese map datum is named. Every problem gets one of three
decisions (``docs/reference/input-problems.md`` lists them all):

- **stop**: the file as a whole cannot be used (not found, over a :class:`Limits` limit, not
  UTF-8, not JSON, not a FeatureCollection, an unknown CRS): :class:`~livable.errors.InputError`
  (or its subclasses) naming the file and the fix;
- **reject**: one feature cannot be used (no geometry, NaN coordinates, swapped lon/lat, a
  duplicate id, text where a number belongs, ...): it is listed in ``rejected`` with its file,
  index, id and the reason, and the others are read;
- **repair**: one feature is usable once fixed (a self-intersecting polygon is repaired with
  :func:`shapely.make_valid`, an unclosed ring is closed): it is read and listed in
  ``repaired``.

With ``strict=True`` the first problem in file order (reject or repair) raises
:class:`~livable.errors.InputError` instead. Nothing is dropped silently: every input feature
ends in the layer or in ``rejected``.

>>> fc = {"type": "FeatureCollection", "features": [
...     {"type": "Feature", "properties": {"id": "c1", "population": 3000},
...      "geometry": {"type": "Point", "coordinates": [108.94, 34.26]}},
...     {"type": "Feature", "properties": {"id": "c2"}, "geometry": None}]}
>>> layer = read_communities(fc)
>>> [c.id for c in layer.communities], [r.reason for r in layer.rejected]
(['c1'], ['feature has no geometry (null): give its Polygon, MultiPolygon or Point'])
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import math
import os
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, overload

import attrs
import numpy as np
import numpy.typing as npt
import orjson
import pyproj
import shapely
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

from livable._numbers import FLOAT_MAX, finite_float, is_number, number_kind
from livable._text import show
from livable.errors import CRSError, InputError, ResourceLimitError
from livable.geometry.crs import crs_from_geojson, geometry_to_wgs84, resolve_crs, to_wgs84
from livable.geometry.datums import Datum, parse_datum
from livable.models.results import Rejection, SourceInfo
from livable.models import FACILITY_TYPES, Community, Facility, Zone

__all__ = [
    "AREA_MARGIN_DEG",
    "MAX_POPULATION",
    "PROJECTED_MARGIN_DEG",
    "QUALITY_MAX",
    "QUALITY_MIN",
    "CommunityLayer",
    "FacilityLayer",
    "Limits",
    "ResidentLayer",
    "read_communities",
    "read_facilities",
    "read_residents",
]

FeatureSource = str | os.PathLike[str] | bytes | Mapping[str, Any]
"""A GeoJSON FeatureCollection: a file path, its bytes, or a mapping already parsed."""

AREA_MARGIN_DEG = 2.0
"""Margin, in degrees, around a geographic CRS's area of use (:attr:`pyproj.CRS.area_of_use`)
within which coordinates are accepted; farther ones are rejected as outside the declared
area (or as swapped, when the swapped position is inside)."""

PROJECTED_MARGIN_DEG = 6.0
"""The same margin for projected CRSs, wider (a zone's width) because a projection stays
usable well beyond its zone: the check is for gross errors (swapped axes, degrees given as
metres, Gauss-Kruger zone prefixes), not for data a few degrees outside its zone."""

MAX_POPULATION = 1_000_000_000
"""The largest ``population`` accepted (more than any city; larger is a data error)."""

QUALITY_MIN, QUALITY_MAX = 1, 5
"""The scale of a facility's ``quality`` (``happy.min_quality`` is on it); a score outside
is a data error (a percentage, a 0-100 rating) and rejects the facility."""


def _positive_int(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"Limits.{attribute.name} must be a whole number >= 1, not {value!r}")


@attrs.frozen
class Limits:
    """Resource limits for embedders: larger inputs raise
    :class:`~livable.errors.ResourceLimitError` instead of exhausting memory.

    GeoJSON is parsed whole with orjson, not streamed, so peak memory grows with the file:
    about 10 times its size (measured by ``benchmarks/bench_reader_memory.py``; see
    ``docs/explanation/limits.md``). ``max_file_bytes`` therefore bounds memory (the default
    256 MiB, about 2.5 GiB at peak); it is checked before a byte is read, and on ``bytes``
    sources. ``max_features`` bounds the work per source, parsed mappings included. The
    command line sets them with ``--max-file-mb`` and ``--max-features``.

    >>> Limits(max_file_bytes=10 * 1024**2).max_features
    5000000
    >>> Limits(max_features=0)
    Traceback (most recent call last):
    ...
    ValueError: Limits.max_features must be a whole number >= 1, not 0
    """

    max_file_bytes: int = attrs.field(default=256 * 1024**2, validator=_positive_int)
    max_features: int = attrs.field(default=5_000_000, validator=_positive_int)


@attrs.frozen
class CommunityLayer:
    """Communities read from one source (WGS84), with the features rejected and repaired."""

    communities: tuple[Community, ...]
    rejected: tuple[Rejection, ...] = ()
    repaired: tuple[Rejection, ...] = ()
    source: SourceInfo = SourceInfo("<memory>")
    count: int = 0
    """How many features the source held."""
    sources: tuple[str, ...] = ()
    """Where each community came from (``file#index``), in the order of ``communities``;
    empty for layers built from model objects."""


@attrs.frozen(eq=False)
class FacilityLayer:
    """Facilities as columns (WGS84 lon/lat), with the features rejected.

    ``lon``/``lat`` is the point itself, or a point inside an area facility; ``areas``
    holds the area geometries (``None`` for points) when the source had any.
    """

    ids: npt.NDArray[np.object_]
    types: npt.NDArray[np.object_]
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    names: npt.NDArray[np.object_]
    brands: npt.NDArray[np.object_]
    quality: npt.NDArray[np.float64]
    attributes: Sequence[Mapping[str, Any]]
    areas: npt.NDArray[np.object_] | None = None
    rejected: tuple[Rejection, ...] = ()
    repaired: tuple[Rejection, ...] = ()
    source: SourceInfo = SourceInfo("<memory>")
    count: int = 0

    def __len__(self) -> int:
        return int(self.lon.shape[0])

    def facility(self, i: int) -> Facility:
        """The model object of facility ``i`` (for reports; not for the hot path)."""
        geom = None if self.areas is None else self.areas[i]
        if geom is None:
            geom = shapely.Point(float(self.lon[i]), float(self.lat[i]))
        quality = float(self.quality[i])
        return Facility(
            id=str(self.ids[i]),
            type=str(self.types[i]),
            geometry=geom,
            name=self.names[i],
            brand=self.brands[i],
            quality=None if math.isnan(quality) else quality,
            attributes=self.attributes[i],
        )

    def take(self, order: npt.ArrayLike) -> FacilityLayer:
        """The same layer with its rows in ``order`` (an index array); the rest is kept.

        >>> from livable.testing import facility
        >>> layer = FacilityLayer.from_facilities(
        ...     [facility("b", "clinic", 108.9, 34.2), facility("a", "bank", 108.9, 34.3)])
        >>> layer.take([1, 0]).ids.tolist()
        ['a', 'b']
        """
        idx = np.asarray(order, dtype=np.int64)
        return attrs.evolve(
            self,
            ids=self.ids[idx],
            types=self.types[idx],
            lon=self.lon[idx],
            lat=self.lat[idx],
            names=self.names[idx],
            brands=self.brands[idx],
            quality=self.quality[idx],
            attributes=(
                self.attributes.take(idx)
                if isinstance(self.attributes, _Attributes)
                else tuple(self.attributes[i] for i in idx.tolist())
            ),
            areas=None if self.areas is None else self.areas[idx],
        )

    @classmethod
    def from_facilities(cls, facilities: Iterable[Facility]) -> FacilityLayer:
        """Columns from model objects (for tests and small inputs)."""
        items = list(facilities)
        pts = [f.geometry for f in items]
        is_area = [g.geom_type != "Point" for g in pts]
        rep = [g.point_on_surface() if a else g for g, a in zip(pts, is_area, strict=True)]
        areas = np.array(
            [g if a else None for g, a in zip(pts, is_area, strict=True)], dtype=object
        )
        return cls(
            ids=np.array([f.id for f in items], dtype=object),
            types=np.array([f.type for f in items], dtype=object),
            lon=np.array([p.x for p in rep], dtype=np.float64),
            lat=np.array([p.y for p in rep], dtype=np.float64),
            names=np.array([f.name for f in items], dtype=object),
            brands=np.array([f.brand for f in items], dtype=object),
            quality=np.array(
                [np.nan if f.quality is None else f.quality for f in items], dtype=np.float64
            ),
            attributes=tuple(f.attributes for f in items),
            areas=areas if any(is_area) else None,
            count=len(items),
        )


_DEFAULT_LIMITS = Limits()

# -- the file as a whole: stop ----------------------------------------------------------


def _show(value: Any, width: int = 40) -> str:
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


def _load(
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
    from livable.io.gis import is_gis_path, load_features

    if is_gis_path(source):  # shapefile, GeoPackage, FlatGeobuf, GeoParquet, CSV
        _check_file_size(Path(source), limits)  # type: ignore[arg-type]
        return load_features(source, encoding=encoding)  # type: ignore[arg-type]
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
        _check_file_size(path, limits)
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
            f"{_json_kind(parsed)}, not an object; expected "
            '{"type": "FeatureCollection", "features": [...]}',
            source=name,
        )
    return parsed, SourceInfo(name, digest)


class _Parsed(dict[str, Any]):
    """A parsed FeatureCollection with ``problems``: per feature index, the duplicate key
    that rejects it (read by :class:`_Collector` as a loader's known problems)."""

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
            f"duplicate key {_show(key)} {at}: JSON readers keep only one of the values, "
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
                f"duplicate key {_show(key)} in {where or 'the Feature object'}: JSON readers "
                "keep only one of the values, so what was meant is unknown: keep one"
            )
    return _Parsed(parsed, problems) if problems else parsed


def _check_file_size(path: Path, limits: Limits) -> None:
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


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool) or value is None:
        return "literal"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def _features(collection: Mapping[str, Any], info: SourceInfo, limits: Limits) -> Sequence[Any]:
    kind = collection.get("type")
    if kind != "FeatureCollection":
        if kind == "Feature":
            hint = "a single Feature: wrap it as"
        elif isinstance(kind, str) and kind in _GEOJSON_GEOMETRIES:
            hint = "a bare geometry: make it a Feature with an id inside"
        else:
            hint = "expected"
        raise InputError(
            f"not a GeoJSON FeatureCollection (type is {_show(kind)}); {hint} "
            '{"type": "FeatureCollection", "features": [...]}',
            source=info.path,
        )
    features = collection.get("features")
    if not isinstance(features, list | tuple):
        raise InputError(
            f'a FeatureCollection\'s "features" must be a JSON array, not {_show(features)}',
            source=info.path,
        )
    if len(features) > limits.max_features:
        raise ResourceLimitError(
            f"{len(features):,} features, over the limit of {limits.max_features:,} "
            "(raise it with --max-features or Limits.max_features, or split the file)",
            source=info.path,
        )
    return features


_GEOJSON_GEOMETRIES = frozenset(
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


def _resolve(
    collection: Mapping[str, Any], crs: object, info: SourceInfo, datum: Datum | str
) -> tuple[pyproj.CRS, Datum]:
    chosen = resolve_crs(crs, source=info.path) if crs is not None else None  # type: ignore[arg-type]
    if chosen is None:
        chosen = crs_from_geojson(collection, source=info.path) or resolve_crs(None)
    parsed = parse_datum(datum, source=info.path)
    if parsed is not Datum.WGS84 and not chosen.is_geographic:
        raise CRSError(
            f"datum {parsed.value!r} applies to longitude/latitude, but the CRS "
            f"{_crs_label(chosen)} is projected; drop the datum or the CRS",
            source=info.path,
        )
    return chosen, parsed


# -- one feature: reject or repair ------------------------------------------------------


class _Collector:
    """Collects rejections and repairs by feature index.

    The checks run in passes (structure, then coordinates, then polygon validity), so in
    strict mode :meth:`check_strict` raises, after the passes, for the problem of the
    lowest feature index: the first problem in file order.
    """

    def __init__(
        self,
        info: SourceInfo,
        *,
        strict: bool,
        noun: str,
        collection: Mapping[str, Any] | None = None,
    ):
        self.info = info
        self.strict = strict
        self.noun = noun
        self.rejected: list[tuple[int, Rejection]] = []
        self.repaired: list[tuple[int, Rejection]] = []
        # GIS loaders name their rows ("f.csv:line 7") and may already know a problem
        self.labels: Sequence[str] | None = getattr(collection, "labels", None)
        self.problems: Mapping[int, str] = getattr(collection, "problems", {})

    def where(self, index: int) -> str:
        """How reports name feature ``index``: ``file#index``, or the loader's label."""
        return self.labels[index] if self.labels else f"{self.info.path}#{index}"

    def reject(self, index: int, fid: str | None, reason: str) -> None:
        self.rejected.append((index, Rejection(fid, self.where(index), reason)))

    def repair(self, index: int, fid: str | None, note: str) -> None:
        self.repaired.append((index, Rejection(fid, self.where(index), note)))

    def known_problem(self, index: int, fid: str | None) -> bool:
        """Reject a feature the loader already found unusable."""
        problem = self.problems.get(index)
        if problem is not None:
            self.reject(index, fid, problem)
        return problem is not None

    def check_strict(self) -> None:
        """In strict mode, raise :class:`InputError` for the first problem in file order."""
        if not self.strict:
            return
        problems = [(i, r, "") for i, r in self.rejected]
        problems += [(i, r, " (without --strict it would be repaired)") for i, r in self.repaired]
        if problems:
            index, first, suffix = min(problems, key=lambda item: item[0])
            if self.labels:
                raise InputError(first.reason + suffix, source=first.source, feature_id=first.id)
            raise InputError(
                first.reason + suffix, source=self.info.path, index=index, feature_id=first.id
            )

    def result(self) -> tuple[tuple[Rejection, ...], tuple[Rejection, ...]]:
        """Rejections and repairs in file order; repairs of rejected features are dropped."""
        gone = {index for index, _ in self.rejected}

        def ordered(items: list[tuple[int, Rejection]]) -> tuple[Rejection, ...]:
            return tuple(r for _, r in sorted(items, key=lambda item: item[0]))

        return ordered(self.rejected), ordered([x for x in self.repaired if x[0] not in gone])


def _raw_id(feature: Mapping[str, Any]) -> Any:
    props = feature.get("properties")
    raw = props.get("id") if isinstance(props, Mapping) else None
    if raw is None:
        raw = feature.get("id")
    return raw


def _feature_id(feature: Any) -> str | None:
    """The feature's id as text (``properties.id``, else the Feature's ``id``), if usable."""
    if not isinstance(feature, Mapping):
        return None
    raw = _raw_id(feature)
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return None
    if isinstance(raw, int) and number_kind(raw) is not None:
        return None  # str() refuses an int of more than 4,300 digits; no id is that long
    text = str(raw).strip()
    return text or None


def _id_problem(feature: Mapping[str, Any], noun: str) -> str:
    raw = _raw_id(feature)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return f"missing id: every {noun} needs a unique 'id' property (text or a whole number)"
    if is_number(raw) and number_kind(raw) == "too large":
        return f"id is out of range: {show(raw)} is no usable id; give text"
    return f"id must be text or a whole number, not {_show(raw)}"


def _duplicates(ids: Sequence[str | None]) -> dict[str, list[int]]:
    counts = Counter(i for i in ids if i is not None)
    dupes: dict[str, list[int]] = {}
    for index, fid in enumerate(ids):
        if fid is not None and counts[fid] > 1:
            dupes.setdefault(fid, []).append(index)
    return dupes


def _duplicate_reason(fid: str, indices: Sequence[int]) -> str:
    shown = ", ".join(f"#{i}" for i in indices[:5]) + (", ..." if len(indices) > 5 else "")
    return (
        f"duplicate id {_show(fid)}: {len(indices)} features share it ({shown}); ids must be "
        "unique, so all of them are rejected: give each its own id or drop the copies"
    )


def _not_a_feature(feature: Any) -> str:
    if isinstance(feature, Mapping):
        found = f"an object of type {_show(feature.get('type'))}"
    else:
        found = f"a JSON {_json_kind(feature)}"
    return (
        f'not a GeoJSON Feature (found {found}); each item of "features" must be '
        '{"type": "Feature", "geometry": ..., "properties": {...}}'
    )


def _text_problem(props: Mapping[str, Any], key: str) -> str | None:
    value = props.get(key)
    if value is None or isinstance(value, str):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return None  # a numeric code (a district code, a house number) is kept as text
    return f"{key} must be text, not {_show(value)}"


def _number_problem(key: str, value: Any, *, what: str) -> str | None:
    """Why ``value`` is not a usable number (``None`` when it is, or is absent)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            float(value.strip())
        except ValueError:
            return f"{key} must be a number ({what}), not the text {_show(value)}"
        return (
            f"{key} must be a number ({what}), not the text {_show(value)}: write it without "
            f"quotes, e.g. {value.strip()}"
        )
    if not is_number(value):
        return f"{key} must be a number ({what}), not {_show(value)}"
    kind = number_kind(value)
    if kind == "too large":
        return (
            f"{key} is out of range: {show(value)} is beyond the largest number a float "
            f"holds ({FLOAT_MAX:.3g})"
        )
    if kind is not None:
        return f"{key} must be a finite number, not {value!r}"
    return None


def _population_problem(value: Any) -> str | None:
    problem = _number_problem("population", value, what="residents")
    if problem or value is None:
        return problem
    if value < 0:
        return f"population must be >= 0, not {value!r}"
    if value > MAX_POPULATION:  # before the whole-number test: 2**70 is whole, and too many
        return (
            f"population {value!r} is out of range: more than {MAX_POPULATION:,} residents "
            "is not plausible"
        )
    if value != int(value):
        return f"population must be a whole number of residents, not {value!r}"
    return None


def _zone_problem(value: Any) -> str | None:
    if value is None or value in (z.value for z in Zone):
        return None
    return (
        f"zone {_show(value)} is not 'central' or 'peripheral' (lower case); leave it out to "
        "use the profile's district table"
    )


_COMMUNITY_KEYS = ("id", "name", "population", "district", "subdistrict", "zone")
_FACILITY_KEYS = ("id", "type", "name", "brand", "quality")


def _community_props_problem(props: Mapping[str, Any]) -> str | None:
    for key in ("name", "district", "subdistrict"):
        problem = _text_problem(props, key)
        if problem:
            return problem
    return _population_problem(props.get("population")) or _zone_problem(props.get("zone"))


# -- geometry ------------------------------------------------------------------------------


def _position_problem(pos: Any) -> str | None:
    if not isinstance(pos, list | tuple) or not 2 <= len(pos) <= 3:
        return f"position {_show(pos)} is not [x, y] or [x, y, z]"
    for v in pos:
        if not is_number(v):
            if isinstance(v, str):
                return f"coordinate {_show(v)} is text, not a number: write it without quotes"
            return f"coordinate {_show(v)} is not a number"
        kind = number_kind(v)
        if kind == "too large":
            return f"coordinate out of range: {show(v)}, not a longitude, latitude or metres"
        if kind is not None:
            return "coordinates contain NaN or infinity"
    return None


def _ring(ring: Any, what: str) -> tuple[list[Any] | None, str | None, bool]:
    """A checked ring (closed if it was not), its problem, and whether it was closed.

    Positions become ``(x, y)``: a ``z`` is dropped, so a ring mixing 2D and 3D positions
    (RFC 7946 allows it) reads like any other; nothing downstream uses heights.
    """
    if not isinstance(ring, list | tuple):
        return None, f"{what} is not a list of positions", False
    for pos in ring:
        problem = _position_problem(pos)
        if problem:
            return None, problem, False
    positions = [(float(pos[0]), float(pos[1])) for pos in ring]
    closed = False
    if positions and positions[0] != positions[-1]:
        positions.append(positions[0])
        closed = True
    if len(positions) < 4:
        return None, f"{what} has {len(ring)} positions; a ring needs at least 4 (closed)", False
    return positions, None, closed


def _polygon(coords: Any, what: str) -> tuple[BaseGeometry | None, str | None, bool]:
    if not isinstance(coords, list | tuple):
        return None, f"{what} coordinates must be a list of rings", False
    if not coords:
        return shapely.Polygon(), None, False
    rings: list[list[Any]] = []
    any_closed = False
    for r, raw in enumerate(coords):
        ring, problem, closed = _ring(raw, f"ring {r} of the {what}")
        if problem or ring is None:
            return None, problem, False
        rings.append(ring)
        any_closed |= closed
    try:
        geom = shapely.Polygon(rings[0], rings[1:])
    except (ValueError, TypeError, GEOSException) as exc:
        return None, f"malformed {what}: {exc}", False
    return geom, None, any_closed


def _parse_geometry(
    raw: Any, allowed: tuple[str, ...], noun: str
) -> tuple[BaseGeometry | None, str | None, str | None]:
    """``(geometry, problem, repair note)`` of a GeoJSON geometry, checked strictly.

    Coordinates must be numbers (not text, not booleans), finite, 2 or 3 per position;
    an unclosed ring is closed (a repair); empty geometries are a problem.
    """
    kinds = ", ".join(allowed[:-1]) + " or " + allowed[-1]
    if raw is None:
        return None, f"feature has no geometry (null): give its {kinds}", None
    if not isinstance(raw, Mapping):
        return None, f"geometry is not a GeoJSON geometry object: {_show(raw)}", None
    gtype = raw.get("type")
    if gtype not in allowed:
        if isinstance(gtype, str) and gtype in _GEOJSON_GEOMETRIES:
            return None, f"a {noun} must be a {kinds}, not a {gtype}", None
        return None, f"unknown geometry type {_show(gtype)}: a {noun} must be a {kinds}", None
    coords = raw.get("coordinates")
    closed = False
    geom: BaseGeometry | None
    if gtype == "Point":
        if isinstance(coords, list | tuple) and not coords:
            return None, "geometry is empty (a Point without coordinates)", None
        problem = _position_problem(coords)
        if problem or not isinstance(coords, list | tuple):
            return None, problem, None
        geom = shapely.Point(*(float(v) for v in coords))
    elif gtype == "Polygon":
        geom, problem, closed = _polygon(coords, "Polygon")
        if problem:
            return None, problem, None
    else:
        if not isinstance(coords, list | tuple):
            return None, "MultiPolygon coordinates must be a list of polygons", None
        parts: list[BaseGeometry] = []
        for p, part_coords in enumerate(coords):
            part, problem, part_closed = _polygon(part_coords, f"polygon {p} of the MultiPolygon")
            if problem or part is None:
                return None, problem, None
            closed |= part_closed
            if not part.is_empty:
                parts.append(part)
        geom = shapely.MultiPolygon(parts) if parts else shapely.MultiPolygon()
    if geom is None or geom.is_empty:
        return None, f"geometry is empty (a {gtype} without coordinates)", None
    note = "a polygon ring was not closed; closed it (GeoJSON rings end at their start)"
    return geom, None, note if closed else None


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygonal part of a repaired geometry (make_valid may add lines or points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _repair_polygons(
    entries: list[tuple[int, str, BaseGeometry]], out: _Collector
) -> dict[int, BaseGeometry]:
    """Repair invalid polygons with make_valid; returns the (repaired) geometry per index.

    A polygon whose repair has no area (its points are collinear or repeated) is rejected.
    """
    fixed: dict[int, BaseGeometry] = {}
    if not entries:
        return fixed
    geoms = np.array([g for _, _, g in entries], dtype=object)
    polygonal = np.array([g.geom_type != "Point" for g in geoms], dtype=bool)
    valid = np.ones(len(geoms), dtype=bool)
    valid[polygonal] = shapely.is_valid(geoms[polygonal])
    for k, (index, fid, geom) in enumerate(entries):
        if valid[k]:
            fixed[index] = geom
            continue
        why = shapely.is_valid_reason(geom)
        repaired = _polygonal(shapely.make_valid(geom))
        if repaired.is_empty or repaired.area == 0.0:
            out.reject(
                index,
                fid,
                f"invalid polygon that cannot be repaired: it has no area ({why}); redraw it",
            )
            continue
        out.repair(
            index, fid, f"invalid polygon ({why}) repaired with shapely.make_valid; check it"
        )
        fixed[index] = repaired
    return fixed


def _geometry(
    feature: Mapping[str, Any], *, geographic: bool
) -> tuple[BaseGeometry | None, str | None]:
    """A feature's Point or (Multi)Polygon checked as the readers check theirs, or a problem.

    For callers that read a few hand-made features one by one (the planner's candidate
    sites): lon/lat coordinates (``geographic``) must be valid WGS84 positions; an invalid
    polygon is repaired silently. ``(geometry, None)`` or ``(None, problem)``.

    >>> _geometry({"geometry": {"type": "Point", "coordinates": [34.26, 108.94]}},
    ...           geographic=True)[1]
    'longitude and latitude look swapped: (34.26, 108.94) is not a valid ...'
    """
    raw = feature.get("geometry") if isinstance(feature, Mapping) else None
    allowed = ("Point", "Polygon", "MultiPolygon")
    geom, problem, _ = _parse_geometry(raw, allowed, "feature")
    if geom is None:
        return None, problem
    if geographic:
        coords = shapely.get_coordinates(geom)
        extent = _extent_of(pyproj.CRS.from_epsg(4326).to_wkt())
        bad = np.flatnonzero(~extent.inside(coords[:, 0], coords[:, 1]))
        if bad.size:
            x, y = coords[bad[0]]
            return None, extent.explain(float(x), float(y), "crs=")
    if geom.geom_type != "Point" and not geom.is_valid:
        geom = _polygonal(shapely.make_valid(geom))
        if geom.is_empty:
            return None, "invalid polygon that cannot be repaired: it has no area"
    return geom, None


# -- coordinates against the declared CRS ----------------------------------------------------


def _crs_label(crs: pyproj.CRS) -> str:
    authority = crs.to_authority()
    return f"{authority[0]}:{authority[1]}" if authority else str(crs.name)


@attrs.frozen
class _Extent:
    """Where coordinates of a CRS may lie: its area of use plus a margin, in CRS units."""

    label: str
    geographic: bool
    area: str | None
    bounds: tuple[float, float, float, float]
    """``(xmin, ymin, xmax, ymax)`` in the CRS's own units; infinite when unknown."""
    wraps: bool = False
    """A geographic area across the antimeridian (``xmin > xmax``)."""
    margin: float = AREA_MARGIN_DEG

    @property
    def known(self) -> bool:
        """Whether the CRS declares an area of use (else only conversion is checked)."""
        return self.area is not None

    def inside(self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> Any:
        xmin, ymin, xmax, ymax = self.bounds
        in_y = (y >= ymin) & (y <= ymax)
        in_x = ((x >= xmin) | (x <= xmax)) if self.wraps else ((x >= xmin) & (x <= xmax))
        ok = in_x & in_y
        if self.geographic:
            ok &= (np.abs(x) <= 180.0) & (np.abs(y) <= 90.0) & ~((x == 0.0) & (y == 0.0))
        elif self.known:  # degrees given as metres sit within 200 m of the false origin
            ok &= ~((np.abs(x) <= 180.0) & (np.abs(y) <= 90.0))
        return ok

    def explain(self, x: float, y: float, flag: str) -> str:
        """Why ``(x, y)`` was rejected, and how to fix it."""
        at = f"({x:.8g}, {y:.8g})"
        swapped = bool(self.inside(np.array([y]), np.array([x]))[0])
        area = self._area_text()
        if self.geographic:
            if x == 0.0 and y == 0.0:
                return (
                    "coordinate (0, 0) ('null island') is a placeholder for a missing "
                    "location: geocode the feature or remove it"
                )
            if swapped:
                bad, good = (
                    ("is not a valid longitude/latitude", "is")
                    if self.world
                    else (f"is outside {area}", "is inside")
                )
                return (
                    f"longitude and latitude look swapped: {at} {bad} but "
                    f"({y:.8g}, {x:.8g}) {good}; GeoJSON puts longitude first"
                )
            if abs(x) > 1000 or abs(y) > 1000:
                return (
                    f"coordinate {at} looks projected (metres), not longitude/latitude: name "
                    f"the file's CRS, e.g. {flag} EPSG:4547"
                )
            if abs(x) > 180 or abs(y) > 90:
                return f"coordinate {at} is outside the longitude/latitude range (+-180, +-90)"
            return (
                f"coordinate {at} is outside {area}: check the coordinates or name the "
                f"right CRS with {flag}"
            )
        if abs(x) <= 180 and abs(y) <= 90:
            return (
                f"coordinate {at} looks like longitude/latitude degrees, but {self.label} is "
                f"a projected CRS in metres: if the file is lon/lat, do not name {self.label}"
            )
        if swapped:
            return (
                f"easting and northing look swapped: {at} is outside {area} but "
                f"({y:.8g}, {x:.8g}) is inside; GeoJSON puts x (easting) first"
            )
        hint = ""
        if abs(x) >= 1e7:
            hint = (
                " (an 8-digit easting may carry a Gauss-Kruger zone number: name the CRS "
                "of the zone 'with zone number')"
            )
        return f"coordinate {at} is outside {area}{hint}: check the CRS ({flag})"

    @property
    def world(self) -> bool:
        """Whether the area is the whole world (only the lon/lat range is checked)."""
        return self.geographic and self.bounds == (-180.0, -90.0, 180.0, 90.0)

    def _area_text(self) -> str:
        xmin, ymin, xmax, ymax = self.bounds
        if self.geographic:
            return (
                f"the area where {self.label} is valid ({self.area}: lon {xmin:g}..{xmax:g}, "
                f"lat {ymin:g}..{ymax:g} with a {self.margin:g} degree margin)"
            )
        return (
            f"the area where {self.label} is valid ({self.area}: x {xmin:.0f}..{xmax:.0f}, "
            f"y {ymin:.0f}..{ymax:.0f} with a {self.margin:g} degree margin)"
        )


@functools.lru_cache(maxsize=32)
def _extent_of(wkt: str) -> _Extent:
    crs = pyproj.CRS.from_wkt(wkt)
    label = _crs_label(crs)
    use = crs.area_of_use
    inf = math.inf
    m = AREA_MARGIN_DEG
    if crs.is_geographic:
        if use is None:
            return _Extent(label, True, "the world", (-180.0, -90.0, 180.0, 90.0))
        w, s, e, n = use.bounds
        wraps = w > e
        bounds = (max(-180.0, w - m), max(-90.0, s - m), min(180.0, e + m), min(90.0, n + m))
        if wraps:
            bounds = (w - m, bounds[1], e + m, bounds[3])
        return _Extent(label, True, use.name.rstrip(". "), bounds, wraps)
    if use is None or use.bounds[0] > use.bounds[2]:
        return _Extent(label, False, None, (-inf, -inf, inf, inf))
    w, s, e, n = use.bounds
    m = PROJECTED_MARGIN_DEG
    try:
        to_crs = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
        box = to_crs.transform_bounds(
            max(-180.0, w - m), max(-90.0, s - m), min(180.0, e + m), min(90.0, n + m), 21
        )
    except pyproj.exceptions.ProjError:
        return _Extent(label, False, None, (-inf, -inf, inf, inf))
    fixed = tuple(v if math.isfinite(v) else (-inf if i < 2 else inf) for i, v in enumerate(box))
    name = use.name.rstrip(". ")
    return _Extent(label, False, name, (fixed[0], fixed[1], fixed[2], fixed[3]), margin=m)


def _bad_coordinates(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], crs: pyproj.CRS
) -> tuple[npt.NDArray[np.bool_], _Extent]:
    """Which coordinates lie outside the CRS's declared area (or cannot be converted)."""
    extent = _extent_of(crs.to_wkt())
    bad = ~extent.inside(x, y)
    if not crs.is_geographic and not np.isfinite(extent.bounds).all() and x.size:
        # an unknown area: at least require the coordinates to convert to WGS84
        t = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
        lon, lat = t.transform(x, y, errcheck=False)
        lon, lat = np.asarray(lon), np.asarray(lat)
        bad |= ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90.0))
    return bad, extent


def _reject_outside(
    indices: npt.NDArray[np.int64],
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    crs: pyproj.CRS,
    ids: Sequence[str | None],
    out: _Collector,
    flag: str,
) -> set[int]:
    """Reject every feature with a coordinate outside the CRS's area; their indices.

    ``indices[k]`` is the feature of coordinate ``k``; each rejected feature's message
    names its first bad coordinate. Vectorised: one pass over every coordinate.
    """
    bad, extent = _bad_coordinates(x, y, crs)
    if not bad.any():
        return set()
    where = np.flatnonzero(bad)
    features, first = np.unique(indices[where], return_index=True)
    rejected: set[int] = set()
    for feature, k in zip(features.tolist(), where[first].tolist(), strict=True):
        out.reject(feature, ids[feature], extent.explain(float(x[k]), float(y[k]), flag))
        rejected.add(feature)
    return rejected


def _admit(
    out: _Collector,
    index: int,
    fid: str | None,
    feature: Any,
    noun: str,
    dupes: Mapping[str, Sequence[int]],
    *,
    properties: bool = True,
) -> tuple[str, Mapping[str, Any]] | None:
    """The id and properties of a feature whose envelope is sound, else ``None`` once
    rejected.

    The checks every id-keyed reader makes first, in this order: a problem the loader
    already knows, a GeoJSON Feature, properties an object (when ``properties``), an id,
    an id no other feature shares.
    """
    if out.known_problem(index, fid):
        return None
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        out.reject(index, fid, _not_a_feature(feature))
        return None
    props = feature.get("properties") if properties else None
    if props is not None and not isinstance(props, Mapping):
        out.reject(index, fid, f"properties must be a JSON object, not {_show(props)}")
        return None
    if fid is None:
        out.reject(index, None, _id_problem(feature, noun))
        return None
    if fid in dupes:
        out.reject(index, fid, _duplicate_reason(fid, dupes[fid]))
        return None
    return fid, props or {}


# -- communities --------------------------------------------------------------------------


def read_communities(
    source: FeatureSource,
    *,
    crs: str | int | pyproj.CRS | None = None,
    datum: Datum | str = Datum.WGS84,
    strict: bool = False,
    limits: Limits = _DEFAULT_LIMITS,
    encoding: str | None = None,
) -> CommunityLayer:
    """Read and validate communities; geometries are returned in WGS84 lon/lat.

    ``crs`` names the source CRS (else the legacy GeoJSON ``crs`` member, else WGS84);
    ``datum`` names a Chinese map-vendor datum (``gcj02``, ``bd09``) of lon/lat input.
    Invalid polygons are repaired with :func:`shapely.make_valid` and listed in
    ``repaired``; other problems reject the feature (or raise, with ``strict``). Every
    feature ends in ``communities`` or ``rejected``. Shapefiles, GeoPackages, FlatGeobuf,
    GeoParquet and CSV are read by suffix (see :mod:`livable.io.gis`; ``encoding``
    names a shapefile's or CSV's text encoding), and a GeoDataFrame's own CRS is honoured.

    >>> bad = {"type": "FeatureCollection", "features": [{"type": "Feature",
    ...     "properties": {"id": "c1", "population": "3000"},
    ...     "geometry": {"type": "Point", "coordinates": [34.26, 108.94]}}]}
    >>> print(read_communities(bad).rejected[0].reason)
    population must be a number (residents), not the text '3000': write it without quotes,
    e.g. 3000
    >>> read_communities(bad, strict=True)
    Traceback (most recent call last):
    ...
    livable.errors.InputError: <memory>#0 (id 'c1'): population must be a number ...
    """
    collection, info = _load(source, limits, encoding)
    features = _features(collection, info, limits)
    src_crs, src_datum = _resolve(collection, crs, info, datum)
    out = _Collector(info, strict=strict, noun="community", collection=collection)
    ids = [_feature_id(f) for f in features]
    dupes = _duplicates(ids)
    allowed = ("Polygon", "MultiPolygon", "Point")
    kept: list[tuple[int, str, BaseGeometry]] = []
    props_of: dict[int, Mapping[str, Any]] = {}
    for index, feature in enumerate(features):
        fid = ids[index]
        admitted = _admit(out, index, fid, feature, "community", dupes)
        if admitted is None:
            continue
        fid, props = admitted
        problem = _community_props_problem(props)
        if problem:
            out.reject(index, fid, problem)
            continue
        geom, problem, note = _parse_geometry(feature.get("geometry"), allowed, "community")
        if geom is None:
            out.reject(index, fid, problem or "bad geometry")
            continue
        if note:
            out.repair(index, fid, note)
        kept.append((index, fid, geom))
        props_of[index] = props

    kept = _check_coordinates(kept, src_crs, ids, out, "--communities-crs")
    fixed = _repair_polygons(kept, out)
    out.check_strict()
    order = [index for index, _, _ in kept if index in fixed]
    geoms = np.array([fixed[i] for i in order], dtype=object)
    if len(geoms):
        geoms = geometry_to_wgs84(geoms, src_crs, datum=src_datum, source=info.path)
    communities: list[Community] = []
    sources: list[str] = []
    for index, geom in zip(order, geoms, strict=True):
        props = props_of[index]
        fid = ids[index]
        assert fid is not None
        try:
            community = Community(
                id=fid,
                geometry=geom,
                name=props.get("name"),
                population=props.get("population"),
                district=props.get("district"),
                subdistrict=props.get("subdistrict"),
                zone=props.get("zone"),
                attributes={k: v for k, v in props.items() if k not in _COMMUNITY_KEYS},
            )
        except (TypeError, ValueError) as exc:  # checked above; kept as a safety net
            out.reject(index, fid, str(exc))
            continue
        communities.append(community)
        sources.append(out.where(index))
    rejected, repaired = out.result()
    return CommunityLayer(
        communities=tuple(communities),
        rejected=rejected,
        repaired=repaired,
        source=info,
        count=len(features),
        sources=tuple(sources),
    )


def _check_coordinates(
    kept: list[tuple[int, str, BaseGeometry]],
    crs: pyproj.CRS,
    ids: Sequence[str | None],
    out: _Collector,
    flag: str,
) -> list[tuple[int, str, BaseGeometry]]:
    """Drop (reject) the geometries with a coordinate outside the CRS's area, and, in
    longitude/latitude, those that cross the antimeridian (:func:`_across_180`)."""
    if not kept:
        return kept
    geoms = np.array([g for _, _, g in kept], dtype=object)
    coords, which = shapely.get_coordinates(geoms, return_index=True)
    feature_of = np.array([index for index, _, _ in kept], dtype=np.int64)[which]
    bad = _reject_outside(feature_of, coords[:, 0], coords[:, 1], crs, ids, out, flag)
    if crs.is_geographic:
        bad |= _across_180(kept, geoms, bad, out)
    return [k for k in kept if k[0] not in bad]


def _across_180(
    kept: list[tuple[int, str, BaseGeometry]],
    geoms: npt.NDArray[np.object_],
    bad: set[int],
    out: _Collector,
) -> set[int]:
    """Reject the geometries whose longitudes span more than 180 degrees.

    Such a polygon or line crosses the antimeridian (lon 179.9 and -179.9): read as plane
    coordinates it wraps the other way round the globe, a shape 359.8 degrees wide that
    the planar working CRS would measure from a centre near longitude 0 (and make_valid
    would "repair"). RFC 7946 asks for such geometries to be split at 180 degrees, but one
    community split so still spans the globe, so both are rejected with the fix: one
    feature per side. Points on either side are read as usual.
    """
    bounds = shapely.bounds(geoms)
    wide = np.flatnonzero(bounds[:, 2] - bounds[:, 0] > 180.0)
    rejected: set[int] = set()
    for k in wide.tolist():
        index, fid, _ = kept[k]
        if index in bad:
            continue
        west, east = float(bounds[k, 0]), float(bounds[k, 2])
        out.reject(
            index,
            fid,
            f"crosses the antimeridian: its longitudes run from {west:g} to {east:g}, more "
            "than 180 degrees apart, so it is not one shape on the plane livable measures "
            "in; split it at 180 degrees into one feature per side (each with its own id)",
        )
        rejected.add(index)
    return rejected


# -- facilities ------------------------------------------------------------------------------


def _point_coords(raw: Any) -> tuple[float, float] | None:
    """Fast path for clean GeoJSON Points: the two coordinates, without building a geometry."""
    if not isinstance(raw, Mapping) or raw.get("type") != "Point":
        return None
    coords = raw.get("coordinates")
    if (
        isinstance(coords, list | tuple)
        and 2 <= len(coords) <= 3
        and type(coords[0]) in (int, float)
        and type(coords[1]) in (int, float)
        and (len(coords) == 2 or type(coords[2]) in (int, float))
    ):
        x, y = finite_float(coords[0]), finite_float(coords[1])
        if x is not None and y is not None and (len(coords) == 2 or _is_number(coords[2])):
            return x, y
    return None


def _facility_props_problem(props: Mapping[str, Any], known: Collection[str]) -> str | None:
    ftype = props.get("type")
    if ftype is None or (isinstance(ftype, str) and not ftype.strip()):
        return (
            "missing facility 'type' property: give a facility type id such as 'clinic' "
            "(`livable plugins` lists them all)"
        )
    if not isinstance(ftype, str):
        return f"facility type must be text (a type id such as 'clinic'), not {_show(ftype)}"
    if ftype not in known:
        close = _type_suggestion(ftype, known)
        hint = f"did you mean {close!r}? " if close else ""
        return (
            f"unknown facility type {_show(ftype)} ({hint}`livable plugins` lists the known "
            "types; a plugin can add more)"
        )
    for key in ("name", "brand"):
        problem = _text_problem(props, key)
        if problem:
            return problem
    quality = props.get("quality")
    problem = _number_problem("quality", quality, what="a 1-5 score")
    if problem is None and quality is not None and not QUALITY_MIN <= quality <= QUALITY_MAX:
        return (
            f"quality {quality!r} is outside the {QUALITY_MIN}-{QUALITY_MAX} scale: give a "
            f"score from {QUALITY_MIN} to {QUALITY_MAX}, or leave it out"
        )
    return problem


def _type_suggestion(text: str, known: Collection[str]) -> str | None:
    """The known type id closest to ``text``, matched against the ids and the English and
    Chinese labels of :data:`~livable.models.FACILITY_TYPES` (``'幼儿园'`` and
    ``'kindergarden'`` both give ``'kindergarten'``), or ``None``.

    >>> known = {"kindergarten", "clinic"}
    >>> _type_suggestion("幼儿园", known), _type_suggestion("Community Clinic", known)
    ('kindergarten', 'clinic')
    """
    names: dict[str, str] = {}
    for type_id in sorted(known):
        names[type_id] = type_id
        ftype = FACILITY_TYPES.get(type_id)
        if ftype is not None:
            names.setdefault(ftype.label_en.lower(), type_id)
            names.setdefault(ftype.label_zh, type_id)
    wanted = text.strip().lower()
    if wanted in names:
        return names[wanted]
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.75)
    return names[close[0]] if close else None


def _fast_id(feature: Any) -> str | None:
    """:func:`_feature_id`, with a fast path for the usual ``properties.id`` text."""
    if type(feature) is dict:
        props = feature.get("properties")
        if type(props) is dict:
            raw = props.get("id")
            if type(raw) is str:
                return raw.strip() or None
    return _feature_id(feature)


def _is_number(value: Any) -> bool:
    return (type(value) is float or type(value) is int) and finite_float(value) is not None


def _plain_point(feature: Any, known: Collection[str]) -> bool:
    """True for the common case that the checks below would pass without a word: a
    Feature whose properties are an object with a known ``type``, text (or no) ``name``
    and ``brand``, no or a finite numeric ``quality``, and a Point of two or three finite
    numbers. Anything else takes the full checks (same outcome, with the reason)."""
    if type(feature) is not dict or feature.get("type") != "Feature":
        return False
    props = feature.get("properties")
    geom = feature.get("geometry")
    if type(props) is not dict or type(geom) is not dict or geom.get("type") != "Point":
        return False
    ftype = props.get("type")
    if type(ftype) is not str or ftype not in known:
        return False
    for key in ("name", "brand"):
        value = props.get(key)
        if not (value is None or type(value) is str or type(value) is int):
            return False
    quality = props.get("quality")
    if quality is not None and not (_is_number(quality) and QUALITY_MIN <= quality <= QUALITY_MAX):
        return False
    coords = geom.get("coordinates")
    return (
        type(coords) is list
        and 2 <= len(coords) <= 3
        and _is_number(coords[0])
        and _is_number(coords[1])
        and (len(coords) == 2 or _is_number(coords[2]))
    )


class _Attributes(Sequence[Mapping[str, Any]]):
    """Per facility, its properties other than the known ones, built when read (half a
    million dictionaries are not built for attributes nobody reads)."""

    __slots__ = ("_props",)

    def __init__(self, props: Sequence[Mapping[str, Any]]):
        self._props = props

    def __len__(self) -> int:
        return len(self._props)

    @overload
    def __getitem__(self, i: int) -> Mapping[str, Any]: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Mapping[str, Any]]: ...
    def __getitem__(self, i: int | slice) -> Mapping[str, Any] | Sequence[Mapping[str, Any]]:
        if isinstance(i, slice):
            return _Attributes(self._props[i])
        return {k: v for k, v in self._props[i].items() if k not in _FACILITY_KEYS}

    def take(self, index: npt.NDArray[np.int64]) -> _Attributes:
        """The attributes of the facilities at ``index``."""
        return _Attributes([self._props[i] for i in index.tolist()])


def read_facilities(
    source: FeatureSource,
    *,
    crs: str | int | pyproj.CRS | None = None,
    datum: Datum | str = Datum.WGS84,
    known_types: Collection[str] | None = None,
    strict: bool = False,
    limits: Limits = _DEFAULT_LIMITS,
    encoding: str | None = None,
) -> FacilityLayer:
    """Read and validate facilities into columns (WGS84 lon/lat).

    Points take a fast path; areas (a park, a campus) keep their geometry so distances
    reach their nearest edge. ``known_types`` (default: the built-in facility types)
    rejects features whose ``type`` is missing or unknown. GIS files, CSV and
    GeoDataFrames are read as in :func:`read_communities`.

    >>> fc = {"type": "FeatureCollection", "features": [{"type": "Feature",
    ...     "properties": {"id": "f1", "type": "Clinic"},
    ...     "geometry": {"type": "Point", "coordinates": [108.94, 34.26]}}]}
    >>> read_facilities(fc).rejected[0].reason
    "unknown facility type 'Clinic' (did you mean 'clinic'? `livable plugins` lists ...)"
    """
    if known_types is None:
        from livable.models import FACILITY_TYPES

        known_types = FACILITY_TYPES.keys()
    known = set(known_types)
    collection, info = _load(source, limits, encoding)
    features = _features(collection, info, limits)
    src_crs, src_datum = _resolve(collection, crs, info, datum)
    out = _Collector(info, strict=strict, noun="facility", collection=collection)
    ids = [_fast_id(f) for f in features]
    dupes = _duplicates(ids)
    fast = not out.problems
    n = len(features)
    xs = np.full(n, np.nan)
    ys = np.full(n, np.nan)
    point_rows: list[int] = []
    area_geoms: list[tuple[int, str, BaseGeometry]] = []
    allowed = ("Point", "Polygon", "MultiPolygon")
    for index, feature in enumerate(features):
        fid = ids[index]
        if fast and fid is not None and fid not in dupes and _plain_point(feature, known):
            coords = feature["geometry"]["coordinates"]
            xs[index], ys[index] = coords[0], coords[1]
            point_rows.append(index)
            continue
        admitted = _admit(out, index, fid, feature, "facility", dupes)
        if admitted is None:
            continue
        fid, props = admitted
        problem = _facility_props_problem(props, known)
        if problem:
            out.reject(index, fid, problem)
            continue
        raw = feature.get("geometry")
        pt = _point_coords(raw)
        if pt is not None:
            xs[index], ys[index] = pt
            point_rows.append(index)
            continue
        geom, problem, note = _parse_geometry(raw, allowed, "facility")
        if geom is None:
            out.reject(index, fid, problem or "bad geometry")
            continue
        if note:
            out.repair(index, fid, note)
        if geom.geom_type == "Point":
            xs[index], ys[index] = geom.x, geom.y
            point_rows.append(index)
        else:
            area_geoms.append((index, fid, geom))

    flag = "--facilities-crs"
    rows = np.array(point_rows, dtype=np.int64)
    bad_points = _reject_outside(rows, xs[rows], ys[rows], src_crs, ids, out, flag)
    area_geoms = _check_coordinates(area_geoms, src_crs, ids, out, flag)
    fixed = _repair_polygons(area_geoms, out)
    out.check_strict()
    for index, geom in fixed.items():  # a point inside each area, in the source CRS
        inside = geom.representative_point()
        xs[index], ys[index] = inside.x, inside.y
    ok = sorted({i for i in point_rows if i not in bad_points} | set(fixed))

    idx = np.array(ok, dtype=np.int64)
    lon, lat = to_wgs84(xs[idx], ys[idx], src_crs, datum=src_datum, source=info.path)
    lon, lat = np.asarray(lon, dtype=np.float64).copy(), np.asarray(lat, dtype=np.float64).copy()
    areas: npt.NDArray[np.object_] | None = None
    if fixed:
        pos = {orig: k for k, orig in enumerate(ok)}
        area_index = sorted(fixed)
        converted = geometry_to_wgs84(
            np.array([fixed[i] for i in area_index], dtype=object),
            src_crs,
            datum=src_datum,
            source=info.path,
        )
        areas = np.full(len(ok), None, dtype=object)
        rows_of = np.array([pos[i] for i in area_index], dtype=np.int64)
        areas[rows_of] = converted
        inside = shapely.get_coordinates(shapely.point_on_surface(converted))
        lon[rows_of], lat[rows_of] = inside[:, 0], inside[:, 1]
    kept_props = [_props(features[i]) for i in ok]
    rejected, repaired = out.result()
    return FacilityLayer(
        ids=np.array([ids[i] for i in ok], dtype=object),
        types=np.array([p["type"] for p in kept_props], dtype=object),
        lon=lon,
        lat=lat,
        names=np.array([_text(p.get("name")) for p in kept_props], dtype=object),
        brands=np.array([_text(p.get("brand")) for p in kept_props], dtype=object),
        quality=np.array(
            [np.nan if (q := p.get("quality")) is None else float(q) for p in kept_props],
            dtype=np.float64,
        ),
        attributes=_Attributes(kept_props),
        areas=areas,
        rejected=rejected,
        repaired=repaired,
        source=info,
        count=n,
    )


# -- residents (beyond the plan) -------------------------------------------------------------


@attrs.frozen(eq=False)
class ResidentLayer:
    """Residential points (WGS84 lon/lat) with their population and community id.

    A resident point is a building, an entrance or a census block's centre, given as a
    Point with a ``population`` (residents, a number >= 0) and the ``community`` id it
    belongs to; it weights access by where people live (beyond the plan; see
    :func:`livable.evaluate`'s ``residents`` and :mod:`livable.indicators.residents`).
    """

    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    population: npt.NDArray[np.float64]
    community: npt.NDArray[np.object_]
    feature_index: npt.NDArray[np.int64] | None = None
    """Position of each point in its source (for messages); ``None``: 0, 1, 2, ..."""
    rejected: tuple[Rejection, ...] = ()
    source: SourceInfo = SourceInfo("<memory>")
    count: int = 0

    def __len__(self) -> int:
        return int(self.lon.shape[0])


def _resident_props_problem(props: Mapping[str, Any]) -> str | None:
    owner = props.get("community")
    if owner is None or (isinstance(owner, str) and not owner.strip()):
        return "missing 'community' property: the id of the community the residents live in"
    if isinstance(owner, bool) or not isinstance(owner, str | int):
        return f"community must be a community id (text or a whole number), not {_show(owner)}"
    pop = props.get("population")
    if pop is None:
        return "missing 'population' property: the residents at this point"
    problem = _number_problem("population", pop, what="residents")
    if problem:
        return problem
    if pop < 0:
        return f"population must be >= 0, not {pop!r}"
    return None


def read_residents(
    source: FeatureSource,
    *,
    crs: str | int | pyproj.CRS | None = None,
    datum: Datum | str = Datum.WGS84,
    strict: bool = False,
    limits: Limits = _DEFAULT_LIMITS,
    encoding: str | None = None,
) -> ResidentLayer:
    """Read residential points: Points with ``population`` and ``community`` properties.

    Coordinates as for :func:`read_facilities` (``crs``, the legacy ``crs`` member,
    ``datum``). A feature that is not a Point, lacks a ``community`` id, or has a
    ``population`` that is not a number >= 0 is rejected (or raises, with ``strict``).
    Ids are optional.

    >>> fc = {"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {"community": "c1", "population": 120},
    ...      "geometry": {"type": "Point", "coordinates": [108.94, 34.26]}},
    ...     {"type": "Feature", "properties": {"community": "c1", "population": -5},
    ...      "geometry": {"type": "Point", "coordinates": [108.95, 34.26]}}]}
    >>> layer = read_residents(fc)
    >>> layer.population.tolist(), layer.community.tolist(), [r.reason for r in layer.rejected]
    ([120.0], ['c1'], ['population must be >= 0, not -5'])
    """
    collection, info = _load(source, limits, encoding)
    features = _features(collection, info, limits)
    src_crs, src_datum = _resolve(collection, crs, info, datum)
    out = _Collector(info, strict=strict, noun="resident point", collection=collection)
    ids = [_feature_id(f) for f in features]
    n = len(features)
    xs = np.full(n, np.nan)
    ys = np.full(n, np.nan)
    rows: list[int] = []
    for index, feature in enumerate(features):
        fid = ids[index]
        if out.known_problem(index, fid):
            continue
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            out.reject(index, fid, _not_a_feature(feature))
            continue
        props = feature.get("properties")
        if not isinstance(props, Mapping):
            out.reject(index, fid, f"properties must be a JSON object, not {_show(props)}")
            continue
        problem = _resident_props_problem(props)
        if problem:
            out.reject(index, fid, problem)
            continue
        raw = feature.get("geometry")
        pt = _point_coords(raw)
        if pt is None:  # not a plain Point: a usable one (numpy numbers, say), or why not
            kind = raw.get("type") if isinstance(raw, Mapping) else None
            if raw is None:
                problem = "feature has no geometry (null): give its Point"
            elif kind != "Point":
                problem = f"a resident point must be a Point, not {_show(kind)}"
            else:
                problem = _position_problem(raw.get("coordinates"))
            if problem or not isinstance(raw, Mapping):
                out.reject(index, fid, problem or "bad geometry")
                continue
            coords = raw["coordinates"]
            pt = (float(coords[0]), float(coords[1]))
        xs[index], ys[index] = pt
        rows.append(index)
    idx = np.array(rows, dtype=np.int64)
    bad = _reject_outside(idx, xs[idx], ys[idx], src_crs, ids, out, "--residents-crs")
    out.check_strict()
    idx = np.array([i for i in rows if i not in bad], dtype=np.int64)
    lon, lat = to_wgs84(xs[idx], ys[idx], src_crs, datum=src_datum, source=info.path)
    props = [_props(features[i]) for i in idx.tolist()]
    rejected, _ = out.result()
    return ResidentLayer(
        lon=np.asarray(lon, dtype=np.float64),
        lat=np.asarray(lat, dtype=np.float64),
        population=np.array([float(p["population"]) for p in props], dtype=np.float64),
        community=np.array([str(p["community"]).strip() for p in props], dtype=object),
        feature_index=idx,
        rejected=rejected,
        source=info,
        count=n,
    )


def _props(feature: Mapping[str, Any]) -> Mapping[str, Any]:
    props = feature.get("properties")
    return props if isinstance(props, Mapping) else {}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = (value if type(value) is str else str(value)).strip()
    return text or None
