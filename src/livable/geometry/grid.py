"""A uniform grid over point facilities: exact radius counts and radius searches, in bulk.

The proximity pass asks, for thousands of circle centres, how many facilities of each type
lie within each walk tier (``P6.tiers``) and within the community's circle (``P6.circle``),
and which are the nearest. Listing every (centre, facility) pair within 1.2 km and
measuring it costs time in proportion to the pairs, millions at city scale.
:class:`PointGrid` avoids most of them. Facilities are sorted into square cells, row by
row, so that the cells of one grid row that a circle covers are one contiguous slice of the
sorted facilities. For each centre and each row the circle crosses:

- cells lying wholly inside the circle (with a 1 mm safety margin) are counted per type
  from cumulative per-cell counts, without looking at a single facility;
- cells the circle's edge crosses are opened and their facilities measured exactly.

So only the facilities in a thin band along each circle's edge are measured, and every
decision is the brute-force one: a facility counts when ``hypot(dx, dy) <= r`` for its
unrounded coordinates (the margin only sends borderline cells to exact measurement). A
second sort by (type, cell) makes "the facilities of type *t* near this centre" a few
contiguous slices too, for nearest-facility searches.

Everything is numpy in bulk (no Python loop over centres, rows or facilities); large
searches are processed in chunks to bound memory.

>>> import numpy as np
>>> g = PointGrid(np.array([0.0, 300.0, 400.0, 900.0]), np.zeros(4),
...               np.array([0, 0, 1, 0]), n_types=2, cell_m=100.0)
>>> g.count_within(np.array([0.0]), np.array([0.0]), np.array([400.0])).tolist()
[[2, 1]]
>>> q, f, d = g.pairs_within(np.array([0.0]), np.array([0.0]), np.array([400.0]))
>>> sorted(zip(f.tolist(), d.tolist()))
[(0, 0.0), (1, 300.0), (2, 400.0)]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["MAX_CELLS", "PointGrid", "Refine", "choose_cell_size", "expand_runs"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MAX_CELLS = 8_000_000
"""Upper bound on ``cells x types`` of a grid (its count tables stay under ~64 MB)."""

CHUNK = 2_000_000
"""Facilities measured per batch: bounds the temporary arrays of a search."""

BATCH_ROWS = 400_000
"""Grid rows searched per batch of queries: bounds the temporary arrays of the row plan."""


def expand_runs(starts: IntArray, stops: IntArray) -> tuple[IntArray, IntArray]:
    """Expand half-open runs ``[start, stop)`` into (run number, position) arrays.

    The vectorised form of ``[(i, p) for i, (a, b) in enumerate(runs) for p in range(a, b)]``.

    >>> run, pos = expand_runs(np.array([5, 0, 7]), np.array([7, 0, 8]))
    >>> run.tolist(), pos.tolist()
    ([0, 0, 2], [5, 6, 7])
    """
    lengths = np.maximum(stops - starts, 0)
    total = int(lengths.sum())
    run = np.repeat(np.arange(lengths.shape[0], dtype=np.int64), lengths)
    before = np.cumsum(lengths) - lengths
    pos = np.arange(total, dtype=np.int64) - np.repeat(before - starts, lengths)
    return run, pos


def choose_cell_size(n_points: int, area_m2: float, min_radius_m: float) -> float:
    """A cell side (metres) for ``n_points`` spread over ``area_m2``.

    Cells are sized so that a cell holds about two facilities on average, balancing the
    per-row bookkeeping of a search against the facilities measured in the cells a circle's
    edge crosses; never more than a quarter of the smallest radius searched nor less than
    5 m.

    >>> choose_cell_size(500_000, 30_000.0**2, 400.0)
    60.0
    >>> choose_cell_size(100, 30_000.0**2, 400.0)
    100.0
    """
    density = n_points / area_m2 if area_m2 > 0 else math.inf
    side = math.sqrt(2.0 / density) if density > 0 else math.inf
    side = min(side, max(min_radius_m, 20.0) / 4.0)
    return float(max(5.0, round(side / 5.0) * 5.0))


class PointGrid:
    """Point facilities bucketed in square cells, answering radius queries exactly.

    ``x``/``y`` are working-CRS metres, ``type_codes`` integers in ``[0, n_types)``.
    Points that are not finite are left out (they are within no distance of anything).
    ``cell_m`` is the cell side (default :func:`choose_cell_size`); it is enlarged if the
    extent would need more than :data:`MAX_CELLS` cells x types. Indices returned are
    positions in the arrays given.
    """

    __slots__ = (
        "_cell_start",
        "_ts",
        "_tx",
        "_ty",
        "_type_order",
        "_type_start",
        "_xs",
        "_ys",
        "cell_m",
        "margin_m",
        "n_types",
        "nx",
        "ny",
        "order",
        "x0",
        "y0",
    )

    def __init__(
        self,
        x: FloatArray,
        y: FloatArray,
        type_codes: IntArray,
        *,
        n_types: int,
        cell_m: float | None = None,
        min_radius_m: float = 400.0,
    ):
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        codes = np.asarray(type_codes, dtype=np.int64)
        self.n_types = int(n_types)
        finite = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if finite.size:
            x0, x1 = float(x[finite].min()), float(x[finite].max())
            y0, y1 = float(y[finite].min()), float(y[finite].max())
        else:
            x0 = x1 = y0 = y1 = 0.0
        width, height = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
        side = cell_m or choose_cell_size(finite.size, width * height, min_radius_m)
        t = max(self.n_types, 1)
        while (math.floor(width / side) + 1) * (math.floor(height / side) + 1) * t > MAX_CELLS:
            side *= 1.5
        self.cell_m = float(side)
        self.x0, self.y0 = x0, y0
        self.nx = math.floor((x1 - x0) / side) + 1
        self.ny = math.floor((y1 - y0) / side) + 1
        # coordinates up to ~1e7 m carry rounding errors of ~1e-8 m; 1 mm is ample
        self.margin_m = 1e-3 + 1e-9 * (abs(x0) + abs(y0) + width + height)
        ncells = self.nx * self.ny

        fx, fy, ft = x[finite], y[finite], codes[finite]
        col = np.clip(((fx - x0) // side).astype(np.int64), 0, self.nx - 1)
        row = np.clip(((fy - y0) // side).astype(np.int64), 0, self.ny - 1)
        cell = row * self.nx + col
        del col, row
        order = np.argsort(cell)
        self.order: IntArray = finite[order]
        """Original index of each point in cell order."""
        self._xs, self._ys, self._ts = fx[order], fy[order], ft[order]
        self._cell_start = _starts(cell, ncells)
        # type-major order: a stable sort by type of the cell-sorted points
        by_type = np.argsort(_small_ints(self._ts, t), kind="stable")
        self._type_order = self.order[by_type]
        self._tx, self._ty = self._xs[by_type], self._ys[by_type]
        self._type_start = _starts(self._ts * ncells + cell[order], ncells * t)

    def __len__(self) -> int:
        return int(self.order.shape[0])

    # -- the rows and cell runs a set of circles covers -------------------------------------

    def _rows(
        self,
        ox: FloatArray,
        oy: FloatArray,
        r: FloatArray,
        r_inner: FloatArray | Literal[False] | None = None,
    ) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray, IntArray]:
        """Per (query, grid row) the circle of radius ``r`` crosses: query, row, first and
        last column it touches (``c0..c1``) and first and last column wholly inside the
        circle of radius ``r_inner`` (default ``r``; ``False``: none), ``f0..f1``."""
        s, m = self.cell_m, self.margin_m
        ok = np.isfinite(ox) & np.isfinite(oy) & np.isfinite(r) & (r >= 0)
        r_out = np.where(ok, r + m, 0.0)
        lo = np.floor((np.where(ok, oy, 0.0) - r_out - self.y0) / s)
        hi = np.floor((np.where(ok, oy, 0.0) + r_out - self.y0) / s)
        lo = np.clip(lo, 0, self.ny).astype(np.int64)
        hi = np.clip(hi, -1, self.ny - 1).astype(np.int64)
        n_rows = np.where(ok, np.maximum(hi - lo + 1, 0), 0)
        q, k = expand_runs(np.zeros_like(n_rows), n_rows)
        row = lo[q] + k
        qx, qy, qr = ox[q], oy[q], r[q]
        y_lo = self.y0 + row * s
        y_hi = y_lo + s
        dy_near = np.maximum(np.maximum(y_lo - qy, qy - y_hi), 0.0)
        dy_far = np.maximum(qy - y_lo, y_hi - qy)
        qro = qr + m
        hw_out = np.sqrt(np.maximum(qro * qro - dy_near * dy_near, 0.0))
        reach = dy_near <= qro
        c0 = np.floor((qx - hw_out - self.x0) / s)
        c1 = np.floor((qx + hw_out - self.x0) / s)
        c0 = np.clip(c0, 0, self.nx).astype(np.int64)
        c1 = np.clip(c1, -1, self.nx - 1).astype(np.int64)
        c1 = np.where(reach, c1, c0 - 1)
        if r_inner is False:  # callers that open every cell need no whole-cell range
            f0, f1 = c1 + 1, c1
        else:
            qri = (qr if r_inner is None else r_inner[q]) - m
            inner = qri > dy_far
            hw_in = np.sqrt(np.where(inner, qri * qri - dy_far * dy_far, 0.0))
            f0 = np.ceil((qx - hw_in - self.x0) / s)
            f1 = np.floor((qx + hw_in - self.x0) / s) - 1
            f0 = np.maximum(np.clip(f0, 0, self.nx).astype(np.int64), c0)
            f1 = np.minimum(np.clip(f1, -1, self.nx - 1).astype(np.int64), c1)
            none = ~inner | (f0 > f1)
            # no whole cell: one edge run c0..c1 (f0 = c1 + 1, f1 = c1)
            f0 = np.where(none, c1 + 1, f0)
            f1 = np.where(none, c1, f1)
        keep = c0 <= c1
        return q[keep], row[keep], c0[keep], c1[keep], f0[keep], f1[keep]

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

        >>> g = PointGrid(np.array([0.0, 3.0]), np.array([0.0, 4.0]), np.array([0, 0]),
        ...               n_types=1, cell_m=1.0)
        >>> g.count_within(np.array([0.0, 0.0]), np.array([0.0, 0.0]),
        ...                np.array([5.0, 4.999999])).tolist()
        [[2], [1]]
        """
        ox, oy, rr = _query_arrays(ox, oy, r)
        nq, t = ox.shape[0], max(self.n_types, 1)
        counts = np.zeros((nq, t), dtype=np.int64)
        if nq == 0 or len(self) == 0:
            return counts
        r_in, r_out = _band(rr, refine, slack)
        for lo, hi in self._batches(r_out):
            shifted = None if refine is None else _shift(refine, lo)
            counts[lo:hi] = self._count(
                ox[lo:hi], oy[lo:hi], rr[lo:hi], r_in[lo:hi], r_out[lo:hi], shifted
            )
        return counts

    def _count(
        self,
        ox: FloatArray,
        oy: FloatArray,
        rr: FloatArray,
        r_in: FloatArray,
        r_out: FloatArray,
        refine: Refine | None,
    ) -> IntArray:
        nq, t = ox.shape[0], max(self.n_types, 1)
        counts = np.zeros(nq * t, dtype=np.int64)
        q, row, c0, c1, f0, f1 = self._rows(ox, oy, r_out, r_in)
        base = row * self.nx
        whole = f0 <= f1
        if whole.any():
            ncells = self.nx * self.ny
            a = (base[whole] + f0[whole])[:, None] + np.arange(t) * ncells
            b = a + (f1[whole] - f0[whole] + 1)[:, None]
            ts = self._type_start
            diff = ts[b] - ts[a]
            qw = q[whole]  # non-decreasing: rows come query by query
            first = np.flatnonzero(np.r_[True, qw[1:] != qw[:-1]])
            counts.reshape(nq, t)[qw[first]] += np.add.reduceat(diff, first, axis=0)
        start = self._cell_start
        # edge runs: c0..f0-1 and f1+1..c1
        run_q = np.concatenate([q, q])
        run_a = np.concatenate([start[base + c0], start[base + f1 + 1]])
        run_b = np.concatenate([start[base + f0], start[base + c1 + 1]])
        for rq, pos in _chunks(run_q, run_a, run_b):
            d = np.hypot(self._xs[pos] - ox[rq], self._ys[pos] - oy[rq])
            if refine is None:
                hit = d <= rr[rq]
            else:
                hit = d <= r_in[rq]
                maybe = np.flatnonzero(~hit & (d <= r_out[rq]))
                if maybe.size:
                    exact = refine(rq[maybe], self.order[pos[maybe]], d[maybe])
                    hit[maybe] = exact <= rr[rq[maybe]]
            counts += np.bincount(rq[hit] * t + self._ts[pos[hit]], minlength=nq * t)
        return counts.reshape(nq, t)

    def _batches(self, r: FloatArray) -> list[tuple[int, int]]:
        """Query ranges whose searches cover at most about :data:`BATCH_ROWS` grid rows."""
        rows = np.minimum(2.0 * np.nan_to_num(r, posinf=0.0) / self.cell_m + 3.0, self.ny + 1)
        ends = np.cumsum(rows)
        out, lo, n = [], 0, int(r.shape[0])
        while lo < n:
            done = float(ends[lo - 1]) if lo else 0.0
            hi = max(int(np.searchsorted(ends, done + BATCH_ROWS, side="right")), lo + 1)
            out.append((lo, min(hi, n)))
            lo = hi
        return out

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
        returned is then the refined one). Pairs come grouped by query, within a query in
        no set order; facilities are indices into the arrays given.

        >>> g = PointGrid(np.array([0.0, 1.0, 2.0]), np.zeros(3), np.array([0, 1, 0]),
        ...               n_types=2, cell_m=1.0)
        >>> q, f, d = g.pairs_within(np.zeros(2), np.zeros(2), np.array([1.5, 5.0]),
        ...                          type_code=np.array([1, 0]))
        >>> sorted(zip(q.tolist(), f.tolist(), d.tolist()))
        [(0, 1, 1.0), (1, 0, 0.0), (1, 2, 2.0)]
        """
        ox, oy, rr = _query_arrays(ox, oy, r)
        empty = np.zeros(0, dtype=np.int64)
        if ox.shape[0] == 0 or len(self) == 0:
            return empty, empty, np.zeros(0)
        _, r_out = _band(rr, refine, slack)
        tc = None if type_code is None else np.asarray(type_code, dtype=np.int64)
        out_q: list[IntArray] = []
        out_f: list[IntArray] = []
        out_d: list[FloatArray] = []
        for lo, hi in self._batches(r_out):
            shifted = None if refine is None else _shift(refine, lo)
            q, f, d = self._pairs(
                ox[lo:hi],
                oy[lo:hi],
                rr[lo:hi],
                r_out[lo:hi],
                None if tc is None else tc[lo:hi],
                shifted,
            )
            out_q.append(q + lo)
            out_f.append(f)
            out_d.append(d)
        return np.concatenate(out_q), np.concatenate(out_f), np.concatenate(out_d)

    def _pairs(
        self,
        ox: FloatArray,
        oy: FloatArray,
        rr: FloatArray,
        r_out: FloatArray,
        tc: IntArray | None,
        refine: Refine | None,
    ) -> tuple[IntArray, IntArray, FloatArray]:
        empty = np.zeros(0, dtype=np.int64)
        q, row, c0, c1, _, _ = self._rows(ox, oy, r_out, False)
        base = row * self.nx
        if tc is None:
            start, xs, ys, index = self._cell_start, self._xs, self._ys, self.order
        else:
            base = base + tc[q] * (self.nx * self.ny)
            start, xs, ys, index = self._type_start, self._tx, self._ty, self._type_order
        out_q: list[IntArray] = []
        out_f: list[IntArray] = []
        out_d: list[FloatArray] = []
        for rq, pos in _chunks(q, start[base + c0], start[base + c1 + 1]):
            d = np.hypot(xs[pos] - ox[rq], ys[pos] - oy[rq])
            if refine is None:
                hit = np.flatnonzero(d <= rr[rq])
                f = index[pos[hit]]
            else:
                near = np.flatnonzero(d <= r_out[rq])
                f = index[pos[near]]
                exact = refine(rq[near], f, d[near])
                keep = exact <= rr[rq[near]]
                hit, f, d = near[keep], f[keep], d.copy()
                d[hit] = exact[keep]
            out_q.append(rq[hit])
            out_f.append(f)
            out_d.append(d[hit])
        if not out_q:
            return empty, empty, np.zeros(0)
        return np.concatenate(out_q), np.concatenate(out_f), np.concatenate(out_d)


Refine = Callable[[IntArray, IntArray, FloatArray], FloatArray]
"""``refine(query, facility, planar_m) -> distance_m``: another metric's distances of
candidate pairs (query and facility as indices), given their planar distances."""


def _shift(refine: Refine, offset: int) -> Refine:
    """``refine`` for a batch of queries starting at ``offset``."""
    if offset == 0:
        return refine

    def shifted(q: IntArray, f: IntArray, planar: FloatArray) -> FloatArray:
        return refine(q + offset, f, planar)

    return shifted


def _band(r: FloatArray, refine: Refine | None, slack: float) -> tuple[FloatArray, FloatArray]:
    """Radii within which a point surely counts, and beyond which it surely does not."""
    if refine is None or slack <= 0.0:
        return r, r
    if not slack < 1.0:
        raise ValueError(f"slack must be below 1, not {slack}")
    return r / (1.0 + slack), r / (1.0 - slack)


def _starts(keys: IntArray, n: int) -> IntArray:
    """Where each key's run starts in the keys sorted (``n + 1`` offsets)."""
    dtype = np.int32 if keys.shape[0] < 2**31 - 1 else np.int64
    out = np.zeros(n + 1, dtype=dtype)
    np.cumsum(np.bincount(keys, minlength=n), out=out[1:])
    return out  # type: ignore[return-value]


def _small_ints(values: IntArray, bound: int) -> npt.NDArray[np.integer]:
    """``values`` in the narrowest unsigned type holding ``bound`` (radix-sortable)."""
    if bound <= 256:
        return values.astype(np.uint8)
    if bound <= 65536:
        return values.astype(np.uint16)
    return values


def _query_arrays(
    ox: FloatArray, oy: FloatArray, r: FloatArray | float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    x = np.atleast_1d(np.asarray(ox, dtype=np.float64))
    y = np.atleast_1d(np.asarray(oy, dtype=np.float64))
    rr = np.broadcast_to(np.asarray(r, dtype=np.float64), x.shape)
    return x, y, rr


def _chunks(q: IntArray, a: IntArray, b: IntArray) -> Iterator[tuple[IntArray, IntArray]]:
    """Yield (query, position) arrays of the runs ``[a, b)``, about :data:`CHUNK` at a time."""
    lengths = np.maximum(b - a, 0)
    ends = np.cumsum(lengths)
    lo, n = 0, int(lengths.shape[0])
    while lo < n:
        done = int(ends[lo - 1]) if lo else 0
        hi = max(int(np.searchsorted(ends, done + CHUNK, side="right")), lo + 1)
        run, pos = expand_runs(a[lo:hi], b[lo:hi])
        yield q[lo:hi][run], pos
        lo = hi
