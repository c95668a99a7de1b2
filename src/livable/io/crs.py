"""Coordinate reference systems of inputs: naming them, and converting input coordinates
(in any CRS and, for lon/lat, any Chinese map datum) to WGS-84 lon/lat.

Reading coordinates into WGS-84 is an input concern: the readers of :mod:`livable.io` call
:func:`resolve_crs` on what the caller names (or :func:`crs_from_geojson` on the file's
legacy ``crs`` member) and convert every coordinate with :func:`to_wgs84` or
:func:`geometry_to_wgs84`. The metric side (the working CRS in which the service circle
``P6.circle`` and the walk tiers ``P6.tiers`` are measured) is
:mod:`livable.geometry.crs`.

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

import numpy as np
import numpy.typing as npt
import pyproj
import pyproj.exceptions
import shapely

from livable._text import show
from livable.errors import CRSError
from livable.io.datums import Datum, parse_datum
from livable.io.datums import to_wgs84 as _datum_to_wgs84

__all__ = [
    "WGS84",
    "crs_from_geojson",
    "crs_label",
    "geometry_to_wgs84",
    "resolve_crs",
    "to_wgs84",
]

FloatArray = npt.NDArray[np.float64]
Coords = tuple[FloatArray, FloatArray]

WGS84: pyproj.CRS = pyproj.CRS.from_epsg(4326)
"""WGS-84 geographic lon/lat (EPSG:4326), the CRS every input is converted to."""

_CRS_HINT = (
    "give an EPSG code (4490, 'EPSG:4547'), an OGC URN ('urn:ogc:def:crs:EPSG::4547'), "
    "WKT or a PROJ string"
)


@functools.lru_cache(maxsize=128)
def _to_wgs84_transformer(src_wkt: str) -> pyproj.Transformer:
    """A cached ``always_xy`` transformer from a CRS given as WKT to WGS-84."""
    return pyproj.Transformer.from_crs(src_wkt, WGS84.to_wkt(), always_xy=True)


def crs_label(crs: pyproj.CRS) -> str:
    """``"EPSG:32649"``-style authority string, else the CRS's name.

    >>> crs_label(resolve_crs(4547)), crs_label(pyproj.CRS("+proj=tmerc +lon_0=109"))
    ('EPSG:4547', 'unknown')
    """
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
        f"coordinate ({px:.6g}, {py:.6g}) is not valid in {crs_label(crs)}; {hint}",
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
    ``"bd09"``, see :mod:`livable.io.datums`) is applied after the CRS step and only
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
            f"datum {d.value!r} applies to geographic lon/lat, but {crs_label(src)} is "
            f"{src.type_name.lower()}; use datum 'wgs84' or give lon/lat",
            source=source,
        )
    a, b = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
    xs, ys = np.array(a, dtype=np.float64), np.array(b, dtype=np.float64)
    if src.equals(WGS84, ignore_axis_order=True) or xs.size == 0:
        lon, lat = xs.copy(), ys.copy()
    else:
        lon, lat = _to_wgs84_transformer(src.to_wkt()).transform(xs, ys)
        lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
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
