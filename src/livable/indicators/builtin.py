"""The built-in indicators of the ``xian-2020`` profile.

Each cites the clause it implements. Distances in messages are whole metres; the decisions
use unrounded distances ("within r" is distance <= r).
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

import attrs
import numpy as np

from livable._numbers import finite_float
from livable._text import show
from livable.indicators.base import (
    CommunitiesContext,
    CommunityContext,
    Indicator,
    PerFacility,
    echo_zh,
    value_key,
)
from livable.models import CATEGORIES, FLAG_QUALIFIERS, Gap, IndicatorResult, Provisional
from livable.profile import Profile

__all__ = [
    "BUILTIN_INDICATORS",
    "Closeness",
    "CommunityWorkers",
    "DigitalPlatform",
    "EmergencyPlan",
    "EmploymentService",
    "FacilityQuality",
    "GovernanceScore",
    "GreenRatio",
    "LowCarbon",
    "MoreFacilities",
    "ParcelPoints",
    "PropertyManagement",
    "Satisfaction",
    "SensingCoverage",
    "SizeClassIndicator",
    "SurveyHeld",
    "TierAccess",
    "TwelveOnes",
    "Variety",
    "VitalityScore",
    "builtin_indicators",
    "qualifier_filters",
]


def _m(distance: float | None) -> str:
    return "none within the search radius" if distance is None else f"{distance:,.0f} m"


def _m_zh(distance: float | None, search_m: float) -> str:
    """Where the nearest one is, as a district report says it."""
    if distance is None:
        return f"{search_m:.0f}米范围内也没有"
    return f"最近的在{distance:.0f}米处"


def _branded_or_quality(min_quality: float) -> PerFacility:
    """Select facilities with a brand or a ``quality`` of at least ``min_quality``."""

    def select(columns: Mapping[str, np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
        brand = np.asarray(columns["brand"], dtype=object)
        branded = np.asarray(brand != None, dtype=bool)  # noqa: E711 (elementwise: None or text)
        quality = np.asarray(columns["quality"], dtype=np.float64)
        good: np.ndarray[Any, Any] = np.logical_or(branded, quality >= min_quality)
        return good

    return PerFacility(("branded_or_quality", min_quality), select)


_QUALIFIER_WORDS = {  # P4: what the qualifier makes of the type (en, zh)
    "brand": ("branded chain stores", "品牌连锁店"),
    "certified": ("outlets of the trusted-breakfast programme", "放心早餐网点"),
    "specialty": ("specialty restaurants", "特色餐馆"),
}


def _has(column: Any) -> np.ndarray[Any, Any]:
    """Where a column of texts or flags holds a value (not ``None``)."""
    values = np.asarray(column, dtype=object)
    return np.asarray(values != None, dtype=bool)  # noqa: E711 (elementwise: None or a value)


def qualifier_filters(qualifier: str, brand_names: Iterable[str]) -> tuple[PerFacility, ...]:
    """``P4``: the facilities that say whether they have ``qualifier`` and those that have it.

    ``brand``: a facility with a ``brand`` has it; with the profile's ``brand_names``, a
    facility whose ``name`` contains one (any case) has it, and any other named facility
    says it has not. ``certified``/``specialty``: the facility's own true/false property.
    Both decide each facility alone (:class:`~livable.indicators.base.PerFacility`).

    >>> says, has = qualifier_filters("brand", ["罗森"])
    >>> cols = {"brand": np.array([None, "Lawson", None, None], dtype=object),
    ...         "name": np.array(["罗森(小寨店)", None, "张记便利店", None], dtype=object)}
    >>> says(cols).tolist(), has(cols).tolist()
    ([True, True, True, False], [True, True, False, False])
    """
    if qualifier == "brand":
        names = tuple(n.casefold() for n in brand_names)

        def says_brand(columns: Mapping[str, np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
            said = _has(columns["brand"])
            return said | _has(columns["name"]) if names else said

        brand_in = re.compile("|".join(re.escape(n) for n in names)).search if names else None

        def has_brand(columns: Mapping[str, np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
            named = [
                n is not None and brand_in is not None and brand_in(str(n).casefold()) is not None
                for n in np.asarray(columns["name"], dtype=object).tolist()
            ]
            branded: np.ndarray[Any, Any] = _has(columns["brand"]) | np.array(named, dtype=bool)
            return branded

        return (
            PerFacility(("says", qualifier, names), says_brand),
            PerFacility(("has", qualifier, names), has_brand),
        )

    def says(columns: Mapping[str, np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
        return _has(columns[qualifier])

    def has(columns: Mapping[str, np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
        return np.array([v is True for v in columns[qualifier].tolist()], dtype=bool)

    return PerFacility(("says", qualifier), says), PerFacility(("has", qualifier), has)


def _attribute_keys(communities: CommunitiesContext, name: str) -> list[Any]:
    """Per community, :func:`~livable.indicators.base.value_key` of one attribute."""
    return [value_key(c.attributes.get(name)) for c in communities.communities]


def _size_needs(
    communities: CommunitiesContext,
) -> tuple[list[str], Callable[[str], np.ndarray[Any, Any]]]:
    """Every community's size class id, and per facility type the count each community's
    size class requires (``P4``), looked up once per size class."""
    profile = communities.profile
    sizes = [s.id for s in communities.size_classes]
    code = {s: k for k, s in enumerate(dict.fromkeys(sizes))}
    size_code = np.array([code[s] for s in sizes], dtype=np.int64)

    def need(type_id: str) -> np.ndarray[Any, Any]:
        needs = np.array([profile.required_count(type_id, s) for s in code], dtype=np.int64)
        return needs[size_code] if sizes else np.zeros(0, dtype=np.int64)

    return sizes, need


def _tier_columns(communities: CommunitiesContext) -> dict[str, list[int]]:
    """The columns of each category with a tier distance (``P6.tiers``): its types'."""
    tiers = communities.profile.category_tiers
    columns: dict[str, list[int]] = {}
    for j, type_id in enumerate(communities.type_ids):
        ftype = communities.facility_types.get(type_id)
        if ftype is not None and ftype.category is not None and ftype.category in tiers:
            columns.setdefault(ftype.category, []).append(j)
    return columns


def _label(context: CommunityContext, gap: Gap, zh: bool) -> str:
    ftype = context.facility_types.get(gap.facility_type or "")
    if ftype is None:
        return gap.facility_type or "?"
    return ftype.label_zh if zh else ftype.label_en


def _category(category: str | None, zh: bool) -> str:
    label = CATEGORIES.get(category or "")
    if label is None:
        return category or "?"
    return label.label_zh if zh else label.label_en


_FURTHER = (", an additional category for its size", "需增加这一保障品类，")
"""How a gap names a type beyond the 12 ones (``P4`` 大、中型社区适当增加保障品类)."""


class TwelveOnes(Indicator):
    """``P4``: each of the "12 ones" within the circle, in the count the size class needs."""

    id = "twelve_ones"
    label_en = "the 12 ones"
    label_zh = "12个一"
    clause = "P4"
    requirement = "convenience"
    key_content = "convenience_services"
    reads = FLAG_QUALIFIERS  # facility properties: 放心早餐网点, 特色餐馆
    unit = "types met"
    rule = (
        "Every facility type the profile requires (the 12 ones, and for medium and large "
        "communities their further categories) has at least the count its "
        "size class needs within the community's circle (1.2 km or enlarged); of the "
        "qualified types only branded stores, trusted-breakfast outlets and specialty "
        "restaurants count where the facilities say (else the grade is provisional)."
    )

    def bulk_keys(self, communities: CommunitiesContext) -> list[Any]:
        """See :meth:`livable.Indicator.bulk_keys`: a community with every required type met shares
        its result with those of its size class whose qualifiers are provisional alike."""
        profile = communities.profile
        sizes, needed = _size_needs(communities)
        clean = np.ones(len(communities), dtype=bool)
        flags: list[np.ndarray[Any, Any]] = []
        for type_id in profile.required:
            need = needed(type_id)
            column = communities.column(type_id)
            if column is None:  # not a type of the run: evaluate says so
                clean &= need <= 0
                continue
            have = communities.count_in_circle[:, column]
            ok = have >= need
            qualifier = communities.facility_types[type_id].qualifier
            if qualifier is not None:
                says, has = qualifier_filters(qualifier, profile.brand_names)
                said = communities.counts_where(type_id, says)
                good = communities.counts_where(type_id, has)
                short = (have > 0) & (good < need)
                provisional = short & (said < have) & (good + (have - said) >= need)
                ok &= ~(short & ~provisional)
                flags.append(provisional & (need > 0))
            clean &= ok | (need <= 0)
        rows = np.stack(flags, axis=1).tolist() if flags else [[]] * len(sizes)
        return [
            (size, tuple(row)) if fine else None
            for size, row, fine in zip(sizes, rows, clean.tolist(), strict=True)
        ]

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """See :class:`Indicator`."""
        profile, size = context.profile, context.size_class
        gaps: list[Gap] = []
        provisional: list[Provisional] = []
        required_types = [t for t in profile.required if profile.required_count(t, size.id) > 0]
        for type_id in required_types:
            need = profile.required_count(type_id, size.id)
            access = context.access[type_id]
            have = access.count_in_circle
            ftype = context.facility_types[type_id]
            r = context.radius_m
            if ftype.qualifier is not None and have > 0:
                qualified = self._qualified(context, type_id, ftype.qualifier, need)
                if isinstance(qualified, Provisional):
                    provisional.append(qualified)
                elif qualified is not None:
                    gaps.append(qualified)
                    continue
            if have >= need:
                continue
            # P4 大、中型社区适当增加保障品类: a type beyond the 12 ones is a further category
            more_en, more_zh = ("", "") if ftype.twelve_ones else _FURTHER
            if have == 0:
                en = (
                    f"No {ftype.label_en} within {r:,.0f} m of the centre (nearest: "
                    f"{_m(access.nearest_m)}); a {size.label_en} needs {need}{more_en}."
                )
                zh = (
                    f"社区中心{r:.0f}米范围内没有{ftype.label_zh}"
                    f"（{_m_zh(access.nearest_m, profile.search_radius_m)}）；"
                    f"{size.label_zh}{more_zh}需要{need}处。"
                )
            else:
                en = (
                    f"Only {have} {ftype.label_en} within {r:,.0f} m of the centre; "
                    f"a {size.label_en} needs {need}{more_en}."
                )
                zh = (
                    f"社区中心{r:.0f}米范围内{ftype.label_zh}仅{have}处；"
                    f"{size.label_zh}{more_zh}需要{need}处。"
                )
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
        further = any(not context.facility_types[t].twelve_ones for t in required_types)
        what_en = f" (the 12 ones and a {size.label_en}'s further categories)" if further else ""
        what_zh = f"“12个一”及{size.label_zh}增加的保障品类" if further else "“12个一”"
        if gaps:
            return self.result(
                "failed",
                met,
                f"{met} of {total} required facility types{what_en} present in the circle in "
                f"the counts a {size.label_en} needs; short: "
                + ", ".join(f"{_label(context, g, False)} ({g.found}/{g.required})" for g in gaps),
                f"{what_zh}中{met}类达到{size.label_zh}的配置数量（共{total}类）；不足："
                + "、".join(
                    f"{_label(context, g, True)}（现有{g.found}处，需要{g.required}处）"
                    for g in gaps
                ),
                gaps=tuple(gaps),
                score=met / total,
                provisional=tuple(provisional),
            )
        return self.result(
            "passed",
            met,
            f"all {total} required facility types{what_en} present in the circle in the "
            f"counts a {size.label_en} needs",
            f"{what_zh}{'共' if further else ''}{total}类设施齐全，达到{size.label_zh}的配置数量",
            provisional=tuple(provisional),
        )

    @staticmethod
    def _qualified(
        context: CommunityContext, type_id: str, qualifier: str, need: int
    ) -> Gap | Provisional | None:
        """``P4``'s qualifier of a type (品牌, 放心早餐, 特色) in the circle: a gap when the
        facilities say they lack it, provisional when none says, ``None`` when met."""
        ftype, size = context.facility_types[type_id], context.size_class
        says, has = qualifier_filters(qualifier, context.profile.brand_names)
        total = context.access[type_id].count_in_circle
        said = context.count_in_circle(type_id, where=says)
        good = context.count_in_circle(type_id, where=has)
        q_en, q_zh = _QUALIFIER_WORDS[qualifier]
        if good >= need:
            return None
        if said < total and good + (total - said) >= need:  # the unsaid ones decide
            return Provisional(
                reason=f"qualifier:{type_id}",
                clause="P4",
                message_en=(
                    f"the input does not say whether its {ftype.noun_en}s are {q_en}, so every "
                    f"{ftype.noun_en} in the circle counted as a {ftype.label_en}"
                ),
                message_zh=(
                    f"输入数据未注明{ftype.noun_zh}是否为{q_zh}，服务圈内的{ftype.noun_zh}"
                    f"均按{ftype.label_zh}计数"
                ),
            )
        if total < need:  # too few of any kind: the count's own gap says so
            return None
        r = context.radius_m
        if good == 0:
            en = (
                f"The {total} {ftype.noun_en}(s) within {r:,.0f} m of the centre are none of "
                f"them {q_en}; a {size.label_en} needs {need} {ftype.label_en}."
            )
            zh = f"服务圈内{ftype.noun_zh}均非{q_zh}；{size.label_zh}需要{ftype.label_zh}{need}处。"
        else:
            en = (
                f"Only {good} of the {total} {ftype.noun_en}s within {r:,.0f} m of the centre "
                f"are {q_en}; a {size.label_en} needs {need}."
            )
            zh = (
                f"服务圈内{ftype.noun_zh}{total}处，其中{q_zh}仅{good}处；"
                f"{size.label_zh}需要{need}处。"
            )
        return Gap(
            rule="P4.twelve_ones",
            message_en=en,
            message_zh=zh,
            facility_type=type_id,
            category=ftype.category,
            distance_m=context.access[type_id].nearest_m,
            required=need,
            found=good,
        )


class TierAccess(Indicator):
    """``P6.tiers``: every service category within its walk tier (5/10/15 minutes)."""

    id = "tier_access"
    label_en = "walk tiers"
    label_zh = "步行5、10、15分钟可达"
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

    def bulk_keys(self, communities: CommunitiesContext) -> list[Any]:
        """See :meth:`livable.Indicator.bulk_keys`: every community with all categories within
        their tier shares one result."""
        profile = communities.profile
        ok = np.ones(len(communities), dtype=bool)
        for category, columns in _tier_columns(communities).items():
            near = communities.nearest_m[:, columns]
            best = np.fmin.reduce(near, axis=1) if near.size else np.full(len(ok), np.nan)
            ok &= best <= profile.tier_distance_m(category)
        return ["passed" if fine else None for fine in ok.tolist()]

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
                    message_zh=(
                        f"步行{minutes:g}分钟（{tier:.0f}米）范围内没有{zh_name}服务设施"
                        f"（{_m_zh(best, profile.search_radius_m)}）。"
                    ),
                    category=category,
                    distance_m=best,
                )
            )
        met = len(categories) - len(gaps)
        if gaps:
            return self.result(
                "failed",
                met,
                f"{met} of {len(categories)} categories within their walk tier; beyond: "
                + ", ".join(_category(g.category, False) for g in gaps),
                f"{len(categories)}类服务中{met}类在规定步行时间内可达；未达到："
                + "、".join(_category(g.category, True) for g in gaps),
                gaps=tuple(gaps),
                score=met / len(categories),
            )
        return self.result(
            "passed",
            met,
            f"all {len(categories)} categories within their walk tier",
            f"{len(categories)}类服务均在规定步行时间内可达",
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

    def bulk_keys(self, communities: CommunitiesContext) -> list[Any]:
        """See :meth:`livable.Indicator.bulk_keys`: the size class and the counts of the types
        short of the happy count."""
        profile = communities.profile
        extra = profile.happy.more_extra or 0
        sizes, needed = _size_needs(communities)
        shown: list[np.ndarray[Any, Any]] = []
        for type_id in profile.required:
            column = communities.column(type_id)
            if column is None:
                return [None] * len(sizes)
            need = needed(type_id)
            have = communities.count_in_circle[:, column]
            shown.append(np.where((need > 0) & (have < need + extra), have, -1))
        rows = np.stack(shown, axis=1).tolist() if shown else [[]] * len(sizes)
        return [(size, tuple(row)) for size, row in zip(sizes, rows, strict=True)]

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
                        message_zh=f"服务圈内{ftype.label_zh}{have}处；幸福社区需要{need}处。",
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
            f"{len(types)}类设施中{met}类达到幸福社区的配置数量",
            gaps=tuple(gaps),
            score=met / len(types) if types else None,
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

    def bulk_keys(self, communities: CommunitiesContext) -> list[Any]:
        """See :meth:`livable.Indicator.bulk_keys`: the number of kinds in the circle."""
        kinds: list[Any] = (communities.count_in_circle > 0).sum(axis=1).tolist()
        return kinds

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """See :class:`Indicator`."""
        need = context.profile.happy.min_kinds or 0
        kinds = sum(1 for a in context.access.values() if a.count_in_circle > 0)
        if kinds >= need:
            return self.result(
                "passed",
                kinds,
                f"{kinds} kinds of facility in the circle (>= {need})",
                f"服务圈内有{kinds}类设施，达到{need}类的要求",
            )
        en = f"{kinds} kinds of facility in the circle; happy asks for {need}."
        zh = f"服务圈内有{kinds}类设施；幸福社区需要{need}类。"
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

    def bulk_keys(self, communities: CommunitiesContext) -> list[Any]:
        """See :meth:`livable.Indicator.bulk_keys`: which quality types have a selected facility."""
        happy = communities.profile.happy
        select = _branded_or_quality(happy.min_quality)
        found = [communities.counts_where(t, select) > 0 for t in happy.quality_types]
        if not found:
            return [()] * len(communities)
        return [tuple(row) for row in np.stack(found, axis=1).tolist()]

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """See :class:`Indicator`."""
        happy = context.profile.happy
        gaps: list[Gap] = []
        for type_id in happy.quality_types:
            if context.count_in_circle(type_id, where=_branded_or_quality(happy.min_quality)):
                continue
            ftype = context.facility_types.get(type_id)
            en_name = ftype.plain_en if ftype else type_id
            zh_name = ftype.plain_zh if ftype else type_id
            gaps.append(
                Gap(
                    rule="P5.facility_quality",
                    message_en=(
                        f"No {en_name} with a brand or quality >= {happy.min_quality:g} "
                        "within the circle."
                    ),
                    message_zh=(
                        f"服务圈内没有品牌连锁或品质评分达到{happy.min_quality:g}分的{zh_name}。"
                    ),
                    facility_type=type_id,
                    category=ftype.category if ftype else None,
                )
            )
        met = len(happy.quality_types) - len(gaps)
        return self.result(
            "failed" if gaps else "passed",
            met,
            f"{met} of {len(happy.quality_types)} types with a branded or high-quality facility",
            f"{len(happy.quality_types)}类设施中{met}类有品牌连锁或高品质网点",
            gaps=tuple(gaps),
            score=met / len(happy.quality_types),
        )


class _Threshold(Indicator):
    """An indicator comparing a numeric community attribute with a profile minimum."""

    attribute: ClassVar[str]
    field: ClassVar[str]
    inputs = frozenset({"community_attributes"})
    low: ClassVar[float | None] = 0.0
    high: ClassVar[float | None] = None

    def minimum(self, profile: Profile) -> float | None:
        value: float | None = getattr(profile.happy, self.field)
        return value

    def applies(self, profile: Profile) -> bool:
        """Asked for unless the profile switches the criterion off."""
        return self.minimum(profile) is not None

    def bulk_keys(self, communities: CommunitiesContext) -> list[Any]:
        """See :meth:`livable.Indicator.bulk_keys`: the attribute's value."""
        return _attribute_keys(communities, self.attribute)

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
            low=self.low,
            high=self.high,
        )


class GreenRatio(_Threshold):
    """``P5`` environment (``P2.C3`` ecology): the community's green space ratio.

    Reads community attribute ``green_ratio``: green space as a share of the community's
    area, 0-1. Missing or outside 0-1: not assessed.
    """

    id = "green_ratio"
    label_en = "green space ratio"
    label_zh = "绿地率"
    clause = "P5"
    requirement = "harmony"
    key_content = "ecology"
    attribute = "green_ratio"
    field = "green_ratio_min"
    unit = "share"
    high = 1.0
    rule = "Community attribute `green_ratio` (0-1) at least `happy.green_ratio_min`."


class GovernanceScore(_Threshold):
    """``P5`` better governance (``P2.C5``): the district's governance score.

    Reads community attribute ``governance_score``: the district's assessment score of the
    community's governance, 0-100. Missing or outside 0-100: not assessed.
    """

    id = "governance"
    label_en = "governance score"
    label_zh = "治理评分"
    clause = "P5"
    requirement = "harmony"
    key_content = "governance"
    attribute = "governance_score"
    field = "governance_min"
    unit = "score"
    high = 100.0
    rule = "Community attribute `governance_score` (0-100) at least `happy.governance_min`."


class VitalityScore(_Threshold):
    """``P5`` more vitality (``P2.C6`` innovation): the community's vitality score.

    Reads community attribute ``vitality_score``: the district's assessment score of the
    community's vitality, 0-100. Missing or outside 0-100: not assessed.
    """

    id = "vitality"
    label_en = "vitality score"
    label_zh = "活力评分"
    clause = "P5"
    requirement = "harmony"
    key_content = "innovation"
    attribute = "vitality_score"
    field = "vitality_min"
    unit = "score"
    high = 100.0
    rule = "Community attribute `vitality_score` (0-100) at least `happy.vitality_min`."


class Satisfaction(_Threshold):
    """``P5`` residents' evaluation (``P2.C5``): the share satisfied in the survey.

    Reads community attribute ``satisfaction``: the share of surveyed residents satisfied,
    0-1. Missing or outside 0-1: not assessed.
    """

    id = "satisfaction"
    label_en = "residents' satisfaction"
    label_zh = "群众满意度"
    clause = "P5"
    requirement = "harmony"
    key_content = "governance"
    attribute = "satisfaction"
    field = "satisfaction_min"
    unit = "share"
    high = 1.0
    rule = "Community attribute `satisfaction` (0-1) at least `happy.satisfaction_min`."


class SizeClassIndicator(Indicator):
    """``P4``: the community's size class, from its resident population.

    Reads the community's ``population`` (residents). Without one the community is graded
    as the smallest class and this indicator is "not assessed" (DESIGN.md), so the report
    says the 12 ones were checked at the small community's counts.
    """

    id = "size_class"
    label_en = "size class"
    label_zh = "社区规模"
    clause = "P4"
    requirement = "convenience"
    key_content = "convenience_services"
    inputs = frozenset({"community_attributes"})
    unit = "size class"
    rule = (
        "The community's `population` (residents) gives its size class (profile "
        "`size_classes`), which scales the counts of the 12 ones; without it: not assessed, "
        "graded as the smallest class."
    )

    def bulk_keys(self, communities: CommunitiesContext) -> list[Any]:
        """See :meth:`livable.Indicator.bulk_keys`: the population."""
        return [value_key(c.population) for c in communities.communities]

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """See :class:`Indicator`."""
        size = context.size_class
        population = context.community.population
        if population is None:
            smallest = context.profile.size_classes[0]
            return self.not_assessed(
                f"no population given; graded as a {smallest.label_en}",
                f"未提供常住人口，按{smallest.label_zh}的配置数量评定",
                ask_en="give 'population' (residents)",
                ask_zh="请提供常住人口数",
            )
        return self.result(
            "passed",
            size.id,
            f"{population:,} residents: a {size.label_en}",
            f"常住人口{population}人：{size.label_zh}",
        )


class Closeness(Indicator):
    """``P5`` "closer" (``P6.tiers``): the median category's distance against its tier.

    For each service category of the profile, the nearest facility of any of its types is
    divided by the category's tier distance (none within the search radius counts as
    infinitely far); the value is the median of these ratios over the categories. At most
    ``framework.closeness_max_ratio`` (1.0: the typical category within its tier) passes.
    """

    id = "closeness"
    label_en = "closeness"
    label_zh = "距离更近"
    clause = "P5"
    requirement = "convenience"
    key_content = "convenience_services"
    unit = "x tier"
    rule = (
        "Median over the service categories of (nearest facility distance / tier distance) "
        "at most `framework.closeness_max_ratio`."
    )

    def applies(self, profile: Profile) -> bool:
        """Asked for unless ``framework.closeness_max_ratio`` is off."""
        return profile.framework.closeness_max_ratio is not None

    def bulk_keys(self, communities: CommunitiesContext) -> list[Any]:
        """See :meth:`livable.Indicator.bulk_keys`: the median ratio over every community
        at once (the same floats as :meth:`evaluate`'s: per category the minimum of its
        types' nearest distances, none within reach infinite, divided by its tier
        distance; the median as :func:`statistics.median` takes it), keyed by what the
        result shows of it: the number of categories, passed or not, the rounded value
        and the two-decimal text."""
        profile = communities.profile
        limit = profile.framework.closeness_max_ratio
        assert limit is not None
        columns = _tier_columns(communities)
        n = len(communities)
        if not columns:
            return [("none",)] * n
        cats = sorted(columns)
        nearest = np.where(np.isnan(communities.nearest_m), np.inf, communities.nearest_m)
        ratios = np.empty((n, len(cats)), dtype=np.float64)
        for k, category in enumerate(cats):
            ratios[:, k] = nearest[:, columns[category]].min(axis=1) / profile.tier_distance_m(
                category
            )
        ratios.sort(axis=1)
        half = len(cats) // 2
        median = ratios[:, half] if len(cats) % 2 else (ratios[:, half - 1] + ratios[:, half]) / 2
        return [
            (len(cats), m <= limit, round(m, 4), f"{m:.2f}")
            if math.isfinite(m)
            else (len(cats), m <= limit, None, "inf")
            for m in median.tolist()
        ]

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """See :class:`Indicator`."""
        profile = context.profile
        limit = profile.framework.closeness_max_ratio
        assert limit is not None
        by_category: dict[str, list[float]] = {}
        for type_id, access in context.access.items():
            ftype = context.facility_types.get(type_id)
            category = None if ftype is None else ftype.category
            if category is None or category not in profile.category_tiers:
                continue
            near = math.inf if access.nearest_m is None else access.nearest_m
            by_category.setdefault(category, []).append(near)
        if not by_category:
            return self.not_assessed(
                "no facility type serves a service category",
                "没有属于服务类别的设施类型",
                ask_en="register facility types with categories",
                ask_zh="请登记属于服务类别的设施类型",
            )
        cats = sorted(by_category)
        median = statistics.median(min(by_category[c]) / profile.tier_distance_m(c) for c in cats)
        if math.isfinite(median):
            shown_en = f"median nearest distance {median:.2f} x tier over {len(cats)} categories"
            shown_zh = f"{len(cats)}类服务最近距离的中位数为规定步行距离的{median:.2f}倍"
        else:
            shown_en = f"the median of {len(cats)} categories has none within the search radius"
            shown_zh = f"{len(cats)}类服务中有半数在搜索范围内没有设施"
        return self.judged(
            median <= limit,
            round(median, 4) if math.isfinite(median) else None,
            shown_en=shown_en,
            shown_zh=shown_zh,
            threshold_en=f"the maximum of {limit:g} x tier",
            threshold_zh=f"不超过{limit:g}倍",
        )


class ParcelPoints(Indicator):
    """``P2.C2`` market services, logistics and delivery: parcel points in the circle.

    Counts facilities of type ``parcel_point`` within the community's circle; at least
    ``framework.parcel_points_min`` passes. If no ``parcel_point`` type is registered: not
    assessed.
    """

    id = "parcel_points"
    label_en = "parcel pick-up points"
    label_zh = "快递驿站"
    clause = "P2.C2"
    requirement = "convenience"
    key_content = "market_services"
    unit = "facilities"
    rule = "At least `framework.parcel_points_min` `parcel_point` facilities within the circle."

    def applies(self, profile: Profile) -> bool:
        """Asked for unless ``framework.parcel_points_min`` is off."""
        return profile.framework.parcel_points_min is not None

    def bulk_keys(self, communities: CommunitiesContext) -> list[Any]:
        """See :meth:`livable.Indicator.bulk_keys`: the count in the circle and the nearest
        distance (one key for all when the type is not registered)."""
        column = communities.column("parcel_point")
        if column is None:
            return ["unregistered"] * len(communities)
        have = communities.count_in_circle[:, column].tolist()
        near = [repr(d) for d in communities.nearest_m[:, column].tolist()]
        return list(zip(have, near, strict=True))

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """See :class:`Indicator`."""
        need = context.profile.framework.parcel_points_min
        assert need is not None
        access = context.access.get("parcel_point")
        if access is None:
            return self.not_assessed(
                "facility type 'parcel_point' is not registered",
                "未登记快递驿站这一设施类型",
                ask_en="register the 'parcel_point' facility type",
                ask_zh="请登记快递驿站设施类型",
            )
        have = access.count_in_circle
        result = self.judged(
            have >= need,
            have,
            shown_en=f"{have} in the circle (nearest: {_m(access.nearest_m)})",
            shown_zh=(
                f"服务圈内{have}处（{_m_zh(access.nearest_m, context.profile.search_radius_m)}）"
            ),
            threshold_en=f"the minimum of {need}",
            threshold_zh=f"最低要求{need}处",
        )
        gaps = tuple(
            attrs.evolve(
                g,
                facility_type="parcel_point",
                distance_m=access.nearest_m,
                required=need,
                found=have,
            )
            for g in result.gaps
        )
        return attrs.evolve(result, gaps=gaps)


def _share_of(value: Any) -> Any:
    """``true``/``false`` as all/none (1.0/0.0); other values unchanged."""
    return float(value) if isinstance(value, bool) else value


class PropertyManagement(Indicator):
    """``P2.C2`` market services: professional property management.

    Reads community attribute ``property_management``: the share (0-1) of the community's
    residential estates served by professional property management; ``true``/``false``
    mean all/none. At least ``framework.property_management_min`` passes. Missing, not a
    number or outside 0-1: not assessed.
    """

    id = "property_management"
    reads = ("property_management",)
    label_en = "property management"
    label_zh = "物业服务覆盖"
    clause = "P2.C2"
    requirement = "smart"
    key_content = "market_services"
    inputs = frozenset({"community_attributes"})
    unit = "share"
    rule = (
        "Community attribute `property_management` (share of estates with professional "
        "property management, 0-1, or true/false) at least `framework.property_management_min`."
    )

    def applies(self, profile: Profile) -> bool:
        """Asked for unless ``framework.property_management_min`` is off."""
        return profile.framework.property_management_min is not None

    def bulk_keys(self, communities: CommunitiesContext) -> list[Any]:
        """See :meth:`livable.Indicator.bulk_keys`: the attribute's value."""
        return _attribute_keys(communities, "property_management")

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """See :class:`Indicator`."""
        minimum = context.profile.framework.property_management_min
        assert minimum is not None
        return self.from_attribute(
            context,
            "property_management",
            lambda v: v >= minimum,
            threshold_en=f"the minimum share of {minimum:g}",
            threshold_zh=f"最低比例{minimum:g}",
            low=0.0,
            high=1.0,
            convert=_share_of,
        )


class LowCarbon(Indicator):
    """``P2.C3`` ecology: low-carbon living.

    Reads community attribute ``low_carbon_measures``: how many low-carbon measures are in
    place (waste sorting, EV charging, rainwater reuse, rooftop solar, ...), a count >= 0;
    ``true``/``false`` count as 1/0. At least ``framework.low_carbon_min`` passes.
    Missing, not a number or negative: not assessed.
    """

    id = "low_carbon"
    reads = ("low_carbon_measures",)
    label_en = "low-carbon measures"
    label_zh = "低碳生活措施"
    clause = "P2.C3"
    requirement = "harmony"
    key_content = "ecology"
    inputs = frozenset({"community_attributes"})
    unit = "measures"
    rule = (
        "Community attribute `low_carbon_measures` (count of measures in place, or "
        "true/false) at least `framework.low_carbon_min`."
    )

    def applies(self, profile: Profile) -> bool:
        """Asked for unless ``framework.low_carbon_min`` is off."""
        return profile.framework.low_carbon_min is not None

    def bulk_keys(self, communities: CommunitiesContext) -> list[Any]:
        """See :meth:`livable.Indicator.bulk_keys`: the attribute's value."""
        return _attribute_keys(communities, "low_carbon_measures")

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """See :class:`Indicator`."""
        minimum = context.profile.framework.low_carbon_min
        assert minimum is not None
        return self.from_attribute(
            context,
            "low_carbon_measures",
            lambda v: v >= minimum,
            threshold_en=f"the minimum of {minimum:g}",
            threshold_zh=f"最低要求{minimum:g}项",
            low=0.0,
            convert=lambda v: int(v) if isinstance(v, bool) else v,
        )


class _Flag(Indicator):
    """An indicator passed when a yes/no community attribute is yes."""

    attribute: ClassVar[str]
    switch: ClassVar[str]
    inputs = frozenset({"community_attributes"})
    unit = "yes/no"

    def applies(self, profile: Profile) -> bool:
        """Asked for when the profile's ``framework`` switch is on."""
        return bool(getattr(profile.framework, self.switch))

    def bulk_keys(self, communities: CommunitiesContext) -> list[Any]:
        """See :meth:`livable.Indicator.bulk_keys`: the attribute's value."""
        return _attribute_keys(communities, self.attribute)

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """See :class:`Indicator`."""
        return self.from_flag(context, self.attribute)


class DigitalPlatform(_Flag):
    """``P2.C4`` smart living: the community runs on the digital management platform.

    Reads community attribute ``digital_platform`` (yes/no): the community's services and
    operations are on the city's platform ("one network" for government services and for
    community operations). Missing or not yes/no: not assessed.
    """

    id = "digital_platform"
    label_en = "digital management platform"
    label_zh = "数字化管理平台"
    clause = "P2.C4"
    requirement = "smart"
    key_content = "smart_living"
    attribute = "digital_platform"
    switch = "digital_platform"
    rule = "Community attribute `digital_platform` (yes/no) is yes."


class SensingCoverage(Indicator):
    """``P2.C4`` smart living: coverage of the community's sensing system.

    Reads community attribute ``sensing_coverage``: the share (0-1) of the community
    covered by its sensing system (smoke, access, camera and other IoT sensors), as the
    platform reports it. At least ``framework.sensing_coverage_min`` passes. Missing, not a
    number or outside 0-1: not assessed.
    """

    id = "sensing_coverage"
    reads = ("sensing_coverage",)
    label_en = "sensing coverage"
    label_zh = "感知系统覆盖"
    clause = "P2.C4"
    requirement = "smart"
    key_content = "smart_living"
    inputs = frozenset({"community_attributes"})
    unit = "share"
    rule = (
        "Community attribute `sensing_coverage` (share 0-1) at least "
        "`framework.sensing_coverage_min`."
    )

    def applies(self, profile: Profile) -> bool:
        """Asked for unless ``framework.sensing_coverage_min`` is off."""
        return profile.framework.sensing_coverage_min is not None

    def bulk_keys(self, communities: CommunitiesContext) -> list[Any]:
        """See :meth:`livable.Indicator.bulk_keys`: the attribute's value."""
        return _attribute_keys(communities, "sensing_coverage")

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """See :class:`Indicator`."""
        minimum = context.profile.framework.sensing_coverage_min
        assert minimum is not None
        return self.from_attribute(
            context,
            "sensing_coverage",
            lambda v: v >= minimum,
            threshold_en=f"the minimum share of {minimum:g}",
            threshold_zh=f"最低比例{minimum:g}",
            low=0.0,
            high=1.0,
        )


class CommunityWorkers(Indicator):
    """``P2.C5`` governance: professional community workers per 1,000 residents.

    Reads community attribute ``community_workers`` (a head count >= 0) and the community's
    ``population``; the value is workers per 1,000 residents, at least
    ``framework.workers_per_1000_min`` passes. Either missing (or a population of 0): not
    assessed.
    """

    id = "community_workers"
    reads = ("community_workers",)
    label_en = "community workers"
    label_zh = "社区工作者配置"
    clause = "P2.C5"
    requirement = "harmony"
    key_content = "governance"
    inputs = frozenset({"community_attributes"})
    unit = "per 1,000 residents"
    rule = (
        "Community attribute `community_workers` (head count) per 1,000 residents "
        "(`population`) at least `framework.workers_per_1000_min`."
    )

    def applies(self, profile: Profile) -> bool:
        """Asked for unless ``framework.workers_per_1000_min`` is off."""
        return profile.framework.workers_per_1000_min is not None

    def bulk_keys(self, communities: CommunitiesContext) -> list[Any]:
        """See :meth:`livable.Indicator.bulk_keys`: the population (when it decides the result)
        and the head count."""
        keys: list[Any] = []
        for c in communities.communities:
            workers = c.attributes.get("community_workers")
            key = value_key(workers)
            if key is None:
                keys.append(None)
            elif not c.population:  # not assessed for the population alone
                keys.append(("population", value_key(c.population)))
            elif _count(workers) is None:  # not assessed for the head count alone
                keys.append(("workers", key))
            else:
                keys.append((value_key(c.population), key))
        return keys

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """See :class:`Indicator`."""
        minimum = context.profile.framework.workers_per_1000_min
        assert minimum is not None
        population = context.community.population
        if not population:
            return self.not_assessed(
                "no population given" if population is None else "population is 0",
                "未提供常住人口" if population is None else "常住人口为0",
                ask_en="give 'population' (residents)",
                ask_zh="请提供常住人口数",
            )
        workers = context.community.attributes.get("community_workers")
        count = _count(workers)
        if count is None:
            what = "not given" if workers is None else f"not a head count ({show(workers)})"
            what_zh = (
                "未提供社区工作者人数"
                if workers is None
                else f"社区工作者人数不是有效人数（{echo_zh(workers)}）"
            )
            return self.not_assessed(
                f"attribute 'community_workers' {what}",
                what_zh,
                ask_en="give 'community_workers' (a head count)",
                ask_zh="请提供社区工作者人数",
            )
        per_1000 = 1000.0 * count / population
        return self.judged(
            per_1000 >= minimum,
            round(per_1000, 4),
            shown_en=f"{count:g} workers for {population:,} residents ({per_1000:.2f} per 1,000)",
            shown_zh=f"社区工作者{count:g}名，常住人口{population}人（每千人{per_1000:.2f}名）",
            threshold_en=f"the minimum of {minimum:g} per 1,000",
            threshold_zh=f"每千人{minimum:g}名",
        )


def _count(value: Any) -> float | None:
    count = finite_float(value)
    return None if count is None or count < 0 else count


class EmergencyPlan(_Flag):
    """``P2.C5``/``P7`` emergency and safety: a community emergency plan in force.

    Reads community attribute ``emergency_plan`` (yes/no): the community has an emergency
    plan for disasters and epidemics in force. Missing or not yes/no: not assessed.
    """

    id = "emergency_plan"
    label_en = "emergency plan"
    label_zh = "应急预案"
    clause = "P2.C5"
    requirement = "harmony"
    key_content = "governance"
    attribute = "emergency_plan"
    switch = "emergency_plan"
    rule = "Community attribute `emergency_plan` (yes/no) is yes."


class SurveyHeld(_Flag):
    """``P7`` residents' opinion: a survey held in the assessment year.

    Reads community attribute ``survey_held`` (yes/no). Missing or not yes/no: not
    assessed.
    """

    id = "survey_held"
    label_en = "residents' opinion survey"
    label_zh = "社情民意调查"
    clause = "P7"
    requirement = "harmony"
    key_content = "governance"
    attribute = "survey_held"
    switch = "survey_held"
    rule = "Community attribute `survey_held` (yes/no) is yes."


class EmploymentService(_Flag):
    """``P2.C6`` innovation and entrepreneurship: start-up and employment services nearby.

    Reads community attribute ``employment_service_point`` (yes/no): the community has an
    employment (and start-up) service point. Missing or not yes/no: not assessed.
    """

    id = "employment_service"
    label_en = "employment service point"
    label_zh = "就业创业服务点"
    clause = "P2.C6"
    requirement = "convenience"
    key_content = "innovation"
    attribute = "employment_service_point"
    switch = "employment_service"
    rule = "Community attribute `employment_service_point` (yes/no) is yes."


def builtin_indicators() -> Iterable[Indicator]:
    """Fresh instances of every built-in indicator.

    >>> [i.id for i in builtin_indicators()][:3]
    ['size_class', 'twelve_ones', 'tier_access']
    """
    return [cls() for cls in BUILTIN_INDICATORS]


BUILTIN_INDICATORS: tuple[type[Indicator], ...] = (
    SizeClassIndicator,
    TwelveOnes,
    TierAccess,
    MoreFacilities,
    Variety,
    Closeness,
    FacilityQuality,
    ParcelPoints,
    PropertyManagement,
    GreenRatio,
    LowCarbon,
    DigitalPlatform,
    SensingCoverage,
    GovernanceScore,
    Satisfaction,
    CommunityWorkers,
    EmergencyPlan,
    SurveyHeld,
    VitalityScore,
    EmploymentService,
)
"""The built-in indicator classes, registered by the built-in plugin, grouped by the key
content they serve (``P2.C1`` to ``P2.C6``)."""
