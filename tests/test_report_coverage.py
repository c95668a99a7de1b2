"""Population-weighted coverage (issue 18, Deliver 2): shares of residents, not communities."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import livable
from livable import TWELVE_ONES
from livable.cli import main
from livable.report.coverage import (
    category_reach,
    community_residents,
    coverage,
    format_coverage,
)
from livable.testing import community, facility, offset, ring_of_facilities

LON, LAT = 108.94, 34.26


@pytest.fixture(scope="module")
def city() -> livable.Report:
    """c1 (3,000 residents) has the twelve ones 300 m away: livable; c2 (1,000) and c3
    (no population) have nothing; c4 (500) has a clinic 1,000 m away (medical within its
    15-minute tier, 1,200 m) and a bank 600 m away (finance beyond its 5-minute tier)."""
    far, farther, third = (offset(LON, LAT, e, 0) for e in (6000, 12000, 18000))
    facilities = ring_of_facilities(LON, LAT, TWELVE_ONES, radius_m=300, count=3)
    facilities += [
        facility("k4", "clinic", *offset(*third, 1000, 0)),
        facility("b4", "bank", *offset(*third, 0, 600)),
    ]
    communities = [
        community("c1", LON, LAT, district="碑林区", subdistrict="柏树林街道", population=3000),
        community("c2", *far, district="碑林区", subdistrict="柏树林街道", population=1000),
        community("c3", *farther, district="碑林区", subdistrict="南院门街道"),
        community("c4", *third, district="长安区", subdistrict="郭杜街道", population=500),
    ]
    return livable.evaluate(communities, facilities)


def test_shares_weighted_by_population_equal_a_hand_computation(city):
    assert city.community("c1").grade != livable.Grade.NOT_LIVABLE
    assert [c.grade for c in city.communities[1:]] == [livable.Grade.NOT_LIVABLE] * 3
    cov = coverage(city)
    whole = cov.group("city", "city")
    assert (whole.communities, whole.counted, whole.uncounted) == (4, 3, 1)
    assert whole.residents == 4500
    assert whole.livable_share == pytest.approx(3000 / 4500)
    # by communities the livable share would be 1/4; by residents it is 2/3
    assert city.summary.livable_share == 0.25
    assert whole.category("medical").share == pytest.approx((3000 + 500) / 4500)
    assert whole.category("shopping").share == pytest.approx(3000 / 4500)
    assert whole.category("finance").share == 0.0  # c4's bank is 600 m off, the tier 400 m
    beilin = cov.group("district", "碑林区")
    assert (beilin.residents, beilin.uncounted) == (4000, 1)
    assert beilin.livable_share == pytest.approx(0.75)
    assert beilin.category("medical").share == pytest.approx(0.75)
    nanyuanmen = cov.group("subdistrict", "南院门街道", "碑林区")
    assert (nanyuanmen.residents, nanyuanmen.counted, nanyuanmen.uncounted) == (0, 0, 1)
    assert nanyuanmen.livable_share is None  # never guessed
    assert nanyuanmen.category("medical").share is None
    changan = cov.group("district", "长安区")
    assert changan.category("medical").share == 1.0
    assert changan.category("finance").share == 0.0


def test_coverage_groups_are_the_summary_groups(city):
    cov = coverage(city)
    assert [(g.level, g.key, g.parent) for g in cov.groups] == [
        (g.level, g.key, g.parent) for g in city.summary.groups
    ]
    for g, s in zip(cov.groups, city.summary.groups, strict=True):
        assert g.communities == s.communities


def test_the_residents_file_gives_the_share_within_a_community():
    """A community with resident points counts the share of its residents who reach a
    category (75 % reach the shop), not all or none."""
    comms = [community("c1", LON, LAT, size_m=1200, population=400)]
    shop = facility("s1", "convenience_store", LON, LAT)

    def resident(east: float, population: int) -> dict[str, object]:
        point = {"type": "Point", "coordinates": list(offset(LON, LAT, east, 0.0))}
        props = {"community": "c1", "population": population}
        return {"type": "Feature", "properties": props, "geometry": point}

    people = {"type": "FeatureCollection", "features": [resident(150, 300), resident(-900, 100)]}
    report = livable.evaluate(comms, [shop], residents=people)
    c1 = report.community("c1")
    assert category_reach(c1, "shopping", 400.0) == pytest.approx(0.75)
    shopping = coverage(report).group("city", "city").category("shopping")
    assert shopping.residents == pytest.approx(300)
    assert shopping.share == pytest.approx(0.75)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 10_000)), min_size=1, max_size=6))
def test_residents_add_up_and_shares_stay_in_range(populations):
    comms = [
        community(f"c{i}", *offset(LON, LAT, 3000.0 * i, 0), population=p)
        for i, p in enumerate(populations)
    ]
    facs = ring_of_facilities(LON, LAT, TWELVE_ONES, radius_m=300)
    report = livable.evaluate(comms, facs)
    whole = coverage(report).group("city", "city")
    assert whole.residents == sum(p for p in populations if p is not None)
    assert whole.uncounted == sum(p is None for p in populations)
    for share in (whole.livable_share, whole.happy_share, *(c.share for c in whole.categories)):
        assert share is None or 0.0 <= share <= 1.0
    assert (whole.livable_share is None) == (whole.residents == 0)


def test_summary_coverage_prints_the_residents(city, tmp_path, capsys):
    path = tmp_path / "report.json"
    path.write_text(city.to_json(), encoding="utf-8")
    assert main(["summary", str(path), "--coverage"]) == 0
    out = capsys.readouterr().out
    assert "population-weighted" in out
    assert "city: 4500 residents in 3 communities (1 without a population" in out
    assert format_coverage(coverage(city)) in out


def _points(*people: tuple[str, float]) -> dict[str, object]:
    """A residents file: one point a (community, population); where does not matter here."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"community": cid, "population": n},
                "geometry": {"type": "Point", "coordinates": [LON, LAT]},
            }
            for cid, n in people
        ],
    }


RESIDENTS = _points(("c2", 300), ("c2", 100), ("c3", 1500), ("c3", 500), ("nowhere", 9))
"""c2: 400 residents by its points (its population says 1,000); c3 (no population): 2,000;
c1 and c4 have no point and keep their population; "nowhere" is not in the report."""


def test_the_residents_file_counts_the_residents_where_given(city):
    people = community_residents(city, RESIDENTS)
    assert dict(people) == {"c1": 3000, "c2": 400, "c3": 2000, "c4": 500}
    cov = coverage(city, residents=RESIDENTS)
    whole = cov.group("city", "city")
    assert (whole.residents, whole.counted, whole.uncounted) == (5900, 4, 0)
    assert whole.livable_share == pytest.approx(3000 / 5900)
    assert whole.category("medical").share == pytest.approx((3000 + 500) / 5900)
    beilin = cov.group("district", "碑林区")
    assert (beilin.residents, beilin.uncounted) == (5400, 0)
    assert beilin.livable_share == pytest.approx(3000 / 5400)
    nanyuanmen = cov.group("subdistrict", "南院门街道", "碑林区")
    assert (nanyuanmen.residents, nanyuanmen.livable_share) == (2000, 0.0)
    # fractional populations stay fractional
    half = community_residents(city, _points(("c3", 0.5), ("c3", 0.25)))
    assert half["c3"] == 0.75


def test_summary_coverage_with_the_residents_file(city, tmp_path, capsys):
    path = tmp_path / "report.json"
    path.write_text(city.to_json(), encoding="utf-8")
    people = tmp_path / "residents.geojson"
    people.write_text(json.dumps(RESIDENTS), encoding="utf-8")
    assert main(["summary", str(path), "--coverage", "--residents", str(people)]) == 0
    out = capsys.readouterr().out
    assert "city: 5900 residents in 4 communities (0 without a population" in out
    with pytest.raises(SystemExit) as exc:
        main(["summary", str(path), "--residents", str(people)])
    assert exc.value.code == 2
    assert "--residents goes with --coverage" in capsys.readouterr().err
    assert main(["summary", str(path), "--coverage", "--residents", str(tmp_path / "no")]) == 1
    assert "file not found" in capsys.readouterr().err
