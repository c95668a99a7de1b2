"""Distance providers: how far each facility is from each circle centre.

A provider is an object with a ``name`` and a ``measure(origins, facilities, query)``
method returning an :class:`~livable.geometry.access.AccessTable`. Providers are made by
factories registered through the ``livable_distance_providers`` hook; the built-in ones
are ``euclidean`` (straight lines in the metric working CRS) and ``geodesic`` (on the
WGS84 ellipsoid with :class:`pyproj.Geod`).

>>> import numpy as np
>>> from livable.geometry.access import AccessQuery, FacilityColumns, Origins
>>> fac = FacilityColumns(x=[300.0, 900.0], y=[400.0, 0.0], type_codes=[0, 0],
...                       type_ids=("clinic",))
>>> q = AccessQuery(type_ids=("clinic",), tier_radii_m=(400.0, 800.0, 1200.0),
...                 circle_radii_m=[1200.0], search_radius_m=3000.0, k=3)
>>> t = EuclideanProvider().measure(Origins([0.0], [0.0]), fac, q)
>>> float(t.nearest_m[0, 0]), t.count_within[0, 0].tolist()
(500.0, [0, 1, 2])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs
import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from livable.geometry.access import (
    AccessQuery,
    AccessTable,
    FacilityColumns,
    FloatArray,
    IntArray,
    Origins,
)
from livable.geometry.points import PointTrees
from livable.geometry.proximity import PairMetric, area_pairs, proximity_table

__all__ = [
    "DetailProvider",
    "DistanceProvider",
    "EuclideanProvider",
    "GeodesicProvider",
    "IsochroneProvider",
    "ProviderFactory",
    "candidate_pairs",
]


@runtime_checkable
class DistanceProvider(Protocol):
    """What the engine needs of a distance provider."""

    @property
    def name(self) -> str:
        """The provider's name, recorded as ``distance`` in the report."""
        ...

    def measure(
        self, origins: Origins, facilities: FacilityColumns, query: AccessQuery
    ) -> AccessTable:
        """Distances from every origin to the facilities, aggregated per type."""
        ...


@runtime_checkable
class IsochroneProvider(Protocol):
    """A provider that can also draw walking isochrones (optional; the engine asks for
    them when a provider has this method, e.g. ``network``)."""

    def isochrones(
        self, origins: Origins, radii_m: Sequence[float]
    ) -> Sequence[Mapping[int, BaseGeometry] | None]:
        """Per origin, the area (WGS84) reachable within each radius, keyed by whole metres
        (``None``: not drawn)."""
        ...


@runtime_checkable
class DetailProvider(Protocol):
    """A provider that reports facts about its distances (optional): per origin, kept as
    ``details`` of each community, and for the whole run, kept as the report's
    ``details``."""

    def origin_details(self, origins: Origins) -> Sequence[Mapping[str, Any]]:
        """JSON-ready facts per origin (e.g. the network snap length ``snap_m``)."""
        ...

    def report_details(self, facility_ids: Sequence[Any] | None = None) -> Mapping[str, Any]:
        """JSON-ready facts about the run (e.g. facilities too far from any street)."""
        ...


ProviderFactory = Callable[..., DistanceProvider]
"""A callable returning a provider; called with keyword arguments ``profile``,
``projector``, ``streets`` (``None`` unless the caller gave streets), ``streets_crs``,
``streets_datum`` and ``strict``; it should accept ``**kwargs`` for options added later."""


def candidate_pairs(
    origins: Origins, facilities: FacilityColumns, radius: float
) -> tuple[IntArray, IntArray, FloatArray]:
    """Every (origin, facility) pair within ``radius`` metres, with exact euclidean distances.

    Points come from one bulk k-d tree search
    (:class:`~livable.geometry.points.PointTrees`), areas from the R-tree with
    :func:`shapely.distance` to their nearest edge point (0 inside). For providers that
    need every pair (a street network); the built-in ones use
    :func:`~livable.geometry.proximity.proximity_table`, which does not list them.

    >>> fac = FacilityColumns(x=[300.0, 900.0], y=[400.0, 0.0], type_codes=[0, 0],
    ...                       type_ids=("clinic",))
    >>> o, f, d = candidate_pairs(Origins([0.0], [0.0]), fac, 600.0)
    >>> o.tolist(), f.tolist(), d.tolist()
    ([0], [0], [500.0])
    """
    is_area = facilities.area_mask
    pidx = np.flatnonzero(~is_area)
    points = PointTrees(
        facilities.x[pidx],
        facilities.y[pidx],
        facilities.type_codes[pidx],
        n_types=max(len(facilities.type_ids), 1),
    )
    n = len(origins)
    o, f, d = points.pairs_within(origins.x, origins.y, np.full(n, float(radius)))
    f = pidx[f]
    if facilities.areas is not None and is_area.any():
        ao, af, ad = area_pairs(
            origins.x,
            origins.y,
            np.full(n, float(radius)),
            facilities.areas,
            np.flatnonzero(is_area),
        )
        o, f, d = np.r_[o, ao], np.r_[f, af], np.r_[d, ad]
    return o, f, d


@attrs.frozen
class EuclideanProvider:
    """Straight-line distance in the metric working CRS (the default).

    Within a UTM zone the scale error stays below 0.1 % near the central meridian and
    about 0.04 % at a zone's edge, well inside the 0.5 % the project guarantees. The pass
    is :func:`~livable.geometry.proximity.proximity_table`: exact, in bulk, and without
    listing every pair within the search radius.
    """

    name: str = "euclidean"

    def measure(
        self, origins: Origins, facilities: FacilityColumns, query: AccessQuery
    ) -> AccessTable:
        """See :class:`DistanceProvider`."""
        return proximity_table(origins, facilities, query)


@attrs.frozen
class GeodesicProvider:
    """Geodesic distance on the WGS84 ellipsoid (:class:`pyproj.Geod`), no projection error.

    The search runs in the working CRS: a facility whose planar distance is farther from a
    radius than the projection's scale error (measured over the data, times three, at
    least 1 %) is decided on it; the others, and every distance reported, are computed on
    the ellipsoid between WGS84 positions. Area facilities are measured to their nearest
    edge point found in the working CRS (0 inside).

    >>> import numpy as np, pyproj
    >>> from livable.geometry.crs import Projector
    >>> p = Projector.for_crs(pyproj.CRS.from_epsg(32649))
    >>> x, y = p.forward([108.94, 108.95], [34.26, 34.26])
    >>> fac = FacilityColumns(x=x[1:], y=y[1:], type_codes=[0], type_ids=("clinic",))
    >>> q = AccessQuery(type_ids=("clinic",), tier_radii_m=(1200.0,),
    ...                 circle_radii_m=[1200.0], search_radius_m=3000.0, k=1)
    >>> t = GeodesicProvider(inverse=p.inverse).measure(Origins(x[:1], y[:1]), fac, q)
    >>> round(float(t.nearest_m[0, 0]), 3) == round(pyproj.Geod(ellps="WGS84").inv(
    ...     108.94, 34.26, 108.95, 34.26)[2], 3)
    True
    """

    inverse: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]]
    """Working CRS x, y to WGS84 lon, lat (``Projector.inverse``)."""
    name: str = "geodesic"

    def slack(self, origins: Origins, reach_m: float) -> float:
        """A bound on ``|geodesic / planar - 1|`` around the origins (see the class)."""
        ok = np.isfinite(origins.x) & np.isfinite(origins.y)
        if not ok.any():
            return 0.01
        x0, x1 = origins.x[ok].min() - reach_m, origins.x[ok].max() + reach_m
        y0, y1 = origins.y[ok].min() - reach_m, origins.y[ok].max() + reach_m
        mx, my = np.meshgrid(np.linspace(x0, x1, 9), np.linspace(y0, y1, 9))
        gx, gy = mx.ravel(), my.ravel()
        step = 500.0
        angles = np.radians([0.0, 45.0, 90.0, 135.0])
        ex = (gx[:, None] + step * np.cos(angles)).ravel()
        ey = (gy[:, None] + step * np.sin(angles)).ravel()
        lon1, lat1 = self.inverse(np.repeat(gx, 4), np.repeat(gy, 4))
        lon2, lat2 = self.inverse(ex, ey)
        _, _, g = _GEOD.inv(lon1, lat1, lon2, lat2)
        err = float(np.nanmax(np.abs(np.asarray(g) / step - 1.0)))
        if not np.isfinite(err):
            raise ValueError("the working CRS cannot be inverted around the communities")
        return max(0.01, 3.0 * err)

    def measure(
        self, origins: Origins, facilities: FacilityColumns, query: AccessQuery
    ) -> AccessTable:
        """See :class:`DistanceProvider`."""
        slack = self.slack(origins, query.max_radius_m)
        olon, olat = self.inverse(origins.x, origins.y)

        def points(o: IntArray, f: IntArray, planar: FloatArray) -> FloatArray:
            lon, lat = self.inverse(facilities.x[f], facilities.y[f])
            _, _, d = _GEOD.inv(olon[o], olat[o], lon, lat)
            return np.where(planar == 0.0, 0.0, np.asarray(d, dtype=np.float64))

        def areas(o: IntArray, f: IntArray, planar: FloatArray) -> FloatArray:
            assert facilities.areas is not None
            pts = shapely.points(origins.x[o], origins.y[o])
            near = shapely.shortest_line(pts, facilities.areas[f])
            ends = shapely.get_coordinates(shapely.get_point(near, 1))
            lon, lat = self.inverse(ends[:, 0], ends[:, 1])
            _, _, d = _GEOD.inv(olon[o], olat[o], lon, lat)
            return np.where(planar == 0.0, 0.0, np.asarray(d, dtype=np.float64))

        metric = PairMetric(slack=slack, points=points, areas=areas)
        return proximity_table(origins, facilities, query, metric=metric)


_GEOD = pyproj.Geod(ellps="WGS84")


def euclidean_factory(**_: Any) -> DistanceProvider:
    """Factory of the ``euclidean`` provider.

    >>> euclidean_factory().name
    'euclidean'
    """
    return EuclideanProvider()


def geodesic_factory(*, projector: Any, **_: Any) -> DistanceProvider:
    """Factory of the ``geodesic`` provider.

    >>> import pyproj
    >>> from livable.geometry.crs import Projector
    >>> geodesic_factory(projector=Projector.for_crs(pyproj.CRS.from_epsg(32649))).name
    'geodesic'
    """
    return GeodesicProvider(inverse=projector.inverse)
