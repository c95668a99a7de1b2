"""Helpers for tests and plugin authors: small communities and facilities in one line.

>>> from livable.testing import community, facility
>>> community("c1", 108.94, 34.26, population=3000).population
3000
>>> facility("f1", "clinic", 108.95, 34.26).type
'clinic'
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import shapely

from livable.models import FACILITY_TYPES, Community, Facility

if TYPE_CHECKING:
    from livable.indicators.base import CommunityContext
    from livable.profile import Profile

__all__ = ["community", "context", "facility", "offset"]

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


def context(
    *,
    profile: str | Profile = "xian-2020",
    population: int | None = None,
    counts: dict[str, int] | None = None,
    nearest_m: dict[str, float] | None = None,
    **attributes: Any,
) -> CommunityContext:
    """A :class:`~livable.indicators.CommunityContext` without geometry, for indicator tests.

    ``counts`` sets facilities in the circle per type (all within the smallest tier),
    ``nearest_m`` the nearest distance per type (default: ``None``, none within reach, for
    types without a count; 0 m for types with one); other keywords become community
    attributes.

    >>> from livable.indicators.builtin import CommunityWorkers
    >>> CommunityWorkers().evaluate(context(population=5000, community_workers=10)).value
    2.0
    """
    from livable.indicators.base import CommunityContext
    from livable.profile import load_profile
    from livable.report import TypeAccess

    prof = load_profile(profile)
    counts = counts or {}
    nearest = nearest_m or {}
    access = {}
    for type_id, ftype in FACILITY_TYPES.items():
        n = counts.get(type_id, 0)
        near = nearest.get(type_id, 0.0 if n else None)
        access[type_id] = TypeAccess(
            facility_type=type_id,
            category=ftype.category,
            nearest_m=near,
            count_within={round(t): n for t in prof.tier_distances_m},
            count_in_circle=n,
        )
    comm = Community(
        id="test",
        geometry=shapely.Point(108.94, 34.26),
        population=population,
        attributes=attributes,
    )
    return CommunityContext(
        community=comm,
        profile=prof,
        size_class=prof.size_class_of(population),
        radius_m=prof.circle_radius_m,
        access=access,
        facility_types=FACILITY_TYPES,
    )
