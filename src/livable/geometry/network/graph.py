"""The walkable graph of a street layer: segments, nodes and connected parts.

Every straight piece of a street line (two consecutive vertices) is an edge, undirected,
its length in metres in the working CRS. Vertices that coincide to the millimetre
(:data:`NODE_PRECISION_M`) are one node. With noding, every line is first split at every
crossing (:func:`shapely.node`). Connected parts shorter than ``min_component_m`` of street
are kept in the graph but not snapped to. :class:`StreetNetwork` also answers the
geometric questions of snapping: the nearest edge of a point, the edges near an area.

>>> import numpy as np, shapely
>>> net = StreetNetwork.from_lines(np.array([shapely.LineString([(0, 0), (3, 4)])], dtype=object))
>>> net.n_nodes, net.n_edges, float(net.edge_length[0])
(2, 1, 5.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse.csgraph import connected_components
from shapely.geometry.base import BaseGeometry

from livable.geometry.access import FloatArray, IntArray
from livable.geometry.network._arrays import (
    EMPTY_F,
    EMPTY_I,
    nearest_with_distance,
    points_on_edges,
)
from livable.geometry.network.search import WalkGraph

__all__ = ["NODE_PRECISION_M", "StreetNetwork"]

NODE_PRECISION_M = 0.001
"""Vertices that coincide to this precision (1 mm) are one node of the graph."""


def _segments(lines: npt.NDArray[np.object_]) -> tuple[FloatArray, FloatArray, IntArray]:
    """Start points, end points and source line index of every straight piece of lines."""
    parts, line_of_part = shapely.get_parts(lines, return_index=True)
    coords, part_of = shapely.get_coordinates(parts, return_index=True)
    if coords.shape[0] < 2:
        return np.zeros((0, 2)), np.zeros((0, 2)), EMPTY_I
    same = part_of[1:] == part_of[:-1]
    a = coords[:-1][same]
    b = coords[1:][same]
    return a, b, np.asarray(line_of_part, dtype=np.int64)[part_of[:-1][same]]


def _unique_nodes(points: FloatArray) -> tuple[FloatArray, IntArray]:
    """Distinct points at :data:`NODE_PRECISION_M` and each input point's node id."""
    q = np.round(points / NODE_PRECISION_M).astype(np.int64)
    order = np.lexsort((q[:, 1], q[:, 0]))
    qs = q[order]
    new = np.r_[True, (qs[1:] != qs[:-1]).any(axis=1)] if len(qs) else np.zeros(0, dtype=bool)
    ids_sorted = np.cumsum(new) - 1
    inverse = np.empty(len(q), dtype=np.int64)
    inverse[order] = ids_sorted
    nodes = qs[new].astype(np.float64) * NODE_PRECISION_M
    return nodes, inverse


@attrs.frozen(eq=False)
class StreetNetwork:
    """The walkable graph of a street layer, in the working CRS (metres).

    Nodes are distinct vertices, edges the straight pieces between consecutive vertices;
    ``edge_street`` is the index of the street an edge came from (``-1`` after noding, which
    rebuilds the lines). Edges of connected parts shorter than ``min_component_m`` (in
    total street length) are not snapped to (``edge_eligible``).

    >>> import numpy as np, shapely
    >>> cross = np.array([shapely.LineString([(0, 0), (100, 0)]),
    ...                   shapely.LineString([(50, -50), (50, 50)])], dtype=object)
    >>> StreetNetwork.from_lines(cross, min_component_m=0).n_components  # not joined
    2
    >>> StreetNetwork.from_lines(cross, noding=True, min_component_m=0).n_components
    1
    """

    node_x: FloatArray
    node_y: FloatArray
    edge_u: IntArray
    edge_v: IntArray
    edge_length: FloatArray
    edge_street: IntArray
    node_component: IntArray
    component_length: FloatArray
    min_component_m: float
    noded: bool
    graph: WalkGraph
    street_ids: tuple[str, ...] = ()
    _tree: Any = attrs.field(default=None, repr=False)
    _eligible_index: IntArray = attrs.field(factory=lambda: EMPTY_I, repr=False)

    @classmethod
    def from_lines(
        cls,
        lines: npt.NDArray[np.object_] | Sequence[BaseGeometry],
        *,
        noding: bool = False,
        min_component_m: float = 0.0,
        street_ids: Sequence[str] = (),
    ) -> StreetNetwork:
        """Build the network from (Multi)LineStrings in the working CRS.

        ``noding=True`` first splits every line wherever it crosses or touches another
        (:func:`shapely.node`); without it lines are joined only at shared vertices.
        """
        geoms = np.asarray(lines, dtype=object)
        if noding and geoms.size:
            noded = shapely.node(shapely.multilinestrings(shapely.get_parts(geoms)))
            geoms = np.asarray(shapely.get_parts(noded), dtype=object)
        a, b, line_of = _segments(geoms)
        nodes, inverse = _unique_nodes(np.concatenate([a, b]))
        m = len(a)
        u, v = inverse[:m], inverse[m:]
        keep = u != v  # pieces shorter than the node precision vanish
        u, v, line_of = u[keep], v[keep], line_of[keep]
        length = np.hypot(nodes[u, 0] - nodes[v, 0], nodes[u, 1] - nodes[v, 1])
        n = len(nodes)
        graph = WalkGraph.from_edges(n, u, v, length)
        n_comp, labels = connected_components(graph.matrix, directed=False)
        node_component = labels[graph.node_map].astype(np.int64)
        comp_len = np.bincount(node_component[u], weights=length, minlength=n_comp)
        eligible = comp_len[node_component[u]] >= float(min_component_m)
        eligible_index = np.flatnonzero(eligible).astype(np.int64)
        tree = shapely.STRtree(
            shapely.linestrings(
                np.stack([nodes[u[eligible]], nodes[v[eligible]]], axis=1).reshape(-1, 2, 2)
            )
            if eligible.any()
            else np.zeros(0, dtype=object)
        )
        return cls(
            node_x=nodes[:, 0].copy(),
            node_y=nodes[:, 1].copy(),
            edge_u=u,
            edge_v=v,
            edge_length=length,
            edge_street=np.full(len(u), -1, dtype=np.int64) if noding else line_of,
            node_component=node_component,
            component_length=comp_len.astype(np.float64),
            min_component_m=float(min_component_m),
            noded=bool(noding),
            graph=graph,
            street_ids=tuple(street_ids),
            tree=tree,
            eligible_index=eligible_index,
        )

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_x.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of edges (straight pieces)."""
        return int(self.edge_u.shape[0])

    @property
    def n_components(self) -> int:
        """Number of connected parts."""
        return int(self.component_length.shape[0])

    @property
    def n_eligible_edges(self) -> int:
        """Edges on the parts that are kept (long enough to be snapped to)."""
        return int(self._eligible_index.size)

    @property
    def n_components_kept(self) -> int:
        """Connected parts long enough to be snapped to."""
        return int((self.component_length >= self.min_component_m).sum())

    def edge_lines(self, edges: IntArray | None = None) -> npt.NDArray[np.object_]:
        """The edges as two-point LineStrings (all, or those indexed by ``edges``).

        >>> import shapely
        >>> line = shapely.LineString([(0, 0), (3, 0), (3, 4)])
        >>> StreetNetwork.from_lines(np.array([line], dtype=object)).edge_lines()[1].length
        4.0
        """
        e = np.arange(self.n_edges) if edges is None else np.asarray(edges, dtype=np.int64)
        u, v = self.edge_u[e], self.edge_v[e]
        pts = np.stack(
            [np.c_[self.node_x[u], self.node_y[u]], np.c_[self.node_x[v], self.node_y[v]]], axis=1
        )
        return np.asarray(shapely.linestrings(pts), dtype=object)

    def _locate(
        self, edges: IntArray, px: FloatArray, py: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        """Position ``t`` (0 at ``edge_u``, 1 at ``edge_v``) of the point of each edge
        nearest to each point, and the distance to it."""
        ax, ay = self.node_x[self.edge_u[edges]], self.node_y[self.edge_u[edges]]
        dx = self.node_x[self.edge_v[edges]] - ax
        dy = self.node_y[self.edge_v[edges]] - ay
        t = np.clip(((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
        return t, np.hypot(ax + t * dx - px, ay + t * dy - py)

    def snap_points(
        self, x: FloatArray, y: FloatArray, *, max_distance: float | None = None
    ) -> tuple[IntArray, FloatArray, FloatArray]:
        """Snap points to the nearest eligible edge: ``(edge, t, distance)``.

        ``edge`` is ``-1`` where no eligible edge lies within ``max_distance`` (then ``t``
        and ``distance`` are NaN).

        >>> import numpy as np, shapely
        >>> net = StreetNetwork.from_lines(
        ...     np.array([shapely.LineString([(0, 0), (100, 0)])], dtype=object))
        >>> e, t, d = net.snap_points(np.array([25.0, 50.0]), np.array([10.0, 500.0]),
        ...                           max_distance=100.0)
        >>> e.tolist(), t.tolist()[0], d.tolist()[0]
        ([0, -1], 0.25, 10.0)
        """
        n = len(x)
        edge = np.full(n, -1, dtype=np.int64)
        t = np.full(n, np.nan)
        d = np.full(n, np.nan)
        if n == 0 or self._eligible_index.size == 0:
            return edge, t, d
        xs = np.asarray(x, dtype=np.float64)
        ys = np.asarray(y, dtype=np.float64)
        # Growing square windows: the best candidate within a window of half-width r is
        # the nearest edge when it is at most r away (any nearer edge meets the window).
        pending = np.arange(n)
        radius = 16.0
        while pending.size:
            r = radius if max_distance is None else min(radius, float(max_distance))
            last = max_distance is not None and r >= max_distance
            if max_distance is None and radius > 1e6:  # far from everything: exact query
                pts = shapely.points(xs[pending], ys[pending])
                which, tree_idx = self._tree.query_nearest(pts, all_matches=False)
                hit = self._eligible_index[tree_idx]
                p = pending[which]
                edge[p], (t[p], d[p]) = hit, self._locate(hit, xs[p], ys[p])
                break
            px, py = xs[pending], ys[pending]
            which, tree_idx = self._tree.query(shapely.box(px - r, py - r, px + r, py + r))
            cand = self._eligible_index[tree_idx]
            tc, dc = self._locate(cand, px[which], py[which])
            order = np.lexsort((cand, dc, which))
            which, cand, tc, dc = which[order], cand[order], tc[order], dc[order]
            first = np.r_[True, which[1:] != which[:-1]] if which.size else which.astype(bool)
            which, cand, tc, dc = which[first], cand[first], tc[first], dc[first]
            ok = dc <= r
            p = pending[which[ok]]
            edge[p], t[p], d[p] = cand[ok], tc[ok], dc[ok]
            if last:
                break
            done = np.zeros(pending.size, dtype=bool)
            done[which[ok]] = True
            pending = pending[~done]
            radius *= 4.0
        return edge, t, d

    def snap_areas(
        self, areas: npt.NDArray[np.object_], *, max_distance: float
    ) -> tuple[IntArray, IntArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        """Access stretches of area facilities: every eligible edge within ``max_distance``.

        Returns ``(area, edge, t_lo, gap_lo, t_hi, gap_hi)``, one row per (area, edge) pair:
        the part of the edge within ``max_distance`` of the area runs from ``t_lo`` to
        ``t_hi`` (0 at ``edge_u``, 1 at ``edge_v``), and ``gap_*`` is the straight step from
        there to the area. Walking along an edge never brings the area nearer faster than
        the walk grows, so from ``edge_u`` the best way in is at ``t_lo`` and from
        ``edge_v`` at ``t_hi``. The stretch comes from :func:`shapely.buffer` (16 segments
        a quarter circle), so it may start up to 0.2 % of ``max_distance`` late.

        >>> import shapely
        >>> net = StreetNetwork.from_lines(
        ...     np.array([shapely.LineString([(0, 0), (1000, 0)])], dtype=object))
        >>> park = shapely.box(400, 10, 600, 100)  # 10 m north of the street
        >>> area, edge, t_lo, gap_lo, t_hi, gap_hi = net.snap_areas(
        ...     np.array([park], dtype=object), max_distance=50.0)
        >>> round(float(t_lo[0]) * 1000, 1), round(float(gap_lo[0]), 1)
        (351.0, 50.0)
        """
        if len(areas) == 0 or self._eligible_index.size == 0:
            return EMPTY_I, EMPTY_I, EMPTY_F, EMPTY_F, EMPTY_F, EMPTY_F
        which, tree_idx = self._tree.query(areas, predicate="dwithin", distance=max_distance)
        which = which.astype(np.int64)
        edges = self._eligible_index[tree_idx]
        zone = shapely.buffer(areas, max_distance, quad_segs=16)
        inside = shapely.intersection(self._tree.geometries[tree_idx], zone[which])
        coords, pair = shapely.get_coordinates(inside, return_index=True)
        t_lo = np.full(which.size, np.nan)
        t_hi = np.full(which.size, np.nan)
        if coords.size:
            t, _ = self._locate(edges[pair], coords[:, 0], coords[:, 1])
            lo = np.full(which.size, np.inf)
            hi = np.full(which.size, -np.inf)
            np.minimum.at(lo, pair, t)
            np.maximum.at(hi, pair, t)
            has = np.isfinite(lo)
            t_lo[has], t_hi[has] = lo[has], hi[has]
        # an edge that only grazes the polygonal buffer: its nearest point
        miss = np.flatnonzero(np.isnan(t_lo))
        if miss.size:
            near = shapely.get_coordinates(
                shapely.get_point(
                    shapely.shortest_line(
                        self._tree.geometries[tree_idx[miss]], areas[which[miss]]
                    ),
                    0,
                )
            )
            t_m, _ = self._locate(edges[miss], near[:, 0], near[:, 1])
            t_lo[miss], t_hi[miss] = t_m, t_m
        gap_lo = shapely.distance(shapely.points(self._at(edges, t_lo)), areas[which])
        gap_hi = shapely.distance(shapely.points(self._at(edges, t_hi)), areas[which])
        return (
            which,
            edges,
            t_lo,
            np.asarray(gap_lo, dtype=np.float64),
            t_hi,
            np.asarray(gap_hi, dtype=np.float64),
        )

    def _at(self, edges: IntArray, t: FloatArray) -> FloatArray:
        """Points at positions ``t`` of ``edges``, as an ``(n, 2)`` array."""
        return points_on_edges(self.node_x, self.node_y, self.edge_u, self.edge_v, edges, t)

    def nearest_street_distance(self, x: FloatArray, y: FloatArray) -> FloatArray:
        """Distance from each point to the nearest edge of any part (eligible or not).

        >>> import shapely
        >>> net = StreetNetwork.from_lines(
        ...     np.array([shapely.LineString([(0, 0), (10, 0)])], dtype=object),
        ...     min_component_m=100.0)
        >>> net.nearest_street_distance(np.array([5.0]), np.array([3.0])).tolist()
        [3.0]
        """
        if self.n_edges == 0 or len(x) == 0:
            return np.full(len(x), np.nan)
        tree = shapely.STRtree(self.edge_lines())
        pts = shapely.points(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        which, _, dist = nearest_with_distance(tree, pts)
        out = np.full(len(x), np.nan)
        out[which] = dist
        return out
