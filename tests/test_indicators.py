"""Each built-in indicator on hand-built communities, including the "not assessed" path (P2).

Attribute indicators run on :func:`livable.testing.context`; spatial ones on real
geometry through :func:`livable.evaluate`, facilities placed with :func:`offset`.
"""

from __future__ import annotations

import tomllib
from typing import Any

import attrs
import pytest
from livable_indicator_docs import indicator_table

import livable
from livable.indicators import BUILTIN_INDICATORS, ROLES, Indicator
from livable.indicators.builtin import (
    Closeness,
    CommunityWorkers,
    DigitalPlatform,
    EmergencyPlan,
    EmploymentService,
    GovernanceScore,
    GreenRatio,
    LowCarbon,
    ParcelPoints,
    PropertyManagement,
    Satisfaction,
    SensingCoverage,
    SizeClassIndicator,
    SurveyHeld,
    VitalityScore,
)
from livable.models import KEY_CONTENTS, REQUIREMENTS, TWELVE_ONES
from livable.profile import profile_from_mapping
from livable.testing import community, context, facility, offset

LON, LAT = 108.94, 34.26


def _evaluate(comm_props: dict[str, Any], placed: list[tuple[str, float]], **kw: Any) -> Any:
    """One Point community at (LON, LAT) and facilities ``(type, metres east)``."""
    facilities = [
        facility(f"f{i}", t, *offset(LON, LAT, east, 0.0), **kw)
        for i, (t, east) in enumerate(placed)
    ]
    report = livable.evaluate([community("c", LON, LAT, **comm_props)], facilities)
    return report.communities[0]


# -- the protocol ---------------------------------------------------------------------


def test_every_builtin_declares_the_protocol_metadata() -> None:
    for cls in BUILTIN_INDICATORS:
        ind = cls()
        assert ind.requirement in REQUIREMENTS, ind.id
        assert ind.key_content in KEY_CONTENTS, ind.id
        assert all((ind.label_en, ind.label_zh, ind.rule, ind.unit, cls.__doc__)), ind.id
        assert ind.clause.startswith("P"), ind.id


def test_builtins_cover_all_six_key_contents() -> None:
    # P2: every key content C1..C6 has at least one built-in indicator
    assert {cls.key_content for cls in BUILTIN_INDICATORS} == set(KEY_CONTENTS)


def test_attribute_indicators_name_their_attribute_in_docstring_and_rule() -> None:
    attrs_of = {
        PropertyManagement: "property_management",
        LowCarbon: "low_carbon_measures",
        DigitalPlatform: "digital_platform",
        SensingCoverage: "sensing_coverage",
        CommunityWorkers: "community_workers",
        EmergencyPlan: "emergency_plan",
        SurveyHeld: "survey_held",
        EmploymentService: "employment_service_point",
        GreenRatio: "green_ratio",
        GovernanceScore: "governance_score",
        VitalityScore: "vitality_score",
        Satisfaction: "satisfaction",
    }
    for cls, name in attrs_of.items():
        assert f"``{name}``" in (cls.__doc__ or ""), cls.id
        assert f"`{name}`" in cls.rule, cls.id


def test_result_carries_all_design_fields() -> None:
    r = GreenRatio().evaluate(context(green_ratio=0.4))
    assert (r.status, r.value, r.unit) == ("passed", 0.4, "share")
    assert (r.requirement, r.key_content, r.clause) == ("harmony", "ecology", "P5")
    assert r.label_en == "green space ratio"
    assert r.label_zh == "绿地率"
    assert r.message_en
    assert r.message_zh
    assert r.score == 1.0


def test_every_xian_role_is_a_known_role_and_names_a_builtin() -> None:
    prof = livable.load_profile("xian-2020")
    ids = {cls.id for cls in BUILTIN_INDICATORS}
    assert set(prof.indicator_roles) <= ids
    assert set(prof.indicator_roles.values()) <= set(ROLES)
    # only P4/P5-backed indicators gate a grade (recorded in [assumptions])
    gating = {k for k, v in prof.indicator_roles.items() if v in ("livable", "happy")}
    assert gating == {
        "twelve_ones",
        "tier_access",
        "more_facilities",
        "variety",
        "facility_quality",
        "green_ratio",
        "governance",
        "vitality",
        "satisfaction",
    }
    assert "indicator_roles" in prof.assumptions


# -- attribute indicators: pass, fail and not assessed ---------------------------------

ATTRIBUTE_CASES: list[tuple[type[Indicator], dict[str, Any], str]] = [
    (PropertyManagement, {"property_management": 0.9}, "passed"),
    (PropertyManagement, {"property_management": 0.8}, "passed"),  # >= is inclusive
    (PropertyManagement, {"property_management": 0.5}, "failed"),
    (PropertyManagement, {"property_management": True}, "passed"),
    (PropertyManagement, {"property_management": False}, "failed"),
    (PropertyManagement, {"property_management": 80}, "not_assessed"),  # a percent
    (PropertyManagement, {"property_management": "most"}, "not_assessed"),
    (PropertyManagement, {}, "not_assessed"),
    (LowCarbon, {"low_carbon_measures": 3}, "passed"),
    (LowCarbon, {"low_carbon_measures": 0}, "failed"),
    (LowCarbon, {"low_carbon_measures": True}, "passed"),
    (LowCarbon, {"low_carbon_measures": -1}, "not_assessed"),
    (LowCarbon, {}, "not_assessed"),
    (DigitalPlatform, {"digital_platform": True}, "passed"),
    (DigitalPlatform, {"digital_platform": False}, "failed"),
    (DigitalPlatform, {"digital_platform": "yes"}, "passed"),
    (DigitalPlatform, {"digital_platform": "否"}, "failed"),
    (DigitalPlatform, {"digital_platform": 2}, "not_assessed"),
    (DigitalPlatform, {}, "not_assessed"),
    (SensingCoverage, {"sensing_coverage": 0.5}, "passed"),
    (SensingCoverage, {"sensing_coverage": 0.49}, "failed"),
    (SensingCoverage, {"sensing_coverage": 1.2}, "not_assessed"),
    (SensingCoverage, {}, "not_assessed"),
    (EmergencyPlan, {"emergency_plan": True}, "passed"),
    (EmergencyPlan, {"emergency_plan": False}, "failed"),
    (EmergencyPlan, {}, "not_assessed"),
    (SurveyHeld, {"survey_held": 1}, "passed"),
    (SurveyHeld, {"survey_held": 0}, "failed"),
    (SurveyHeld, {"survey_held": None}, "not_assessed"),
    (EmploymentService, {"employment_service_point": "有"}, "passed"),
    (EmploymentService, {"employment_service_point": "无"}, "failed"),
    (EmploymentService, {"employment_service": True}, "not_assessed"),  # wrong name
    (GreenRatio, {"green_ratio": 0.3}, "passed"),
    (GreenRatio, {"green_ratio": 0.29}, "failed"),
    (GreenRatio, {"green_ratio": 35}, "not_assessed"),
    (GovernanceScore, {"governance_score": 80}, "passed"),
    (GovernanceScore, {"governance_score": 79.5}, "failed"),
    (GovernanceScore, {"governance_score": 180}, "not_assessed"),
    (VitalityScore, {"vitality_score": float("nan")}, "not_assessed"),
    (Satisfaction, {"satisfaction": 0.85}, "passed"),
    (Satisfaction, {"satisfaction": 0.6}, "failed"),
    (Satisfaction, {"satisfaction": True}, "not_assessed"),
]


@pytest.mark.parametrize(("cls", "attributes", "status"), ATTRIBUTE_CASES)
def test_attribute_indicator(cls: type[Indicator], attributes: dict[str, Any], status: str) -> None:
    result = cls().evaluate(context(population=4000, **attributes))
    assert result.status == status
    if status == "not_assessed":
        assert result.value is None
        assert result.score is None
        assert result.gaps
        assert "not assessed" in result.gaps[0].message_en
        assert "未评估" in result.message_zh
    elif status == "failed":
        assert result.score == 0.0
        assert len(result.gaps) == 1
        assert result.gaps[0].rule == f"{cls.clause}.{cls.id}"
    else:
        assert result.score == 1.0
        assert not result.gaps


def test_community_workers_per_thousand_residents() -> None:
    # P2.C5: 9 workers for 5,000 residents is exactly 1.8 per 1,000 (passes), 8 is 1.6
    ind = CommunityWorkers()
    ok = ind.evaluate(context(population=5000, community_workers=9))
    assert (ok.status, ok.value, ok.unit) == ("passed", 1.8, "per 1,000 residents")
    low = ind.evaluate(context(population=5000, community_workers=8))
    assert (low.status, low.value) == ("failed", 1.6)


@pytest.mark.parametrize(
    ("population", "workers"),
    [(None, 10), (0, 10), (5000, None), (5000, -3), (5000, "ten"), (5000, True)],
)
def test_community_workers_not_assessed(population: int | None, workers: Any) -> None:
    extra = {} if workers is None else {"community_workers": workers}
    result = CommunityWorkers().evaluate(context(population=population, **extra))
    assert result.status == "not_assessed"
    assert result.value is None


def test_size_class_indicator() -> None:
    ind = SizeClassIndicator()
    assert ind.evaluate(context(population=4999)).value == "small"
    assert ind.evaluate(context(population=5000)).value == "medium"
    assert ind.evaluate(context(population=12000)).value == "large"
    unknown = ind.evaluate(context())
    assert unknown.status == "not_assessed"
    assert "small community" in unknown.message_en


def test_switched_off_indicators_do_not_apply() -> None:
    prof = livable.load_profile("xian-2020").derive(
        framework={"digital_platform": False, "sensing_coverage_min": None}
    )
    assert not DigitalPlatform().applies(prof)
    assert not SensingCoverage().applies(prof)
    assert EmergencyPlan().applies(prof)
    rows = {r.id: r.role for r in indicator_table(profile=prof)}
    assert rows["digital_platform"] == "off"
    assert rows["emergency_plan"] == "scored"


def test_switched_off_criteria_round_trip_through_toml() -> None:
    # TOML has no null: "off" is written and read back as None
    prof = livable.load_profile("xian-2020").derive(
        framework={"parcel_points_min": None}, happy={"green_ratio_min": None}
    )
    again = profile_from_mapping(tomllib.loads(prof.to_toml()))
    assert again.framework.parcel_points_min is None
    assert again.happy.green_ratio_min is None
    assert again == prof
    assert not ParcelPoints().applies(again)


def test_framework_rejects_a_share_above_one() -> None:
    with pytest.raises(livable.ProfileError, match="property_management_min"):
        livable.load_profile("xian-2020").derive(framework={"property_management_min": 80})


# -- spatial indicators on real geometry -------------------------------------------------


def test_parcel_points_within_the_circle() -> None:
    # P2.C2: one parcel point at 1,100 m is within the 1.2 km circle; at 1,300 m it is not
    near = _evaluate({"population": 3000}, [("parcel_point", 1100.0)])
    assert near.indicator("parcel_points").status == "passed"
    far = _evaluate({"population": 3000}, [("parcel_point", 1300.0)])
    r = far.indicator("parcel_points")
    assert (r.status, r.value, r.role) == ("failed", 0, "scored")
    assert not r.gaps  # a scored indicator blocks no grade, so it leaves no gap
    direct = ParcelPoints().evaluate(context(nearest_m={"parcel_point": 1300.0}))
    assert direct.gaps[0].facility_type == "parcel_point"
    assert direct.gaps[0].distance_m == 1300.0
    assert (direct.gaps[0].required, direct.gaps[0].found) == (1, 0)


def test_parcel_points_not_assessed_without_the_type() -> None:
    ctx = context()
    access = {k: v for k, v in ctx.access.items() if k != "parcel_point"}
    result = ParcelPoints().evaluate(attrs.evolve(ctx, access=access))
    assert result.status == "not_assessed"


def test_closeness_median_against_tiers() -> None:
    # 14 categories (P6.tiers). Put every built-in type at 300 m: each ratio is at most
    # 300/400 and the median passes; at 2,000 m every ratio is above 1 and it fails.
    types = list(livable.FACILITY_TYPES)
    close = _evaluate({}, [(t, 300.0) for t in types])
    r = close.indicator("closeness")
    assert r.status == "passed"
    # ratios: 7 categories at 300/1200, 4 at 300/800, 3 at 300/400; the median of 14
    # is the mean of the 7th and 8th: (0.25 + 0.375) / 2
    assert r.value == pytest.approx(0.3125, rel=2e-3)
    far = _evaluate({}, [(t, 2000.0) for t in types])
    assert far.indicator("closeness").status == "failed"
    nothing = _evaluate({}, [])
    none = nothing.indicator("closeness")
    assert (none.status, none.value) == ("failed", None)


def test_closeness_without_categories_is_not_assessed() -> None:
    empty = attrs.evolve(context(), facility_types={})
    assert Closeness().evaluate(empty).status == "not_assessed"


def test_twelve_ones_and_variety_and_quality_on_geometry() -> None:
    placed = [(t, 200.0) for t in TWELVE_ONES] + [("restaurant", 250.0)]
    c = _evaluate({"population": 3000}, placed, brand="好邻居")
    assert c.indicator("twelve_ones").status == "passed"
    assert c.indicator("twelve_ones").score == 1.0
    assert c.indicator("facility_quality").status == "passed"
    assert c.indicator("variety").value == 12
    missing = _evaluate({"population": 3000}, [p for p in placed if p[0] != "clinic"])
    r = missing.indicator("twelve_ones")
    assert r.status == "failed"
    assert r.score == pytest.approx(11 / 12)
    assert [g.facility_type for g in r.gaps] == ["clinic"]
    assert "community clinic" in r.gaps[0].message_en
    assert "社区就医点" in r.gaps[0].message_zh
