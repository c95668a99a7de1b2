"""What an evaluation says, and the products made from it.

The report is :class:`~livable.models.results.Report` (re-exported here and from
``livable``); :func:`read_report` turns a ``report.json`` back into one. The products are
made from a report alone (``P7``): :mod:`~livable.report.export` (summary tables),
:mod:`~livable.report.handbook` (the residents' handbook), :mod:`~livable.report.maps`
(maps), :mod:`~livable.report.planner` (where new facilities would close the gaps),
:mod:`~livable.report.summary` (the summary as text, :func:`format_summary`) and
:mod:`~livable.report.geodataframe` (a GeoDataFrame). Each takes a :class:`Report`, or
anything :func:`as_report` accepts (a path, the JSON text or bytes, the parsed data),
converted once.
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
    NearbyFacility,
    PluginInfo,
    Report,
    ReportSource,
    Skipped,
    Summary,
    TypeAccess,
    ZoneSummary,
    as_report,
    grade_from_results,
    read_report,
)
from livable.report.summary import format_summary

__all__ = [
    "SCHEMA_VERSION",
    "ClosestCommunity",
    "CommunityResult",
    "CommunityScore",
    "Gap",
    "GapCount",
    "IndicatorResult",
    "NearbyFacility",
    "PluginInfo",
    "Report",
    "ReportSource",
    "Skipped",
    "Summary",
    "TypeAccess",
    "ZoneSummary",
    "as_report",
    "format_summary",
    "grade_from_results",
    "read_report",
]
