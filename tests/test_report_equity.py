"""Equity (issue 18, Deliver 3): distance Gini per district, shares beyond the tiers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import livable
from livable.cli import main
from livable.report.equity import equity, format_equity, gini
from livable.testing import community, facility, offset

LON, LAT = 108.94, 34.26

distances = st.floats(0, 5000, allow_nan=False)
weights = st.integers(0, 1000)


@given(st.floats(0, 5000, allow_nan=False), st.lists(st.integers(1, 1000), min_size=1))
def test_gini_of_equal_distances_is_zero(distance, people):
    assert gini([distance] * len(people), people) == pytest.approx(0.0, abs=1e-12)


def _brute(values: list[float], w: list[int]) -> float | None:
    total = sum(w)
    if total == 0:
        return None
    mean = sum(x * p for x, p in zip(values, w, strict=True)) / total
    if mean == 0:
        return 0.0
    spread = sum(
        p * q * abs(x - y)
        for x, p in zip(values, w, strict=True)
        for y, q in zip(values, w, strict=True)
    )
    return spread / (2 * total * total * mean)


@settings(max_examples=200)
@given(st.lists(st.tuples(distances, weights), min_size=1, max_size=30))
def test_weighted_gini_equals_the_pairwise_definition(pairs):
    values, w = [x for x, _ in pairs], [p for _, p in pairs]
    expected = _brute(values, w)
    got = gini(values, w)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-9)
        assert 0.0 <= got < 1.0


@given(st.lists(st.tuples(distances, st.integers(1, 5)), min_size=1, max_size=10))
def test_a_weight_is_the_same_as_repeating_the_value(pairs):
    repeated = [x for x, n in pairs for _ in range(n)]
    assert gini([x for x, _ in pairs], [n for _, n in pairs]) == pytest.approx(
        gini(repeated), abs=1e-9
    )


def test_gini_refuses_negative_or_mismatched_input():
    with pytest.raises(ValueError, match="same length"):
        gini([1.0, 2.0], [1])
    with pytest.raises(ValueError, match=">= 0"):
        gini([-1.0])


@pytest.fixture(scope="module")
def city() -> livable.Report:
    """District A: two communities of 1,000 and 3,000 residents, 200 m and 1,000 m from
    their clinic; district B: one community with a clinic 100 m away."""
    a1, a2, b1 = (offset(LON, LAT, e, 0) for e in (0, 8000, 16000))
    communities = [
        community("a1", *a1, district="A", subdistrict="A-north", population=1000),
        community("a2", *a2, district="A", subdistrict="A-south", population=3000),
        community("a3", *offset(*a2, 0, 4000), district="A", subdistrict="A-south"),
        community("b1", *b1, district="B", subdistrict="B-east", population=500),
    ]
    facilities = [
        facility("k1", "clinic", *offset(*a1, 200, 0)),
        facility("k2", "clinic", *offset(*a2, 1000, 0)),
        facility("k3", "clinic", *offset(*b1, 100, 0)),
    ]
    return livable.evaluate(communities, facilities)


def test_district_gini_and_share_beyond_equal_a_hand_computation(city):
    e = equity(city)
    a = e.district("A")
    assert (a.residents, a.uncounted) == (4000, 1)
    clinic = a.facility_type("clinic")
    written = livable.read_report(city.to_json())  # equity reads the report as written
    d1 = written.community("a1").access_to("clinic").nearest_m
    d2 = written.community("a2").access_to("clinic").nearest_m
    # two groups: |d1 - d2| * 1000 * 3000 * 2 / (2 * 4000^2 * mean)
    mean = (1000 * d1 + 3000 * d2) / 4000
    assert clinic.gini == pytest.approx(abs(d1 - d2) * 1000 * 3000 / (4000**2 * mean))
    assert clinic.mean_m == pytest.approx(mean)
    # the medical tier is 15 minutes, 1,200 m: both are within it
    assert a.category("medical").share_beyond == 0.0
    assert a.category("shopping").share_beyond == 1.0
    b = e.district("B")
    assert b.facility_type("clinic").gini == 0.0
    assert b.facility_type("kindergarten").beyond_search == 500
    assert b.facility_type("kindergarten").gini is None


def test_the_least_served_subdistricts_come_first(city):
    names = [(s.district, s.subdistrict) for s in equity(city).least_served]
    assert set(names) == {("A", "A-north"), ("A", "A-south"), ("B", "B-east")}
    assert all(s.share_beyond > 0 for s in equity(city).least_served)
    shares = [s.share_beyond for s in equity(city).least_served]
    assert shares == sorted(shares, reverse=True)


def test_summary_equity_names_the_least_served(city, tmp_path, capsys):
    path = tmp_path / "report.json"
    path.write_text(city.to_json(), encoding="utf-8")
    assert main(["summary", str(path), "--equity"]) == 0
    out = capsys.readouterr().out
    assert "least served subdistricts" in out
    assert format_equity(equity(city)) in out


def test_the_residents_file_weights_the_distances(city):
    """a3 has no population; the residents file gives it 1,000 residents and a1 4,000."""
    people = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"community": cid, "population": n},
                "geometry": {"type": "Point", "coordinates": [LON, LAT]},
            }
            for cid, n in [("a1", 4000), ("a3", 1000)]
        ],
    }
    a = equity(city, residents=people).district("A")
    assert (a.residents, a.uncounted) == (8000, 0)
    written = livable.read_report(city.to_json())
    d = {c: written.community(c).access_to("clinic").nearest_m for c in ("a1", "a2", "a3")}
    w = {"a1": 4000, "a2": 3000, "a3": 1000}
    known = [c for c in d if d[c] is not None]
    clinic = a.facility_type("clinic")
    assert clinic.gini == pytest.approx(gini([d[c] for c in known], [w[c] for c in known]))
    assert clinic.residents + clinic.beyond_search == 8000
