"""Shortest paths: many-source bounded Dijkstra searches on a walkable graph.

:class:`WalkGraph` runs :func:`scipy.sparse.csgraph.dijkstra` from many sources at once,
bounded by a distance ``limit``, in batches of sources (:class:`SearchBatch`) so the dense
``sources x nodes`` answer stays within ``max_cells``. Parallel edges keep their shortest
length; zero-length edges are contracted before the search.

>>> g = WalkGraph.from_edges(3, [0, 1], [1, 2], [2.0, 3.0])
>>> g.distances([2]).tolist()
[[5.0, 3.0, 0.0]]
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import numpy as np
import shapely
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components, dijkstra

from livable.errors import LivableError
from livable.geometry.access import FloatArray, IntArray
from livable.geometry.network._arrays import expand

__all__ = ["DEFAULT_MAX_CELLS", "SearchBatch", "WalkGraph"]

DEFAULT_MAX_CELLS = 8_000_000
"""Cells (sources x nodes, 8 bytes each) of one batch of the many-source search: 64 MB."""


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
            _, _, pos = expand(np.zeros(nodes.size, np.int64), nodes, indptr)
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
