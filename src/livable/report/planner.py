"""Closing the gaps (补齐短板, ``P6`` stage 2): where would new facilities help most?

Given a report, the planner proposes sites for new facilities of one or more types, from
candidate sites (vacant public buildings, say) or a regular grid, so that as many
communities as possible get the count of those types the profile asks for within their
circle (``P4``), weighted by population when known.

The objective. For a community ``c`` short of ``d_c`` facilities of type ``T`` within its
circle, and a set ``S`` of chosen sites, the planner maximises::

    f(S) = sum_c w_c * min(d_c, |S ∩ N_T(c)|) / d_c

where ``N_T(c)`` are the candidate sites of type ``T`` within ``c``'s circle and ``w_c``
its population (1 when unknown). ``f`` is monotone and submodular (a sum of concave
functions of modular ones), so the greedy choice is within ``1 - 1/e`` (about 63 %) of the
optimum for a budget of sites (Nemhauser, Wolsey and Fisher, 1978). When every deficit is
1 this is the classic maximal covering location problem. The guarantee covers this
objective only: it does not carry over to the number of *grades* lifted (a community may
also lack other types) nor to the count of gaps closed when deficits exceed one.

:func:`plan` with ``method="exact"`` solves the same objective as an integer programme
with :func:`scipy.optimize.milp` (HiGHS), for small cases. ``mode="target"`` asks the
other question: the fewest sites that close every closable gap of the chosen types
(the ``P6`` target of 100 % livable, as far as those types can reach it).

>>> import livable
>>> from livable.report.planner import plan
>>> from livable.testing import community
>>> report = livable.evaluate([community("a", 108.94, 34.26, population=3000)], [])
>>> p = plan(report, ["clinic"], grid_m=500.0, budget=1)
>>> len(p.sites), p.sites[0].closes
(1, ('a',))
"""

from __future__ import annotations

import heapq
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, get_args

import attrs
import numpy as np
import numpy.typing as npt
import orjson

from livable.errors import LivableError
from livable.geometry.access import AccessQuery, FacilityColumns, Origins
from livable.geometry.crs import Projector
from livable.geometry.providers import DistanceProvider, EuclideanProvider
from livable.io import FeatureSource, read_communities
from livable.io.crs import resolve_crs
from livable.models import Grade
from livable.models.results import CommunityResult, ReportSource, as_report

__all__ = [
    "Candidate",
    "Plan",
    "PlanSource",
    "PlannedSite",
    "as_plan",
    "candidate_grid",
    "plan",
    "planned_facilities",
    "read_candidates",
    "verify_plan",
]

Method = Literal["greedy", "exact"]
Mode = Literal["budget", "target"]
_LIVABLE_RULE = "P4.twelve_ones"


@attrs.frozen
class Candidate:
    """A place where a new facility could go (WGS84)."""

    id: str
    lon: float
    lat: float


@attrs.frozen
class PlannedSite:
    """A chosen site: the type to build there and the communities it serves.

    ``serves`` are the communities short of this type whose circle holds the site;
    ``closes`` those whose gap for the type the whole plan closes with this site's help.
    """

    id: str
    facility_type: str
    lon: float
    lat: float
    rank: int
    gain: float
    serves: tuple[str, ...]
    closes: tuple[str, ...]


@attrs.frozen
class Plan:
    """The planner's answer, with the grade changes it claims.

    ``grade_changes`` maps community id to ``(before, after)`` grade values for the
    communities whose every livable gap the plan closes; re-evaluating with the planned
    facilities added confirms them (:func:`livable.report.planner.planned_facilities`).
    """

    facility_types: tuple[str, ...]
    method: Method
    mode: Mode
    budget: int | None
    objective: float
    sites: tuple[PlannedSite, ...]
    grade_changes: Mapping[str, tuple[str, str]]
    livable_before: int
    livable_after: int
    communities: int
    unreachable: tuple[str, ...] = ()
    """Communities short of a chosen type that no candidate site can serve."""

    @property
    def livable_share_before(self) -> float | None:
        """Share livable or happy before the plan."""
        return self.livable_before / self.communities if self.communities else None

    @property
    def livable_share_after(self) -> float | None:
        """Share livable or happy the plan claims."""
        return self.livable_after / self.communities if self.communities else None

    def to_geojson(self) -> dict[str, Any]:
        """The chosen sites as a GeoJSON FeatureCollection with the plan's summary."""
        features = [
            {
                "type": "Feature",
                "properties": {
                    "id": s.id,
                    "type": s.facility_type,
                    "rank": s.rank,
                    "gain": round(s.gain, 4),
                    "serves": list(s.serves),
                    "closes": list(s.closes),
                    "grade_changes": [
                        {
                            "id": c,
                            "before": self.grade_changes[c][0],
                            "after": self.grade_changes[c][1],
                        }
                        for c in s.closes
                        if c in self.grade_changes
                    ],
                },
                "geometry": {"type": "Point", "coordinates": [round(s.lon, 7), round(s.lat, 7)]},
            }
            for s in self.sites
        ]
        share = _round_share
        return {
            "type": "FeatureCollection",
            "features": features,
            "plan": {
                "facility_types": list(self.facility_types),
                "method": self.method,
                "mode": self.mode,
                "budget": self.budget,
                "objective": round(self.objective, 4),
                "guarantee": "1 - 1/e of the optimum of the coverage objective"
                if self.method == "greedy" and self.mode == "budget"
                else ("optimal" if self.method == "exact" else "greedy set cover (ln n)"),
                "communities": self.communities,
                "livable_before": self.livable_before,
                "livable_after": self.livable_after,
                "livable_share_before": share(self.livable_share_before),
                "livable_share_after": share(self.livable_share_after),
                "grade_changes": {
                    k: {"before": b, "after": a} for k, (b, a) in sorted(self.grade_changes.items())
                },
                "unreachable": list(self.unreachable),
            },
        }

    @classmethod
    def from_geojson(cls, document: object, *, where: str = "<memory>") -> Plan:
        """A plan from the GeoJSON :meth:`to_geojson` writes (``plan.geojson``, parsed).

        Numbers are as the file has them (rounded); a ``verified`` member added by
        ``livable plan`` is not part of the plan and is left out. Anything else missing
        or of the wrong kind raises :class:`~livable.LivableError` naming ``where``.

        >>> p = Plan(("clinic",), "greedy", "budget", 1, 1.0, (), {}, 0, 0, 1)
        >>> Plan.from_geojson(p.to_geojson()) == p
        True
        >>> Plan.from_geojson({"type": "FeatureCollection", "features": []})
        Traceback (most recent call last):
        ...
        livable.errors.LivableError: <memory>: not a plan GeoJSON (no 'plan' member)
        """
        if not isinstance(document, Mapping) or document.get("type") != "FeatureCollection":
            raise LivableError(f"{where}: not a plan GeoJSON FeatureCollection")
        info = document.get("plan")
        if not isinstance(info, Mapping):
            raise LivableError(f"{where}: not a plan GeoJSON (no 'plan' member)")
        try:
            sites = tuple(_site(f) for f in document["features"])
            method, mode = info["method"], info["mode"]
            if method not in get_args(Method) or mode not in get_args(Mode):
                raise ValueError(f"unknown method {method!r} or mode {mode!r}")
            changes = {
                str(k): (str(v["before"]), str(v["after"]))
                for k, v in info["grade_changes"].items()
            }
            return cls(
                facility_types=tuple(str(t) for t in info["facility_types"]),
                method=method,
                mode=mode,
                budget=None if info["budget"] is None else int(info["budget"]),
                objective=float(info["objective"]),
                sites=sites,
                grade_changes=changes,
                livable_before=int(info["livable_before"]),
                livable_after=int(info["livable_after"]),
                communities=int(info["communities"]),
                unreachable=tuple(str(c) for c in info["unreachable"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            reason = f"no {exc}" if isinstance(exc, KeyError) else str(exc)
            raise LivableError(f"{where}: not a plan GeoJSON ({reason})") from None


def _site(feature: Mapping[str, Any]) -> PlannedSite:
    props = feature["properties"]
    lon, lat = feature["geometry"]["coordinates"][:2]
    return PlannedSite(
        id=str(props["id"]),
        facility_type=str(props["type"]),
        lon=float(lon),
        lat=float(lat),
        rank=int(props["rank"]),
        gain=float(props["gain"]),
        serves=tuple(str(c) for c in props["serves"]),
        closes=tuple(str(c) for c in props["closes"]),
    )


PlanSource = Plan | str | os.PathLike[str]
"""A plan for the city map: a :class:`Plan`, or the path of its ``plan.geojson``."""


def as_plan(source: PlanSource) -> Plan:
    """The plan as written to ``plan.geojson``, typed (a :class:`Plan` passes through its
    GeoJSON, so a map drawn from it equals one drawn from the file). Parsed GeoJSON is
    read with :meth:`Plan.from_geojson`.

    >>> as_plan("no-such-plan.geojson")
    Traceback (most recent call last):
    ...
    livable.errors.LivableError: no-such-plan.geojson: not a readable plan GeoJSON (file not found)
    """
    if isinstance(source, Plan):
        return Plan.from_geojson(orjson.loads(orjson.dumps(source.to_geojson())))
    path = Path(source)
    try:
        loaded = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        raise LivableError(f"{path}: not a readable plan GeoJSON (file not found)") from None
    except (OSError, orjson.JSONDecodeError) as exc:
        raise LivableError(f"{path}: not a readable plan GeoJSON ({exc})") from None
    return Plan.from_geojson(loaded, where=str(path))


def _round_share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def read_candidates(source: FeatureSource, *, crs: str | int | None = None) -> list[Candidate]:
    """Candidate sites from a GeoJSON FeatureCollection (path, bytes or mapping), or any
    file the readers take (:func:`livable.io.read_communities`: shapefile, GPKG, CSV, ...).

    Areas are reduced to a point inside them; every feature needs a unique ``id``. A bad
    feature raises :class:`~livable.errors.InputError` naming it (candidates are few and
    chosen by hand, so a silent skip would hide a typo): the file is read as the
    communities are, strictly.

    >>> sites = {"type": "FeatureCollection", "features": [{"type": "Feature",
    ...     "properties": {"id": "s1"}, "geometry": {"type": "Point",
    ...     "coordinates": [108.94, 34.26]}}]}
    >>> read_candidates(sites)
    [Candidate(id='s1', lon=108.94, lat=34.26)]
    >>> sites["features"].append(sites["features"][0])
    >>> read_candidates(sites)
    Traceback (most recent call last):
    ...
    livable.errors.InputError: <memory>#0 (id 's1'): ...
    """
    layer = read_communities(source, crs=crs, strict=True)
    out: list[Candidate] = []
    for site in layer.communities:
        geom = site.geometry
        point = geom if geom.geom_type == "Point" else geom.representative_point()
        out.append(Candidate(site.id, float(point.x), float(point.y)))
    return out


def candidate_grid(report: ReportSource, spacing_m: float, projector: Projector) -> list[Candidate]:
    """Candidate sites on a square grid (``spacing_m``) over the communities' circles.

    Only grid points inside at least one community's circle are kept.

    >>> import livable
    >>> from livable.testing import community
    >>> report = livable.evaluate([community("a", 108.94, 34.26)], [])
    >>> len(candidate_grid(report, 500.0, Projector.for_crs(resolve_crs(report.working_crs))))
    18
    """
    return _grid(as_report(report).communities, spacing_m, projector)


def _grid(
    comms: Sequence[CommunityResult], spacing_m: float, projector: Projector
) -> list[Candidate]:
    if not (spacing_m > 0 and math.isfinite(spacing_m)):
        raise LivableError(f"grid spacing must be a positive number of metres, not {spacing_m}")
    if not comms:
        return []
    lon = np.array([c.center[0] for c in comms], dtype=np.float64)
    lat = np.array([c.center[1] for c in comms], dtype=np.float64)
    radius = np.array([c.radius_m for c in comms], dtype=np.float64)
    x, y = projector.forward(lon, lat)
    x0 = math.floor((x - radius).min() / spacing_m) * spacing_m
    y0 = math.floor((y - radius).min() / spacing_m) * spacing_m
    xs = np.arange(x0, (x + radius).max() + spacing_m, spacing_m)
    ys = np.arange(y0, (y + radius).max() + spacing_m, spacing_m)
    if xs.size * ys.size > 5_000_000:
        raise LivableError(
            f"a {spacing_m:g} m grid over this city has {xs.size * ys.size:,} points; "
            "use a coarser --grid or --candidates"
        )
    mesh_x, mesh_y = np.meshgrid(xs, ys)
    gx, gy = mesh_x.ravel(), mesh_y.ravel()
    table = EuclideanProvider().measure(
        Origins(gx, gy),
        FacilityColumns(x, y, np.zeros(len(comms), dtype=np.int64), ("community",)),
        AccessQuery(
            ("community",),
            (float(radius.max()),),
            np.full(gx.size, radius.max()),
            float(radius.max()),
            1,
        ),
    )
    # keep points within some community's own radius
    keep = np.zeros(gx.size, dtype=bool)
    idx = np.repeat(np.arange(gx.size), np.diff(table.circle_indptr))
    ok = table.circle_m <= radius[table.circle_index]
    keep[idx[ok]] = True
    glon, glat = projector.inverse(gx[keep], gy[keep])
    return [
        Candidate(f"grid-{i}", float(a), float(b))
        for i, (a, b) in enumerate(zip(glon, glat, strict=True))
    ]


def _deficits(comms: Sequence[CommunityResult], facility_type: str) -> dict[int, int]:
    out: dict[int, int] = {}
    for i, c in enumerate(comms):
        for gap in c.gaps:
            if gap.rule == _LIVABLE_RULE and gap.facility_type == facility_type:
                need = (gap.required or 0) - (gap.found or 0)
                if need > 0:
                    out[i] = need
    return out


def _livable_blockers(community: CommunityResult) -> set[tuple[str, str | None]]:
    """The livable-role gaps of a community, as (rule, facility type)."""
    return {(g.rule, g.facility_type) for g in community.gaps if g.grade is Grade.LIVABLE}


def plan(
    report: ReportSource,
    facility_types: Sequence[str],
    *,
    candidates: Iterable[Candidate] | None = None,
    grid_m: float | None = None,
    budget: int | None = None,
    mode: Mode = "budget",
    method: Method = "greedy",
    provider: DistanceProvider | None = None,
) -> Plan:
    """Choose sites for new facilities that close the most ``P4`` gaps.

    ``report`` is a :class:`~livable.Report` or anything ``livable.report.as_report`` takes
    (a ``report.json`` path, its text or its parsed data). Give ``candidates`` or a
    ``grid_m`` spacing. ``mode="budget"`` picks up to ``budget`` sites (shared across the
    types); ``mode="target"`` picks the fewest sites closing every closable gap of the
    types. ``provider`` measures site-to-centre distances (default euclidean in the
    report's working CRS; pass a network provider for walking distance).
    """
    types = tuple(dict.fromkeys(facility_types))
    if not types:
        raise LivableError("name at least one facility type to plan for")
    if mode == "budget" and (budget is None or budget < 1):
        raise LivableError("the budget mode needs --budget N (N >= 1)")
    if method not in ("greedy", "exact"):
        raise LivableError(f"method must be 'greedy' or 'exact', not {method!r}")
    data = as_report(report)
    projector = Projector.for_crs(resolve_crs(data.working_crs or "EPSG:4326"))
    if not projector.crs.is_projected:
        raise LivableError("the report's working CRS is not projected")
    comms = data.communities
    if candidates is None:
        if grid_m is None:
            raise LivableError("give candidate sites or a grid spacing")
        cands = _grid(comms, grid_m, projector)
    else:
        cands = list(candidates)
    weights = np.array([float(c.population or 1.0) for c in comms], dtype=np.float64)

    # items: (type, candidate); cover[item] = community indices it serves
    cover = _coverage(comms, cands, projector, provider)
    items: list[tuple[str, int]] = []
    sets: list[tuple[int, ...]] = []
    deficits: dict[str, dict[int, int]] = {t: _deficits(comms, t) for t in types}
    unreachable: set[str] = set()
    for t in types:
        reachable: set[int] = set()
        for s in range(len(cands)):
            served = tuple(c for c in cover[s] if c in deficits[t])
            if served:
                items.append((t, s))
                sets.append(served)
                reachable.update(served)
        unreachable.update(comms[c].id for c in deficits[t] if c not in reachable)

    if method == "greedy":
        chosen = _greedy(items, sets, deficits, weights, budget if mode == "budget" else None)
    else:
        chosen = _exact(items, sets, deficits, weights, budget, mode)
    return _assemble(
        comms,
        cands,
        types,
        items,
        sets,
        chosen,
        deficits,
        weights,
        method,
        mode,
        budget,
        tuple(sorted(unreachable)),
    )


def _coverage(
    comms: Sequence[CommunityResult],
    cands: Sequence[Candidate],
    projector: Projector,
    provider: DistanceProvider | None,
) -> list[list[int]]:
    cover: list[list[int]] = [[] for _ in cands]
    if not comms or not cands:
        return cover
    clon = np.array([c.center[0] for c in comms])
    clat = np.array([c.center[1] for c in comms])
    radius = np.array([c.radius_m for c in comms], dtype=np.float64)
    ox, oy = projector.forward(clon, clat)
    sx, sy = projector.forward(np.array([c.lon for c in cands]), np.array([c.lat for c in cands]))
    query = AccessQuery(("site",), (float(radius.max()),), radius, float(radius.max()), 1)
    table = (provider or EuclideanProvider()).measure(
        Origins(ox, oy),
        FacilityColumns(sx, sy, np.zeros(len(cands), dtype=np.int64), ("site",)),
        query,
    )
    for c in range(len(comms)):
        idx, _ = table.in_circle(c)
        for s in idx.tolist():
            cover[s].append(c)
    return cover


def _gain(
    served: Sequence[int],
    t: str,
    counts: dict[tuple[str, int], int],
    deficits: Mapping[str, Mapping[int, int]],
    weights: npt.NDArray[np.float64],
) -> float:
    total = 0.0
    for c in served:
        d = deficits[t][c]
        if counts.get((t, c), 0) < d:
            total += weights[c] / d
    return total


def _greedy(
    items: Sequence[tuple[str, int]],
    sets: Sequence[tuple[int, ...]],
    deficits: Mapping[str, Mapping[int, int]],
    weights: npt.NDArray[np.float64],
    budget: int | None,
) -> list[int]:
    """Lazy greedy (Minoux 1978): stale upper bounds in a heap, re-evaluated on pop."""
    counts: dict[tuple[str, int], int] = {}
    heap = [(-_gain(sets[k], items[k][0], counts, deficits, weights), k) for k in range(len(items))]
    heapq.heapify(heap)
    chosen: list[int] = []
    while heap and (budget is None or len(chosen) < budget):
        _, k = heapq.heappop(heap)
        fresh = _gain(sets[k], items[k][0], counts, deficits, weights)
        if fresh <= 1e-12:
            continue
        if heap and fresh < -heap[0][0] - 1e-12:
            heapq.heappush(heap, (-fresh, k))
            continue
        chosen.append(k)
        t = items[k][0]
        for c in sets[k]:
            counts[(t, c)] = counts.get((t, c), 0) + 1
    return chosen


def _exact(
    items: Sequence[tuple[str, int]],
    sets: Sequence[tuple[int, ...]],
    deficits: Mapping[str, Mapping[int, int]],
    weights: npt.NDArray[np.float64],
    budget: int | None,
    mode: Mode,
) -> list[int]:
    """The same objective as an integer programme (scipy's HiGHS MILP)."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import lil_matrix

    pairs = [(t, c) for t in deficits for c in deficits[t]]
    n_x, n_z = len(items), len(pairs)
    if n_x == 0:
        return []
    if n_x > 5000:
        raise LivableError(f"{n_x} candidate items is too many for the exact solver; use greedy")
    pos = {p: j for j, p in enumerate(pairs)}
    # z_p <= sum of x over items serving p
    a = lil_matrix((n_z, n_x + n_z))
    for k, (t, _s) in enumerate(items):
        for c in sets[k]:
            a[pos[(t, c)], k] = -1.0
    for j in range(n_z):
        a[j, n_x + j] = 1.0
    constraints = [LinearConstraint(a.tocsr(), -np.inf, 0.0)]
    upper = np.r_[np.ones(n_x), [deficits[t][c] for t, c in pairs]]
    if mode == "budget":
        row = np.r_[np.ones(n_x), np.zeros(n_z)]
        constraints.append(LinearConstraint(row[None, :], 0, budget))
        cost = np.r_[np.zeros(n_x), [-weights[c] / deficits[t][c] for t, c in pairs]]
        lower = np.zeros(n_x + n_z)
    else:  # fewest sites such that every closable deficit is met
        cost = np.r_[np.ones(n_x), np.zeros(n_z)]
        reach: dict[tuple[str, int], int] = {}
        for k, (t, _s) in enumerate(items):
            for c in sets[k]:
                reach[(t, c)] = reach.get((t, c), 0) + 1
        lower = np.r_[np.zeros(n_x), [min(deficits[t][c], reach.get((t, c), 0)) for t, c in pairs]]
    result = milp(
        cost,
        constraints=constraints,
        integrality=np.ones(n_x + n_z),
        bounds=Bounds(lower, upper),
    )
    if result.x is None:
        raise LivableError(f"the exact solver found no solution: {result.message}")
    return [k for k in range(n_x) if result.x[k] > 0.5]


def _assemble(
    comms: Sequence[CommunityResult],
    cands: Sequence[Candidate],
    types: tuple[str, ...],
    items: Sequence[tuple[str, int]],
    sets: Sequence[tuple[int, ...]],
    chosen: Sequence[int],
    deficits: Mapping[str, Mapping[int, int]],
    weights: npt.NDArray[np.float64],
    method: Method,
    mode: Mode,
    budget: int | None,
    unreachable: tuple[str, ...],
) -> Plan:
    counts: dict[tuple[str, int], int] = {}
    for k in chosen:
        for c in sets[k]:
            counts[(items[k][0], c)] = counts.get((items[k][0], c), 0) + 1
    closed = {(t, c) for (t, c), n in counts.items() if n >= deficits[t][c]}
    objective = sum(
        weights[c] * min(deficits[t][c], n) / deficits[t][c] for (t, c), n in counts.items()
    )
    changes: dict[str, tuple[str, str]] = {}
    for i, comm in enumerate(comms):
        if comm.grade is not Grade.NOT_LIVABLE:
            continue
        blockers = _livable_blockers(comm)
        if blockers and all(
            rule == _LIVABLE_RULE and ftype in types and (ftype, i) in closed
            for rule, ftype in blockers
        ):
            changes[comm.id] = ("not_livable", "livable")
    sites = []
    for rank, k in enumerate(chosen, start=1):
        t, s = items[k]
        cand = cands[s]
        sites.append(
            PlannedSite(
                id=cand.id if len(types) == 1 else f"{cand.id}:{t}",
                facility_type=t,
                lon=cand.lon,
                lat=cand.lat,
                rank=rank,
                gain=float(sum(weights[c] / deficits[t][c] for c in sets[k])),
                serves=tuple(comms[c].id for c in sets[k]),
                closes=tuple(comms[c].id for c in sets[k] if (t, c) in closed),
            )
        )
    before = sum(1 for c in comms if c.grade in (Grade.LIVABLE, Grade.HAPPY))
    return Plan(
        facility_types=types,
        method=method,
        mode=mode,
        budget=budget,
        objective=float(objective),
        sites=tuple(sites),
        grade_changes=changes,
        livable_before=before,
        livable_after=before + len(changes),
        communities=len(comms),
        unreachable=unreachable,
    )


def planned_facilities(plan_: Plan) -> list[dict[str, Any]]:
    """The planned sites as facility GeoJSON features (to add and re-evaluate)."""
    return [
        {
            "type": "Feature",
            "properties": {
                "id": f"planned-{s.rank}-{s.id}",
                "type": s.facility_type,
                "name": f"planned {s.facility_type} #{s.rank}",
            },
            "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
        }
        for s in plan_.sites
    ]


def verify_plan(
    plan_: Plan,
    communities: Any,
    facilities: Any,
    **evaluate_options: Any,
) -> dict[str, tuple[str, str]]:
    """Re-evaluate with the planned facilities added: the grade changes that really happen.

    ``communities`` and ``facilities`` are the inputs of the original evaluation (paths or
    FeatureCollections); ``evaluate_options`` are passed to :func:`livable.evaluate`.
    """
    import orjson

    from livable.engine import evaluate

    if not isinstance(facilities, Mapping):
        try:
            with open(facilities, "rb") as handle:
                facilities = orjson.loads(handle.read())
        except (OSError, orjson.JSONDecodeError) as exc:
            raise LivableError(f"{facilities}: cannot read facilities to verify: {exc}") from exc
    assert isinstance(facilities, Mapping)
    before = evaluate(communities, facilities, **evaluate_options)
    added = dict(facilities)
    added["features"] = [*facilities.get("features", []), *planned_facilities(plan_)]
    after = evaluate(communities, added, **evaluate_options)
    old = {c.id: c.grade.value for c in before.communities}
    return {
        c.id: (old[c.id], c.grade.value)
        for c in after.communities
        if c.id in old and old[c.id] != c.grade.value
    }
