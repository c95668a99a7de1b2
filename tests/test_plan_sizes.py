"""Issue 17, point 2: medium and large communities need more categories, not only more of
each (P4 大、中型社区适当增加保障品类和数量): the profile's further required types."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import livable
from livable import TWELVE_ONES, Grade
from livable.testing import community, facility, offset

LON, LAT = 108.94, 34.26
PROFILE = livable.load_profile("xian-2020")
EXTRAS = {"medium": {"parcel_point": 1}, "large": {"parcel_point": 2, "school": 1, "bank": 1}}
"""The further categories of xian-2020 by size class, restated (checked below)."""
POPULATION = {"small": (0, 4999), "medium": (5000, 11999), "large": (12000, 29999)}


def _facilities(size: str, *, without: str | None = None) -> list[livable.Facility]:
    """What a community of ``size`` needs in its circle, but none of ``without``."""
    counts = {t: PROFILE.required_count(t, size) for t in PROFILE.required}
    return [
        facility(
            f"{t}{k}",
            t,
            *offset(LON, LAT, 150.0 + 8.0 * k, 40.0 * i),
            brand="罗森",
            certified=True,
            specialty=True,
        )
        for i, (t, n) in enumerate(counts.items())
        if t != without
        for k in range(n)
    ]


def _grade(population: int, facilities: list[livable.Facility]) -> livable.CommunityResult:
    report = livable.evaluate(
        [community("c", LON, LAT, population=population)], facilities, as_of="2021-06-30"
    )
    return report.community("c")


def test_the_further_categories_are_the_profiles_and_not_the_12_ones():
    for size, extras in EXTRAS.items():
        got = {
            t: PROFILE.required_count(t, size)
            for t in PROFILE.required
            if t not in TWELVE_ONES and PROFILE.required_count(t, size)
        }
        assert got == extras, size
    assert not [
        t for t in PROFILE.required if t not in TWELVE_ONES and PROFILE.required_count(t, "small")
    ]
    assert all(t in livable.FACILITY_TYPES for t in PROFILE.required)  # no new types


@settings(max_examples=10, deadline=None)
@given(st.integers(*POPULATION["small"]))
def test_a_small_community_needs_only_the_12_ones(population):
    c = _grade(population, _facilities("small"))
    assert c.grade == Grade.LIVABLE
    assert c.indicator("twelve_ones").message_zh == "“12个一”12类设施齐全，达到小型社区的配置数量"


@settings(max_examples=6, deadline=None)
@given(st.sampled_from(["medium", "large"]), st.data())
def test_medium_and_large_communities_are_livable_with_their_further_categories(size, data):
    population = data.draw(st.integers(*POPULATION[size]))
    c = _grade(population, _facilities(size))
    assert c.grade == Grade.LIVABLE
    label = PROFILE.size_class_of(population).label_zh
    total = 12 + len(EXTRAS[size])
    assert c.indicator("twelve_ones").message_zh == (
        f"“12个一”及{label}增加的保障品类共{total}类设施齐全，达到{label}的配置数量"
    )


_CASES = [(size, t) for size, extras in EXTRAS.items() for t in extras]


@pytest.mark.parametrize(("size", "missing"), _CASES)
def test_a_community_lacking_a_further_category_is_not_livable(size, missing):
    population = {"medium": 8000, "large": 20000}[size]
    c = _grade(population, _facilities(size, without=missing))
    assert c.grade == Grade.NOT_LIVABLE
    (gap,) = [g for g in c.gaps if g.facility_type == missing and g.rule == "P4.twelve_ones"]
    label = livable.FACILITY_TYPES[missing].label_zh
    size_zh = PROFILE.size_class_of(population).label_zh
    assert gap.grade == Grade.LIVABLE
    assert f"没有{label}" in gap.message_zh
    assert f"{size_zh}需增加这一保障品类" in gap.message_zh
    assert "additional category" in gap.message_en
    message = c.indicator("twelve_ones").message_zh
    assert message.startswith(f"“12个一”及{size_zh}增加的保障品类中")
    assert f"{label}（现有0处，需要{EXTRAS[size][missing]}处）" in message


def test_the_summary_names_a_further_category_as_such():
    report = livable.evaluate(
        [community("c", LON, LAT, population=8000)],
        _facilities("medium", without="parcel_point"),
        as_of="2021-06-30",
    )
    (gap,) = [g for g in report.summary.gap_counts if g.facility_type == "parcel_point"]
    assert gap.label_zh == "快递驿站：大、中型社区增加的保障品类"
    assert gap.label_en.startswith("parcel pick-up point: additional category")


def test_the_further_categories_are_documented_assumptions_with_their_sources():
    for t in ("parcel_point", "school", "bank"):
        text = PROFILE.assumptions[f"required.{t}"]
        assert "GB 50180-2018" in text and "compiled default" in text
    assert "完整居住社区建设标准" in PROFILE.assumptions["required.parcel_point"]
    assert "appendix B" in PROFILE.assumptions["required.school"]
