"""Pieces the importers share: the import result, mapping files, and GeoJSON output.

>>> from livable.io._common import rows_to_layer
>>> layer = rows_to_layer([{"id": "a1", "type": "clinic", "lon": 108.94, "lat": 34.26}])
>>> len(layer), layer.types.tolist()
(1, ['clinic'])
"""

from __future__ import annotations

import hashlib
import importlib.resources
import math
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import orjson
import shapely
from shapely.geometry.base import BaseGeometry

from livable.errors import InputError
from livable.io.layers import FacilityLayer, StreetLayer
from livable.models import FACILITY_TYPES
from livable.models.results import Rejection, SourceInfo

__all__ = [
    "COORD_DECIMALS",
    "ImportResult",
    "facilities_to_geojson",
    "load_toml",
    "rows_to_layer",
    "source_info",
    "streets_to_geojson",
    "type_counts",
    "write_geojson",
]

COORD_DECIMALS = 7
"""Output coordinates are rounded to 1e-7 degrees (about 1 cm), as in ``report.json``."""


@attrs.frozen
class ImportResult:
    """What an importer read: facilities as columns, and what it could not map.

    ``counts`` is the number of facilities per type (every known type, zeros included);
    ``unmatched`` lists the source tags or codes that matched no mapping row, most common
    first, as ``(label, count)``; ``skipped`` counts objects a mapping row deliberately
    ignores. Malformed rows are in ``facilities.rejected`` with their line or feature
    number. ``streets`` is set by the OpenStreetMap importer.
    """

    facilities: FacilityLayer
    counts: Mapping[str, int]
    unmatched: tuple[tuple[str, int], ...] = ()
    skipped: int = 0
    streets: StreetLayer | None = None

    @property
    def rejected(self) -> tuple[Rejection, ...]:
        """The malformed rows or features, each with its line or feature number."""
        return self.facilities.rejected


def type_counts(types: Iterable[str], known: Iterable[str] | None = None) -> dict[str, int]:
    """Facilities per type: every known type (zeros included) first, then any others.

    >>> type_counts(["clinic", "clinic"], ["clinic", "bank"])
    {'clinic': 2, 'bank': 0}
    """
    counter = Counter(types)
    order = list(known if known is not None else FACILITY_TYPES)
    out = {t: counter.get(t, 0) for t in order}
    for t, n in sorted(counter.items()):
        out.setdefault(t, n)
    return out


def bytes_info(data: bytes) -> SourceInfo:
    """The source info of data given as bytes (standard input): ``<bytes>`` and its SHA-256.

    >>> bytes_info(b"abc").path, bytes_info(b"abc").sha256[:12]
    ('<bytes>', 'ba7816bf8f01')
    """
    return SourceInfo("<bytes>", hashlib.sha256(data).hexdigest())


def source_info(path: Path) -> SourceInfo:
    """The path and SHA-256 of a file (read in blocks, so large extracts are fine).

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile(delete=False) as f:
    ...     _ = f.write(b"abc")
    >>> source_info(Path(f.name)).sha256[:12]
    'ba7816bf8f01'
    >>> os.remove(f.name)
    """
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", source=str(path)) from None
    return SourceInfo(str(path), digest.hexdigest())


def load_toml(source: str | Path, *, package_default: str | None = None) -> dict[str, Any]:
    """A TOML document from a file path, or the packaged data file ``package_default``.

    Errors name the file and the TOML problem.

    >>> sorted(load_toml("", package_default="osm_tags.toml"))[:2]
    ['report_keys', 'rule']
    """
    if package_default is not None and (source == "" or source is None):
        resource = importlib.resources.files("livable.data").joinpath(package_default)
        name, text = f"livable/data/{package_default}", resource.read_text(encoding="utf-8")
    else:
        path = Path(source)
        name = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError("file not found", source=name) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read mapping file: {exc}", source=name) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", source=name) from None


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def rows_to_layer(
    rows: Sequence[Mapping[str, Any]],
    *,
    rejected: Sequence[Rejection] = (),
    source: SourceInfo | None = None,
    count: int | None = None,
) -> FacilityLayer:
    """A :class:`~livable.io.FacilityLayer` from row mappings (WGS84).

    Each row has ``id``, ``type``, ``lon``, ``lat`` and optionally ``name``, ``brand``,
    ``quality``, ``area`` (a shapely polygon kept as an area facility) and ``attributes``.
    """
    n = len(rows)
    areas = [r.get("area") for r in rows]
    has_area = any(a is not None for a in areas)
    quality = [r.get("quality") for r in rows]
    return FacilityLayer(
        ids=np.array([str(r["id"]) for r in rows], dtype=object),
        types=np.array([str(r["type"]) for r in rows], dtype=object),
        lon=np.array([float(r["lon"]) for r in rows], dtype=np.float64),
        lat=np.array([float(r["lat"]) for r in rows], dtype=np.float64),
        names=np.array([_text(r.get("name")) for r in rows], dtype=object),
        brands=np.array([_text(r.get("brand")) for r in rows], dtype=object),
        quality=np.array([np.nan if q is None else float(q) for q in quality], dtype=np.float64),
        attributes=tuple(dict(r.get("attributes") or {}) for r in rows),
        areas=np.array(areas, dtype=object) if has_area else None,
        rejected=tuple(rejected),
        source=source or SourceInfo("<memory>"),
        count=n if count is None else count,
    )


def _round_geometry(geom: BaseGeometry) -> dict[str, Any]:
    rounded = shapely.transform(geom, lambda c: np.round(c, COORD_DECIMALS))
    return orjson.loads(shapely.to_geojson(rounded))  # type: ignore[no-any-return]


def facilities_to_geojson(layer: FacilityLayer) -> dict[str, Any]:
    """The layer as an RFC 7946 FeatureCollection that :func:`livable.read_facilities` reads.

    Properties are ``id``, ``type``, ``name``, ``brand``, ``quality`` (when set) and the
    layer's attributes; an area facility keeps its polygon.

    >>> fc = facilities_to_geojson(rows_to_layer(
    ...     [{"id": "a1", "type": "clinic", "lon": 108.94, "lat": 34.26, "name": "诊所"}]))
    >>> fc["features"][0]["properties"]
    {'id': 'a1', 'type': 'clinic', 'name': '诊所'}
    """
    features: list[dict[str, Any]] = []
    for i in range(len(layer)):
        area = None if layer.areas is None else layer.areas[i]
        if area is not None:
            geometry = _round_geometry(area)
        else:
            geometry = {
                "type": "Point",
                "coordinates": [
                    round(float(layer.lon[i]), COORD_DECIMALS),
                    round(float(layer.lat[i]), COORD_DECIMALS),
                ],
            }
        props: dict[str, Any] = {"id": layer.ids[i], "type": layer.types[i]}
        if layer.names[i] is not None:
            props["name"] = layer.names[i]
        if layer.brands[i] is not None:
            props["brand"] = layer.brands[i]
        if not math.isnan(float(layer.quality[i])):
            props["quality"] = float(layer.quality[i])
        for key, value in layer.attributes[i].items():
            props.setdefault(key, value)
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


def streets_to_geojson(streets: StreetLayer) -> dict[str, Any]:
    """Streets as an RFC 7946 FeatureCollection of LineStrings with an ``id`` property.

    >>> s = StreetLayer.from_lines(["w1"], [shapely.LineString([(0, 0), (1, 1)])],
    ...                            [{"highway": "footway"}])
    >>> streets_to_geojson(s)["features"][0]["properties"]
    {'id': 'w1', 'highway': 'footway'}
    """
    features = []
    properties = streets.properties or ({},) * len(streets)
    for fid, geom, props in zip(streets.ids, streets.lines, properties, strict=True):
        features.append(
            {
                "type": "Feature",
                "properties": {"id": fid, **props},
                "geometry": _round_geometry(geom),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_geojson(collection: Mapping[str, Any], path: str | Path) -> Path:
    """Write a FeatureCollection as UTF-8 GeoJSON (creating the folder); returns the path.

    >>> import tempfile
    >>> p = write_geojson({"type": "FeatureCollection", "features": []},
    ...                   Path(tempfile.mkdtemp()) / "out" / "x.geojson")
    >>> p.read_text()
    '{"type":"FeatureCollection","features":[]}'
    """
    out = Path(path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(orjson.dumps(collection))
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", source=str(out)) from exc
    return out


def check_types(rule_types: Iterable[str], known: Iterable[str], *, source: str) -> None:
    """Raise :class:`~livable.errors.InputError` for a mapping row naming an unknown type.

    >>> check_types(["clinic"], FACILITY_TYPES, source="m.toml")
    >>> check_types(["clinik"], FACILITY_TYPES, source="m.toml")
    Traceback (most recent call last):
    ...
    livable.errors.InputError: m.toml: mapping names unknown facility type 'clinik' ...
    """
    known_set = set(known)
    for t in rule_types:
        if t not in known_set:
            raise InputError(
                f"mapping names unknown facility type {t!r} (known: "
                f"{', '.join(sorted(known_set))}); a plugin can add types",
                source=source,
            )


def top(counter: Counter[str], n: int | None = None) -> tuple[tuple[str, int], ...]:
    """The most common entries, ties broken by label (deterministic).

    >>> top(Counter({"b": 2, "a": 2, "c": 5}))
    (('c', 5), ('a', 2), ('b', 2))
    """
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(items if n is None else items[:n])
