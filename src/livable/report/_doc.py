"""Reading a ``report.json`` back for the map and the handbook (``P7``: one map, one handbook).

The map and the handbook are made from the report alone, offline: the report lists each
community's geometry, centre, circle, access per facility type (with the nearest
facilities' names and positions) and gaps. This module loads the document, finds
communities, and works out the walking tiers and labels the two products share.

>>> from livable.report._doc import category_order, walking_minutes
>>> category_order(None)[:4]
['shopping', 'leisure', 'finance', 'catering']
>>> walking_minutes(401.0, 80.0)
6
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from livable._text import show
from livable.errors import LivableError
from livable.models import CATEGORIES, FACILITY_TYPES
from livable.profile import BUILTIN_PROFILES, Profile, load_profile

__all__ = [
    "ReportSource",
    "as_report_dict",
    "category_label",
    "category_order",
    "find_community",
    "read_report",
    "report_profile",
    "tier_minutes",
    "type_label",
    "walking_minutes",
]

ReportSource = Any
"""A report: a ``report.json`` path, its parsed mapping, or a :class:`~livable.Report`."""


def read_report(path: str | Path) -> dict[str, Any]:
    """Parse a ``report.json`` file; errors name the file in one line.

    >>> read_report("no-such-report.json")
    Traceback (most recent call last):
    ...
    livable.errors.LivableError: no-such-report.json: file not found
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LivableError(f"{p}: file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LivableError(f"{p}: not a readable report.json ({exc})") from None
    return _checked(data, str(p))


def _checked(data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("communities"), list):
        raise LivableError(f"{where}: not a livable report (no 'communities' list)")
    if "summary" not in data:
        raise LivableError(f"{where}: not a livable report (no 'summary')")
    return data


def as_report_dict(report: ReportSource) -> dict[str, Any]:
    """The report document as plain data, from a path, a mapping or a Report object.

    >>> as_report_dict({"communities": [], "summary": {}})["communities"]
    []
    >>> as_report_dict(42)
    Traceback (most recent call last):
    ...
    livable.errors.LivableError: <memory>: not a livable report (no 'communities' list)
    """
    if isinstance(report, str | Path):
        return read_report(report)
    to_dict = getattr(report, "to_dict", None)
    if callable(to_dict):
        return _checked(to_dict(), "<memory>")
    if isinstance(report, Mapping):
        return _checked(dict(report), "<memory>")
    return _checked(report, "<memory>")


def find_community(report: Mapping[str, Any], community_id: str) -> dict[str, Any]:
    """One community's entry by id; an unknown id raises a one-line error listing some ids.

    >>> find_community({"communities": [{"id": "c1"}]}, "c9")
    Traceback (most recent call last):
    ...
    livable.errors.LivableError: no community 'c9' in the report (ids: c1)
    """
    for entry in report["communities"]:
        if entry.get("id") == community_id:
            return dict(entry)
    ids = [show(str(c.get("id")), quote=False) for c in report["communities"]]
    shown = ", ".join(ids[:8]) + (f", ... ({len(ids)} in all)" if len(ids) > 8 else "")
    rejected = [r for r in report.get("rejected", []) if r.get("id") == community_id]
    why = f"; it was rejected: {rejected[0].get('reason')}" if rejected else ""
    raise LivableError(
        f"no community {show(community_id)} in the report (ids: {shown or 'none'}){why}"
    )


def report_profile(report: Mapping[str, Any], profile: str | Path | Profile | None) -> Profile:
    """The profile for walking speed and tiers: the given one, else the report's built-in one.

    A report made with a profile file that is not given here falls back to the plan's
    defaults, the built-in ``xian-2020`` (80 m/min, ``P6.tiers``).

    >>> report_profile({"profile": "xian-2020"}, None).walking_speed_m_per_min
    80.0
    >>> report_profile({"profile": "my-city"}, None).id
    'xian-2020'
    """
    if profile is not None:
        return load_profile(profile)
    name = report.get("profile")
    if isinstance(name, str) and name in BUILTIN_PROFILES:
        return load_profile(name)
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
