"""Population-weighted access from resident points (beyond the plan; P6.tiers per point)."""

from __future__ import annotations

import json

import jsonschema
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import livable
from livable import FACILITY_TYPES
from livable.cli import main as cli_main
from livable.geometry.crs import Projector, choose_working_crs
from livable.plugins import PluginManager
from livable.profile import load_profile
from livable.schemas import load_schema
from livable.testing import community, facility, offset

LON, LAT = 108.94, 34.26
XIAN = load_profile("xian-2020")


def resident(lon, lat, community_id, population):
    return {
        "type": "Feature",
        "properties": {"community": community_id, "population": population},
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }


def fc(features):
    return {"type": "FeatureCollection", "features": features}


def run(comms, facs, residents, **kw):
    return livable.evaluate(
        comms, facs, residents=residents, plugins=PluginManager(load_entry_points=False), **kw
    )


def test_share_of_residents_within_each_tier():
    """300 residents 150 m from a shop, 100 residents 900 m away: 75 % reach shopping."""
    comms = [community("c1", LON, LAT, size_m=1200, population=400), community("c2", 109.2, 34.3)]
    shop = facility("s1", "convenience_store", LON, LAT)
    clinic = facility("k1", "clinic", *offset(LON, LAT, 1000.0, 0.0))
    people = fc(
        [
            resident(*offset(LON, LAT, 150.0, 0.0), "c1", 300),
            resident(*offset(LON, LAT, -900.0, 0.0), "c1", 100),
        ]
    )
    report = run(comms, [shop, clinic], people)
    c1 = report.community("c1")
    assert c1.resident_access is not None
    assert c1.resident_access["shopping"] == pytest.approx(0.75)
    # the clinic is 850 m from the first point and 1,900 m from the second (tier 1,200 m)
    assert c1.resident_access["medical"] == pytest.approx(0.75)
    assert c1.resident_access["finance"] == 0.0
    assert set(c1.resident_access) == set(XIAN.category_tiers)
    assert report.community("c2").resident_access is None
    data = report.to_dict()
    jsonschema.validate(data, load_schema("report"))
    entries = {c["id"]: c for c in data["communities"]}
    assert entries["c1"]["resident_access"]["shopping"] == 0.75
    assert entries["c2"]["resident_access"] is None
    assert data["rejected_residents"] == []


def test_no_residents_given_leaves_the_report_unchanged():
    report = run([community("c1", LON, LAT)], [], None)
    data = report.to_dict()
    assert "rejected_residents" not in data
    assert "resident_access" not in data["communities"][0]


def test_bad_and_unknown_resident_points_are_rejected_not_counted():
    people = fc(
        [
            resident(LON, LAT, "c1", 100),
            resident(LON, LAT, "nowhere", 100),
            resident(LON, LAT, "c1", -1),
            {
                "type": "Feature",
                "properties": {"population": 5},
                "geometry": {"type": "Point", "coordinates": [LON, LAT]},
            },
            {
                "type": "Feature",
                "properties": {"community": "c1", "population": 5},
                "geometry": {"type": "LineString", "coordinates": [[LON, LAT], [LON, 34.3]]},
            },
        ]
    )
    report = run([community("c1", LON, LAT)], [facility("s", "bank", LON, LAT)], people)
    reasons = {r.source: r.reason for r in report.rejected_residents}
    assert reasons["<memory>#1"].startswith("community 'nowhere' is not among")
    assert "population" in reasons["<memory>#2"]
    assert "community" in reasons["<memory>#3"]
    assert "Point" in reasons["<memory>#4"]
    assert report.community("c1").resident_access["finance"] == 1.0
    with pytest.raises(livable.InputError, match="population"):
        run([community("c1", LON, LAT)], [], people, strict=True)


def test_zero_population_community_has_no_share():
    people = fc([resident(LON, LAT, "c1", 0)])
    report = run([community("c1", LON, LAT)], [], people)
    assert report.community("c1").resident_access is None


@settings(max_examples=25)
@given(seed=st.integers(0, 2**32 - 1), n_res=st.integers(1, 80), n_fac=st.integers(0, 120))
def test_shares_equal_a_brute_force_computation(seed, n_res, n_fac):
    """Each point reaches a category if a facility serving it is within the tier (<=)."""
    rng = np.random.default_rng(seed)
    comms = [
        community(f"c{i}", *offset(LON, LAT, *rng.uniform(-2000, 2000, 2)), size_m=600)
        for i in range(3)
    ]
    types = list(FACILITY_TYPES)
    facs = [
        facility(
            f"f{j}",
            types[int(rng.integers(0, len(types)))],
            *offset(LON, LAT, *rng.uniform(-3000, 3000, 2)),
        )
        for j in range(n_fac)
    ]
    owner = rng.integers(0, 3, n_res)
    pop = rng.integers(0, 500, n_res).astype(float)
    pts = [offset(LON, LAT, *rng.uniform(-2500, 2500, 2)) for _ in range(n_res)]
    people = fc([resident(x, y, f"c{o}", p) for (x, y), o, p in zip(pts, owner, pop, strict=True)])
    report = run(comms, facs, people)

    bounds = shapely.bounds(np.array([c.geometry for c in comms], dtype=object))
    proj = Projector.for_crs(
        choose_working_crs(np.r_[bounds[:, 0], bounds[:, 2]], np.r_[bounds[:, 1], bounds[:, 3]])
    )
    rx, ry = proj.forward([p[0] for p in pts], [p[1] for p in pts])
    fx, fy = proj.forward([f.geometry.x for f in facs], [f.geometry.y for f in facs])
    d = np.hypot(fx[None, :] - rx[:, None], fy[None, :] - ry[:, None])
    for i in range(3):
        mine = owner == i
        result = report.community(f"c{i}").resident_access
        if pop[mine].sum() == 0:
            assert result is None
            continue
        for category in XIAN.category_tiers:
            serving = np.array(
                [FACILITY_TYPES[f.type].category == category for f in facs], dtype=bool
            )
            tier = XIAN.tier_distance_m(category)
            reach = (d[:, serving] <= tier).any(axis=1) if serving.any() else np.zeros(n_res, bool)
            want = pop[mine & reach].sum() / pop[mine].sum()
            assert result[category] == pytest.approx(want, abs=1e-12)


def test_command_line_residents_flag(tmp_path):
    comms = fc(
        [
            {
                "type": "Feature",
                "properties": {"id": "c1"},
                "geometry": {"type": "Point", "coordinates": [LON, LAT]},
            }
        ]
    )
    facs = fc(
        [
            {
                "type": "Feature",
                "properties": {"id": "s1", "type": "convenience_store"},
                "geometry": {"type": "Point", "coordinates": [LON, LAT]},
            }
        ]
    )
    people = fc([resident(LON, LAT, "c1", 10), resident(*offset(LON, LAT, 0, 2000), "c1", 30)])
    for name, data in (("c", comms), ("f", facs), ("r", people)):
        (tmp_path / f"{name}.geojson").write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "report.json"
    code = cli_main(
        [
            "evaluate",
            "--communities",
            str(tmp_path / "c.geojson"),
            "--facilities",
            str(tmp_path / "f.geojson"),
            "--residents",
            str(tmp_path / "r.geojson"),
            "--quiet",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["communities"][0]["resident_access"]["shopping"] == 0.25
    assert str(tmp_path / "r.geojson") in [i["path"] for i in report["inputs"]]
