"""Faithful to the plan (issue 17): the framework score (P2), provisional grades (P4),
the assessment units (P6 stage 3, P8), the stages (P6), qualifiers (P4), approved radii
(P6.circle)."""

from __future__ import annotations

import pytest

import livable
from livable import Grade
from livable.models import CommunityScore, IndicatorResult
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


def _twelve_ones_at(east_m: float = 200.0) -> list[livable.Facility]:
    counts = {t: PROFILE.required_count(t, "small") for t in PROFILE.required}
    return [
        facility(f"{t}{k}", t, *offset(LON, LAT, east_m, 10.0 * k), brand="每一天")
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
