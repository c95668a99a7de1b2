"""Facilities from GeoJSON at columnar speed: one typed decode, checks over whole columns.

The common facility file is a FeatureCollection of clean Points: every feature a
``Feature`` with an ``id``, a known ``type``, text or no ``name`` and ``brand``, no or a
numeric ``quality``, and a Point of two numbers. For such a file
:func:`fast_facilities` builds the :class:`~livable.io.FacilityLayer` without a Python
dictionary per feature: :mod:`msgspec` (the ``fast`` extra) decodes the bytes straight into
typed structs that refuse anything else (an unknown member, a 3-D coordinate, text where
a number belongs, a number out of range), then the checks the per-feature path makes run
over the columns: ids non-blank and unique, types known, quality within its range,
coordinates inside the CRS's area, no repeated JSON key (the count of ``:`` in the text
against the members decoded).

GIS files take the same column checks (:func:`columns_layer`): a shapefile, GeoPackage,
FlatGeobuf, GeoParquet or CSV file of clean points whose columns are only ``id``,
``type``, ``name``, ``brand`` and ``quality`` is read as columns
(:func:`livable.io.gis.load_columns`) without a dictionary per feature; GeoParquet row
groups are checked the same way by :mod:`livable.io.geoparquet`.

Whenever one check fails (or, for GeoJSON, msgspec is not installed) it returns ``None``
and the caller takes the per-feature path (:func:`~livable.io._reader.read_features`),
which finds the same features wanting and says why in exactly its usual words:
per-feature Python runs only for files with a feature that fails a check.

Measured on 500,000 points (75 MB, issue 16): decoding and checking here take about 1.5 s
of CPU, against about 3 s for orjson's parse alone and 3.3 s for pyogrio's Arrow reader
(GDAL's GeoJSON driver), and about 6 s for the whole per-feature path.

>>> data = (b'{"type": "FeatureCollection", "features": [{"type": "Feature", '
...         b'"properties": {"id": "k1", "type": "kindergarten"}, '
...         b'"geometry": {"type": "Point", "coordinates": [108.94, 34.26]}}]}')
>>> layer = fast_facilities(data, {"kindergarten"}, {})
>>> layer is None or layer.ids.tolist() == ["k1"]
True
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import shapely

from livable._gc import paused_gc
from livable.io._coordinates import bad_coordinates, resolve_source_crs
from livable.io._geojson import check_file_size, source_bytes
from livable.io._validate import QUALITY_MAX, QUALITY_MIN
from livable.io.crs import to_wgs84
from livable.io.datums import Datum
from livable.io.gis import PARQUET_SUFFIXES, is_gis_path, load_columns
from livable.io.layers import DEFAULT_LIMITS, FacilityLayer, Limits, PropertyAttributes
from livable.models.results import SourceInfo

__all__ = ["columns_layer", "fast_facilities", "points_layer"]

_BOM = b"\xef\xbb\xbf"
_NO_ATTRIBUTES: Mapping[str, Any] = MappingProxyType({})

try:
    import msgspec
except ImportError:  # the ``fast`` extra is not installed: the per-feature path
    msgspec = None  # type: ignore[assignment]


if msgspec is not None:
    UNSET = msgspec.UNSET

    class _Props(msgspec.Struct, forbid_unknown_fields=True):
        id: str
        type: str
        name: str | msgspec.UnsetType | None = UNSET
        brand: str | msgspec.UnsetType | None = UNSET
        quality: float | msgspec.UnsetType | None = UNSET

    class _Point(msgspec.Struct, forbid_unknown_fields=True):
        type: Literal["Point"]
        coordinates: tuple[float, float]

    class _Feature(msgspec.Struct, forbid_unknown_fields=True):
        type: Literal["Feature"]
        properties: _Props
        geometry: _Point

    class _Collection(msgspec.Struct, forbid_unknown_fields=True):
        type: Literal["FeatureCollection"]
        features: list[_Feature]
        name: str | msgspec.UnsetType = UNSET

    _DECODER = msgspec.json.Decoder(_Collection)


def _text_colons(strings: Sequence[Any]) -> int:
    """How many ``:`` decoded values that are text, ``None`` or unset hold (the last two
    are false, and so is a blank text, which holds none)."""
    return "\x00".join(filter(None, strings)).count(":")


def _all_text(values: Sequence[Any]) -> bool:
    """Whether every value is a ``str``."""
    return set(map(type, values)) <= {str}


def _text_or_none(values: Sequence[Any]) -> bool:
    """Whether every value is a ``str`` or ``None``."""
    return set(map(type, values)) <= {str, type(None)}


def _text(values: list[Any]) -> list[str | None]:
    """Names and brands as the per-feature path keeps them: stripped, blank as ``None``."""
    return [v.strip() or None if type(v) is str else None for v in values]


def fast_facilities(
    source: object, known: Collection[str], options: Mapping[str, Any]
) -> FacilityLayer | None:
    """The facility layer of a clean GeoJSON file or ``bytes`` (see the module), or of a
    shapefile, GeoPackage, FlatGeobuf or GeoParquet file of clean points with only the
    core columns (``id``, ``type``, ``name``, ``brand``, ``quality``), else ``None``: the
    caller then reads ``source`` feature by feature.

    ``options`` are :func:`~livable.read_facilities`'s keywords; a ``rename`` mapping
    sends the file to the per-feature path.
    """
    if options.get("rename"):
        return None
    if isinstance(source, str | os.PathLike) and is_gis_path(source):
        return _gis_layer(source, known, options)
    if msgspec is None or not isinstance(
        source, bytes | bytearray | memoryview | str | os.PathLike
    ):
        return None
    limits: Limits = options.get("limits", DEFAULT_LIMITS)
    data, name = source_bytes(source, limits)
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(_BOM):
        data = data[3:]
    with paused_gc():  # a million acyclic objects: the collector would only rescan them
        try:
            collection = _DECODER.decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None
        return _layer(collection, data, name, digest, known, limits, options)


def _layer(
    collection: Any,
    data: bytes,
    name: str,
    digest: str,
    known: Collection[str],
    limits: Limits,
    options: Mapping[str, Any],
) -> FacilityLayer | None:
    """The layer of a decoded collection, or ``None`` when a check fails."""
    features = collection.features
    n = len(features)
    props = [f.properties for f in features]
    raw_ids = [p.id for p in props]
    types = [p.type for p in props]
    raw_names = [p.name for p in props]
    raw_brands = [p.brand for p in props]
    raw_quality = [p.quality for p in props]
    unset = msgspec.UNSET
    members = 2 + (collection.name is not unset) + 7 * n
    members += 3 * n - raw_names.count(unset) - raw_brands.count(unset)
    members -= raw_quality.count(unset)
    text_colons = "\x00".join(raw_ids).count(":") + "\x00".join(types).count(":")
    text_colons += _text_colons(raw_names) + _text_colons(raw_brands)
    text_colons += _text_colons([collection.name])
    escaped = 0
    if b"\\u003" in data:  # rare: count the escaped colons (one pass when there are none)
        escaped = data.count(b"\\u003a") + data.count(b"\\u003A")
    if data.count(b":") + escaped != members + text_colons:
        return None  # a repeated key (or an escape the count cannot tell): look closely
    missing = {None: np.nan, unset: np.nan}.get  # a value given is its own default
    quality = np.fromiter(map(missing, raw_quality, raw_quality), np.float64, count=n)
    xy = np.fromiter(
        itertools.chain.from_iterable([f.geometry.coordinates for f in features]),
        np.float64,
        count=2 * n,
    ).reshape(n, 2)
    return columns_layer(
        raw_ids,
        types,
        _text(raw_names),
        _text(raw_brands),
        quality,
        xy[:, 0].copy(),
        xy[:, 1].copy(),
        known=known,
        limits=limits,
        info=SourceInfo(name, digest),
        collection={},
        options=options,
        typed=True,
    )


def columns_layer(
    raw_ids: Sequence[Any],
    types: Sequence[Any],
    raw_names: Sequence[Any],
    raw_brands: Sequence[Any],
    quality: npt.NDArray[np.float64],
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    *,
    known: Collection[str],
    limits: Limits,
    info: SourceInfo,
    collection: Mapping[str, Any],
    options: Mapping[str, Any],
    typed: bool = False,
) -> FacilityLayer | None:
    """The facility layer of checked columns, or ``None`` when a check over them fails.

    The columns as read; ``quality`` is NaN where not given, ``x``/``y`` are in the CRS
    of ``collection`` (its ``crs`` member) unless ``options`` name one. Checked over the
    columns: between one and ``limits.max_features`` rows; ids text, non-blank and unique
    once stripped; types known text; names and brands text or none (kept stripped, blank
    as ``None``, as the per-feature path keeps them); quality within its range;
    coordinates finite and inside the CRS's area. ``typed``: the caller's decoder already
    made ids and types text and names and brands stripped text or ``None`` (msgspec's
    typed structs), so those checks are not made again.

    >>> import numpy as np
    >>> from livable.models.results import SourceInfo
    >>> from livable.io.layers import DEFAULT_LIMITS
    >>> def layer(quality):
    ...     return columns_layer([" k1"], ["kindergarten"], [" 园 "], [None],
    ...         np.array([quality]), np.array([108.94]), np.array([34.26]),
    ...         known={"kindergarten"}, limits=DEFAULT_LIMITS,
    ...         info=SourceInfo("<memory>"), collection={}, options={})
    >>> found = layer(np.nan)
    >>> found is not None and (found.ids.tolist(), found.names.tolist())
    (['k1'], ['园'])
    >>> layer(9.0) is None  # outside the 1-5 scale: the per-feature path says why
    True
    """
    n = len(raw_ids)
    if n == 0 or n > limits.max_features:
        return None
    if not typed and not (_all_text(raw_ids) and _all_text(types)):
        return None
    ids = [i.strip() for i in raw_ids]
    if "" in ids or len(set(ids)) != n or not set(types) <= set(known):
        return None
    if not typed:
        if not (_text_or_none(raw_names) and _text_or_none(raw_brands)):
            return None
        raw_names, raw_brands = _text(list(raw_names)), _text(list(raw_brands))
    given = ~np.isnan(quality)
    if ((quality[given] < QUALITY_MIN) | (quality[given] > QUALITY_MAX)).any():
        return None
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        return None
    crs, datum = resolve_source_crs(
        collection, options.get("crs"), info, options.get("datum", Datum.WGS84)
    )
    if bad_coordinates(x, y, crs)[0].any():
        return None
    lon, lat = to_wgs84(x, y, crs, datum=datum, source=info.path)
    return FacilityLayer(
        ids=np.array(ids, dtype=object),
        types=np.array(types, dtype=object),
        lon=np.asarray(lon, dtype=np.float64).copy(),
        lat=np.asarray(lat, dtype=np.float64).copy(),
        names=np.array(raw_names, dtype=object),
        brands=np.array(raw_brands, dtype=object),
        quality=quality,
        attributes=PropertyAttributes([_NO_ATTRIBUTES] * n),
        source=info,
        count=n,
    )


_CORE = frozenset({"id", "type", "name", "brand", "quality"})


def _gis_layer(
    path: str | os.PathLike[str], known: Collection[str], options: Mapping[str, Any]
) -> FacilityLayer | None:
    """The layer of a shapefile, GeoPackage, FlatGeobuf or GeoParquet file of clean
    points with only the core columns (``id``, ``type``, ``name``, ``brand``,
    ``quality``; GeoParquet's packed ``attributes`` column when empty), else ``None``."""
    limits: Limits = options.get("limits", DEFAULT_LIMITS)
    check_file_size(Path(path), limits)
    read = load_columns(path, encoding=options.get("encoding"))
    if read is None:
        return None
    columns = dict(read.columns)
    packed = (
        columns.pop("attributes", None) if Path(path).suffix.lower() in PARQUET_SUFFIXES else None
    )
    if packed is not None and any(v is not None for v in packed):
        return None
    if not set(columns) <= _CORE or "id" not in columns or "type" not in columns:
        return None
    return points_layer(
        columns,
        read.geometries,
        known=known,
        limits=limits,
        info=read.info,
        collection={} if read.crs is None else {"crs": read.crs},
        options=options,
    )


def points_layer(
    columns: Mapping[str, Sequence[Any]],
    geoms: npt.NDArray[np.object_],
    *,
    known: Collection[str],
    limits: Limits,
    info: SourceInfo,
    collection: Mapping[str, Any],
    options: Mapping[str, Any],
) -> FacilityLayer | None:
    """:func:`columns_layer` of the core columns (``id`` and ``type``; ``name``,
    ``brand``, ``quality`` when given) and one shapely geometry a row, when every geometry
    is a non-empty 2-D point and every quality a number or none; else ``None``.

    >>> import numpy as np, shapely
    >>> from livable.io.layers import DEFAULT_LIMITS
    >>> layer = points_layer({"id": ["k1"], "type": ["kindergarten"]},
    ...     np.array([shapely.Point(108.94, 34.26)]), known={"kindergarten"},
    ...     limits=DEFAULT_LIMITS, info=SourceInfo("<memory>"), collection={}, options={})
    >>> layer is not None and layer.ids.tolist()
    ['k1']
    """
    n = len(columns["id"])
    if len(geoms) != n or n == 0 or shapely.is_missing(geoms).any():
        return None
    if (shapely.get_type_id(geoms) != 0).any() or shapely.is_empty(geoms).any():
        return None
    if shapely.has_z(geoms).any():
        return None
    raw_quality = columns.get("quality", [None] * n)
    if not set(map(type, raw_quality)) <= {int, float, type(None)}:
        return None
    quality = np.array([np.nan if v is None else v for v in raw_quality], dtype=np.float64)
    return columns_layer(
        columns["id"],
        columns["type"],
        columns.get("name", [None] * n),
        columns.get("brand", [None] * n),
        quality,
        np.asarray(shapely.get_x(geoms), dtype=np.float64),
        np.asarray(shapely.get_y(geoms), dtype=np.float64),
        known=known,
        limits=limits,
        info=info,
        collection=collection,
        options=options,
    )
