"""Equity: how evenly the residents of each district are served (``P6``, ``P8``).

Shares say how many residents are served; equity says how evenly. Per district,
:func:`equity` gives

- for each of the twelve "ones" (``P4.twelve_ones``), the Gini coefficient of the
  residents' distance to the nearest facility of the type (each community's centre
  distance, weighted by its population): 0 when every resident walks as far, towards 1
  when a few walk all of the distance;
- per service category, the share of residents beyond its walk tier (``P6.tiers``);

and names the least served subdistricts: those whose residents are, on average over the
categories, most often beyond the tier.

A community's residents are counted as in :mod:`livable.report.coverage` (the residents
file where given, else its ``population``); communities without weigh nothing;
residents with no facility of a type within the search radius have no distance: they are
counted apart (``beyond_search``) and left out of that type's Gini.

>>> import livable
>>> from livable.testing import community
>>> r = livable.evaluate([community("c1", 108.94, 34.26, district="碑林区",
...                                 population=100)], [])
>>> e = equity(r)
>>> d = e.district("碑林区")
>>> d.facility_type("clinic").beyond_search, d.category("medical").share_beyond
(100, 1.0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs
import numpy as np

from livable._text import show
from livable.models import TWELVE_ONES, CommunityResult, ReportSource, as_report
from livable.profile import Profile
from livable.report._doc import report_profile
from livable.report.coverage import (
    ResidentSource,
    category_reach,
    community_residents,
    report_groups,
    residents_text,
    walk_tiers,
)

__all__ = [
    "DistanceEquity",
    "DistrictEquity",
    "Equity",
    "SubdistrictService",
    "TierShortfall",
    "equity",
    "format_equity",
    "gini",
]

_LEAST_SERVED = 5


def gini(values: Sequence[float], weights: Sequence[float] | None = None) -> float | None:
    """The (weighted) Gini coefficient of non-negative values; ``None`` with no weight.

    ``sum_i sum_j w_i w_j |x_i - x_j| / (2 W^2 mean)``, computed in ``O(n log n)`` from
    the sorted values. Equal values give 0; all values 0 give 0.

    >>> gini([500.0, 500.0, 500.0])
    0.0
    >>> round(gini([0.0, 0.0, 0.0, 1.0]), 4)
    0.75
    >>> gini([100.0, 300.0], [0, 0]) is None
    True
    """
    x = np.asarray(values, dtype=np.float64)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64)
    if x.shape != w.shape:
        raise ValueError("values and weights must have the same length")
    if np.any(x < 0) or np.any(w < 0) or not (np.all(np.isfinite(x)) and np.all(np.isfinite(w))):
        raise ValueError("values and weights must be finite and >= 0")
    total = float(w.sum())
    if total <= 0:
        return None
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    weighted = float((w * x).sum())
    if weighted <= 0:
        return 0.0
    cumulative = np.cumsum(w)
    spread = float((w * x * (2 * cumulative - w - total)).sum())
    return max(0.0, spread / (total * weighted))


@attrs.frozen
class DistanceEquity:
    """The spread of the residents' distance to one facility type in one district.

    ``gini`` (``None``: no resident with a distance) and ``mean_m`` are over the
    ``residents`` who have a facility of the type within the search radius;
    ``beyond_search`` counts those who have none.
    """

    facility_type: str
    gini: float | None
    mean_m: float | None
    residents: float
    beyond_search: float


@attrs.frozen
class TierShortfall:
    """The share of a district's residents beyond one category's walk tier."""

    category: str
    tier_m: float
    share_beyond: float | None


@attrs.frozen
class DistrictEquity:
    """Equity in one district: per type the distance Gini, per category the shortfall."""

    district: str
    residents: float
    uncounted: int
    distances: tuple[DistanceEquity, ...]
    tiers: tuple[TierShortfall, ...]

    def facility_type(self, facility_type: str) -> DistanceEquity:
        """The distance equity of one facility type."""
        for entry in self.distances:
            if entry.facility_type == facility_type:
                return entry
        raise KeyError(facility_type)

    def category(self, category: str) -> TierShortfall:
        """The tier shortfall of one service category."""
        for entry in self.tiers:
            if entry.category == category:
                return entry
        raise KeyError(category)


@attrs.frozen
class SubdistrictService:
    """A subdistrict and the mean share of its residents beyond the categories' tiers."""

    subdistrict: str
    district: str | None
    residents: float
    share_beyond: float


@attrs.frozen
class Equity:
    """Equity per district and the least served subdistricts (:func:`equity`)."""

    districts: tuple[DistrictEquity, ...]
    least_served: tuple[SubdistrictService, ...]

    def district(self, district: str) -> DistrictEquity:
        """The equity of one district."""
        for entry in self.districts:
            if entry.district == district:
                return entry
        raise KeyError(district)


def _distance(c: CommunityResult, facility_type: str) -> float | None:
    for a in c.access:
        if a.facility_type == facility_type:
            return a.nearest_m
    return None


def _distances(
    members: Sequence[CommunityResult], facility_type: str, people: Mapping[str, float]
) -> DistanceEquity:
    known: list[tuple[float, float]] = []
    beyond: float = 0
    for c in members:
        if c.id not in people:
            continue
        d = _distance(c, facility_type)
        if d is None:
            beyond += people[c.id]
        else:
            known.append((d, people[c.id]))
    residents = sum(p for _, p in known)
    mean = sum(d * p for d, p in known) / residents if residents else None
    return DistanceEquity(
        facility_type=facility_type,
        gini=gini([d for d, _ in known], [p for _, p in known]) if known else None,
        mean_m=mean,
        residents=residents,
        beyond_search=beyond,
    )


def _beyond(
    members: Sequence[CommunityResult], category: str, tier: float, people: Mapping[str, float]
) -> float | None:
    counted = [(c, people[c.id]) for c in members if c.id in people]
    residents = sum(n for _, n in counted)
    if not residents:
        return None
    reached = sum(n * category_reach(c, category, tier) for c, n in counted)
    return max(0.0, 1.0 - reached / residents)


def equity(
    report: ReportSource,
    *,
    profile: str | Path | Profile | None = None,
    residents: ResidentSource | None = None,
) -> Equity:
    """Per district, the distance Gini of each of the twelve ones and the share of
    residents beyond each tier; and the least served subdistricts (at most five, most
    often beyond the tiers first). ``profile`` gives the tiers and ``residents`` the
    resident points counting each community's residents, as for
    :func:`~livable.report.coverage.coverage`.

    >>> import livable
    >>> from livable.testing import community
    >>> r = livable.evaluate([community("c1", 108.94, 34.26, district="碑林区",
    ...                                 subdistrict="柏树林街道", population=100)], [])
    >>> [(s.subdistrict, s.share_beyond) for s in equity(r).least_served]
    [('柏树林街道', 1.0)]
    """
    data = as_report(report)
    tiers = walk_tiers(data.communities, report_profile(data, profile))
    people = community_residents(data, residents)
    types = [t for t in TWELVE_ONES if any(_has(c, t) for c in data.communities)]
    districts: list[DistrictEquity] = []
    ranked: list[SubdistrictService] = []
    for level, key, parent, members in report_groups(data.communities):
        if level == "district":
            counted = [c for c in members if c.id in people]
            districts.append(
                DistrictEquity(
                    district=key,
                    residents=sum(people[c.id] for c in counted),
                    uncounted=len(members) - len(counted),
                    distances=tuple(_distances(members, t, people) for t in types),
                    tiers=tuple(
                        TierShortfall(
                            category=cat,
                            tier_m=tier,
                            share_beyond=_beyond(members, cat, tier, people),
                        )
                        for cat, tier in tiers.items()
                    ),
                )
            )
        elif level == "subdistrict":
            shares = [_beyond(members, cat, tier, people) for cat, tier in tiers.items()]
            known = [s for s in shares if s is not None]
            if known:
                ranked.append(
                    SubdistrictService(
                        subdistrict=key,
                        district=parent,
                        residents=sum(people.get(c.id, 0) for c in members),
                        share_beyond=sum(known) / len(known),
                    )
                )
    ranked.sort(key=lambda s: (-s.share_beyond, -s.residents, s.district or "", s.subdistrict))
    least = tuple(s for s in ranked if s.share_beyond > 0)[:_LEAST_SERVED]
    return Equity(districts=tuple(districts), least_served=least)


def _has(c: CommunityResult, facility_type: str) -> bool:
    return any(a.facility_type == facility_type for a in c.access)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def format_equity(e: Equity) -> str:
    """The equity as the text ``livable summary --equity`` prints.

    >>> import livable
    >>> from livable.testing import community
    >>> r = livable.evaluate([community("c1", 108.94, 34.26, district="碑林区",
    ...                                 subdistrict="柏树林街道", population=100)], [])
    >>> print(format_equity(equity(r)).splitlines()[-1])
      碑林区 / 柏树林街道: 100.0% beyond the tiers on average (100 residents)
    """
    lines = ["equity 公平性 (Gini of residents' distance 居民距离基尼系数; share beyond the tier)"]
    for d in e.districts:
        lines.append(
            f"  {show(d.district, quote=False)}: {residents_text(d.residents)} residents "
            f"({d.uncounted} communities without a population 无人口数据)"
        )
        ginis = ", ".join(
            f"{x.facility_type} {'-' if x.gini is None else f'{x.gini:.2f}'}"
            + (f" ({x.beyond_search} beyond search)" if x.beyond_search else "")
            for x in d.distances
        )
        if ginis:
            lines.append(f"    Gini 基尼: {ginis}")
        beyond = ", ".join(f"{t.category} {_pct(t.share_beyond)}" for t in d.tiers)
        if beyond:
            lines.append(f"    beyond the tier 超出步行圈: {beyond}")
    lines.append("least served subdistricts 服务最薄弱的街道:")
    if not e.least_served:
        lines.append("  none: every counted resident is within every tier 全部居民均在步行圈内")
    for s in e.least_served:
        where = f"{show(s.district or '-', quote=False)} / {show(s.subdistrict, quote=False)}"
        lines.append(
            f"  {where}: {_pct(s.share_beyond)} beyond the tiers on average "
            f"({residents_text(s.residents)} residents)"
        )
    return "\n".join(lines)
