"""End-to-end grading on hand-built communities with known answers (P3, P4, P5, P6.tiers)."""

from __future__ import annotations

import random

import pyproj
import pytest
import shapely
import shapely.geometry
from hypothesis import given, settings
from hypothesis import strategies as st

import livable
from livable import FACILITY_TYPES, TWELVE_ONES, Grade
from livable.plugins import PluginManager
from livable.testing import community, facility, offset

LON, LAT = 108.94, 34.26
GEOD = pyproj.Geod(ellps="WGS84")
HAPPY_ATTRS = {
    "green_ratio": 0.4,
    "governance_score": 90,
    "vitality_score": 90,
    "satisfaction": 0.9,
}


def pm() -> PluginManager:
    return PluginManager(load_entry_points=False)


def full_set(lon: float = LON, lat: float = LAT, *, per_type: int = 3, prefix: str = "f"):
    """Every facility type, ``per_type`` of each, all within 300 m of the point."""
    out = []
    for t_index, type_id in enumerate(FACILITY_TYPES):
        for k in range(per_type):
            x, y = offset(lon, lat, 40.0 + 60.0 * k, -250.0 + 28.0 * t_index)
            extra = {}
            if type_id == "convenience_store":
                extra["brand"] = "Lawson"
            if type_id == "breakfast_outlet":
                extra["quality"] = 5
            out.append(facility(f"{prefix}{type_id}-{k}", type_id, x, y, **extra))
    return out


def evaluate(comms, facs, **kw):
    return livable.evaluate(comms, facs, plugins=pm(), **kw)


def test_happy_when_everything_is_close_and_attributes_are_good():
    """P5: livable plus more, more kinds, quality, closer and the attribute criteria."""
    c = community("c", LON, LAT, size_m=300, population=3000, **HAPPY_ATTRS)
    r = evaluate([c], full_set()).communities[0]
    assert r.grade is Grade.HAPPY
    assert r.gaps == ()
    # every grade indicator passed; scored/info ones (P2 framework) do not gate a grade
    assert all(i.status == "passed" for i in r.indicators if i.role in ("livable", "happy"))
    assert r.indicator("twelve_ones").decisive


def test_livable_but_not_happy_without_attributes():
    """P5 criteria read from attributes: missing ones are not assessed, never passed."""
    c = community("c", LON, LAT, size_m=300, population=3000)
    r = evaluate([c], full_set()).communities[0]
    assert r.grade is Grade.LIVABLE
    statuses = {i.id: i.status for i in r.indicators}
    assert statuses["green_ratio"] == "not_assessed"
    assert statuses["twelve_ones"] == "passed"
    gap = next(g for g in r.gaps if g.rule == "P5.green_ratio")
    assert gap.grade is Grade.HAPPY
    assert "green_ratio" in gap.message_en and "请提供绿地率数据" in gap.message_zh
    assert r.indicator("green_ratio").decisive
    assert not r.indicator("twelve_ones").decisive or r.indicator("twelve_ones").status == "passed"


def test_missing_kindergarten_is_not_livable_with_bilingual_gap():
    """P4: every one of the 12 ones within the circle; the gap says how far the nearest is."""
    facs = [f for f in full_set() if f.type != "kindergarten"]
    x, y = offset(LON, LAT, 1500.0, 0.0)
    facs.append(facility("k-far", "kindergarten", x, y))
    c = community("c", LON, LAT, population=3000, **HAPPY_ATTRS)
    r = evaluate([c], facs).communities[0]
    assert r.grade is Grade.NOT_LIVABLE
    [gap] = [g for g in r.gaps if g.rule == "P4.twelve_ones"]
    assert gap.facility_type == "kindergarten"
    assert gap.category == "education"
    assert gap.grade is Grade.LIVABLE
    assert gap.found == 0 and gap.required == 1
    _, _, true_m = GEOD.inv(LON, LAT, x, y)
    assert gap.distance_m == pytest.approx(true_m, abs=1.0)
    assert "No kindergarten within 1,200 m" in gap.message_en
    assert f"{gap.distance_m:,.0f} m" in gap.message_en
    assert "幼儿园" in gap.message_zh and "1200米" in gap.message_zh
    assert r.indicator("twelve_ones").decisive
    assert not r.indicator("green_ratio").decisive  # livable blocked first


def test_medium_community_with_small_counts_is_not_livable():
    """P4: medium communities need more of each (profile counts per size class)."""
    facs = full_set(per_type=1)
    facs.append(facility("r-extra", "restaurant", *offset(LON, LAT, 300.0, 300.0)))  # "some": 2
    small = community("s", LON, LAT, population=3000)
    medium = community("m", LON, LAT, population=8000)
    report = evaluate([small, medium], facs)
    assert report.community("s").grade is Grade.LIVABLE
    m = report.community("m")
    assert m.grade is Grade.NOT_LIVABLE
    assert m.size_class == "medium"
    short = {g.facility_type for g in m.gaps if g.rule == "P4.twelve_ones"}
    assert "kindergarten" in short and "community_library" not in short
    gap = next(g for g in m.gaps if g.facility_type == "kindergarten")
    assert gap.message_en.startswith("Only 1 kindergarten")


def test_tier_gap_when_shop_is_beyond_five_minutes():
    """P6.tiers: shopping within 400 m; a store at 600 m is in the circle but not the tier."""
    facs = [f for f in full_set() if FACILITY_TYPES[f.type].category != "shopping"]
    for k, type_id in enumerate(("convenience_store", "vegetable_store")):
        for j in range(3):
            x, y = offset(LON, LAT, 600.0 + 5 * j, 10.0 * k)
            facs.append(facility(f"{type_id}-{j}", type_id, x, y, brand="B"))
    c = community("c", LON, LAT, population=3000, **HAPPY_ATTRS)
    r = evaluate([c], facs).communities[0]
    assert r.grade is Grade.LIVABLE
    [gap] = [g for g in r.gaps if g.rule == "P6.tiers"]
    assert gap.category == "shopping"
    assert gap.distance_m == pytest.approx(600.0, rel=0.005)
    assert "5-minute walk (400 m)" in gap.message_en
    assert "步行5分钟（400米）范围内没有购物服务设施" in gap.message_zh


def test_livable_requires_tiers_switch():
    """The profile switch makes the tiers a livable rule (default false, P4)."""
    facs = [f for f in full_set() if f.type != "bank"]
    c = community("c", LON, LAT, population=3000, **HAPPY_ATTRS)
    base = livable.load_profile("xian-2020")
    assert evaluate([c], facs, profile=base).communities[0].grade is Grade.LIVABLE
    strict = base.derive(id="strict", livable_requires_tiers=True)
    assert evaluate([c], facs, profile=strict).communities[0].grade is Grade.NOT_LIVABLE


def test_distances_agree_with_a_hand_check_to_the_metre():
    """Nearest distances equal the ellipsoidal distance to within a metre."""
    c = community("c", LON, LAT)
    pts = [(350.0, 0.0), (0.0, 777.0), (-901.0, 1200.0)]
    facs = []
    for k, (e, n) in enumerate(pts):
        x, y = offset(LON, LAT, e, n)
        facs.append(facility(f"k{k}", "clinic", x, y))
    r = evaluate([c], facs).communities[0]
    access = r.access_to("clinic")
    expected = sorted(GEOD.inv(LON, LAT, f.geometry.x, f.geometry.y)[2] for f in facs)
    assert [n.distance_m for n in access.nearest] == pytest.approx(expected, abs=1.0)
    assert access.nearest_m == pytest.approx(expected[0], abs=1.0)
    assert access.count_within == {400: 1, 800: 2, 1200: 2}
    assert access.count_in_circle == 2


def test_search_radius_bounds_nearest():
    """nearest_m is null beyond the profile's search radius (3 km)."""
    x, y = offset(LON, LAT, 3500.0, 0.0)
    r = evaluate([community("c", LON, LAT)], [facility("f", "bank", x, y)]).communities[0]
    assert r.access_to("bank").nearest_m is None
    assert r.access_to("bank").nearest == ()


def test_point_and_c_shaped_communities():
    """P6.circle: a Point is its own centre; a C shape's centroid falls outside it."""
    import shapely

    x0, y0 = offset(LON, LAT, -400, -400)
    x1, y1 = offset(LON, LAT, 400, 400)
    xi, yi = offset(LON, LAT, -200, -250)
    outer = shapely.box(x0, y0, x1, y1)
    notch = shapely.box(xi, yi, x1 + 0.01, offset(LON, LAT, 0, 250)[1])
    c_shape = livable.Community(id="cshape", geometry=outer.difference(notch))
    point = community("pt", LON, LAT)
    report = evaluate([c_shape, point], full_set())
    assert report.community("pt").center_source == "point"
    cs = report.community("cshape")
    assert cs.center_inside is False and cs.center_source == "centroid"
    moved = livable.load_profile("xian-2020").derive(id="inside", center_rule="inside_point")
    cs2 = evaluate([c_shape], full_set(), profile=moved).communities[0]
    assert cs2.center_source == "inside_point"
    assert c_shape.geometry.contains(shapely.Point(cs2.center))


@settings(max_examples=40)
@given(st.randoms(use_true_random=False), st.integers(min_value=0, max_value=17))
def test_adding_a_facility_never_lowers_a_grade(rnd: random.Random, type_index: int):
    """Monotonicity (P3): one more facility can only keep or raise every grade."""
    types = list(FACILITY_TYPES)
    facs = []
    for i in range(rnd.randint(10, 60)):
        x, y = offset(LON, LAT, rnd.uniform(-1500, 1500), rnd.uniform(-1500, 1500))
        t = types[rnd.randrange(len(types))] if rnd.random() < 0.6 else TWELVE_ONES[i % 12]
        facs.append(facility(f"f{i}", t, x, y, brand="B" if rnd.random() < 0.5 else None))
    comms = [
        community(
            f"c{j}",
            *offset(LON, LAT, rnd.uniform(-800, 800), rnd.uniform(-800, 800)),
            population=rnd.choice([None, 2000, 7000, 15000]),
            **HAPPY_ATTRS,
        )
        for j in range(4)
    ]
    before = {c.id: c.grade for c in evaluate(comms, facs).communities}
    x, y = offset(LON, LAT, rnd.uniform(-900, 900), rnd.uniform(-900, 900))
    added = [*facs, facility("new", types[type_index], x, y, brand="B")]
    after = {c.id: c.grade for c in evaluate(comms, added).communities}
    assert all(after[k].rank >= before[k].rank for k in before)


def test_input_order_does_not_change_the_report():
    """Shuffling communities and facilities gives the same report.json bytes."""
    rnd = random.Random(7)
    facs = full_set(per_type=2)
    facs += [
        facility(
            f"x{i}",
            rnd.choice(list(FACILITY_TYPES)),
            *offset(LON, LAT, rnd.uniform(-2e3, 2e3), rnd.uniform(-2e3, 2e3)),
        )
        for i in range(80)
    ]
    comms = [
        community(
            f"c{j}",
            *offset(LON, LAT, rnd.uniform(-1e3, 1e3), rnd.uniform(-1e3, 1e3)),
            size_m=200,
            population=rnd.choice([2000, 9000]),
        )
        for j in range(12)
    ]
    first = evaluate(comms, facs).to_json()
    for _ in range(3):
        rnd.shuffle(comms)
        rnd.shuffle(facs)
        assert evaluate(comms, facs).to_json() == first


def test_grade_override_through_classify_hook():
    """livable_classify (firstresult) overrides the grade; the string value is accepted."""
    from livable import hookimpl

    class Override:
        @hookimpl
        def livable_classify(self, community):
            return "happy" if community.id == "c" else None

    manager = PluginManager(load_entry_points=False, plugins=[Override()])
    r = livable.evaluate([community("c", LON, LAT)], [], plugins=manager)
    assert r.communities[0].grade is Grade.HAPPY
    assert [p.name for p in r.plugins] == ["livable.builtin", "Override"]


def test_every_community_is_evaluated_or_rejected():
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "a"},
                "geometry": {"type": "Point", "coordinates": [LON, LAT]},
            },
            {
                "type": "Feature",
                "properties": {"id": "d"},
                "geometry": {"type": "Point", "coordinates": [LON, LAT]},
            },
            {
                "type": "Feature",
                "properties": {"id": "d"},
                "geometry": {"type": "Point", "coordinates": [LON, LAT]},
            },
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [LON, LAT]},
            },
            {
                "type": "Feature",
                "properties": {"id": "swap"},
                "geometry": {"type": "Point", "coordinates": [LAT, 120.0]},
            },
            {
                "type": "Feature",
                "properties": {"id": "pop", "population": "many"},
                "geometry": {"type": "Point", "coordinates": [LON, LAT]},
            },
        ],
    }
    r = evaluate(fc, [])
    assert [c.id for c in r.communities] == ["a"]
    reasons = {x.source: x.reason for x in r.rejected}
    assert len(r.rejected) == 5
    assert "duplicate id 'd'" in reasons["<memory>#1"] and "duplicate" in reasons["<memory>#2"]
    assert "missing id" in reasons["<memory>#3"]
    assert "swapped" in reasons["<memory>#4"]
    assert "population" in reasons["<memory>#5"]
    assert r.summary.communities == 6 and r.summary.rejected == 5


def _projected_city(zone: int = 32649):
    """Communities and facilities as FeatureCollections in a UTM zone (metres)."""
    to_utm = pyproj.Transformer.from_crs(4326, zone, always_xy=True).transform

    def fc(items, props):
        features = []
        for item in items:
            geometry = shapely.transform(item.geometry, to_utm, interleaved=False)
            features.append(
                {
                    "type": "Feature",
                    "properties": props(item),
                    "geometry": shapely.geometry.mapping(geometry),
                }
            )
        return {"type": "FeatureCollection", "features": features}

    comms = [community("c1", LON, LAT), community("c2", LON + 0.01, LAT)]
    facs = full_set(per_type=1)
    return (
        fc(comms, lambda c: {"id": c.id, "population": c.population}),
        fc(facs, lambda f: {"id": f.id, "type": f.type}),
    )


@pytest.mark.parametrize("keyword", ["crs", "datum"])
def test_deprecated_layer_keywords_warn_and_equal_layer_specs(keyword):
    comms, facs = _projected_city()
    if keyword == "crs":
        specs = (livable.LayerSpec(comms, crs=32649), livable.LayerSpec(facs, crs="EPSG:32649"))
        old = {"communities_crs": 32649, "facilities_crs": "EPSG:32649"}
        args = (comms, facs)
    else:
        cs = [community("c1", LON, LAT)]
        fs = {"type": "FeatureCollection", "features": []}
        specs = (livable.LayerSpec(cs), livable.LayerSpec(fs, datum="gcj02"))
        old = {"facilities_datum": "gcj02"}
        args = (cs, fs)
    new = evaluate(*specs).to_json()
    with pytest.warns(DeprecationWarning, match=r"LayerSpec\(source, (crs|datum)=") as caught:
        legacy = evaluate(*args, **old).to_json()
    assert legacy == new
    assert len(caught) == len(old)
    assert all(w.filename == __file__ for w in caught)  # points at the caller's line


def test_layer_spec_crs_is_used():
    """A spec's CRS really reaches the reader: the same numbers read as lon/lat fail."""
    comms, facs = _projected_city()
    with pytest.raises(livable.LivableError):
        evaluate(comms, facs, strict=True)
    report = evaluate(livable.LayerSpec(comms, crs=32649), livable.LayerSpec(facs, crs=32649))
    assert [c.id for c in report.communities] == ["c1", "c2"]


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="unexpected keyword argument 'facility_crs'"):
        evaluate([], [], facility_crs=4326)


def test_a_layer_spec_does_not_nest():
    with pytest.raises(livable.InputError, match="another LayerSpec"):
        livable.LayerSpec(livable.LayerSpec("c.geojson"))


def test_settings_object_evaluates_as_keywords():
    from livable.engine import EvaluationSettings, Inputs, evaluate_inputs

    comms, facs = [community("c1", LON, LAT)], full_set(per_type=1)
    settings = EvaluationSettings(distance="geodesic", strict=True)
    typed = evaluate_inputs(Inputs(comms, facs), settings, plugins=pm())
    assert typed.to_json() == evaluate(comms, facs, distance="geodesic", strict=True).to_json()
    assert typed.distance == "geodesic"


def test_a_deprecated_keyword_cannot_contradict_a_layer_spec():
    spec = livable.LayerSpec([community("c1", LON, LAT)], crs=32649)
    with (
        pytest.warns(DeprecationWarning, match="LayerSpec"),
        pytest.raises(livable.InputError, match="contradicts"),
    ):
        evaluate(spec, [], communities_crs=4490)
    # the same value as the spec's, or a spec left at its default: no contradiction
    with pytest.warns(DeprecationWarning, match="LayerSpec"):
        report = evaluate(
            spec, livable.LayerSpec([]), communities_crs=32649, facilities_datum="bd09"
        )
    assert [c.id for c in report.communities] == ["c1"]
