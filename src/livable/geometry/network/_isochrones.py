"""Isochrones: the area reached within each tier distance of each centre (private).

The reached edges, partial edges cut where the walk budget ends, and the centre's own walk
to the street, buffered by the walk-shed width and merged into one polygon per radius.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from livable.geometry.access import Origins
from livable.geometry.network._arrays import csr_lists, expand
from livable.geometry.network._snap import OriginSnap

__all__ = ["draw_isochrones"]


def draw_isochrones(
    osnap: OriginSnap,
    origins: Origins,
    radii_m: Sequence[float],
    *,
    walkshed_m: float,
    to_wgs84: Callable[[Any], Any] | None,
    max_cells: int,
) -> list[dict[int, BaseGeometry] | None]:
    """The area reachable within each radius from each centre snapped as ``osnap``, keyed
    by whole metres; a larger radius reuses the smaller one's polygon and adds only the
    pieces that grew. ``to_wgs84`` (if given) converts the polygons."""
    radii = sorted({float(r) for r in radii_m})
    keys = [round(r) for r in radii]
    empty = shapely.Polygon()
    result: list[dict[int, BaseGeometry] | None] = [
        dict.fromkeys(keys, empty) for _ in range(len(origins))
    ]
    rows = np.flatnonzero(osnap.ok)
    if not radii or rows.size == 0:
        return result
    g = osnap.graph
    nmap = g.node_map
    eu, ev = osnap.edge_u, osnap.edge_v
    ex0, ey0 = osnap.node_x[eu], osnap.node_y[eu]
    ex1, ey1 = osnap.node_x[ev], osnap.node_y[ev]
    elen = np.hypot(ex1 - ex0, ey1 - ey0)
    # search node -> incident edges (each edge under both ends)
    inc_nodes = np.r_[nmap[eu], nmap[ev]]
    inc_edge = np.r_[np.arange(eu.size), np.arange(eu.size)]
    inc_side = np.r_[np.zeros(eu.size, np.int64), np.ones(eu.size, np.int64)]
    inc_indptr, inc_order = csr_lists(inc_nodes, g.n_search_nodes)
    inc_edge, inc_side = inc_edge[inc_order], inc_side[inc_order]
    node = np.maximum(osnap.node, 0)
    sx, sy = osnap.node_x[node], osnap.node_y[node]  # snap points
    snap = osnap.snap_m
    for batch in g.batches(osnap.node[rows], limit=max(radii), max_cells=max_cells):
        b_rows = rows[batch.sources]
        r_loc, reached = batch.reached()
        rr, _, pos = expand(r_loc, reached, inc_indptr)
        e, side = inc_edge[pos], inc_side[pos]
        du = batch.at(rr, nmap[eu[e]])
        keep = (side == 0) | ~np.isfinite(du)  # each (row, edge) once
        rr, e, du = rr[keep], e[keep], du[keep]
        dv = batch.at(rr, nmap[ev[e]])
        length = elen[e]
        was_full = np.zeros(e.size, dtype=bool)
        previous: list[BaseGeometry | None] = [None] * b_rows.size
        for j, radius in enumerate(radii):
            budget = radius - snap[b_rows][rr]
            a_u = np.clip(budget - du, 0.0, length)
            a_v = np.clip(budget - dv, 0.0, length)
            full = a_u + a_v >= length
            grow = ~was_full  # pieces already whole at the smaller radius are drawn
            # from the u end: [0, a_u] (the whole edge when both ends meet)
            end_a = np.where(full, length, a_u)
            piece_a = grow & (end_a > 0.0)
            # from the v end: [length - a_v, length], unless already whole
            piece_b = grow & ~full & (a_v > 0.0)
            seg_e = np.r_[e[piece_a], e[piece_b]]
            seg_len = np.maximum(elen[seg_e], 1e-300)
            f0 = np.r_[np.zeros(int(piece_a.sum())), (length - a_v)[piece_b]] / seg_len
            f1 = np.r_[end_a[piece_a], length[piece_b]] / seg_len
            dx, dy = ex1[seg_e] - ex0[seg_e], ey1[seg_e] - ey0[seg_e]
            x0, y0 = ex0[seg_e] + f0 * dx, ey0[seg_e] + f0 * dy
            x1, y1 = ex0[seg_e] + f1 * dx, ey0[seg_e] + f1 * dy
            owner = np.r_[rr[piece_a], rr[piece_b]]
            # the centre's own walk to the street, cut at the radius
            ox, oy = origins.x[b_rows], origins.y[b_rows]
            part = np.minimum(1.0, radius / np.maximum(snap[b_rows], 1e-300))
            walk = snap[b_rows] > 0.0
            if j:
                walk &= snap[b_rows] > radii[j - 1]
            x0 = np.r_[x0, ox[walk]]
            y0 = np.r_[y0, oy[walk]]
            x1 = np.r_[x1, (ox + part * (sx[b_rows] - ox))[walk]]
            y1 = np.r_[y1, (oy + part * (sy[b_rows] - oy))[walk]]
            owner = np.r_[owner, np.flatnonzero(walk)]
            lines = shapely.linestrings(np.stack([np.c_[x0, y0], np.c_[x1, y1]], axis=1))
            order = np.argsort(owner, kind="stable")
            bounds = np.searchsorted(owner[order], np.arange(b_rows.size + 1))
            shapes = np.empty(b_rows.size, dtype=object)
            for i in range(b_rows.size):
                group = lines[order[bounds[i] : bounds[i + 1]]]
                prev = previous[i]
                if prev is None and not group.size:
                    shapes[i] = empty
                    continue
                # chains of pieces buffer as one line: far fewer polygons to merge
                chains = shapely.get_parts(shapely.line_merge(shapely.multilinestrings(group)))
                bands = list(shapely.buffer(chains, walkshed_m, quad_segs=4))
                shapes[i] = shapely.union_all(bands if prev is None else [prev, *bands])
            previous = list(shapes)
            if to_wgs84 is not None:
                shapes = to_wgs84(shapes)
            for i, row in enumerate(b_rows.tolist()):
                entry = result[row]
                assert entry is not None
                entry[keys[j]] = shapes[i]
            was_full = full
    return result
