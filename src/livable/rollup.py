"""City roll-ups against the plan's targets (``P6``, ``P7``, ``P8``).

Counts and shares of communities per grade for the whole city, per zone (central and
peripheral districts, ``P6`` stage 3), per district and per subdistrict (``P7``'s
four-level service system), with the most common gaps.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from livable.models import Grade, Zone
from livable.profile import Profile
from livable.report import CommunityResult, Summary, ZoneSummary

__all__ = ["group_summary", "summarize"]


def group_summary(
    key: str, level: str, results: Iterable[CommunityResult], zone: Zone | None = None
) -> ZoneSummary:
    """Counts per grade of one group of community results.

    >>> group_summary("city", "city", []).communities
    0
    """
    grades = Counter(r.grade for r in results)
    return ZoneSummary(
        key=key,
        level=level,
        zone=zone,
        communities=sum(grades.values()),
        not_livable=grades[Grade.NOT_LIVABLE],
        livable=grades[Grade.LIVABLE],
        happy=grades[Grade.HAPPY],
    )


def _gap_key(gap_rule: str, facility_type: str | None, category: str | None) -> str:
    what = facility_type or category
    return f"{gap_rule}:{what}" if what else gap_rule


def summarize(
    results: Sequence[CommunityResult], *, rejected: int, profile: Profile, top: int = 10
) -> Summary:
    """The city summary of evaluated communities (``rejected`` counts those not evaluated).

    Shares are of evaluated communities; a zone with no community has share ``None``.
    """
    city = group_summary("city", "city", results)
    groups: list[ZoneSummary] = []
    for zone in Zone:
        groups.append(
            group_summary(zone.value, "zone", [r for r in results if r.zone == zone], zone)
        )
    for level, attr in (("district", "district"), ("subdistrict", "subdistrict")):
        keys = sorted({getattr(r, attr) for r in results if getattr(r, attr) is not None})
        for key in keys:
            members = [r for r in results if getattr(r, attr) == key]
            zones = {r.zone for r in members}
            groups.append(
                group_summary(key, level, members, zones.pop() if len(zones) == 1 else None)
            )
    gap_counts: Counter[str] = Counter()
    for r in results:
        gap_counts.update({_gap_key(g.rule, g.facility_type, g.category) for g in r.gaps})
    top_gaps = tuple(sorted(gap_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top])
    central = groups[0]
    peripheral = groups[1]
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
        top_gaps=top_gaps,
    )
