"""The value types every layer shares: the policy vocabulary, the inputs and the results.

Everything that crosses a module boundary is one of these frozen attrs classes:
:mod:`livable.models.vocabulary` holds the policy's categories, facility types, grades and
the input models (``Community``, ``Facility``); :mod:`livable.models.results` the verdicts
(``CommunityResult``, ``Summary``, ``Report``) and the input records the report lists
(``SourceInfo``, ``Rejection``); :mod:`livable.models.serialize` the one cattrs converter
that writes them as ``report.json`` and reads them back. This package is the bottom layer:
it imports nothing of ``livable`` but ``errors`` and the small private helpers.
"""

from __future__ import annotations

from livable.models.results import (
    SCHEMA_VERSION,
    ClosestCommunity,
    CommunityResult,
    CommunityScore,
    Gap,
    GapCount,
    IndicatorResult,
    InputNote,
    NearbyFacility,
    PluginInfo,
    Provisional,
    Rejection,
    Report,
    ReportSource,
    Skipped,
    SourceInfo,
    Status,
    Summary,
    TypeAccess,
    ZoneSummary,
    as_report,
    grade_from_results,
    read_report,
)
from livable.models.vocabulary import (
    CATEGORIES,
    FACILITY_TYPES,
    FLAG_QUALIFIERS,
    KEY_CONTENTS,
    QUALIFIERS,
    REQUIREMENTS,
    TWELVE_ONES,
    Community,
    Facility,
    FacilityType,
    Grade,
    KeyContent,
    Requirement,
    ServiceCategory,
    SizeClass,
    Zone,
    qualifier_flag,
)

__all__ = [
    "CATEGORIES",
    "FACILITY_TYPES",
    "FLAG_QUALIFIERS",
    "KEY_CONTENTS",
    "QUALIFIERS",
    "REQUIREMENTS",
    "SCHEMA_VERSION",
    "TWELVE_ONES",
    "ClosestCommunity",
    "Community",
    "CommunityResult",
    "CommunityScore",
    "Facility",
    "FacilityType",
    "Gap",
    "GapCount",
    "Grade",
    "IndicatorResult",
    "InputNote",
    "KeyContent",
    "NearbyFacility",
    "PluginInfo",
    "Provisional",
    "Rejection",
    "Report",
    "ReportSource",
    "Requirement",
    "ServiceCategory",
    "SizeClass",
    "Skipped",
    "SourceInfo",
    "Status",
    "Summary",
    "TypeAccess",
    "Zone",
    "ZoneSummary",
    "as_report",
    "grade_from_results",
    "qualifier_flag",
    "read_report",
]
