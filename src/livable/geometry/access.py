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
from typing import Protocol, runtime_checkable

import attrs
import numpy as np
import numpy.typing as npt

__all__ = [
    "AccessQuery",
    "AccessTable",
    "CircleLists",
    "FacilityColumns",
    "Origins",
    "PairCircleLists",
    "access_from_pairs",
    "top_k",
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


@runtime_checkable
class CircleLists(Protocol):
    """The facilities within each origin's own circle, listed on demand.

    A provider that lists every pair up front returns a :class:`PairCircleLists`; one that
    counts without listing (the euclidean k-d trees) searches again when asked, so only the
    communities and facility types an indicator looks at are ever listed.
    """

    def lookup(self, origin: int, type_code: int | None = None) -> tuple[IntArray, FloatArray]:
        """Facility indices and distances within ``origin``'s circle (of one type code),
        nearest first, ties by facility index."""
        ...


@attrs.frozen(eq=False)
class PairCircleLists:
    """:class:`CircleLists` held as CSR arrays: per origin, facilities by distance.

    >>> lists = PairCircleLists(indptr=np.array([0, 2]), index=np.array([4, 1]),
    ...                         distance_m=np.array([10.0, 20.0]), type_codes=np.array([0, 1]))
    >>> [a.tolist() for a in lists.lookup(0, 1)]
    [[1], [20.0]]
    """

    indptr: IntArray = attrs.field(converter=_int_array)
    index: IntArray = attrs.field(converter=_int_array)
    distance_m: FloatArray = attrs.field(converter=_float_array)
    type_codes: IntArray = attrs.field(converter=_int_array)
    """Type code of each listed facility (``facility_types[index]``)."""

    def lookup(self, origin: int, type_code: int | None = None) -> tuple[IntArray, FloatArray]:
        """See :class:`CircleLists`."""
        lo, hi = int(self.indptr[origin]), int(self.indptr[origin + 1])
        index, dist = self.index[lo:hi], self.distance_m[lo:hi]
        if type_code is None:
            return index, dist
        mask = self.type_codes[lo:hi] == type_code
        return index[mask], dist[mask]


@attrs.frozen(eq=False)
class AccessTable:
    """A provider's answer, as arrays indexed ``[origin, type]`` (types as in the query).

    - ``nearest_m``: distance to the nearest facility within the search radius, NaN if none.
    - ``count_within``: ``[origin, type, tier]`` counts within each tier distance (<=).
    - ``count_in_circle``: counts within each origin's own circle radius.
    - ``knn_index`` / ``knn_m``: ``[origin, type, k]`` facility indices (-1 when fewer)
      and distances of the ``k`` nearest within the search radius, nearest first, ties
      by facility index.
    - ``circles``: every facility within each origin's circle, on demand
      (:meth:`in_circle`), for indicators that read facility attributes.
    """

    nearest_m: FloatArray
    count_within: IntArray
    count_in_circle: IntArray
    knn_index: IntArray
    knn_m: FloatArray
    circles: CircleLists

    _csr: list[tuple[IntArray, IntArray, FloatArray]] = attrs.field(
        factory=list, init=False, repr=False
    )

    def in_circle(self, origin: int, type_code: int | None = None) -> tuple[IntArray, FloatArray]:
        """Facility indices and distances within one origin's circle (of one type code),
        nearest first, ties by facility index."""
        return self.circles.lookup(origin, type_code)

    def counts_in_circle_where(self, type_code: int, keep: npt.NDArray[np.bool_]) -> IntArray:
        """Per origin, how many facilities of one type code within its circle ``keep``
        selects (one entry per facility): every origin at once, no list sorted.

        >>> lists = PairCircleLists(indptr=np.array([0, 2, 3]), index=np.array([0, 1, 1]),
        ...     distance_m=np.array([5.0, 9.0, 4.0]), type_codes=np.array([0, 0, 0]))
        >>> table = AccessTable(nearest_m=np.zeros((2, 1)), count_within=np.zeros((2, 1, 1)),
        ...     count_in_circle=np.array([[2], [1]]), knn_index=np.zeros((2, 1, 1)),
        ...     knn_m=np.zeros((2, 1, 1)), circles=lists)
        >>> table.counts_in_circle_where(0, np.array([False, True])).tolist()
        [1, 1]
        """
        n = int(self.nearest_m.shape[0])
        circles = self.circles
        counts_where = getattr(circles, "counts_where", None)
        if counts_where is not None:  # a bulk answer (SearchCircleLists)
            counted: IntArray = counts_where(type_code, keep)
            return counted
        if isinstance(circles, PairCircleLists):
            origin = np.repeat(np.arange(n, dtype=np.int64), np.diff(circles.indptr))
            sel = (circles.type_codes == type_code) & keep[circles.index]
            return np.bincount(origin[sel], minlength=n).astype(np.int64)
        return np.array(
            [int(keep[self.in_circle(i, type_code)[0]].sum()) for i in range(n)], dtype=np.int64
        )

    def circle_lists(self) -> tuple[IntArray, IntArray, FloatArray]:
        """Every origin's circle list at once, as CSR arrays ``(indptr, index, distance)``
        (origin ``i``'s facilities are ``index[indptr[i]:indptr[i + 1]]``, nearest first).

        Built on first use (it lists every pair within every circle) and kept.
        """
        if not self._csr:
            if isinstance(self.circles, PairCircleLists):
                c = self.circles
                self._csr.append((c.indptr, c.index, c.distance_m))
            elif hasattr(self.circles, "csr"):  # a bulk answer (SearchCircleLists)
                self._csr.append(self.circles.csr())
            else:
                parts = [self.circles.lookup(i) for i in range(self.nearest_m.shape[0])]
                indptr = np.zeros(len(parts) + 1, dtype=np.int64)
                np.cumsum([p[0].size for p in parts], out=indptr[1:])
                index = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0)
                dist = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0)
                self._csr.append((indptr, _int_array(index), _float_array(dist)))
        return self._csr[0]

    @property
    def circle_indptr(self) -> IntArray:
        """CSR offsets of :meth:`circle_lists`."""
        return self.circle_lists()[0]

    @property
    def circle_index(self) -> IntArray:
        """Facility indices of :meth:`circle_lists`."""
        return self.circle_lists()[1]

    @property
    def circle_m(self) -> FloatArray:
        """Distances of :meth:`circle_lists`."""
        return self.circle_lists()[2]


def top_k(
    group: IntArray, facility: IntArray, distance_m: FloatArray, *, n_groups: int, k: int
) -> tuple[FloatArray, IntArray, FloatArray]:
    """Per group, the nearest distance and the ``k`` nearest (facility, distance), ties by
    facility index: ``(nearest[n_groups], knn_index[n_groups, k], knn_m[n_groups, k])``.

    >>> near, idx, dist = top_k(np.array([1, 1, 1]), np.array([7, 3, 5]),
    ...                         np.array([9.0, 2.0, 2.0]), n_groups=2, k=2)
    >>> near.tolist(), idx.tolist(), dist.tolist()
    ([nan, 2.0], [[-1, -1], [3, 5]], [[nan, nan], [2.0, 2.0]])
    """
    nearest = np.full(n_groups, np.nan)
    knn_index = np.full((n_groups, k), -1, dtype=np.int64)
    knn_m = np.full((n_groups, k), np.nan)
    if group.size:
        order = np.lexsort((facility, distance_m, group))
        g, f, d = group[order], facility[order], distance_m[order]
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        nearest[g[starts]] = d[starts]
        rank = np.arange(g.size) - np.repeat(starts, np.diff(np.r_[starts, g.size]))
        top = rank < k
        knn_index[g[top], rank[top]] = f[top]
        knn_m[g[top], rank[top]] = d[top]
    return nearest, knn_index, knn_m


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
    n_types = len(query.type_ids)
    circle_r = query.circle_radii_m
    in_circle_pairs = d <= circle_r[o] if o.size else np.zeros(0, dtype=bool)
    # circle CSR: every facility within each origin's own circle, by distance
    c_order = np.lexsort((f[in_circle_pairs], d[in_circle_pairs], o[in_circle_pairs]))
    c_o = o[in_circle_pairs][c_order]
    circle_index = f[in_circle_pairs][c_order]
    circle_m = d[in_circle_pairs][c_order]
    circle_indptr = np.zeros(n_origins + 1, dtype=np.int64)
    np.cumsum(np.bincount(c_o, minlength=n_origins), out=circle_indptr[1:])
    circle_types = facility_types[circle_index].astype(np.int64)

    group = o * n_types + facility_types[f].astype(np.int64)
    n_groups = n_origins * n_types
    tiers = query.tier_radii_m
    count_within = np.zeros((n_groups, len(tiers)), dtype=np.int64)
    for j, radius in enumerate(tiers):  # a handful of tiers, each one vectorised
        count_within[:, j] = np.bincount(group[d <= radius], minlength=n_groups)
    keep = d <= query.search_radius_m
    nearest, knn_index, knn_m = top_k(group[keep], f[keep], d[keep], n_groups=n_groups, k=query.k)
    circle_groups = c_o * n_types + circle_types
    count_in_circle = np.bincount(circle_groups, minlength=n_groups).astype(np.int64)

    return AccessTable(
        nearest_m=nearest.reshape(n_origins, n_types),
        count_within=count_within.reshape(n_origins, n_types, len(tiers)),
        count_in_circle=count_in_circle.reshape(n_origins, n_types),
        knn_index=knn_index.reshape(n_origins, n_types, query.k),
        knn_m=knn_m.reshape(n_origins, n_types, query.k),
        circles=PairCircleLists(circle_indptr, circle_index, circle_m, circle_types),
    )
