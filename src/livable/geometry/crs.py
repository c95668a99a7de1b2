"""Coordinate reference systems: reading them, converting input to WGS-84, and projecting
to a metric working CRS.

The engine's data flow (``DESIGN.md``, "Engine shape") is: read inputs in whatever CRS and
datum the caller names -> WGS-84 lon/lat (:func:`to_wgs84`, :func:`geometry_to_wgs84`) ->
a metric working CRS chosen for the data (:func:`choose_working_crs`) in which the service
circle's centre and radius (``P6.circle``) and the walk tiers (``P6.tiers``) are measured
(:class:`Projector`). Output coordinates go back to WGS-84.

Every transformation goes through :class:`pyproj.Transformer` built with
``always_xy=True`` (so coordinates are always ``(lon, lat)`` or ``(easting, northing)``
whatever the CRS's declared axis order; EPSG:4326 and the CGCS2000 Gauss-Kruger zones
declare latitude/northing first) and cached, keyed by the CRSs' WKT, because building a
transformer costs far more than applying it to an array.

CGCS2000
--------
Geographic CGCS2000 (EPSG:4490) and the CGCS2000 Gauss-Kruger zones (EPSG:4491-4554) are
treated as WGS-84-equivalent: PROJ's default CGCS2000 -> WGS 84 operation is a "ballpark"
(null) transformation. The true difference between the two realisations is at the
centimetre-to-decimetre level, far below what a 400 m walk tier can resolve.

>>> crs = resolve_crs("urn:ogc:def:crs:EPSG::4547")
>>> lon, lat = to_wgs84([500000.0], [3385000.0], crs)
>>> round(float(lon[0]), 6), round(float(lat[0]), 6)
(114.0, 30.585316)
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyproj
import pyproj.exceptions
import shapely

from livable._text import show
from livable.errors import CRSError
from livable.geometry.datums import Datum, parse_datum
from livable.geometry.datums import to_wgs84 as _datum_to_wgs84

__all__ = [
    "SCALE_GRID",
    "WGS84",
    "Projector",
    "choose_working_crs",
    "crs_from_geojson",
    "geometry_to_wgs84",
    "max_scale_error",
    "resolve_crs",
    "to_wgs84",
]

FloatArray = npt.NDArray[np.float64]
Coords = tuple[FloatArray, FloatArray]

WGS84: pyproj.CRS = pyproj.CRS.from_epsg(4326)
"""WGS-84 geographic lon/lat (EPSG:4326), the CRS of every output coordinate."""

SCALE_GRID = 21
"""Samples per side of the grid on which :func:`max_scale_error` evaluates scale factors."""

_CRS_HINT = (
    "give an EPSG code (4490, 'EPSG:4547'), an OGC URN ('urn:ogc:def:crs:EPSG::4547'), "
    "WKT or a PROJ string"
)


def _wkt(crs: pyproj.CRS) -> str:
    return crs.to_wkt()


@functools.lru_cache(maxsize=128)
def _transformer(src_wkt: str, dst_wkt: str) -> pyproj.Transformer:
    """A cached ``always_xy`` transformer between two CRSs given as WKT strings."""
    return pyproj.Transformer.from_crs(src_wkt, dst_wkt, always_xy=True)


@functools.lru_cache(maxsize=32)
def _proj(crs_wkt: str) -> pyproj.Proj:
    """A cached :class:`pyproj.Proj` for scale factors of a projected CRS."""
    return pyproj.Proj(pyproj.CRS.from_wkt(crs_wkt))


def _coords(x: npt.ArrayLike, y: npt.ArrayLike) -> Coords:
    a, b = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    return np.array(a, dtype=np.float64), np.array(b, dtype=np.float64)


def _transform(t: pyproj.Transformer, x: FloatArray, y: FloatArray) -> Coords:
    if x.size == 0:
        return x.copy(), y.copy()
    a, b = t.transform(x, y)
    return np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)


def _label(crs: pyproj.CRS) -> str:
    """``"EPSG:32649"``-style authority string, else the CRS's name."""
    authority = crs.to_authority()
    if authority is not None:
        return f"{authority[0]}:{authority[1]}"
    return str(crs.name)


def resolve_crs(value: str | int | pyproj.CRS | None, *, source: str | None = None) -> pyproj.CRS:
    """Return the :class:`pyproj.CRS` that ``value`` names.

    Accepted: ``None`` (WGS-84); an EPSG code as an ``int`` or a string of digits; any
    string :meth:`pyproj.CRS.from_user_input` understands (``"EPSG:4547"``, ``"epsg:4490"``,
    ``"urn:ogc:def:crs:EPSG::4547"``, WKT, PROJ strings); ``"urn:ogc:def:crs:OGC:1.3:CRS84"``
    and ``"OGC:CRS84"`` resolve to :data:`WGS84` (with ``always_xy`` the axis order does not
    matter); a :class:`pyproj.CRS` is returned as it is. A compound CRS is reduced to its
    horizontal part. Anything else, and CRSs that are neither geographic nor projected
    (geocentric, vertical), raise :class:`~livable.errors.CRSError` naming the value and
    ``source`` (a file name, for the message).

    >>> resolve_crs(None) == WGS84
    True
    >>> resolve_crs("epsg:4490").to_epsg()
    4490
    >>> resolve_crs("urn:ogc:def:crs:OGC:1.3:CRS84") is WGS84
    True
    >>> resolve_crs("EPSG:4547+5773").to_epsg()
    4547
    >>> resolve_crs("EPSG:999999", source="shops.geojson")
    Traceback (most recent call last):
    ...
    livable.errors.CRSError: shops.geojson: unknown coordinate reference system 'EPSG:999999'; ...
    """
    if value is None:
        return WGS84
    if isinstance(value, pyproj.CRS):
        crs = value
    elif isinstance(value, bool) or not isinstance(value, (int, str)):
        raise CRSError(
            f"cannot use {show(value)} as a coordinate reference system; {_CRS_HINT}", source=source
        )
    else:
        text = str(value).strip()
        try:
            crs = pyproj.CRS.from_epsg(int(text)) if text.isdigit() else pyproj.CRS(text)
        except pyproj.exceptions.CRSError as exc:
            hint = _CRS_HINT
            if text.lower().replace("-", "") in {d.value for d in Datum}:
                hint = f"{show(text)} is a map datum, not a CRS: pass it as the datum"
            raise CRSError(
                f"unknown coordinate reference system {show(value)}; {hint}", source=source
            ) from exc
    if crs.is_compound:
        crs = crs.sub_crs_list[0]
    if crs.to_authority() == ("OGC", "CRS84"):
        return WGS84
    if not (crs.is_geographic or crs.is_projected):
        raise CRSError(
            f"coordinate reference system {show(value)} ({crs.type_name}) is neither geographic "
            "nor projected; give a horizontal CRS",
            source=source,
        )
    return crs


def crs_from_geojson(
    collection: Mapping[str, object], *, source: str | None = None
) -> pyproj.CRS | None:
    """Read the legacy ``crs`` member of a GeoJSON object; ``None`` when it is absent.

    RFC 7946 dropped the member, but GDAL still writes it for non-WGS-84 output, as
    ``{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}}``. The older
    ``{"type": "EPSG", "properties": {"code": 4326}}`` and a bare string (``"EPSG:4326"``)
    are read too. A member that names no usable CRS raises
    :class:`~livable.errors.CRSError`. (The command line's ``--*-crs`` flags win over it.)

    >>> fc = {"type": "FeatureCollection", "features": [],
    ...       "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}}}
    >>> crs_from_geojson(fc).to_epsg()
    4547
    >>> crs_from_geojson({"type": "FeatureCollection", "features": []}) is None
    True
    """
    member = collection.get("crs")
    if member is None:
        return None
    if isinstance(member, str):
        return resolve_crs(member, source=source)
    if isinstance(member, Mapping):
        kind = str(member.get("type", "")).strip().lower()
        props = member.get("properties")
        if isinstance(props, Mapping):
            if kind == "name" and isinstance(props.get("name"), str):
                return resolve_crs(props["name"], source=source)
            code = props.get("code")
            if kind == "epsg" and isinstance(code, (int, str)) and not isinstance(code, bool):
                return resolve_crs(str(code).strip().removeprefix("EPSG:"), source=source)
        if kind == "link":
            raise CRSError(
                "linked crs members are not supported; name the CRS (e.g. 'EPSG:4547')",
                source=source,
            )
    raise CRSError(
        f"unrecognised GeoJSON crs member {show(member)}; expected "
        '{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}}',
        source=source,
    )


def _lonlat_bbox(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` of finite lon/lat, ``west <= east`` possibly beyond 180.

    Longitudes are normalised to [-180, 180); when the points straddle the antimeridian the
    tighter box in [0, 360) is used instead, so ``east`` may exceed 180.
    """
    x, y = _coords(lon, lat)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size == 0:
        raise CRSError("cannot choose a working CRS for no coordinates")
    if np.any(np.abs(y) > 90.0) or np.any((x < -180.0) | (x > 360.0)):
        raise CRSError(
            "coordinates are not WGS-84 longitude/latitude (a latitude beyond 90 or a "
            "longitude beyond -180..360); convert them with to_wgs84 first"
        )
    x = (x + 180.0) % 360.0 - 180.0
    west, east = float(x.min()), float(x.max())
    x360 = x % 360.0
    west360, east360 = float(x360.min()), float(x360.max())
    if east360 - west360 < east - west:
        west, east = west360, east360
    return west, float(y.min()), east, float(y.max())


def choose_working_crs(lon: npt.ArrayLike, lat: npt.ArrayLike) -> pyproj.CRS:
    """Return a metric CRS for WGS-84 points: the UTM zone of their bounding box's centre.

    EPSG:326zz north of the equator, EPSG:327zz south of it. Data straddling the
    antimeridian are boxed across it (174E..-178E is centred at 178E, zone 60). Non-finite
    coordinates are ignored; no finite coordinate at all raises
    :class:`~livable.errors.CRSError`, as does a latitude beyond 90 degrees.

    UTM's scale error is 0.04 % on the zone's central meridian and grows with the square of
    the distance from it: at most 0.1 % at the zone's edge (3 degrees off), 0.5 % some 7.2
    degrees off at Xi'an's latitude. A city fits in a zone; for wider extents (a whole
    province or country) distances drift, so measure it with :func:`max_scale_error` and
    warn.

    >>> choose_working_crs([108.9], [34.3]).to_epsg()  # Xi'an
    32649
    >>> choose_working_crs([151.2], [-33.9]).to_epsg()  # Sydney
    32756
    >>> choose_working_crs([178.5, -179.5], [-17.0, -16.0]).to_epsg()  # across 180
    32760
    """
    west, south, east, north = _lonlat_bbox(lon, lat)
    centre_lon = ((west + east) / 2.0 + 180.0) % 360.0 - 180.0
    centre_lat = (south + north) / 2.0
    zone = int(np.floor((centre_lon + 180.0) / 6.0)) % 60 + 1
    return pyproj.CRS.from_epsg((32600 if centre_lat >= 0.0 else 32700) + zone)


def max_scale_error(crs: pyproj.CRS, lon: npt.ArrayLike, lat: npt.ArrayLike) -> float:
    """Maximum relative scale distortion of projected ``crs`` over the data's extent.

    Evaluates pyproj's meridional and parallel scale factors (:meth:`pyproj.Proj.get_factors`)
    over the WGS-84 lon/lat bounding box of the data and returns the largest
    ``|scale - 1|``: 0.001 means a distance measured in ``crs`` can be 0.1 % off. The box is
    sampled on a regular grid of :data:`SCALE_GRID` x :data:`SCALE_GRID` points that includes
    its corners and centre: corners and centre alone miss the minimum on a transverse
    Mercator's central meridian (0.9996 for UTM) when it crosses the box. Returns ``inf`` if
    a sample is outside the projection's domain. A geographic ``crs`` raises
    :class:`~livable.errors.CRSError` (degrees have no scale).

    >>> utm49 = choose_working_crs([108.9], [34.3])
    >>> round(max_scale_error(utm49, [108.7, 109.1], [34.1, 34.5]), 5)  # 2 degrees off 111E
    0.00015
    >>> round(max_scale_error(utm49, [110.0, 112.0], [34.1, 34.5]), 5)  # across 111E
    0.0004
    >>> max_scale_error(utm49, [100.0, 109.0], [34.0, 35.0]) > 0.005
    True
    """
    if not crs.is_projected:
        raise CRSError(f"{_label(crs)} is not a projected CRS; scale error is undefined")
    west, south, east, north = _lonlat_bbox(lon, lat)
    grid_lon, grid_lat = np.meshgrid(
        np.linspace(west, east, SCALE_GRID), np.linspace(south, north, SCALE_GRID)
    )
    lons = (grid_lon.ravel() + 180.0) % 360.0 - 180.0
    factors = _proj(_wkt(crs)).get_factors(lons, grid_lat.ravel())
    scales = np.concatenate(
        [np.asarray(factors.meridional_scale), np.asarray(factors.parallel_scale)]
    )
    if not np.all(np.isfinite(scales)):
        return float("inf")
    return float(np.max(np.abs(scales - 1.0)))


def _is_metric(crs: pyproj.CRS) -> bool:
    units = {axis.unit_name.lower() for axis in crs.axis_info[:2]}
    return bool(units) and units <= {"metre", "meter", "m"}


@attrs.frozen(slots=True)
class Projector:
    """Projects WGS-84 lon/lat to a metric working CRS and back.

    Build it with :meth:`for_crs` (usually with :func:`choose_working_crs`); the two
    transformers are built once and reused. Points outside the projection's domain come out
    as ``inf`` (pyproj's convention). Equality and hashing go by the CRS.

    >>> p = Projector.for_crs(choose_working_crs([108.9], [34.3]))
    >>> p.name
    'EPSG:32649'
    >>> x, y = p.forward([108.9], [34.3])
    >>> lon, lat = p.inverse(x, y)
    >>> round(float(lon[0]), 9), round(float(lat[0]), 9)
    (108.9, 34.3)
    """

    crs: pyproj.CRS = attrs.field(validator=attrs.validators.instance_of(pyproj.CRS))
    _name: str = attrs.field(repr=False)
    _forward: pyproj.Transformer = attrs.field(eq=False, repr=False)
    _inverse: pyproj.Transformer = attrs.field(eq=False, repr=False)

    @classmethod
    def for_crs(cls, working: pyproj.CRS) -> Projector:
        """Return a projector to ``working``, a projected CRS in metres.

        A geographic or non-metric CRS raises :class:`~livable.errors.CRSError`.

        >>> Projector.for_crs(resolve_crs("EPSG:4547")).name
        'EPSG:4547'
        >>> Projector.for_crs(WGS84)
        Traceback (most recent call last):
        ...
        livable.errors.CRSError: working CRS EPSG:4326 must be projected, in metres
        """
        if not (working.is_projected and _is_metric(working)):
            raise CRSError(f"working CRS {_label(working)} must be projected, in metres")
        wkt = _wkt(working)
        wgs = _wkt(WGS84)
        return cls(working, _label(working), _transformer(wgs, wkt), _transformer(wkt, wgs))

    @property
    def name(self) -> str:
        """The working CRS as ``"EPSG:32649"`` (authority:code), else its WKT name.

        >>> Projector.for_crs(resolve_crs("+proj=tmerc +lon_0=109 +ellps=WGS84")).name
        'unknown'
        """
        return self._name

    def forward(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> Coords:
        """WGS-84 lon/lat (scalars or arrays, broadcast) to working-CRS metres ``(x, y)``.

        >>> p = Projector.for_crs(pyproj.CRS.from_epsg(32649))
        >>> x, y = p.forward(111.0, 0.0)
        >>> float(x), float(y)
        (500000.0, 0.0)
        """
        return _transform(self._forward, *_coords(lon, lat))

    def inverse(self, x: npt.ArrayLike, y: npt.ArrayLike) -> Coords:
        """Working-CRS metres ``(x, y)`` to WGS-84 ``(lon, lat)``.

        >>> p = Projector.for_crs(pyproj.CRS.from_epsg(32649))
        >>> lon, lat = p.inverse([500000.0], [0.0])
        >>> lon.tolist(), lat.tolist()
        ([111.0], [0.0])
        """
        return _transform(self._inverse, *_coords(x, y))

    def forward_geometry(self, geoms: Any) -> Any:
        """Project a shapely geometry, or a numpy array of them, from WGS-84 to the working CRS.

        Returns the same kind (a geometry or an array of the input's shape); Z values are
        kept unchanged.

        >>> p = Projector.for_crs(pyproj.CRS.from_epsg(32649))
        >>> p.forward_geometry(shapely.Point(111.0, 0.0))
        <POINT (500000 0)>
        """
        return _apply(self._forward, geoms)

    def inverse_geometry(self, geoms: Any) -> Any:
        """Unproject a shapely geometry, or an array of them, from the working CRS to WGS-84.

        >>> p = Projector.for_crs(pyproj.CRS.from_epsg(32649))
        >>> p.inverse_geometry(shapely.Point(500000.0, 0.0))
        <POINT (111 0)>
        """
        return _apply(self._inverse, geoms)


def _apply(t: pyproj.Transformer, geoms: Any) -> Any:
    def fn(x: FloatArray, y: FloatArray, *z: FloatArray) -> tuple[FloatArray, ...]:
        return (*_transform(t, x, y), *z)

    return shapely.transform(geoms, fn, include_z=None, interleaved=False)


def _check_range(
    x: FloatArray,
    y: FloatArray,
    lon: FloatArray,
    lat: FloatArray,
    crs: pyproj.CRS,
    source: str | None,
    *,
    indexed: bool,
) -> None:
    """Raise CRSError at the first finite input that did not give a valid lon/lat."""
    finite_in = np.isfinite(x) & np.isfinite(y)
    bad = finite_in & ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90.0))
    if crs.is_geographic:
        bad |= finite_in & ((np.abs(y) > 90.0) | (np.abs(x) > 360.0))
    if not bad.any():
        return
    flat = int(np.flatnonzero(bad.ravel())[0])
    px, py = float(x.ravel()[flat]), float(y.ravel()[flat])
    hint = (
        "they look projected: name their CRS"
        if crs.is_geographic
        else "check the CRS and the axis order (easting first)"
    )
    raise CRSError(
        f"coordinate ({px:.6g}, {py:.6g}) is not valid in {_label(crs)}; {hint}",
        source=source,
        index=flat if indexed and x.ndim == 1 else None,
    )


def to_wgs84(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    crs: pyproj.CRS | str | int,
    *,
    datum: Datum | str = "wgs84",
    source: str | None = None,
) -> Coords:
    """Convert coordinates in ``crs`` (and, for lon/lat, ``datum``) to WGS-84 lon/lat.

    ``x``/``y`` are easting/northing or lon/lat (``always_xy``), scalars or arrays. ``crs`` is
    a :class:`pyproj.CRS` or anything :func:`resolve_crs` accepts. ``datum`` (``"gcj02"``,
    ``"bd09"``, see :mod:`livable.geometry.datums`) is applied after the CRS step and only
    makes sense for geographic lon/lat: combining it with a projected CRS raises
    :class:`~livable.errors.CRSError`. A coordinate that is not valid in ``crs`` (a latitude
    beyond 90, a projection failure) raises it too, with ``index`` the position of the first
    such coordinate in 1-D input. CGCS2000 is taken as WGS-84 (see the module docstring).

    >>> lon, lat = to_wgs84([108.9], [34.3], "EPSG:4490")
    >>> lon.tolist(), lat.tolist()
    ([108.9], [34.3])
    >>> lon, lat = to_wgs84(116.41024449916938, 39.91640428150164, WGS84, datum="gcj02")
    >>> round(float(lon), 6), round(float(lat), 6)
    (116.404, 39.915)
    >>> to_wgs84([500000.0], [3385000.0], "EPSG:4547", datum="gcj02")
    Traceback (most recent call last):
    ...
    livable.errors.CRSError: datum 'gcj02' applies to geographic lon/lat, but EPSG:4547 is ...
    """
    return _to_wgs84(x, y, crs, datum=datum, source=source, indexed=True)


def _to_wgs84(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    crs: pyproj.CRS | str | int,
    *,
    datum: Datum | str,
    source: str | None,
    indexed: bool,
) -> Coords:
    d = parse_datum(datum, source=source)
    src = resolve_crs(crs, source=source)
    if d is not Datum.WGS84 and not src.is_geographic:
        raise CRSError(
            f"datum {d.value!r} applies to geographic lon/lat, but {_label(src)} is "
            f"{src.type_name.lower()}; use datum 'wgs84' or give lon/lat",
            source=source,
        )
    xs, ys = _coords(x, y)
    if src.equals(WGS84, ignore_axis_order=True):
        lon, lat = xs.copy(), ys.copy()
    else:
        lon, lat = _transform(_transformer(_wkt(src), _wkt(WGS84)), xs, ys)
    _check_range(xs, ys, lon, lat, src, source, indexed=indexed)
    if d is Datum.WGS84:
        return lon, lat
    return _datum_to_wgs84(lon, lat, d)


def geometry_to_wgs84(
    geoms: Any,
    crs: pyproj.CRS | str | int,
    *,
    datum: Datum | str = "wgs84",
    source: str | None = None,
) -> Any:
    """Convert a shapely geometry, or a numpy array of them, to WGS-84 lon/lat.

    Same rules as :func:`to_wgs84`; Z values are kept unchanged and the result has the
    input's kind and shape.

    >>> round(geometry_to_wgs84(shapely.Point(500000.0, 3385000.0), "EPSG:4547").x, 9)
    114.0
    """

    def fn(x: FloatArray, y: FloatArray, *z: FloatArray) -> tuple[FloatArray, ...]:
        return (*_to_wgs84(x, y, crs, datum=datum, source=source, indexed=False), *z)

    return shapely.transform(geoms, fn, include_z=None, interleaved=False)
