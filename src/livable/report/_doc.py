"""What the products made from a report share: finding a community, the profile, labels.

The map, the handbook and the planner are made from a typed
:class:`~livable.models.results.Report` alone, offline (``P7``); their public functions
take anything :func:`~livable.models.results.as_report` accepts and convert it once. This
module finds communities, picks the profile for walking speed and tiers, and works out the
walking tiers and labels the products share.

>>> from livable.report._doc import category_order, walking_minutes
>>> category_order(None)[:4]
['shopping', 'leisure', 'finance', 'catering']
>>> walking_minutes(401.0, 80.0)
6
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from livable._text import show
from livable.errors import LivableError
from livable.geometry.crs import Projector, choose_working_crs
from livable.io.crs import resolve_crs
from livable.models import CATEGORIES, FACILITY_TYPES
from livable.models.results import CommunityResult, Report
from livable.profile import BUILTIN_PROFILES, Profile, load_profile

__all__ = [
    "category_label",
    "category_order",
    "find_community",
    "report_profile",
    "report_projector",
    "tier_minutes",
    "type_label",
    "walking_minutes",
]


def find_community(report: Report, community_id: str) -> CommunityResult:
    """One community's result by id; an unknown id raises a one-line error listing some ids.

    >>> import livable
    >>> from livable.testing import community
    >>> find_community(livable.evaluate([community("c1", 108.94, 34.26)], []), "c9")
    Traceback (most recent call last):
    ...
    livable.errors.LivableError: no community 'c9' in the report (ids: c1)
    """
    for result in report.communities:
        if result.id == community_id:
            return result
    ids = [show(c.id, quote=False) for c in report.communities]
    shown = ", ".join(ids[:8]) + (f", ... ({len(ids)} in all)" if len(ids) > 8 else "")
    rejected = [r for r in report.rejected if r.id == community_id]
    why = f"; it was rejected: {rejected[0].reason}" if rejected else ""
    raise LivableError(
        f"no community {show(community_id)} in the report (ids: {shown or 'none'}){why}"
    )


def report_projector(report: Report) -> Projector:
    """The report's working CRS, or one chosen for its communities when it cannot be read.

    >>> import livable
    >>> report_projector(livable.evaluate([], [])).crs.is_projected
    True
    """
    try:
        return Projector.for_crs(resolve_crs(report.working_crs))
    except Exception:
        centres = np.array([c.center for c in report.communities] or [(108.94, 34.26)])
        return Projector.for_crs(choose_working_crs(centres[:, 0], centres[:, 1]))


def report_profile(report: Report, profile: str | Path | Profile | None) -> Profile:
    """The profile for walking speed and tiers: the given one, else the report's built-in one.

    A report made with a profile file that is not given here falls back to the plan's
    defaults, the built-in ``xian-2020`` (80 m/min, ``P6.tiers``).

    >>> import attrs, livable
    >>> report = livable.evaluate([], [])
    >>> report_profile(report, None).walking_speed_m_per_min
    80.0
    >>> report_profile(attrs.evolve(report, profile="my-city"), None).id
    'xian-2020'
    """
    if profile is not None:
        return load_profile(profile)
    if report.profile in BUILTIN_PROFILES:
        return load_profile(report.profile)
    return load_profile("xian-2020")


def tier_minutes(category: str, profile: Profile | None) -> float:
    """The walking minutes the plan promises for a category (``P6.tiers``).

    >>> tier_minutes("finance", None), tier_minutes("medical", None)
    (5.0, 15.0)
    """
    if profile is not None and category in profile.category_tiers:
        return float(profile.category_tiers[category])
    known = CATEGORIES.get(category)
    return float(known.tier_minutes) if known is not None else 15.0


def category_order(profile: Profile | None) -> list[str]:
    """Category ids in tier order (5, 10, 15 minutes), the plan's order within a tier.

    >>> category_order(None)[-1]
    'entertainment'
    """
    ids = list(CATEGORIES)
    if profile is not None:
        ids += [c for c in profile.category_tiers if c not in CATEGORIES]
    return sorted(ids, key=lambda c: (tier_minutes(c, profile), ids.index(c)))


def walking_minutes(distance_m: float, speed_m_per_min: float) -> int:
    """Whole walking minutes to cover a distance, rounded up (at least 1).

    >>> walking_minutes(400.0, 80.0), walking_minutes(0.0, 80.0)
    (5, 1)
    """
    return max(1, math.ceil(round(distance_m / speed_m_per_min, 6)))


def type_label(type_id: str, lang: str) -> str:
    """A facility type's label in ``zh`` or ``en``; unknown (plugin) types show their id.

    >>> type_label("kindergarten", "zh"), type_label("spaceport", "en")
    ('幼儿园', 'spaceport')
    """
    ft = FACILITY_TYPES.get(type_id)
    if ft is None:
        return type_id.replace("_", " ")
    return ft.label_zh if lang == "zh" else ft.label_en


def category_label(category: str | None, lang: str) -> str:
    """A service category's label in ``zh`` or ``en``.

    >>> category_label("government", "zh"), category_label(None, "en")
    ('政务', 'other services')
    """
    if category is None:
        return "其他服务" if lang == "zh" else "other services"
    known = CATEGORIES.get(category)
    if known is None:
        return category.replace("_", " ")
    return known.label_zh if lang == "zh" else known.label_en
