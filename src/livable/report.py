"""The results: per-community verdicts, the city summary, and the report document.

These frozen attrs classes are the public face of an evaluation. :meth:`Report.to_json`
writes the ``report.json`` of DESIGN.md's output contract, validated by the JSON Schema
shipped as ``livable/schemas/report.schema.json``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
from shapely.geometry.base import BaseGeometry

from livable.io import Rejection, SourceInfo
from livable.models import Grade, Zone

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
    "Skipped",
    "Summary",
    "TypeAccess",
    "ZoneSummary",
]

SCHEMA_VERSION = "1"
"""The version of the ``report.json`` schema this release writes."""

Status = Literal["passed", "failed", "not_assessed"]


def _unit(_inst: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not (isinstance(value, int | float) and 0.0 <= value <= 1.0):
        raise ValueError(f"{attribute.name} must be a number from 0 to 1, not {value!r}")


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

    ``role`` is what the profile makes of the indicator (``livable``, ``happy``, ``scored``
    or ``info``, see :data:`livable.indicators.ROLES`). ``decisive`` is true when the
    indicator decided the grade: a failed one blocked the next grade, or a passed one was
    needed for the grade reached. ``score`` (0-1, ``None`` when not assessed) is the
    indicator's part of the community's framework score when its role is ``scored``.
    ``label_en``/``label_zh``/``clause`` repeat the indicator's metadata so the report
    explains itself.
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
    label_en: str = ""
    label_zh: str = ""
    clause: str = ""
    score: float | None = attrs.field(default=None, validator=attrs.validators.optional(_unit))


@attrs.frozen
class CommunityScore:
    """A community's 0-100 framework score (``P2``): its ``scored`` indicators, averaged.

    ``value`` is 100 times the mean ``score`` of the ``scored`` indicators that could be
    assessed (``None`` when none could); ``assessed`` of ``total`` says how many counted.
    The score never changes a grade; it shows how far a community is along the rest of the
    "136" framework (market services, ecology, smart living, governance, innovation).

    >>> r = IndicatorResult(id="a", status="passed", value=1, unit=None,
    ...     requirement="smart", key_content="smart_living", message_en="",
    ...     message_zh="", role="scored", score=1.0)
    >>> s = IndicatorResult(id="b", status="not_assessed", value=None, unit=None,
    ...     requirement="smart", key_content="smart_living", message_en="",
    ...     message_zh="", role="scored")
    >>> CommunityScore.from_results([r, s])
    CommunityScore(value=100.0, assessed=1, total=2)
    """

    value: float | None
    assessed: int
    total: int

    @classmethod
    def from_results(cls, results: Sequence[IndicatorResult]) -> CommunityScore | None:
        """The score of a community's results; ``None`` when no indicator is ``scored``."""
        scored = [r for r in results if r.role == "scored"]
        if not scored:
            return None
        known = [r.score for r in scored if r.score is not None]
        value = 100.0 * sum(known) / len(known) if known else None
        return cls(value=value, assessed=len(known), total=len(scored))


@attrs.frozen
class CommunityResult:
    """The verdict on one community, with the distances and indicators behind it.

    :meth:`explain` says, in English or Chinese, which indicators decided the grade.
    """

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
    score: CommunityScore | None = None
    """The 0-100 framework score of the ``scored`` indicators (``None``: none scored)."""
    resident_access: Mapping[str, float] | None = None
    """Beyond the plan: per service category, the share of the community's residents
    (weighted by population) who reach it within its walk tier (``P6.tiers``); ``None``
    unless resident points were given (:mod:`livable.residents`)."""

    @property
    def next_grade(self) -> Grade | None:
        """The grade above this one (``None`` for a happy community)."""
        return {Grade.NOT_LIVABLE: Grade.LIVABLE, Grade.LIVABLE: Grade.HAPPY}.get(self.grade)

    def blocking(self) -> tuple[IndicatorResult, ...]:
        """The grade indicators standing between this community and its next grade.

        Those whose role is the next grade and that did not pass (failed or not assessed).
        """
        target = self.next_grade
        if target is None:
            return ()
        return tuple(r for r in self.indicators if r.role == target.value and r.status != "passed")

    def explain(self, lang: str = "en", *, full: bool = True) -> str:
        """Why this community has its grade, indicator by indicator (``lang``: en or zh).

        Lists, grade by grade, every grade indicator with its status and message, marking
        with ``*`` those that decided the grade (needed and passed, or keeping the community
        from the next grade); then the ``scored`` and ``info`` indicators and the framework
        score. ``full=False`` keeps only the decisive indicators and the score (the
        ``explanation`` of ``report.json``, whose ``indicators`` hold the rest).
        """
        if lang not in ("en", "zh"):
            raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")
        from livable.engine import grade_from_results

        zh = lang == "zh"
        grade = self.grade
        label = grade.label_zh if zh else grade.label_en
        lines = [
            f"{label}（{grade.clause}）。标*的指标决定了等级。"
            if zh
            else f"{label} ({grade.clause}). Indicators marked * decided the grade."
        ]
        ruled = grade_from_results(self.indicators)
        if ruled != grade:
            rl = ruled.label_zh if zh else ruled.label_en
            lines.append(
                f"等级由插件（livable_classify）设定；按规则应为{rl}。"
                if zh
                else f"Grade set by a plugin (livable_classify); the rules give {rl}."
            )
        for target in (Grade.LIVABLE, Grade.HAPPY):
            members = [r for r in self.indicators if r.role == target.value]
            if not members:
                continue
            tl = target.label_zh if zh else target.label_en
            if grade.rank >= target.rank:
                head = (
                    f"{tl}（{target.clause}）：已达到" if zh else f"{tl} ({target.clause}): reached"
                )
            elif grade.rank + 1 == target.rank:
                head = (
                    f"{tl}（{target.clause}）：未达到，原因见标*的指标"
                    if zh
                    else f"{tl} ({target.clause}): not reached, because of those marked *"
                )
            else:
                head = (
                    f"{tl}（{target.clause}）：未达到（须先达到宜居）"
                    if zh
                    else f"{tl} ({target.clause}): not reached (livable comes first)"
                )
            shown = [r for r in members if full or r.decisive]
            if shown:
                lines.append(head)
                lines += [_line(r, zh) for r in shown]
        extra = [r for r in self.indicators if r.role in ("scored", "info")]
        if extra and full:
            lines.append(
                "其他指标（不影响等级）：" if zh else "Other indicators (do not decide the grade):"
            )
            lines += [_line(r, zh) for r in extra]
        if self.score is not None:
            value = "-" if self.score.value is None else f"{self.score.value:.0f}"
            lines.append(
                f"框架得分{value}/100（{self.score.total}项计分指标中评估{self.score.assessed}项）"
                if zh
                else f"Framework score {value}/100 ({self.score.assessed} of "
                f"{self.score.total} scored indicators assessed)"
            )
        return "\n".join(lines)

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


_STATUS = {
    "passed": ("passed", "达标"),
    "failed": ("failed", "未达标"),
    "not_assessed": ("not assessed", "未评估"),
}


def _line(r: IndicatorResult, zh: bool) -> str:
    en_status, zh_status = _STATUS[r.status]
    label = (r.label_zh if zh else r.label_en) or r.id
    mark = "*" if r.decisive else "-"
    if zh:
        return f"  {mark} {label}（{r.id}，{r.clause or '-'}）{zh_status}：{r.message_zh}"
    return f"  {mark} {label} ({r.id}, {r.clause or '-'}) {en_status}: {r.message_en}"


@attrs.frozen
class PluginInfo:
    """A loaded plugin and its version (``plugins`` in the report)."""

    name: str
    version: str | None


def _needed(target: float | None, have: int, n: int) -> int | None:
    if target is None or not n:
        return None
    # round first: 0.3 * 10 is 3.0000000000000004, which must need 3, not 4
    return max(0, math.ceil(round(target * n, 9)) - have)


@attrs.frozen
class Skipped:
    """A plugin contribution skipped in record-and-continue mode, and why (``skipped``).

    ``hook`` is ``None`` for a plugin that could not be loaded at all; ``community`` names
    the community for faults during its evaluation (an indicator that raised, a grade of
    the wrong type).
    """

    plugin: str
    hook: str | None
    reason: str
    community: str | None = None


@attrs.frozen
class ZoneSummary:
    """Counts, shares and targets of one group of communities (``P6``, ``P7``, ``P8``).

    ``level`` is ``city``, ``zone``, ``district`` or ``subdistrict``; ``parent`` the
    district of a subdistrict. ``zone`` is the group's zone when all its communities share
    one. The targets are the profile's (``P6``): ``target_livable_share`` for every group,
    ``target_happy_share`` by zone (central 50 %, peripheral 30 % in ``xian-2020``;
    ``None`` for a group without a single zone).

    >>> z = ZoneSummary(key="Beilin", level="district", zone=Zone.CENTRAL, communities=10,
    ...     not_livable=2, livable=5, happy=3, target_livable_share=1.0,
    ...     target_happy_share=0.5)
    >>> z.livable_share, z.livable_needed, z.happy_needed
    (0.8, 2, 2)
    >>> sum(z.grade_shares.values())
    1.0
    """

    key: str
    level: str
    zone: Zone | None
    communities: int
    not_livable: int
    livable: int
    happy: int
    parent: str | None = None
    target_livable_share: float | None = None
    target_happy_share: float | None = None
    mean_score: float | None = None
    """Mean framework score (0-100) of the group's communities that have one."""
    score_coverage: float | None = None
    """Share of the group's scored indicators that could be assessed (the score's basis)."""
    top_gaps: tuple[tuple[str, int], ...] = ()
    """The group's most common gaps: (gap key, communities)."""

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

    @property
    def grade_shares(self) -> Mapping[str, float | None]:
        """Share of each grade exactly (they add up to 1; ``None`` for an empty group)."""
        n = self.communities
        counts = {"not_livable": self.not_livable, "livable": self.livable, "happy": self.happy}
        return {k: (v / n if n else None) for k, v in counts.items()}

    @property
    def livable_gap(self) -> float | None:
        """How far the livable share is below its target (0 when met)."""
        return _shortfall(self.livable_share, self.target_livable_share)

    @property
    def happy_gap(self) -> float | None:
        """How far the happy share is below its target (0 when met; ``None`` if none)."""
        return _shortfall(self.happy_share, self.target_happy_share)

    @property
    def livable_needed(self) -> int | None:
        """How many more communities must become livable to meet the target."""
        return _needed(self.target_livable_share, self.livable + self.happy, self.communities)

    @property
    def happy_needed(self) -> int | None:
        """How many more communities must become happy to meet the target."""
        return _needed(self.target_happy_share, self.happy, self.communities)


def _shortfall(actual: float | None, target: float | None) -> float | None:
    if actual is None or target is None:
        return None
    return max(0.0, target - actual)


@attrs.frozen
class GapCount:
    """One of the most common gaps city-wide: how many communities share it.

    ``key`` is ``rule:facility_type`` (or ``rule:category``, or the rule alone);
    ``grade`` the grade it blocks; ``share`` of the evaluated communities.
    """

    key: str
    rule: str
    communities: int
    share: float
    label_en: str
    label_zh: str
    grade: Grade | None = None
    facility_type: str | None = None
    category: str | None = None


@attrs.frozen
class ClosestCommunity:
    """A community close to its next grade (``P8``: where a little work pays most).

    ``gaps`` counts what stands between it and ``next_grade`` (each failed or not-assessed
    grade indicator counts its gaps, at least one); ``shortfall`` adds up the missing
    facilities (``required - found``, one for a gap without counts).
    """

    id: str
    name: str | None
    district: str | None
    subdistrict: str | None
    zone: Zone | None
    grade: Grade
    next_grade: Grade
    gaps: int
    shortfall: int
    missing: tuple[str, ...]
    """The gap keys (as in :class:`GapCount`) to close."""


@attrs.frozen
class Summary:
    """The city roll-up against the plan's targets (``P6``, ``P8``).

    ``communities`` counts every input community (evaluated or rejected). ``groups`` holds
    the city, zone, district and subdistrict rows (:class:`ZoneSummary`); ``gap_counts`` the
    most common gaps city-wide; ``closest`` the communities closest to their next grade,
    fewest gaps first.
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
    gap_counts: tuple[GapCount, ...] = ()
    closest: tuple[ClosestCommunity, ...] = ()
    unzoned: int = 0
    """Evaluated communities with no zone (own or by district): outside the happy targets."""
    mean_score: float | None = None
    """Mean framework score (0-100) of the communities that have one."""
    score_coverage: float | None = None
    """Share of the scored indicators city-wide that could be assessed."""
    deadline: str | None = None
    """The date of the targets (``P6``: end of 2021)."""

    def level(self, level: str) -> tuple[ZoneSummary, ...]:
        """The groups of one level (``city``, ``zone``, ``district``, ``subdistrict``)."""
        return tuple(g for g in self.groups if g.level == level)


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
    rejected_residents: tuple[Rejection, ...] | None = None
    """Resident points not used, and why; ``None`` when no resident points were given."""
    repaired: tuple[Rejection, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    """Plugin contributions skipped in record-and-continue mode, with the reason."""
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

    def to_geodataframe(self, *, geometry: Literal["community", "center"] = "community") -> Any:
        """The communities as a GeoDataFrame with grades, gaps and access columns
        (the ``geopandas`` extra; see :func:`livable.geopandas.report_to_geodataframe`)."""
        from livable.geopandas import report_to_geodataframe

        return report_to_geodataframe(self, geometry=geometry)
