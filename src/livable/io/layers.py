"""The layers the readers return (columns and model objects, WGS84) and their limits.

:class:`CommunityLayer`, :class:`FacilityLayer` (columns: no per-feature objects from the
parsed file to the distance provider), :class:`ResidentLayer` and :class:`StreetLayer`;
:class:`Limits` bounds what a reader accepts.

>>> layer = StreetLayer.from_lines(["s1"], [shapely.LineString([(108.94, 34.26), (108.95, 34.26)])])
>>> len(layer), layer.ids.tolist()
(1, ['s1'])
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, overload

import attrs
import numpy as np
import numpy.typing as npt
import shapely

from livable.models import Community, Facility
from livable.models.results import Rejection, SourceInfo

__all__ = [
    "DEFAULT_LIMITS",
    "FACILITY_KEYS",
    "MEMORY",
    "CommunityLayer",
    "FacilityLayer",
    "FeatureSource",
    "Limits",
    "PropertyAttributes",
    "ResidentLayer",
    "StreetLayer",
]

FeatureSource = str | os.PathLike[str] | bytes | Mapping[str, Any]
"""A GeoJSON FeatureCollection: a file path, its bytes, or a mapping already parsed."""

MEMORY = SourceInfo("<memory>")
"""The source of a layer built in memory (not read from a file)."""

FACILITY_KEYS = ("id", "type", "name", "brand", "quality")
"""The facility properties read into columns; the others are its ``attributes``."""


def _positive_int(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"Limits.{attribute.name} must be a whole number >= 1, not {value!r}")


@attrs.frozen
class Limits:
    """Resource limits for embedders: larger inputs raise
    :class:`~livable.errors.ResourceLimitError` instead of exhausting memory.

    GeoJSON is parsed whole with orjson, not streamed, so peak memory grows with the file:
    about 10 times its size (measured by ``benchmarks/bench_reader_memory.py``; see
    ``docs/explanation/limits.md``). ``max_file_bytes`` therefore bounds memory (the default
    256 MiB, about 2.5 GiB at peak); it is checked before a byte is read, and on ``bytes``
    sources. ``max_features`` bounds the work per source, parsed mappings included. The
    command line sets them with ``--max-file-mb`` and ``--max-features``.

    >>> Limits(max_file_bytes=10 * 1024**2).max_features
    5000000
    >>> Limits(max_features=0)
    Traceback (most recent call last):
    ...
    ValueError: Limits.max_features must be a whole number >= 1, not 0
    """

    max_file_bytes: int = attrs.field(default=256 * 1024**2, validator=_positive_int)
    max_features: int = attrs.field(default=5_000_000, validator=_positive_int)


DEFAULT_LIMITS = Limits()
"""The limits every reader applies unless given others."""


@attrs.frozen
class CommunityLayer:
    """Communities read from one source (WGS84), with the features rejected and repaired."""

    communities: tuple[Community, ...]
    rejected: tuple[Rejection, ...] = ()
    repaired: tuple[Rejection, ...] = ()
    source: SourceInfo = MEMORY
    count: int = 0
    """How many features the source held."""
    sources: tuple[str, ...] = ()
    """Where each community came from (``file#index``), in the order of ``communities``;
    empty for layers built from model objects."""


@attrs.frozen(eq=False)
class FacilityLayer:
    """Facilities as columns (WGS84 lon/lat), with the features rejected.

    ``lon``/``lat`` is the point itself, or a point inside an area facility; ``areas``
    holds the area geometries (``None`` for points) when the source had any.
    """

    ids: npt.NDArray[np.object_]
    types: npt.NDArray[np.object_]
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    names: npt.NDArray[np.object_]
    brands: npt.NDArray[np.object_]
    quality: npt.NDArray[np.float64]
    attributes: Sequence[Mapping[str, Any]]
    areas: npt.NDArray[np.object_] | None = None
    rejected: tuple[Rejection, ...] = ()
    repaired: tuple[Rejection, ...] = ()
    source: SourceInfo = MEMORY
    count: int = 0

    def __len__(self) -> int:
        return int(self.lon.shape[0])

    def facility(self, i: int) -> Facility:
        """The model object of facility ``i`` (for reports; not for the hot path)."""
        geom = None if self.areas is None else self.areas[i]
        if geom is None:
            geom = shapely.Point(float(self.lon[i]), float(self.lat[i]))
        quality = float(self.quality[i])
        return Facility(
            id=str(self.ids[i]),
            type=str(self.types[i]),
            geometry=geom,
            name=self.names[i],
            brand=self.brands[i],
            quality=None if math.isnan(quality) else quality,
            attributes=self.attributes[i],
        )

    def take(self, rows: npt.ArrayLike) -> FacilityLayer:
        """The same layer with only the rows ``rows``, in that order: an index array, or a
        boolean mask of the layer's length; rejections, source and count are kept.

        The one way rows are selected (the readers, GeoParquet windows, dedupe).

        >>> from livable.testing import facility
        >>> layer = FacilityLayer.from_facilities(
        ...     [facility("b", "clinic", 108.9, 34.2), facility("a", "bank", 108.9, 34.3)])
        >>> layer.take([1, 0]).ids.tolist(), layer.take([False, True]).ids.tolist()
        (['a', 'b'], ['a'])
        """
        picked = np.asarray(rows)
        if picked.dtype == np.bool_:
            picked = np.flatnonzero(picked)
        idx = picked.astype(np.int64, copy=False)
        return attrs.evolve(
            self,
            ids=self.ids[idx],
            types=self.types[idx],
            lon=self.lon[idx],
            lat=self.lat[idx],
            names=self.names[idx],
            brands=self.brands[idx],
            quality=self.quality[idx],
            attributes=(
                self.attributes.take(idx)
                if isinstance(self.attributes, PropertyAttributes)
                else tuple(self.attributes[i] for i in idx.tolist())
            ),
            areas=None if self.areas is None else self.areas[idx],
        )

    @classmethod
    def from_facilities(cls, facilities: Iterable[Facility]) -> FacilityLayer:
        """Columns from model objects (for tests and small inputs)."""
        items = list(facilities)
        pts = [f.geometry for f in items]
        is_area = [g.geom_type != "Point" for g in pts]
        rep = [g.point_on_surface() if a else g for g, a in zip(pts, is_area, strict=True)]
        areas = np.array(
            [g if a else None for g, a in zip(pts, is_area, strict=True)], dtype=object
        )
        return cls(
            ids=np.array([f.id for f in items], dtype=object),
            types=np.array([f.type for f in items], dtype=object),
            lon=np.array([p.x for p in rep], dtype=np.float64),
            lat=np.array([p.y for p in rep], dtype=np.float64),
            names=np.array([f.name for f in items], dtype=object),
            brands=np.array([f.brand for f in items], dtype=object),
            quality=np.array(
                [np.nan if f.quality is None else f.quality for f in items], dtype=np.float64
            ),
            attributes=tuple(f.attributes for f in items),
            areas=areas if any(is_area) else None,
            count=len(items),
        )


class PropertyAttributes(Sequence[Mapping[str, Any]]):
    """Per facility, its properties other than the known ones, built when read (half a
    million dictionaries are not built for attributes nobody reads).

    >>> attrs = PropertyAttributes([{"id": "f1", "type": "clinic", "beds": 4}])
    >>> attrs[0], len(attrs)
    ({'beds': 4}, 1)
    """

    __slots__ = ("_props",)

    def __init__(self, props: Sequence[Mapping[str, Any]]):
        self._props = props

    def __len__(self) -> int:
        return len(self._props)

    @overload
    def __getitem__(self, i: int) -> Mapping[str, Any]: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Mapping[str, Any]]: ...
    def __getitem__(self, i: int | slice) -> Mapping[str, Any] | Sequence[Mapping[str, Any]]:
        if isinstance(i, slice):
            return PropertyAttributes(self._props[i])
        return {k: v for k, v in self._props[i].items() if k not in FACILITY_KEYS}

    def values(self, key: str, index: npt.NDArray[np.int64]) -> list[Any]:
        """One property of the facilities at ``index`` (``None`` where not given), no
        dictionary built.

        >>> PropertyAttributes([{"id": "f1", "beds": 4}, {}]).values("beds", np.array([1, 0]))
        [None, 4]
        """
        if key in FACILITY_KEYS:
            return [None] * len(index)
        props = self._props
        return [props[i].get(key) for i in index.tolist()]

    def take(self, index: npt.NDArray[np.int64]) -> PropertyAttributes:
        """The attributes of the facilities at ``index``."""
        return PropertyAttributes([self._props[i] for i in index.tolist()])


@attrs.frozen(eq=False)
class ResidentLayer:
    """Residential points (WGS84 lon/lat) with their population and community id.

    A resident point is a building, an entrance or a census block's centre, given as a
    Point with a ``population`` (residents, a number >= 0) and the ``community`` id it
    belongs to; it weights access by where people live (beyond the plan; see
    :func:`livable.evaluate`'s ``residents`` and :mod:`livable.indicators.residents`).
    """

    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    population: npt.NDArray[np.float64]
    community: npt.NDArray[np.object_]
    feature_index: npt.NDArray[np.int64] | None = None
    """Position of each point in its source (for messages); ``None``: 0, 1, 2, ..."""
    rejected: tuple[Rejection, ...] = ()
    source: SourceInfo = MEMORY
    count: int = 0

    def __len__(self) -> int:
        return int(self.lon.shape[0])


@attrs.frozen(eq=False)
class StreetLayer:
    """Walkable streets as columns: ids, (Multi)LineStrings in WGS84 lon/lat and, from
    the OpenStreetMap importer, each street's tags; with the features rejected.

    Read by :func:`livable.io.read_streets` (or :func:`livable.io.read_osm`); the
    ``network`` distance provider measures on it.
    """

    ids: npt.NDArray[np.object_]
    lines: npt.NDArray[np.object_]
    properties: tuple[Mapping[str, Any], ...] = ()
    """Per street, its properties other than ``id`` (empty when not kept)."""
    rejected: tuple[Rejection, ...] = ()
    source: SourceInfo = MEMORY
    count: int = 0
    """How many features the source held."""

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @property
    def geometries(self) -> npt.NDArray[np.object_]:
        """The lines, under the name the 0.1 importers' street layer gave them."""
        return self.lines

    @classmethod
    def from_lines(
        cls,
        ids: Iterable[str],
        lines: Iterable[Any],
        properties: Iterable[Mapping[str, Any]] = (),
        **fields: Any,
    ) -> StreetLayer:
        """A layer from ids and shapely lines (and optional properties), as columns.

        >>> StreetLayer.from_lines(["w1"], [shapely.LineString([(0, 0), (1, 1)])]).count
        1
        """
        id_column = np.array(list(ids), dtype=object)
        line_column = np.empty(len(id_column), dtype=object)
        line_column[:] = list(lines)
        fields.setdefault("count", len(id_column))
        return cls(id_column, line_column, tuple(properties), **fields)
