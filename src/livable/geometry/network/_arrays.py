"""Array helpers shared by the modules of :mod:`livable.geometry.network`.

Empty index and float arrays, grouping positions by key (a CSR list), expanding
``(row, node)`` pairs to the positions listed under each node, nearest-edge queries with
their distance, and points at a position along edges. Private to the package.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from livable.geometry.access import FloatArray, IntArray

__all__ = [
    "EMPTY_F",
    "EMPTY_I",
    "csr_lists",
    "expand",
    "nearest_with_distance",
    "points_on_edges",
]

EMPTY_I = np.zeros(0, dtype=np.int64)
EMPTY_F = np.zeros(0, dtype=np.float64)


def csr_lists(keys: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """``(indptr, order)`` grouping the positions of ``keys`` (values in ``0..n-1``)."""
    order = np.argsort(keys, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=indptr[1:])
    return indptr, order.astype(np.int64)


def expand(
    rows: IntArray, nodes: IntArray, indptr: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """For every ``(row, node)``, every position ``p`` listed under ``node``: the rows, the
    nodes and the list positions, vectorised (``repeat`` plus a ramp)."""
    counts = indptr[nodes + 1] - indptr[nodes]
    total = int(counts.sum())
    if total == 0:
        return EMPTY_I, EMPTY_I, EMPTY_I
    r = np.repeat(rows, counts)
    nd = np.repeat(nodes, counts)
    starts = np.repeat(indptr[nodes], counts)
    ramp = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return r, nd, starts + ramp


def nearest_with_distance(tree: Any, geoms: Any) -> tuple[IntArray, IntArray, FloatArray]:
    """``(geometry, tree index, distance)`` of the nearest tree item to each geometry."""
    (which, idx), dist = tree.query_nearest(geoms, all_matches=False, return_distance=True)
    return which.astype(np.int64), idx.astype(np.int64), np.asarray(dist, dtype=np.float64)


def points_on_edges(
    node_x: FloatArray,
    node_y: FloatArray,
    edge_u: IntArray,
    edge_v: IntArray,
    edges: IntArray,
    t: FloatArray,
) -> FloatArray:
    """Points at positions ``t`` (0 at ``edge_u``, 1 at ``edge_v``) of ``edges``, as an
    ``(n, 2)`` array."""
    ax, ay = node_x[edge_u[edges]], node_y[edge_u[edges]]
    bx, by = node_x[edge_v[edges]], node_y[edge_v[edges]]
    return np.column_stack([ax + t * (bx - ax), ay + t * (by - ay)]).astype(np.float64)
