"""Population-weighted coverage: shares of residents, not of communities (``P6``, ``P8``).

Every share of the summary counts communities. :func:`coverage` counts the residents who
live in them, per city, zone, district and subdistrict (the groups of the summary):

- the share of residents living in livable and in happy communities;
- per service category, the share of residents whose community reaches it within its
  walk tier (``P6.tiers``; the Sony CSL "F15" 15-minute-city measure applied to the
  plan's 5/10/15-minute tiers). A community evaluated with resident points
  (``resident_access``, the residents file) contributes the share of its own residents
  who reach the category; any other community contributes all its residents or none,
  as its centre reaches the category or not.

The weight of a community is its number of residents (:func:`community_residents`): the
sum of its points in the residents file where one is given (``residents=``, the CLI's
``--residents``), else its ``population``. Communities with neither are counted apart
(``uncounted`` of :class:`GroupCoverage`), never guessed: they weigh nothing in the shares.

>>> import livable
>>> from livable.testing import community
>>> report = livable.evaluate([community("c1", 108.94, 34.26, population=800),
...                           community("c2", 108.95, 34.26)], [])
>>> city = coverage(report).group("city", "city")
>>> city.residents, city.counted, city.uncounted, city.livable_share
(800, 1, 1, 0.0)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import attrs

from livable._text import show
from livable.engine import EvaluationSettings, LayerSpec, as_resident_layer
from livable.io import FeatureSource, ResidentLayer
from livable.models import CommunityResult, Grade, Report, ReportSource, Zone, as_report
from livable.profile import Profile
from livable.report._doc import report_profile

__all__ = [
    "CategoryCoverage",
    "Coverage",
    "GroupCoverage",
    "ResidentSource",
    "category_reach",
    "community_residents",
    "coverage",
    "format_coverage",
    "report_groups",
    "residents_text",
    "walk_tiers",
]


@attrs.frozen
class CategoryCoverage:
    """The residents of a group who reach one service category within its walk tier.

    ``residents`` may be fractional: a community with resident points contributes the
    share of its residents who reach the category. ``share`` is ``None`` for a group
    without counted residents.
    """

    category: str
    tier_m: float
    residents: float
    share: float | None


@attrs.frozen
class GroupCoverage:
    """Residents of one city, zone, district or subdistrict, by grade and by category.

    ``communities`` is every evaluated community of the group; ``counted`` those whose
    residents are known (:func:`community_residents`; their sum is ``residents``),
    ``uncounted`` those without.

    >>> g = GroupCoverage(level="city", key="city", parent=None, communities=3, counted=2,
    ...     uncounted=1, residents=1000, livable_residents=600, happy_residents=100)
    >>> g.livable_share, g.happy_share
    (0.6, 0.1)
    """

    level: str
    key: str
    parent: str | None
    communities: int
    counted: int
    uncounted: int
    residents: float
    livable_residents: float
    happy_residents: float
    categories: tuple[CategoryCoverage, ...] = ()

    @property
    def livable_share(self) -> float | None:
        """Share of the counted residents living in livable or happy communities."""
        return self.livable_residents / self.residents if self.residents else None

    @property
    def happy_share(self) -> float | None:
        """Share of the counted residents living in happy communities."""
        return self.happy_residents / self.residents if self.residents else None

    def category(self, category: str) -> CategoryCoverage:
        """The coverage of one service category."""
        for entry in self.categories:
            if entry.category == category:
                return entry
        raise KeyError(category)


@attrs.frozen
class Coverage:
    """The population-weighted coverage of a report, group by group (:func:`coverage`)."""

    groups: tuple[GroupCoverage, ...]

    def level(self, level: str) -> tuple[GroupCoverage, ...]:
        """The groups of one level (``city``, ``zone``, ``district``, ``subdistrict``)."""
        return tuple(g for g in self.groups if g.level == level)

    def group(self, level: str, key: str, parent: str | None = None) -> GroupCoverage:
        """One group by level, key and (for a subdistrict) its district."""
        for g in self.groups:
            if (g.level, g.key, g.parent) == (level, key, parent):
                return g
        raise KeyError((level, key, parent))


ResidentSource = LayerSpec | FeatureSource | ResidentLayer
"""A residents file (path, text or parsed GeoJSON), a :class:`~livable.engine.LayerSpec`
naming it with its CRS or datum, or a :class:`~livable.io.ResidentLayer`."""


def _people(value: float) -> float:
    """A count of residents, as an int when it is whole (sums of point populations)."""
    return int(value) if float(value).is_integer() else float(value)


def community_residents(
    report: Report, residents: ResidentSource | None = None
) -> Mapping[str, float]:
    """The residents of each evaluated community, by id; a community that has none
    known is left out (counted apart by the callers, never guessed).

    With ``residents`` (the resident points of :func:`livable.evaluate`), a community's
    residents are the sum of the ``population`` of its points; a community without a
    point there keeps its own ``population``. Without, every community its
    ``population``.

    >>> import livable
    >>> from livable.testing import community
    >>> r = livable.evaluate([community("c1", 108.94, 34.26, population=800),
    ...                       community("c2", 108.95, 34.26), community("c3", 108.96, 34.26)], [])
    >>> dict(community_residents(r))
    {'c1': 800}
    >>> points = {"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {"community": c, "population": p},
    ...      "geometry": {"type": "Point", "coordinates": [108.95, 34.26]}}
    ...     for c, p in [("c2", 120), ("c2", 30), ("nowhere", 5)]]}
    >>> dict(community_residents(r, points))
    {'c1': 800, 'c2': 150}
    """
    counts: dict[str, float] = {}
    if residents is not None:
        layer = as_resident_layer(residents, EvaluationSettings())
        for community_id, population in zip(
            layer.community.tolist(), layer.population.tolist(), strict=True
        ):
            counts[community_id] = counts.get(community_id, 0.0) + population
    out: dict[str, float] = {}
    for c in report.communities:
        if c.id in counts:
            out[c.id] = _people(counts[c.id])
        elif c.population is not None:
            out[c.id] = c.population
    return out


Group = tuple[str, str, str | None, tuple[CommunityResult, ...]]
"""A group of communities: level, key, parent (a subdistrict's district), members."""


def report_groups(communities: Sequence[CommunityResult]) -> list[Group]:
    """The groups of the summary, in its order: the city, each zone, each district, each
    subdistrict (keyed by its district too, as in :class:`~livable.ZoneSummary`).

    >>> import livable
    >>> from livable.testing import community
    >>> r = livable.evaluate([community("c1", 108.94, 34.26, district="碑林区",
    ...                                 subdistrict="柏树林街道")], [])
    >>> [(level, key, parent, len(m)) for level, key, parent, m in report_groups(r.communities)]
    [('city', 'city', None, 1), ('zone', 'central', None, 1), ('zone', 'peripheral', None, 0), \
('district', '碑林区', None, 1), ('subdistrict', '柏树林街道', '碑林区', 1)]
    """
    groups: list[Group] = [("city", "city", None, tuple(communities))]
    for zone in Zone:
        groups.append(("zone", zone.value, None, tuple(c for c in communities if c.zone == zone)))
    districts: dict[str, list[CommunityResult]] = {}
    subdistricts: dict[tuple[str, str], list[CommunityResult]] = {}
    for c in communities:
        if c.district is not None:
            districts.setdefault(c.district, []).append(c)
        if c.subdistrict is not None:
            subdistricts.setdefault((c.district or "", c.subdistrict), []).append(c)
    for district, members in sorted(districts.items()):
        groups.append(("district", district, None, tuple(members)))
    for (district, subdistrict), members in sorted(subdistricts.items()):
        groups.append(("subdistrict", subdistrict, district or None, tuple(members)))
    return groups


def walk_tiers(communities: Iterable[CommunityResult], profile: Profile) -> dict[str, float]:
    """The profile's service categories measured in the report, with their walk tier
    distance in metres (``P6.tiers``), in the profile's order.

    >>> import livable
    >>> from livable.profile import load_profile
    >>> from livable.testing import community
    >>> r = livable.evaluate([community("c1", 108.94, 34.26)], [])
    >>> walk_tiers(r.communities, load_profile("xian-2020"))["medical"]
    1200.0
    """
    measured = {a.category for c in communities for a in c.access if a.category is not None}
    return {
        category: profile.tier_distance_m(category)
        for category in profile.category_tiers
        if category in measured
    }


def category_reach(c: CommunityResult, category: str, tier_m: float) -> float:
    """The share (0-1) of a community's residents who reach a category within ``tier_m``.

    Its ``resident_access`` share where the report has one; else 1 when a facility of the
    category is within ``tier_m`` of the centre, 0 when not.

    >>> import livable
    >>> from livable.testing import community, facility, offset
    >>> r = livable.evaluate([community("c1", 108.94, 34.26)],
    ...                      [facility("f1", "clinic", *offset(108.94, 34.26, 300, 0))])
    >>> category_reach(r.communities[0], "medical", 1200.0)
    1.0
    """
    if c.resident_access is not None and c.resident_access.get(category) is not None:
        return float(c.resident_access[category])
    known = [a.nearest_m for a in c.access if a.category == category and a.nearest_m is not None]
    return 1.0 if known and min(known) <= tier_m else 0.0


def _group(
    level: str,
    key: str,
    parent: str | None,
    members: Sequence[CommunityResult],
    tiers: dict[str, float],
    people: Mapping[str, float],
) -> GroupCoverage:
    counted = [(c, people[c.id]) for c in members if c.id in people]
    residents = _people(sum(n for _, n in counted))
    categories = []
    for category, tier in tiers.items():
        reach = sum(n * category_reach(c, category, tier) for c, n in counted)
        categories.append(
            CategoryCoverage(
                category=category,
                tier_m=tier,
                residents=reach,
                share=reach / residents if residents else None,
            )
        )
    return GroupCoverage(
        level=level,
        key=key,
        parent=parent,
        communities=len(members),
        counted=len(counted),
        uncounted=len(members) - len(counted),
        residents=residents,
        livable_residents=_people(sum(n for c, n in counted if c.grade != Grade.NOT_LIVABLE)),
        happy_residents=_people(sum(n for c, n in counted if c.grade == Grade.HAPPY)),
        categories=tuple(categories),
    )


def coverage(
    report: ReportSource,
    *,
    profile: str | Path | Profile | None = None,
    residents: ResidentSource | None = None,
) -> Coverage:
    """The population-weighted coverage of a report, per city, zone, district, subdistrict.

    ``profile`` gives the walk tiers (default: the report's built-in profile, else the
    plan's ``xian-2020``), as for the maps and the handbook; ``residents`` the resident
    points whose populations count a community's residents (:func:`community_residents`).

    >>> import livable
    >>> from livable.testing import community
    >>> r = livable.evaluate([community("c1", 108.94, 34.26, population=100)], [])
    >>> coverage(r).group("city", "city").category("medical").share
    0.0
    """
    data = as_report(report)
    tiers = walk_tiers(data.communities, report_profile(data, profile))
    people = community_residents(data, residents)
    return Coverage(
        groups=tuple(
            _group(level, key, parent, members, tiers, people)
            for level, key, parent, members in report_groups(data.communities)
        )
    )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def residents_text(value: float) -> str:
    """A number of residents as the summaries print it: whole, or to one decimal.

    >>> residents_text(574350), residents_text(150.25)
    ('574350', '150.2')
    """
    return str(value) if isinstance(value, int) else f"{value:.1f}"


def format_coverage(cov: Coverage) -> str:
    """The coverage as the text ``livable summary --coverage`` prints: per group the
    counted residents, the shares in livable and happy communities, and per category the
    share reaching it within its tier.

    >>> import livable
    >>> from livable.testing import community
    >>> r = livable.evaluate([community("c1", 108.94, 34.26, population=100)], [])
    >>> print(format_coverage(coverage(r)).splitlines()[0])
    residents 居民, population-weighted 按人口加权 (no population: counted apart 单列)
    """
    lines = ["residents 居民, population-weighted 按人口加权 (no population: counted apart 单列)"]
    for g in cov.groups:
        if not g.communities:
            continue
        key = g.key if g.parent is None else f"{g.parent} / {g.key}"
        head = g.level if g.level == g.key else f"{g.level} {show(key, quote=False)}"
        lines.append(
            f"  {head}: {residents_text(g.residents)} residents in {g.counted} communities "
            f"({g.uncounted} without a population 无人口数据); livable 宜居 "
            f"{_pct(g.livable_share)}, happy 幸福 {_pct(g.happy_share)}"
        )
        reached = ", ".join(f"{c.category} {_pct(c.share)}" for c in g.categories)
        if reached:
            lines.append(f"    within the tier 步行圈内可达: {reached}")
    return "\n".join(lines)
