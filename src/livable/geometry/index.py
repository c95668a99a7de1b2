"""A bulk-loaded R-tree over facilities, behind a small class of our own.

rtree's ``Index`` constructor guesses what its arguments are; :class:`FacilityIndex` takes
numpy bounds only, bulk-loads them in one call, and answers vectorised queries with integer
index arrays into the caller's own arrays (as shapely 2's STRtree does).

>>> import numpy as np
>>> idx = FacilityIndex.from_points(np.array([0.0, 100.0, 5000.0]), np.array([0.0, 0.0, 0.0]))
>>> q, f = idx.query_boxes(np.array([-150.0]), np.array([-150.0]),
...                        np.array([150.0]), np.array([150.0]))
>>> sorted(f.tolist())
[0, 1]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import rtree.index

__all__ = ["FacilityIndex"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class FacilityIndex:
    """An R-tree of facility bounding boxes, bulk-loaded from numpy arrays."""

    __slots__ = ("_index", "_size")

    def __init__(self, minx: FloatArray, miny: FloatArray, maxx: FloatArray, maxy: FloatArray):
        mins = np.column_stack([minx, miny]).astype(np.float64)
        maxs = np.column_stack([maxx, maxy]).astype(np.float64)
        self._size = int(mins.shape[0])
        props = rtree.index.Property()
        props.dimension = 2
        if self._size:
            ids = np.arange(self._size, dtype=np.int64)
            self._index = rtree.index.Index((ids, mins, maxs), properties=props)
        else:
            self._index = rtree.index.Index(properties=props)

    @classmethod
    def from_points(cls, x: FloatArray, y: FloatArray) -> FacilityIndex:
        """An index of points (zero-size boxes)."""
        return cls(x, y, x, y)

    def __len__(self) -> int:
        return self._size

    def query_boxes(
        self, minx: FloatArray, miny: FloatArray, maxx: FloatArray, maxy: FloatArray
    ) -> tuple[IntArray, IntArray]:
        """Every (query, item) pair whose boxes intersect, as two index arrays."""
        n = int(np.asarray(minx).shape[0])
        if n == 0 or self._size == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        mins = np.column_stack([minx, miny]).astype(np.float64)
        maxs = np.column_stack([maxx, maxy]).astype(np.float64)
        items, counts = self._index.intersection_v(mins, maxs)  # type: ignore[no-untyped-call]
        queries = np.repeat(np.arange(n, dtype=np.int64), counts.astype(np.int64))
        return queries, items.astype(np.int64)

    def query_radius(
        self, x: FloatArray, y: FloatArray, radius: float
    ) -> tuple[IntArray, IntArray]:
        """Candidate pairs: items whose box lies within ``radius`` of each point's box.

        A superset of the items within ``radius``; refine with exact distances.
        """
        return self.query_boxes(x - radius, y - radius, x + radius, y + radius)

    def nearest(self, x: FloatArray, y: FloatArray, k: int) -> tuple[IntArray, IntArray]:
        """The ``k`` nearest items by box distance for each point (ties may add more)."""
        n = int(np.asarray(x).shape[0])
        if n == 0 or self._size == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        pts = np.column_stack([x, y]).astype(np.float64)
        items, counts = self._index.nearest_v(pts, pts, num_results=k)  # type: ignore[no-untyped-call]
        return np.repeat(np.arange(n, dtype=np.int64), counts.astype(np.int64)), items.astype(
            np.int64
        )
