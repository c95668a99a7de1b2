"""Walking distance on the street network: the ``network`` distance provider.

A straight 1.2 km circle overstates what residents reach: rivers, rail lines and walls make
the walk longer than the line (``P6.circle``, ``P6.tiers`` are walking distances). This
module builds a walkable graph from a streets file and measures distances along it.

The graph
    Every straight piece of a street line (two consecutive vertices) is an edge, undirected,
    its length in metres in the working CRS. Vertices that coincide to the millimetre are one
    node, so lines are joined where they share a vertex. Lines that cross without a shared
    vertex (a bridge over a road, a tunnel) are **not** joined unless noding is asked for
    (``noding=True``, profile field ``network_noding``), which splits every line at every
    crossing with :func:`shapely.node`.

Shortest paths
    :class:`WalkGraph` runs :func:`scipy.sparse.csgraph.dijkstra` from many sources at once,
    bounded by a distance ``limit`` (the profile's ``search_radius_m``), in batches of sources
    so the dense ``sources x nodes`` answer stays within ``max_cells``. Parallel edges keep
    their shortest length (a min-reduction, never the sum that building a sparse matrix from
    duplicates gives). Zero-length edges are **contracted**: their end nodes are merged into
    one before the search (exact; no epsilon is added), because a sparse-graph search cannot
    be trusted to keep an explicit zero weight as an edge.

Snapping
    A community centre or a facility joins the network at the nearest point of the nearest
    edge (not the nearest node): the snap point splits that edge into two partial edges. A
    centre becomes a virtual node joined to both ends of its edge; a facility is reached
    through either end of its edge plus the partial length, which is the same as splitting
    the edge without enlarging the graph. A facility and a centre on the same edge are also
    joined directly along it. Snap lengths count in the walk. Only edges of connected parts
    of at least ``network_min_component_m`` of street are snapped to; a facility farther
    than ``network_snap_tolerance_m`` from such an edge is reported, not joined. A centre
    always snaps (its snap length is reported as ``details.snap_m``). An area facility (a
    park, a campus) is reached from every edge that passes within the snap tolerance of
    it: the walk leaves the edge where it first comes within the tolerance (from either
    end) and steps straight to the area's edge, so a street along or through it reaches
    it with a short step or none; its distance is the shortest over those ways in.

Isochrones
    The area reached within each tier distance: the reached edges, partial edges cut where
    the walk budget ends, buffered by the walk-shed width (``network_walkshed_m``, 50 m by
    default: the depth of the plots fronting a street) and merged into one polygon.

>>> import numpy as np, shapely
>>> lines = np.array([shapely.LineString([(0, 0), (1000, 0)]),
...                   shapely.LineString([(1000, 0), (1000, 800)])], dtype=object)
>>> net = StreetNetwork.from_lines(lines, min_component_m=0.0)
>>> net.n_nodes, net.n_edges
(3, 2)
>>> from livable.geometry.access import AccessQuery, FacilityColumns, Origins
>>> fac = FacilityColumns(x=[990.0], y=[700.0], type_codes=[0], type_ids=("clinic",))
>>> q = AccessQuery(type_ids=("clinic",), tier_radii_m=(400.0, 1200.0, 2000.0),
...                 circle_radii_m=[1200.0], search_radius_m=3000.0, k=1)
>>> p = NetworkProvider(net)
>>> t = p.measure(Origins([200.0], [30.0]), fac, q)
>>> float(t.nearest_m[0, 0])  # 30 snap + 800 + 700 along the streets + 10 snap
1540.0
>>> t.count_within[0, 0].tolist()
[0, 0, 1]
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

import attrs
import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components, dijkstra
from shapely.geometry.base import BaseGeometry

from livable.errors import InputError, LivableError
from livable.geometry.access import (
    AccessQuery,
    AccessTable,
    FacilityColumns,
    FloatArray,
    IntArray,
    Origins,
    PairCircleLists,
    access_from_pairs,
)
from livable.models.results import Rejection, SourceInfo

__all__ = [
    "DEFAULT_MAX_CELLS",
    "NODE_PRECISION_M",
    "NetworkProvider",
    "SearchBatch",
    "StreetLines",
    "StreetNetwork",
    "WalkGraph",
    "network_factory",
]

NODE_PRECISION_M = 0.001
"""Vertices that coincide to this precision (1 mm) are one node of the graph."""

DEFAULT_MAX_CELLS = 8_000_000
"""Cells (sources x nodes, 8 bytes each) of one batch of the many-source search: 64 MB."""

_MOVED_TO_IO = {"read_streets": "livable.io.streets", "StreetLayer": "livable.io.layers"}
"""Names of livable 0.1's ``livable.geometry.network`` that moved to :mod:`livable.io`."""


def __getattr__(name: str) -> Any:
    """The deprecated 0.1 names (:data:`_MOVED_TO_IO`): warn, and give the io object."""
    if name not in _MOVED_TO_IO:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"livable.geometry.network.{name} moved to livable.io.{name} in livable 0.2; import "
        "it from there (the old path is removed in 0.3)",
        DeprecationWarning,
        stacklevel=2,
    )
    import livable.io  # the deprecated alias (ignore_imports in the contract)

    return getattr(livable.io, name)


_EMPTY_I = np.zeros(0, dtype=np.int64)
_EMPTY_F = np.zeros(0, dtype=np.float64)


# --------------------------------------------------------------------------------------
# The street layer
# --------------------------------------------------------------------------------------


@runtime_checkable
class StreetLines(Protocol):
    """What the network needs of a street layer: :class:`livable.io.StreetLayer`, which
    :func:`livable.io.read_streets` returns (streets are read in :mod:`livable.io`; this
    module only measures on them).

    ``lines`` are (Multi)LineStrings in WGS84 lon/lat, ``ids`` their street ids; the
    rejected features and the source feature count go into the report's network facts.
    """

    @property
    def ids(self) -> Sequence[str] | npt.NDArray[np.object_]:
        """The street ids, in the order of ``lines``."""

    @property
    def lines(self) -> npt.NDArray[np.object_]:
        """The street lines (WGS84 lon/lat)."""

    @property
    def rejected(self) -> tuple[Rejection, ...]:
        """The features of the source that were not read, with the reason."""

    @property
    def source(self) -> SourceInfo:
        """Where the streets came from."""

    @property
    def count(self) -> int:
        """How many features the source held."""

    def __len__(self) -> int: ...


# --------------------------------------------------------------------------------------
# Shortest paths
# --------------------------------------------------------------------------------------


def _dedupe_min(
    u: IntArray, v: IntArray, w: FloatArray, n: int
) -> tuple[IntArray, IntArray, FloatArray]:
    """Directed edges (both directions of every undirected one), parallel ones reduced to
    their minimum weight, sorted by (u, v)."""
    su = np.r_[u, v]
    sv = np.r_[v, u]
    sw = np.r_[w, w]
    order = np.lexsort((sw, sv, su))
    su, sv, sw = su[order], sv[order], sw[order]
    first = np.r_[True, (su[1:] != su[:-1]) | (sv[1:] != sv[:-1])] if su.size else su.astype(bool)
    return su[first], sv[first], sw[first]


@attrs.frozen(eq=False)
class SearchBatch:
    """Distances from some sources to the search nodes of (part of) a graph.

    ``dist[i, j]`` is the walk from ``sources[i]`` (positions in the caller's source list)
    to search node ``nodes[j]``, ``inf`` beyond the limit. Nodes outside ``nodes`` are
    beyond the limit from every source of the batch.
    """

    sources: IntArray
    nodes: IntArray
    dist: FloatArray
    _column: IntArray = attrs.field(repr=False)
    """Search node -> column of ``dist`` (``-1`` when absent); valid until the next batch."""

    def reached(self) -> tuple[IntArray, IntArray]:
        """``(row, search node)`` of every finite distance.

        >>> g = WalkGraph.from_edges(3, [0, 1], [1, 2], [1.0, 5.0])
        >>> batch = next(g.batches([0], limit=2.0))
        >>> [a.tolist() for a in batch.reached()]
        [[0, 0], [0, 1]]
        >>> batch.at(np.array([0, 0]), np.array([1, 2])).tolist()
        [1.0, inf]
        """
        row, col = np.nonzero(np.isfinite(self.dist))
        return row.astype(np.int64), self.nodes[col]

    def at(self, rows: IntArray, nodes: IntArray) -> FloatArray:
        """``dist`` at ``(row, search node)`` pairs, ``inf`` for nodes outside the batch."""
        col = self._column[nodes]
        inside = col >= 0
        out = np.full(rows.shape, np.inf)
        out[inside] = self.dist[rows[inside], col[inside]]
        return out


@attrs.frozen(eq=False)
class WalkGraph:
    """An undirected weighted graph ready for many-source bounded shortest-path searches.

    Build it with :meth:`from_edges`. Parallel edges keep their shortest length; zero-length
    edges are contracted (their ends become one search node, ``node_map``); self-loops are
    dropped. Distances are returned for the original node ids.

    Given node positions (``x``, ``y``) and edges no shorter than the straight line between
    their ends, as on a street network, a search bounded by ``limit`` only looks at the
    nodes within ``limit`` in a straight line of its batch of sources (a walk can never be
    shorter than the straight line), so its cost no longer grows with the whole graph.

    >>> g = WalkGraph.from_edges(4, [0, 0, 1, 2], [1, 1, 2, 3], [5.0, 2.0, 0.0, 1.0])
    >>> g.distances([0]).tolist()  # the 2 m parallel edge wins; 1-2 has zero length
    [[0.0, 2.0, 2.0, 3.0]]
    >>> g.distances([0], limit=2.5).tolist()
    [[0.0, 2.0, 2.0, inf]]
    """

    n_nodes: int
    node_map: IntArray
    """Original node id -> search node id (identity unless zero-length edges were merged)."""
    matrix: Any
    """The CSR adjacency of the search nodes (both directions, one entry per node pair)."""
    search_x: FloatArray | None = None
    search_y: FloatArray | None = None
    """Positions of the search nodes, when the graph is geometric."""
    _tree: Any = attrs.field(default=None, repr=False)

    @classmethod
    def from_edges(
        cls,
        n_nodes: int,
        u: Sequence[int] | IntArray,
        v: Sequence[int] | IntArray,
        length: Sequence[float] | FloatArray,
        *,
        x: FloatArray | None = None,
        y: FloatArray | None = None,
    ) -> WalkGraph:
        """A graph of ``n_nodes`` nodes and undirected edges ``u[i] - v[i]`` of ``length[i]``.

        Lengths must be finite and non-negative. With node positions ``x``/``y`` (metres),
        every edge must be at least as long as the straight line between its ends.
        """
        uu = np.asarray(u, dtype=np.int64)
        vv = np.asarray(v, dtype=np.int64)
        ww = np.asarray(length, dtype=np.float64)
        if not (uu.shape == vv.shape == ww.shape and uu.ndim == 1):
            raise LivableError("edge arrays u, v and length must be 1-D and of equal length")
        if ww.size and not (np.isfinite(ww).all() and (ww >= 0).all()):
            raise LivableError("edge lengths must be finite and non-negative")
        if uu.size and (min(uu.min(), vv.min()) < 0 or max(uu.max(), vv.max()) >= n_nodes):
            raise LivableError("edge end out of range of the node ids")
        zero = ww == 0.0
        node_map = np.arange(n_nodes, dtype=np.int64)
        n_search = n_nodes
        if zero.any():  # contract zero-length edges: their ends become one node
            z = csr_array(
                (np.ones(int(zero.sum())), (uu[zero], vv[zero])), shape=(n_nodes, n_nodes)
            )
            n_search, labels = connected_components(z, directed=False)
            node_map = labels.astype(np.int64)
        su, sv, sw = node_map[uu[~zero]], node_map[vv[~zero]], ww[~zero]
        keep = su != sv
        du, dv, dw = _dedupe_min(su[keep], sv[keep], sw[keep], n_search)
        indptr = np.zeros(n_search + 1, dtype=np.int64)
        np.cumsum(np.bincount(du, minlength=n_search), out=indptr[1:])
        matrix = csr_array((dw, dv.astype(np.int32), indptr), shape=(n_search, n_search))
        if x is None or y is None:
            return cls(n_nodes=int(n_nodes), node_map=node_map, matrix=matrix)
        xs = np.asarray(x, dtype=np.float64)
        ys = np.asarray(y, dtype=np.float64)
        straight = np.hypot(xs[uu] - xs[vv], ys[uu] - ys[vv])
        if ww.size and (ww < straight * (1.0 - 1e-9) - 1e-6).any():
            bad = int(np.argmax(straight - ww))
            raise LivableError(
                f"edge {bad} is {ww[bad]:g} m long but its ends are {straight[bad]:g} m apart"
            )
        sx = np.empty(n_search)
        sy = np.empty(n_search)
        sx[node_map], sy[node_map] = xs, ys
        tree = shapely.STRtree(shapely.points(sx, sy))
        return cls(
            n_nodes=int(n_nodes),
            node_map=node_map,
            matrix=matrix,
            search_x=sx,
            search_y=sy,
            tree=tree,
        )

    @property
    def n_search_nodes(self) -> int:
        """Nodes after zero-length edges were contracted."""
        return int(self.matrix.shape[0])

    def batches(
        self,
        sources: Sequence[int] | IntArray,
        *,
        limit: float = math.inf,
        max_cells: int = DEFAULT_MAX_CELLS,
    ) -> Iterator[SearchBatch]:
        """Bounded shortest distances from ``sources``, a batch of sources at a time.

        Every source appears in exactly one batch. A batch's ``dist`` holds at most
        ``max_cells`` cells (at least one source). On a geometric graph with a finite
        ``limit`` the sources are grouped by tiles of ``limit / 2`` and each batch searches
        only the nodes within ``limit`` in a straight line of its tile's sources.
        """
        src = self.node_map[np.asarray(sources, dtype=np.int64)]
        m = self.n_search_nodes
        column = np.full(m, -1, dtype=np.int64)
        if (
            self.search_x is None
            or self.search_y is None
            or not math.isfinite(limit)
            or not src.size
        ):
            size = max(1, int(max_cells) // max(m, 1))
            everything = np.arange(m, dtype=np.int64)
            column[:] = everything
            for start in range(0, src.size, size):
                dist = dijkstra(
                    self.matrix, directed=True, indices=src[start : start + size], limit=limit
                )
                yield SearchBatch(
                    np.arange(start, min(start + size, src.size), dtype=np.int64),
                    everything,
                    np.asarray(dist, dtype=np.float64).reshape(-1, m),
                    column,
                )
            return
        yield from self._local_batches(src, float(limit), int(max_cells), column)

    def _local_batches(
        self, src: IntArray, limit: float, max_cells: int, column: IntArray
    ) -> Iterator[SearchBatch]:
        assert self.search_x is not None
        assert self.search_y is not None
        tile = max(limit / 2.0, 1.0)
        px, py = self.search_x[src], self.search_y[src]
        key_x = np.floor(px / tile).astype(np.int64)
        key_y = np.floor(py / tile).astype(np.int64)
        order = np.lexsort((key_y, key_x))
        kx, ky = key_x[order], key_y[order]
        starts = np.flatnonzero(np.r_[True, (kx[1:] != kx[:-1]) | (ky[1:] != ky[:-1])])
        ends = np.r_[starts[1:], order.size]
        reach = limit * (1.0 + 1e-9) + 1e-6
        groups = [order[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
        boxes = shapely.box(
            np.array([px[g].min() - reach for g in groups]),
            np.array([py[g].min() - reach for g in groups]),
            np.array([px[g].max() + reach for g in groups]),
            np.array([py[g].max() + reach for g in groups]),
        )
        which, found = self._tree.query(boxes)
        bounds = np.searchsorted(which, np.arange(len(groups) + 1))
        indptr, indices, data = self.matrix.indptr, self.matrix.indices, self.matrix.data
        for gi, members in enumerate(groups):
            nodes = np.sort(found[bounds[gi] : bounds[gi + 1]]).astype(np.int64)
            column[nodes] = np.arange(nodes.size)
            # the subgraph induced by these nodes
            _, _, pos = _expand(np.zeros(nodes.size, np.int64), nodes, indptr)
            counts = indptr[nodes + 1] - indptr[nodes]
            rows = np.repeat(np.arange(nodes.size), counts)
            cols = column[indices[pos]]
            inside = cols >= 0
            sub_ptr = np.zeros(nodes.size + 1, dtype=np.int64)
            np.cumsum(np.bincount(rows[inside], minlength=nodes.size), out=sub_ptr[1:])
            sub = csr_array(
                (data[pos][inside], cols[inside].astype(np.int32), sub_ptr),
                shape=(nodes.size, nodes.size),
            )
            size = max(1, max_cells // max(nodes.size, 1))
            for start in range(0, members.size, size):
                chunk = members[start : start + size]
                dist = dijkstra(sub, directed=True, indices=column[src[chunk]], limit=limit)
                yield SearchBatch(
                    chunk.astype(np.int64),
                    nodes,
                    np.asarray(dist, dtype=np.float64).reshape(-1, nodes.size),
                    column,
                )
            column[nodes] = -1

    def distances(
        self, sources: Sequence[int] | IntArray, *, limit: float = math.inf
    ) -> FloatArray:
        """Dense distances ``[source, node]`` over the original node ids (for small graphs)."""
        src = np.asarray(sources, dtype=np.int64)
        out = np.full((src.size, self.n_search_nodes), np.inf)
        for batch in self.batches(src, limit=limit):
            out[np.ix_(batch.sources, batch.nodes)] = batch.dist
        return out[:, self.node_map]


# --------------------------------------------------------------------------------------
# The street network
# --------------------------------------------------------------------------------------


def _segments(lines: npt.NDArray[np.object_]) -> tuple[FloatArray, FloatArray, IntArray]:
    """Start points, end points and source line index of every straight piece of lines."""
    parts, line_of_part = shapely.get_parts(lines, return_index=True)
    coords, part_of = shapely.get_coordinates(parts, return_index=True)
    if coords.shape[0] < 2:
        return np.zeros((0, 2)), np.zeros((0, 2)), _EMPTY_I
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
    _eligible_index: IntArray = attrs.field(factory=lambda: _EMPTY_I, repr=False)

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
            return _EMPTY_I, _EMPTY_I, _EMPTY_F, _EMPTY_F, _EMPTY_F, _EMPTY_F
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
        ax, ay = self.node_x[self.edge_u[edges]], self.node_y[self.edge_u[edges]]
        bx, by = self.node_x[self.edge_v[edges]], self.node_y[self.edge_v[edges]]
        return np.column_stack([ax + t * (bx - ax), ay + t * (by - ay)]).astype(np.float64)

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
        which, _, dist = _nearest_with_distance(tree, pts)
        out = np.full(len(x), np.nan)
        out[which] = dist
        return out


def _nearest_with_distance(tree: Any, geoms: Any) -> tuple[IntArray, IntArray, FloatArray]:
    (which, idx), dist = tree.query_nearest(geoms, all_matches=False, return_distance=True)
    return which.astype(np.int64), idx.astype(np.int64), np.asarray(dist, dtype=np.float64)


# --------------------------------------------------------------------------------------
# The provider
# --------------------------------------------------------------------------------------


@attrs.frozen(eq=False)
class _OriginSnap:
    """Circle centres joined to the network: a search node per centre."""

    edge: IntArray
    t: FloatArray
    snap_m: FloatArray
    node: IntArray
    """The centre's node: an edge end when it snaps onto one, else a virtual node."""
    ok: npt.NDArray[np.bool_]
    graph: WalkGraph
    """The street graph plus the virtual nodes, each joined to both ends of its edge."""
    edge_u: IntArray
    edge_v: IntArray
    node_x: FloatArray
    node_y: FloatArray
    """Edges and node positions of that graph (for isochrones)."""


@attrs.frozen(eq=False)
class _FacilitySnap:
    """Facilities joined to the network, as access points ``(facility, node, cost)``.

    Point facilities off any origin's edge have exactly two access points, the ends of their
    edge (``pair_*``); the others (areas, and facilities on an edge a centre splits) are
    listed in ``ap_*`` and reduced with a sort.
    """

    pair_fac: IntArray
    pair_a: IntArray
    pair_b: IntArray
    pair_ca: FloatArray
    pair_cb: FloatArray
    ap_fac: IntArray
    ap_node: IntArray
    ap_cost: FloatArray
    snap_m: FloatArray
    """Snap length per facility (the smallest over its access points), NaN if off network."""
    off_network: IntArray
    nearest_street_m: FloatArray
    """Distance to the nearest street of any part, for each off-network facility."""


def _csr_lists(keys: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """``(indptr, order)`` grouping the positions of ``keys`` (values in ``0..n-1``)."""
    order = np.argsort(keys, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=indptr[1:])
    return indptr, order.astype(np.int64)


def _expand(
    rows: IntArray, nodes: IntArray, indptr: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """For every ``(row, node)``, every position ``p`` listed under ``node``: the rows, the
    nodes and the list positions, vectorised (``repeat`` plus a ramp)."""
    counts = indptr[nodes + 1] - indptr[nodes]
    total = int(counts.sum())
    if total == 0:
        return _EMPTY_I, _EMPTY_I, _EMPTY_I
    r = np.repeat(rows, counts)
    nd = np.repeat(nodes, counts)
    starts = np.repeat(indptr[nodes], counts)
    ramp = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return r, nd, starts + ramp


def _prune_far(
    origin: IntArray,
    facility: IntArray,
    distance: FloatArray,
    *,
    facility_types: IntArray,
    near_m: FloatArray,
    query: AccessQuery,
) -> npt.NDArray[np.bool_]:
    """Which pairs the access table can depend on: every pair within ``near_m`` of its
    origin (tier and circle counts) and, beyond it, the ``k`` nearest per origin and type
    (with every pair tied with the k-th to the millimetre) for ``nearest`` and the k-nearest
    lists. Dropping the rest leaves :func:`access_from_pairs`'s answer unchanged and spares
    it sorting pairs it would discard."""
    keep = distance <= near_m[origin]
    far = np.flatnonzero(~keep & (distance <= query.search_radius_m))
    if far.size == 0:
        return keep
    n_types = len(query.type_ids)
    group = origin[far] * n_types + facility_types[facility[far]]
    mm = np.floor(distance[far] * 1000.0).astype(np.int64)
    key = np.sort((group << 32) | mm)
    sg = key >> 32
    starts = np.flatnonzero(np.r_[True, sg[1:] != sg[:-1]])
    sizes = np.diff(np.r_[starts, key.size])
    kth = key[starts + np.minimum(sizes, query.k) - 1] & 0xFFFFFFFF
    threshold = np.full(int(group.max()) + 1, -1, dtype=np.int64)
    threshold[sg[starts]] = kth
    keep[far[mm <= threshold[group]]] = True
    return keep


def _assemble(
    parts: Sequence[tuple[IntArray, AccessTable]],
    n_origins: int,
    query: AccessQuery,
    facility_types: IntArray,
) -> AccessTable:
    """One access table from tables of origin subsets (``rows`` say which origins); origins
    in none of them have no facility within reach."""
    n_types, k, n_tiers = len(query.type_ids), query.k, len(query.tier_radii_m)
    nearest = np.full((n_origins, n_types), np.nan)
    count_within = np.zeros((n_origins, n_types, n_tiers), dtype=np.int64)
    count_in_circle = np.zeros((n_origins, n_types), dtype=np.int64)
    knn_index = np.full((n_origins, n_types, k), -1, dtype=np.int64)
    knn_m = np.full((n_origins, n_types, k), np.nan)
    c_origin: list[IntArray] = [_EMPTY_I]
    c_index: list[IntArray] = [_EMPTY_I]
    c_m: list[FloatArray] = [_EMPTY_F]
    for rows, t in parts:
        nearest[rows] = t.nearest_m
        count_within[rows] = t.count_within
        count_in_circle[rows] = t.count_in_circle
        knn_index[rows] = t.knn_index
        knn_m[rows] = t.knn_m
        indptr, index, dist = t.circle_lists()
        c_origin.append(np.repeat(rows, np.diff(indptr)))
        c_index.append(index)
        c_m.append(dist)
    origin = np.concatenate(c_origin)
    order = np.argsort(origin, kind="stable")  # keeps each origin's nearest-first order
    indptr = np.zeros(n_origins + 1, dtype=np.int64)
    np.cumsum(np.bincount(origin, minlength=n_origins), out=indptr[1:])
    index = np.concatenate(c_index)[order].astype(np.int64)
    return AccessTable(
        nearest_m=nearest,
        count_within=count_within,
        count_in_circle=count_in_circle,
        knn_index=knn_index,
        knn_m=knn_m,
        circles=PairCircleLists(
            indptr=indptr,
            index=index,
            distance_m=np.concatenate(c_m)[order].astype(np.float64),
            type_codes=facility_types[index],
        ),
    )


@attrs.define(eq=False)
class NetworkProvider:
    """Walking distance along the streets (the ``network`` provider).

    ``measure`` follows :class:`~livable.geometry.providers.DistanceProvider`; besides it
    the provider answers the engine's optional questions: :meth:`isochrones` (the reachable
    area per tier), :meth:`origin_details` (per-centre snap facts, ``details`` in the
    report) and :meth:`report_details` (the graph, rejected streets and off-network
    facilities). Snapping results are kept between these calls for the same inputs.
    """

    network: StreetNetwork
    snap_tolerance_m: float = 100.0
    """A facility farther than this from an eligible street is reported, not joined."""
    walkshed_m: float = 50.0
    """Half-width of the buffer around reached streets that makes an isochrone."""
    to_wgs84: Any = None
    """Working CRS -> WGS84 for geometries (``Projector.inverse_geometry``); None keeps
    the working CRS."""
    max_cells: int = DEFAULT_MAX_CELLS
    street_layer: StreetLines | None = None
    draw_isochrones: bool = True
    """False: :meth:`isochrones` answers ``None`` per centre (profile ``network_isochrones``)."""
    name: str = "network"
    _origin_cache: tuple[Origins, _OriginSnap] | None = attrs.field(default=None, init=False)
    _facility_cache: tuple[FacilityColumns, _FacilitySnap] | None = attrs.field(
        default=None, init=False
    )

    # -- snapping ---------------------------------------------------------------------

    def _snap_origins(self, origins: Origins) -> _OriginSnap:
        if self._origin_cache is not None and self._origin_cache[0] is origins:
            return self._origin_cache[1]
        net = self.network
        edge, t, snap_m = net.snap_points(origins.x, origins.y)
        ok = edge >= 0
        e = np.where(ok, edge, 0)
        length = net.edge_length[e] if net.n_edges else np.zeros(len(origins))
        along = t * length
        node = np.full(len(origins), -1, dtype=np.int64)
        at_u = ok & (along <= NODE_PRECISION_M)
        at_v = ok & ~at_u & (length - along <= NODE_PRECISION_M)
        virtual = ok & ~at_u & ~at_v
        if net.n_edges:
            node[at_u] = net.edge_u[e[at_u]]
            node[at_v] = net.edge_v[e[at_v]]
        n_virtual = int(virtual.sum())
        node[virtual] = net.n_nodes + np.arange(n_virtual)
        vi = np.flatnonzero(virtual)
        ve = edge[vi]
        px = net.node_x[net.edge_u[ve]] + t[vi] * (
            net.node_x[net.edge_v[ve]] - net.node_x[net.edge_u[ve]]
        )
        py = net.node_y[net.edge_u[ve]] + t[vi] * (
            net.node_y[net.edge_v[ve]] - net.node_y[net.edge_u[ve]]
        )
        eu = np.r_[net.edge_u, node[vi], node[vi]]
        ev = np.r_[net.edge_v, net.edge_u[ve], net.edge_v[ve]]
        ew = np.r_[net.edge_length, along[vi], length[vi] - along[vi]]
        n_all = net.n_nodes + n_virtual
        all_x = np.r_[net.node_x, px]
        all_y = np.r_[net.node_y, py]
        graph = WalkGraph.from_edges(n_all, eu, ev, ew, x=all_x, y=all_y)
        snap = _OriginSnap(
            edge=edge,
            t=t,
            snap_m=snap_m,
            node=node,
            ok=ok,
            graph=graph,
            edge_u=eu,
            edge_v=ev,
            node_x=all_x,
            node_y=all_y,
        )
        self._origin_cache = (origins, snap)
        return snap

    def _snap_facilities(self, facilities: FacilityColumns, osnap: _OriginSnap) -> _FacilitySnap:
        if self._facility_cache is not None and self._facility_cache[0] is facilities:
            return self._facility_cache[1]
        net = self.network
        n = len(facilities)
        area_mask = facilities.area_mask
        pts = np.flatnonzero(~area_mask)
        edge = np.full(n, -1, dtype=np.int64)
        t = np.full(n, np.nan)
        snap_m = np.full(n, np.nan)
        edge[pts], t[pts], snap_m[pts] = net.snap_points(
            facilities.x[pts], facilities.y[pts], max_distance=self.snap_tolerance_m
        )
        # areas: every eligible edge within the tolerance gives a stretch to step off from
        areas = np.flatnonzero(area_mask)
        area_geoms = np.asarray(facilities.areas)[areas] if areas.size else np.zeros(0, object)
        a_row, a_edge, a_tlo, a_glo, a_thi, a_ghi = net.snap_areas(
            area_geoms, max_distance=self.snap_tolerance_m
        )
        a_fac = areas[a_row] if a_row.size else _EMPTY_I
        if a_fac.size:
            best = np.full(n, np.inf)
            np.minimum.at(best, a_fac, np.minimum(a_glo, a_ghi))
            has = np.isfinite(best)
            snap_m[has] = best[has]

        # every (facility, edge) with its stretch [t_lo, t_hi] and steps; points: t_lo = t_hi
        p_fac = pts[edge[pts] >= 0]
        all_fac = np.r_[p_fac, a_fac]
        all_edge = np.r_[edge[p_fac], a_edge]
        all_lo = np.r_[t[p_fac], a_tlo]
        all_hi = np.r_[t[p_fac], a_thi]
        gap_lo = np.r_[snap_m[p_fac], a_glo]
        gap_hi = np.r_[snap_m[p_fac], a_ghi]
        all_row = np.r_[np.full(p_fac.size, -1, dtype=np.int64), a_row]
        length = net.edge_length[all_edge]
        cost_u = all_lo * length + gap_lo  # reached from edge_u
        cost_v = (1.0 - all_hi) * length + gap_hi  # reached from edge_v
        # edges that a centre splits: join the facility to those centres directly too
        v_rows = np.flatnonzero(osnap.node >= net.n_nodes)
        shared = np.isin(all_edge, osnap.edge[v_rows])
        complex_fac = np.zeros(n, dtype=bool)
        complex_fac[a_fac] = True
        complex_fac[all_fac[shared]] = True
        is_complex = complex_fac[all_fac]
        simple = ~is_complex
        sf, se = all_fac[simple], all_edge[simple]
        pair_a, pair_b = net.edge_u[se], net.edge_v[se]
        pair_ca, pair_cb = cost_u[simple], cost_v[simple]

        cx = np.flatnonzero(is_complex)
        cf, ce = all_fac[cx], all_edge[cx]
        ap_fac = [cf, cf]
        ap_node = [net.edge_u[ce], net.edge_v[ce]]
        ap_cost = [cost_u[cx], cost_v[cx]]
        if v_rows.size and ce.size:
            # (centre, facility) on the same edge: the direct walk along the edge
            o_edge = osnap.edge[v_rows]
            o_order = np.argsort(o_edge, kind="stable")
            o_sorted = o_edge[o_order]
            lo = np.searchsorted(o_sorted, ce, "left")
            hi = np.searchsorted(o_sorted, ce, "right")
            cnt = hi - lo
            if cnt.sum():
                which = np.repeat(np.arange(ce.size), cnt)
                ramp = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
                orow = v_rows[o_order[np.repeat(lo, cnt) + ramp]]
                k = cx[which]
                t_o = osnap.t[orow]
                seg_len = length[k]
                cost = np.where(
                    t_o <= all_lo[k],
                    (all_lo[k] - t_o) * seg_len + gap_lo[k],
                    (t_o - all_hi[k]) * seg_len + gap_hi[k],
                )
                between = (t_o > all_lo[k]) & (t_o < all_hi[k])
                if between.any():  # a centre on an area's stretch steps straight across
                    kb = k[between]
                    pts_b = shapely.points(net._at(all_edge[kb], t_o[between]))
                    cost[between] = shapely.distance(pts_b, area_geoms[all_row[kb]])
                ap_fac.append(cf[which])
                ap_node.append(osnap.node[orow])
                ap_cost.append(cost)
        placed = np.zeros(n, dtype=bool)
        placed[all_fac] = True
        off = np.flatnonzero(~placed)
        nearest = np.full(off.size, np.nan)
        if off.size:
            ox, oy = facilities.x[off].copy(), facilities.y[off].copy()
            nearest = net.nearest_street_distance(ox, oy)
            off_area = area_mask[off]
            if off_area.any() and net.n_edges:
                tree = shapely.STRtree(net.edge_lines())
                which, _, dist = _nearest_with_distance(
                    tree, np.asarray(facilities.areas)[off[off_area]]
                )
                sub = np.full(int(off_area.sum()), np.nan)
                sub[which] = dist
                nearest[off_area] = sub
        snap = _FacilitySnap(
            pair_fac=sf,
            pair_a=pair_a,
            pair_b=pair_b,
            pair_ca=pair_ca,
            pair_cb=pair_cb,
            ap_fac=np.concatenate(ap_fac).astype(np.int64),
            ap_node=np.concatenate(ap_node).astype(np.int64),
            ap_cost=np.concatenate(ap_cost).astype(np.float64),
            snap_m=snap_m,
            off_network=off.astype(np.int64),
            nearest_street_m=nearest,
        )
        self._facility_cache = (facilities, snap)
        return snap

    # -- distances --------------------------------------------------------------------

    def measure(
        self, origins: Origins, facilities: FacilityColumns, query: AccessQuery
    ) -> AccessTable:
        """Walking distances from every centre to the facilities within the search radius.

        A many-source bounded search (``limit`` = the largest radius the answer needs) in
        batches; each reached node lists the facilities whose edge it ends, so no
        origin x facility product is formed.
        """
        osnap = self._snap_origins(origins)
        fsnap = self._snap_facilities(facilities, osnap)
        g = osnap.graph
        nmap = g.node_map
        m = g.n_search_nodes
        limit = query.max_radius_m
        # node -> simple facility ends, node -> complex access points (search node ids)
        p_nodes = np.r_[nmap[fsnap.pair_a], nmap[fsnap.pair_b]]
        p_side = np.r_[
            np.zeros(fsnap.pair_fac.size, np.int64), np.ones(fsnap.pair_fac.size, np.int64)
        ]
        p_idx = np.r_[np.arange(fsnap.pair_fac.size), np.arange(fsnap.pair_fac.size)]
        p_indptr, p_order = _csr_lists(p_nodes, m)
        p_side, p_idx = p_side[p_order], p_idx[p_order]
        c_nodes = nmap[fsnap.ap_node]
        c_indptr, c_order = _csr_lists(c_nodes, m)
        pa, pb = nmap[fsnap.pair_a], nmap[fsnap.pair_b]

        rows = np.flatnonzero(osnap.ok)
        parts: list[tuple[IntArray, AccessTable]] = []
        for batch in g.batches(osnap.node[rows], limit=limit, max_cells=self.max_cells):
            b_rows = rows[batch.sources]
            r_loc, node = batch.reached()
            # simple facilities: emit each (row, facility) once, from its first reached end
            rr, _, pos = _expand(r_loc, node, p_indptr)
            side, pi = p_side[pos], p_idx[pos]
            d_a = batch.at(rr, pa[pi])
            keep = (side == 0) | ~np.isfinite(d_a)
            rr, pi, d_a = rr[keep], pi[keep], d_a[keep]
            d_simple = np.minimum(d_a + fsnap.pair_ca[pi], batch.at(rr, pb[pi]) + fsnap.pair_cb[pi])
            f_simple = fsnap.pair_fac[pi]
            # complex facilities: every reached access point, then the minimum per pair
            cr, cn, cpos = _expand(r_loc, node, c_indptr)
            ap = c_order[cpos]
            cd = batch.at(cr, cn) + fsnap.ap_cost[ap]
            cf = fsnap.ap_fac[ap]
            if cf.size:
                order = np.lexsort((cd, cf, cr))
                cr, cf, cd = cr[order], cf[order], cd[order]
                first = np.r_[True, (cr[1:] != cr[:-1]) | (cf[1:] != cf[:-1])]
                cr, cf, cd = cr[first], cf[first], cd[first]
            o_loc = np.r_[rr, cr]
            f_all = np.r_[f_simple, cf]
            d_all = np.r_[d_simple, cd] + osnap.snap_m[b_rows][o_loc]
            near_m = np.maximum(query.circle_radii_m[b_rows], max(query.tier_radii_m, default=0))
            keep = _prune_far(
                o_loc,
                f_all,
                d_all,
                facility_types=facilities.type_codes,
                near_m=near_m,
                query=query,
            )
            o_loc, f_all, d_all = o_loc[keep], f_all[keep], d_all[keep]
            sub = AccessQuery(
                type_ids=query.type_ids,
                tier_radii_m=query.tier_radii_m,
                circle_radii_m=query.circle_radii_m[b_rows],
                search_radius_m=query.search_radius_m,
                k=query.k,
            )
            table = access_from_pairs(
                o_loc,
                f_all,
                d_all,
                facility_types=facilities.type_codes,
                n_origins=b_rows.size,
                query=sub,
            )
            parts.append((b_rows, table))
        return _assemble(parts, len(origins), query, facilities.type_codes)

    # -- isochrones -------------------------------------------------------------------

    def isochrones(
        self, origins: Origins, radii_m: Sequence[float]
    ) -> list[dict[int, BaseGeometry] | None]:
        """The area reachable within each radius from each centre, keyed by whole metres.

        Built from the reached edges, partial edges cut where the walk budget (the radius
        less the centre's snap length) runs out, plus the centre's snap line, each piece
        buffered by ``walkshed_m`` and merged (cost grows with the pieces reached: about
        0.1 s per centre and radius on a 100 m grid). A larger radius reuses the smaller one's
        polygon and adds only the pieces that grew. Geometries are WGS84 when the provider
        was given ``to_wgs84``, else in the working CRS; a centre with no network gets
        empty polygons.

        >>> import shapely
        >>> net = StreetNetwork.from_lines(
        ...     np.array([shapely.LineString([(0, 0), (1000, 0)])], dtype=object))
        >>> iso = NetworkProvider(net, walkshed_m=10.0).isochrones(
        ...     Origins([500.0], [0.0]), [400.0])
        >>> [round(v) for v in iso[0][400].bounds]
        [90, -10, 910, 10]
        """
        if not self.draw_isochrones:
            return [None] * len(origins)
        osnap = self._snap_origins(origins)
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
        inc_indptr, inc_order = _csr_lists(inc_nodes, g.n_search_nodes)
        inc_edge, inc_side = inc_edge[inc_order], inc_side[inc_order]
        node = np.maximum(osnap.node, 0)
        sx, sy = osnap.node_x[node], osnap.node_y[node]  # snap points
        snap = osnap.snap_m
        for batch in g.batches(osnap.node[rows], limit=max(radii), max_cells=self.max_cells):
            b_rows = rows[batch.sources]
            r_loc, reached = batch.reached()
            rr, _, pos = _expand(r_loc, reached, inc_indptr)
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
                    bands = list(shapely.buffer(chains, self.walkshed_m, quad_segs=4))
                    shapes[i] = shapely.union_all(bands if prev is None else [prev, *bands])
                previous = list(shapes)
                if self.to_wgs84 is not None:
                    shapes = self.to_wgs84(shapes)
                for i, row in enumerate(b_rows.tolist()):
                    entry = result[row]
                    assert entry is not None
                    entry[keys[j]] = shapes[i]
                was_full = full
        return result

    # -- report facts -----------------------------------------------------------------

    def origin_details(self, origins: Origins) -> list[dict[str, Any]]:
        """Per centre: ``snap_m`` (metres walked to the nearest street, in the distances),
        ``snap_street`` (that street's id, when known) and ``on_network``.

        >>> import shapely
        >>> net = StreetNetwork.from_lines(
        ...     np.array([shapely.LineString([(0, 0), (1000, 0)])], dtype=object),
        ...     street_ids=["main"])
        >>> NetworkProvider(net).origin_details(Origins([300.0], [12.5]))
        [{'on_network': True, 'snap_m': 12.5, 'snap_street': 'main'}]
        """
        osnap = self._snap_origins(origins)
        net = self.network
        out: list[dict[str, Any]] = []
        for i in range(len(origins)):
            if not osnap.ok[i]:
                out.append(
                    {
                        "on_network": False,
                        "snap_m": None,
                        "snap_street": None,
                        "reason": "no street part of at least "
                        f"{net.min_component_m:g} m (network_min_component_m) to snap to",
                    }
                )
                continue
            street = int(net.edge_street[osnap.edge[i]])
            out.append(
                {
                    "on_network": True,
                    "snap_m": round(float(osnap.snap_m[i]), 1),
                    "snap_street": net.street_ids[street]
                    if 0 <= street < len(net.street_ids)
                    else None,
                }
            )
        return out

    def report_details(self, facility_ids: Sequence[Any] | None = None) -> dict[str, Any]:
        """Facts for the report: the graph, rejected streets and off-network facilities.

        ``facility_ids`` names facilities by index (else the index is reported).

        >>> import shapely
        >>> net = StreetNetwork.from_lines(
        ...     np.array([shapely.LineString([(0, 0), (1000, 0)])], dtype=object))
        >>> p = NetworkProvider(net, snap_tolerance_m=100.0)
        >>> fac = FacilityColumns(x=[500.0], y=[250.0], type_codes=[0], type_ids=("clinic",))
        >>> q = AccessQuery(type_ids=("clinic",), tier_radii_m=(400.0,),
        ...                 circle_radii_m=[1200.0], search_radius_m=3000.0)
        >>> _ = p.measure(Origins([0.0], [0.0]), fac, q)
        >>> facts = p.report_details(["far-clinic"])["network"]
        >>> facts["edges"], facts["off_network_facilities"][0]["nearest_street_m"]
        (1, 250.0)
        """
        net = self.network
        layer = self.street_layer
        off: list[dict[str, Any]] = []
        if self._facility_cache is not None:
            fsnap = self._facility_cache[1]
            for i, near in zip(fsnap.off_network.tolist(), fsnap.nearest_street_m, strict=True):
                fid = str(facility_ids[i]) if facility_ids is not None else str(i)
                if np.isnan(near):
                    reason = "no street to snap to"
                elif near > self.snap_tolerance_m:
                    reason = (
                        f"{near:.1f} m from the nearest street, beyond the snap tolerance of "
                        f"{self.snap_tolerance_m:g} m (network_snap_tolerance_m)"
                    )
                else:
                    reason = (
                        f"the streets within {self.snap_tolerance_m:g} m belong to parts "
                        f"shorter than {net.min_component_m:g} m (network_min_component_m)"
                    )
                off.append(
                    {
                        "id": fid,
                        "reason": reason,
                        "nearest_street_m": None if np.isnan(near) else round(float(near), 1),
                    }
                )
        return {
            "network": {
                "streets": None if layer is None else len(layer),
                "nodes": net.n_nodes,
                "edges": net.n_edges,
                "length_km": round(float(net.edge_length.sum()) / 1000.0, 3),
                "components": net.n_components,
                "components_kept": net.n_components_kept,
                "noding": net.noded,
                "snap_tolerance_m": self.snap_tolerance_m,
                "min_component_m": net.min_component_m,
                "walkshed_m": self.walkshed_m,
                "rejected_streets": []
                if layer is None
                else [{"id": r.id, "source": r.source, "reason": r.reason} for r in layer.rejected],
                "off_network_facilities": off,
            }
        }


def _no_streets(layer: StreetLines) -> str:
    """Why a street layer holds no line: the rejections' reasons, counted, with the first
    feature of each (the full list is in the strict message or the report).

    >>> from livable.io import read_streets
    >>> layer = read_streets({"type": "FeatureCollection", "features": [{"type": "Feature",
    ...     "properties": {}, "geometry": {"type": "LineString",
    ...     "coordinates": [[108.94, 34.26], [108.95, 34.26]]}}]})
    >>> print(_no_streets(layer))
    no usable street lines: 1 of 1 feature rejected: 1 x missing id: every street needs a
    unique 'id' property (text or a whole number) (first <memory>#0)
    """
    if not layer.rejected:
        return "no usable street lines: the source holds no features"
    first: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for r in layer.rejected:
        counts[r.reason] += 1
        first.setdefault(r.reason, r.source)
    shown = [f"{n} x {reason} (first {first[reason]})" for reason, n in counts.most_common(3)]
    more = f"; and {len(counts) - 3} other reasons" if len(counts) > 3 else ""
    noun = "feature" if layer.count == 1 else "features"
    return (
        f"no usable street lines: {len(layer.rejected)} of {layer.count} {noun} rejected: "
        + "; ".join(shown)
        + more
    )


def network_factory(
    *,
    profile: Any,
    projector: Any,
    streets: StreetLines | None = None,
    **_: Any,
) -> NetworkProvider:
    """The ``network`` provider for a street layer: projects the streets to the working
    CRS and builds the graph with the profile's ``network_*`` settings.

    ``streets`` is a street layer (:class:`livable.io.StreetLayer`, from
    :func:`livable.io.read_streets`); the registered provider factory
    (``livable.plugins.builtin.network.network_factory``) reads a file, bytes or mapping first.

    >>> import pyproj
    >>> from livable.io import read_streets
    >>> from livable.geometry.crs import Projector
    >>> from livable.profile import load_profile
    >>> streets = read_streets({"type": "FeatureCollection", "features": [{"type": "Feature",
    ...     "properties": {"id": "s1"}, "geometry": {"type": "LineString",
    ...     "coordinates": [[108.94, 34.26], [108.96, 34.26]]}}]})
    >>> p = network_factory(profile=load_profile("xian-2020"),
    ...                     projector=Projector.for_crs(pyproj.CRS.from_epsg(32649)),
    ...                     streets=streets)
    >>> p.name, p.network.n_edges, round(float(p.network.edge_length[0]))
    ('network', 1, 1842)
    """
    if streets is None:
        raise LivableError(
            "the network distance needs streets: give --streets S.geojson "
            "(Python: evaluate(..., streets=...))"
        )
    if not isinstance(streets, StreetLines):
        raise LivableError(
            f"the network provider takes a street layer, not a {type(streets).__name__}: "
            "read the streets with livable.io.read_streets first"
        )
    layer = streets
    if len(layer) == 0:
        raise InputError(_no_streets(layer), source=layer.source.path)
    lines = projector.forward_geometry(layer.lines)
    net = StreetNetwork.from_lines(
        lines,
        noding=bool(getattr(profile, "network_noding", False)),
        min_component_m=float(getattr(profile, "network_min_component_m", 0.0)),
        street_ids=[str(i) for i in layer.ids],
    )
    return NetworkProvider(
        net,
        snap_tolerance_m=float(getattr(profile, "network_snap_tolerance_m", 100.0)),
        walkshed_m=float(getattr(profile, "network_walkshed_m", 50.0)),
        to_wgs84=projector.inverse_geometry,
        street_layer=layer,
        draw_isochrones=bool(getattr(profile, "network_isochrones", True)),
    )
