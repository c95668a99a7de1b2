"""livable: does each urban community meet the 15-minute convenience service circle?

Evaluate communities against a city's policy (the Xi'an 2020 plan by default) from
geometry and rules, say what each lacks, and roll the answer up for the whole city.

>>> import livable
>>> from livable.testing import community, facility
>>> report = livable.evaluate([community("c1", 108.94, 34.26)],
...                           [facility("s1", "convenience_store", 108.941, 34.26)])
>>> report.communities[0].grade
<Grade.NOT_LIVABLE: 'not_livable'>
>>> round(report.communities[0].access_to("convenience_store").nearest_m, 1)
92.1

``import livable`` loads the value types (:mod:`livable.models`), the errors and the hook
markers; the engine, the readers, the profiles, the indicators and the plugin manager load
on first use of one of their names here (``livable.evaluate``, ``livable.PluginManager``,
..., PEP 562), and the distance providers' indexes and the street network when an
evaluation first needs them. ``from livable import evaluate`` works as before.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from livable import _threads  # noqa: F401  (first: the command's BLAS threads, see there)
from livable._version import __version__
from livable.errors import (
    CRSError,
    InputError,
    LivableError,
    PluginError,
    ProfileError,
    ReportError,
    ResourceLimitError,
)
from livable.models import (
    CATEGORIES,
    FACILITY_TYPES,
    KEY_CONTENTS,
    REQUIREMENTS,
    TWELVE_ONES,
    ClosestCommunity,
    Community,
    CommunityResult,
    CommunityScore,
    Facility,
    FacilityType,
    Gap,
    GapCount,
    Grade,
    IndicatorResult,
    InputNote,
    KeyContent,
    NearbyFacilities,
    NearbyFacility,
    PluginInfo,
    Rejection,
    Report,
    Requirement,
    ServiceCategory,
    SizeClass,
    Skipped,
    SourceInfo,
    Summary,
    TypeAccess,
    Zone,
    ZoneSummary,
    grade_from_results,
    read_report,
)
from livable.plugins.hookspecs import hookimpl

if TYPE_CHECKING:  # loaded on first use, by __getattr__ below
    from livable.engine import LayerSpec, evaluate
    from livable.indicators.base import CommunityContext, Indicator
    from livable.io.datums import Datum
    from livable.io.readers import (
        CommunityLayer,
        FacilityLayer,
        Limits,
        ResidentLayer,
        read_communities,
        read_facilities,
        read_residents,
    )
    from livable.plugins.manager import PluginContributions, PluginManager
    from livable.profile import (
        CircleRules,
        FrameworkCriteria,
        HappyCriteria,
        Profile,
        Targets,
        load_profile,
    )
    from livable.report.diff import ReportDiff, diff

_LAZY: dict[str, str] = {
    "evaluate": "livable.engine",
    "LayerSpec": "livable.engine",
    "Datum": "livable.io.datums",
    "CommunityContext": "livable.indicators.base",
    "Indicator": "livable.indicators.base",
    **dict.fromkeys(
        (
            "CommunityLayer",
            "FacilityLayer",
            "Limits",
            "ResidentLayer",
            "read_communities",
            "read_facilities",
            "read_residents",
        ),
        "livable.io.readers",
    ),
    "ReportDiff": "livable.report.diff",
    "diff": "livable.report.diff",
    "PluginContributions": "livable.plugins.manager",
    "PluginManager": "livable.plugins.manager",
    **dict.fromkeys(
        ("CircleRules", "FrameworkCriteria", "HappyCriteria", "Profile", "Targets", "load_profile"),
        "livable.profile",
    ),
}
"""Exported names loaded on first use, and the module each comes from."""


def __getattr__(name: str) -> Any:
    """Load an exported name of :data:`_LAZY` from its module on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'livable' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The names of ``livable``, those loaded on first use included."""
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "CATEGORIES",
    "FACILITY_TYPES",
    "KEY_CONTENTS",
    "REQUIREMENTS",
    "TWELVE_ONES",
    "CRSError",
    "CircleRules",
    "ClosestCommunity",
    "Community",
    "CommunityContext",
    "CommunityLayer",
    "CommunityResult",
    "CommunityScore",
    "Datum",
    "Facility",
    "FacilityLayer",
    "FacilityType",
    "FrameworkCriteria",
    "Gap",
    "GapCount",
    "Grade",
    "HappyCriteria",
    "Indicator",
    "IndicatorResult",
    "InputError",
    "InputNote",
    "KeyContent",
    "LayerSpec",
    "Limits",
    "LivableError",
    "NearbyFacilities",
    "NearbyFacility",
    "PluginContributions",
    "PluginError",
    "PluginInfo",
    "PluginManager",
    "Profile",
    "ProfileError",
    "Rejection",
    "Report",
    "ReportDiff",
    "ReportError",
    "Requirement",
    "ResidentLayer",
    "ResourceLimitError",
    "ServiceCategory",
    "SizeClass",
    "Skipped",
    "SourceInfo",
    "Summary",
    "Targets",
    "TypeAccess",
    "Zone",
    "ZoneSummary",
    "__version__",
    "diff",
    "evaluate",
    "grade_from_results",
    "hookimpl",
    "load_profile",
    "read_communities",
    "read_facilities",
    "read_report",
    "read_residents",
]
