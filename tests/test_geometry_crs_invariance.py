"""The same places give the same results whatever coordinate system they come in.

Through the public :func:`livable.evaluate` (and the command line): the same communities
and facilities given in WGS84, in CGCS2000 (EPSG:4490), in a CGCS2000 Gauss-Kruger zone
(EPSG:4534-4554, also through the legacy GeoJSON ``crs`` member), and as GCJ-02 / BD-09
map-vendor points converted back, give the same grades and distances to 0.5 % (P4,
P6.circle, P6.tiers). Distances agree with :class:`pyproj.Geod` to 0.5 % across a whole
city, also for a city spanning a UTM zone border.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import livable
from livable import FACILITY_TYPES
from livable.cli import main as cli_main
from livable.io.datums import wgs84_to_bd09, wgs84_to_gcj02
from livable.io.synthetic import synthetic_city
from livable.plugins import PluginManager
from livable.testing import offset

GEOD = pyproj.Geod(ellps="WGS84")
TOLERANCE = 0.005
TYPES = tuple(FACILITY_TYPES)


def gk_zone(lon: float) -> int:
    """The CGCS2000 3-degree Gauss-Kruger zone (EPSG:4534-4554) whose meridian is nearest."""
    return 4534 + round((lon - 75.0) / 3.0)


def city_features(lon: float, lat: float, seed: int, n_comm: int = 3, n_fac: int = 60):
    """Communities (squares) and facilities in WGS84 lon/lat around a point."""
    rng = np.random.default_rng(seed)
    comms = []
    for i in range(n_comm):
        cx, cy = offset(lon, lat, *rng.uniform(-1500, 1500, 2))
        half = rng.uniform(100, 450)
        x0, y0 = offset(cx, cy, -half, -half)
        x1, y1 = offset(cx, cy, half, half)
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        comms.append((f"c{i}", ring, int(rng.integers(500, 20000))))
    facs = []
    for j in range(n_fac):
        x, y = offset(lon, lat, *rng.uniform(-3500, 3500, 2))
        facs.append((f"f{j}", TYPES[int(rng.integers(0, len(TYPES)))], x, y))
    return comms, facs


def collection(features, crs_name: str | None = None):
    fc = {"type": "FeatureCollection", "features": features}
    if crs_name is not None:
        fc["crs"] = {"type": "name", "properties": {"name": crs_name}}
    return fc


def community_fc(comms, transform=None, crs_name=None):
    feats = []
    for cid, ring, pop in comms:
        coords = ring
        if transform is not None:
            xs, ys = transform([p[0] for p in ring], [p[1] for p in ring])
            coords = [[float(a), float(b)] for a, b in zip(xs, ys, strict=True)]
        feats.append(
            {
                "type": "Feature",
                "properties": {"id": cid, "population": pop},
                "geometry": {"type": "Polygon", "coordinates": [coords]},
            }
        )
    return collection(feats, crs_name)


def facility_fc(facs, transform=None, crs_name=None):
    feats = []
    for fid, ftype, x, y in facs:
        if transform is not None:
            xs, ys = transform([x], [y])
            x, y = float(np.asarray(xs)[0]), float(np.asarray(ys)[0])
        feats.append(
            {
                "type": "Feature",
                "properties": {"id": fid, "type": ftype},
                "geometry": {"type": "Point", "coordinates": [x, y]},
            }
        )
    return collection(feats, crs_name)


def run(
    comm_fc,
    fac_fc,
    *,
    communities_crs=None,
    facilities_crs=None,
    communities_datum="wgs84",
    facilities_datum="wgs84",
    **kw,
):
    return livable.evaluate(
        livable.LayerSpec(comm_fc, crs=communities_crs, datum=communities_datum),
        livable.LayerSpec(fac_fc, crs=facilities_crs, datum=facilities_datum),
        plugins=PluginManager(load_entry_points=False),
        **kw,
    )


def band_count(center, facs, ftype, radius):
    """Facilities of a type whose geodesic distance is within 0.5 % of ``radius``."""
    pts = [(x, y) for _, t, x, y in facs if t == ftype]
    if not pts:
        return 0
    lon = np.array([p[0] for p in pts])
    lat = np.array([p[1] for p in pts])
    _, _, d = GEOD.inv(np.full(lon.size, center[0]), np.full(lon.size, center[1]), lon, lat)
    return int((np.abs(np.asarray(d) - radius) <= TOLERANCE * radius + 0.5).sum())


def assert_same_results(base, other, facs):
    assert [c.id for c in base.communities] == [c.id for c in other.communities]
    ambiguous = False
    for a, b in zip(base.communities, other.communities, strict=True):
        assert a.radius_m == b.radius_m
        assert math.dist(a.center, b.center) < 1e-6  # degrees: about 0.1 m
        for ea, eb in zip(a.access, b.access, strict=True):
            if ea.nearest_m is None or eb.nearest_m is None:
                assert ea.nearest_m == eb.nearest_m or ambiguous_search(ea, eb)
            else:
                assert eb.nearest_m == pytest.approx(ea.nearest_m, rel=TOLERANCE, abs=0.5)
            radii = [*ea.count_within, a.radius_m]
            counts_a = [*ea.count_within.values(), ea.count_in_circle]
            counts_b = [*eb.count_within.values(), eb.count_in_circle]
            for r, ca, cb in zip(radii, counts_a, counts_b, strict=True):
                band = band_count(a.center, facs, ea.facility_type, float(r))
                assert abs(ca - cb) <= band
                ambiguous |= band > 0
    if not ambiguous:
        assert [c.grade for c in base.communities] == [c.grade for c in other.communities]


def ambiguous_search(ea, eb):
    """A nearest facility right at the search radius may be found in one run only."""
    found = ea.nearest_m if ea.nearest_m is not None else eb.nearest_m
    return found is not None and found >= 3000.0 * (1 - TOLERANCE)


CITIES = (  # from the far west to the far north-east of China
    (76.0, 39.5),  # Kashgar
    (87.6, 43.8),  # Urumqi
    (91.1, 29.65),  # Lhasa
    (102.7, 25.0),  # Kunming
    (104.1, 30.7),  # Chengdu
    (108.94, 34.26),  # Xi'an
    (110.3, 20.0),  # Haikou
    (111.7, 40.8),  # Hohhot
    (113.3, 23.1),  # Guangzhou
    (116.4, 39.9),  # Beijing
    (120.15, 30.27),  # Hangzhou
    (126.6, 45.8),  # Harbin
    (122.5, 52.9),  # Mohe
)


@settings(max_examples=10)
@given(
    city=st.sampled_from(CITIES),
    dlon=st.floats(-0.25, 0.25),
    dlat=st.floats(-0.25, 0.25),
    seed=st.integers(0, 2**32 - 1),
)
def test_results_do_not_depend_on_the_input_crs(city, dlon, dlat, seed):
    """WGS84, EPSG:4490, a CGCS2000 GK zone (flag or legacy crs member), GCJ-02 and BD-09,
    anywhere in China (CGCS2000 and its zones are defined over China only)."""
    lon, lat = city[0] + dlon, city[1] + dlat
    comms, facs = city_features(lon, lat, seed)
    base = run(community_fc(comms), facility_fc(facs))
    assert len(base.communities) == 3

    cgcs = run(
        community_fc(comms), facility_fc(facs), communities_crs="EPSG:4490", facilities_crs=4490
    )
    assert_same_results(base, cgcs, facs)

    zone = gk_zone(lon)
    to_gk = pyproj.Transformer.from_crs(4326, zone, always_xy=True).transform
    gk = run(
        community_fc(comms, to_gk),
        facility_fc(facs, to_gk),
        communities_crs=f"EPSG:{zone}",
        facilities_crs=f"EPSG:{zone}",
    )
    assert_same_results(base, gk, facs)
    legacy = run(
        community_fc(comms, to_gk, f"urn:ogc:def:crs:EPSG::{zone}"),
        facility_fc(facs, to_gk, f"urn:ogc:def:crs:EPSG::{zone}"),
    )
    assert_same_results(base, legacy, facs)

    # a new user's case: CGCS2000 GK polygons and GCJ-02 (Amap) or BD-09 (Baidu) points
    gcj = run(
        community_fc(comms, to_gk),
        facility_fc(facs, wgs84_to_gcj02),
        communities_crs=f"EPSG:{zone}",
        facilities_datum="gcj02",
    )
    assert_same_results(base, gcj, facs)
    bd = run(
        community_fc(comms, wgs84_to_gcj02),
        facility_fc(facs, wgs84_to_bd09),
        communities_datum="gcj02",
        facilities_datum="bd09",
    )
    assert_same_results(base, bd, facs)


def test_command_line_gcj02_points_and_cgcs2000_polygons(tmp_path):
    """``livable evaluate --communities-crs EPSG:4545 --facilities-datum gcj02``."""
    lon, lat = 108.94, 34.26
    comms, facs = city_features(lon, lat, seed=11, n_comm=4, n_fac=150)
    to_gk = pyproj.Transformer.from_crs(4326, 4545, always_xy=True).transform
    files = {
        "c84.geojson": community_fc(comms),
        "f84.geojson": facility_fc(facs),
        "cgk.geojson": community_fc(comms, to_gk),
        "fgcj.geojson": facility_fc(facs, wgs84_to_gcj02),
    }
    for name, fc in files.items():
        (tmp_path / name).write_text(json.dumps(fc), encoding="utf-8")
    base_out, other_out = tmp_path / "base.json", tmp_path / "other.json"
    assert (
        cli_main(
            [
                "evaluate",
                "--communities",
                str(tmp_path / "c84.geojson"),
                "--facilities",
                str(tmp_path / "f84.geojson"),
                "--quiet",
                "--out",
                str(base_out),
            ]
        )
        == 0
    )
    assert (
        cli_main(
            [
                "evaluate",
                "--communities",
                str(tmp_path / "cgk.geojson"),
                "--communities-crs",
                "EPSG:4545",
                "--facilities",
                str(tmp_path / "fgcj.geojson"),
                "--facilities-datum",
                "gcj02",
                "--quiet",
                "--out",
                str(other_out),
            ]
        )
        == 0
    )
    base = json.loads(base_out.read_text(encoding="utf-8"))
    other = json.loads(other_out.read_text(encoding="utf-8"))
    assert base["working_crs"] == other["working_crs"] == "EPSG:32649"
    for a, b in zip(base["communities"], other["communities"], strict=True):
        assert (a["id"], a["grade"]) == (b["id"], b["grade"])
        for t, acc in a["access"].items():
            assert acc["count_within"] == b["access"][t]["count_within"]
            if acc["nearest_m"] is not None:
                assert b["access"][t]["nearest_m"] == pytest.approx(acc["nearest_m"], abs=0.2)


def nearest_errors(report):
    """Relative differences of every listed nearest distance from pyproj.Geod."""
    errors = []
    for c in report.communities:
        for access in c.access:
            for f in access.nearest:
                _, _, g = GEOD.inv(c.center[0], c.center[1], f.lon, f.lat)
                if g > 1.0:
                    errors.append(abs(f.distance_m / g - 1.0))
    return np.array(errors)


def test_distances_match_the_geodesic_across_a_whole_city():
    """A 60 km city: every listed distance is within 0.5 % of pyproj.Geod (in fact 0.1 %)."""
    city = synthetic_city(40, 4000, seed=5, extent_km=60.0)
    report = run(city.community_layer(), city.facility_layer())
    errors = nearest_errors(report)
    assert errors.size > 1000
    assert errors.max() < 0.001


@pytest.mark.parametrize("working_crs", [None, "EPSG:32648", "EPSG:32649"])
def test_city_spanning_a_utm_zone_border(working_crs):
    """108E splits UTM zones 48 and 49: distances stay within 0.5 % of the geodesic on both
    sides whichever zone is used, and the grades do not change."""
    city = synthetic_city(40, 3000, seed=9, extent_km=30.0, centre=(108.0, 34.3))
    west = (city.facility_lon < 108.0).mean()
    assert 0.3 < west < 0.7
    report = run(city.community_layer(), city.facility_layer(), working_crs=working_crs)
    errors = nearest_errors(report)
    assert errors.max() < TOLERANCE
    auto = run(city.community_layer(), city.facility_layer())
    assert auto.working_crs in ("EPSG:32648", "EPSG:32649")
    same = sum(
        a.grade == b.grade for a, b in zip(auto.communities, report.communities, strict=True)
    )
    assert same >= len(auto.communities) - 1  # a facility on a tier edge may flip one
