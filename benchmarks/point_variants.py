"""Another point index for the proximity benchmark: rtree's bulk numpy API.

:class:`RtreePoints` answers what :class:`livable.geometry.points.PointSearch` asks with
one ``rtree.index.Index`` per facility type, bulk-loaded from numpy arrays (the
``(ids, mins, maxs)`` stream constructor, points as zero-size boxes):

- counts and searches: ``intersection_v`` of each circle's bounding box (radius plus the
  1 mm margin), then ``hypot`` on the candidates and ``<= r`` (an R-tree counts boxes, not
  circles, so every candidate is listed and measured);
- the ``k`` nearest: ``nearest_v(..., num_results=k, return_max_dists=True)``
  (equidistant furthest neighbours all returned) gives the distance of the ``k``-th; the
  points within it (widened by the margin) are listed as above.

``proximity_table(..., point_index=RtreePoints)`` is then the whole pass on rtree; the
benchmark checks its answers equal livable's.
"""

from __future__ import annotations

import numpy as np
import rtree.index

from livable.geometry.points import Refine

FloatArray = np.ndarray
IntArray = np.ndarray


class RtreePoints:
    """Point facilities in one bulk-loaded R-tree per type (see the module docstring)."""

    def __init__(self, x: FloatArray, y: FloatArray, type_codes: IntArray, *, n_types: int):
        self._x = np.asarray(x, dtype=np.float64)
        self._y = np.asarray(y, dtype=np.float64)
        self._codes = np.asarray(type_codes, dtype=np.int64)
        self.n_types = int(n_types)
        finite = np.flatnonzero(np.isfinite(self._x) & np.isfinite(self._y))
        scale = (
            float(np.abs(self._x[finite]).max() + np.abs(self._y[finite]).max())
            if finite.size
            else 0.0
        )
        self.margin_m = 1e-3 + 1e-9 * scale
        self._members = [finite[self._codes[finite] == t] for t in range(max(self.n_types, 1))]
        self._trees = [self._tree(m) for m in self._members]

    def _tree(self, members: IntArray) -> rtree.index.Index | None:
        if members.size == 0:
            return None
        props = rtree.index.Property()
        props.dimension = 2
        pts = np.column_stack([self._x[members], self._y[members]])
        ids = np.arange(members.size, dtype=np.int64)
        return rtree.index.Index((ids, pts, pts), properties=props)

    def _search(self, which, ox, oy, r, code):
        """(query, facility, planar distance) with hypot <= r, grouped by query."""
        qi = np.flatnonzero(which & np.isfinite(ox) & np.isfinite(oy) & np.isfinite(r) & (r >= 0))
        tree = self._trees[code] if 0 <= code < len(self._trees) else None
        if tree is None or qi.size == 0:
            e = np.zeros(0, dtype=np.int64)
            return e, e, np.zeros(0)
        reach = r[qi] + self.margin_m
        mins = np.column_stack([ox[qi] - reach, oy[qi] - reach])
        maxs = np.column_stack([ox[qi] + reach, oy[qi] + reach])
        ids, counts = tree.intersection_v(mins, maxs)
        q = np.repeat(qi, counts.astype(np.int64))
        f = self._members[code][ids]
        d = np.hypot(self._x[f] - ox[q], self._y[f] - oy[q])
        keep = d <= r[q]
        return q[keep], f[keep], d[keep]

    def count_within(self, ox, oy, r, *, refine: Refine | None = None, slack: float = 0.0):
        ox, oy = np.atleast_1d(ox).astype(float), np.atleast_1d(oy).astype(float)
        rr = np.broadcast_to(np.asarray(r, dtype=float), ox.shape)
        nq, t = ox.shape[0], max(self.n_types, 1)
        counts = np.zeros((nq, t), dtype=np.int64)
        every = np.ones(nq, dtype=bool)
        for code in range(t):
            if refine is None or slack <= 0:
                q, _, _ = self._search(every, ox, oy, rr, code)
            else:
                r_in, r_out = rr / (1 + slack), rr / (1 - slack)
                q, f, d = self._search(every, ox, oy, r_out, code)
                hit = d <= r_in[q]
                maybe = np.flatnonzero(~hit)
                if maybe.size:
                    hit[maybe] = refine(q[maybe], f[maybe], d[maybe]) <= rr[q[maybe]]
                q = q[hit]
            counts[:, code] = np.bincount(q, minlength=nq)
        return counts

    def pairs_within(self, ox, oy, r, *, type_code=None, refine=None, slack=0.0):
        ox, oy = np.atleast_1d(ox).astype(float), np.atleast_1d(oy).astype(float)
        rr = np.broadcast_to(np.asarray(r, dtype=float), ox.shape)
        r_out = rr if refine is None or slack <= 0 else rr / (1 - slack)
        nq = ox.shape[0]
        codes = range(max(self.n_types, 1)) if type_code is None else np.unique(type_code)
        parts = []
        for code in codes:
            which = np.ones(nq, dtype=bool) if type_code is None else type_code == code
            parts.append(self._search(which, ox, oy, r_out, int(code)))
        if not parts:
            e = np.zeros(0, dtype=np.int64)
            return e, e, np.zeros(0)
        q = np.concatenate([p[0] for p in parts])
        f = np.concatenate([p[1] for p in parts])
        d = np.concatenate([p[2] for p in parts])
        order = np.argsort(q, kind="stable")
        q, f, d = q[order], f[order], d[order]
        if refine is not None:
            exact = refine(q, f, d)
            keep = exact <= rr[q]
            q, f, d = q[keep], f[keep], exact[keep]
        return q, f, d

    def nearest(self, ox, oy, type_code, k, limit, *, refine=None, slack=0.0):
        reach = self._reach(ox, oy, type_code, k, limit, slack)
        return self.pairs_within(ox, oy, reach, type_code=type_code, refine=refine, slack=slack)

    def _reach(self, ox, oy, type_code, k, limit, slack):
        reach = np.full(ox.shape[0], float(limit))
        ok = np.isfinite(ox) & np.isfinite(oy)
        for code in np.unique(type_code[ok]).tolist():
            tree = self._trees[code]
            if tree is None:
                continue
            which = np.flatnonzero(ok & (type_code == code))
            pts = np.column_stack([ox[which], oy[which]])
            _, counts, far = tree.nearest_v(
                pts,
                pts,
                num_results=k,
                max_dists=np.full(which.size, limit + self.margin_m),
                return_max_dists=True,
            )
            bound = np.where(counts >= k, far * (1.0 + slack) + self.margin_m, np.inf)
            reach[which] = np.minimum(bound, limit)
        return reach
