"""Faithful to the plan (issue 17): the framework score (P2), provisional grades (P4),
the assessment units (P6 stage 3, P8), the stages (P6), qualifiers (P4), approved radii
(P6.circle)."""

from __future__ import annotations

from pathlib import Path

import pytest

import livable
from livable import Grade
from livable.models import CommunityScore, IndicatorResult, qualifier_flag
from livable.models.results import read_report
from livable.report.summary import format_summary
from livable.testing import community, facility, offset

LON, LAT = 108.94, 34.26
PROFILE = livable.load_profile("xian-2020")


def _scored(status: str) -> IndicatorResult:
    return IndicatorResult(
        id=f"x_{status}",
        status=status,  # type: ignore[arg-type]
        value=None,
        unit=None,
        requirement="smart",
        key_content="smart_living",
        message_en="",
        message_zh="",
        role="scored",
        score=None if status == "not_assessed" else float(status == "passed"),
    )


# -- P2: the framework score needs half its indicators assessed (point 8) --------------


@pytest.mark.parametrize(
    ("assessed", "total", "shown"),
    [(0, 9, False), (1, 9, False), (4, 9, False), (5, 9, True), (9, 9, True), (1, 2, True)],
)
def test_framework_score_is_shown_only_with_half_its_indicators_assessed(
    assessed: int, total: int, shown: bool
) -> None:
    results = [_scored("passed")] * assessed + [_scored("not_assessed")] * (total - assessed)
    score = CommunityScore.from_results(results)
    assert score is not None
    assert (score.value is not None) is shown
    assert score.enough is shown
    if shown:
        assert score.value == 100.0
        assert score.text("zh").startswith("框架得分100/100")
    else:
        assert score.text("zh").startswith("框架得分：评估项不足")
        assert "100/100" not in score.text("en")


def test_one_of_nine_assessed_never_reads_100() -> None:
    # issue 17 measured 100/100 with 1 of 9 scored indicators assessed
    c = livable.evaluate(
        [community("c", LON, LAT, population=3000)],
        [facility("p", "parcel_point", *offset(LON, LAT, 100.0, 0.0))],
    ).communities[0]
    assert c.score is not None and (c.score.assessed, c.score.total) == (1, 9)
    assert c.score.value is None
    assert "100/100" not in c.explain("zh") and "评估项不足" in c.explain("zh")


# -- P4: a community without a population is graded provisionally (point 5) ------------


_QUALIFYING: dict[str, dict[str, object]] = {  # P4: 品牌便利店, 放心早餐网点, 特色餐馆
    "convenience_store": {"brand": "每一天"},
    "breakfast_outlet": {"certified": True},
    "restaurant": {"specialty": True},
}


def _twelve_ones_at(east_m: float = 200.0) -> list[livable.Facility]:
    counts = {t: PROFILE.required_count(t, "small") for t in PROFILE.required}
    return [
        facility(f"{t}{k}", t, *offset(LON, LAT, east_m, 10.0 * k), **_QUALIFYING.get(t, {}))
        for t, n in counts.items()
        for k in range(n)
    ]


def test_a_community_without_population_has_a_provisional_grade_in_both_languages() -> None:
    report = livable.evaluate(
        [community("none", LON, LAT), community("known", LON, LAT, population=3000)],
        _twelve_ones_at(),
    )
    none, known = report.community("none"), report.community("known")
    assert none.grade == known.grade == Grade.LIVABLE
    assert [p.reason for p in none.provisional] == ["population"]
    assert all(p.reason != "population" for p in known.provisional)
    (p,) = [p for p in none.provisional if p.reason == "population"]
    assert p.clause == "P4"
    assert "small community" in p.message_en and "小型社区" in p.message_zh
    assert "等级为暂定：未提供常住人口" in none.explain("zh")
    assert "Provisional grade: no population given" in none.explain("en")
    assert report.summary.provisional >= 1
    data = report.to_dict()
    assert data["communities"][1]["provisional"][0]["reason"] == "population"
    assert data["summary"]["provisional"] == report.summary.provisional
    assert livable.read_report(report.to_json()).to_json() == report.to_json()


# -- P6 stage 3 / P8: every assessment unit has a zone or is explicitly unzoned (point 3) --


@pytest.mark.parametrize(
    ("district", "zone", "listed"),
    [
        ("碑林区", "central", True),  # a central district
        ("长安区", "peripheral", True),  # a peripheral district
        ("蓝田县", None, True),  # a county: explicitly unzoned
        ("西咸新区", "peripheral", True),  # the new area
        ("高新区", "central", True),  # a development zone
        ("航空基地", "peripheral", True),  # a development zone in a peripheral district
        ("某某新区", None, False),  # unknown: no zone, named in the summary
    ],
)
def test_each_kind_of_assessment_unit_has_its_zone(
    district: str, zone: str | None, listed: bool
) -> None:
    report = livable.evaluate(
        [community("c", LON, LAT, population=3000, district=district)], _twelve_ones_at()
    )
    c = report.communities[0]
    assert (c.zone.value if c.zone else None) == zone
    assert PROFILE.lists_district(district) is listed
    assert report.summary.unzoned == (zone is None)
    assert report.summary.unlisted_districts == (() if listed else (district,))
    # counted and shown, never dropped: the community is in the city and district rows
    (row,) = [g for g in report.summary.groups if g.level == "district"]
    assert (row.key, row.communities) == (district, 1)
    text = format_summary(report)
    if not listed:
        assert "不在区县对照表中" in text and district in text


def test_the_zone_table_and_livable_requires_tiers_are_documented_assumptions() -> None:
    assert {"district_zones", "livable_requires_tiers"} <= set(PROFILE.assumptions)
    units = ("新城区", "鄠邑区", "蓝田县", "周至县", "西咸新区", "高新区", "经开区")
    units += ("曲江新区", "浐灞生态区", "国际港务区", "航天基地", "航空基地")
    assert all(PROFILE.lists_district(u) for u in units)


def test_the_further_categories_of_medium_and_large_communities_are_documented() -> None:
    """Point 2: every required type beyond the 12 ones has its own assumption, naming the
    standard and the row its number comes from, and saying it is a compiled default."""
    further = [t for t in PROFILE.required if t not in livable.TWELVE_ONES]
    assert further, "medium and large communities need further categories"
    for t in further:
        text = PROFILE.assumptions[f"required.{t}"]
        assert "GB 50180-2018" in text and "appendix B" in text and "compiled default" in text
        assert PROFILE.required_count(t, "small") == 0


# -- P4: the qualifiers of the 12 ones (point 1) -----------------------------------------

_QUALIFIED = {  # type: (properties that qualify, that say "not", that say nothing)
    "convenience_store": ({"brand": "罗森"}, {"name": "张记便利店"}, {}),
    "breakfast_outlet": ({"certified": True}, {"certified": False}, {}),
    "restaurant": ({"specialty": "是"}, {"specialty": "否"}, {}),
}


def _with(type_id: str, props: dict[str, object]) -> list[livable.Facility]:
    """The 12 ones, each qualified, but ``type_id``'s facility with ``props`` only."""
    good = {t: p for t, (p, _, _) in _QUALIFIED.items()}
    out = []
    for f in _twelve_ones_at():
        if f.type in _QUALIFIED:
            f = facility(
                f.id,
                f.type,
                *f.geometry.coords[0],
                **(props if f.type == type_id else good[f.type]),
            )
        out.append(f)
    return out


@pytest.mark.parametrize("type_id", sorted(_QUALIFIED))
@pytest.mark.parametrize("case", ["carried_passed", "carried_failed", "not_carried"])
def test_each_qualifier_case_decides_the_twelve_ones(type_id: str, case: str) -> None:
    yes, no, unsaid = _QUALIFIED[type_id]
    props = {"carried_passed": yes, "carried_failed": no, "not_carried": unsaid}[case]
    report = livable.evaluate([community("c", LON, LAT, population=3000)], _with(type_id, props))
    c = report.communities[0]
    ones = c.indicator("twelve_ones")
    reasons = [p.reason for p in c.provisional]
    if case == "carried_passed":
        assert ones.status == "passed" and reasons == []
    elif case == "carried_failed":
        assert ones.status == "failed" and c.grade == Grade.NOT_LIVABLE and reasons == []
        (gap,) = ones.gaps
        need = PROFILE.required_count(type_id, "small")  # 一些特色餐馆: some (2)
        assert (gap.facility_type, gap.found, gap.required) == (type_id, 0, need)
        noun = PROFILE_TYPES[type_id].noun_zh
        assert gap.message_zh.startswith(f"服务圈内{noun}均非")
        assert "P4" not in gap.message_zh and type_id not in gap.message_zh
    else:  # counted as any facility of the type, the grade says it is provisional
        assert ones.status == "passed" and c.grade != Grade.NOT_LIVABLE
        assert reasons == [f"qualifier:{type_id}"]
        assert report.summary.provisional == 1
        assert "等级为暂定：输入数据未注明" in c.explain("zh")
        assert report.to_dict()["communities"][0]["provisional"][0]["reason"] == reasons[0]


PROFILE_TYPES = livable.FACILITY_TYPES


def test_the_gap_names_the_qualifier_as_district_reports_do() -> None:
    report = livable.evaluate(
        [community("c", LON, LAT, population=3000)],
        _with("convenience_store", {"name": "张记便利店"}),
    )
    (gap,) = report.communities[0].indicator("twelve_ones").gaps
    assert gap.message_zh == "服务圈内便利店均非品牌连锁店；小型社区需要品牌便利店1处。"


def test_a_store_named_after_a_chain_of_the_profile_is_branded() -> None:
    for name, branded in [("罗森(小寨店)", True), ("LAWSON 钟楼店", True), ("小卖部", False)]:
        c = livable.evaluate(
            [community("c", LON, LAT, population=3000)],
            _with("convenience_store", {"name": name}),
        ).communities[0]
        assert (c.indicator("twelve_ones").status == "passed") is branded, name
    # without brand names in the profile, a name alone says nothing: provisional
    bare = PROFILE.derive(brand_names=())
    c = livable.evaluate(
        [community("c", LON, LAT, population=3000)],
        _with("convenience_store", {"name": "小卖部"}),
        profile=bare,
    ).communities[0]
    assert [p.reason for p in c.provisional] == ["qualifier:convenience_store"]


def test_unsaid_facilities_decide_only_when_the_said_ones_are_too_few() -> None:
    # a large community: 1 certified outlet, 1 not, and as many unsaid as it needs
    need = PROFILE.required_count("breakfast_outlet", "large")
    assert need >= 2
    base = _with("breakfast_outlet", {"certified": True})
    extra = [
        facility("b-no", "breakfast_outlet", *offset(LON, LAT, 300.0, 0.0), certified=False),
        *(
            facility(f"b-u{k}", "breakfast_outlet", *offset(LON, LAT, 300.0, 20.0 * k))
            for k in range(need)
        ),
    ]
    c = livable.evaluate([community("c", LON, LAT, population=40000)], base + extra).communities[0]
    assert "qualifier:breakfast_outlet" in [p.reason for p in c.provisional]


def test_a_qualifier_that_is_not_yes_or_no_rejects_the_facility() -> None:
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "b", "type": "breakfast_outlet", "certified": "maybe"},
                "geometry": {"type": "Point", "coordinates": [LON, LAT]},
            }
        ],
    }
    layer = livable.read_facilities(fc)
    assert len(layer) == 0
    assert "certified (P4: an outlet of the trusted-breakfast programme, 放心早餐)" in (
        layer.rejected[0].reason
    )


def test_qualifiers_with_gaps_from_a_gis_file_are_read_as_flags(tmp_path: Path) -> None:
    """A boolean column with gaps comes back from GeoPackage or GeoParquet as floats
    (1.0, 0.0, NaN): the qualifiers still decide (the demo's facilities written with
    geopandas were all rejected before)."""
    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame(
        {
            "id": ["b1", "b2", "k1"],
            "type": ["breakfast_outlet", "breakfast_outlet", "kindergarten"],
            "certified": [True, False, None],
        },
        geometry=[shapely.Point(LON, LAT)] * 3,
        crs="EPSG:4326",
    )
    for path in (tmp_path / "f.gpkg", tmp_path / "f.parquet"):
        if path.suffix == ".gpkg":
            frame.to_file(path)
        else:
            frame.to_parquet(path)
        layer = livable.read_facilities(path)
        assert not layer.rejected, layer.rejected
        flags = [layer.attributes[i].get("certified") for i in range(len(layer))]
        assert [qualifier_flag(f) for f in flags] == [True, False, None]
    assert qualifier_flag(1.0) is True and qualifier_flag(0.0) is False
    with pytest.raises(ValueError, match=r"not 0\.5"):
        qualifier_flag(0.5)


def test_the_importers_fill_brand_where_their_sources_have_it(tmp_path: Path) -> None:
    from livable.io.amap import read_amap
    from livable.io.osm import read_osm

    amap = read_amap(
        {
            "pois": [
                {
                    "id": "B1",
                    "name": "罗森(小寨店)",
                    "品牌": "罗森",
                    "typecode": "060200",
                    "location": "108.95,34.26",
                },
                {"id": "B2", "name": "张记", "typecode": "060200", "location": "108.95,34.26"},
            ]
        }
    ).facilities
    assert amap.brands.tolist() == ["罗森", None]
    osm_file = tmp_path / "shops.osm"
    osm_file.write_text(
        '<osm version="0.6">'
        f'<node id="1" lat="{LAT}" lon="{LON}"><tag k="shop" v="convenience"/>'
        '<tag k="brand" v="7-Eleven"/><tag k="name" v="7-Eleven"/></node>'
        f'<node id="2" lat="{LAT}" lon="{LON}"><tag k="shop" v="convenience"/>'
        '<tag k="name" v="小卖部"/></node></osm>',
        encoding="utf-8",
    )
    osm = read_osm(osm_file).facilities
    assert osm.brands.tolist() == ["7-Eleven", None]


# -- P6.circle: a radius a district approved for one community (point 6) ----------------


def test_an_approved_radius_overrides_the_rule_and_the_report_keeps_its_reason() -> None:
    import json

    import jsonschema

    from livable.schemas import load_schema

    reason = "特大社区，经区政府批准扩大服务圈"
    comms = [
        community("big", LON, LAT, population=3000, radius_m=1900, radius_reason=reason),
        community("plain", LON + 0.05, LAT, population=3000),
    ]
    report = livable.evaluate(comms, _twelve_ones_at())
    big, plain = sorted(report.communities, key=lambda c: c.id)
    assert (big.radius_m, big.radius_reason, big.radius_approval) == (1900.0, "approved", reason)
    assert (plain.radius_m, plain.radius_reason, plain.radius_approval) == (1200.0, None, None)
    data = json.loads(report.to_json())
    jsonschema.validate(data, load_schema("report"))
    rows = {c["id"]: c for c in data["communities"]}
    assert rows["big"]["radius_approval"] == reason and "radius_approval" not in rows["plain"]
    ignored = [n for i in report.inputs for n in i.notes if n.kind == "ignored"]
    assert not any("radius" in str(n) for n in ignored)  # read, not noted as ignored
    back = read_report(report.to_json().encode())
    assert {c.id: c.radius_approval for c in back.communities}["big"] == reason


def test_a_radius_over_the_profile_maximum_is_rejected_or_raises_with_strict() -> None:
    most = PROFILE.circle.approved_max_radius_m
    assert most == 2000.0 and "circle.approved_max_radius_m" in PROFILE.assumptions
    comms = [
        community("far", LON, LAT, population=3000, radius_m=most + 1, radius_reason="批准"),
        community("ok", LON + 0.01, LAT, population=3000, radius_m=most, radius_reason="批准"),
    ]
    report = livable.evaluate(comms, _twelve_ones_at())
    assert [c.id for c in report.communities] == ["ok"]
    assert [r.id for r in report.rejected] == ["far"]
    assert "circle.approved_max_radius_m" in report.rejected[0].reason
    with pytest.raises(livable.InputError, match="approved_max_radius_m") as err:
        livable.evaluate(comms, _twelve_ones_at(), strict=True)
    assert "far" in str(err.value)


@pytest.mark.parametrize(
    ("props", "reason"),
    [
        ({"radius_m": 1800}, "needs a radius_reason"),
        ({"radius_m": 1800, "radius_reason": "  "}, "needs a radius_reason"),
        ({"radius_m": -5, "radius_reason": "批准"}, "must be > 0"),
        ({"radius_m": "1800", "radius_reason": "批准"}, "must be a number"),
        ({"radius_reason": "批准"}, "radius_reason without radius_m"),
    ],
)
def test_a_radius_without_a_reason_or_not_a_number_rejects_the_community(
    tmp_path: Path, props: dict[str, object], reason: str
) -> None:
    import json

    features = [
        {
            "type": "Feature",
            "id": cid,
            "properties": {"id": cid, "population": 3000, **extra},
            "geometry": {"type": "Point", "coordinates": [LON + dx, LAT]},
        }
        for cid, dx, extra in (("bad", 0.0, props), ("good", 0.01, {}))
    ]
    path = tmp_path / "communities.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    report = livable.evaluate(path, _twelve_ones_at())
    assert [c.id for c in report.communities] == ["good"]
    assert [r.id for r in report.rejected] == ["bad"]
    assert reason in report.rejected[0].reason
