"""The access table from (origin, facility, distance) pairs of a batched search (private).

Each batch of the network search gives the pairs of its origins; :func:`prune_far` drops
the pairs the table cannot depend on, and :func:`assemble` joins the tables of the batches
into one, in the caller's origin order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from livable.geometry.access import (
    AccessQuery,
    AccessTable,
    FloatArray,
    IntArray,
    PairCircleLists,
)
from livable.geometry.network._arrays import EMPTY_F, EMPTY_I

__all__ = ["assemble", "prune_far"]


def prune_far(
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


def assemble(
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
    c_origin: list[IntArray] = [EMPTY_I]
    c_index: list[IntArray] = [EMPTY_I]
    c_m: list[FloatArray] = [EMPTY_F]
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
