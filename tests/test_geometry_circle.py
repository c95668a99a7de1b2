"""The service circle's edge cases (P6.circle): centre, inside test, enlarged radius, reason."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Point, Polygon, box

import livable
from livable.geometry.circle import CIRCLE_SEGMENTS, service_circles
from livable.geometry.crs import Projector, choose_working_crs
from livable.models import Community
from livable.plugins import PluginManager
from livable.profile import load_profile
from livable.testing import facility, offset

XIAN = load_profile("xian-2020")
C_SHAPE = Polygon(
    [(0, 0), (600, 0), (600, 100), (100, 100), (100, 500), (600, 500), (600, 600), (0, 600)]
)


def test_c_shaped_community_centroid_is_outside_and_kept_by_default():
    """P6.circle: the geometric centre is kept (the plan's words) and flagged."""
    c = service_circles([C_SHAPE], XIAN)
    centroid = C_SHAPE.centroid
    assert not C_SHAPE.covers(centroid)
    assert c.center_inside.tolist() == [False]
    assert c.center_source == ("centroid",)
    assert (c.x[0], c.y[0]) == pytest.approx((centroid.x, centroid.y))


def test_c_shaped_community_inside_point_rule_moves_the_centre_inside():
    profile = XIAN.derive(center_rule="inside_point")
    c = service_circles([C_SHAPE], profile)
    assert c.center_inside.tolist() == [False]  # the centroid was outside: still reported
    assert c.center_source == ("inside_point",)
    assert C_SHAPE.covers(Point(c.x[0], c.y[0]))


def test_centroid_on_the_boundary_counts_as_inside():
    """Two squares meeting at a corner: the centroid is that corner, on the boundary."""
    bow = MultiPolygon([box(0, 0, 100, 100), box(100, 100, 200, 200)])
    c = service_circles([bow], XIAN)
    assert (c.x[0], c.y[0]) == pytest.approx((100.0, 100.0))
    assert c.center_inside.tolist() == [True]
    assert c.center_source == ("centroid",)


def test_multi_part_community_is_dispersed_when_parts_lie_apart():
    """Two parts 3 km apart: the centroid is between them and most area is outside."""
    parts = MultiPolygon([box(0, 0, 400, 400), box(3000, 0, 3400, 400)])
    c = service_circles([parts], XIAN, populations=[5000])
    assert c.center_inside.tolist() == [False]
    assert c.outside_share[0] == pytest.approx(1.0, abs=1e-9)
    assert c.dispersed.tolist() == [True]
    assert c.radius_m.tolist() == [XIAN.circle.enlarged_radius_m]
    assert c.radius_reason == ("dispersed",)


def test_multi_part_community_close_together_is_not_dispersed():
    parts = MultiPolygon([box(0, 0, 300, 300), box(400, 0, 700, 300)])
    c = service_circles([parts], XIAN)
    assert c.outside_share[0] == pytest.approx(0.0, abs=1e-9)
    assert c.radius_reason == (None,)
    assert c.radius_m.tolist() == [1200.0]


def test_point_community_is_its_own_centre_and_never_dispersed():
    c = service_circles([Point(10.0, 20.0)], XIAN, populations=[1000])
    assert (c.x[0], c.y[0]) == (10.0, 20.0)
    assert c.center_source == ("point",)
    assert c.center_inside.tolist() == [True]
    assert c.area_km2.tolist() == [0.0]
    assert c.outside_share.tolist() == [0.0]
    assert c.radius_reason == (None,)


def test_point_community_can_be_extra_large_by_population():
    c = service_circles([Point(0.0, 0.0)], XIAN, populations=[30_001])
    assert c.radius_reason == ("extra_large",)
    assert c.radius_m.tolist() == [1600.0]
    c = service_circles([Point(0.0, 0.0)], XIAN, populations=[30_000])  # "more than"
    assert c.radius_reason == (None,)


def test_extra_large_by_area_and_precedence_over_dispersed():
    big_square = box(0, 0, 1800, 1800)  # 3.24 km2 > 3 km2, corners outside 1.2 km
    c = service_circles([big_square], XIAN)
    assert c.extra_large.tolist() == [True]
    assert c.dispersed.tolist() == [c.outside_share[0] > 0.2]
    assert c.radius_reason == ("extra_large",)


def test_unknown_population_is_judged_on_area_only():
    c = service_circles([box(0, 0, 500, 500)], XIAN, populations=[None])
    assert c.radius_reason == (None,)


def test_rules_switched_off_and_no_enlargement_when_not_larger():
    off = XIAN.derive(
        circle={
            "extra_large_population": None,
            "extra_large_area_km2": None,
            "dispersed_outside_share": None,
        }
    )
    long = box(0, 0, 5000, 100)
    c = service_circles([long, Point(0, 0)], off, populations=[10**6, 10**6])
    assert c.radius_reason == (None, None)
    same = XIAN.derive(circle={"enlarged_radius_m": 1200.0})
    c = service_circles([long], same)
    assert c.dispersed.tolist() == [True]
    assert c.radius_reason == (None,)
    assert c.radius_m.tolist() == [1200.0]


@settings(max_examples=50)
@given(
    w=st.floats(10.0, 6000.0),
    h=st.floats(10.0, 6000.0),
    dx=st.floats(-3000.0, 3000.0),
)
def test_outside_share_is_a_share_and_matches_a_direct_computation(w, h, dx):
    """The dispersed measure is the area share outside the standard circle (P6.circle)."""
    geom = MultiPolygon([box(0, 0, w, h), box(w + 50 + abs(dx), 0, 2 * w + 50 + abs(dx), h)])
    c = service_circles([geom], XIAN)
    centre = Point(c.x[0], c.y[0]).buffer(1200.0, quad_segs=256)
    direct = 1 - geom.intersection(centre).area / geom.area
    # Both circles are polygons: each lies within its sagitta R(1 - cos(pi / 4n)) of the true
    # circle, and a convex part meets that band in at most sagitta x its perimeter, so the
    # shares may differ by that much (large for a 10 m box on the circle's edge)
    sagitta = sum(1200.0 * (1 - math.cos(math.pi / (4 * n))) for n in (CIRCLE_SEGMENTS, 256))
    assert 0.0 <= c.outside_share[0] <= 1.0
    assert c.outside_share[0] == pytest.approx(direct, abs=sagitta * geom.length / geom.area + 1e-9)
    assert c.dispersed[0] == (c.outside_share[0] > 0.2)


def _lonlat(geom_m, proj):
    return proj.inverse_geometry(geom_m)


def test_report_shows_centre_inside_enlarged_radius_and_reason():
    """Through the public API: center_inside, center_source, radius_m, radius_reason."""
    lon0, lat0 = 108.94, 34.26
    proj = Projector.for_crs(choose_working_crs([lon0], [lat0]))
    x0, y0 = (float(v[0]) for v in proj.forward([lon0], [lat0]))
    c_shape = shapely.affinity.translate(C_SHAPE, x0, y0)
    parts = MultiPolygon(
        [box(x0, y0 + 5000, x0 + 400, y0 + 5400), box(x0 + 3000, y0 + 5000, x0 + 3400, y0 + 5400)]
    )
    communities = [
        Community(id="c-shape", geometry=_lonlat(c_shape, proj), population=3000),
        Community(id="parts", geometry=_lonlat(parts, proj), population=3000),
        Community(id="point", geometry=Point(*offset(lon0, lat0, 0, -6000)), population=40000),
    ]
    shop = facility("s", "convenience_store", *offset(lon0, lat0, 0, -7450))
    report = livable.evaluate(communities, [shop], plugins=PluginManager(load_entry_points=False))
    data = {c["id"]: c for c in report.to_dict()["communities"]}
    assert data["c-shape"]["center_inside"] is False
    assert data["c-shape"]["center_source"] == "centroid"
    assert (data["c-shape"]["radius_m"], data["c-shape"]["radius_reason"]) == (1200.0, None)
    assert (data["parts"]["radius_m"], data["parts"]["radius_reason"]) == (1600.0, "dispersed")
    assert data["point"]["center_source"] == "point"
    assert (data["point"]["radius_m"], data["point"]["radius_reason"]) == (1600.0, "extra_large")
    # the enlarged circle counts a shop 1.45 km away; the tiers do not change
    access = data["point"]["access"]["convenience_store"]
    assert access["count_in_circle"] == 1
    assert access["count_within"]["1200"] == 0
    assert np.isclose(access["nearest_m"], 1450.0, rtol=5e-3)
