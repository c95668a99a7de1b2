"""The proximity pass at city scale: exact tier counts, circle counts and nearest facilities.

For every circle centre (origin) and facility type, :func:`proximity_table` answers what
the indicators ask (``P4``, ``P6.tiers``, ``P6.circle``): how many facilities lie within
each walk tier and within the origin's own circle, and which ``k`` are nearest within the
search radius. It never lists every (origin, facility) pair within the search radius:

1. Point facilities go into one scipy k-d tree per type
   (:class:`~livable.geometry.points.PointTrees`); counts within a radius come from the
   tree's node counts, exact measurement only for the rare circles with a point within a
   millimetre of their edge.
2. Area facilities (a park, a campus) go into the bulk-loaded R-tree
   (:class:`~livable.geometry.index.FacilityIndex`): bounding boxes first, then the exact
   distance to the nearest edge point (0 inside) for the candidates.
3. The ``k`` nearest of a type come from the tree's ``k + 1`` nearest of that type,
   measured exactly; only where the ``k + 1``-th might tie with the ``k``-th are all the
   points within the ``k``-th nearest (plus a margin) listed, one bulk search per type.
4. The facilities within a circle are listed on demand (:class:`SearchCircleLists`).

For a few origins (up to :data:`LIST_ORIGINS`, a service's one point per request) with
facilities prepared once (:class:`PreparedFacilities`), the per-type tree calls cost more
than they save: the points within the largest radius are listed from a grid of cells
(:class:`PointGrid`, a few slices and one ``hypot``) and counted and ranked from that list;
the same answer, several times faster.

Every answer equals the brute-force definition: distance ``hypot(dx, dy)`` in the working
CRS for points, :func:`shapely.distance` for areas, "within r" meaning ``<= r`` on
unrounded distances, the nearest ordered by distance and then by facility index. Another
metric (the geodesic provider) plugs in as a :class:`PairMetric`: exact distances for the
few candidates whose planar distance is within its slack of a radius.

>>> import numpy as np
>>> from livable.geometry.access import AccessQuery, FacilityColumns, Origins
>>> fac = FacilityColumns(x=[300.0, 900.0, 100.0], y=[400.0, 0.0, 0.0],
...                       type_codes=[0, 0, 1], type_ids=("clinic", "bank"))
>>> q = AccessQuery(type_ids=("clinic", "bank"), tier_radii_m=(400.0, 800.0, 1200.0),
...                 circle_radii_m=[1200.0], search_radius_m=3000.0, k=2)
>>> t = proximity_table(Origins([0.0], [0.0]), fac, q)
>>> t.nearest_m.tolist(), t.count_within[0, 0].tolist(), t.knn_index[0, 0].tolist()
([[500.0, 100.0]], [0, 1, 2], [0, 1])
>>> [a.tolist() for a in t.in_circle(0)]
[[2, 0, 1], [100.0, 500.0, 900.0]]
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np
import numpy.typing as npt
import shapely

from livable.geometry.access import (
    AccessQuery,
    AccessTable,
    FacilityColumns,
    FloatArray,
    IntArray,
    Origins,
    top_k,
)
from livable.geometry.index import FacilityIndex
from livable.geometry.points import PointSearch, PointTrees, Refine

__all__ = [
    "LIST_ORIGINS",
    "PairMetric",
    "PointGrid",
    "PointIndexFactory",
    "PreparedFacilities",
    "SearchCircleLists",
    "area_pairs",
    "proximity_table",
]

LIST_ORIGINS = 16
"""Up to this many origins (and facilities prepared), :func:`proximity_table` lists the
points around each from the :class:`PointGrid` instead of counting type by type."""

PointIndexFactory = Callable[..., PointSearch]
"""``factory(x, y, type_codes, *, n_types) -> PointSearch``: the index over point facilities
(:class:`~livable.geometry.points.PointTrees`; the benchmarks plug in others)."""

PairDistance = Callable[[IntArray, IntArray, FloatArray], FloatArray]
"""``distance(origin, facility, planar_m) -> metres`` for arrays of candidate pairs."""


@attrs.frozen
class PairMetric:
    """A distance other than the planar one, for :func:`proximity_table`.

    ``points(origin, facility, planar)`` and ``areas(origin, facility, planar_edge)``
    return exact distances of candidate pairs (indices into the origins and facilities);
    ``slack`` bounds ``|distance / planar - 1|`` over the data (with a margin), so that
    pairs farther from a radius than that are decided on the planar distance alone.
    """

    slack: float
    points: PairDistance
    areas: PairDistance


def area_pairs(
    ox: FloatArray,
    oy: FloatArray,
    radius: FloatArray,
    areas: npt.NDArray[np.object_],
    area_index: IntArray,
    *,
    tree: FacilityIndex | None = None,
) -> tuple[IntArray, IntArray, FloatArray]:
    """(origin, facility, planar distance) of area facilities within ``radius`` of origins.

    ``areas[area_index]`` are the area geometries; one bulk R-tree box query, then
    :func:`shapely.distance` (0 inside) on the candidates. Facilities are returned as
    values of ``area_index``; pairs grouped by origin. ``tree`` is an R-tree of the boxes of
    ``areas[area_index]`` built before (``area_tree``), else one is built.

    >>> from shapely.geometry import box
    >>> geoms = np.array([None, box(100, -50, 200, 50)], dtype=object)
    >>> o, f, d = area_pairs(np.array([0.0, 150.0]), np.array([0.0, 0.0]),
    ...                      np.array([120.0, 10.0]), geoms, np.array([1]))
    >>> o.tolist(), f.tolist(), d.tolist()
    ([0, 1], [1, 1], [100.0, 0.0])
    """
    empty = np.zeros(0, dtype=np.int64)
    ok = np.flatnonzero(np.isfinite(ox) & np.isfinite(oy) & np.isfinite(radius))
    if area_index.size == 0 or ok.size == 0:
        return empty, empty, np.zeros(0)
    geoms = areas[area_index]
    index = tree if tree is not None else area_tree(geoms)
    x, y, r = ox[ok], oy[ok], radius[ok]
    q, a = index.query_boxes(x - r, y - r, x + r, y + r)
    d = shapely.distance(shapely.points(x[q], y[q]), geoms[a])
    keep = d <= r[q]
    return ok[q[keep]], area_index[a[keep]], np.asarray(d[keep], dtype=np.float64)


def area_tree(geoms: npt.NDArray[np.object_]) -> FacilityIndex:
    """The bulk-loaded R-tree of the bounding boxes of area geometries.

    >>> from shapely.geometry import box
    >>> len(area_tree(np.array([box(0, 0, 1, 1)], dtype=object)))
    1
    """
    bounds = shapely.bounds(geoms)
    return FacilityIndex(bounds[:, 0], bounds[:, 1], bounds[:, 2], bounds[:, 3])


@attrs.frozen(eq=False)
class PreparedFacilities:
    """Facilities indexed once for many :func:`proximity_table` calls (a service).

    :func:`proximity_table` alone indexes the facilities near its origins on every call,
    which suits one bulk pass; a service answering one origin at a time builds this once
    (:meth:`build`) and passes it as ``prepared``: the point trees over every point facility
    and the R-tree over every area facility are then reused.

    >>> from livable.geometry.access import AccessQuery, FacilityColumns, Origins
    >>> fac = FacilityColumns(x=[300.0, 900.0], y=[400.0, 0.0], type_codes=[0, 0],
    ...                       type_ids=("clinic",))
    >>> prepared = PreparedFacilities.build(fac)
    >>> q = AccessQuery(type_ids=("clinic",), tier_radii_m=(400.0, 1200.0),
    ...                 circle_radii_m=[1200.0], search_radius_m=3000.0, k=2)
    >>> proximity_table(Origins([0.0], [0.0]), fac, q, prepared=prepared).nearest_m.tolist()
    [[500.0]]
    """

    facilities: FacilityColumns
    point_index: IntArray
    """Positions of the point facilities in ``facilities`` (the trees' indices map to them)."""
    points: PointSearch
    area_index: IntArray
    area_tree: FacilityIndex | None
    grid: PointGrid | None = None
    """The point facilities in a :class:`PointGrid` (built by :meth:`build`): a few origins
    are answered from its listings."""

    @classmethod
    def build(
        cls, facilities: FacilityColumns, *, point_index: PointIndexFactory = PointTrees
    ) -> PreparedFacilities:
        """Index every facility: k-d trees per type for points, an R-tree for areas."""
        is_area = facilities.area_mask
        pidx = np.flatnonzero(~is_area)
        codes = facilities.type_codes
        n_types = len(facilities.type_ids)
        points = point_index(facilities.x[pidx], facilities.y[pidx], codes[pidx], n_types=n_types)
        aidx = np.flatnonzero(is_area)
        tree = None
        if aidx.size and facilities.areas is not None:
            tree = area_tree(facilities.areas[aidx])
        grid = PointGrid(facilities.x[pidx], facilities.y[pidx], pidx, codes[pidx])
        return cls(facilities, pidx, points, aidx, tree, grid)


@attrs.frozen(eq=False)
class _Areas:
    """Area (origin, facility, distance) pairs within reach, grouped by origin (CSR)."""

    origin: IntArray
    facility: IntArray
    distance_m: FloatArray
    type_code: IntArray
    indptr: IntArray

    def counts(self, radius: FloatArray, n_origins: int, n_types: int) -> IntArray:
        """``[origin, type]`` counts within a radius per origin."""
        hit = self.distance_m <= radius[self.origin]
        keys = self.origin[hit] * n_types + self.type_code[hit]
        return np.bincount(keys, minlength=n_origins * n_types).reshape(n_origins, n_types)


@attrs.frozen(eq=False)
class SearchCircleLists:
    """:class:`~livable.geometry.access.CircleLists` answered by searching the points again.

    The first lookup of a facility type searches every origin's circle for that type in
    one bulk pass and keeps the lists (an indicator asking about a type usually asks for
    every community); a lookup of all types searches one origin.
    """

    points: PointSearch
    point_index: IntArray
    origins: Origins
    radius_m: FloatArray
    areas: _Areas
    metric: PairMetric | None = None
    facilities: FacilityColumns | None = None
    """The facilities ``point_index`` points into: with them :meth:`counts_where`
    counts in a tree of the selected points instead of listing every pair."""
    _by_type: dict[int, tuple[IntArray, IntArray, FloatArray]] = attrs.field(
        factory=dict, init=False
    )

    def lookup(self, origin: int, type_code: int | None = None) -> tuple[IntArray, FloatArray]:
        """See :class:`~livable.geometry.access.CircleLists`."""
        if type_code is None:
            f, d = self._points(np.array([origin], dtype=np.int64), None)[1:]
        else:
            indptr, f, d = self._type_lists(type_code)
            lo, hi = int(indptr[origin]), int(indptr[origin + 1])
            f, d = f[lo:hi], d[lo:hi]
        a = self.areas
        lo, hi = int(a.indptr[origin]), int(a.indptr[origin + 1])
        sel = np.arange(lo, hi)
        sel = sel[a.distance_m[sel] <= self.radius_m[origin]]
        if type_code is not None:
            sel = sel[a.type_code[sel] == type_code]
        if sel.size:
            f = np.concatenate([f, a.facility[sel]])
            d = np.concatenate([d, a.distance_m[sel]])
        order = np.lexsort((f, d))
        return f[order], d[order]

    def _type_lists(self, type_code: int) -> tuple[IntArray, IntArray, FloatArray]:
        """The point facilities of one type within every origin's circle, as CSR arrays
        (unsorted within an origin): one bulk search, kept."""
        lists = self._by_type.get(type_code)
        if lists is None:
            n = len(self.origins)
            o, f, d = self._points(np.arange(n, dtype=np.int64), type_code)
            indptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(np.bincount(o, minlength=n), out=indptr[1:])
            lists = self._by_type[type_code] = (indptr, f, d)
        return lists

    def counts_where(self, type_code: int, keep: npt.NDArray[np.bool_]) -> IntArray:
        """Per origin, how many facilities of one type within its circle ``keep`` selects
        (``keep`` has one entry per facility): no list is sorted."""
        n = len(self.origins)
        cols = self.facilities
        if cols is None:
            indptr, f, _d = self._type_lists(type_code)
            origin = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
            counts = np.bincount(origin[keep[f]], minlength=n)
        else:  # the selected points in a tree of their own, counted, never listed
            pidx = self.point_index
            chosen = pidx[keep[pidx] & (cols.type_codes[pidx] == type_code)]
            trees = PointTrees(
                cols.x[chosen], cols.y[chosen], np.zeros(chosen.size, dtype=np.int64), n_types=1
            )
            refine, slack = _refine(self.metric, np.arange(n, dtype=np.int64), chosen)
            counts = trees.count_within(
                self.origins.x, self.origins.y, self.radius_m, refine=refine, slack=slack
            )[:, 0]
        a = self.areas
        sel = (a.type_code == type_code) & (a.distance_m <= self.radius_m[a.origin])
        sel &= keep[a.facility]
        counts += np.bincount(a.origin[sel], minlength=n)
        return counts.astype(np.int64)

    def csr(self) -> tuple[IntArray, IntArray, FloatArray]:
        """Every origin's list at once (see ``AccessTable.circle_lists``): one bulk search."""
        n = len(self.origins)
        o, f, d = self._points(np.arange(n, dtype=np.int64), None)
        a = self.areas
        sel = a.distance_m <= self.radius_m[a.origin]
        o = np.concatenate([o, a.origin[sel]])
        f = np.concatenate([f, a.facility[sel]])
        d = np.concatenate([d, a.distance_m[sel]])
        order = np.lexsort((f, d, o))
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(o, minlength=n), out=indptr[1:])
        return indptr, f[order], d[order]

    def _points(
        self, which: IntArray, type_code: int | None
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """(origin, facility, distance) of the point facilities within the circles of
        ``which`` (ascending), grouped by origin in that order, unsorted within."""
        tc = None if type_code is None else np.full(which.size, type_code, dtype=np.int64)
        refine, slack = _refine(self.metric, which, self.point_index)
        q, f, d = self.points.pairs_within(
            self.origins.x[which],
            self.origins.y[which],
            self.radius_m[which],
            type_code=tc,
            refine=refine,
            slack=slack,
        )
        return which[q], self.point_index[f], d


def _refine(
    metric: PairMetric | None, query_origin: IntArray, point_index: IntArray
) -> tuple[Refine | None, float]:
    """The point index's ``refine`` and ``slack``: the metric seen through query and point
    indices."""
    if metric is None:
        return None, 0.0

    def refine(q: IntArray, f: IntArray, planar: FloatArray) -> FloatArray:
        return metric.points(query_origin[q], point_index[f], planar)

    return refine, metric.slack


def _empty_table(n: int, n_types: int, n_tiers: int, k: int) -> AccessTable:
    from livable.geometry.access import PairCircleLists

    empty = np.zeros(0, dtype=np.int64)
    return AccessTable(
        nearest_m=np.full((n, n_types), np.nan),
        count_within=np.zeros((n, n_types, n_tiers), dtype=np.int64),
        count_in_circle=np.zeros((n, n_types), dtype=np.int64),
        knn_index=np.full((n, n_types, k), -1, dtype=np.int64),
        knn_m=np.full((n, n_types, k), np.nan),
        circles=PairCircleLists(np.zeros(n + 1, dtype=np.int64), empty, np.zeros(0), empty),
    )


def _prepare_near(
    ox: FloatArray,
    oy: FloatArray,
    reach: float,
    facilities: FacilityColumns,
    point_index: PointIndexFactory,
) -> PreparedFacilities:
    """The index of one pass: the point facilities within ``reach`` of the origins' extent
    (the others are beyond every radius) and every area facility (its R-tree built later)."""
    is_area = facilities.area_mask
    finite = np.isfinite(ox) & np.isfinite(oy)
    if finite.any():
        west, east = ox[finite].min() - reach, ox[finite].max() + reach
        south, north = oy[finite].min() - reach, oy[finite].max() + reach
        fx, fy = facilities.x, facilities.y
        near = ~is_area & (fx >= west) & (fx <= east) & (fy >= south) & (fy <= north)
    else:
        near = np.zeros(len(facilities), dtype=bool)
    pidx = np.flatnonzero(near)
    codes, n_types = facilities.type_codes, len(facilities.type_ids)
    points = point_index(facilities.x[pidx], facilities.y[pidx], codes[pidx], n_types=n_types)
    return PreparedFacilities(facilities, pidx, points, np.flatnonzero(is_area), None)


def _few_origins(
    origins: Origins,
    query: AccessQuery,
    prepared: PreparedFacilities,
    grid: PointGrid,
    areas: _Areas,
    codes: IntArray,
    circles: SearchCircleLists,
) -> AccessTable:
    """The table of a few origins from the grid's listings (no metric): every point within
    the largest tier or circle gives the counts; the ``k`` nearest of a type come from
    those points when ``k`` of the type lie within that radius (no unlisted point can be
    nearer), else from the type's own tree, as far as the search radius."""
    n, n_types, k = len(origins), len(query.type_ids), query.k
    tiers = np.asarray(query.tier_radii_m, dtype=np.float64)
    circle = query.circle_radii_m[:n]
    search = float(query.search_radius_m)
    count_within = np.zeros((n, n_types, tiers.size), dtype=np.int64)
    count_in_circle = np.zeros((n, n_types), dtype=np.int64)
    pidx, points = prepared.point_index, prepared.points
    has_points = grid.type_counts(n_types) > 0
    groups, facs, dists = [], [], []
    for i in range(n):
        x, y = float(origins.x[i]), float(origins.y[i])
        near_r = max(float(tiers.max(initial=0.0)), float(circle[i]))
        f, d = grid.within(x, y, near_r)
        t = codes[f]
        lo, hi = int(areas.indptr[i]), int(areas.indptr[i + 1])
        af, ad, at = areas.facility[lo:hi], areas.distance_m[lo:hi], areas.type_code[lo:hi]
        for j, r in enumerate(tiers.tolist()):
            count_within[i, :, j] = np.bincount(t[d <= r], minlength=n_types) + np.bincount(
                at[ad <= r], minlength=n_types
            )
        count_in_circle[i] = np.bincount(t[d <= circle[i]], minlength=n_types) + np.bincount(
            at[ad <= circle[i]], minlength=n_types
        )
        listed = np.bincount(t[d <= search], minlength=n_types) + np.bincount(
            at[ad <= min(near_r, search)], minlength=n_types
        )
        short = (listed < k) & has_points
        if search > near_r and short.any():  # the types short of k: their own trees
            want = np.flatnonzero(short)
            _q, f2, d2 = points.nearest(
                np.full(want.size, x), np.full(want.size, y), want, k, search
            )
            keep = ~short[t]
            f = np.concatenate([f[keep], pidx[f2]])
            d = np.concatenate([d[keep], d2])
        inside = d <= search
        a_in = ad <= search
        groups += [i * n_types + codes[f[inside]], i * n_types + at[a_in]]
        facs += [f[inside], af[a_in]]
        dists += [d[inside], ad[a_in]]
    nearest, knn_index, knn_m = _k_nearest(
        np.concatenate(groups), np.concatenate(facs), np.concatenate(dists), n * n_types, k
    )
    return AccessTable(
        nearest_m=nearest.reshape(n, n_types),
        count_within=count_within,
        count_in_circle=count_in_circle,
        knn_index=knn_index.reshape(n, n_types, k),
        knn_m=knn_m.reshape(n, n_types, k),
        circles=circles,
    )


def _k_nearest(
    group: IntArray, facility: IntArray, distance_m: FloatArray, n_groups: int, k: int
) -> tuple[FloatArray, IntArray, FloatArray]:
    """:func:`~livable.geometry.access.top_k` of many pairs, cheaper: two stable sorts find
    each group's ``k``-th distance, and only the pairs within it (ties included) are
    ranked."""
    if group.size == 0:
        return top_k(group, facility, distance_m, n_groups=n_groups, k=k)
    order = np.argsort(distance_m, kind="stable")
    order = order[np.argsort(group[order], kind="stable")]
    g = group[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    sizes = np.diff(np.r_[starts, g.size])
    kth = np.full(n_groups, -np.inf)
    kth[g[starts]] = distance_m[order[starts + np.minimum(sizes, k) - 1]]
    keep = distance_m <= kth[group]
    return top_k(group[keep], facility[keep], distance_m[keep], n_groups=n_groups, k=k)


class PointGrid:
    """Point facilities bucketed in square cells (row-major), for exact radius listings
    around one point at a time: the cells of each row within the circle's box are one
    contiguous run, so a listing is a few slices and one ``hypot``, no tree walk.

    ``index`` maps the grid's points to the positions given (``facility`` of the answers).

    >>> grid = PointGrid(np.array([0.0, 300.0, 5000.0]), np.array([0.0, 400.0, 0.0]),
    ...                  np.array([7, 8, 9]))
    >>> f, d = grid.within(0.0, 0.0, 500.0)
    >>> sorted(zip(f.tolist(), d.tolist()))
    [(7, 0.0), (8, 500.0)]
    """

    __slots__ = ("_codes", "_nx", "_ny", "_start", "_x", "_x0", "_y", "_y0", "cell_m", "index")

    def __init__(
        self, x: FloatArray, y: FloatArray, index: IntArray, type_codes: IntArray | None = None
    ) -> None:
        ok = np.isfinite(x) & np.isfinite(y)
        x, y, index = x[ok], y[ok], np.asarray(index, dtype=np.int64)[ok]
        codes = np.zeros(x.size, dtype=np.int64) if type_codes is None else type_codes[ok]
        self._codes = np.bincount(np.asarray(codes, dtype=np.int64))
        if x.size == 0:
            x = y = np.zeros(0)
        x0 = float(x.min()) if x.size else 0.0
        y0 = float(y.min()) if y.size else 0.0
        side = max(float(x.max()) - x0, float(y.max()) - y0) if x.size else 0.0
        self.cell_m = max(100.0, side / 2000.0)
        """Cell side (metres): 100 m, or coarser to keep at most 2,000 x 2,000 cells."""
        nx = int(side // self.cell_m) + 1
        cx = ((x - x0) // self.cell_m).astype(np.int64)
        cy = ((y - y0) // self.cell_m).astype(np.int64)
        ny = int(cy.max()) + 1 if cy.size else 1
        cell = cy * nx + cx
        order = np.lexsort((index, cell))
        self._x, self._y, self.index = x[order], y[order], index[order]
        self._start = np.zeros(nx * ny + 1, dtype=np.int64)
        np.cumsum(np.bincount(cell, minlength=nx * ny), out=self._start[1:])
        self._x0, self._y0, self._nx, self._ny = x0, y0, nx, ny

    def type_counts(self, n_types: int) -> IntArray:
        """How many points of each type code the grid holds (``type_codes`` given)."""
        counts = np.zeros(n_types, dtype=np.int64)
        m = min(n_types, self._codes.size)
        counts[:m] = self._codes[:m]
        return counts

    def within(self, x: float, y: float, r: float) -> tuple[IntArray, FloatArray]:
        """The points with ``hypot(dx, dy) <= r`` of ``(x, y)``: (index, distance), unsorted."""
        c = self.cell_m
        c0 = max(int((x - r - self._x0) // c), 0)
        c1 = min(int((x + r - self._x0) // c), self._nx - 1)
        r0 = max(int((y - r - self._y0) // c), 0)
        r1 = min(int((y + r - self._y0) // c), self._ny - 1)
        if c0 > c1 or r0 > r1 or not r >= 0.0:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        rows = np.arange(r0, r1 + 1) * self._nx
        lo, hi = self._start[rows + c0], self._start[rows + c1 + 1]
        sizes = hi - lo
        offsets = np.repeat(lo - (np.cumsum(sizes) - sizes), sizes)
        pos = offsets + np.arange(int(sizes.sum()))
        d = np.hypot(self._x[pos] - x, self._y[pos] - y)
        keep = d <= r
        return self.index[pos[keep]], d[keep]


def proximity_table(
    origins: Origins,
    facilities: FacilityColumns,
    query: AccessQuery,
    *,
    metric: PairMetric | None = None,
    point_index: PointIndexFactory = PointTrees,
    prepared: PreparedFacilities | None = None,
) -> AccessTable:
    """The :class:`~livable.geometry.access.AccessTable` of origins and facilities.

    Distances are planar (working CRS metres) unless ``metric`` says otherwise. See the
    module docstring for the method; the result equals the brute-force one exactly.
    ``point_index`` builds the index over point facilities (for benchmarks); ``prepared``,
    built from these same ``facilities``, is an index built before and reused.
    """
    n, n_types, k = len(origins), len(query.type_ids), query.k
    tiers = np.asarray(query.tier_radii_m, dtype=np.float64)
    if n == 0 or n_types == 0:
        return _empty_table(n, n_types, tiers.size, k)
    ox, oy = origins.x, origins.y
    circle = query.circle_radii_m[:n]  # (a query for more origins: the first n)
    if circle.size < n:
        raise ValueError(f"the query gives {circle.size} circle radii for {n} origins")
    search = float(query.search_radius_m)
    slack = metric.slack if metric is not None else 0.0
    reach = query.max_radius_m / (1.0 - slack) + 1.0
    codes = facilities.type_codes
    all_origins = np.arange(n, dtype=np.int64)

    # points near some origin go into the index (others are beyond every radius)
    if prepared is None:
        prepared = _prepare_near(ox, oy, reach, facilities, point_index)
    pidx, points = prepared.point_index, prepared.points
    area_idx = prepared.area_index

    # area facilities: every pair within reach, exact, grouped by origin
    if area_idx.size and facilities.areas is not None:
        a_o, a_f, a_d = area_pairs(
            ox, oy, np.full(n, reach), facilities.areas, area_idx, tree=prepared.area_tree
        )
        if metric is not None and a_o.size:
            a_d = metric.areas(a_o, a_f, a_d)
        keep = a_d <= query.max_radius_m
        a_o, a_f, a_d = a_o[keep], a_f[keep], a_d[keep]
    else:
        a_o = a_f = np.zeros(0, dtype=np.int64)
        a_d = np.zeros(0)
    a_indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(a_o, minlength=n), out=a_indptr[1:])
    areas = _Areas(a_o, a_f, a_d, codes[a_f].astype(np.int64), a_indptr)
    if metric is None and n <= LIST_ORIGINS and prepared.grid is not None:
        circles = SearchCircleLists(points, pidx, origins, circle, areas, metric, facilities)
        return _few_origins(origins, query, prepared, prepared.grid, areas, codes, circles)

    def counts(radius: FloatArray, subset: IntArray) -> IntArray:
        """``[subset origin, type]`` counts within ``radius`` (one per subset origin)."""
        refine, slack = _refine(metric, subset, pidx)
        got = points.count_within(ox[subset], oy[subset], radius, refine=refine, slack=slack)
        if areas.origin.size:
            full = np.full(n, -np.inf)
            full[subset] = radius
            got += areas.counts(full, n, n_types)[subset]
        return got

    # counts within each tier (P6.tiers) and within each origin's own circle (P6.circle)
    count_within = np.zeros((n, n_types, tiers.size), dtype=np.int64)
    for j, r in enumerate(tiers):
        count_within[:, :, j] = counts(np.full(n, r), all_origins)
    count_in_circle = np.zeros((n, n_types), dtype=np.int64)
    tier_of_circle = np.full(n, -1)
    for j, r in enumerate(tiers):
        tier_of_circle[circle == r] = j
    same = np.flatnonzero(tier_of_circle >= 0)
    count_in_circle[same] = count_within[same, :, tier_of_circle[same]]
    other = np.flatnonzero(tier_of_circle < 0)
    if other.size:
        count_in_circle[other] = counts(circle[other], other)

    # the k nearest: search each (origin, type) only as far as its k-th nearest point
    go = np.repeat(all_origins, n_types)
    gt = np.tile(np.arange(n_types, dtype=np.int64), n)
    refine, slack = _refine(metric, go, pidx)
    q, f, d = points.nearest(ox[go], oy[go], gt, k, search, refine=refine, slack=slack)
    f = pidx[f]
    a_group = areas.origin * n_types + areas.type_code
    a_sel = areas.distance_m <= search
    nearest, knn_index, knn_m = top_k(
        np.concatenate([q, a_group[a_sel]]),
        np.concatenate([f, areas.facility[a_sel]]),
        np.concatenate([d, areas.distance_m[a_sel]]),
        n_groups=n * n_types,
        k=k,
    )
    return AccessTable(
        nearest_m=nearest.reshape(n, n_types),
        count_within=count_within,
        count_in_circle=count_in_circle,
        knn_index=knn_index.reshape(n, n_types, k),
        knn_m=knn_m.reshape(n, n_types, k),
        circles=SearchCircleLists(points, pidx, origins, circle, areas, metric, facilities),
    )
