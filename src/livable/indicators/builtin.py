"""The built-in indicators of the ``xian-2020`` profile.

Each cites the clause it implements. Distances in messages are whole metres; the decisions
use unrounded distances ("within r" is distance <= r).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np

from livable.indicators.base import CommunityContext, FacilityFilter, Indicator
from livable.models import CATEGORIES
from livable.profile import Profile
from livable.report import Gap, IndicatorResult

__all__ = [
    "BUILTIN_INDICATORS",
    "FacilityQuality",
    "GovernanceScore",
    "GreenRatio",
    "MoreFacilities",
    "Satisfaction",
    "TierAccess",
    "TwelveOnes",
    "Variety",
    "VitalityScore",
]


def _m(distance: float | None) -> str:
    return "none within the search radius" if distance is None else f"{distance:,.0f} m"


def _m_zh(distance: float | None) -> str:
    return "搜索范围内没有" if distance is None else f"{distance:.0f}米"


def _branded_or_quality(min_quality: float) -> FacilityFilter:
    """Select facilities with a brand or a ``quality`` of at least ``min_quality``."""

    def select(columns: Mapping[str, np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
        brand = np.asarray(columns["brand"], dtype=object)
        branded = np.asarray(brand != None, dtype=bool)  # noqa: E711 (elementwise: None or text)
        quality = np.asarray(columns["quality"], dtype=np.float64)
        good: np.ndarray[Any, Any] = np.logical_or(branded, quality >= min_quality)
        return good

    return select


class TwelveOnes(Indicator):
    """``P4``: each of the "12 ones" within the circle, in the count the size class needs."""

    id = "twelve_ones"
    label_en = "the 12 ones"
    label_zh = "12个一"
    clause = "P4"
    requirement = "convenience"
    key_content = "convenience_services"
    unit = "types met"
    rule = (
        "Every facility type the profile requires (the 12 ones) has at least the count its "
        "size class needs within the community's circle (1.2 km or enlarged)."
    )

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """See :class:`Indicator`."""
        profile, size = context.profile, context.size_class
        gaps: list[Gap] = []
        required_types = [t for t in profile.required if profile.required_count(t, size.id) > 0]
        for type_id in required_types:
            need = profile.required_count(type_id, size.id)
            access = context.access[type_id]
            have = access.count_in_circle
            if have >= need:
                continue
            ftype = context.facility_types[type_id]
            r = context.radius_m
            if have == 0:
                en = (
                    f"No {ftype.label_en} within {r:,.0f} m of the centre (nearest: "
                    f"{_m(access.nearest_m)}); a {size.label_en} needs {need}."
                )
                zh = (
                    f"中心{r:.0f}米范围内没有{ftype.label_zh}（最近：{_m_zh(access.nearest_m)}）；"
                    f"{size.label_zh}需要{need}处。"
                )
            else:
                en = (
                    f"Only {have} {ftype.label_en} within {r:,.0f} m of the centre; "
                    f"a {size.label_en} needs {need}."
                )
                zh = f"中心{r:.0f}米范围内{ftype.label_zh}仅{have}处；{size.label_zh}需要{need}处。"
            gaps.append(
                Gap(
                    rule="P4.twelve_ones",
                    message_en=en,
                    message_zh=zh,
                    facility_type=type_id,
                    category=ftype.category,
                    distance_m=access.nearest_m,
                    required=need,
                    found=have,
                )
            )
        met = len(required_types) - len(gaps)
        total = len(required_types)
        if gaps:
            return self.result(
                "failed",
                met,
                f"{met} of {total} required facility types present in the circle",
                f"圈内具备{met}/{total}类必备设施",
                gaps=tuple(gaps),
            )
        return self.result(
            "passed",
            met,
            f"all {total} required facility types present in the circle",
            f"圈内{total}类必备设施齐全",
        )


class TierAccess(Indicator):
    """``P6.tiers``: every service category within its walk tier (5/10/15 minutes)."""

    id = "tier_access"
    label_en = "walk tiers"
    label_zh = "5/10/15分钟步行可达"
    clause = "P6.tiers"
    requirement = "convenience"
    key_content = "convenience_services"
    unit = "categories met"
    rule = (
        "Every service category has a facility within its tier distance from the centre: "
        "5 min (400 m) shopping, leisure, finance; 10 min (800 m) catering, reading, "
        "government, accommodation; 15 min (1200 m) the rest."
    )

    def applies(self, profile: Profile) -> bool:
        """Asked for when the happy grade wants "closer" or livable needs the tiers."""
        return profile.happy.closer or profile.livable_requires_tiers

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """See :class:`Indicator`."""
        profile = context.profile
        by_category: dict[str, list[str]] = {}
        for type_id, ftype in context.facility_types.items():
            if ftype.category is not None and type_id in context.access:
                by_category.setdefault(ftype.category, []).append(type_id)
        gaps: list[Gap] = []
        categories = [c for c in profile.category_tiers if c in by_category]
        for category in categories:
            tier = profile.tier_distance_m(category)
            minutes = profile.category_tiers[category]
            nearest = [context.access[t].nearest_m for t in by_category[category]]
            known = [d for d in nearest if d is not None]
            best = min(known) if known else None
            if best is not None and best <= tier:
                continue
            label = CATEGORIES.get(category)
            en_name = label.label_en if label else category
            zh_name = label.label_zh if label else category
            gaps.append(
                Gap(
                    rule="P6.tiers",
                    message_en=(
                        f"No {en_name} facility within a {minutes:g}-minute walk "
                        f"({tier:,.0f} m); nearest: {_m(best)}."
                    ),
                    message_zh=f"{minutes:g}分钟步行（{tier:.0f}米）内没有{zh_name}设施；最近：{_m_zh(best)}。",
                    category=category,
                    distance_m=best,
                )
            )
        met = len(categories) - len(gaps)
        if gaps:
            return self.result(
                "failed",
                met,
                f"{met} of {len(categories)} categories within their walk tier",
                f"{met}/{len(categories)}类服务在步行时限内",
                gaps=tuple(gaps),
            )
        return self.result(
            "passed",
            met,
            f"all {len(categories)} categories within their walk tier",
            f"全部{len(categories)}类服务在步行时限内",
        )


class MoreFacilities(Indicator):
    """``P5`` "more": each of the 12 ones at more than livable asks."""

    id = "more_facilities"
    label_en = "more facilities"
    label_zh = "数量更多"
    clause = "P5"
    requirement = "convenience"
    key_content = "convenience_services"
    unit = "types met"
    rule = "Each required type has at least `happy.more_extra` more than livable asks."

    def applies(self, profile: Profile) -> bool:
        """Asked for unless ``happy.more_extra`` is off."""
        return profile.happy.more_extra is not None

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """See :class:`Indicator`."""
        profile, size = context.profile, context.size_class
        extra = profile.happy.more_extra or 0
        gaps: list[Gap] = []
        types = [t for t in profile.required if profile.required_count(t, size.id) > 0]
        for type_id in types:
            need = profile.required_count(type_id, size.id) + extra
            have = context.access[type_id].count_in_circle
            if have < need:
                ftype = context.facility_types[type_id]
                gaps.append(
                    Gap(
                        rule="P5.more_facilities",
                        message_en=f"{have} {ftype.label_en} in the circle; happy asks for {need}.",
                        message_zh=f"圈内{ftype.label_zh}{have}处；幸福社区需要{need}处。",
                        facility_type=type_id,
                        category=ftype.category,
                        required=need,
                        found=have,
                    )
                )
        met = len(types) - len(gaps)
        return self.result(
            "failed" if gaps else "passed",
            met,
            f"{met} of {len(types)} types at the happy count",
            f"{met}/{len(types)}类设施达到幸福社区数量",
            gaps=tuple(gaps),
        )


class Variety(Indicator):
    """``P5`` "more kinds": distinct facility types within the circle."""

    id = "variety"
    label_en = "more kinds"
    label_zh = "种类更全"
    clause = "P5"
    requirement = "convenience"
    key_content = "convenience_services"
    unit = "kinds"
    rule = "At least `happy.min_kinds` distinct facility types within the circle."

    def applies(self, profile: Profile) -> bool:
        """Asked for unless ``happy.min_kinds`` is off."""
        return profile.happy.min_kinds is not None

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """See :class:`Indicator`."""
        need = context.profile.happy.min_kinds or 0
        kinds = sum(1 for a in context.access.values() if a.count_in_circle > 0)
        if kinds >= need:
            return self.result(
                "passed",
                kinds,
                f"{kinds} kinds of facility in the circle (>= {need})",
                f"圈内设施{kinds}类（≥{need}）",
            )
        en = f"{kinds} kinds of facility in the circle; happy asks for {need}."
        zh = f"圈内设施{kinds}类；幸福社区需要{need}类。"
        return self.result(
            "failed",
            kinds,
            en,
            zh,
            gaps=(
                Gap(rule="P5.variety", message_en=en, message_zh=zh, required=need, found=kinds),
            ),
        )


class FacilityQuality(Indicator):
    """``P4``/``P5`` quality: a *branded* convenience store, a *trusted* breakfast outlet."""

    id = "facility_quality"
    label_en = "facility quality"
    label_zh = "品质更高"
    clause = "P5"
    requirement = "convenience"
    key_content = "market_services"
    inputs = frozenset({"access", "facility_attributes"})
    unit = "types met"
    rule = (
        "Each of `happy.quality_types` has, within the circle, a facility with a `brand` or "
        "a `quality` of at least `happy.min_quality`."
    )

    def applies(self, profile: Profile) -> bool:
        """Asked for when the profile names quality types."""
        return bool(profile.happy.quality_types)

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """See :class:`Indicator`."""
        happy = context.profile.happy
        gaps: list[Gap] = []
        for type_id in happy.quality_types:
            if context.in_circle(type_id, where=_branded_or_quality(happy.min_quality)):
                continue
            ftype = context.facility_types.get(type_id)
            en_name = ftype.label_en if ftype else type_id
            zh_name = ftype.label_zh if ftype else type_id
            gaps.append(
                Gap(
                    rule="P5.facility_quality",
                    message_en=(
                        f"No {en_name} with a brand or quality >= {happy.min_quality:g} "
                        "within the circle."
                    ),
                    message_zh=f"圈内没有品牌或品质≥{happy.min_quality:g}的{zh_name}。",
                    facility_type=type_id,
                    category=ftype.category if ftype else None,
                )
            )
        met = len(happy.quality_types) - len(gaps)
        return self.result(
            "failed" if gaps else "passed",
            met,
            f"{met} of {len(happy.quality_types)} types with a branded or high-quality facility",
            f"{met}/{len(happy.quality_types)}类设施有品牌或高品质网点",
            gaps=tuple(gaps),
        )


class _Threshold(Indicator):
    """An indicator comparing a numeric community attribute with a profile minimum."""

    attribute: ClassVar[str]
    field: ClassVar[str]
    inputs = frozenset({"community_attributes"})

    def minimum(self, profile: Profile) -> float | None:
        value: float | None = getattr(profile.happy, self.field)
        return value

    def applies(self, profile: Profile) -> bool:
        """Asked for unless the profile switches the criterion off."""
        return self.minimum(profile) is not None

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """See :class:`Indicator`."""
        minimum = self.minimum(context.profile)
        assert minimum is not None
        return self.from_attribute(
            context,
            self.attribute,
            lambda v: float(v) >= minimum,
            threshold_en=f"the minimum of {minimum:g}",
            threshold_zh=f"最低要求{minimum:g}",
        )


class GreenRatio(_Threshold):
    """``P5`` environment (``P2.C3`` ecology): the community's green space ratio."""

    id = "green_ratio"
    label_en = "green space ratio"
    label_zh = "绿地率"
    clause = "P5"
    requirement = "harmony"
    key_content = "ecology"
    attribute = "green_ratio"
    field = "green_ratio_min"
    unit = "share"
    rule = "Community attribute `green_ratio` (0-1) at least `happy.green_ratio_min`."


class GovernanceScore(_Threshold):
    """``P5`` better governance (``P2.C5``): the district's governance score."""

    id = "governance"
    label_en = "governance score"
    label_zh = "治理评分"
    clause = "P5"
    requirement = "harmony"
    key_content = "governance"
    attribute = "governance_score"
    field = "governance_min"
    unit = "score"
    rule = "Community attribute `governance_score` (0-100) at least `happy.governance_min`."


class VitalityScore(_Threshold):
    """``P5`` more vitality (``P2.C6`` innovation): the community's vitality score."""

    id = "vitality"
    label_en = "vitality score"
    label_zh = "活力评分"
    clause = "P5"
    requirement = "harmony"
    key_content = "innovation"
    attribute = "vitality_score"
    field = "vitality_min"
    unit = "score"
    rule = "Community attribute `vitality_score` (0-100) at least `happy.vitality_min`."


class Satisfaction(_Threshold):
    """``P5`` residents' evaluation (``P2.C5``): the share satisfied in the survey."""

    id = "satisfaction"
    label_en = "residents' satisfaction"
    label_zh = "群众满意度"
    clause = "P5"
    requirement = "harmony"
    key_content = "governance"
    attribute = "satisfaction"
    field = "satisfaction_min"
    unit = "share"
    rule = "Community attribute `satisfaction` (0-1) at least `happy.satisfaction_min`."


def builtin_indicators() -> Iterable[Indicator]:
    """Fresh instances of every built-in indicator."""
    return [cls() for cls in BUILTIN_INDICATORS]


BUILTIN_INDICATORS: tuple[type[Indicator], ...] = (
    TwelveOnes,
    TierAccess,
    MoreFacilities,
    Variety,
    FacilityQuality,
    GreenRatio,
    GovernanceScore,
    VitalityScore,
    Satisfaction,
)
"""The built-in indicator classes, registered by the built-in plugin."""
