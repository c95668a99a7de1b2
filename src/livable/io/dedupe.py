"""The same facility from two sources, merged: same type, close together, similar name.

An OpenStreetMap extract and an Amap export both list the corner convenience store; counted
twice it would inflate the counts the "12 ones" (``P4``) and the size classes require.
:func:`dedupe_facilities` finds pairs with the R-tree (bulk-loaded, vectorised), keeps the
first of each group in input order (so put the source you trust first) and reports which
ids it merged. It is optional: nothing is merged unless you ask.

>>> from livable.io.readers import FacilityLayer
>>> from livable.testing import facility, offset
>>> a = facility("osm:n1", "convenience_store", 108.94, 34.26, name="全家便利店")
>>> b = facility("amap:B1", "convenience_store", *offset(108.94, 34.26, 12, 0),
...              name="全家便利店(钟楼店)")
>>> c = facility("amap:B2", "clinic", *offset(108.94, 34.26, 5, 0), name="全家诊所")
>>> result = dedupe_facilities(FacilityLayer.from_facilities([a, b, c]), tolerance_m=30)
>>> result.facilities.ids.tolist()
['osm:n1', 'amap:B2']
>>> result.merges[0].kept, result.merges[0].merged
('osm:n1', ('amap:B1',))
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyproj

from livable._text import show
from livable._utm import utm_epsg
from livable.errors import LivableError
from livable.io.layers import FacilityLayer
from livable.models.results import Rejection, SourceInfo

__all__ = ["DedupeResult", "Merge", "concat_facilities", "dedupe_facilities", "name_similarity"]

_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_NOISE = re.compile(r"[\W_]+", re.UNICODE)


@attrs.frozen
class Merge:
    """One group of duplicates: the facility kept and the ids merged into it."""

    kept: str
    merged: tuple[str, ...]
    type: str
    max_distance_m: float


@attrs.frozen
class DedupeResult:
    """The de-duplicated layer and the merges made (each kept id with the ids it absorbed)."""

    facilities: FacilityLayer
    merges: tuple[Merge, ...]

    @property
    def removed(self) -> int:
        """How many facilities were merged away."""
        return sum(len(m.merged) for m in self.merges)


def _normalise(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).lower()
    text = _BRACKETS.sub("", text)
    return _NOISE.sub("", text)


def name_similarity(a: str | None, b: str | None) -> float | None:
    """How alike two names are, 0..1 (``None`` when either is missing).

    Case, width, punctuation and bracketed branch names (``(钟楼店)``) are ignored; a name
    contained in the other scores 1.

    >>> name_similarity("全家便利店(钟楼店)", "全家便利店"), name_similarity("Lawson", "LAWSON")
    (1.0, 1.0)
    >>> round(name_similarity("幸福里菜店", "幸福里菜市场"), 2)
    0.73
    >>> name_similarity("罗森", None) is None
    True
    """
    if not a or not b:
        return None
    x, y = _normalise(a), _normalise(b)
    if not x or not y:
        return None
    if x == y or (min(len(x), len(y)) >= 2 and (x in y or y in x)):
        return 1.0
    x, y = sorted((x, y))  # SequenceMatcher is not always symmetric
    return difflib.SequenceMatcher(None, x, y, autojunk=False).ratio()


def _similar(a: Any, b: Any, threshold: float, match_unnamed: bool) -> bool:
    score = name_similarity(a, b)
    if score is None:
        return match_unnamed
    return score >= threshold


def _utm_metres(
    lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Lon/lat in metres, in the UTM zone the engine's working CRS would be
    (:func:`livable._utm.utm_epsg`, the rule both share).

    >>> x, y = _utm_metres(np.array([108.9]), np.array([34.3]))
    >>> round(float(x[0])), round(float(y[0]))
    (306738, 3797417)
    """
    utm = pyproj.CRS.from_epsg(utm_epsg(lon, lat))
    to_utm = pyproj.Transformer.from_crs(
        pyproj.CRS.from_epsg(4326).to_wkt(), utm.to_wkt(), always_xy=True
    )
    x, y = to_utm.transform(lon, lat)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def dedupe_facilities(
    layer: FacilityLayer,
    *,
    tolerance_m: float = 30.0,
    min_name_similarity: float = 0.6,
    match_unnamed: bool = False,
) -> DedupeResult:
    """Merge facilities of the same type within ``tolerance_m`` metres with similar names.

    Distances are measured between the facilities' points (an area's inside point) in a
    metric working CRS; names must score at least ``min_name_similarity`` with
    :func:`name_similarity`. Facilities without a name are merged only with
    ``match_unnamed``. Each group keeps its first facility in input order, which records
    the absorbed ids in its ``merged_ids`` attribute; the merges are returned too.
    """
    if not tolerance_m > 0:
        raise LivableError(f"dedupe tolerance must be > 0 metres, not {tolerance_m!r}")
    n = len(layer)
    if n < 2:
        return DedupeResult(layer, ())
    from scipy.spatial import cKDTree  # loaded when first needed, not by import livable

    x, y = _utm_metres(layer.lon, layer.lat)
    # candidates a hair beyond the tolerance; the exact test is the hypot below
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(
        tolerance_m * (1.0 + 1e-9), output_type="ndarray"
    )
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    q, f = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    same = layer.types[q] == layer.types[f]
    q, f = q[same], f[same]
    dist = np.hypot(x[q] - x[f], y[q] - y[f])
    near = dist <= tolerance_m
    q, f = q[near], f[near]
    # union-find over the candidate pairs (few after the vectorised filters)
    parent = np.arange(n)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    for a, b in zip(q.tolist(), f.tolist(), strict=True):
        if _similar(layer.names[a], layer.names[b], min_name_similarity, match_unnamed):
            ra, rb = root(a), root(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([root(i) for i in range(n)])
    keep = np.ones(n, dtype=bool)
    attributes = [dict(a) for a in layer.attributes]
    merges: list[Merge] = []
    names = layer.names
    for r in np.unique(roots[roots != np.arange(n)]).tolist():
        members = np.flatnonzero(roots == r).tolist()  # in input order, r first
        # a chain may drift, so each member joins the first kept one it is close to and
        # named like; otherwise it is kept itself (so a second pass merges nothing more)
        groups: dict[int, list[int]] = {}
        for m in members:
            home = next(
                (
                    k
                    for k in groups
                    if math.hypot(x[m] - x[k], y[m] - y[k]) <= tolerance_m
                    and _similar(names[k], names[m], min_name_similarity, match_unnamed)
                ),
                None,
            )
            if home is None:
                groups[m] = []
            else:
                groups[home].append(m)
        for k, absorbed in groups.items():
            if not absorbed:
                continue
            keep[absorbed] = False
            merged = tuple(str(layer.ids[m]) for m in absorbed)
            attributes[k]["merged_ids"] = list(merged)
            merges.append(
                Merge(
                    kept=str(layer.ids[k]),
                    merged=merged,
                    type=str(layer.types[k]),
                    max_distance_m=max(math.hypot(x[m] - x[k], y[m] - y[k]) for m in absorbed),
                )
            )
    merged_layer = attrs.evolve(layer, attributes=tuple(attributes)).take(keep)
    return DedupeResult(merged_layer, tuple(merges))


def concat_facilities(layers: Sequence[FacilityLayer]) -> FacilityLayer:
    """One layer from several (e.g. OpenStreetMap then Amap), in order.

    An id already present in an earlier layer is rejected in the later one, with the
    other source named; rejections and repairs of every layer are kept.

    >>> from livable.testing import facility
    >>> a = FacilityLayer.from_facilities([facility("x", "clinic", 108.94, 34.26)])
    >>> both = concat_facilities([a, a])
    >>> len(both), both.rejected[0].reason
    (1, "duplicate id 'x' (also in <memory>)")
    """
    if len(layers) == 1:
        return layers[0]
    seen: dict[str, str] = {}
    rejected: list[Rejection] = []
    parts: list[tuple[FacilityLayer, npt.NDArray[np.bool_]]] = []
    for layer in layers:
        keep = np.ones(len(layer), dtype=bool)
        for i, fid in enumerate(layer.ids.tolist()):
            if fid in seen:
                keep[i] = False
                rejected.append(
                    Rejection(
                        fid,
                        f"{layer.source.path}#{i}",
                        f"duplicate id {show(fid)} (also in {seen[fid]})",
                    )
                )
            else:
                seen[fid] = layer.source.path
        parts.append((layer, keep))
        rejected.extend(layer.rejected)

    def cat(name: str) -> Any:
        return np.concatenate([getattr(layer, name)[k] for layer, k in parts])

    has_areas = any(layer.areas is not None for layer, _ in parts)
    areas = None
    if has_areas:
        areas = np.concatenate(
            [
                (
                    layer.areas
                    if layer.areas is not None
                    else np.full(len(layer), None, dtype=object)
                )[k]
                for layer, k in parts
            ]
        )
    return FacilityLayer(
        ids=cat("ids"),
        types=cat("types"),
        lon=cat("lon"),
        lat=cat("lat"),
        names=cat("names"),
        brands=cat("brands"),
        quality=cat("quality"),
        attributes=tuple(
            a
            for layer, k in parts
            for a, kk in zip(layer.attributes, k.tolist(), strict=True)
            if kk
        ),
        areas=areas,
        rejected=tuple(rejected),
        repaired=tuple(r for layer, _ in parts for r in layer.repaired),
        source=SourceInfo(" + ".join(layer.source.path for layer, _ in parts)),
        count=sum(layer.count for layer, _ in parts),
    )
