"""Helpers for tests and plugin authors: small communities and facilities in one line.

>>> from livable.testing import community, facility
>>> community("c1", 108.94, 34.26, population=3000).population
3000
>>> facility("f1", "clinic", 108.95, 34.26).type
'clinic'
"""

from __future__ import annotations

import math
from typing import Any

import shapely

from livable.models import Community, Facility

__all__ = ["community", "facility", "offset"]

_EARTH_M_PER_DEG_LAT = 110_574.0


def offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The lon/lat ``east_m`` metres east and ``north_m`` north of a point.

    A local equirectangular approximation (good to about 0.1 % within a few km), for
    placing test facilities at roughly known distances.

    >>> lon, lat = offset(108.94, 34.26, 0.0, 110_574.0)
    >>> round(lat - 34.26, 6)
    1.0
    """
    dlat = north_m / _EARTH_M_PER_DEG_LAT
    dlon = east_m / (111_320.0 * math.cos(math.radians(lat)))
    return lon + dlon, lat + dlat


def community(
    id: str,
    lon: float,
    lat: float,
    *,
    size_m: float | None = None,
    **properties: Any,
) -> Community:
    """A community at lon/lat: a Point, or a square ``size_m`` metres across around it.

    Extra keyword arguments become ``name``, ``population``, ``district``, ... or
    attributes (``green_ratio=0.4``).
    """
    if size_m is None:
        geom = shapely.Point(lon, lat)
    else:
        x0, y0 = offset(lon, lat, -size_m / 2, -size_m / 2)
        x1, y1 = offset(lon, lat, size_m / 2, size_m / 2)
        geom = shapely.box(x0, y0, x1, y1)
    fields = {
        k: properties.pop(k)
        for k in list(properties)
        if k in ("name", "population", "district", "subdistrict", "zone")
    }
    return Community(id=id, geometry=geom, attributes=properties, **fields)


def facility(id: str, type: str, lon: float, lat: float, **properties: Any) -> Facility:
    """A point facility of a type at lon/lat; ``name``, ``brand``, ``quality`` or attributes."""
    fields = {k: properties.pop(k) for k in list(properties) if k in ("name", "brand", "quality")}
    return Facility(
        id=id, type=type, geometry=shapely.Point(lon, lat), attributes=properties, **fields
    )
