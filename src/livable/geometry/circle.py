"""Service circles (``P6.circle``): each community's centre and radius.

The centre is the area-weighted centroid of the community's (Multi)Polygon computed in the
metric working CRS (the plan's "geometric centre", 几何中心). When it falls outside the
polygon (a C-shaped or multi-part community) ``center_inside`` is false and the profile's
``center_rule`` decides: keep it (``centroid``, the plan's words) or use a point inside
(``inside_point``). A community given as a Point is its own centre. Extra-large and
dispersed communities get the profile's enlarged radius, with the reason.

>>> from shapely.geometry import box
>>> from livable.profile import load_profile
>>> c = service_circles([box(0, 0, 1000, 1000)], load_profile("xian-2020"))
>>> c.x.tolist(), c.center_inside.tolist(), c.radius_m.tolist()
([500.0], [True], [1200.0])
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from livable.profile import Profile

__all__ = ["ServiceCircles", "service_circles"]


@attrs.frozen(eq=False)
class ServiceCircles:
    """Circles of many communities as columns in the working CRS.

    ``center_source`` is ``"centroid"``, ``"inside_point"`` or ``"point"`` per community;
    ``radius_reason`` is ``None`` for the standard radius, else ``"extra_large"`` or
    ``"dispersed"``; ``outside_share`` the share of the area outside the standard circle.
    """

    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    center_inside: npt.NDArray[np.bool_]
    center_source: tuple[str, ...]
    radius_m: npt.NDArray[np.float64]
    radius_reason: tuple[str | None, ...]
    area_km2: npt.NDArray[np.float64]
    outside_share: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.x.shape[0])


def service_circles(
    geometries: Sequence[BaseGeometry] | npt.NDArray[np.object_],
    profile: Profile,
    *,
    populations: Sequence[int | None] | None = None,
) -> ServiceCircles:
    """The service circles of communities whose geometries are in the working CRS."""
    geoms = np.asarray(
        list(geometries) if not isinstance(geometries, np.ndarray) else geometries, dtype=object
    )
    n = len(geoms)
    is_point = shapely.get_type_id(geoms) == 0 if n else np.zeros(0, dtype=bool)
    centroids = shapely.centroid(geoms) if n else np.zeros(0, dtype=object)
    inside = np.ones(n, dtype=bool)
    if n:
        inside[~is_point] = shapely.contains_properly(
            geoms[~is_point], centroids[~is_point]
        ) | shapely.intersects(shapely.boundary(geoms[~is_point]), centroids[~is_point])
    centres = centroids.copy()
    sources = np.where(is_point, "point", "centroid").astype(object)
    if profile.center_rule == "inside_point":
        move = ~inside & ~is_point
        if move.any():
            centres[move] = shapely.point_on_surface(geoms[move])
            sources[move] = "inside_point"
    xy = shapely.get_coordinates(centres) if n else np.zeros((0, 2))
    area_km2 = shapely.area(geoms) / 1e6 if n else np.zeros(0)

    standard = np.full(n, profile.circle_radius_m)
    circles = shapely.buffer(centres, profile.circle_radius_m, quad_segs=32) if n else centres
    outside = np.zeros(n)
    polys = ~is_point & (area_km2 > 0)
    if polys.any():
        inter = shapely.area(shapely.intersection(geoms[polys], circles[polys]))
        outside[polys] = np.clip(1.0 - inter / shapely.area(geoms[polys]), 0.0, 1.0)

    rules = profile.circle
    pops = np.array(
        [np.nan if p is None else float(p) for p in (populations or [None] * n)], dtype=np.float64
    )
    extra_large = np.zeros(n, dtype=bool)
    if rules.extra_large_population is not None:
        extra_large |= np.nan_to_num(pops, nan=-1.0) > rules.extra_large_population
    if rules.extra_large_area_km2 is not None:
        extra_large |= area_km2 > rules.extra_large_area_km2
    dispersed = np.zeros(n, dtype=bool)
    if rules.dispersed_outside_share is not None:
        dispersed = outside > rules.dispersed_outside_share
    enlarge = (extra_large | dispersed) & (rules.enlarged_radius_m > profile.circle_radius_m)
    radius = np.where(enlarge, rules.enlarged_radius_m, standard)
    reasons: list[str | None] = [
        None if not e else ("extra_large" if xl else "dispersed")
        for e, xl in zip(enlarge.tolist(), extra_large.tolist(), strict=True)
    ]
    return ServiceCircles(
        x=xy[:, 0].copy(),
        y=xy[:, 1].copy(),
        center_inside=inside,
        center_source=tuple(str(s) for s in sources),
        radius_m=radius.astype(np.float64),
        radius_reason=tuple(reasons),
        area_km2=np.asarray(area_km2, dtype=np.float64),
        outside_share=outside,
    )
