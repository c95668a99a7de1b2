"""The evaluation pipeline.

Data flows one way: read and validate inputs -> project to a metric CRS -> service circles
-> distance provider (R-tree, vectorised) -> indicators -> grade and gaps -> roll-up ->
:class:`~livable.report.Report`. Each stage is a plain function; facilities travel as
columns, and model objects are built per community only for the report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pyproj
import shapely

from livable._version import __version__
from livable.errors import LivableError
from livable.geometry.access import AccessQuery, AccessTable, FacilityColumns, Origins
from livable.geometry.circle import ServiceCircles, service_circles
from livable.geometry.crs import Projector, choose_working_crs, resolve_crs
from livable.geometry.datums import Datum
from livable.geometry.providers import DetailProvider, IsochroneProvider
from livable.indicators.base import CommunityContext, Indicator
from livable.io import (
    CommunityLayer,
    FacilityLayer,
    FeatureSource,
    Limits,
    read_communities,
    read_facilities,
)
from livable.models import Community, Facility, FacilityType, Grade
from livable.plugins.manager import PluginManager
from livable.profile import Profile, load_profile
from livable.report import (
    CommunityResult,
    IndicatorResult,
    NearbyFacility,
    Report,
    TypeAccess,
)
from livable.rollup import summarize

__all__ = ["Progress", "evaluate", "grade_from_results", "resolve_profile"]

Progress = Callable[[str, float], None]
"""A progress callback: ``(stage, fraction)`` with stages ``reading``, ``indexing``,
``distances``, ``indicators`` and ``writing``, fraction from 0 to 1."""

DEFAULT_LIMITS = Limits()

_ROLE_GRADE = {"livable": Grade.LIVABLE, "happy": Grade.HAPPY}


def resolve_profile(profile: str | Path | Profile, plugins: PluginManager) -> Profile:
    """A profile object from an id registered by a plugin, a built-in id, or a TOML path."""
    if isinstance(profile, Profile):
        return profile
    registered = plugins.profiles()
    if isinstance(profile, str) and profile in registered:
        return registered[profile]
    return load_profile(profile)


def role_of(profile: Profile, indicator: Indicator) -> str:
    """The role the profile gives an indicator (``livable``/``happy``/``scored``/``info``)."""
    if indicator.id == "tier_access" and profile.livable_requires_tiers:
        return "livable"
    return profile.indicator_roles.get(indicator.id, "info")


def grade_from_results(results: Sequence[IndicatorResult]) -> Grade:
    """The grade the indicator results give (``P3``-``P5``).

    Livable needs every ``livable``-role indicator passed; happy needs livable and every
    ``happy``-role indicator passed. "Not assessed" never counts as passed.

    >>> r = IndicatorResult(id="twelve_ones", status="passed", value=12, unit=None,
    ...     requirement="convenience", key_content="convenience_services",
    ...     message_en="", message_zh="", role="livable")
    >>> grade_from_results([r])
    <Grade.HAPPY: 'happy'>
    """
    livable = all(r.status == "passed" for r in results if r.role == "livable")
    if not livable:
        return Grade.NOT_LIVABLE
    happy = all(r.status == "passed" for r in results if r.role == "happy")
    return Grade.HAPPY if happy else Grade.LIVABLE


def _decisive(result: IndicatorResult, grade: Grade) -> bool:
    target = _ROLE_GRADE.get(result.role)
    if target is None:
        return False
    if result.status == "passed":
        return target.rank <= grade.rank
    return target.rank == grade.rank + 1


def _as_communities(
    source: FeatureSource | CommunityLayer | Iterable[Community],
    *,
    crs: Any,
    datum: Datum | str,
    strict: bool,
    limits: Limits,
) -> CommunityLayer:
    if isinstance(source, CommunityLayer):
        return source
    if (
        isinstance(source, str | bytes | Path | Mapping)
        or hasattr(source, "__fspath__")
        or hasattr(source, "__geo_interface__")
    ):
        return read_communities(source, crs=crs, datum=datum, strict=strict, limits=limits)  # type: ignore[arg-type]
    items = list(source)
    if not all(isinstance(c, Community) for c in items):
        raise LivableError("communities must be a GeoJSON source or Community objects")
    ids = [c.id for c in items]
    if len(set(ids)) != len(ids):
        raise LivableError("Community objects must have unique ids")
    return CommunityLayer(communities=tuple(items), count=len(items))


def _as_facilities(
    source: FeatureSource | FacilityLayer | Iterable[Facility],
    *,
    crs: Any,
    datum: Datum | str,
    known_types: Iterable[str],
    strict: bool,
    limits: Limits,
) -> FacilityLayer:
    if isinstance(source, FacilityLayer):
        layer = source
    elif (
        isinstance(source, str | bytes | Path | Mapping)
        or hasattr(source, "__fspath__")
        or hasattr(source, "__geo_interface__")
    ):
        return read_facilities(
            source,  # type: ignore[arg-type]
            crs=crs,
            datum=datum,
            known_types=list(known_types),
            strict=strict,
            limits=limits,
        )
    else:
        items = list(source)
        if not all(isinstance(f, Facility) for f in items):
            raise LivableError("facilities must be a GeoJSON source or Facility objects")
        layer = FacilityLayer.from_facilities(items)
    unknown = sorted(set(layer.types.tolist()) - set(known_types))
    if unknown:
        raise LivableError(f"unknown facility types {unknown}; register them with a plugin")
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
    strict: bool = False,
    plugins: PluginManager | None = None,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> Report:
    """Evaluate communities against a profile and return the :class:`~livable.report.Report`.

    ``communities`` and ``facilities`` are GeoJSON files, bytes, parsed FeatureCollections,
    layers from :func:`~livable.read_communities` / :func:`~livable.read_facilities`, or
    model objects. Every input community ends in ``report.communities`` or
    ``report.rejected``.

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
        raise LivableError(
            f"unknown distance provider {distance!r}; available: {', '.join(sorted(providers))}"
        )
    missing = [t for t in prof.required if t not in types]
    if missing:
        raise LivableError(f"profile {prof.id!r} requires unknown facility types {missing}")

    report_progress("reading", 0.0)
    c_layer = _as_communities(
        communities, crs=communities_crs, datum=communities_datum, strict=strict, limits=limits
    )
    f_layer = _as_facilities(
        facilities,
        crs=facilities_crs,
        datum=facilities_datum,
        known_types=types.keys(),
        strict=strict,
        limits=limits,
    )
    report_progress("reading", 1.0)

    comms = c_layer.communities
    lonlat = _extent_points(comms, f_layer)
    if working_crs is not None:
        work = resolve_crs(working_crs)
        if not work.is_projected:
            raise LivableError(f"working CRS {work.name!r} is not projected (metric)")
    elif lonlat is not None:
        work = choose_working_crs(lonlat[0], lonlat[1])
    else:
        work = choose_working_crs(np.array([108.94]), np.array([34.26]))
    projector = Projector.for_crs(work)

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
    factory = providers[distance]
    provider = factory(
        profile=prof,
        projector=projector,
        streets=streets,
        streets_crs=streets_crs,
        streets_datum=streets_datum,
        strict=strict,
    )
    report_progress("distances", 0.0)
    origins = Origins(circles.x, circles.y)
    table = provider.measure(origins, columns, query)
    isochrones: Sequence[Any] = [None] * len(comms)
    details: Sequence[Any] = [{}] * len(comms)
    run_details: Mapping[str, Any] = {}
    if isinstance(provider, IsochroneProvider):
        isochrones = provider.isochrones(origins, prof.tier_distances_m)
    if isinstance(provider, DetailProvider):
        details = provider.origin_details(origins)
        run_details = provider.report_details(f_layer.ids.tolist())
    report_progress("distances", 1.0)

    indicators = [i for i in pm.indicators() if i.applies(prof)]
    center_lon, center_lat = projector.inverse(circles.x, circles.y)
    results: list[CommunityResult] = []
    for i, comm in enumerate(comms):
        if i % 256 == 0:
            report_progress("indicators", i / max(len(comms), 1))
        results.append(
            _evaluate_one(
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
            )
        )
        if isochrones[i] is not None or details[i]:
            results[-1] = attrs.evolve(results[-1], isochrones=isochrones[i], details=details[i])
    report_progress("indicators", 1.0)
    results.sort(key=lambda r: r.id)

    inputs = tuple(s for s in (c_layer.source, f_layer.source) if s.path != "<memory>")
    rejected = tuple(sorted(c_layer.rejected, key=lambda r: (r.id or "", r.source)))
    summary = summarize(results, rejected=len(rejected), profile=prof)
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
        rejected_facilities=tuple(f_layer.rejected),
        repaired=tuple(c_layer.repaired) + tuple(f_layer.repaired),
        skipped=tuple(pm.skipped),
        details=run_details,
    )


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
    quality = float(layer.quality[index])
    return NearbyFacility(
        id=str(layer.ids[index]),
        type=str(layer.types[index]),
        name=layer.names[index],
        lon=float(layer.lon[index]),
        lat=float(layer.lat[index]),
        distance_m=float(distance),
        brand=layer.brands[index],
        quality=None if np.isnan(quality) else quality,
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
    for j, type_id in enumerate(type_ids):
        nearest = float(table.nearest_m[i, j])
        knn = [
            _nearby(layer, int(f), float(d))
            for f, d in zip(table.knn_index[i, j], table.knn_m[i, j], strict=True)
            if f >= 0
        ]
        entries[type_id] = TypeAccess(
            facility_type=type_id,
            category=types[type_id].category,
            nearest_m=None if np.isnan(nearest) else nearest,
            count_within=dict(zip(keys, (int(c) for c in table.count_within[i, j]), strict=True)),
            count_in_circle=int(table.count_in_circle[i, j]),
            nearest=tuple(knn),
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
) -> CommunityResult:
    type_ids = tuple(types)
    access = _access_entries(i, type_ids, types, table, layer, profile.tier_distances_m)
    size_class = profile.size_class_of(comm.population)
    radius = float(circles.radius_m[i])

    def in_circle() -> tuple[NearbyFacility, ...]:
        idx, dist = table.in_circle(i)
        return tuple(_nearby(layer, int(f), float(d)) for f, d in zip(idx, dist, strict=True))

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
        try:
            result = indicator.evaluate(context)
        except Exception as exc:
            raise LivableError(
                f"indicator {indicator.id!r} failed on community {comm.id!r}: {exc!r}"
            ) from exc
        if not isinstance(result, IndicatorResult):
            raise LivableError(
                f"indicator {indicator.id!r} returned {type(result).__name__}, "
                "not an IndicatorResult"
            )
        target = _ROLE_GRADE.get(role)
        gaps = tuple(attrs.evolve(g, grade=target) for g in result.gaps) if target else ()
        results.append(attrs.evolve(result, role=role, gaps=gaps))
    grade = grade_from_results(results)
    override = pm.classify(comm, tuple(results), profile)
    if override is not None:
        grade = override
    final = tuple(attrs.evolve(r, decisive=_decisive(r, grade)) for r in results)
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
    )
