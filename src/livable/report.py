"""The results: per-community verdicts, the city summary, and the report document.

These frozen attrs classes are the public face of an evaluation. :meth:`Report.to_json`
writes the ``report.json`` of DESIGN.md's output contract, validated by the JSON Schema
shipped as ``livable/schemas/report.schema.json``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs
from shapely.geometry.base import BaseGeometry

from livable.io import Rejection, SourceInfo
from livable.models import Grade, Zone

__all__ = [
    "SCHEMA_VERSION",
    "CommunityResult",
    "Gap",
    "IndicatorResult",
    "NearbyFacility",
    "PluginInfo",
    "Report",
    "Summary",
    "TypeAccess",
    "ZoneSummary",
]

SCHEMA_VERSION = "1"
"""The version of the ``report.json`` schema this release writes."""

Status = Literal["passed", "failed", "not_assessed"]


@attrs.frozen
class NearbyFacility:
    """A facility near a community centre, with its WGS84 position and distance."""

    id: str
    type: str
    name: str | None
    lon: float
    lat: float
    distance_m: float
    brand: str | None = None
    quality: float | None = None


@attrs.frozen
class TypeAccess:
    """Access from one community centre to one facility type.

    ``nearest_m`` is ``None`` beyond the profile's search radius; ``count_within`` is keyed
    by the profile's tier distances in whole metres.
    """

    facility_type: str
    category: str | None
    nearest_m: float | None
    count_within: Mapping[int, int]
    count_in_circle: int
    nearest: tuple[NearbyFacility, ...] = ()


@attrs.frozen
class Gap:
    """Something a community lacks for a grade, with bilingual messages.

    ``rule`` is the clause-based rule id (``P4.twelve_ones``, ``P6.tiers``, ``P5.green_ratio``,
    ...); ``grade`` the grade the gap blocks (set by the engine from the indicator's role).
    """

    rule: str
    message_en: str
    message_zh: str
    grade: Grade | None = None
    facility_type: str | None = None
    category: str | None = None
    distance_m: float | None = None
    required: int | None = None
    found: int | None = None


@attrs.frozen
class IndicatorResult:
    """One indicator's verdict on one community (DESIGN.md's ``indicators`` fields).

    ``decisive`` is true when the indicator decided the grade: a failed one blocked the
    next grade, or a passed one was needed for the grade reached.
    """

    id: str
    status: Status = attrs.field(
        validator=attrs.validators.in_(("passed", "failed", "not_assessed"))
    )
    value: Any
    unit: str | None
    requirement: str
    key_content: str
    message_en: str
    message_zh: str
    role: str = "info"
    decisive: bool = False
    gaps: tuple[Gap, ...] = ()


@attrs.frozen
class CommunityResult:
    """The verdict on one community, with the distances and indicators behind it."""

    id: str
    name: str | None
    grade: Grade
    center: tuple[float, float]
    center_inside: bool
    center_source: str
    radius_m: float
    radius_reason: str | None
    geometry: BaseGeometry
    district: str | None
    subdistrict: str | None
    zone: Zone | None
    population: int | None
    size_class: str
    access: tuple[TypeAccess, ...]
    gaps: tuple[Gap, ...]
    indicators: tuple[IndicatorResult, ...]
    isochrones: Mapping[int, BaseGeometry] | None = None
    details: Mapping[str, Any] = attrs.field(factory=dict)
    """Provider-specific facts (e.g. the network snap length of the centre)."""

    def access_to(self, facility_type: str) -> TypeAccess:
        """The access entry of one facility type."""
        for entry in self.access:
            if entry.facility_type == facility_type:
                return entry
        raise KeyError(facility_type)

    def indicator(self, indicator_id: str) -> IndicatorResult:
        """The result of one indicator."""
        for result in self.indicators:
            if result.id == indicator_id:
                return result
        raise KeyError(indicator_id)


@attrs.frozen
class PluginInfo:
    """A loaded plugin and its version (``plugins`` in the report)."""

    name: str
    version: str | None


@attrs.frozen
class ZoneSummary:
    """Counts and shares of one group of communities (a zone, district or subdistrict)."""

    key: str
    level: str
    zone: Zone | None
    communities: int
    not_livable: int
    livable: int
    happy: int

    @property
    def livable_share(self) -> float | None:
        """Share of communities livable or happy (``None`` for an empty group)."""
        if not self.communities:
            return None
        return (self.livable + self.happy) / self.communities

    @property
    def happy_share(self) -> float | None:
        """Share of communities happy (``None`` for an empty group)."""
        if not self.communities:
            return None
        return self.happy / self.communities


@attrs.frozen
class Summary:
    """The city roll-up against the plan's targets (``P6``, ``P8``).

    ``communities`` counts every input community (evaluated or rejected).
    """

    communities: int
    evaluated: int
    rejected: int
    not_livable: int
    livable: int
    happy: int
    livable_share: float | None
    happy_share: float | None
    happy_share_central: float | None
    happy_share_peripheral: float | None
    target_livable_share: float
    target_happy_share_central: float
    target_happy_share_peripheral: float
    groups: tuple[ZoneSummary, ...] = ()
    top_gaps: tuple[tuple[str, int], ...] = ()
    """Most common gaps city-wide: (``rule:facility_type-or-category``, communities)."""


@attrs.frozen
class Report:
    """An evaluation: every input community in ``communities`` or in ``rejected``."""

    livable_version: str
    profile: str
    profile_sha256: str
    distance: str
    working_crs: str
    inputs: tuple[SourceInfo, ...]
    plugins: tuple[PluginInfo, ...]
    communities: tuple[CommunityResult, ...]
    rejected: tuple[Rejection, ...]
    summary: Summary
    rejected_facilities: tuple[Rejection, ...] = ()
    repaired: tuple[Rejection, ...] = ()
    skipped: tuple[str, ...] = ()
    """Plugin hook implementations skipped in record-and-continue mode, with the reason."""
    details: Mapping[str, Any] = attrs.field(factory=dict)
    """Provider facts about the whole run (e.g. ``network``: the graph, rejected streets,
    facilities off the network); written as ``details`` when not empty."""
    schema_version: str = SCHEMA_VERSION

    def community(self, community_id: str) -> CommunityResult:
        """The result of one community by id."""
        for result in self.communities:
            if result.id == community_id:
                return result
        raise KeyError(community_id)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data (DESIGN.md's output contract)."""
        from livable._serialize import report_to_dict

        return report_to_dict(self)

    def to_json(self, *, indent: bool = True) -> str:
        """The report as ``report.json`` text (UTF-8, keys in contract order)."""
        from livable._serialize import dumps

        return dumps(self.to_dict(), indent=indent)
