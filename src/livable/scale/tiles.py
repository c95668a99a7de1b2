"""Spatial partitioning: evaluate a country tile by tile and get the single-pass report.

A city has a few thousand communities; a country has over 100,000 and tens of millions of
facilities. :func:`evaluate_partitioned` splits the communities into square tiles of
``tile_m`` metres by their service-circle centres (``P6.circle``) in one metric working
CRS, gives each tile the facilities within its centres' bounding box plus a *halo*,
evaluates the tiles independently (in this process, or in ``workers`` processes) and
merges the tiles' results into one :class:`~livable.report.Report`.

Why the merged report equals the single-pass one, exactly:

- **One working CRS.** It is chosen once from the whole extent (as
  :func:`livable.engine.evaluate` does) and every tile is measured in it, so every
  projected coordinate, centre and distance is the same number as in a single pass.
- **The halo covers every answer.** A community's answers (nearest within the search
  radius, counts within the tiers ``P6.tiers`` and within its own, maybe enlarged, circle)
  depend only on facilities within :attr:`~livable.geometry.access.AccessQuery.max_radius_m`
  of its centre. The halo is that radius over the tile's circles, times
  :data:`HALO_FACTOR` plus :data:`HALO_PAD_M` (covering the geodesic provider's 1 % + 1 m
  candidate margin); an area facility is included when its bounding box reaches the halo.
  Extra facilities change nothing: every provider filters by distance.
- **Order does not matter.** The engine puts each tile's facilities in the canonical
  order (``livable.engine.canonical_order``) as a single pass does with all of them,
  so ties between equally near facilities break the same way; communities are merged
  sorted by id, and the summary is recomputed from all of them with
  :func:`livable.grading.summarize`.

Rejected communities and facilities are found once, when the inputs are read in the
calling process, and merged into the report as a single pass lists them.

At country scale one UTM zone spans only 6 degrees of longitude and distances far from its
central meridian drift (:func:`~livable.geometry.crs.max_scale_error`). Name a working CRS
per region (``working_crs=``) and evaluate each region on its own: a per-zone working CRS
is more accurate, and its report equals the single-pass report in that zone; the tiles of
one evaluation always share one CRS.

>>> from livable.testing import community, facility
>>> comms = [community(f"c{i}", 108.90 + 0.05 * i, 34.26) for i in range(4)]
>>> facs = [facility(f"k{i}", "kindergarten", 108.902 + 0.05 * i, 34.26) for i in range(4)]
>>> merged = evaluate_partitioned(comms, facs, tile_m=5_000.0)
>>> import livable
>>> merged.to_json() == livable.evaluate(comms, facs).to_json()
True
"""

from __future__ import annotations

import datetime
import math
import multiprocessing
import tomllib
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing.reduction import ForkingPickler
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyproj
import shapely

from livable.engine import (
    EvaluationSettings,
    Inputs,
    LayerSpec,
    Progress,
    as_community_layer,
    as_facility_layer,
    attribute_names,
    canonical_order,
    check_facilities,
    evaluate_inputs,
    reject_far_communities,
    reject_unapproved_radii,
    resolve_profile,
    select_working_crs,
    sort_rejections,
)
from livable.errors import LivableError
from livable.geometry.access import AccessQuery
from livable.geometry.circle import approved_radius, service_circles
from livable.geometry.crs import Projector
from livable.grading import summarize
from livable.io.account import accounted, missing_types
from livable.io.crs import resolve_crs
from livable.io.datums import Datum
from livable.io.geoparquet import is_parquet_path
from livable.io.readers import CommunityLayer, FacilityLayer, FeatureSource
from livable.models import Community, CommunityResult, Facility, InputNote, Report, SourceInfo
from livable.plugins.manager import PluginManager
from livable.profile import Profile, profile_from_mapping

__all__ = [
    "DEFAULT_TILE_M",
    "HALO_FACTOR",
    "HALO_PAD_M",
    "FacilityBins",
    "ParquetSource",
    "Partition",
    "Prepared",
    "Tile",
    "TileRunner",
    "TileTask",
    "Tiling",
    "bind_inputs",
    "evaluate_partitioned",
    "evaluate_prepared_single",
    "evaluate_tiled",
    "merge_tiles",
    "plan_partition",
    "prepare_tasks",
    "run_tile",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Box = tuple[float, float, float, float]

DEFAULT_TILE_M = 20_000.0
"""Default tile size: 20 km squares, a few hundred communities each in a dense city."""

HALO_FACTOR = 1.02
"""The halo is ``max_radius_m * HALO_FACTOR + HALO_PAD_M`` (covers the geodesic provider's
1 % + 1 m candidate margin with room to spare)."""

HALO_PAD_M = 10.0
"""See :data:`HALO_FACTOR`."""

_BIN_MAX_M = 5_000.0


def _reduce_mappingproxy(m: types.MappingProxyType[Any, Any]) -> tuple[Any, ...]:
    return (types.MappingProxyType, (dict(m),))


# model objects hold read-only mappings; let worker processes (and only multiprocessing's
# pickler, not the global copyreg table) send them
ForkingPickler.register(types.MappingProxyType, _reduce_mappingproxy)


def _finite_positive(_inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ValueError(f"{attribute.name} must be a positive number of metres, not {value!r}")


def _origin(value: Iterable[float]) -> tuple[float, float]:
    x, y = (float(v) for v in value)
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(f"origin must be finite, not {(x, y)!r}")
    return x, y


@attrs.frozen
class Tiling:
    """Square tiles of ``tile_m`` metres in the working CRS, the grid anchored at ``origin``.

    Tile ``(i, j)`` holds the points with ``origin + (i, j) * tile_m <= (x, y) <
    origin + (i + 1, j + 1) * tile_m``.

    >>> t = Tiling(1000.0, origin=(500.0, 0.0))
    >>> [a.tolist() for a in t.cells(np.array([499.0, 500.0, 1499.9]), np.zeros(3))]
    [[-1, 0, 0], [0, 0, 0]]
    >>> t.bounds(0, 0)
    (500.0, 0.0, 1500.0, 1000.0)
    """

    tile_m: float = attrs.field(default=DEFAULT_TILE_M, converter=float, validator=_finite_positive)
    origin: tuple[float, float] = attrs.field(default=(0.0, 0.0), converter=_origin)

    def cells(self, x: FloatArray, y: FloatArray) -> tuple[IntArray, IntArray]:
        """The tile indices ``(i, j)`` of points."""
        i = np.floor((np.asarray(x, dtype=np.float64) - self.origin[0]) / self.tile_m)
        j = np.floor((np.asarray(y, dtype=np.float64) - self.origin[1]) / self.tile_m)
        return i.astype(np.int64), j.astype(np.int64)

    def bounds(self, i: int, j: int) -> Box:
        """The square of tile ``(i, j)`` as ``(minx, miny, maxx, maxy)``."""
        x0 = self.origin[0] + i * self.tile_m
        y0 = self.origin[1] + j * self.tile_m
        return (x0, y0, x0 + self.tile_m, y0 + self.tile_m)


@attrs.frozen(eq=False)
class Tile:
    """One tile: its communities (positions in the layer, ascending) and facility window.

    ``window`` is the bounding box of the tile's circle centres grown by ``halo_m``: every
    facility an answer of these communities depends on lies in it.
    """

    key: tuple[int, int]
    members: IntArray
    bounds: Box
    halo_m: float
    window: Box

    def __len__(self) -> int:
        return int(self.members.shape[0])


@attrs.frozen(eq=False)
class Partition:
    """Communities split into tiles, in one working CRS (see :func:`plan_partition`)."""

    working_crs: pyproj.CRS
    tiling: Tiling
    tiles: tuple[Tile, ...]

    def __len__(self) -> int:
        return len(self.tiles)


def halo_for(profile: Profile, radii_m: FloatArray) -> float:
    """The halo of a tile whose circles have ``radii_m``: the largest distance any answer
    depends on (:attr:`AccessQuery.max_radius_m`, ``P6.circle``/``P6.tiers``), with margin.

    >>> from livable.profile import load_profile
    >>> halo_for(load_profile("xian-2020"), np.array([1200.0, 1600.0]))
    3070.0
    """
    query = AccessQuery(
        type_ids=(),
        tier_radii_m=profile.tier_distances_m,
        circle_radii_m=radii_m,
        search_radius_m=profile.search_radius_m,
        k=profile.nearest_k,
    )
    return query.max_radius_m * HALO_FACTOR + HALO_PAD_M


def plan_partition(
    communities: Sequence[Community],
    profile: Profile,
    working_crs: pyproj.CRS,
    *,
    tiling: Tiling | None = None,
) -> Partition:
    """Split communities (WGS84) into tiles by their circle centres in ``working_crs``.

    Empty tiles are left out; tiles come in ``(i, j)`` order.

    >>> from livable.testing import community
    >>> from livable.profile import load_profile
    >>> comms = [community(f"c{i}", 108.9 + 0.1 * i, 34.26) for i in range(3)]
    >>> p = plan_partition(comms, load_profile("xian-2020"), pyproj.CRS("EPSG:32649"),
    ...                    tiling=Tiling(10_000.0))
    >>> [t.members.tolist() for t in p.tiles]
    [[0], [1], [2]]
    """
    tiling = tiling or Tiling()
    projector = Projector.for_crs(working_crs)
    geoms = projector.forward_geometry(np.array([c.geometry for c in communities], dtype=object))
    circles = service_circles(
        geoms,
        profile,
        populations=[c.population for c in communities],
        approved=[approved_radius(c) for c in communities],
    )
    x, y = circles.x, circles.y
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise LivableError(
            f"some community centres fall outside the working CRS {projector.name}; "
            "name a working CRS that covers them"
        )
    ci, cj = tiling.cells(x, y)
    order = np.lexsort((np.arange(len(x)), cj, ci))
    tiles: list[Tile] = []
    if len(order):
        keys = np.column_stack([ci[order], cj[order]])
        starts = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1]).any(axis=1)])
        for lo, hi in zip(starts, np.r_[starts[1:], len(order)], strict=True):
            members = np.sort(order[lo:hi]).astype(np.int64)
            i, j = int(ci[members[0]]), int(cj[members[0]])
            halo = halo_for(profile, circles.radius_m[members])
            mx, my = x[members], y[members]
            window = (
                float(mx.min()) - halo,
                float(my.min()) - halo,
                float(mx.max()) + halo,
                float(my.max()) + halo,
            )
            tiles.append(Tile((i, j), members, tiling.bounds(i, j), halo, window))
    return Partition(working_crs=working_crs, tiling=tiling, tiles=tuple(tiles))


class FacilityBins:
    """Facilities binned on a square grid for fast window queries; answers keep input order.

    Points are binned by position; area facilities (bounds with extent) are checked by
    their bounding boxes.

    >>> bins = FacilityBins(np.array([0.0, 50.0, 9000.0]), np.array([0.0, 0.0, 0.0]))
    >>> bins.select((-10.0, -10.0, 100.0, 10.0)).tolist()
    [0, 1]
    """

    __slots__ = ("_area_bounds", "_area_index", "_bin_m", "_indptr_keys", "_order", "_x", "_y")

    def __init__(
        self,
        x: FloatArray,
        y: FloatArray,
        *,
        bounds: npt.NDArray[np.float64] | None = None,
        bin_m: float = _BIN_MAX_M,
    ):
        self._x = np.asarray(x, dtype=np.float64)
        self._y = np.asarray(y, dtype=np.float64)
        self._bin_m = float(bin_m)
        n = self._x.shape[0]
        is_area = np.zeros(n, dtype=bool)
        if bounds is not None:
            is_area = (bounds[:, 0] < bounds[:, 2]) | (bounds[:, 1] < bounds[:, 3])
        self._area_index = np.flatnonzero(is_area).astype(np.int64)
        self._area_bounds = (
            bounds[is_area] if bounds is not None else np.zeros((0, 4), dtype=np.float64)
        )
        points = np.flatnonzero(~is_area & np.isfinite(self._x) & np.isfinite(self._y))
        bi = np.floor(self._x[points] / self._bin_m).astype(np.int64)
        bj = np.floor(self._y[points] / self._bin_m).astype(np.int64)
        order = np.lexsort((points, bj, bi))  # by bin column, then row, then input order
        self._order = points[order].astype(np.int64)
        self._indptr_keys = (bi[order], bj[order])

    def select(self, window: Box) -> IntArray:
        """Indices of the facilities in ``window`` (areas: whose bounds reach it), ascending."""
        x0, y0, x1, y1 = window
        bi, bj = self._indptr_keys
        parts: list[IntArray] = []
        if self._order.size:
            i0, i1 = math.floor(x0 / self._bin_m), math.floor(x1 / self._bin_m)
            j0, j1 = math.floor(y0 / self._bin_m), math.floor(y1 / self._bin_m)
            lo_col = np.searchsorted(bi, i0, side="left")
            hi_col = np.searchsorted(bi, i1, side="right")
            if hi_col > lo_col:
                col_i = bi[lo_col:hi_col]
                col_j = bj[lo_col:hi_col]
                for i in range(int(col_i[0]), int(col_i[-1]) + 1):
                    a = lo_col + np.searchsorted(col_i, i, side="left")
                    b = lo_col + np.searchsorted(col_i, i, side="right")
                    if b <= a:
                        continue
                    rows = col_j[a - lo_col : b - lo_col]
                    ra = a + np.searchsorted(rows, j0, side="left")
                    rb = a + np.searchsorted(rows, j1, side="right")
                    if rb > ra:
                        parts.append(self._order[ra:rb])
        cand = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        px, py = self._x[cand], self._y[cand]
        keep = (px >= x0) & (px <= x1) & (py >= y0) & (py <= y1)
        chosen = [cand[keep]]
        if self._area_index.size:
            ab = self._area_bounds
            hit = (ab[:, 2] >= x0) & (ab[:, 0] <= x1) & (ab[:, 3] >= y0) & (ab[:, 1] <= y1)
            chosen.append(self._area_index[hit])
        return np.sort(np.concatenate(chosen)).astype(np.int64)


def facility_bins(layer: FacilityLayer, projector: Projector) -> FacilityBins:
    """Bins of a facility layer's positions (and area bounds) in the working CRS."""
    x, y = projector.forward(layer.lon, layer.lat)
    bounds = None
    if layer.areas is not None:
        mask = np.fromiter((g is not None for g in layer.areas), dtype=bool, count=len(layer))
        if mask.any():
            bounds = np.column_stack([x, y, x, y])
            bounds[mask] = shapely.bounds(projector.forward_geometry(layer.areas[mask]))
    return FacilityBins(x, y, bounds=bounds)


def slice_facilities(layer: FacilityLayer, index: IntArray) -> FacilityLayer:
    """The facilities at ``index`` (ascending), as a layer with the same source.

    Rejections and repairs stay with the whole layer (the merged report lists them once).
    """
    idx = np.asarray(index, dtype=np.int64)
    return attrs.evolve(layer.take(idx), rejected=(), repaired=(), count=int(idx.shape[0]))


def _pack_community(c: Community) -> tuple[Any, ...]:
    return (
        c.id,
        shapely.to_wkb(c.geometry),
        c.name,
        c.population,
        c.district,
        c.subdistrict,
        None if c.zone is None else c.zone.value,
        dict(c.attributes),
    )


def _unpack_community(row: tuple[Any, ...]) -> Community:
    fid, wkb, name, population, district, subdistrict, zone, attributes = row
    return Community(
        id=fid,
        geometry=shapely.from_wkb(wkb),
        name=name,
        population=population,
        district=district,
        subdistrict=subdistrict,
        zone=zone,
        attributes=attributes,
    )


@attrs.frozen(eq=False)
class TileTask:
    """Everything a worker needs to evaluate one tile, as plain picklable data.

    ``facilities`` is the tile's slice (a :class:`~livable.io.FacilityLayer`) or a
    callable returning it (e.g. a reader of a file every worker can see). ``settings``
    are the evaluation's, their profile and working CRS given by ``profile_toml`` and
    ``working_crs`` (the profile as TOML text and the CRS as WKT travel to any worker).
    """

    key: tuple[int, int]
    communities: tuple[tuple[Any, ...], ...]
    community_source: Any
    facilities: FacilityLayer | Callable[[], FacilityLayer]
    profile_toml: str
    working_crs: str
    settings: EvaluationSettings
    streets: LayerSpec | None = None
    plugin_options: Mapping[str, Any] = attrs.field(factory=dict)

    def community_layer(self) -> CommunityLayer:
        """The tile's communities, rebuilt as a layer with the whole input's source."""
        items = tuple(_unpack_community(row) for row in self.communities)
        return CommunityLayer(communities=items, source=self.community_source, count=len(items))

    def facility_layer(self) -> FacilityLayer:
        """The tile's facilities (read now when they come from a file)."""
        fac = self.facilities
        return fac if isinstance(fac, FacilityLayer) else fac()


@attrs.frozen
class ParquetSource:
    """A GeoParquet facility file that every worker reads per tile (:mod:`livable.io.geoparquet`).

    ``duplicates`` are the ids the whole file holds more than once (every copy rejected).
    """

    path: str
    crs: str | None
    datum: str
    known_types: tuple[str, ...]
    duplicates: frozenset[str]

    def window(
        self, window: Box, projector: Projector, source: SourceInfo
    ) -> Callable[[], FacilityLayer]:
        """A picklable reader of the facilities in a working-CRS window (with margin)."""
        from livable.io.geoparquet import ParquetWindow, window_lonlat

        return ParquetWindow(
            path=self.path,
            bbox=window_lonlat(window, projector.inverse),
            known_types=self.known_types,
            exclude_ids=self.duplicates,
            source=source,
            crs=self.crs,
            datum=self.datum,
        )


def _profile_from_toml(text: str) -> Profile:
    return profile_from_mapping(tomllib.loads(text), source="<tile task>")


def run_tile(
    task: TileTask,
    plugins: PluginManager | None = None,
    *,
    profile: Profile | None = None,
    working_crs: pyproj.CRS | None = None,
) -> Report:
    """Evaluate one tile (a top-level function, so process pools and Dask can call it).

    Returns the tile's :class:`~livable.report.Report`; :func:`merge_tiles` combines them.
    In the calling process ``plugins``, ``profile`` and ``working_crs`` may be given as
    objects; a worker rebuilds them from the task.
    """
    settings = attrs.evolve(
        task.settings,
        profile=profile if profile is not None else _profile_from_toml(task.profile_toml),
        working_crs=working_crs or pyproj.CRS.from_wkt(task.working_crs),
    )
    return evaluate_inputs(
        Inputs(task.community_layer(), task.facility_layer(), streets=task.streets),
        settings,
        plugins=plugins if plugins is not None else PluginManager(**task.plugin_options),
    )


def _run_tile_in_worker(task: TileTask) -> Report:
    return run_tile(task)


@attrs.frozen(eq=False)
class Prepared:
    """The calling process's part: inputs read once, tiles planned, tasks ready to send."""

    communities: CommunityLayer
    facilities: FacilityLayer
    profile: Profile
    plugins: PluginManager
    partition: Partition
    settings: EvaluationSettings
    streets: LayerSpec | None = None
    parquet: ParquetSource | None = None
    plugin_options: Mapping[str, Any] = attrs.field(factory=dict)

    def single_settings(self) -> EvaluationSettings:
        """The settings of an evaluation in this process: the profile and CRS resolved."""
        return attrs.evolve(
            self.settings, profile=self.profile, working_crs=self.partition.working_crs
        )


def bind_inputs(
    communities: FeatureSource | CommunityLayer | Iterable[Community] | LayerSpec,
    facilities: FeatureSource | FacilityLayer | Iterable[Facility] | LayerSpec,
    *,
    streets: FeatureSource | LayerSpec | None,
    settings: EvaluationSettings | None,
    options: Mapping[str, Any],
    caller: str,
    stacklevel: int = 4,
) -> tuple[Inputs, EvaluationSettings]:
    """The inputs and settings of a tiled evaluation from its arguments.

    ``options`` are :func:`livable.evaluate`'s keywords (over ``settings``): the
    :class:`~livable.engine.EvaluationSettings` fields, and the deprecated per-layer CRS
    and datum keywords (with a :class:`DeprecationWarning` pointing ``stacklevel`` frames up,
    at the caller of the entry point). Residents are not supported.

    >>> inputs, settings = bind_inputs("c.geojson", "f.geojson", streets=None,
    ...     settings=None, options={"distance": "geodesic"}, caller="evaluate_partitioned")
    >>> inputs.facilities.source, settings.distance
    ('f.geojson', 'geodesic')
    """
    rest = dict(options)
    if rest.pop("residents", None) is not None:
        raise LivableError("residents are not supported by the partitioned evaluation yet")
    bound, deprecated = EvaluationSettings.from_options(rest, settings)
    inputs = Inputs(communities, facilities, streets=streets)
    return inputs.with_deprecated(deprecated, caller=caller, stacklevel=stacklevel), bound


def prepare_tasks(
    inputs: Inputs,
    settings: EvaluationSettings,
    *,
    tiling: Tiling | None = None,
    plugins: PluginManager | None = None,
    plugin_options: Mapping[str, Any] | None = None,
) -> tuple[Prepared, Iterator[TileTask]]:
    """Read the inputs once, plan the tiles and yield one :class:`TileTask` per tile.

    The tasks are made lazily, one at a time, so only the tiles in flight hold their
    facility slices. ``plugin_options`` (:class:`~livable.plugins.PluginManager`'s
    keyword arguments) say how workers build their plugin manager; ``plugins`` is used
    in this process (built from ``plugin_options`` when not given). A GeoParquet
    facility file is scanned here and read per tile by the workers.

    >>> from livable.testing import community, facility
    >>> inputs = Inputs([community("c1", 108.94, 34.26)],
    ...                 [facility("k1", "kindergarten", 108.945, 34.26)])
    >>> prepared, tasks = prepare_tasks(inputs, EvaluationSettings())
    >>> [task.key for task in tasks], prepared.partition.working_crs.to_epsg()
    ([(15, 189)], 32649)
    """
    options_pm = dict(plugin_options or {})
    pm = plugins if plugins is not None else PluginManager(**options_pm)
    # one date for every tile (a run across midnight still describes one day)
    settings = attrs.evolve(settings, as_of=settings.as_of or datetime.date.today())
    prof = resolve_profile(settings.profile, pm)
    types_ = pm.facility_types()
    names = attribute_names(pm.indicators())
    c_layer = as_community_layer(inputs.communities, settings, names=names)
    spec = inputs.facilities
    parquet: ParquetSource | None = None
    if is_parquet_path(spec.source):
        from livable.io import geoparquet

        f_layer, duplicates = geoparquet.scan_facilities(
            spec.source,
            crs=spec.crs,
            datum=spec.datum,
            known_types=types_.keys(),
            strict=settings.strict,
            limits=settings.limits,
            names=names,
        )
        parquet = ParquetSource(
            path=str(spec.source),
            crs=None if spec.crs is None else resolve_crs(spec.crs).to_wkt(),
            datum=str(Datum(spec.datum).value),
            known_types=tuple(types_),
            duplicates=duplicates,
        )
    else:
        f_layer = as_facility_layer(spec, settings, known_types=types_.keys(), names=names)
    check_facilities(f_layer)  # as a single pass does: none usable is an error
    # as a single pass does: canonical order, then communities too far for one working CRS
    c_layer, f_layer = canonical_order(c_layer), canonical_order(f_layer)
    if settings.working_crs is None:
        c_layer = reject_far_communities(c_layer, strict=settings.strict)
    c_layer = reject_unapproved_radii(c_layer, prof, strict=settings.strict)
    work = select_working_crs(c_layer.communities, f_layer, settings.working_crs)
    partition = plan_partition(c_layer.communities, prof, work, tiling=tiling)
    prepared = Prepared(
        c_layer,
        f_layer,
        prof,
        pm,
        partition,
        settings,
        streets=inputs.streets,
        parquet=parquet,
        plugin_options=options_pm,
    )
    return prepared, _tasks(prepared)


def _tasks(prepared: Prepared) -> Iterator[TileTask]:
    partition = prepared.partition
    projector = Projector.for_crs(partition.working_crs)
    parquet = prepared.parquet
    bins = None
    if parquet is None and partition.tiles:
        bins = facility_bins(prepared.facilities, projector)
    profile_toml = prepared.profile.to_toml()
    wkt = partition.working_crs.to_wkt()
    comms = prepared.communities.communities
    # the profile and CRS travel as TOML and WKT; the rest of the settings as they are
    settings = attrs.evolve(prepared.settings, profile=prepared.profile.id, working_crs=None)
    for tile in partition.tiles:
        facilities: FacilityLayer | Callable[[], FacilityLayer]
        if parquet is not None:
            facilities = parquet.window(tile.window, projector, prepared.facilities.source)
        else:
            assert bins is not None
            facilities = slice_facilities(prepared.facilities, bins.select(tile.window))
        yield TileTask(
            key=tile.key,
            communities=tuple(_pack_community(comms[i]) for i in tile.members.tolist()),
            community_source=prepared.communities.source,
            facilities=facilities,
            profile_toml=profile_toml,
            working_crs=wkt,
            settings=settings,
            streets=prepared.streets,
            plugin_options=prepared.plugin_options,
        )


def _missing(
    tiles: Sequence[Report], facilities: FacilityLayer, profile: Profile
) -> tuple[InputNote, ...]:
    """The required types with no facility: from the layer, or, when the workers read it
    (a scanned GeoParquet), those missing in every tile."""
    if len(facilities) or not facilities.count:
        return missing_types(facilities.types.tolist(), profile.required)
    per_tile = [
        {
            n.what
            for i in t.inputs
            if i.layer == "facilities"
            for n in i.notes
            if n.kind == "missing_type"
        }
        for t in tiles
    ]
    common = set.intersection(*per_tile) if per_tile else set()
    return tuple(InputNote("missing_type", 0, what) for what in sorted(common))


def merge_tiles(
    tiles: Sequence[Report],
    *,
    communities: CommunityLayer,
    facilities: FacilityLayer,
    profile: Profile,
    plugins: PluginManager,
) -> Report:
    """One report from the tiles' reports, as a single pass over all inputs gives it.

    Communities are sorted by id; ``rejected`` (sorted by id and source),
    ``rejected_facilities`` and ``repaired`` come from the inputs as read once; the
    summary is recomputed from every community with :func:`livable.grading.summarize`.
    """
    if not tiles:
        raise LivableError("no tiles to merge")
    results: list[CommunityResult] = [r for t in tiles for r in t.communities]
    results.sort(key=lambda r: r.id)
    ids = [r.id for r in results]
    if len(set(ids)) != len(ids):
        raise LivableError("a community was evaluated in more than one tile")
    rejected = sort_rejections(communities.rejected)
    summary = summarize(
        results,
        rejected=len(rejected),
        profile=profile,
        facility_types=plugins.facility_types(),
        as_of=tiles[0].summary.as_of,  # every tile has its run's date (prepare_tasks)
    )
    # plugin-level faults once, then faults on communities in community order (as a
    # single pass meets them)
    general = dict.fromkeys(s for t in tiles for s in t.skipped if s.community is None)
    on_communities = sorted(
        (s for t in tiles for s in t.skipped if s.community is not None),
        key=lambda s: s.community or "",
    )
    whole = {
        "communities": accounted(
            communities.source, "communities", communities.count, communities.rejected
        ),
        "facilities": accounted(
            facilities.source,
            "facilities",
            facilities.count,
            facilities.rejected,
            _missing(tiles, facilities, profile),
        ),
    }
    inputs = tuple(whole.get(info.layer or "", info) for info in tiles[0].inputs)
    return attrs.evolve(
        tiles[0],
        inputs=inputs,
        communities=tuple(results),
        rejected=rejected,
        summary=summary,
        rejected_facilities=sort_rejections(facilities.rejected),
        repaired=sort_rejections(communities.repaired + facilities.repaired),
        skipped=(*general, *on_communities),
    )


def evaluate_prepared_single(prepared: Prepared) -> Report:
    """The single-pass evaluation of prepared inputs (used when there is no tile)."""
    facilities = prepared.facilities
    if prepared.parquet is not None:
        from livable.io import geoparquet

        facilities = geoparquet.read_facilities(
            prepared.parquet.path,
            crs=prepared.parquet.crs,
            datum=prepared.parquet.datum,
            known_types=prepared.parquet.known_types,
        )
    return evaluate_inputs(
        Inputs(prepared.communities, facilities, streets=prepared.streets),
        prepared.single_settings(),
        plugins=prepared.plugins,
    )


def _spawn_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def _run_tasks(
    tasks: Iterator[TileTask],
    *,
    total: int,
    workers: int,
    prepared: Prepared,
    progress: Progress,
) -> list[Report]:
    """Run tile tasks in this process (``workers == 1``) or in a pool of worker processes,
    keeping at most ``2 * workers`` tiles in flight."""
    reports: list[Report] = []
    if workers <= 1:
        for task in tasks:
            reports.append(
                run_tile(
                    task,
                    prepared.plugins,
                    profile=prepared.profile,
                    working_crs=prepared.partition.working_crs,
                )
            )
            progress("tiles", len(reports) / max(total, 1))
        return reports
    with _spawn_pool(workers) as pool:
        pending: set[Future[Report]] = set()
        for task in tasks:
            if len(pending) >= 2 * workers:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    reports.append(fut.result())
                    progress("tiles", len(reports) / max(total, 1))
            pending.add(pool.submit(_run_tile_in_worker, task))
        for fut in pending:
            reports.append(fut.result())
            progress("tiles", len(reports) / max(total, 1))
    return reports


TileRunner = Callable[[Iterator[TileTask], int, Prepared, Progress], list[Report]]
"""Runs tile tasks and returns their reports: ``run(tasks, total, prepared, progress)``,
calling ``progress("tiles", done / total)`` as tiles finish (in this process, in a pool of
worker processes, or on a Dask cluster)."""


def evaluate_tiled(
    communities: FeatureSource | CommunityLayer | Iterable[Community] | LayerSpec,
    facilities: FeatureSource | FacilityLayer | Iterable[Facility] | LayerSpec,
    run: TileRunner,
    *,
    streets: FeatureSource | LayerSpec | None,
    settings: EvaluationSettings | None,
    plugins: PluginManager | None,
    plugin_options: Mapping[str, Any] | None,
    tiling: Tiling,
    progress: Progress | None,
    caller: str,
    options: Mapping[str, Any],
) -> Report:
    """The tiled evaluation, whoever runs the tiles: read the inputs once, plan the tiles,
    ``run`` their tasks, merge the reports (a single pass when there is no tile to send).

    :func:`evaluate_partitioned` and :func:`livable.scale.dask.evaluate_dask` are this with
    their runner; ``caller`` names the entry point in messages about its keywords.

    >>> from livable.testing import community, facility
    >>> def here(tasks, total, prepared, progress):
    ...     return [run_tile(t, prepared.plugins, profile=prepared.profile,
    ...                      working_crs=prepared.partition.working_crs) for t in tasks]
    >>> comms = [community(f"c{i}", 108.90 + 0.05 * i, 34.26) for i in range(3)]
    >>> facs = [facility(f"k{i}", "kindergarten", 108.902 + 0.05 * i, 34.26) for i in range(3)]
    >>> r = evaluate_tiled(comms, facs, here, streets=None, settings=None, plugins=None,
    ...                    plugin_options=None, tiling=Tiling(5_000.0), progress=None,
    ...                    caller="example", options={})
    >>> import livable
    >>> r.to_json() == livable.evaluate(comms, facs).to_json()
    True
    """
    inputs, bound = bind_inputs(
        communities,
        facilities,
        streets=streets,
        settings=settings,
        options=options,
        caller=caller,
        stacklevel=5,  # the entry point's caller, past evaluate_tiled
    )
    report_progress = progress or (lambda _stage, _fraction: None)
    report_progress("reading", 0.0)
    prepared, tasks = prepare_tasks(
        inputs, bound, tiling=tiling, plugins=plugins, plugin_options=plugin_options
    )
    report_progress("reading", 1.0)
    if not prepared.partition.tiles:
        return evaluate_prepared_single(prepared)
    reports = run(tasks, len(prepared.partition), prepared, report_progress)
    return merge_tiles(
        reports,
        communities=prepared.communities,
        facilities=prepared.facilities,
        profile=prepared.profile,
        plugins=prepared.plugins,
    )


def evaluate_partitioned(
    communities: FeatureSource | CommunityLayer | Iterable[Community] | LayerSpec,
    facilities: FeatureSource | FacilityLayer | Iterable[Facility] | LayerSpec,
    *,
    streets: FeatureSource | LayerSpec | None = None,
    settings: EvaluationSettings | None = None,
    plugins: PluginManager | None = None,
    plugin_options: Mapping[str, Any] | None = None,
    tile_m: float = DEFAULT_TILE_M,
    origin: tuple[float, float] = (0.0, 0.0),
    workers: int = 1,
    progress: Progress | None = None,
    **options: Any,
) -> Report:
    """Evaluate tile by tile (``workers`` processes) and merge: the single-pass report.

    The inputs are :func:`livable.evaluate`'s (each a source or a
    :class:`~livable.engine.LayerSpec`; residents are not supported yet); ``settings``
    (an :class:`~livable.engine.EvaluationSettings`) or ``options``, evaluate's keywords
    (``profile``, ``distance``, ``working_crs``, ``strict``, ``limits``, ``encoding``),
    say how to evaluate. The inputs are read once here; each tile gets its communities
    and the facilities in its window (see the module docs). Worker processes build their
    plugin manager from ``plugin_options`` (the installed plugins), so a ``plugins``
    manager with objects registered by hand needs ``workers=1``. ``progress`` is called
    with ``("reading", f)`` and ``("tiles", f)``.

    >>> from livable.testing import community, facility
    >>> r = evaluate_partitioned([community("c1", 108.94, 34.26)],
    ...                          [facility("k1", "kindergarten", 108.945, 34.26)])
    >>> round(r.communities[0].access_to("kindergarten").nearest_m)
    461
    """
    if workers < 1:
        raise LivableError(f"workers must be at least 1, not {workers}")

    def run(
        tasks: Iterator[TileTask], total: int, prepared: Prepared, report: Progress
    ) -> list[Report]:
        return _run_tasks(tasks, total=total, workers=workers, prepared=prepared, progress=report)

    return evaluate_tiled(
        communities,
        facilities,
        run,
        streets=streets,
        settings=settings,
        plugins=plugins,
        plugin_options=plugin_options,
        tiling=Tiling(tile_m, origin),
        progress=progress,
        caller="evaluate_partitioned",
        options=options,
    )
