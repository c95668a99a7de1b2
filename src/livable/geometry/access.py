"""The columns that travel through the hot path, and the access table a provider returns.

At city scale facilities are columns (coordinate arrays, type codes), not model objects.
A distance provider turns origins (circle centres) and facilities into an
:class:`AccessTable`: per origin and facility type, the nearest distance, the counts within
every tier distance and within the origin's own circle, and the ``k`` nearest facilities.
A provider that can list "every facility within ``r`` of every origin" gets the whole table
from :func:`access_from_pairs`, fully vectorised.

>>> import numpy as np
>>> q = AccessQuery(type_ids=("clinic",), tier_radii_m=(400.0, 1200.0),
...                 circle_radii_m=np.array([1200.0]), search_radius_m=3000.0, k=2)
>>> t = access_from_pairs(np.array([0, 0]), np.array([0, 1]), np.array([500.0, 1300.0]),
...                       facility_types=np.array([0, 0]), n_origins=1, query=q)
>>> float(t.nearest_m[0, 0]), t.count_within[0, 0].tolist(), int(t.count_in_circle[0, 0])
(500.0, [0, 1], 1)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs
import numpy as np
import numpy.typing as npt

__all__ = [
    "AccessQuery",
    "AccessTable",
    "FacilityColumns",
    "Origins",
    "access_from_pairs",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _float_array(value: object) -> FloatArray:
    return np.ascontiguousarray(value, dtype=np.float64)


def _int_array(value: object) -> IntArray:
    return np.ascontiguousarray(value, dtype=np.int64)


def _strs(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


def _floats(value: Iterable[float]) -> tuple[float, ...]:
    return tuple(float(v) for v in value)


@attrs.frozen(eq=False)
class Origins:
    """Circle centres in the working CRS (metres), one per community."""

    x: FloatArray = attrs.field(converter=_float_array)
    y: FloatArray = attrs.field(converter=_float_array)

    def __len__(self) -> int:
        return int(self.x.shape[0])


@attrs.frozen(eq=False)
class FacilityColumns:
    """Facilities as columns in the working CRS (metres).

    ``type_codes`` index into ``type_ids``. ``areas`` holds, for area facilities, their
    shapely geometry in the working CRS and ``None`` for points; ``x``/``y`` of an area is
    a point inside it (used for display and as its index position only).
    """

    x: FloatArray = attrs.field(converter=_float_array)
    y: FloatArray = attrs.field(converter=_float_array)
    type_codes: IntArray = attrs.field(converter=_int_array)
    type_ids: tuple[str, ...] = attrs.field(converter=_strs)
    areas: npt.NDArray[np.object_] | None = None

    def __len__(self) -> int:
        return int(self.x.shape[0])

    @property
    def area_mask(self) -> npt.NDArray[np.bool_]:
        """True where the facility is an area (distance to its nearest edge point)."""
        if self.areas is None:
            return np.zeros(len(self), dtype=bool)
        return np.fromiter((g is not None for g in self.areas), dtype=bool, count=len(self))

    def subset(self, mask: npt.NDArray[np.bool_]) -> FacilityColumns:
        """The facilities where ``mask`` is true (same type table)."""
        return FacilityColumns(
            self.x[mask],
            self.y[mask],
            self.type_codes[mask],
            self.type_ids,
            None if self.areas is None else self.areas[mask],
        )


@attrs.frozen(eq=False)
class AccessQuery:
    """What the engine asks of a distance provider.

    ``tier_radii_m`` are the distinct tier distances (the ``count_within`` keys),
    ``circle_radii_m`` each origin's own circle radius, ``search_radius_m`` how far the
    nearest facility is looked for, ``k`` how many nearest to list.
    """

    type_ids: tuple[str, ...] = attrs.field(converter=_strs)
    tier_radii_m: tuple[float, ...] = attrs.field(converter=_floats)
    circle_radii_m: FloatArray = attrs.field(converter=_float_array)
    search_radius_m: float
    k: int = 3

    @property
    def max_radius_m(self) -> float:
        """The largest distance any answer depends on."""
        radii = [self.search_radius_m, *self.tier_radii_m]
        if self.circle_radii_m.size:
            radii.append(float(self.circle_radii_m.max()))
        return max(radii)


@attrs.frozen(eq=False)
class AccessTable:
    """A provider's answer, as arrays indexed ``[origin, type]`` (types as in the query).

    - ``nearest_m``: distance to the nearest facility within the search radius, NaN if none.
    - ``count_within``: ``[origin, type, tier]`` counts within each tier distance (<=).
    - ``count_in_circle``: counts within each origin's own circle radius.
    - ``knn_index`` / ``knn_m``: ``[origin, type, k]`` facility indices (-1 when fewer)
      and distances of the ``k`` nearest within the search radius, nearest first.
    - ``circle_indptr`` / ``circle_index`` / ``circle_m``: CSR lists, per origin, of every
      facility within its circle, ordered by distance (for quality indicators).
    """

    nearest_m: FloatArray
    count_within: IntArray
    count_in_circle: IntArray
    knn_index: IntArray
    knn_m: FloatArray
    circle_indptr: IntArray
    circle_index: IntArray
    circle_m: FloatArray

    def in_circle(self, origin: int) -> tuple[IntArray, FloatArray]:
        """Facility indices and distances within one origin's circle, nearest first."""
        lo, hi = int(self.circle_indptr[origin]), int(self.circle_indptr[origin + 1])
        return self.circle_index[lo:hi], self.circle_m[lo:hi]


def access_from_pairs(
    origin: Sequence[int] | IntArray,
    facility: Sequence[int] | IntArray,
    distance_m: Sequence[float] | FloatArray,
    *,
    facility_types: IntArray,
    n_origins: int,
    query: AccessQuery,
) -> AccessTable:
    """Aggregate (origin, facility, distance) pairs into an :class:`AccessTable`.

    The pairs must include every facility within ``query.max_radius_m`` of each origin;
    farther pairs are ignored. Pure numpy: one sort and a few bincounts, no Python loop
    over pairs.
    """
    o = _int_array(origin)
    f = _int_array(facility)
    d = _float_array(distance_m)
    keep = d <= query.search_radius_m
    n_types = len(query.type_ids)
    k = query.k
    circle_r = query.circle_radii_m
    in_circle_pairs = d <= circle_r[o] if o.size else np.zeros(0, dtype=bool)
    # circle CSR first: every facility within each origin's own circle, by distance
    c_order = np.lexsort((f[in_circle_pairs], d[in_circle_pairs], o[in_circle_pairs]))
    c_o = o[in_circle_pairs][c_order]
    circle_index = f[in_circle_pairs][c_order]
    circle_m = d[in_circle_pairs][c_order]
    circle_indptr = np.zeros(n_origins + 1, dtype=np.int64)
    np.cumsum(np.bincount(c_o, minlength=n_origins), out=circle_indptr[1:])

    o, f, d = o[keep], f[keep], d[keep]
    t = facility_types[f].astype(np.int64)
    group = o * n_types + t
    n_groups = n_origins * n_types
    order = np.lexsort((f, d, group))  # by group, then distance, ties by facility index
    group, f, d = group[order], f[order], d[order]

    nearest = np.full(n_groups, np.nan)
    knn_index = np.full((n_groups, k), -1, dtype=np.int64)
    knn_m = np.full((n_groups, k), np.nan)
    if group.size:
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        nearest[group[starts]] = d[starts]
        sizes = np.diff(np.r_[starts, group.size])
        rank = np.arange(group.size) - np.repeat(starts, sizes)
        top = rank < k
        knn_index[group[top], rank[top]] = f[top]
        knn_m[group[top], rank[top]] = d[top]

    tiers = query.tier_radii_m
    count_within = np.zeros((n_groups, len(tiers)), dtype=np.int64)
    for j, radius in enumerate(tiers):  # a handful of tiers, each one vectorised
        count_within[:, j] = np.bincount(group[d <= radius], minlength=n_groups)
    circle_groups = c_o * n_types + facility_types[circle_index].astype(np.int64)
    count_in_circle = np.bincount(circle_groups, minlength=n_groups).astype(np.int64)

    return AccessTable(
        nearest_m=nearest.reshape(n_origins, n_types),
        count_within=count_within.reshape(n_origins, n_types, len(tiers)),
        count_in_circle=count_in_circle.reshape(n_origins, n_types),
        knn_index=knn_index.reshape(n_origins, n_types, k),
        knn_m=knn_m.reshape(n_origins, n_types, k),
        circle_indptr=circle_indptr,
        circle_index=circle_index,
        circle_m=circle_m,
    )
