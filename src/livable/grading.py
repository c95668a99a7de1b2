"""Grading and city roll-ups: the grade and gaps of each community (``P3``-``P5``), and the
roll-ups against the plan's targets (``P6``, ``P7``, ``P8``).

Grading (:func:`grade_community`): the rule grade from the indicator results and their
roles (:func:`~livable.models.grade_from_results`), which a plugin's ``livable_classify``
may override (recorded in the community's ``details["grade_override"]``); then which
indicators were decisive, and the gaps to the next grade.

Roll-ups (:func:`summarize`):

Counts and shares of communities per grade for the whole city, per zone (central and
peripheral districts, ``P6`` stage 3), per district and per subdistrict (``P7``'s
four-level service system); each group against the stage targets (100 % livable; happy
50 % in central, 30 % in peripheral districts in ``xian-2020``) with the gap to each; the
most common gaps city-wide; and the communities closest to their next grade (``P8``).

Rules:

- Shares are of evaluated communities (rejected ones are counted, not graded). The three
  per-grade shares of a group add up to 1; ``livable_share`` is livable *or* happy, as
  the livable target counts happy communities too.
- A group's happy target is its zone's. A district or subdistrict whose communities lie in
  one zone takes that zone; a group without one zone has no happy target, and neither does
  the city as a whole (the plan sets the happy targets per zone only).
- Subdistricts are grouped by (district, subdistrict), so equal names in two districts
  stay apart. Communities without a district (subdistrict) appear in the city and zone
  rows only; those without a zone are counted in ``Summary.unzoned``.
- A gap key is ``rule:facility_type`` (or ``rule:category``, or the rule alone); a
  community counts once per key.
- Closest to the next grade: every community that is not happy, ranked by the number of
  gaps to its next grade (a failed or not-assessed grade indicator counts its gaps, at
  least one), then by the shortfall (missing facilities, ``required - found`` summed, one
  per gap without counts), then by community id.
"""

from __future__ import annotations

import datetime
import functools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from livable.models import (
    CATEGORIES,
    FACILITY_TYPES,
    ClosestCommunity,
    Community,
    CommunityResult,
    FacilityType,
    Gap,
    GapCount,
    Grade,
    IndicatorResult,
    Provisional,
    Skipped,
    Summary,
    Zone,
    ZoneSummary,
    grade_from_results,
)
from livable.plugins.manager import BUILTIN_NAMES
from livable.profile import Profile

if TYPE_CHECKING:
    from livable.plugins.manager import PluginManager

__all__ = [
    "GRADE_ROLES",
    "LEVELS",
    "Grading",
    "closest_to_next_grade",
    "gap_key",
    "grade_community",
    "group_summary",
    "provisional_reasons",
    "summarize",
    "with_role",
]

GRADE_ROLES: Mapping[str, Grade] = MappingProxyType(
    {"livable": Grade.LIVABLE, "happy": Grade.HAPPY}
)
"""The indicator roles that decide a grade, and the grade each one counts for (``P3``-``P5``)."""

LEVELS = ("city", "zone", "district", "subdistrict")
"""The roll-up levels, largest first (``P7``'s city > district > subdistrict, plus zones)."""


def gap_key(gap: Gap) -> str:
    """The city-wide key of a gap: ``rule:facility_type``, ``rule:category`` or ``rule``.

    >>> gap_key(Gap(rule="P4.twelve_ones", message_en="", message_zh="",
    ...             facility_type="clinic"))
    'P4.twelve_ones:clinic'
    """
    what = gap.facility_type or gap.category
    return f"{gap.rule}:{what}" if what else gap.rule


def _top(results: Iterable[CommunityResult], top: int) -> tuple[tuple[str, int], ...]:
    counts: Counter[str] = Counter()
    for r in results:
        counts.update({gap_key(g) for g in r.gaps})
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top])


def _mean_score(results: Sequence[CommunityResult]) -> float | None:
    values = [r.score.value for r in results if r.score is not None and r.score.value is not None]
    return sum(values) / len(values) if values else None


def _score_coverage(results: Sequence[CommunityResult]) -> float | None:
    """Share of the scored indicators that could be assessed, over the group."""
    total = sum(r.score.total for r in results if r.score is not None)
    assessed = sum(r.score.assessed for r in results if r.score is not None)
    return assessed / total if total else None


def group_summary(
    key: str,
    level: str,
    results: Iterable[CommunityResult],
    zone: Zone | None = None,
    *,
    profile: Profile | None = None,
    parent: str | None = None,
    top: int = 3,
) -> ZoneSummary:
    """Counts per grade of one group of community results, against the profile's targets.

    Without a ``profile`` the group has no targets.

    >>> group_summary("city", "city", []).communities
    0
    """
    members = list(results)
    grades = Counter(r.grade for r in members)
    target_livable = target_happy = None
    if profile is not None:
        target_livable = profile.targets.livable_share
        if zone is Zone.CENTRAL:
            target_happy = profile.targets.happy_share_central
        elif zone is Zone.PERIPHERAL:
            target_happy = profile.targets.happy_share_peripheral
    return ZoneSummary(
        key=key,
        level=level,
        zone=zone,
        communities=len(members),
        not_livable=grades[Grade.NOT_LIVABLE],
        livable=grades[Grade.LIVABLE],
        happy=grades[Grade.HAPPY],
        parent=parent,
        target_livable_share=target_livable,
        target_happy_share=target_happy,
        mean_score=_mean_score(members),
        score_coverage=_score_coverage(members),
        top_gaps=_top(members, top),
    )


def _one_zone(members: Sequence[CommunityResult]) -> Zone | None:
    zones = {r.zone for r in members}
    return zones.pop() if len(zones) == 1 else None


def _next_gaps(result: CommunityResult) -> tuple[int, int, tuple[str, ...]]:
    count = shortfall = 0
    keys: list[str] = []
    for indicator in result.blocking():
        gaps = indicator.gaps
        count += max(1, len(gaps))
        if not gaps:
            shortfall += 1
            keys.append(f"{indicator.clause}.{indicator.id}" if indicator.clause else indicator.id)
        for g in gaps:
            known = g.required is not None and g.found is not None
            shortfall += max(1, g.required - g.found) if known else 1  # type: ignore[operator]
            keys.append(gap_key(g))
    return count, shortfall, tuple(dict.fromkeys(keys))


def closest_to_next_grade(
    results: Iterable[CommunityResult], *, limit: int | None = None
) -> tuple[ClosestCommunity, ...]:
    """The communities that are not happy, closest to their next grade first (``P8``).

    Ranked by gaps to the next grade, then shortfall, then id (see the module rules).

    >>> closest_to_next_grade([])
    ()
    """
    ranked: list[ClosestCommunity] = []
    for r in results:
        target = r.next_grade
        if target is None:
            continue
        count, shortfall, keys = _next_gaps(r)
        ranked.append(
            ClosestCommunity(
                id=r.id,
                name=r.name,
                district=r.district,
                subdistrict=r.subdistrict,
                zone=r.zone,
                grade=r.grade,
                next_grade=target,
                gaps=count,
                shortfall=shortfall,
                missing=keys,
            )
        )
    ranked.sort(key=lambda c: (c.gaps, c.shortfall, c.id))
    return tuple(ranked if limit is None else ranked[:limit])


_FURTHER_CATEGORY = (
    "additional category for medium and large communities",
    "大、中型社区增加的保障品类",
)
"""``P4`` 大、中型社区适当增加保障品类: the label of a required type beyond the 12 ones."""


def _gap_label(
    gap: Gap, indicator: tuple[str, str] | None, types: Mapping[str, FacilityType]
) -> tuple[str, str]:
    """English and Chinese labels of a gap: what is missing, for which indicator."""
    what: tuple[str, str] | None = None
    if gap.facility_type is not None:
        ftype = types.get(gap.facility_type)
        what = (ftype.label_en, ftype.label_zh) if ftype else (gap.facility_type,) * 2
        if ftype is not None and not ftype.twelve_ones and gap.rule == "P4.twelve_ones":
            indicator = _FURTHER_CATEGORY  # not one of the 12 ones: a further category
    elif gap.category is not None:
        cat = CATEGORIES.get(gap.category)
        what = (cat.label_en, cat.label_zh) if cat else (gap.category,) * 2
    if what is None:
        en, zh = indicator or (gap.rule, gap.rule)
        return f"{en} ({gap.rule})", zh
    if indicator is None:
        return f"{what[0]} ({gap.rule})", what[1]
    return f"{what[0]}: {indicator[0]} ({gap.rule})", f"{what[1]}：{indicator[1]}"


def _gap_counts(
    results: Sequence[CommunityResult], types: Mapping[str, FacilityType], top: int
) -> tuple[GapCount, ...]:
    first: dict[str, Gap] = {}
    labels: dict[str, tuple[str, str]] = {}
    counts: Counter[str] = Counter()
    for r in results:
        for indicator in r.indicators:
            if indicator.label_en:
                for g in indicator.gaps:
                    labels.setdefault(g.rule, (indicator.label_en, indicator.label_zh))
        keys = set()
        for g in r.gaps:
            key = gap_key(g)
            first.setdefault(key, g)
            keys.add(key)
        counts.update(keys)
    out: list[GapCount] = []
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        g = first[key]
        en, zh = _gap_label(g, labels.get(g.rule), types)
        out.append(
            GapCount(
                key=key,
                rule=g.rule,
                communities=n,
                share=n / len(results),
                label_en=en,
                label_zh=zh,
                grade=g.grade,
                facility_type=g.facility_type,
                category=g.category,
            )
        )
    return tuple(out)


def summarize(
    results: Sequence[CommunityResult],
    *,
    rejected: int,
    profile: Profile,
    top: int = 10,
    closest: int = 20,
    facility_types: Mapping[str, FacilityType] | None = None,
    as_of: datetime.date | None = None,
) -> Summary:
    """The city summary of evaluated communities (``rejected`` counts those not evaluated).

    ``top`` limits the most common gaps, ``closest`` the ranked list of communities closest
    to their next grade; ``facility_types`` labels the gaps (default: the built-in types).
    ``as_of`` is the date the summary describes: it names the profile's stage of that date
    (``P6``, :meth:`~livable.Profile.stage_of`).
    Shares are of evaluated communities; a group with no community has share ``None``.

    >>> from livable.profile import load_profile
    >>> s = summarize([], rejected=0, profile=load_profile("xian-2020"))
    >>> s.evaluated, s.livable_share, [g.key for g in s.groups]
    (0, None, ['city', 'central', 'peripheral'])
    """
    types = FACILITY_TYPES if facility_types is None else facility_types
    city = group_summary("city", "city", results, profile=profile, top=top)
    groups: list[ZoneSummary] = [city]
    by_zone: dict[Zone, ZoneSummary] = {}
    for zone in Zone:
        members = [r for r in results if r.zone == zone]
        by_zone[zone] = group_summary(zone.value, "zone", members, zone, profile=profile)
        groups.append(by_zone[zone])
    by_district: dict[str, list[CommunityResult]] = {}
    by_subdistrict: dict[tuple[str, str], list[CommunityResult]] = {}
    for r in results:
        if r.district is not None:
            by_district.setdefault(r.district, []).append(r)
        if r.subdistrict is not None:
            by_subdistrict.setdefault((r.district or "", r.subdistrict), []).append(r)
    for district, members in sorted(by_district.items()):
        groups.append(
            group_summary(district, "district", members, _one_zone(members), profile=profile)
        )
    for (district_key, subdistrict), members in sorted(by_subdistrict.items()):
        groups.append(
            group_summary(
                subdistrict,
                "subdistrict",
                members,
                _one_zone(members),
                profile=profile,
                parent=district_key or None,
            )
        )
    central, peripheral = by_zone[Zone.CENTRAL], by_zone[Zone.PERIPHERAL]
    return Summary(
        communities=city.communities + rejected,
        evaluated=city.communities,
        rejected=rejected,
        not_livable=city.not_livable,
        livable=city.livable,
        happy=city.happy,
        livable_share=city.livable_share,
        happy_share=city.happy_share,
        happy_share_central=central.happy_share,
        happy_share_peripheral=peripheral.happy_share,
        target_livable_share=profile.targets.livable_share,
        target_happy_share_central=profile.targets.happy_share_central,
        target_happy_share_peripheral=profile.targets.happy_share_peripheral,
        groups=tuple(groups),
        top_gaps=city.top_gaps,
        gap_counts=_gap_counts(results, types, top),
        closest=closest_to_next_grade(results, limit=closest),
        unzoned=sum(1 for r in results if r.zone is None),
        provisional=sum(1 for r in results if r.provisional),
        unlisted_districts=tuple(
            sorted(
                {
                    r.district
                    for r in results
                    if r.zone is None and r.district and not profile.lists_district(r.district)
                }
            )
        ),
        mean_score=city.mean_score,
        score_coverage=city.score_coverage,
        deadline=profile.targets.deadline,
        as_of=as_of,
        stage=None if as_of is None else profile.stage_of(as_of),
    )


def with_role(result: IndicatorResult, role: str) -> IndicatorResult:
    """The result with the role the profile gives its indicator; its gaps then name the
    grade they block (none for a role that grades nothing, such as ``scored``/``info``).

    >>> r = IndicatorResult(id="x", status="failed", value=None, unit=None, requirement="r",
    ...     key_content="k", message_en="", message_zh="",
    ...     gaps=(Gap(rule="P4.x", message_en="", message_zh=""),))
    >>> [g.grade for g in with_role(r, "livable").gaps], with_role(r, "info").gaps
    ([<Grade.LIVABLE: 'livable'>], ())
    """
    target = GRADE_ROLES.get(role)
    graded = target is not None and all(g.grade == target for g in result.gaps)
    if result.role == role and (not result.gaps or graded):
        return result  # already so: the same object
    gaps = tuple(attrs.evolve(g, grade=target) for g in result.gaps) if target else ()
    return attrs.evolve(result, role=role, gaps=gaps)


@functools.cache
def _decisions(grade: Grade) -> dict[tuple[str, bool], bool]:
    """Whether a result decided ``grade``, by its (role, passed): a passed one of a role
    the grade reaches was needed for it, a failed one of the next grade's role blocked
    that grade; one look-up a result (a role that grades nothing decides nothing)."""
    table: dict[tuple[str, bool], bool] = {}
    for role, target in GRADE_ROLES.items():
        table[(role, True)] = target.rank <= grade.rank
        table[(role, False)] = target.rank == grade.rank + 1
    return table


def _with_decisive(
    result: IndicatorResult, decisive: bool, shared: dict[int, list[Any]] | None
) -> IndicatorResult:
    if result.decisive == decisive:
        return result
    entry = None if shared is None else shared.get(id(result))
    if entry is None or entry[0] is not result:
        return attrs.evolve(result, decisive=decisive)
    if entry[1] is None:
        entry[1] = attrs.evolve(result, decisive=decisive)
    twin: IndicatorResult = entry[1]
    return twin


@attrs.frozen
class Grading:
    """The grade of one community with what decided it (:func:`grade_community`).

    ``indicators`` are the results with ``decisive`` set, ``gaps`` those of the indicators
    that did not pass, ``details`` holds ``grade_override`` when a plugin changed the rule
    grade.
    """

    grade: Grade
    indicators: tuple[IndicatorResult, ...]
    gaps: tuple[Gap, ...]
    details: dict[str, Any] = attrs.field(factory=dict)
    provisional: tuple[Provisional, ...] = ()
    """Why the grade is provisional (:func:`provisional_reasons`)."""


def provisional_reasons(
    community: Community, results: Sequence[IndicatorResult], profile: Profile
) -> tuple[Provisional, ...]:
    """Why a community's grade is provisional: the inputs it rests on that were missing.

    A community without a population is graded against the smallest size class's counts
    (``P4``), when the profile has more than one; a grade indicator (role ``livable`` or
    ``happy``) may say its verdict rests on a missing input (a qualifier not carried).

    >>> from livable.profile import load_profile
    >>> from livable.testing import community
    >>> [p.message_zh for p in provisional_reasons(community("c", 108.9, 34.2), [],
    ...                                              load_profile("xian-2020"))]
    ['未提供常住人口，按小型社区的配置数量评定']
    """
    reasons: list[Provisional] = []
    if community.population is None and len(profile.size_classes) > 1:
        small = profile.size_classes[0]
        reasons.append(
            Provisional(
                reason="population",
                clause="P4",
                message_en=(
                    f"no population given, so it was graded against the counts of a "
                    f"{small.label_en}"
                ),
                message_zh=f"未提供常住人口，按{small.label_zh}的配置数量评定",
            )
        )
    for r in results:
        if r.role in GRADE_ROLES:
            reasons += [p for p in r.provisional if p not in reasons]
    return tuple(reasons)


def grade_community(
    community: Community,
    results: Sequence[IndicatorResult],
    profile: Profile,
    plugins: PluginManager,
    *,
    skipped: list[Skipped] | None = None,
    shared: dict[int, list[Any]] | None = None,
) -> Grading:
    """Grade one community from its indicator results (their roles set by :func:`with_role`).

    The rule grade (``P3``-``P5``, :func:`~livable.models.grade_from_results`) unless a
    plugin's ``livable_classify`` decides another (the built-in plugin's rules are asked
    last); plugin faults in ``record`` mode go to ``skipped``. ``shared`` holds results
    that many communities share (``id(result)``: ``[result, None]``): each one's decisive
    twin is then built once and kept there.

    >>> from livable.plugins import PluginManager
    >>> from livable.profile import load_profile
    >>> from livable.testing import community
    >>> r = IndicatorResult(id="twelve_ones", status="failed", value=9, unit=None,
    ...     requirement="convenience", key_content="convenience_services",
    ...     message_en="", message_zh="",
    ...     gaps=(Gap(rule="P4.twelve_ones", message_en="", message_zh=""),))
    >>> g = grade_community(community("c1", 108.94, 34.26), [with_role(r, "livable")],
    ...                     load_profile("xian-2020"), PluginManager(load_entry_points=False))
    >>> g.grade, g.indicators[0].decisive, [gap.rule for gap in g.gaps]
    (<Grade.NOT_LIVABLE: 'not_livable'>, True, ['P4.twelve_ones'])
    """
    grade = rule_grade = grade_from_results(results)
    details: dict[str, Any] = {}
    decided = plugins.classify(community, tuple(results), profile, skipped=skipped)
    if decided is not None:
        plugin, grade = decided
        if plugin not in BUILTIN_NAMES and grade != rule_grade:
            details["grade_override"] = {"plugin": plugin, "rule_grade": rule_grade.value}
    decides = _decisions(grade)
    final = tuple(
        r
        if r.decisive == (d := decides.get((r.role, r.status == "passed"), False))
        else _with_decisive(r, d, shared)
        for r in results
    )
    gaps = tuple(g for r in final if r.status != "passed" for g in r.gaps)
    return Grading(
        grade=grade,
        indicators=final,
        gaps=gaps,
        details=details,
        provisional=provisional_reasons(community, final, profile),
    )
