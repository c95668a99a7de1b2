"""The metric working CRS: choosing it for the data, measuring its scale error, and
projecting WGS-84 lon/lat to it and back.

The engine's data flow (``DESIGN.md``, "Engine shape") is: inputs are read in whatever CRS
and datum the caller names and converted to WGS-84 lon/lat (an input concern:
:mod:`livable.io.crs`) -> a metric working CRS chosen for the data
(:func:`choose_working_crs`) in which the service circle's centre and radius
(``P6.circle``) and the walk tiers (``P6.tiers``) are measured (:class:`Projector`).
Output coordinates go back to WGS-84.

Every transformation goes through :class:`pyproj.Transformer` built with
``always_xy=True`` and cached, keyed by the CRSs' WKT.

``resolve_crs``, ``crs_from_geojson``, ``to_wgs84`` and ``geometry_to_wgs84`` lived here in
livable 0.1; they moved to :mod:`livable.io.crs` and, imported from here, still work with a
:class:`DeprecationWarning` (removed in 0.3).

>>> p = Projector.for_crs(choose_working_crs([108.9], [34.3]))
>>> x, y = p.forward([108.9], [34.3])
>>> round(float(x[0])), round(float(y[0]))
(306738, 3797417)
"""

from __future__ import annotations

import functools
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyproj
import pyproj.exceptions
import shapely

from livable._moved import moved_name
from livable._utm import lonlat_bbox, utm_epsg
from livable.errors import CRSError

__all__ = [
    "SCALE_GRID",
    "WGS84",
    "Projector",
    "choose_working_crs",
    "max_scale_error",
]

FloatArray = npt.NDArray[np.float64]
Coords = tuple[FloatArray, FloatArray]

WGS84: pyproj.CRS = pyproj.CRS.from_epsg(4326)
"""WGS-84 geographic lon/lat (EPSG:4326), the CRS of every output coordinate."""

SCALE_GRID = 21
"""Samples per side of the grid on which :func:`max_scale_error` evaluates scale factors."""

_MOVED_TO_IO = frozenset({"crs_from_geojson", "geometry_to_wgs84", "resolve_crs", "to_wgs84"})
"""Names of livable 0.1's ``livable.geometry.crs`` that moved to :mod:`livable.io.crs`."""


def __getattr__(name: str) -> Any:
    """The deprecated 0.1 names (:data:`_MOVED_TO_IO`): warn, and give the io object."""
    if name not in _MOVED_TO_IO:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    moved_name(__name__, name, "livable.io.crs")
    from livable.io import crs as io_crs  # the deprecated alias (ignore_imports in the contract)

    return getattr(io_crs, name)


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
    return pyproj.CRS.from_epsg(utm_epsg(lon, lat))


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
    west, south, east, north = lonlat_bbox(lon, lat)
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

        >>> Projector.for_crs(pyproj.CRS.from_epsg(4547)).name
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

        >>> Projector.for_crs(pyproj.CRS("+proj=tmerc +lon_0=109 +ellps=WGS84")).name
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
