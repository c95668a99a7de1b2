"""The one reader skeleton every layer shares: load, check each feature, convert to WGS84.

A :class:`FeatureReader` says what differs between layer kinds (communities, facilities,
resident points, streets): the noun and CRS flag of its messages, how ids are read and
whether they must be unique, how properties and geometry are checked. :func:`read_features`
runs the rest, the same for every kind:

1. load the source and list its features (:mod:`livable.io._geojson`: stop on a bad file);
2. resolve its CRS and datum;
3. per feature: the envelope (:func:`~livable.io._validate.admit`), the properties, the
   geometry (a Point's ``(x, y)`` into coordinate columns, other shapes kept aside);
4. every coordinate against the CRS's area of use, lines and areas across the antimeridian,
   polygon repairs (:mod:`livable.io._coordinates`, :mod:`livable.io._shapes`);
5. in strict mode, raise for the first problem in file order;
6. the kept coordinates and shapes converted to WGS84.

Each reader then builds its layer from the :class:`ReadFeatures`, in file order.

>>> from livable.io.streets import STREETS
>>> read = read_features({"type": "FeatureCollection", "features": [{"type": "Feature",
...     "properties": {"id": "s1"}, "geometry": {"type": "LineString",
...     "coordinates": [[108.94, 34.26], [108.95, 34.26]]}}]}, STREETS)
>>> read.rows.tolist(), read.shapes[0].geom_type
([0], 'LineString')
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, TypedDict, Unpack

import attrs
import numpy as np
import numpy.typing as npt
import pyproj
from shapely.geometry.base import BaseGeometry

from livable._text import show
from livable.errors import InputError
from livable.io._coordinates import check_coordinates, reject_outside, resolve_source_crs
from livable.io._geojson import feature_list, load_collection
from livable.io._names import name_map
from livable.io._shapes import Geometry, repair_polygons
from livable.io._validate import Collector, admit, duplicates, feature_id
from livable.io.account import ignored_note
from livable.io.crs import geometry_to_wgs84, to_wgs84
from livable.io.datums import Datum
from livable.io.gis import FeatureTable
from livable.io.layers import DEFAULT_LIMITS, FeatureSource, Limits
from livable.models.results import NOTE_EXAMPLES, InputNote, Rejection, SourceInfo

__all__ = ["FeatureReader", "ReadFeatures", "ReadOptions", "read_features"]


@attrs.frozen
class FeatureReader:
    """What one layer kind's reader checks, for :func:`read_features`."""

    noun: str
    """The feature in messages (``"community"``, ``"resident point"``)."""
    plural: str
    """The layer's name (``"communities"``: :func:`read_communities`)."""
    flag: str
    """The command-line flag that names the layer's CRS (``"--communities-crs"``)."""
    geometry: Callable[[Any], Geometry]
    """A feature's geometry: a shape, a Point's ``(x, y)``, or the problem."""
    properties: str = "optional"
    """``"optional"`` (null is no properties), ``"required"`` or ``"ignored"``."""
    check: Callable[[Mapping[str, Any]], str | None] | None = None
    """Why a feature's properties reject it (``None``: they are fine)."""
    unique_ids: bool = True
    """Every feature needs an id no other shares (not so for resident points)."""
    ids: Callable[[Any], str | None] = feature_id
    """A feature's id as text, or ``None``."""
    plain: Callable[[Any], bool] | None = None
    """A fast path: True for a clean Point feature that every check would pass."""
    repair: bool = False
    """Repair invalid polygons with :func:`shapely.make_valid` (areas, not lines)."""
    columns: bool = False
    """The layer keeps a lon/lat column per feature (facilities, resident points); an
    area's column point is a point inside it."""
    names: frozenset[str] = frozenset({"id"})
    """The property names the reader reads: a GIS file's truncated or laundered column
    for one of them is mapped back (:mod:`livable.io._names`)."""
    all_names: bool = True
    """``names`` are every property the run reads, so any other is noted as ignored; a
    layer whose other properties are kept for the indicators (communities) notes them
    only when the caller says what it reads (``names=``)."""


@attrs.frozen(eq=False)
class ReadFeatures:
    """The features a :class:`FeatureReader` kept, in file order, in WGS84."""

    info: SourceInfo
    features: Sequence[Any]
    ids: Sequence[str | None]
    out: Collector
    rows: npt.NDArray[np.int64]
    """The index of every kept feature, ascending."""
    lon: npt.NDArray[np.float64]
    """Per kept feature, its column point (``columns``; else NaN)."""
    lat: npt.NDArray[np.float64]
    shape_rows: npt.NDArray[np.int64]
    """The index of every kept feature with a shape (not a column-only Point), ascending."""
    shapes: npt.NDArray[np.object_]
    """Their shapes, in WGS84."""

    def properties(self) -> list[Mapping[str, Any]]:
        """The properties of every kept feature (an empty mapping when it had none)."""
        out: list[Mapping[str, Any]] = []
        for i in self.rows.tolist():
            props = self.features[i].get("properties")
            out.append(props if isinstance(props, Mapping) else {})
        return out

    def result(self) -> tuple[tuple[Rejection, ...], tuple[Rejection, ...]]:
        """Rejections and repairs in file order (see :meth:`Collector.result`)."""
        return self.out.result()


class ReadOptions(TypedDict, total=False):
    """The keywords every reader takes (``read_communities(path, crs="EPSG:4547")``).

    ``crs`` names the source CRS (else the legacy GeoJSON ``crs`` member, else WGS84);
    ``datum`` a Chinese map-vendor datum (``gcj02``, ``bd09``) of lon/lat input; ``strict``
    raises :class:`~livable.errors.InputError` for the first problem in file order
    instead of rejecting; ``limits`` bounds the input (:class:`~livable.io.Limits`);
    ``encoding`` names a shapefile's or CSV's text encoding; ``rename`` maps property
    names (``{"grn": "green_ratio"}``); ``names`` adds property names a caller reads (a
    profile's indicators) to those a GIS file's truncated or laundered columns are mapped
    back to.
    """

    crs: str | int | pyproj.CRS | None
    datum: Datum | str
    strict: bool
    limits: Limits
    encoding: str | None
    rename: Mapping[str, str]
    names: Collection[str]


_OPTIONS = frozenset(ReadOptions.__annotations__)


def _mapped(
    features: Sequence[Any],
    info: SourceInfo,
    names: Collection[str],
    rename: Mapping[str, str],
    *,
    strict: bool,
) -> tuple[Sequence[Any], SourceInfo]:
    """The features with their property names mapped back, and a ``renamed`` note."""
    columns: dict[str, None] = {}
    for feature in features:
        props = feature.get("properties") if isinstance(feature, Mapping) else None
        if isinstance(props, Mapping):
            columns.update(dict.fromkeys(k for k in props if isinstance(k, str)))
    mapping = name_map(list(columns), names, rename, source=info.path)
    if not mapping:
        return features, info
    guessed = {old: new for old, new in mapping.items() if rename.get(old) != new}
    if strict and guessed:
        old, new = next(iter(guessed.items()))
        raise InputError(
            f"column {show(old)} would be read as {show(new)} (a shapefile keeps 10 "
            f"characters of a name); say so with --rename {old}={new} (rename= in Python)",
            source=info.path,
        )
    out: list[Any] = []
    for feature in features:
        props = feature.get("properties") if isinstance(feature, Mapping) else None
        if isinstance(props, Mapping):
            feature = {**feature, "properties": {mapping.get(k, k): v for k, v in props.items()}}
        out.append(feature)
    pairs = ", ".join(f"{old} -> {new}" for old, new in mapping.items())
    note = InputNote("renamed", len(mapping), pairs)
    return out, attrs.evolve(info, notes=(*info.notes, note))


def _ignored(features: Sequence[Any], info: SourceInfo, names: Collection[str]) -> SourceInfo:
    """Note the property names no part of the run reads (a misspelt column, a foreign
    vocabulary)."""
    present: set[str] = set()
    for feature in features:
        props = feature.get("properties") if isinstance(feature, Mapping) else None
        if isinstance(props, Mapping):
            present.update(props.keys())
    note = ignored_note(present, names)
    if note is None:
        return info
    return attrs.evolve(info, notes=(*info.notes, note))


def _index_ids(
    info: SourceInfo,
    features: Sequence[Any],
    ids: Sequence[str | None],
    spec: FeatureReader,
    *,
    strict: bool,
) -> SourceInfo:
    """Note the ids a GeoDataFrame's row index gave (no ``id`` column); strict: an error."""
    made = [
        fid
        for feature, fid in zip(features, ids, strict=True)
        if fid is not None
        and isinstance(feature, Mapping)
        and (not isinstance(props := feature.get("properties"), Mapping) or props.get("id") is None)
    ]
    if not made:
        return info
    if strict:
        raise InputError(
            f"{len(made):,} {spec.plural} have no 'id' column value, so their ids would be "
            f"made from the row index ({', '.join(show(i) for i in made[:3])}, ...); give "
            "each an 'id' column",
            source=info.path,
        )
    note = InputNote("ids_from_index", len(made), "", tuple(show(i) for i in made[:NOTE_EXAMPLES]))
    return attrs.evolve(info, notes=(*info.notes, note))


def read_features(
    source: FeatureSource, spec: FeatureReader, **options: Unpack[ReadOptions]
) -> ReadFeatures:
    """Load ``source`` and check every feature as ``spec`` says (the module's steps).

    An unknown keyword raises :class:`TypeError`, as a misspelt one does in any call.
    """
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        raise TypeError(f"read_{spec.plural}() got an unexpected keyword argument {unknown[0]!r}")
    crs = options.get("crs")
    datum = options.get("datum", Datum.WGS84)
    strict = options.get("strict", False)
    limits = options.get("limits", DEFAULT_LIMITS)
    encoding = options.get("encoding")
    collection, info = load_collection(source, limits, encoding)
    features = feature_list(collection, info, limits)
    rename = options.get("rename") or {}
    names = spec.names | frozenset(options.get("names", ()))
    if rename or isinstance(collection, FeatureTable):
        features, info = _mapped(features, info, names, rename, strict=strict)
    if spec.properties != "ignored" and (spec.all_names or "names" in options):
        info = _ignored(features, info, names)
    src_crs, src_datum = resolve_source_crs(collection, crs, info, datum)
    out = Collector(info, strict=strict, noun=spec.noun, collection=collection)
    ids = [spec.ids(f) for f in features]
    if spec.unique_ids and not isinstance(source, Mapping) and hasattr(source, "__geo_interface__"):
        info = _index_ids(info, features, ids, spec, strict=strict)
    dupes = duplicates(ids) if spec.unique_ids else None
    fast = spec.plain is not None and not out.problems
    n = len(features)
    xs = np.full(n, np.nan)
    ys = np.full(n, np.nan)
    point_rows: list[int] = []
    shapes: list[tuple[int, str | None, BaseGeometry]] = []
    for index, feature in enumerate(features):
        fid = ids[index]
        if fast and fid is not None and fid not in (dupes or ()) and spec.plain(feature):  # type: ignore[misc]
            coords = feature["geometry"]["coordinates"]
            xs[index], ys[index] = coords[0], coords[1]
            point_rows.append(index)
            continue
        props = admit(
            out, index, fid, feature, noun=spec.noun, dupes=dupes, properties=spec.properties
        )
        if props is None:
            continue
        problem = spec.check(props) if spec.check is not None else None
        if problem:
            out.reject(index, fid, problem)
            continue
        geom, problem, note = spec.geometry(feature.get("geometry"))
        if geom is None:
            out.reject(index, fid, problem or "bad geometry")
            continue
        if note:
            out.repair(index, fid, note)
        if isinstance(geom, tuple):
            xs[index], ys[index] = geom
            point_rows.append(index)
        else:
            shapes.append((index, fid, geom))

    bad_points: set[int] = set()
    if point_rows:
        rows = np.array(point_rows, dtype=np.int64)
        bad_points = reject_outside(rows, xs[rows], ys[rows], src_crs, ids, out, spec.flag)
    shapes = check_coordinates(shapes, src_crs, ids, out, spec.flag)
    fixed = repair_polygons(shapes, out) if spec.repair else {i: g for i, _, g in shapes}
    out.check_strict()

    if spec.columns:
        for index, geom in fixed.items():  # a point inside each area, in the source CRS
            inside = geom.representative_point()
            xs[index], ys[index] = inside.x, inside.y
    kept = np.array(sorted({i for i in point_rows if i not in bad_points} | set(fixed)), np.int64)
    if spec.columns:
        lon, lat = to_wgs84(xs[kept], ys[kept], src_crs, datum=src_datum, source=info.path)
        lon = np.asarray(lon, dtype=np.float64).copy()
        lat = np.asarray(lat, dtype=np.float64).copy()
    else:
        lon = lat = np.full(kept.size, np.nan)
    shape_rows = np.array(sorted(fixed), dtype=np.int64)
    converted = np.array([fixed[i] for i in shape_rows.tolist()], dtype=object)
    if len(converted):
        converted = geometry_to_wgs84(converted, src_crs, datum=src_datum, source=info.path)
    return ReadFeatures(
        info=info,
        features=features,
        ids=ids,
        out=out,
        rows=kept,
        lon=lon,
        lat=lat,
        shape_rows=shape_rows,
        shapes=converted,
    )
