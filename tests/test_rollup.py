"""City roll-ups against the plan's targets (P6, P7, P8): arithmetic, targets per zone,
common gaps and the ranking of communities closest to their next grade."""

from __future__ import annotations

import math
from collections import Counter

import attrs
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import livable
from livable import Grade, Zone
from livable.grading import closest_to_next_grade, gap_key, summarize
from livable.report import CommunityResult, CommunityScore, Gap, IndicatorResult

PROFILE = livable.load_profile("xian-2020")


def _indicator(
    id: str, role: str, status: str, gaps: tuple[Gap, ...] = (), clause: str = "P5"
) -> IndicatorResult:
    return IndicatorResult(
        id=id,
        status=status,  # type: ignore[arg-type]
        value=None,
        unit=None,
        requirement="convenience",
        key_content="convenience_services",
        message_en=id,
        message_zh=id,
        role=role,
        gaps=gaps,
        clause=clause,
        label_en=id,
        label_zh=id,
    )


def _gap(ftype: str, grade: Grade, required: int = 1, found: int = 0) -> Gap:
    rule = "P4.twelve_ones" if grade == Grade.LIVABLE else "P5.more_facilities"
    return Gap(
        rule=rule,
        message_en="",
        message_zh="",
        grade=grade,
        facility_type=ftype,
        required=required,
        found=found,
    )


def result(
    id: str,
    grade: Grade,
    *,
    district: str | None = None,
    subdistrict: str | None = None,
    zone: Zone | None = None,
    livable_gaps: tuple[Gap, ...] = (),
    happy_gaps: tuple[Gap, ...] = (),
    score: float | None = None,
) -> CommunityResult:
    """A hand-built community result; its indicators agree with its grade."""
    twelve = _indicator(
        "twelve_ones", "livable", "failed" if livable_gaps else "passed", livable_gaps, "P4"
    )
    more = _indicator("more_facilities", "happy", "failed" if happy_gaps else "passed", happy_gaps)
    green = _indicator("green_ratio", "happy", "passed" if grade == Grade.HAPPY else "failed")
    indicators = (twelve, more, green)
    return CommunityResult(
        id=id,
        name=f"name {id}",
        grade=grade,
        center=(108.94, 34.26),
        center_inside=True,
        center_source="centroid",
        radius_m=1200.0,
        radius_reason=None,
        geometry=shapely.Point(108.94, 34.26),
        district=district,
        subdistrict=subdistrict,
        zone=zone,
        population=3000,
        size_class="small",
        access=(),
        gaps=livable_gaps + happy_gaps,
        indicators=indicators,
        score=None if score is None else CommunityScore(score, 1, 1),
    )


def test_counts_shares_and_targets_by_zone() -> None:
    """P8: the shares a district reports, against the targets of its zone (P6)."""
    # central: 4 communities, 1 happy; peripheral: 3, 1 happy; one without zone
    results = [
        result("a", Grade.HAPPY, district="Beilin", zone=Zone.CENTRAL),
        result("b", Grade.LIVABLE, district="Beilin", zone=Zone.CENTRAL),
        result("c", Grade.NOT_LIVABLE, district="Yanta", zone=Zone.CENTRAL),
        result("d", Grade.NOT_LIVABLE, district="Yanta", zone=Zone.CENTRAL),
        result("e", Grade.HAPPY, district="Chang'an", zone=Zone.PERIPHERAL),
        result("f", Grade.LIVABLE, district="Chang'an", zone=Zone.PERIPHERAL),
        result("g", Grade.LIVABLE, district="Chang'an", zone=Zone.PERIPHERAL),
        result("h", Grade.LIVABLE),
    ]
    s = summarize(results, rejected=2, profile=PROFILE)
    assert (s.communities, s.evaluated, s.rejected, s.unzoned) == (10, 8, 2, 1)
    assert (s.not_livable, s.livable, s.happy) == (2, 4, 2)
    assert s.livable_share == 6 / 8
    assert s.happy_share_central == 1 / 4
    assert s.happy_share_peripheral == 1 / 3
    central, peripheral = s.level("zone")
    # P6 stage 3: 50 % central, 30 % peripheral
    assert (central.target_happy_share, peripheral.target_happy_share) == (0.5, 0.3)
    assert central.happy_gap == 0.25
    assert central.happy_needed == 1  # 2 of 4 meets 50 %
    assert peripheral.happy_gap == 0.0  # 1/3 >= 30 %
    assert peripheral.happy_needed == 0
    # P6 stage 2: 100 % livable
    assert central.livable_gap == 0.5
    assert central.livable_needed == 2
    assert peripheral.livable_needed == 0
    city = s.level("city")[0]
    assert city.target_happy_share is None  # the plan sets happy targets per zone only
    assert city.livable_needed == 2
    districts = {g.key: g for g in s.level("district")}
    assert districts["Beilin"].zone == Zone.CENTRAL
    assert districts["Beilin"].target_happy_share == 0.5
    assert districts["Chang'an"].target_happy_share == 0.3
    assert districts["Yanta"].happy_needed == 1


def test_groups_spanning_both_zones_have_no_happy_target() -> None:
    results = [
        result("a", Grade.HAPPY, district="X", subdistrict="S", zone=Zone.CENTRAL),
        result("b", Grade.HAPPY, district="X", subdistrict="S", zone=Zone.PERIPHERAL),
    ]
    s = summarize(results, rejected=0, profile=PROFILE)
    (district,) = s.level("district")
    (sub,) = s.level("subdistrict")
    assert district.zone is None
    assert district.target_happy_share is None
    assert district.happy_needed is None
    assert sub.target_livable_share == 1.0
    assert sub.parent == "X"


def test_same_subdistrict_name_in_two_districts_stays_apart() -> None:
    results = [
        result("a", Grade.HAPPY, district="X", subdistrict="S"),
        result("b", Grade.LIVABLE, district="Y", subdistrict="S"),
        result("c", Grade.LIVABLE, subdistrict="S"),
    ]
    subs = summarize(results, rejected=0, profile=PROFILE).level("subdistrict")
    assert [(g.parent, g.key, g.communities) for g in subs] == [
        (None, "S", 1),
        ("X", "S", 1),
        ("Y", "S", 1),
    ]


def test_needed_is_exact_at_float_edges() -> None:
    # 0.3 * 10 is 3.0000000000000004 in floating point: 3 happy of 10 meets 30 %
    results = [
        result(f"c{i}", Grade.HAPPY if i < 3 else Grade.LIVABLE, zone=Zone.PERIPHERAL)
        for i in range(10)
    ]
    (_, peripheral) = summarize(results, rejected=0, profile=PROFILE).level("zone")
    assert peripheral.happy_needed == 0
    assert peripheral.happy_gap == 0.0


grades = st.sampled_from(list(Grade))
zones = st.sampled_from([None, Zone.CENTRAL, Zone.PERIPHERAL])
districts = st.sampled_from([None, "A", "B", "C"])
subdistricts = st.sampled_from([None, "s1", "s2"])


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(st.tuples(grades, zones, districts, subdistricts), max_size=40))
def test_rollup_arithmetic(rows: list[tuple[Grade, Zone | None, str | None, str | None]]) -> None:
    results = [
        result(f"c{i:03d}", g, zone=z, district=d, subdistrict=s)
        for i, (g, z, d, s) in enumerate(rows)
    ]
    s = summarize(results, rejected=0, profile=PROFILE)
    assert s.not_livable + s.livable + s.happy == s.evaluated == len(rows)
    for group in s.groups:
        assert group.not_livable + group.livable + group.happy == group.communities
        shares = group.grade_shares
        if group.communities:
            assert math.isclose(sum(v for v in shares.values() if v is not None), 1.0)
            # the livable target counts happy communities as livable
            assert group.livable_share == pytest.approx(shares["livable"] + shares["happy"])
        else:
            assert set(shares.values()) == {None}
        for target, have, needed in (
            (group.target_livable_share, group.livable + group.happy, group.livable_needed),
            (group.target_happy_share, group.happy, group.happy_needed),
        ):
            if target is None or not group.communities:
                assert needed is None
                continue
            assert needed is not None
            n = group.communities
            assert (have + needed) / n >= target - 1e-12
            if needed:
                assert (have + needed - 1) / n < target
    # zones and districts partition the zoned / districted communities
    assert sum(g.communities for g in s.level("zone")) + s.unzoned == len(rows)
    assert sum(g.communities for g in s.level("district")) == sum(1 for r in rows if r[2])
    assert sum(g.communities for g in s.level("subdistrict")) == sum(1 for r in rows if r[3])
    for group in s.level("zone"):
        expected = {Zone.CENTRAL: 0.5, Zone.PERIPHERAL: 0.3}[group.zone]  # type: ignore[index]
        assert group.target_happy_share == expected
        assert Counter(r[1] for r in rows)[group.zone] == group.communities
    # the closest list holds every community that is not happy, once
    assert len(s.closest) == min(20, sum(1 for r in rows if r[0] != Grade.HAPPY))


def test_most_common_gaps_count_communities_once() -> None:
    clinic = _gap("clinic", Grade.LIVABLE)
    results = [
        result("a", Grade.NOT_LIVABLE, livable_gaps=(clinic, clinic)),  # counted once
        result("b", Grade.NOT_LIVABLE, livable_gaps=(clinic, _gap("kindergarten", Grade.LIVABLE))),
        result("c", Grade.LIVABLE, happy_gaps=(_gap("bank", Grade.HAPPY),)),
    ]
    s = summarize(results, rejected=0, profile=PROFILE)
    first = s.gap_counts[0]
    assert (first.key, first.communities, first.share) == ("P4.twelve_ones:clinic", 2, 2 / 3)
    assert first.grade == Grade.LIVABLE
    assert first.label_en == "community clinic: twelve_ones (P4.twelve_ones)"
    assert first.label_zh == "社区就医点：twelve_ones"
    assert s.top_gaps[0] == ("P4.twelve_ones:clinic", 2)
    assert [g.key for g in s.gap_counts[1:]] == [
        "P4.twelve_ones:kindergarten",
        "P5.more_facilities:bank",
    ]


def test_closest_to_next_grade_ranking() -> None:
    lg = Grade.LIVABLE
    results = [
        # two gaps to livable
        result("n2", Grade.NOT_LIVABLE, livable_gaps=(_gap("a", lg), _gap("b", lg))),
        # one gap to livable, shortfall 2 (needs 2, has 0)
        result("n1-big", Grade.NOT_LIVABLE, livable_gaps=(_gap("a", lg, 2, 0),)),
        # one gap to livable, shortfall 1; ids decide between "n1-a" and "n1-b"
        result("n1-b", Grade.NOT_LIVABLE, livable_gaps=(_gap("c", lg),)),
        result("n1-a", Grade.NOT_LIVABLE, livable_gaps=(_gap("d", lg),)),
        # livable, one happy gap from more_facilities plus the failed green_ratio (no gaps)
        result("l2", Grade.LIVABLE, happy_gaps=(_gap("bank", Grade.HAPPY),)),
        result("h", Grade.HAPPY),
    ]
    ranked = closest_to_next_grade(results)
    assert [c.id for c in ranked] == ["n1-a", "n1-b", "n1-big", "l2", "n2"]
    assert [c.gaps for c in ranked] == [1, 1, 1, 2, 2]
    assert [c.shortfall for c in ranked] == [1, 1, 2, 2, 2]
    l2 = ranked[3]
    assert (l2.grade, l2.next_grade) == (Grade.LIVABLE, Grade.HAPPY)
    assert l2.missing == ("P5.more_facilities:bank", "P5.green_ratio")
    assert ranked[0].missing == ("P4.twelve_ones:d",)
    # deterministic regardless of input order
    assert closest_to_next_grade(list(reversed(results))) == ranked
    assert closest_to_next_grade(results, limit=2) == ranked[:2]


def test_mean_score_ignores_communities_without_one() -> None:
    results = [
        result("a", Grade.LIVABLE, district="X", score=50.0),
        result("b", Grade.LIVABLE, district="X", score=100.0),
        result("c", Grade.LIVABLE, district="X"),
    ]
    s = summarize(results, rejected=0, profile=PROFILE)
    assert s.mean_score == 75.0
    assert s.level("district")[0].mean_score == 75.0


def test_gap_key() -> None:
    assert gap_key(Gap(rule="P6.tiers", message_en="", message_zh="", category="finance")) == (
        "P6.tiers:finance"
    )
    assert gap_key(Gap(rule="P5.green_ratio", message_en="", message_zh="")) == "P5.green_ratio"


def test_summary_json_has_targets_gaps_and_ranking() -> None:
    from livable.models.serialize import converter  # the one converter of report.json

    results = [
        result("a", Grade.HAPPY, district="Beilin", subdistrict="s", zone=Zone.CENTRAL),
        result(
            "b",
            Grade.NOT_LIVABLE,
            district="Beilin",
            subdistrict="s",
            zone=Zone.CENTRAL,
            livable_gaps=(_gap("clinic", Grade.LIVABLE),),
        ),
    ]
    data = converter.unstructure(summarize(results, rejected=0, profile=PROFILE))
    assert data["targets"]["deadline"] == "2021-12-31"
    levels = [g["level"] for g in data["groups"]]
    assert levels == ["city", "zone", "zone", "district", "subdistrict"]
    district = data["groups"][3]
    assert district["shares"] == {"not_livable": 0.5, "livable": 0.0, "happy": 0.5}
    assert district["targets"] == {"livable_share": 1.0, "happy_share": 0.5}
    assert district["target_gaps"] == {"livable_share": 0.5, "happy_share": 0.0}
    assert district["needed"] == {"livable": 1, "happy": 0}
    assert data["top_gaps"][0]["gap"] == "P4.twelve_ones:clinic"
    assert data["top_gaps"][0]["grade"] == "livable"
    assert data["closest"][0]["id"] == "b"
    assert data["closest"][0]["next_grade"] == "livable"


def test_score_coverage_says_what_the_mean_rests_on() -> None:
    a = attrs.evolve(result("a", Grade.LIVABLE), score=CommunityScore(100.0, 1, 4))
    b = attrs.evolve(result("b", Grade.LIVABLE), score=CommunityScore(None, 0, 4))
    s = summarize([a, b], rejected=0, profile=PROFILE)
    assert s.mean_score == 100.0  # b has no score at all
    assert s.score_coverage == 1 / 8
