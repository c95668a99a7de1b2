"""The bulk path (issue 16 point 2) gives exactly the per-community path's results.

``EvaluationSettings.bulk`` (the default) decides the built-in indicators' bulk keys over
the arrays of every community at once and builds each shared result once; ``bulk=False``
evaluates every community on its own, with the facilities in each circle listed and
filtered one community at a time: the reference. Over generated cities the two reports
are equal object for object (every ``IndicatorResult`` field, gaps, grades, provisional
marks) and byte for byte in ``report.json``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import livable
from livable.engine import EvaluationSettings, Inputs, evaluate_inputs
from livable.indicators.base import CommunitiesContext, Indicator, value_key
from livable.indicators.builtin import BUILTIN_INDICATORS
from livable.io.synthetic import synthetic_city
from livable.models import FACILITY_TYPES
from livable.plugins import PluginManager
from livable.testing import community, facility, offset

LON0, LAT0 = 108.94, 34.26
TYPES = sorted(FACILITY_TYPES)

ATTRIBUTE_VALUES = st.sampled_from(
    [None, 0.0, -0.0, 0.2, 0.35, 0.9, 1, 1.0, 35, 80.0, 95, -1, True, False, "是", "否", "x"]
)
ATTRIBUTES = (
    "green_ratio",
    "governance_score",
    "vitality_score",
    "satisfaction",
    "property_management",
    "low_carbon_measures",
    "sensing_coverage",
    "community_workers",
    "digital_platform",
    "emergency_plan",
    "survey_held",
    "employment_service_point",
)
FLAGS = st.sampled_from([None, True, False])


@st.composite
def cities(draw: Any) -> tuple[list[livable.Community], list[livable.Facility]]:
    """A few communities close together (sharing results) and facilities of every type,
    with brands, brand-like names, qualities and qualifier flags."""
    comms = []
    for i in range(draw(st.integers(0, 7))):
        east, north = draw(st.integers(0, 6)) * 300.0, draw(st.integers(0, 6)) * 300.0
        lon, lat = offset(LON0, LAT0, east, north)
        props: dict[str, Any] = {
            "population": draw(st.sampled_from([None, 0, 3_000, 3_000, 12_000, 40_000])),
            "size_m": draw(st.sampled_from([None, 400.0])),
        }
        for name in draw(st.lists(st.sampled_from(ATTRIBUTES), max_size=5, unique=True)):
            props[name] = draw(ATTRIBUTE_VALUES)
        comms.append(community(f"c{i}", lon, lat, **props))
    facs = []
    for j in range(draw(st.integers(0, 90))):
        east, north = draw(st.integers(-4, 30)) * 100.0, draw(st.integers(-4, 30)) * 100.0
        props = {
            "name": draw(st.sampled_from([None, "罗森(小寨店)", "张记便利店", "LAWSON 2"])),
            "brand": draw(st.sampled_from([None, None, "Lawson"])),
            "quality": draw(st.sampled_from([None, 2.0, 4.5])),
            "certified": draw(FLAGS),
            "specialty": draw(FLAGS),
        }
        props = {k: v for k, v in props.items() if v is not None}
        kind = draw(st.sampled_from(TYPES))
        facs.append(facility(f"f{j}", kind, *offset(LON0, LAT0, east, north), **props))
    return comms, facs


def _both(comms: Any, facs: Any, **options: Any) -> tuple[livable.Report, livable.Report]:
    inputs = Inputs(comms, facs)
    fast = evaluate_inputs(inputs, EvaluationSettings(**options))
    reference = evaluate_inputs(inputs, EvaluationSettings(bulk=False, **options))
    return fast, reference


def _assert_same(fast: livable.Report, reference: livable.Report) -> None:
    assert len(fast.communities) == len(reference.communities)
    for a, b in zip(fast.communities, reference.communities, strict=True):
        assert a.indicators == b.indicators  # every IndicatorResult field, gaps included
        assert (a.grade, a.gaps, a.provisional) == (b.grade, b.gaps, b.provisional)
        assert a.score == b.score
        assert a.access == b.access
    assert fast.summary == reference.summary
    assert fast.skipped == reference.skipped
    assert fast.to_json() == reference.to_json()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cities(), st.sampled_from(["euclidean", "geodesic"]))
def test_the_bulk_path_gives_the_per_community_results(city: Any, distance: str) -> None:
    comms, facs = city
    _assert_same(*_both(comms, facs, distance=distance))


def test_a_synthetic_city_bulk_and_per_community_write_the_same_bytes() -> None:
    city = synthetic_city(60, 3_000, seed=5, n_types=18, extent_km=4.0)
    fast, reference = _both(city.communities_geojson(), city.facilities_geojson())
    _assert_same(fast, reference)
    grades = {c.grade for c in fast.communities}
    assert len(grades) > 1  # the city is not all one verdict


class _Lying(Indicator):
    """A plugin indicator whose bulk keys are unusable: every community is evaluated."""

    id = "lying"
    label_en, label_zh = "lying", "说谎"
    clause, requirement, key_content = "P2.C4", "smart", "smart_living"
    inputs = frozenset({"community_attributes"})

    def __init__(self, keys: Any) -> None:
        self.keys = keys

    def bulk_keys(self, communities: CommunitiesContext) -> Any:
        if self.keys == "raise":
            raise RuntimeError("no keys")
        return self.keys(len(communities))

    def evaluate(self, context: Any) -> Any:
        return self.from_attribute(context, "wifi", lambda v: v >= 1)


@pytest.mark.parametrize(
    "keys",
    ["raise", lambda n: [[]] * n, lambda n: [None] * (n + 1), lambda n: [1] * n],
    ids=["raises", "unhashable", "wrong-length", "one-key"],
)
def test_a_plugin_indicators_keys_are_checked(keys: Any) -> None:
    class Plugin:
        @livable.hookimpl
        def livable_indicators(self) -> list[Indicator]:
            return [_Lying(keys)]

    comms = [community(f"c{i}", *offset(LON0, LAT0, i * 500.0, 0.0), wifi=i) for i in range(3)]
    pm = PluginManager(load_entry_points=False)
    pm.register(Plugin(), name="lying")
    report = livable.evaluate(comms, [], plugins=pm)
    values = [c.indicator("lying").value for c in report.communities]
    if keys == "raise" or keys(3) != [1] * 3:
        assert values == [0.0, 1.0, 2.0]  # checked keys refused: each evaluated
    else:
        assert values == [0.0, 0.0, 0.0]  # one key: the plugin's word, one result shared


def test_every_builtin_indicator_with_inputs_by_name_has_bulk_keys() -> None:
    without = {cls.__name__ for cls in BUILTIN_INDICATORS if "bulk_keys" not in _own(cls)}
    assert without == set()  # Closeness: keyed by what its result shows of the median


def _own(cls: type) -> set[str]:
    return {name for klass in cls.__mro__[:-2] for name in vars(klass)}


def test_value_keys_tell_apart_what_indicators_tell_apart() -> None:
    values = [None, 0, 0.0, -0.0, False, 1, 1.0, True, "1", float("nan")]
    keys = [value_key(v) for v in values]
    assert len(set(keys)) == len(values)
    assert value_key(np.float64(1.0)) is None and value_key({"a": 1}) is None


@pytest.mark.parametrize("population", [None, 3_000, 40_000])
def test_communities_that_pass_share_results_only_with_the_same_provisional_marks(
    population: int | None,
) -> None:
    """Two clusters with every type at hand: one says its qualifiers, one does not."""
    comms, facs = [], []
    for cluster, says in enumerate((True, False, None)):
        east = cluster * 6_000.0
        for k in range(2):
            lon, lat = offset(LON0, LAT0, east + k * 50.0, 0.0)
            comms.append(community(f"c{cluster}{k}", lon, lat, population=population))
        for t, type_id in enumerate(TYPES):
            for copy in range(4):
                flags = {} if says is None else {"certified": says, "specialty": says}
                brand = {"brand": "Lawson"} if says else {}
                lon, lat = offset(LON0, LAT0, east + 20.0 * t, 30.0 + 10.0 * copy)
                facs.append(facility(f"f{cluster}-{t}-{copy}", type_id, lon, lat, **flags, **brand))
    fast, reference = _both(comms, facs)
    _assert_same(fast, reference)
    marks = {c.id: c.indicator("twelve_ones").provisional for c in fast.communities}
    assert marks["c00"] == marks["c01"] != marks["c20"] == marks["c21"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from(TYPES[:3]), st.integers(0, 3))))
def test_canonical_order_is_the_full_sort_with_or_without_duplicate_ids(rows: Any) -> None:
    from livable.engine import canonical_order
    from livable.io import FacilityLayer

    facs = [facility(i, t, *offset(LON0, LAT0, 100.0 * k, 0.0)) for i, t, k in rows]
    layer = FacilityLayer.from_facilities(facs)
    keys = (layer.lat, layer.lon, layer.types.astype(str), layer.ids.astype(str))
    expected = np.lexsort(keys) if len(layer) else np.zeros(0, dtype=np.int64)
    got = canonical_order(layer)
    assert got.ids.tolist() == layer.ids[expected].tolist()
    assert got.lon.tolist() == layer.lon[expected].tolist()
    assert got.types.tolist() == layer.types[expected].tolist()
