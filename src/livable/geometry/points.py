"""Point facilities in k-d trees: exact radius counts, radius searches and nearest, in bulk.

The proximity pass asks, for thousands of circle centres, how many facilities of each type
lie within each walk tier (``P6.tiers``) and within the community's circle (``P6.circle``),
and which are the nearest (``P4``). :class:`PointTrees` answers with one scipy
:class:`~scipy.spatial.cKDTree` per facility type, which counts the points within a radius
without listing them (``query_ball_point(..., return_length=True)`` counts whole tree
nodes lying inside the circle).

The tree compares squared distances; livable's rule is ``hypot(dx, dy) <= r`` on unrounded
coordinates. Every count is therefore taken twice, at ``r - margin`` and ``r + margin``
(:attr:`PointTrees.margin_m`, 1 mm and more, far above any rounding): where the two agree
no point lies near the circle's edge and the count is exact; where they differ (rare) the
points within ``r + margin`` are listed and measured with ``hypot``. Searches list
candidates the same way and keep those whose ``hypot`` distance is within the radius. So
every answer is the brute-force one, ties exactly at ``r`` and duplicate points included.

The same pass on rtree's bulk ``intersection_v`` / ``nearest_v`` is 5 to 7 times slower (an
R-tree counts boxes, so every candidate is listed and measured); the hand-written grid of
livable 0.1 was 1.1 to 1.7 times faster, short of the 1.5 asked to keep it at every size.
``benchmarks/bench_proximity.py`` and ``benchmarks/README.md`` give the figures.

>>> import numpy as np
>>> p = PointTrees(np.array([0.0, 300.0, 400.0, 900.0]), np.zeros(4),
...                np.array([0, 0, 1, 0]), n_types=2)
>>> p.count_within(np.array([0.0]), np.array([0.0]), np.array([400.0])).tolist()
[[2, 1]]
>>> q, f, d = p.pairs_within(np.array([0.0]), np.array([0.0]), np.array([400.0]))
>>> sorted(zip(f.tolist(), d.tolist()))
[(0, 0.0), (1, 300.0), (2, 400.0)]
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # scipy.spatial loads on the first tree built, not at ``import livable``
    from scipy.spatial import cKDTree

__all__ = ["CHUNK", "PointSearch", "PointTrees", "Refine"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

CHUNK = 2_000_000
"""Pairs listed per batch of queries: bounds the temporary lists of a search."""

Refine = Callable[[IntArray, IntArray, FloatArray], FloatArray]
"""``refine(query, facility, planar_m) -> distance_m``: another metric's distances of
candidate pairs (query and facility as indices), given their planar distances."""


class PointSearch(Protocol):
    """What the proximity pass needs of an index over point facilities.

    Queries are arrays of centres and radii (working CRS metres); facilities are indices
    into the arrays the index was built from. ``refine`` and ``slack`` describe another
    metric (see :meth:`PointTrees.count_within`).
    """

    def count_within(
        self,
        ox: FloatArray,
        oy: FloatArray,
        r: FloatArray | float,
        *,
        refine: Refine | None = None,
        slack: float = 0.0,
    ) -> IntArray:
        """``[query, type]`` counts of points within ``r`` of each query point."""
        ...

    def pairs_within(
        self,
        ox: FloatArray,
        oy: FloatArray,
        r: FloatArray | float,
        *,
        type_code: IntArray | None = None,
        refine: Refine | None = None,
        slack: float = 0.0,
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """Every (query, point, distance) within ``r``, grouped by query in query order."""
        ...

    def nearest(
        self,
        ox: FloatArray,
        oy: FloatArray,
        type_code: IntArray,
        k: int,
        limit: float,
        *,
        refine: Refine | None = None,
        slack: float = 0.0,
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """(query, point, distance) pairs within ``limit`` that include each query's ``k``
        nearest points of ``type_code`` (all of them tied with the ``k``-th), in no set
        order; distances as in :meth:`pairs_within`."""
        ...


class PointTrees:
    """Point facilities in one k-d tree per type, answering radius queries exactly.

    ``x``/``y`` are working-CRS metres, ``type_codes`` integers in ``[0, n_types)``.
    Points that are not finite are left out (they are within no distance of anything), and
    so are queries whose centre or radius is not finite or whose radius is negative.
    Indices returned are positions in the arrays given.
    """

    __slots__ = (
        "_all",
        "_codes",
        "_finite",
        "_members",
        "_trees",
        "_x",
        "_y",
        "margin_m",
        "n_types",
    )

    def __init__(self, x: FloatArray, y: FloatArray, type_codes: IntArray, *, n_types: int):
        self._x = np.asarray(x, dtype=np.float64)
        self._y = np.asarray(y, dtype=np.float64)
        self._codes = np.asarray(type_codes, dtype=np.int64)
        self.n_types = int(n_types)
        finite = np.flatnonzero(np.isfinite(self._x) & np.isfinite(self._y))
        scale = 0.0
        if finite.size:
            scale = float(np.abs(self._x[finite]).max() + np.abs(self._y[finite]).max())
        # coordinates up to ~1e7 m carry rounding errors of ~1e-8 m; 1 mm is ample
        self.margin_m = 1e-3 + 1e-9 * scale
        """How far from a radius the tree's own comparison is trusted."""
        by_type = finite[np.argsort(self._codes[finite], kind="stable")]
        bounds = np.searchsorted(self._codes[by_type], np.arange(max(self.n_types, 1) + 1))
        self._members: list[IntArray] = []
        self._trees: list[cKDTree | None] = []
        for t in range(max(self.n_types, 1)):
            members = by_type[bounds[t] : bounds[t + 1]]
            self._members.append(members)
            self._trees.append(self._tree(members))
        self._finite = finite
        self._all: cKDTree | None = None  # built on first use

    def _tree(self, members: IntArray) -> cKDTree | None:
        if members.size == 0:
            return None
        from scipy.spatial import cKDTree

        pts = np.column_stack([self._x[members], self._y[members]])
        return cKDTree(pts, leafsize=32, balanced_tree=False, compact_nodes=False)

    def __len__(self) -> int:
        return int(self._finite.shape[0])

    # -- queries ------------------------------------------------------------------------------

    def count_within(
        self,
        ox: FloatArray,
        oy: FloatArray,
        r: FloatArray | float,
        *,
        refine: Refine | None = None,
        slack: float = 0.0,
    ) -> IntArray:
        """``[query, type]`` counts of points within ``r`` of each query point.

        Without ``refine`` a point counts when ``hypot(dx, dy) <= r`` (one radius per
        query, or one for all). With ``refine`` the distance is another metric that differs
        from the planar one by less than the relative ``slack`` (a geodesic, say): points
        whose planar distance lies within ``r / (1 + slack) .. r / (1 - slack)`` are measured
        with ``refine(query, facility, planar)`` (facility as an index into the arrays
        given) and count when that distance is ``<= r``.

        >>> p = PointTrees(np.array([0.0, 3.0]), np.array([0.0, 4.0]), np.array([0, 0]),
        ...                n_types=1)
        >>> p.count_within(np.array([0.0, 0.0]), np.array([0.0, 0.0]),
        ...                np.array([5.0, 4.999999])).tolist()
        [[2], [1]]
        """
        ox, oy, rr = _query_arrays(ox, oy, r)
        nq, t = ox.shape[0], max(self.n_types, 1)
        counts = np.zeros((nq, t), dtype=np.int64)
        ok = _valid(ox, oy, rr)
        if nq == 0 or len(self) == 0 or not ok.any():
            return counts
        if refine is not None and slack > 0.0:
            r_in, r_out = _band(rr, slack)
            q, f, d = self._search(ok, ox, oy, r_out, None)
            hit = d <= r_in[q]
            maybe = np.flatnonzero(~hit & (d <= r_out[q]))
            if maybe.size:
                hit[maybe] = refine(q[maybe], f[maybe], d[maybe]) <= rr[q[maybe]]
            keys = q[hit] * t + self._codes[f[hit]]
            return np.bincount(keys, minlength=nq * t).reshape(nq, t)
        qi = np.flatnonzero(ok)
        pts = np.column_stack([ox[qi], oy[qi]])
        m = self.margin_m
        lo, hi = rr[qi] - m, rr[qi] + m
        inner = np.flatnonzero(lo >= 0.0)
        for code, tree in enumerate(self._trees):
            if tree is None:
                continue
            c_hi = np.asarray(tree.query_ball_point(pts, hi, return_length=True), np.int64)
            c_lo = np.zeros(qi.size, dtype=np.int64)
            if inner.size:
                c_lo[inner] = tree.query_ball_point(pts[inner], lo[inner], return_length=True)
            edge = np.flatnonzero(c_hi != c_lo)
            if edge.size:  # points near the edge: measure them
                sel = np.zeros(nq, dtype=bool)
                sel[qi[edge]] = True
                q, _, d = self._search(sel, ox, oy, rr, code)
                c_lo[edge] = np.bincount(q, minlength=nq)[qi[edge]]
            counts[qi, code] = c_lo
        return counts

    def pairs_within(
        self,
        ox: FloatArray,
        oy: FloatArray,
        r: FloatArray | float,
        *,
        type_code: IntArray | None = None,
        refine: Refine | None = None,
        slack: float = 0.0,
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """Every (query, point) pair within ``r``, with its distance.

        With ``type_code`` (one per query), query ``i`` sees only points of type
        ``type_code[i]``. ``refine`` and ``slack`` as in :meth:`count_within` (the distance
        returned is then the refined one). Pairs come grouped by query in query order,
        within a query in no set order; facilities are indices into the arrays given.

        >>> p = PointTrees(np.array([0.0, 1.0, 2.0]), np.zeros(3), np.array([0, 1, 0]),
        ...                n_types=2)
        >>> q, f, d = p.pairs_within(np.zeros(2), np.zeros(2), np.array([1.5, 5.0]),
        ...                          type_code=np.array([1, 0]))
        >>> sorted(zip(q.tolist(), f.tolist(), d.tolist()))
        [(0, 1, 1.0), (1, 0, 0.0), (1, 2, 2.0)]
        """
        ox, oy, rr = _query_arrays(ox, oy, r)
        ok = _valid(ox, oy, rr)
        r_out = rr if refine is None or slack <= 0.0 else _band(rr, slack)[1]
        tc = None if type_code is None else np.asarray(type_code, dtype=np.int64)
        if tc is None:
            q, f, d = self._search(ok, ox, oy, r_out, None)
        else:
            parts = [
                self._search(ok & (tc == code), ox, oy, r_out, code)
                for code in np.unique(tc[ok]).tolist()
            ]
            q, f, d = _concat(parts)
            order = np.argsort(q, kind="stable")
            q, f, d = q[order], f[order], d[order]
        if refine is not None:
            exact = refine(q, f, d)
            keep = exact <= rr[q]
            q, f, d = q[keep], f[keep], exact[keep]
        return q, f, d

    def nearest(
        self,
        ox: FloatArray,
        oy: FloatArray,
        type_code: IntArray,
        k: int,
        limit: float,
        *,
        refine: Refine | None = None,
        slack: float = 0.0,
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """(query, point, distance) pairs within ``limit`` that include each query's ``k``
        nearest points of ``type_code``, every point tied with the ``k``-th included.

        Planar: the tree's ``k + 1`` nearest, measured with ``hypot``; they settle a query
        when the ``k + 1``-th is more than the margin beyond the ``k``-th (no unseen point
        can tie or come closer), else the query lists every point within its ``k``-th
        nearest plus the margin. With ``refine``: every point within the ``k``-th planar
        distance widened by ``slack`` and the margin, as :meth:`pairs_within` finds them.
        Pairs come in no set order.

        >>> p = PointTrees(np.array([10.0, 20.0, 20.0, 30.0]), np.zeros(4), np.zeros(4, int),
        ...                n_types=1)
        >>> q, f, d = p.nearest(np.zeros(1), np.zeros(1), np.zeros(1, int), 2, 100.0)
        >>> sorted(zip(f.tolist(), d.tolist()))
        [(0, 10.0), (1, 20.0), (2, 20.0)]
        """
        ox, oy = np.asarray(ox, dtype=np.float64), np.asarray(oy, dtype=np.float64)
        tc = np.asarray(type_code, dtype=np.int64)
        m = self.margin_m
        if k < 1:
            return _concat([])
        reach = np.full(ox.shape[0], float(limit))
        ok = np.isfinite(ox) & np.isfinite(oy) & (tc >= 0) & (tc < len(self._trees))
        parts: list[tuple[IntArray, IntArray, FloatArray]] = []
        unsettled = np.zeros(ox.shape[0], dtype=bool)
        for code in np.unique(tc[ok]).tolist():
            tree = self._trees[code]
            if tree is None:
                continue
            which = np.flatnonzero(ok & (tc == code))
            pts = np.column_stack([ox[which], oy[which]])
            dist, pos = tree.query(pts, k=k + 1, distance_upper_bound=limit + m)
            if refine is not None:  # the k-th planar distance bounds the k nearest
                bound = dist[:, k - 1] * (1.0 + slack) + m
                reach[which] = np.minimum(bound, limit)
                unsettled[which] = True
                continue
            found = np.isfinite(dist)
            q = np.repeat(which, found.sum(axis=1))
            f = self._members[code][pos[found]]
            d = np.hypot(self._x[f] - ox[q], self._y[f] - oy[q])
            exact = np.full(dist.shape, np.inf)
            exact[found] = d
            kth = np.sort(exact, axis=1)[:, k - 1]
            settled = ~found[:, k] | (kth < dist[:, k] - m)
            keep = np.repeat(settled, found.sum(axis=1)) & (d <= limit)
            parts.append((q[keep], f[keep], d[keep]))
            rest = which[~settled]
            reach[rest] = np.minimum(dist[~settled, k - 1] + m, limit)
            unsettled[rest] = True
        if unsettled.any():
            o = np.flatnonzero(unsettled)
            sub = None if refine is None else _through(refine, o)
            q, f, d = self.pairs_within(
                ox[o], oy[o], reach[o], type_code=tc[o], refine=sub, slack=slack
            )
            parts.append((o[q], f, d))
        return _concat(parts)

    # -- listing ------------------------------------------------------------------------------

    def _search(
        self,
        which: npt.NDArray[np.bool_],
        ox: FloatArray,
        oy: FloatArray,
        r: FloatArray,
        code: int | None,
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """(query, facility, planar distance) with ``hypot <= r`` for the queries where
        ``which`` is true, of type ``code`` (``None``: all), grouped by query in order."""
        empty = np.zeros(0, dtype=np.int64)
        members, tree = empty, None
        if code is None:
            if self._all is None:
                self._all = self._tree(self._finite)
            members, tree = self._finite, self._all
        elif 0 <= code < len(self._trees):
            members, tree = self._members[code], self._trees[code]
        qi = np.flatnonzero(which & _valid(ox, oy, r))
        if tree is None or qi.size == 0:
            return empty, empty, np.zeros(0)
        pts = np.column_stack([ox[qi], oy[qi]])
        reach = r[qi] + self.margin_m
        sizes = np.asarray(tree.query_ball_point(pts, reach, return_length=True), np.int64)
        ends = np.cumsum(sizes)
        parts = []
        lo = 0
        while lo < qi.size:
            done = int(ends[lo - 1]) if lo else 0
            hi = max(int(np.searchsorted(ends, done + CHUNK, side="right")), lo + 1)
            lists = tree.query_ball_point(pts[lo:hi], reach[lo:hi], return_sorted=False)
            total = int(ends[hi - 1]) - done
            pos = np.fromiter(itertools.chain.from_iterable(lists), np.int64, count=total)
            q = np.repeat(qi[lo:hi], sizes[lo:hi])
            f = members[pos]
            d = np.hypot(self._x[f] - ox[q], self._y[f] - oy[q])
            keep = d <= r[q]
            parts.append((q[keep], f[keep], d[keep]))
            lo = hi
        return _concat(parts)


def _through(refine: Refine, which: IntArray) -> Refine:
    """``refine`` for the queries ``which`` (query ``i`` of the subset is ``which[i]``)."""

    def sub(q: IntArray, f: IntArray, planar: FloatArray) -> FloatArray:
        return refine(which[q], f, planar)

    return sub


def _concat(
    parts: list[tuple[IntArray, IntArray, FloatArray]],
) -> tuple[IntArray, IntArray, FloatArray]:
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    if len(parts) == 1:
        return parts[0]
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
    )


def _valid(ox: FloatArray, oy: FloatArray, r: FloatArray) -> npt.NDArray[np.bool_]:
    """Queries that can hold a point: finite centre, finite radius of at least 0."""
    return np.isfinite(ox) & np.isfinite(oy) & np.isfinite(r) & (r >= 0.0)


def _band(r: FloatArray, slack: float) -> tuple[FloatArray, FloatArray]:
    """Radii within which a point surely counts, and beyond which it surely does not."""
    if not slack < 1.0:
        raise ValueError(f"slack must be below 1, not {slack}")
    return r / (1.0 + slack), r / (1.0 - slack)


def _query_arrays(
    ox: FloatArray, oy: FloatArray, r: FloatArray | float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    x = np.atleast_1d(np.asarray(ox, dtype=np.float64))
    y = np.atleast_1d(np.asarray(oy, dtype=np.float64))
    rr = np.broadcast_to(np.asarray(r, dtype=np.float64), x.shape)
    return x, y, rr
