"""The evaluation pipeline.

Data flows one way: read and validate inputs -> project to a metric CRS -> service circles
-> distance provider (R-tree, vectorised) -> indicators -> grade and gaps -> roll-up ->
:class:`~livable.report.Report`. Each stage is a plain function; facilities travel as
columns, and model objects are built per community only for the report.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, overload

import attrs
import numpy as np
import pyproj
import shapely

from livable._text import show
from livable._version import __version__
from livable.errors import InputError, LivableError, PluginError
from livable.geometry.access import AccessQuery, AccessTable, FacilityColumns, Origins
from livable.geometry.circle import ServiceCircles, service_circles
from livable.geometry.crs import Projector, choose_working_crs
from livable.io.crs import resolve_crs
from livable.io.datums import Datum
from livable.geometry.extent import MAX_SCALE_ERROR, far_communities, scale_error_of
from livable.geometry.providers import DetailProvider, IsochroneProvider
from livable.indicators.base import CommunityContext, FacilityFilter, Indicator
from livable.indicators.base import role_of as indicator_role
from livable.io.readers import (
    CommunityLayer,
    FacilityLayer,
    FeatureSource,
    Limits,
    Rejection,
    ResidentLayer,
    read_communities,
    read_facilities,
    read_residents,
)
from livable.models import Community, Facility, FacilityType, Grade
from livable.plugins.manager import BUILTIN_NAMES, PluginManager
from livable.profile import Profile, load_profile
from livable.models import (
    CommunityResult,
    CommunityScore,
    IndicatorResult,
    NearbyFacility,
    Report,
    Skipped,
    TypeAccess,
    grade_from_results,
)
from livable.grading import summarize

__all__ = [
    "Progress",
    "canonical_order",
    "evaluate",
    "grade_from_results",
    "reject_far_communities",
    "resolve_profile",
    "select_working_crs",
    "sort_rejections",
]

Progress = Callable[[str, float], None]
"""A progress callback: ``(stage, fraction)`` with stages ``reading``, ``indexing``,
``distances``, ``indicators`` and ``writing``, fraction from 0 to 1."""

DEFAULT_LIMITS = Limits()

_ROLE_GRADE = {"livable": Grade.LIVABLE, "happy": Grade.HAPPY}


def resolve_profile(profile: str | Path | Profile, plugins: PluginManager) -> Profile:
    """A profile object from an id registered by a plugin, a built-in id, or a TOML path."""
    if isinstance(profile, Profile):
        return profile
    return load_profile(profile, registered=plugins.profiles())


def role_of(profile: Profile, indicator: Indicator) -> str:
    """The role the profile gives an indicator (``livable``/``happy``/``scored``/``info``)."""
    return indicator_role(profile, indicator.id)


def _decisive(result: IndicatorResult, grade: Grade) -> bool:
    target = _ROLE_GRADE.get(result.role)
    if target is None:
        return False
    if result.status == "passed":
        return target.rank <= grade.rank
    return target.rank == grade.rank + 1


_SOURCE_KINDS = "a GeoJSON file path, its bytes, a parsed FeatureCollection mapping, a GeoDataFrame"


def _is_feature_source(source: object) -> bool:
    """Whether ``source`` is read by :func:`~livable.read_communities` and its siblings."""
    return (
        isinstance(source, str | bytes | bytearray | memoryview | Path | Mapping)
        or hasattr(source, "__fspath__")
        or hasattr(source, "__geo_interface__")
    )


def _model_items(source: object, argument: str, model: type[Any], layer: str) -> list[Any]:
    """The model objects of ``source`` (an iterable of ``model``), else :class:`InputError`
    naming the argument and the accepted kinds (never a ``TypeError`` from ``list(5)``).

    >>> _model_items(None, "communities", Community, "CommunityLayer")
    Traceback (most recent call last):
    ...
    livable.errors.InputError: communities must be a GeoJSON file path, its bytes, ...
    """
    accepted = f"{_SOURCE_KINDS}, a {layer} or {model.__name__} objects"
    if not isinstance(source, Iterable):
        found = "None" if source is None else _a(type(source).__name__)
        raise InputError(f"{argument} must be {accepted}, not {found}")
    items = list(source)
    for k, item in enumerate(items):
        if not isinstance(item, model):
            hint = ""
            if isinstance(item, Mapping):
                hint = (
                    '; GeoJSON features go in a FeatureCollection: {"type": '
                    '"FeatureCollection", "features": [...]}'
                )
            raise InputError(
                f"{argument} must be {accepted}, but item {k} is {_a(type(item).__name__)}, "
                f"not a {model.__name__}{hint}"
            )
    return items


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _as_communities(
    source: FeatureSource | CommunityLayer | Iterable[Community],
    *,
    crs: Any,
    datum: Datum | str,
    strict: bool,
    limits: Limits,
    encoding: str | None = None,
) -> CommunityLayer:
    if isinstance(source, CommunityLayer):
        return source
    if _is_feature_source(source):
        return read_communities(
            source,  # type: ignore[arg-type]
            crs=crs,
            datum=datum,
            strict=strict,
            limits=limits,
            encoding=encoding,
        )
    items = _model_items(source, "communities", Community, "CommunityLayer")
    ids = [c.id for c in items]
    if len(set(ids)) != len(ids):
        raise InputError("Community objects must have unique ids")
    return CommunityLayer(communities=tuple(items), count=len(items))


def _as_facilities(
    source: FeatureSource | FacilityLayer | Iterable[Facility],
    *,
    crs: Any,
    datum: Datum | str,
    known_types: Iterable[str],
    strict: bool,
    limits: Limits,
    encoding: str | None = None,
) -> FacilityLayer:
    if isinstance(source, FacilityLayer):
        layer = source
    elif _is_feature_source(source):
        return read_facilities(
            source,  # type: ignore[arg-type]
            crs=crs,
            datum=datum,
            known_types=list(known_types),
            strict=strict,
            limits=limits,
            encoding=encoding,
        )
    else:
        items = _model_items(source, "facilities", Facility, "FacilityLayer")
        layer = FacilityLayer.from_facilities(items)
    unknown = sorted(set(layer.types.tolist()) - set(known_types))
    if unknown:
        raise InputError(f"unknown facility types {unknown}; register them with a plugin")
    return layer


def evaluate(
    communities: FeatureSource | CommunityLayer | Iterable[Community],
    facilities: FeatureSource | FacilityLayer | Iterable[Facility],
    *,
    profile: str | Path | Profile = "xian-2020",
    distance: str = "euclidean",
    streets: FeatureSource | None = None,
    communities_crs: str | int | pyproj.CRS | None = None,
    facilities_crs: str | int | pyproj.CRS | None = None,
    streets_crs: str | int | pyproj.CRS | None = None,
    communities_datum: Datum | str = Datum.WGS84,
    facilities_datum: Datum | str = Datum.WGS84,
    streets_datum: Datum | str = Datum.WGS84,
    working_crs: str | int | pyproj.CRS | None = None,
    residents: FeatureSource | ResidentLayer | None = None,
    residents_crs: str | int | pyproj.CRS | None = None,
    residents_datum: Datum | str = Datum.WGS84,
    strict: bool = False,
    plugins: PluginManager | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> Report:
    """Evaluate communities against a profile and return the :class:`~livable.report.Report`.

    ``communities`` and ``facilities`` are GeoJSON files, bytes, parsed FeatureCollections,
    layers from :func:`~livable.read_communities` / :func:`~livable.read_facilities`, or
    model objects; GIS files (shapefile, GeoPackage, GeoParquet, FlatGeobuf, CSV) and
    GeoDataFrames (their own CRS honoured) are read too, ``encoding`` naming the text
    encoding of a shapefile or CSV without one. Every input community ends in
    ``report.communities`` or ``report.rejected``.

    ``progress``, if given, is called as ``progress(stage, fraction)`` while the run goes
    through ``reading``, ``indexing``, ``distances`` and ``indicators`` (fraction 0 to 1
    within each stage); :class:`livable.cli.progress.TerminalProgress` draws it as a bar.

    ``residents`` (beyond the plan) are residential points with a ``population`` and a
    ``community`` id (:func:`~livable.io.read_residents`, a file or a
    :class:`~livable.io.ResidentLayer`); with them each community also reports
    ``resident_access``, the share of its residents who reach each service category within
    its walk tier (:mod:`livable.indicators.residents`).

    >>> from livable.testing import community, facility
    >>> report = evaluate([community("c1", 108.94, 34.26)],
    ...                   [facility("k1", "kindergarten", 108.945, 34.26)])
    >>> c = report.communities[0]
    >>> c.grade, round(c.access_to("kindergarten").nearest_m)
    (<Grade.NOT_LIVABLE: 'not_livable'>, 461)
    """
    pm = plugins if plugins is not None else PluginManager()
    prof = resolve_profile(profile, pm)
    report_progress = progress or (lambda _stage, _fraction: None)
    types = pm.facility_types()
    providers = pm.distance_providers()
    if distance not in providers:
        raise LivableError(pm.missing_provider(distance))
    missing = [t for t in prof.required if t not in types]
    if missing:
        raise LivableError(f"profile {prof.id!r} requires unknown facility types {missing}")
    indicators = _applicable_indicators(pm, prof)

    report_progress("reading", 0.0)
    c_layer = _as_communities(
        communities,
        crs=communities_crs,
        datum=communities_datum,
        strict=strict,
        limits=limits,
        encoding=encoding,
    )
    f_layer = _as_facilities(
        facilities,
        crs=facilities_crs,
        datum=facilities_datum,
        known_types=types.keys(),
        strict=strict,
        limits=limits,
        encoding=encoding,
    )
    r_layer = None
    if residents is not None:
        r_layer = (
            residents
            if isinstance(residents, ResidentLayer)
            else read_residents(
                residents,
                crs=residents_crs,
                datum=residents_datum,
                strict=strict,
                limits=limits,
                encoding=encoding,
            )
        )
    report_progress("reading", 1.0)
    c_layer, f_layer = canonical_order(c_layer), canonical_order(f_layer)
    if working_crs is None:
        c_layer = reject_far_communities(c_layer, strict=strict)

    comms = c_layer.communities
    projector = Projector.for_crs(select_working_crs(comms, f_layer, working_crs))

    type_ids = tuple(types)
    report_progress("indexing", 0.0)
    geoms = projector.forward_geometry(np.array([c.geometry for c in comms], dtype=object))
    circles = service_circles(geoms, prof, populations=[c.population for c in comms])
    columns = _facility_columns(f_layer, type_ids, projector)
    report_progress("indexing", 1.0)

    query = AccessQuery(
        type_ids=type_ids,
        tier_radii_m=prof.tier_distances_m,
        circle_radii_m=circles.radius_m,
        search_radius_m=prof.search_radius_m,
        k=prof.nearest_k,
    )
    provider = pm.make_provider(
        distance,
        profile=prof,
        projector=projector,
        streets=streets,
        streets_crs=streets_crs,
        streets_datum=streets_datum,
        strict=strict,
    )
    report_progress("distances", 0.0)
    origins = Origins(circles.x, circles.y)
    table = _measure(pm, distance, provider, origins, columns, query)
    isochrones: Sequence[Any] = [None] * len(comms)
    details: Sequence[Any] = [{}] * len(comms)
    run_details: Mapping[str, Any] = {}
    if isinstance(provider, IsochroneProvider):
        isochrones = provider.isochrones(origins, prof.tier_distances_m)
    if isinstance(provider, DetailProvider):
        details = provider.origin_details(origins)
        run_details = provider.report_details(f_layer.ids.tolist())
    shares: list[dict[str, float] | None] | None = None
    rejected_residents: tuple[Rejection, ...] | None = None
    if r_layer is not None:
        from livable.indicators.residents import resident_access

        shares, unknown = resident_access(
            r_layer,
            [c.id for c in comms],
            projector=projector,
            provider=provider,
            facilities=columns,
            profile=prof,
            facility_types=types,
        )
        rejected_residents = sort_rejections(r_layer.rejected + unknown)
    report_progress("distances", 1.0)

    run_skipped: list[Skipped] = []
    center_lon, center_lat = projector.inverse(circles.x, circles.y)
    results: list[CommunityResult] = []
    for i, comm in enumerate(comms):
        if i % 256 == 0:
            report_progress("indicators", i / max(len(comms), 1))
        result = _evaluate_one(
            i,
            comm,
            prof,
            types,
            indicators,
            circles,
            table,
            f_layer,
            pm,
            (float(center_lon[i]), float(center_lat[i])),
            run_skipped,
        )
        if shares is not None:
            result = attrs.evolve(result, resident_access=shares[i])
        if isochrones[i] is not None or details[i]:
            merged = {**result.details, **details[i]}
            result = attrs.evolve(result, isochrones=isochrones[i], details=merged)
        results.append(result)
    report_progress("indicators", 1.0)
    results.sort(key=lambda r: r.id)

    sources = (c_layer.source, f_layer.source) + ((r_layer.source,) if r_layer else ())
    inputs = tuple(s for s in sources if s.path != "<memory>")
    rejected = sort_rejections(c_layer.rejected)
    summary = summarize(results, rejected=len(rejected), profile=prof, facility_types=types)
    return Report(
        livable_version=__version__,
        profile=prof.id,
        profile_sha256=prof.sha256,
        distance=getattr(provider, "name", distance),
        working_crs=projector.name,
        inputs=inputs,
        plugins=pm.plugins(),
        communities=tuple(results),
        rejected=rejected,
        summary=summary,
        rejected_facilities=sort_rejections(f_layer.rejected),
        rejected_residents=rejected_residents,
        repaired=sort_rejections(c_layer.repaired + f_layer.repaired),
        skipped=pm.skipped + tuple(run_skipped),
        details=run_details,
    )


def _applicable_indicators(pm: PluginManager, profile: Profile) -> list[Indicator]:
    """The registered indicators the profile asks for; a graded role needs its indicator.

    A profile that makes an indicator count for ``livable`` or ``happy`` while no plugin
    registers it (not installed, blocked, or skipped in record mode) is an error: grading
    without it would silently relax the standard.
    """
    registered = pm.indicators()
    known = {i.id for i in registered}
    graded = sorted(
        i for i, role in profile.indicator_roles.items() if role in _ROLE_GRADE and i not in known
    )
    if graded:
        raise LivableError(
            f"profile {profile.id!r} gives a grade role to indicators no plugin registers: "
            f"{', '.join(graded)} (is the plugin that adds them installed and allowed?)"
        )
    chosen: list[Indicator] = []
    hook = "livable_indicators"
    for indicator in registered:
        try:
            applies = indicator.applies(profile)
        except Exception as exc:
            raise PluginError(
                f"indicator {indicator.id!r}: applies(profile) raised {exc!r}",
                plugin=pm.owner(hook, indicator.id),
                hook=hook,
            ) from exc
        if applies:
            chosen.append(indicator)
    return chosen


def _measure(
    pm: PluginManager,
    name: str,
    provider: Any,
    origins: Origins,
    columns: FacilityColumns,
    query: AccessQuery,
) -> AccessTable:
    """Run a provider, naming its plugin if it raises or answers with the wrong shape."""
    plugin, hook = pm.owner("livable_distance_providers", name), "livable_distance_providers"
    try:
        table = provider.measure(origins, columns, query)
    except LivableError:
        raise
    except Exception as exc:
        raise PluginError(
            f"provider {name!r}: measure() raised {exc!r}", plugin=plugin, hook=hook
        ) from exc
    shape = (len(origins), len(query.type_ids))
    if not isinstance(table, AccessTable):
        raise PluginError(
            f"provider {name!r}: measure() returned {type(table).__name__}, not an AccessTable",
            plugin=plugin,
            hook=hook,
        )
    if table.nearest_m.shape != shape or table.count_in_circle.shape != shape:
        raise PluginError(
            f"provider {name!r}: measure() returned a table of shape "
            f"{table.nearest_m.shape}, not {shape} (origins x facility types)",
            plugin=plugin,
            hook=hook,
        )
    return table


def _run_indicator(
    indicator: Indicator,
    context: CommunityContext,
    pm: PluginManager,
    skipped: list[Skipped],
) -> IndicatorResult:
    """One indicator on one community; a fault names the plugin (record: not assessed)."""
    hook = "livable_indicators"
    community = context.community.id
    try:
        result: object = indicator.evaluate(context)
        problem = None
        if not isinstance(result, IndicatorResult):
            problem = f"returned {type(result).__name__}, not an IndicatorResult"
        elif result.id != indicator.id:
            problem = f"returned a result with id {show(result.id)}"
    except Exception as exc:
        if pm.fault_mode == "fail":
            raise PluginError(
                f"indicator {show(indicator.id)} raised {exc!r} on community {show(community)}",
                plugin=pm.owner(hook, indicator.id),
                hook=hook,
            ) from exc
        problem = f"raised {exc!r}"
    if problem is None and isinstance(result, IndicatorResult):
        return result
    reason = f"indicator {indicator.id!r} {problem}"
    plugin = pm.owner(hook, indicator.id) or "?"
    pm.fault(reason, plugin=plugin, hook=hook, community=community, sink=skipped)
    return IndicatorResult(
        id=indicator.id,
        status="not_assessed",
        value=None,
        unit=indicator.unit,
        requirement=indicator.requirement,
        key_content=indicator.key_content,
        message_en=f"{indicator.label_en}: not assessed, plugin {plugin!r} failed ({problem})",
        message_zh=f"{indicator.label_zh}：未评估，插件“{plugin}”出错（{problem}）",
    )


_INDEX = re.compile(r"#\d+")


def _rejection_key(r: Rejection) -> tuple[bool, str, str, str, int]:
    path, _, index = r.source.rpartition("#")
    where = int(index) if index.isdigit() else -1
    return (r.id is None, r.id or "", path or r.source, _INDEX.sub("#", r.reason), where)


def sort_rejections(rejections: Iterable[Rejection]) -> tuple[Rejection, ...]:
    """Rejections in the report's documented order, independent of the input order.

    Sorted by id (features without an id last), then file, then reason with its feature
    numbers ignored, then feature index: two inputs that hold the same features in another
    order give the same list, up to the ``#index`` numbers (``docs/explanation/determinism.md``).

    >>> rs = [Rejection(None, "c.geojson#0", "no geometry"), Rejection("b", "c.geojson#1", "x"),
    ...       Rejection("a", "c.geojson#2", "y")]
    >>> [r.source for r in sort_rejections(rs)]
    ['c.geojson#2', 'c.geojson#1', 'c.geojson#0']
    """
    return tuple(sorted(rejections, key=_rejection_key))


@overload
def canonical_order(layer: CommunityLayer) -> CommunityLayer: ...
@overload
def canonical_order(layer: FacilityLayer) -> FacilityLayer: ...
def canonical_order(layer: CommunityLayer | FacilityLayer) -> CommunityLayer | FacilityLayer:
    """The layer with its rows sorted by id, so results never depend on the input order.

    Facility order breaks ties between facilities at the same distance (``nearest`` lists,
    ``in_circle``); sorting by id (then type and position) makes them deterministic.

    >>> from livable.testing import community
    >>> layer = CommunityLayer((community("b", 108.9, 34.2), community("a", 108.9, 34.3)))
    >>> [c.id for c in canonical_order(layer).communities]
    ['a', 'b']
    """
    if isinstance(layer, CommunityLayer):
        order = sorted(range(len(layer.communities)), key=lambda i: layer.communities[i].id)
        return attrs.evolve(
            layer,
            communities=tuple(layer.communities[i] for i in order),
            sources=tuple(layer.sources[i] for i in order) if layer.sources else (),
        )
    keys = (layer.lat, layer.lon, layer.types.astype(str), layer.ids.astype(str))
    return layer.take(np.lexsort(keys)) if len(layer) else layer


def reject_far_communities(layer: CommunityLayer, *, strict: bool = False) -> CommunityLayer:
    """Move communities too far from the rest into ``rejected`` (see
    :func:`~livable.geometry.extent.far_communities`); with ``strict``, raise instead.

    One community geocoded on the wrong continent would otherwise move the working CRS and
    distort every distance. Data genuinely spread too wide raises
    :class:`~livable.errors.InputError`.

    >>> from livable.testing import community
    >>> layer = CommunityLayer((community("a", 108.94, 34.26), community("b", 108.95, 34.27),
    ...                         community("c", -71.06, 42.36)))
    >>> [r.id for r in reject_far_communities(layer).rejected]
    ['c']
    """
    comms = layer.communities
    if not comms:
        return layer
    bounds = shapely.bounds(np.array([c.geometry for c in comms], dtype=object))
    far = far_communities(
        bounds[:, 0], bounds[:, 1], bounds[:, 2], bounds[:, 3], source=layer.source.path
    )
    if not far.any():
        return layer
    kept = [i for i in range(len(comms)) if not far[i]]
    where = layer.sources or tuple(f"{layer.source.path}#?" for _ in comms)
    _, crs = scale_error_of(*(bounds[kept, k] for k in range(4)))
    rejected = []
    for i in np.flatnonzero(far).tolist():
        x, y = comms[i].geometry.centroid.coords[0]
        reason = (
            f"far from the other communities: at ({x:.6g}, {y:.6g}), too far from the rest "
            f"for one working CRS ({crs}) to measure within {MAX_SCALE_ERROR:.1%}; check its "
            "coordinates, or evaluate it in a separate run"
        )
        if strict:
            path, _, index = where[i].rpartition("#")
            raise InputError(
                reason,
                source=path,
                index=int(index) if index.isdigit() else None,
                feature_id=comms[i].id,
            )
        rejected.append(Rejection(comms[i].id, where[i], reason))
    return attrs.evolve(
        layer,
        communities=tuple(comms[i] for i in kept),
        sources=tuple(layer.sources[i] for i in kept) if layer.sources else (),
        rejected=layer.rejected + tuple(rejected),
    )


def select_working_crs(
    comms: Sequence[Community],
    facilities: FacilityLayer,
    working_crs: str | int | pyproj.CRS | None = None,
) -> pyproj.CRS:
    """The metric working CRS: ``working_crs`` if named, else the UTM zone of the
    communities' extent (of the facilities' without communities).

    >>> from livable.testing import community
    >>> select_working_crs([community("c1", 108.94, 34.26)], FacilityLayer.from_facilities([]))
    <Projected CRS: EPSG:32649>
    ...
    """
    if working_crs is not None:
        work = resolve_crs(working_crs)
        if not work.is_projected:
            raise LivableError(f"working CRS {work.name!r} is not projected (metric)")
        return work
    lonlat = _extent_points(comms, facilities)
    if lonlat is not None:
        return choose_working_crs(lonlat[0], lonlat[1])
    return choose_working_crs(np.array([108.94]), np.array([34.26]))


def _extent_points(
    comms: Sequence[Community], facilities: FacilityLayer
) -> tuple[np.ndarray, np.ndarray] | None:
    if comms:
        bounds = shapely.bounds(np.array([c.geometry for c in comms], dtype=object))
        lon = np.r_[bounds[:, 0], bounds[:, 2]]
        lat = np.r_[bounds[:, 1], bounds[:, 3]]
        return lon, lat
    if len(facilities):
        return facilities.lon, facilities.lat
    return None


def _facility_columns(
    layer: FacilityLayer, type_ids: tuple[str, ...], projector: Projector
) -> FacilityColumns:
    code_of = {t: i for i, t in enumerate(type_ids)}
    codes = np.fromiter((code_of[t] for t in layer.types), dtype=np.int64, count=len(layer))
    x, y = projector.forward(layer.lon, layer.lat)
    areas = None
    if layer.areas is not None:
        areas = np.full(len(layer), None, dtype=object)
        mask = np.fromiter((g is not None for g in layer.areas), dtype=bool, count=len(layer))
        areas[mask] = projector.forward_geometry(layer.areas[mask])
    return FacilityColumns(x=x, y=y, type_codes=codes, type_ids=type_ids, areas=areas)


def _nearby(layer: FacilityLayer, index: int, distance: float) -> NearbyFacility:
    return _nearby_many(layer, np.array([index]), np.array([distance]))[0]


def _nearby_many(
    layer: FacilityLayer, index: np.ndarray, distance: np.ndarray
) -> list[NearbyFacility]:
    """Report objects of many facilities, their columns gathered in bulk."""
    quality = layer.quality[index]
    return [
        NearbyFacility(
            id=str(fid),
            type=str(ftype),
            name=name,
            lon=lon,
            lat=lat,
            distance_m=d,
            brand=brand,
            quality=None if q != q else q,  # NaN: unknown
        )
        for fid, ftype, name, lon, lat, d, brand, q in zip(
            layer.ids[index].tolist(),
            layer.types[index].tolist(),
            layer.names[index].tolist(),
            layer.lon[index].tolist(),
            layer.lat[index].tolist(),
            np.asarray(distance, dtype=np.float64).tolist(),
            layer.brands[index].tolist(),
            quality.tolist(),
            strict=True,
        )
    ]


class _Columns(Mapping[str, np.ndarray]):
    """The columns a :data:`FacilityFilter` sees, gathered when first read."""

    _FIELDS = ("id", "type", "name", "brand", "quality", "distance_m")
    _SOURCE: ClassVar[dict[str, str]] = {
        "id": "ids",
        "type": "types",
        "name": "names",
        "brand": "brands",
    }

    def __init__(self, layer: FacilityLayer, index: np.ndarray, distance: np.ndarray):
        self._layer, self._index, self._distance = layer, index, distance

    def __getitem__(self, key: str) -> np.ndarray:
        if key == "distance_m":
            return self._distance
        if key == "quality":
            quality: np.ndarray = self._layer.quality[self._index]
            return quality
        if key in self._SOURCE:
            column: np.ndarray = getattr(self._layer, self._SOURCE[key])[self._index]
            return column
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._FIELDS)

    def __len__(self) -> int:
        return len(self._FIELDS)


class _LazyNearby(Sequence[NearbyFacility]):
    """Facilities near a centre as a sequence whose items are built when read."""

    __slots__ = ("_distance", "_index", "_layer")

    def __init__(self, layer: FacilityLayer, index: np.ndarray, distance: np.ndarray):
        self._layer, self._index, self._distance = layer, index, distance

    def __len__(self) -> int:
        return int(self._index.shape[0])

    @overload
    def __getitem__(self, i: int) -> NearbyFacility: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[NearbyFacility]: ...
    def __getitem__(self, i: int | slice) -> NearbyFacility | Sequence[NearbyFacility]:
        if isinstance(i, slice):
            return _LazyNearby(self._layer, self._index[i], self._distance[i])
        return _nearby(self._layer, int(self._index[i]), float(self._distance[i]))

    def __iter__(self) -> Iterator[NearbyFacility]:
        for lo in range(0, len(self), 64):  # in batches: a loop may stop early
            yield from _nearby_many(
                self._layer, self._index[lo : lo + 64], self._distance[lo : lo + 64]
            )


def _access_entries(
    i: int,
    type_ids: Sequence[str],
    types: Mapping[str, FacilityType],
    table: AccessTable,
    layer: FacilityLayer,
    tiers: Sequence[float],
) -> dict[str, TypeAccess]:
    keys = [round(t) for t in tiers]
    entries: dict[str, TypeAccess] = {}
    found = table.knn_index[i] >= 0
    near = iter(_nearby_many(layer, table.knn_index[i][found], table.knn_m[i][found]))
    per_type = found.sum(axis=1).tolist()
    nearest_m = table.nearest_m[i].tolist()
    counts = table.count_within[i].tolist()
    in_circle = table.count_in_circle[i].tolist()
    for j, type_id in enumerate(type_ids):
        nearest = nearest_m[j]
        entries[type_id] = TypeAccess(
            facility_type=type_id,
            category=types[type_id].category,
            nearest_m=None if nearest != nearest else nearest,  # NaN: none in reach
            count_within=dict(zip(keys, counts[j], strict=True)),
            count_in_circle=in_circle[j],
            nearest=tuple(next(near) for _ in range(per_type[j])),
        )
    return entries


def _evaluate_one(
    i: int,
    comm: Community,
    profile: Profile,
    types: Mapping[str, FacilityType],
    indicators: Sequence[Indicator],
    circles: ServiceCircles,
    table: AccessTable,
    layer: FacilityLayer,
    pm: PluginManager,
    center: tuple[float, float],
    skipped: list[Skipped],
) -> CommunityResult:
    type_ids = tuple(types)
    access = _access_entries(i, type_ids, types, table, layer, profile.tier_distances_m)
    size_class = profile.size_class_of(comm.population)
    radius = float(circles.radius_m[i])

    code_of = {t: j for j, t in enumerate(type_ids)}

    @functools.cache
    def in_circle(
        facility_type: str | None = None, where: FacilityFilter | None = None
    ) -> Sequence[NearbyFacility]:
        if facility_type is not None and facility_type not in code_of:
            return ()
        code = None if facility_type is None else code_of[facility_type]
        idx, dist = table.in_circle(i, code)
        if where is not None and idx.size:
            keep = np.asarray(where(_Columns(layer, idx, dist)), dtype=bool)
            idx, dist = idx[keep], dist[keep]
        return _LazyNearby(layer, idx, dist)

    context = CommunityContext(
        community=comm,
        profile=profile,
        size_class=size_class,
        radius_m=radius,
        access=access,
        facility_types=types,
        in_circle=in_circle,
    )
    results: list[IndicatorResult] = []
    for indicator in indicators:
        role = role_of(profile, indicator)
        result = _run_indicator(indicator, context, pm, skipped)
        target = _ROLE_GRADE.get(role)
        gaps = tuple(attrs.evolve(g, grade=target) for g in result.gaps) if target else ()
        results.append(attrs.evolve(result, role=role, gaps=gaps))
    grade = rule_grade = grade_from_results(results)
    details: dict[str, Any] = {}
    decided = pm.classify(comm, tuple(results), profile, skipped=skipped)
    if decided is not None:
        plugin, grade = decided
        if plugin not in BUILTIN_NAMES and grade != rule_grade:
            details["grade_override"] = {"plugin": plugin, "rule_grade": rule_grade.value}
    final = tuple(
        r if r.decisive == (d := _decisive(r, grade)) else attrs.evolve(r, decisive=d)
        for r in results
    )
    gaps = tuple(g for r in final if r.status != "passed" for g in r.gaps)
    return CommunityResult(
        id=comm.id,
        name=comm.name,
        grade=grade,
        center=center,
        center_inside=bool(circles.center_inside[i]),
        center_source=circles.center_source[i],
        radius_m=radius,
        radius_reason=circles.radius_reason[i],
        geometry=comm.geometry,
        district=comm.district,
        subdistrict=comm.subdistrict,
        zone=profile.zone_of(comm.district, comm.zone),
        population=comm.population,
        size_class=size_class.id,
        access=tuple(access.values()),
        gaps=gaps,
        indicators=final,
        score=CommunityScore.from_results(final),
        details=details,
    )
