"""Service circles (``P6.circle``): each community's centre and radius.

Centre
    The area-weighted centroid of the community's (Multi)Polygon, computed in the metric
    working CRS: the plan's "geometric centre" (几何中心). A C-shaped community, or one made
    of separate parts, can have its centroid outside itself; then ``center_inside`` is false
    (the report says so) and the profile's ``center_rule`` decides: keep the centroid
    (``centroid``, the plan's words, the default) or move the centre to a point inside the
    polygon (``inside_point``, :func:`shapely.point_on_surface`). A community given as a
    Point is its own centre (``center_source: "point"``, always inside).

Radius
    The profile's ``circle_radius_m`` (1.2 km, a 15-minute walk), or its
    ``circle.enlarged_radius_m`` (1.6 km by default) for an *extra-large* or *dispersed*
    community, which the plan allows a larger circle (特大、分散社区):

    - **extra-large** (``"extra_large"``): more residents than
      ``circle.extra_large_population`` (30,000), or an area larger than
      ``circle.extra_large_area_km2`` (3 km2). A community without a population is judged
      on its area alone; a Point community (no area) on its population alone.
    - **dispersed** (``"dispersed"``): more than ``circle.dispersed_outside_share`` (20 %)
      of the community's area lies outside the *standard* circle drawn around its centre.
      This one measure covers both ways a community is spread out: an elongated or
      C-shaped polygon reaching beyond 1.2 km, and separate parts (a MultiPolygon) lying
      apart, since every part's area outside the circle counts. A Point is never
      dispersed.

    A district may approve a radius for one community (``P6.circle``, 特大、分散社区可适当扩大):
    the community's ``radius_m`` with its ``radius_reason`` (who approved it and why)
    replaces the automatic rule (``radius_reason`` ``"approved"``; the report keeps the
    reason as ``radius_approval``), up to the profile's ``circle.approved_max_radius_m``.

    A community that is both gets ``radius_reason`` ``"extra_large"``; either rule is
    switched off by setting its threshold to ``"off"`` (``None``) in the profile, and no
    community is enlarged if ``enlarged_radius_m`` is not larger than ``circle_radius_m``.
    The circle is approximated by a 128-sided polygon for the share (area error 0.04 %).

>>> from shapely.geometry import box
>>> from livable.profile import load_profile
>>> xian = load_profile("xian-2020")
>>> c = service_circles([box(0, 0, 1000, 1000)], xian)
>>> c.x.tolist(), c.center_inside.tolist(), c.radius_m.tolist(), c.radius_reason
([500.0], [True], [1200.0], (None,))
>>> long = box(0, 0, 4000, 200)  # a 4 km strip: 40 % lies beyond the 1.2 km circle
>>> c = service_circles([long], xian)
>>> round(float(c.outside_share[0]), 2), c.radius_m.tolist(), c.radius_reason
(0.4, [1600.0], ('dispersed',))
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from livable.models import Community
from livable.profile import Profile

__all__ = ["CIRCLE_SEGMENTS", "ServiceCircles", "approved_radius", "service_circles"]

CIRCLE_SEGMENTS = 32
"""Segments per quarter circle of the polygon used to measure the area outside a circle."""


@attrs.frozen(eq=False)
class ServiceCircles:
    """Circles of many communities as columns in the working CRS (see the module docstring).

    ``center_source`` is ``"centroid"``, ``"inside_point"`` or ``"point"`` per community;
    ``radius_reason`` is ``None`` for the standard radius, else ``"extra_large"`` or
    ``"dispersed"``; ``area_km2`` the community's area; ``outside_share`` the share of
    its area outside the standard circle around its centre (0 for a Point); ``extra_large``
    and ``dispersed`` say which rules the community meets, whatever the radius.
    """

    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    center_inside: npt.NDArray[np.bool_]
    center_source: tuple[str, ...]
    radius_m: npt.NDArray[np.float64]
    radius_reason: tuple[str | None, ...]
    area_km2: npt.NDArray[np.float64]
    outside_share: npt.NDArray[np.float64]
    extra_large: npt.NDArray[np.bool_] = attrs.field(factory=lambda: np.zeros(0, dtype=bool))
    dispersed: npt.NDArray[np.bool_] = attrs.field(factory=lambda: np.zeros(0, dtype=bool))

    def __len__(self) -> int:
        return int(self.x.shape[0])


def approved_radius(community: Community) -> float | None:
    """The radius a district approved for the community (its ``radius_m`` attribute, read
    with its ``radius_reason``), or ``None``.

    >>> from livable.testing import community
    >>> c = community("c1", 108.94, 34.26)
    >>> approved_radius(c) is None
    True
    >>> approved_radius(attrs.evolve(c, attributes={"radius_m": 1800, "radius_reason": "批准"}))
    1800.0
    """
    value = community.attributes.get("radius_m")
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def service_circles(
    geometries: Sequence[BaseGeometry] | npt.NDArray[np.object_],
    profile: Profile,
    *,
    populations: Sequence[int | None] | None = None,
    approved: Sequence[float | None] | None = None,
) -> ServiceCircles:
    """The service circles (``P6.circle``) of communities whose geometries are in the
    working CRS (metres); ``populations`` are their residents (``None`` unknown);
    ``approved`` the radii a district approved (``None``: the automatic rule).

    >>> from shapely.geometry import Point, box
    >>> from livable.profile import load_profile
    >>> two_parts = box(0, 0, 300, 300).union(box(2700, 0, 3000, 300))
    >>> c = service_circles([two_parts, Point(0, 0)], load_profile("xian-2020"),
    ...                     populations=[4000, 45000])
    >>> c.center_inside.tolist(), c.center_source, c.radius_reason
    ([False, True], ('centroid', 'point'), ('dispersed', 'extra_large'))
    >>> c = service_circles([box(0, 0, 100, 100)], load_profile("xian-2020"), approved=[1900.0])
    >>> c.radius_m.tolist(), c.radius_reason
    ([1900.0], ('approved',))
    """
    geoms = np.asarray(
        list(geometries) if not isinstance(geometries, np.ndarray) else geometries, dtype=object
    )
    n = len(geoms)
    is_point = shapely.get_type_id(geoms) == 0 if n else np.zeros(0, dtype=bool)
    centroids = shapely.centroid(geoms) if n else np.zeros(0, dtype=object)
    inside = np.ones(n, dtype=bool)
    if n:
        inside[~is_point] = shapely.covers(geoms[~is_point], centroids[~is_point])
    centres = centroids.copy()
    sources = np.where(is_point, "point", "centroid").astype(object)
    if profile.center_rule == "inside_point":
        move = ~inside & ~is_point
        if move.any():
            centres[move] = shapely.point_on_surface(geoms[move])
            sources[move] = "inside_point"
    xy = shapely.get_coordinates(centres) if n else np.zeros((0, 2))
    area_km2 = shapely.area(geoms) / 1e6 if n else np.zeros(0)

    outside = np.zeros(n)
    polys = ~is_point & (area_km2 > 0)
    if polys.any():
        circles = shapely.buffer(centres[polys], profile.circle_radius_m, quad_segs=CIRCLE_SEGMENTS)
        inter = shapely.area(shapely.intersection(geoms[polys], circles))
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
    radius = np.where(enlarge, rules.enlarged_radius_m, profile.circle_radius_m)
    reasons: list[str | None] = [
        None if not e else ("extra_large" if xl else "dispersed")
        for e, xl in zip(enlarge.tolist(), extra_large.tolist(), strict=True)
    ]
    for i, value in enumerate(approved or ()):
        if value is not None:
            radius[i] = value
            reasons[i] = "approved"
    return ServiceCircles(
        x=xy[:, 0].copy(),
        y=xy[:, 1].copy(),
        center_inside=inside,
        center_source=tuple(str(s) for s in sources),
        radius_m=radius.astype(np.float64),
        radius_reason=tuple(reasons),
        area_km2=np.asarray(area_km2, dtype=np.float64),
        outside_share=outside,
        extra_large=extra_large,
        dispersed=dispersed,
    )
