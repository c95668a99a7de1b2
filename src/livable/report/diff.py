"""Progress between two evaluations (``P6``, ``P8``): :func:`~livable.diff`.

Two reports of the same city, made before and after some work (new facilities, a new
survey), are compared community by community and group by group:

- each community in both: its grade before and after (up, down or the same) and, by
  rule and facility type, the gaps it closed and the gaps it opened, with the nearest
  distance to the facility type before and after;
- communities added (only in the later report), removed (only in the earlier one), and
  rejected in one report and not in the other;
- per city, zone, district and subdistrict: the change in the livable and happy shares
  and in the communities still needed to meet each target.

Reports made with different profiles or distance providers measure different things:
:func:`~livable.diff` refuses them unless ``allow_different_profile=True``, and the
:class:`~livable.ReportDiff` then says so
(its ``different_profile`` is true).

:meth:`~livable.ReportDiff.to_dict` is the JSON of ``livable diff --json``, described by
the JSON Schema ``livable/schemas/diff.schema.json``.

>>> import livable
>>> from livable.testing import community, facility
>>> before = livable.evaluate([community("c1", 108.94, 34.26)], [])
>>> diff(before, before).is_empty
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

from livable.errors import ReportError
from livable.models import (
    CommunityResult,
    Gap,
    Grade,
    Report,
    ReportSource,
    Zone,
    ZoneSummary,
    as_report,
)
from livable.models.serialize import round_m, round_share

__all__ = [
    "DIFF_SCHEMA_VERSION",
    "CommunityChange",
    "GapChange",
    "GroupChange",
    "ReportDiff",
    "diff",
]

DIFF_SCHEMA_VERSION = "1"
"""The version of the ``diff.schema.json`` document :meth:`~livable.ReportDiff.to_dict`
writes."""

Direction = Literal["up", "down", "same"]
_LEVELS = ("city", "zone", "district", "subdistrict")


@attrs.frozen
class GapChange:
    """A gap a community closed or opened between two reports.

    ``rule``, ``grade``, ``facility_type`` and ``category`` are those of the
    :class:`~livable.Gap`; ``distance_before_m`` and ``distance_after_m`` the nearest
    distance to the facility type (for a category gap, to any type of the category) in
    each report (``None``: none within the search radius, or a gap of neither);
    ``in_circle_before`` and ``in_circle_after`` the facilities of the type within the
    community's service circle.

    >>> GapChange(rule="P4.twelve_ones", facility_type="clinic").key
    'P4.twelve_ones:clinic'
    """

    rule: str
    grade: Grade | None = None
    facility_type: str | None = None
    category: str | None = None
    distance_before_m: float | None = None
    distance_after_m: float | None = None
    in_circle_before: int | None = None
    in_circle_after: int | None = None
    message_en: str = ""
    message_zh: str = ""

    @property
    def key(self) -> str:
        """``rule:facility_type`` (or ``rule:category``, or the rule alone), as in the summary."""
        what = self.facility_type or self.category
        return f"{self.rule}:{what}" if what else self.rule


@attrs.frozen
class CommunityChange:
    """One community found in both reports: its grades and the gaps it closed and opened.

    >>> c = CommunityChange(id="c1", name=None, district=None, subdistrict=None, zone=None,
    ...     grade_before=Grade.NOT_LIVABLE, grade_after=Grade.LIVABLE)
    >>> c.direction, c.changed
    ('up', True)
    """

    id: str
    name: str | None
    district: str | None
    subdistrict: str | None
    zone: Zone | None
    grade_before: Grade
    grade_after: Grade
    closed: tuple[GapChange, ...] = ()
    opened: tuple[GapChange, ...] = ()

    @property
    def direction(self) -> Direction:
        """``up``, ``down`` or ``same``: how the grade moved."""
        if self.grade_after.rank > self.grade_before.rank:
            return "up"
        if self.grade_after.rank < self.grade_before.rank:
            return "down"
        return "same"

    @property
    def changed(self) -> bool:
        """Whether the grade moved or a gap was closed or opened."""
        return self.direction != "same" or bool(self.closed) or bool(self.opened)


@attrs.frozen
class GroupChange:
    """One city, zone, district or subdistrict row in both reports (``P6``, ``P8``).

    A group in only one report has ``None`` for the other side's values. The changes are
    after minus before (``None`` when either side is missing or empty).

    >>> g = GroupChange(level="city", key="city", parent=None, communities_before=10,
    ...     communities_after=10, livable_share_before=0.5, livable_share_after=0.6,
    ...     happy_share_before=0.1, happy_share_after=0.1, livable_needed_before=5,
    ...     livable_needed_after=4, happy_needed_before=None, happy_needed_after=None)
    >>> round(g.livable_share_change, 4), g.livable_needed_change, g.changed
    (0.1, -1, True)
    """

    level: str
    key: str
    parent: str | None
    communities_before: int | None
    communities_after: int | None
    livable_share_before: float | None
    livable_share_after: float | None
    happy_share_before: float | None
    happy_share_after: float | None
    livable_needed_before: int | None
    livable_needed_after: int | None
    happy_needed_before: int | None
    happy_needed_after: int | None

    @property
    def livable_share_change(self) -> float | None:
        """The change in the livable share (after minus before)."""
        return _minus(self.livable_share_after, self.livable_share_before)

    @property
    def happy_share_change(self) -> float | None:
        """The change in the happy share (after minus before)."""
        return _minus(self.happy_share_after, self.happy_share_before)

    @property
    def livable_needed_change(self) -> int | None:
        """The change in the communities still needed to be livable (negative: progress)."""
        return _minus_int(self.livable_needed_after, self.livable_needed_before)

    @property
    def happy_needed_change(self) -> int | None:
        """The change in the communities still needed to be happy (negative: progress)."""
        return _minus_int(self.happy_needed_after, self.happy_needed_before)

    @property
    def changed(self) -> bool:
        """Whether any count, share or need differs between the two reports."""
        pairs = (
            (self.communities_before, self.communities_after),
            (self.livable_share_before, self.livable_share_after),
            (self.happy_share_before, self.happy_share_after),
            (self.livable_needed_before, self.livable_needed_after),
            (self.happy_needed_before, self.happy_needed_after),
        )
        return any(a != b for a, b in pairs)


def _minus(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else after - before


def _minus_int(after: int | None, before: int | None) -> int | None:
    return None if after is None or before is None else after - before


@attrs.frozen
class ReportDiff:
    """What changed between two reports (:func:`~livable.diff`).

    ``communities`` holds every community evaluated in both reports, in the order of the
    later one; :attr:`up`, :attr:`down` and :attr:`stayed` split them by direction and
    :attr:`changed` keeps those whose grade or gaps moved. ``added`` and ``removed`` are
    the ids evaluated in only one report (and not rejected in the other);
    ``rejected_before_only`` and ``rejected_after_only`` the ids rejected in one report and
    not in the other. ``groups`` compares the summary rows level by level.
    ``different_profile`` is true when the reports were made with different profiles
    (id or content) or distance providers.
    """

    profile_before: str
    profile_after: str
    distance_before: str
    distance_after: str
    different_profile: bool
    communities: tuple[CommunityChange, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    rejected_before_only: tuple[str, ...] = ()
    rejected_after_only: tuple[str, ...] = ()
    groups: tuple[GroupChange, ...] = ()

    @property
    def up(self) -> tuple[CommunityChange, ...]:
        """Communities whose grade went up."""
        return tuple(c for c in self.communities if c.direction == "up")

    @property
    def down(self) -> tuple[CommunityChange, ...]:
        """Communities whose grade went down."""
        return tuple(c for c in self.communities if c.direction == "down")

    @property
    def stayed(self) -> tuple[CommunityChange, ...]:
        """Communities whose grade stayed (their gaps may still have changed)."""
        return tuple(c for c in self.communities if c.direction == "same")

    @property
    def changed(self) -> tuple[CommunityChange, ...]:
        """Communities whose grade or gaps changed."""
        return tuple(c for c in self.communities if c.changed)

    @property
    def is_empty(self) -> bool:
        """Whether nothing changed: no community, membership or group row moved."""
        return not (
            self.changed
            or self.added
            or self.removed
            or self.rejected_before_only
            or self.rejected_after_only
            or any(g.changed for g in self.groups)
        )

    def level(self, level: str) -> tuple[GroupChange, ...]:
        """The group rows of one level (``city``, ``zone``, ``district``, ``subdistrict``)."""
        return tuple(g for g in self.groups if g.level == level)

    def to_dict(self) -> dict[str, Any]:
        """The diff as JSON-ready data (``diff.schema.json``); only changed communities
        are listed, the counts cover all.

        >>> import livable
        >>> from livable.testing import community
        >>> r = livable.evaluate([community("c1", 108.94, 34.26)], [])
        >>> d = diff(r, r).to_dict()
        >>> d["counts"], d["communities"]
        ({'up': 0, 'down': 0, 'same': 1, 'changed': 0, 'added': 0, 'removed': 0}, [])
        """
        return {
            "diff_schema_version": DIFF_SCHEMA_VERSION,
            "before": {"profile": self.profile_before, "distance": self.distance_before},
            "after": {"profile": self.profile_after, "distance": self.distance_after},
            "different_profile": self.different_profile,
            "empty": self.is_empty,
            "counts": {
                "up": len(self.up),
                "down": len(self.down),
                "same": len(self.stayed),
                "changed": len(self.changed),
                "added": len(self.added),
                "removed": len(self.removed),
            },
            "communities": [_community_dict(c) for c in self.changed],
            "added": list(self.added),
            "removed": list(self.removed),
            "rejected_before_only": list(self.rejected_before_only),
            "rejected_after_only": list(self.rejected_after_only),
            "groups": [_group_dict(g) for g in self.groups],
        }


def _gap_dict(g: GapChange) -> dict[str, Any]:
    return {
        "key": g.key,
        "rule": g.rule,
        "grade": None if g.grade is None else g.grade.value,
        "facility_type": g.facility_type,
        "category": g.category,
        "distance_before_m": round_m(g.distance_before_m),
        "distance_after_m": round_m(g.distance_after_m),
        "in_circle_before": g.in_circle_before,
        "in_circle_after": g.in_circle_after,
        "message_en": g.message_en,
        "message_zh": g.message_zh,
    }


def _community_dict(c: CommunityChange) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "district": c.district,
        "subdistrict": c.subdistrict,
        "zone": None if c.zone is None else c.zone.value,
        "grade_before": c.grade_before.value,
        "grade_after": c.grade_after.value,
        "direction": c.direction,
        "closed": [_gap_dict(g) for g in c.closed],
        "opened": [_gap_dict(g) for g in c.opened],
    }


def _group_dict(g: GroupChange) -> dict[str, Any]:
    return {
        "level": g.level,
        "key": g.key,
        "parent": g.parent,
        "communities": {"before": g.communities_before, "after": g.communities_after},
        "livable_share": {
            "before": round_share(g.livable_share_before),
            "after": round_share(g.livable_share_after),
            "change": round_share(g.livable_share_change),
        },
        "happy_share": {
            "before": round_share(g.happy_share_before),
            "after": round_share(g.happy_share_after),
            "change": round_share(g.happy_share_change),
        },
        "livable_needed": {
            "before": g.livable_needed_before,
            "after": g.livable_needed_after,
            "change": g.livable_needed_change,
        },
        "happy_needed": {
            "before": g.happy_needed_before,
            "after": g.happy_needed_after,
            "change": g.happy_needed_change,
        },
    }


_GapKey = tuple[str, Grade | None, str | None, str | None]


def _gap_key(g: Gap) -> _GapKey:
    return (g.rule, g.grade, g.facility_type, g.category)


def _nearest(c: CommunityResult, g: Gap) -> float | None:
    """The nearest distance to the gap's facility type, or else to its category's types."""
    if g.facility_type is not None:
        found = [a.nearest_m for a in c.access if a.facility_type == g.facility_type]
    elif g.category is not None:
        found = [a.nearest_m for a in c.access if a.category == g.category]
    else:
        return None
    known = [d for d in found if d is not None]
    return min(known) if known else None


def _in_circle(c: CommunityResult, g: Gap) -> int | None:
    if g.facility_type is None:
        return None
    found = [a.count_in_circle for a in c.access if a.facility_type == g.facility_type]
    return found[0] if found else None


def _gap_changes(
    gaps: Iterable[Gap], other: Counter[_GapKey], before: CommunityResult, after: CommunityResult
) -> tuple[GapChange, ...]:
    """The gaps of one side not matched on the other (a multiset difference, in order)."""
    left = Counter(other)
    out: list[GapChange] = []
    for g in gaps:
        key = _gap_key(g)
        if left[key]:
            left[key] -= 1
            continue
        out.append(
            GapChange(
                rule=g.rule,
                grade=g.grade,
                facility_type=g.facility_type,
                category=g.category,
                distance_before_m=_nearest(before, g),
                distance_after_m=_nearest(after, g),
                in_circle_before=_in_circle(before, g),
                in_circle_after=_in_circle(after, g),
                message_en=g.message_en,
                message_zh=g.message_zh,
            )
        )
    return tuple(out)


def _community_change(before: CommunityResult, after: CommunityResult) -> CommunityChange:
    had = Counter(_gap_key(g) for g in before.gaps)
    has = Counter(_gap_key(g) for g in after.gaps)
    return CommunityChange(
        id=after.id,
        name=after.name,
        district=after.district,
        subdistrict=after.subdistrict,
        zone=after.zone,
        grade_before=before.grade,
        grade_after=after.grade,
        closed=_gap_changes(before.gaps, has, before, after),
        opened=_gap_changes(after.gaps, had, before, after),
    )


def _group_key(g: ZoneSummary) -> tuple[str, str, str | None]:
    return (g.level, g.key, g.parent)


def _group_changes(
    before: Sequence[ZoneSummary], after: Sequence[ZoneSummary]
) -> tuple[GroupChange, ...]:
    old = {_group_key(g): g for g in before}
    new = {_group_key(g): g for g in after}
    keys = list(dict.fromkeys([*new, *old]))
    keys.sort(key=lambda k: _LEVELS.index(k[0]) if k[0] in _LEVELS else len(_LEVELS))
    rows = []
    for key in keys:
        b, a = old.get(key), new.get(key)
        rows.append(
            GroupChange(
                level=key[0],
                key=key[1],
                parent=key[2],
                communities_before=None if b is None else b.communities,
                communities_after=None if a is None else a.communities,
                livable_share_before=None if b is None else b.livable_share,
                livable_share_after=None if a is None else a.livable_share,
                happy_share_before=None if b is None else b.happy_share,
                happy_share_after=None if a is None else a.happy_share,
                livable_needed_before=None if b is None else b.livable_needed,
                livable_needed_after=None if a is None else a.livable_needed,
                happy_needed_before=None if b is None else b.happy_needed,
                happy_needed_after=None if a is None else a.happy_needed,
            )
        )
    return tuple(rows)


def _rejected_ids(r: Report) -> list[str]:
    return list(dict.fromkeys(x.id for x in r.rejected if x.id is not None))


def diff(
    before: ReportSource, after: ReportSource, *, allow_different_profile: bool = False
) -> ReportDiff:
    """Compare two reports of the same city: what the work between them changed.

    ``before`` and ``after`` are :class:`~livable.Report` objects or anything
    :func:`~livable.report.as_report` takes (a ``report.json`` path, its text, its parsed
    data). Communities are matched by id. Reports made with different profiles (id or
    content) or distance providers raise :class:`~livable.ReportError` unless
    ``allow_different_profile`` is true; the diff then has ``different_profile`` set.

    >>> import livable
    >>> from livable.testing import community, facility, offset
    >>> c = community("c1", 108.94, 34.26)
    >>> before = livable.evaluate([c], [])
    >>> after = livable.evaluate([c], [facility("f1", "clinic", *offset(108.94, 34.26, 50, 0))])
    >>> d = diff(before, after)
    >>> [g.key for g in d.communities[0].closed]
    ['P4.twelve_ones:clinic', 'P6.tiers:medical']
    >>> diff(before, "{}")
    Traceback (most recent call last):
    ...
    livable.errors.ReportError: <text>: not a livable report: required field missing @ ...
    """
    old, new = as_report(before), as_report(after)
    different = (old.profile, old.profile_sha256, old.distance) != (
        new.profile,
        new.profile_sha256,
        new.distance,
    )
    if different and not allow_different_profile:
        raise ReportError(
            f"the reports were made with different profiles or distance providers "
            f"(before: profile {old.profile}, distance {old.distance}; after: profile "
            f"{new.profile}, distance {new.distance}); compare them anyway with "
            "allow_different_profile (--allow-different-profile)"
        )
    old_by_id: Mapping[str, CommunityResult] = {c.id: c for c in old.communities}
    new_ids = {c.id for c in new.communities}
    old_rejected, new_rejected = _rejected_ids(old), _rejected_ids(new)
    old_out, new_out = set(old_rejected), set(new_rejected)  # membership, not order
    changes = tuple(
        _community_change(old_by_id[c.id], c) for c in new.communities if c.id in old_by_id
    )
    added = tuple(c.id for c in new.communities if c.id not in old_by_id and c.id not in old_out)
    removed = tuple(c.id for c in old.communities if c.id not in new_ids and c.id not in new_out)
    return ReportDiff(
        profile_before=old.profile,
        profile_after=new.profile,
        distance_before=old.distance,
        distance_after=new.distance,
        different_profile=different,
        communities=changes,
        added=added,
        removed=removed,
        rejected_before_only=tuple(i for i in old_rejected if i not in new_out),
        rejected_after_only=tuple(i for i in new_rejected if i not in old_out),
        groups=_group_changes(old.summary.groups, new.summary.groups),
    )
