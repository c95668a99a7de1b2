"""Reading communities and facilities from GeoJSON, with validation.

Inputs are RFC 7946 FeatureCollections (a file path, ``bytes`` or an in-memory mapping),
lon/lat WGS84 unless a CRS or a Chinese map datum is named. Each bad feature is rejected
with its file, index, id and reason, and the rest are read; with ``strict=True`` the first
problem raises :class:`~livable.errors.InputError` instead. Nothing is dropped silently.

>>> fc = {"type": "FeatureCollection", "features": [
...     {"type": "Feature", "properties": {"id": "c1", "population": 3000},
...      "geometry": {"type": "Point", "coordinates": [108.94, 34.26]}},
...     {"type": "Feature", "properties": {"id": "c2"}, "geometry": None}]}
>>> layer = read_communities(fc)
>>> [c.id for c in layer.communities], [r.reason for r in layer.rejected]
(['c1'], ['feature has no geometry'])
"""

from __future__ import annotations

import hashlib
import math
import os
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
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from livable.errors import InputError, ResourceLimitError
from livable.geometry.crs import crs_from_geojson, geometry_to_wgs84, resolve_crs, to_wgs84
from livable.geometry.datums import Datum
from livable.models import Community, Facility, Zone

__all__ = [
    "CommunityLayer",
    "FacilityLayer",
    "Limits",
    "Rejection",
    "ResidentLayer",
    "SourceInfo",
    "read_communities",
    "read_facilities",
    "read_residents",
]

FeatureSource = str | os.PathLike[str] | bytes | Mapping[str, Any]
"""A GeoJSON FeatureCollection: a file path, its bytes, or a mapping already parsed."""


@attrs.frozen
class Limits:
    """Resource limits for embedders: larger inputs raise
    :class:`~livable.errors.ResourceLimitError` instead of exhausting memory."""

    max_file_bytes: int = 2 * 1024**3
    max_features: int = 20_000_000


@attrs.frozen
class SourceInfo:
    """Where an input came from: a path and the SHA-256 of its bytes, or ``<memory>``."""

    path: str
    sha256: str | None = None


@attrs.frozen
class Rejection:
    """A feature that was not used, and why (``source`` is ``file#index``)."""

    id: str | None
    source: str
    reason: str


@attrs.frozen
class CommunityLayer:
    """Communities read from one source (WGS84), with the features rejected and repaired."""

    communities: tuple[Community, ...]
    rejected: tuple[Rejection, ...] = ()
    repaired: tuple[Rejection, ...] = ()
    source: SourceInfo = SourceInfo("<memory>")
    count: int = 0
    """How many features the source held."""


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


def _load(source: FeatureSource, limits: Limits) -> tuple[Mapping[str, Any], SourceInfo]:
    if isinstance(source, Mapping):
        return source, SourceInfo("<memory>")
    geo = getattr(source, "__geo_interface__", None)
    if isinstance(geo, Mapping):
        return geo, SourceInfo("<memory>")
    if isinstance(source, bytes):
        data, name = source, "<bytes>"
    else:
        path = Path(source)
        name = str(path)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise InputError("file not found", source=name) from None
        except OSError as exc:
            raise InputError(f"cannot read file: {exc.strerror}", source=name) from None
        if size > limits.max_file_bytes:
            raise ResourceLimitError(
                f"file is {size:,} bytes, over the limit of {limits.max_file_bytes:,} "
                "(raise Limits.max_file_bytes or split the file)",
                source=name,
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read file: {exc.strerror}", source=name) from None
    digest = hashlib.sha256(data).hexdigest()
    try:
        parsed = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if isinstance(exc.__cause__, UnicodeDecodeError) or "utf-8" in str(exc).lower():
            raise InputError(
                "not UTF-8 text: GeoJSON must be UTF-8 (RFC 7946); re-encode the file, "
                "e.g. from GB18030 with iconv -f GB18030 -t UTF-8",
                source=name,
            ) from None
        raise InputError(f"not valid JSON: {exc}", source=name) from None
    if not isinstance(parsed, dict):
        raise InputError(
            "not a GeoJSON FeatureCollection (top level is not an object)", source=name
        )
    return parsed, SourceInfo(name, digest)


def _features(collection: Mapping[str, Any], info: SourceInfo, limits: Limits) -> Sequence[Any]:
    if collection.get("type") != "FeatureCollection" or not isinstance(
        collection.get("features"), list
    ):
        kind = collection.get("type")
        raise InputError(
            f"not a GeoJSON FeatureCollection (type is {kind!r}); wrap features in "
            '{"type": "FeatureCollection", "features": [...]}',
            source=info.path,
        )
    features: list[Any] = collection["features"]
    if len(features) > limits.max_features:
        raise ResourceLimitError(
            f"{len(features):,} features, over the limit of {limits.max_features:,}",
            source=info.path,
        )
    return features


def _feature_id(feature: Any) -> str | None:
    if not isinstance(feature, Mapping):
        return None
    props = feature.get("properties")
    raw = props.get("id") if isinstance(props, Mapping) else None
    if raw is None:
        raw = feature.get("id")
    if raw is None or isinstance(raw, bool) or not isinstance(raw, str | int):
        return None
    text = str(raw).strip()
    return text or None


class _Collector:
    """Collects rejections, or raises at the first one when strict."""

    def __init__(self, info: SourceInfo, *, strict: bool, kind: str):
        self.info = info
        self.strict = strict
        self.kind = kind
        self.rejected: list[Rejection] = []
        self.repaired: list[Rejection] = []

    def reject(self, index: int, fid: str | None, reason: str) -> None:
        if self.strict:
            raise InputError(reason, source=self.info.path, index=index, feature_id=fid)
        self.rejected.append(Rejection(fid, f"{self.info.path}#{index}", reason))

    def repair(self, index: int, fid: str | None, note: str) -> None:
        self.repaired.append(Rejection(fid, f"{self.info.path}#{index}", note))


def _duplicates(
    features: Sequence[Any], ids: Sequence[str | None] | None = None
) -> dict[str, list[int]]:
    if ids is None:
        ids = [_feature_id(f) for f in features]
    counts = Counter(i for i in ids if i is not None)
    if len(counts) == sum(counts.values()):
        return {}
    dupes: dict[str, list[int]] = {}
    for index, fid in enumerate(ids):
        if fid is not None and counts[fid] > 1:
            dupes.setdefault(fid, []).append(index)
    return dupes


def _check_lonlat(geom: BaseGeometry) -> str | None:
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        return "coordinates contain NaN or infinity"
    lon, lat = coords[:, 0], coords[:, 1]
    if (np.abs(lon) <= 180).all() and (np.abs(lat) <= 90).all():
        return None
    if (np.abs(lat) <= 180).all() and (np.abs(lon) <= 90).all():
        return "coordinates outside lon/lat range: longitude and latitude look swapped"
    return (
        "coordinates outside the lon/lat range (|lon| <= 180, |lat| <= 90): if the file is "
        "projected, name its CRS (e.g. --communities-crs EPSG:4547)"
    )


def _geometry(
    feature: Mapping[str, Any], *, geographic: bool
) -> tuple[BaseGeometry | None, str | None]:
    raw = feature.get("geometry")
    if raw is None:
        return None, "feature has no geometry"
    if not isinstance(raw, Mapping):
        return None, "geometry is not a GeoJSON geometry object"
    try:
        geom = shape(raw)
    except Exception as exc:  # shapely raises several kinds for malformed coordinates
        return None, f"malformed {raw.get('type', 'geometry')} geometry: {exc}"
    if geom.is_empty:
        return None, "geometry is empty"
    if geographic:
        problem = _check_lonlat(geom)
    elif not np.isfinite(shapely.get_coordinates(geom)).all():
        problem = "coordinates contain NaN or infinity"
    else:
        problem = None
    if problem:
        return None, problem
    return geom, None


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygonal part of a repaired geometry (make_valid may add lines or points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _props(feature: Mapping[str, Any]) -> Mapping[str, Any]:
    props = feature.get("properties")
    return props if isinstance(props, Mapping) else {}


_COMMUNITY_KEYS = ("id", "name", "population", "district", "subdistrict", "zone")


def _resolve(
    collection: Mapping[str, Any], crs: object, info: SourceInfo, datum: Datum | str
) -> tuple[pyproj.CRS, Datum]:
    chosen = resolve_crs(crs, source=info.path) if crs is not None else None  # type: ignore[arg-type]
    if chosen is None:
        chosen = crs_from_geojson(collection, source=info.path) or resolve_crs(None)
    try:
        return chosen, Datum(datum)
    except ValueError:
        from livable.errors import CRSError

        raise CRSError(
            f"unknown datum {datum!r}: use one of {', '.join(d.value for d in Datum)}",
            source=info.path,
        ) from None


def read_communities(
    source: FeatureSource,
    *,
    crs: str | int | pyproj.CRS | None = None,
    datum: Datum | str = Datum.WGS84,
    strict: bool = False,
    limits: Limits = _DEFAULT_LIMITS,
) -> CommunityLayer:
    """Read and validate communities; geometries are returned in WGS84 lon/lat.

    ``crs`` names the source CRS (else the legacy GeoJSON ``crs`` member, else WGS84);
    ``datum`` names a Chinese map-vendor datum (``gcj02``, ``bd09``) of lon/lat input.
    Invalid polygons are repaired with :func:`shapely.make_valid` and listed in
    ``repaired``; other problems reject the feature (or raise, with ``strict``).
    """
    collection, info = _load(source, limits)
    features = _features(collection, info, limits)
    src_crs, src_datum = _resolve(collection, crs, info, datum)
    geographic = src_crs.is_geographic
    out = _Collector(info, strict=strict, kind="community")
    dupes = _duplicates(features)
    kept: list[tuple[int, str, BaseGeometry, Mapping[str, Any]]] = []
    for index, feature in enumerate(features):
        fid = _feature_id(feature)
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            out.reject(index, fid, "not a GeoJSON Feature")
            continue
        if fid is None:
            out.reject(index, None, "missing id: every community needs a unique 'id' property")
            continue
        if fid in dupes:
            others = ", ".join(f"#{i}" for i in dupes[fid])
            out.reject(index, fid, f"duplicate id {fid!r} (features {others}); ids must be unique")
            continue
        geom, problem = _geometry(feature, geographic=geographic)
        if geom is None:
            out.reject(index, fid, problem or "bad geometry")
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon", "Point"):
            out.reject(
                index,
                fid,
                f"a community must be a Polygon, MultiPolygon or Point, not {geom.geom_type}",
            )
            continue
        if not geom.is_valid:
            why = shapely.is_valid_reason(geom)
            fixed = _polygonal(shapely.make_valid(geom))
            if fixed.is_empty:
                out.reject(index, fid, f"invalid polygon that cannot be repaired ({why})")
                continue
            out.repair(index, fid, f"invalid polygon repaired with make_valid ({why})")
            geom = fixed
        kept.append((index, fid, geom, _props(feature)))

    geoms = np.array([k[2] for k in kept], dtype=object)
    if len(geoms):
        geoms = geometry_to_wgs84(geoms, src_crs, datum=src_datum)
    communities: list[Community] = []
    for (index, fid, _, props), geom in zip(kept, geoms, strict=True):
        attributes = {k: v for k, v in props.items() if k not in _COMMUNITY_KEYS}
        zone = props.get("zone")
        if zone is not None and zone not in (z.value for z in Zone):
            out.reject(index, fid, f"zone {zone!r} is not 'central' or 'peripheral'")
            continue
        try:
            community = Community(
                id=fid,
                geometry=geom,
                name=props.get("name"),
                population=props.get("population"),
                district=props.get("district"),
                subdistrict=props.get("subdistrict"),
                zone=zone,
                attributes=attributes,
            )
        except (TypeError, ValueError) as exc:
            out.reject(index, fid, str(exc))
            continue
        communities.append(community)
    return CommunityLayer(
        communities=tuple(communities),
        rejected=tuple(out.rejected),
        repaired=tuple(out.repaired),
        source=info,
        count=len(features),
    )


def _point_coords(raw: Any) -> tuple[float, float] | None:
    """Fast path for GeoJSON Points: the two coordinates, without building a geometry."""
    if not isinstance(raw, Mapping) or raw.get("type") != "Point":
        return None
    coords = raw.get("coordinates")
    if (
        isinstance(coords, list | tuple)
        and len(coords) >= 2
        and isinstance(coords[0], int | float)
        and isinstance(coords[1], int | float)
        and not isinstance(coords[0], bool)
        and not isinstance(coords[1], bool)
    ):
        return float(coords[0]), float(coords[1])
    return None


def _fast_id(feature: Any) -> str | None:
    """:func:`_feature_id` with a fast path for the usual ``properties.id`` string."""
    if type(feature) is dict:
        props = feature.get("properties")
        if type(props) is dict:
            raw = props.get("id")
            if type(raw) is str:
                text = raw.strip()
                return text or None
    return _feature_id(feature)


def _plain_point(feature: Any, known: Collection[str], geographic: bool) -> bool:
    """True for the common, valid case: a Feature with a dict of properties, a known
    ``type``, no or a finite numeric ``quality``, and a Point with two finite numbers
    (within lon/lat range when ``geographic``). Everything else takes the slow path."""
    if type(feature) is not dict or feature.get("type") != "Feature":
        return False
    props = feature.get("properties")
    geom = feature.get("geometry")
    if type(props) is not dict or type(geom) is not dict or geom.get("type") != "Point":
        return False
    ftype = props.get("type")
    if type(ftype) is not str or ftype not in known:
        return False
    quality = props.get("quality")
    if quality is not None and not (
        (type(quality) is float or type(quality) is int) and math.isfinite(quality)
    ):
        return False
    coords = geom.get("coordinates")
    if type(coords) is not list or len(coords) < 2:
        return False
    x, y = coords[0], coords[1]
    if not ((type(x) is float or type(x) is int) and (type(y) is float or type(y) is int)):
        return False
    if geographic:
        return -180.0 <= x <= 180.0 and -90.0 <= y <= 90.0
    return math.isfinite(x) and math.isfinite(y)


class _Attributes(Sequence[Mapping[str, Any]]):
    """Per facility, its properties other than the known ones, built when read."""

    __slots__ = ("_props",)
    _KNOWN = frozenset(("id", "type", "name", "brand", "quality"))

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
        return {k: v for k, v in self._props[i].items() if k not in self._KNOWN}


def read_facilities(
    source: FeatureSource,
    *,
    crs: str | int | pyproj.CRS | None = None,
    datum: Datum | str = Datum.WGS84,
    known_types: Collection[str] | None = None,
    strict: bool = False,
    limits: Limits = _DEFAULT_LIMITS,
) -> FacilityLayer:
    """Read and validate facilities into columns (WGS84 lon/lat).

    Points take a fast path (a city's half a million facilities are read in a few
    seconds, most of it parsing JSON); areas (a park, a campus) keep their geometry so
    distances reach their nearest edge. ``known_types`` (default: the built-in facility
    types) rejects features whose ``type`` is missing or unknown.
    """
    if known_types is None:
        from livable.models import FACILITY_TYPES

        known_types = FACILITY_TYPES.keys()
    known = frozenset(known_types)
    collection, info = _load(source, limits)
    features = _features(collection, info, limits)
    src_crs, src_datum = _resolve(collection, crs, info, datum)
    geographic = src_crs.is_geographic
    out = _Collector(info, strict=strict, kind="facility")
    fids = [_fast_id(f) for f in features]
    dupes = _duplicates(features, fids)
    n = len(features)
    xs = np.empty(n)
    ys = np.empty(n)
    area_geoms: list[tuple[int, BaseGeometry]] = []
    ok: list[int] = []
    ok_props: list[Mapping[str, Any]] = []
    for index, feature in enumerate(features):
        fid = fids[index]
        if fid is not None and fid not in dupes and _plain_point(feature, known, geographic):
            coords = feature["geometry"]["coordinates"]
            xs[index], ys[index] = coords[0], coords[1]
            ok.append(index)
            ok_props.append(feature["properties"])
            continue
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            out.reject(index, fid, "not a GeoJSON Feature")
            continue
        if fid is None:
            out.reject(index, None, "missing id: every facility needs a unique 'id' property")
            continue
        if fid in dupes:
            others = ", ".join(f"#{i}" for i in dupes[fid])
            out.reject(index, fid, f"duplicate id {fid!r} (features {others}); ids must be unique")
            continue
        props = _props(feature)
        ftype = props.get("type")
        if not isinstance(ftype, str) or not ftype:
            out.reject(index, fid, "missing facility 'type' property")
            continue
        if ftype not in known:
            hint = ", ".join(sorted(known)[:6])
            out.reject(
                index,
                fid,
                f"unknown facility type {ftype!r} (known: {hint}, ...; "
                "`livable plugins` lists all)",
            )
            continue
        quality = props.get("quality")
        if quality is not None and (
            isinstance(quality, bool)
            or not isinstance(quality, int | float)
            or not math.isfinite(quality)
        ):
            out.reject(index, fid, f"quality must be a finite number, not {quality!r}")
            continue
        pt = _point_coords(feature.get("geometry"))
        if pt is not None:
            bad = not (math.isfinite(pt[0]) and math.isfinite(pt[1]))
            if bad or (geographic and (abs(pt[0]) > 180 or abs(pt[1]) > 90)):
                _, problem = _geometry(feature, geographic=geographic)
                out.reject(index, fid, problem or "bad coordinates")
                continue
            xs[index], ys[index] = pt
            ok.append(index)
            ok_props.append(props)
            continue
        geom, problem = _geometry(feature, geographic=geographic)
        if geom is None:
            out.reject(index, fid, problem or "bad geometry")
            continue
        if geom.geom_type == "Point":
            xs[index], ys[index] = geom.x, geom.y
        elif geom.geom_type in ("Polygon", "MultiPolygon"):
            if not geom.is_valid:
                out.repair(
                    index,
                    fid,
                    f"invalid polygon repaired with make_valid ({shapely.is_valid_reason(geom)})",
                )
                geom = _polygonal(shapely.make_valid(geom))
                if geom.is_empty:
                    out.reject(index, fid, "invalid polygon that cannot be repaired")
                    continue
            area_geoms.append((index, geom))
        else:
            out.reject(
                index, fid, f"a facility must be a Point or (Multi)Polygon, not {geom.geom_type}"
            )
            continue
        ok.append(index)
        ok_props.append(props)

    idx = np.array(ok, dtype=np.int64)
    lon, lat = to_wgs84(xs[idx], ys[idx], src_crs, datum=src_datum)
    lon, lat = np.asarray(lon, dtype=np.float64).copy(), np.asarray(lat, dtype=np.float64).copy()
    areas: npt.NDArray[np.object_] | None = None
    if area_geoms:
        pos = {orig: k for k, orig in enumerate(ok)}
        converted = geometry_to_wgs84(
            np.array([g for _, g in area_geoms], dtype=object), src_crs, datum=src_datum
        )
        areas = np.full(len(ok), None, dtype=object)
        rows = np.array([pos[i] for i, _ in area_geoms], dtype=np.int64)
        areas[rows] = converted
        inside = shapely.get_coordinates(shapely.point_on_surface(converted))
        lon[rows], lat[rows] = inside[:, 0], inside[:, 1]
    return FacilityLayer(
        ids=np.array([fids[i] for i in ok], dtype=object),
        types=np.array([p["type"] for p in ok_props], dtype=object),
        lon=lon,
        lat=lat,
        names=np.array([_text(p.get("name")) for p in ok_props], dtype=object),
        brands=np.array([_text(p.get("brand")) for p in ok_props], dtype=object),
        quality=np.array(
            [np.nan if (q := p.get("quality")) is None else float(q) for p in ok_props],
            dtype=np.float64,
        ),
        attributes=_Attributes(ok_props),
        areas=areas,
        rejected=tuple(out.rejected),
        repaired=tuple(out.repaired),
        source=info,
        count=n,
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = (value if type(value) is str else str(value)).strip()
    return text or None


@attrs.frozen(eq=False)
class ResidentLayer:
    """Residential points (WGS84 lon/lat) with their population and community id.

    A resident point is a building, an entrance or a census block's centre, given as a
    Point with a ``population`` (residents, a number >= 0) and the ``community`` id it
    belongs to. Used to weight access by where people live (beyond the plan; see
    :func:`livable.evaluate`'s ``residents``).
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


def read_residents(
    source: FeatureSource,
    *,
    crs: str | int | pyproj.CRS | None = None,
    datum: Datum | str = Datum.WGS84,
    strict: bool = False,
    limits: Limits = _DEFAULT_LIMITS,
) -> ResidentLayer:
    """Read residential points: Points with ``population`` and ``community`` properties.

    Coordinates as for :func:`read_facilities` (``crs``, the legacy ``crs`` member,
    ``datum``). A feature that is not a Point, lacks a ``community`` id, or has a
    ``population`` that is not a finite number >= 0 is rejected (or raises, with
    ``strict``). Ids are optional.

    >>> fc = {"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {"community": "c1", "population": 120},
    ...      "geometry": {"type": "Point", "coordinates": [108.94, 34.26]}},
    ...     {"type": "Feature", "properties": {"community": "c1", "population": -5},
    ...      "geometry": {"type": "Point", "coordinates": [108.95, 34.26]}}]}
    >>> layer = read_residents(fc)
    >>> layer.population.tolist(), layer.community.tolist(), [r.reason for r in layer.rejected]
    ([120.0], ['c1'], ['population must be a finite number >= 0, not -5'])
    """
    collection, info = _load(source, limits)
    features = _features(collection, info, limits)
    src_crs, src_datum = _resolve(collection, crs, info, datum)
    geographic = src_crs.is_geographic
    out = _Collector(info, strict=strict, kind="resident")
    n = len(features)
    xs = np.empty(n)
    ys = np.empty(n)
    pops = np.empty(n)
    owners: list[str] = []
    ok: list[int] = []
    for index, feature in enumerate(features):
        fid = _feature_id(feature)
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            out.reject(index, fid, "not a GeoJSON Feature")
            continue
        props = _props(feature)
        owner = props.get("community")
        if isinstance(owner, bool) or not isinstance(owner, str | int) or not str(owner).strip():
            out.reject(index, fid, "missing 'community' property (the id of its community)")
            continue
        pop = props.get("population")
        if (
            isinstance(pop, bool)
            or not isinstance(pop, int | float)
            or not math.isfinite(pop)
            or pop < 0
        ):
            out.reject(index, fid, f"population must be a finite number >= 0, not {pop!r}")
            continue
        pt = _point_coords(feature.get("geometry"))
        if pt is None:
            geom, problem = _geometry(feature, geographic=geographic)
            if geom is None or geom.geom_type != "Point":
                kind = geom.geom_type if geom is not None else None
                out.reject(index, fid, problem or f"a resident point must be a Point, not {kind}")
                continue
            pt = (geom.x, geom.y)
        bad = not (math.isfinite(pt[0]) and math.isfinite(pt[1]))
        if bad or (geographic and (abs(pt[0]) > 180 or abs(pt[1]) > 90)):
            _, problem = _geometry(feature, geographic=geographic)
            out.reject(index, fid, problem or "bad coordinates")
            continue
        xs[index], ys[index] = pt
        pops[index] = float(pop)
        owners.append(str(owner).strip())
        ok.append(index)
    idx = np.array(ok, dtype=np.int64)
    lon, lat = to_wgs84(xs[idx], ys[idx], src_crs, datum=src_datum)
    return ResidentLayer(
        lon=np.asarray(lon, dtype=np.float64),
        lat=np.asarray(lat, dtype=np.float64),
        population=pops[idx],
        community=np.array(owners, dtype=object),
        feature_index=idx,
        rejected=tuple(out.rejected),
        source=info,
        count=n,
    )
