"""The evaluation pipeline.

Data flows one way, one stage after the other, and no stage reaches back into an earlier
one (``docs/explanation/design.md``, "Engine shape"):

1. read and validate the inputs (:class:`LayerSpec` each), in canonical order, communities
   too far for one working CRS rejected;
2. project to a metric working CRS (:func:`select_working_crs`);
3. service circles (:func:`~livable.geometry.circle.service_circles`, ``P6.circle``);
4. the facility index: facilities as columns in the working CRS;
5. the distance provider (R-tree, vectorised; street network, geodesic, ...);
6. indicators, per community;
7. grade and gaps (:func:`livable.grading.grade_community`);
8. roll-ups (:func:`livable.grading.summarize`);
9. the :class:`~livable.report.Report`.

:func:`~livable.evaluate` is the wiring of these stages; facilities travel as columns, and model
objects are built per community only for the report.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import re
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, overload

import attrs
import numpy as np
import pyproj
import shapely

from livable._gc import paused_gc
from livable._text import show
from livable._version import __version__
from livable.errors import InputError, LivableError, PluginError
from livable.geometry.access import AccessQuery, AccessTable, FacilityColumns, Origins
from livable.geometry.circle import ServiceCircles, approved_radius, service_circles
from livable.geometry.crs import Projector, choose_working_crs
from livable.geometry.extent import MAX_SCALE_ERROR, far_communities, scale_error_of
from livable.geometry.providers import DetailProvider, DistanceProvider, IsochroneProvider
from livable.grading import GRADE_ROLES, grade_community, summarize, with_role
from livable.indicators.base import (
    CommunitiesContext,
    CommunityContext,
    FacilityFilter,
    Indicator,
    PerFacility,
)
from livable.indicators.base import role_of as indicator_role
from livable.io.account import accounted, missing_types, rejection_notes
from livable.io.crs import resolve_crs
from livable.io.datums import Datum
from livable.io.layers import PropertyAttributes
from livable.io.readers import (
    CommunityLayer,
    FacilityLayer,
    FeatureSource,
    Limits,
    ResidentLayer,
    read_communities,
    read_facilities,
    read_residents,
)
from livable.models import (
    FLAG_QUALIFIERS,
    Community,
    CommunityResult,
    CommunityScore,
    Facility,
    FacilityType,
    IndicatorResult,
    InputNote,
    NearbyFacilities,
    NearbyFacility,
    Rejection,
    Report,
    SizeClass,
    Skipped,
    SourceInfo,
    TypeAccess,
    grade_from_results,
    qualifier_flag,
)
from livable.models.results import NOTE_EXAMPLES
from livable.plugins.manager import PluginManager
from livable.profile import Profile, load_profile

__all__ = [
    "EvaluationSettings",
    "Inputs",
    "LayerSpec",
    "Progress",
    "access_entries",
    "as_community_layer",
    "as_facility_layer",
    "as_resident_layer",
    "attribute_names",
    "canonical_order",
    "check_facilities",
    "evaluate",
    "evaluate_inputs",
    "facility_columns",
    "grade_from_results",
    "reject_far_communities",
    "reject_unapproved_radii",
    "resolve_profile",
    "select_working_crs",
    "sort_rejections",
]

Progress = Callable[[str, float], None]
"""A progress callback: ``(stage, fraction)`` with stages ``reading``, ``indexing``,
``distances``, ``indicators`` and ``writing``, fraction from 0 to 1."""

DEFAULT_LIMITS = Limits()

CRSLike = str | int | pyproj.CRS
"""A CRS as :func:`~livable.geometry.crs.resolve_crs` reads it: ``"EPSG:4490"``, ``4490``,
a WKT or PROJ string, or a :class:`pyproj.CRS`."""


def _not_a_spec(_inst: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, LayerSpec):
        raise InputError("a LayerSpec's source cannot be another LayerSpec")


@attrs.frozen(eq=False)
class LayerSpec:
    """One input layer of :func:`livable.evaluate`: its source, CRS and datum.

    ``source`` is what the layer is read from: a GeoJSON file path, its bytes, a parsed
    FeatureCollection, a GIS file or GeoDataFrame, a layer already read (e.g.
    :class:`~livable.io.CommunityLayer`) or model objects. ``crs`` names the CRS of its
    coordinates when the source does not (``None``: the source's own, else WGS84 lon/lat);
    ``datum`` the datum of lon/lat from a Chinese map vendor (``gcj02`` of Amap and
    Tencent, ``bd09`` of Baidu; see ``docs/howto/crs-china.md``). A source given to
    :func:`~livable.evaluate` without a spec is ``LayerSpec(source)``.

    >>> spec = LayerSpec("facilities.geojson", datum="gcj02")
    >>> spec.crs is None, spec.datum
    (True, 'gcj02')
    >>> LayerSpec.of(spec) is spec, LayerSpec.of("c.geojson").datum
    (True, <Datum.WGS84: 'wgs84'>)
    """

    source: Any = attrs.field(validator=_not_a_spec)
    crs: CRSLike | None = None
    datum: Datum | str = Datum.WGS84

    @classmethod
    def of(cls, source: object) -> LayerSpec:
        """``source`` if it is a spec already, else ``LayerSpec(source)``."""
        return source if isinstance(source, LayerSpec) else cls(source)


def _spec(source: object) -> LayerSpec:
    return LayerSpec.of(source)


def _optional_spec(source: object) -> LayerSpec | None:
    return None if source is None else LayerSpec.of(source)


_LAYERS = ("communities", "facilities", "residents", "streets")
_DEPRECATED = {f"{layer}_{part}": (layer, part) for layer in _LAYERS for part in ("crs", "datum")}
_DEFAULTS: Mapping[str, object] = {"crs": None, "datum": Datum.WGS84}


@attrs.frozen(eq=False)
class Inputs:
    """The input layers of one evaluation, each a :class:`LayerSpec` (sources are wrapped).

    >>> inputs = Inputs("c.geojson", LayerSpec("f.geojson", datum="bd09"))
    >>> inputs.communities.source, inputs.facilities.datum, inputs.streets
    ('c.geojson', 'bd09', None)
    """

    communities: LayerSpec = attrs.field(converter=_spec)
    facilities: LayerSpec = attrs.field(converter=_spec)
    residents: LayerSpec | None = attrs.field(default=None, converter=_optional_spec)
    streets: LayerSpec | None = attrs.field(default=None, converter=_optional_spec)

    def with_deprecated(
        self, options: Mapping[str, Any], *, caller: str, stacklevel: int = 3
    ) -> Inputs:
        """The inputs with the 0.1 per-layer keywords (``communities_crs=``,
        ``facilities_datum=``, ...) of ``caller`` applied, each with a
        :class:`DeprecationWarning` naming its :class:`LayerSpec` replacement; another
        name raises :class:`TypeError` as for any unknown keyword, and a value that
        contradicts the layer's spec :class:`~livable.errors.InputError`. ``stacklevel`` points
        the warning at the caller of ``caller`` (3: ``caller`` calls this method).

        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     inputs = Inputs("c.geojson", "f.geojson").with_deprecated(
        ...         {"facilities_datum": "gcj02"}, caller="evaluate")
        >>> inputs.facilities.datum, str(caught[0].message).split(";")[0]
        ('gcj02', 'evaluate(facilities_datum=...) is deprecated')
        """
        specs = {layer: getattr(self, layer) for layer in _LAYERS}
        explicit = set()
        for key, value in options.items():
            if key not in _DEPRECATED:
                raise TypeError(f"{caller}() got an unexpected keyword argument {key!r}")
            layer, part = _DEPRECATED[key]
            warnings.warn(
                f"{caller}({key}=...) is deprecated; pass {layer}=LayerSpec(source, "
                f"{part}=...) instead (livable.LayerSpec; the keyword goes in 0.3)",
                DeprecationWarning,
                stacklevel=stacklevel,
            )
            spec = specs[layer]
            if spec is None:  # as in 0.1: the CRS or datum of a layer not given is unused
                continue
            given = getattr(spec, part)
            if given != _DEFAULTS[part] and given != value:
                raise InputError(
                    f"{key}={value!r} contradicts the LayerSpec of {layer} "
                    f"({part}={given!r}); give the {part} in the LayerSpec only"
                )
            explicit.add(layer)
            specs[layer] = attrs.evolve(spec, **{part: value})
        return Inputs(**specs) if explicit else self


def as_of_date(value: datetime.date | str | None) -> datetime.date | None:
    """The ``as_of`` date of an evaluation: a :class:`datetime.date` or its ``YYYY-MM-DD``
    text (``None``: the day of the run). Anything else is an :class:`InputError` naming it.

    >>> as_of_date("2021-06-30")
    datetime.date(2021, 6, 30)
    >>> as_of_date("2021-02-30")
    Traceback (most recent call last):
    ...
    livable.errors.InputError: as_of '2021-02-30' is not a date: give YYYY-MM-DD (e.g. 2021-06-30)
    """
    if value is None or (
        isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
    ):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(
        f"as_of {show(value) if isinstance(value, str) else repr(value)} is not a date: "
        "give YYYY-MM-DD (e.g. 2021-06-30)"
    )


def _rename_pairs(
    value: Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[tuple[str, str], ...]:
    """``rename=`` as sorted (old, new) pairs of text."""
    pairs = value.items() if isinstance(value, Mapping) else value
    out = []
    for old, new in pairs:
        if not (isinstance(old, str) and isinstance(new, str) and old and new):
            raise TypeError(f"rename= maps names to names (text), not {old!r}: {new!r}")
        out.append((old, new))
    return tuple(sorted(out))


@attrs.frozen
class EvaluationSettings:
    """How an evaluation measures and grades, apart from its inputs and plugins.

    ``profile`` is a :class:`~livable.profile.Profile`, a built-in or plugin profile id or
    a TOML path; ``distance`` a registered distance provider; ``working_crs`` the metric
    CRS to measure in (``None``: the UTM zone of the communities, far ones rejected);
    ``strict`` raises on the first invalid feature instead of rejecting it; ``limits``
    bounds what is read; ``encoding`` is the text encoding of a shapefile or CSV without one.
    The tiled and Dask evaluations (:mod:`livable.scale.tiles`, :mod:`livable.scale.dask`)
    send one to every tile.

    >>> settings = EvaluationSettings(distance="geodesic")
    >>> settings.profile, settings.distance, settings.strict
    ('xian-2020', 'geodesic', False)
    >>> EvaluationSettings.from_options({"strict": True, "communities_crs": 4490})
    (EvaluationSettings(profile='xian-2020', ..., strict=True, ...), {'communities_crs': 4490})
    """

    profile: str | Path | Profile = "xian-2020"
    distance: str = "euclidean"
    working_crs: CRSLike | None = None
    strict: bool = False
    limits: Limits = DEFAULT_LIMITS
    encoding: str | None = None
    rename: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_rename_pairs)
    """Property names to read under another name (``{"grn": "green_ratio"}``), every layer."""
    isochrones: bool = False
    """Draw every community's tier isochrones (a provider that can, ``network``); off by
    default: they cost time per community and grades do not depend on them."""
    as_of: datetime.date | None = attrs.field(default=None, converter=as_of_date)
    """The date the report describes (``evaluate --as-of``): the summary names the plan's
    stage of that date (``P6``) and the days to the targets' deadline. ``None``: the day
    of the run (so the report's bytes then depend on the day)."""
    bulk: bool = True
    """Decide the built-in indicators over arrays of every community at once, each
    distinct result built once; off, every community is evaluated on its own (the
    reference path: the report is the same, byte for byte)."""

    @classmethod
    def from_options(
        cls, options: Mapping[str, Any], base: EvaluationSettings | None = None
    ) -> tuple[EvaluationSettings, dict[str, Any]]:
        """Settings from :func:`~livable.evaluate`'s keyword arguments (over ``base``), and the
        keywords that are not settings."""
        names = {a.name for a in attrs.fields(cls)}
        mine = {k: v for k, v in options.items() if k in names}
        rest = {k: v for k, v in options.items() if k not in names}
        return attrs.evolve(base or cls(), **mine), rest


def resolve_profile(profile: str | Path | Profile, plugins: PluginManager) -> Profile:
    """A profile object from an id registered by a plugin, a built-in id, or a TOML path.

    >>> resolve_profile("xian-2020", PluginManager(load_entry_points=False)).id
    'xian-2020'
    """
    if isinstance(profile, Profile):
        return profile
    return load_profile(profile, registered=plugins.profiles())


def role_of(profile: Profile, indicator: Indicator) -> str:
    """The role the profile gives an indicator (``livable``/``happy``/``scored``/``info``)."""
    return indicator_role(profile, indicator.id)


def evaluate(
    communities: FeatureSource | CommunityLayer | Iterable[Community] | LayerSpec,
    facilities: FeatureSource | FacilityLayer | Iterable[Facility] | LayerSpec,
    *,
    residents: FeatureSource | ResidentLayer | LayerSpec | None = None,
    streets: FeatureSource | LayerSpec | None = None,
    profile: str | Path | Profile = "xian-2020",
    distance: str = "euclidean",
    working_crs: CRSLike | None = None,
    strict: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    encoding: str | None = None,
    plugins: PluginManager | None = None,
    progress: Progress | None = None,
    rename: Mapping[str, str] | None = None,
    isochrones: bool = False,
    as_of: datetime.date | str | None = None,
    **deprecated: Any,
) -> Report:
    """Evaluate communities against a profile and return the :class:`~livable.report.Report`.

    ``communities`` and ``facilities`` are GeoJSON files, bytes, parsed FeatureCollections,
    layers from :func:`~livable.read_communities` / :func:`~livable.read_facilities`, or
    model objects; GIS files (shapefile, GeoPackage, GeoParquet, FlatGeobuf, CSV) and
    GeoDataFrames (their own CRS honoured) are read too, ``encoding`` naming the text
    encoding of a shapefile or CSV without one. Each input may be given as a
    :class:`LayerSpec` naming its CRS and datum: ``LayerSpec("shops.geojson",
    datum="gcj02")``. Every input community ends in ``report.communities`` or
    ``report.rejected``. The other keywords are those of ``livable.engine.EvaluationSettings``.

    ``streets`` are the street centre lines of the ``network`` distance provider;
    ``isochrones=True`` also draws every community's walking areas per tier (off by
    default: they cost time per community, and grades do not depend on them).
    ``rename`` reads property names under others (``{"grn": "green_ratio"}``).
    ``as_of`` (a date or ``"YYYY-MM-DD"``, default today) is the date the report describes:
    ``report.summary`` names the plan's stage of that date and how far its targets are.
    ``progress``, if given, is called as ``progress(stage, fraction)`` while the run goes
    through ``reading``, ``indexing``, ``distances`` and ``indicators`` (fraction 0 to 1
    within each stage); :class:`livable.cli.progress.TerminalProgress` draws it as a bar.

    ``residents`` (beyond the plan) are residential points with a ``population`` and a
    ``community`` id (:func:`~livable.io.read_residents`, a file or a
    :class:`~livable.io.ResidentLayer`); with them each community also reports
    ``resident_access``, the share of its residents who reach each service category within
    its walk tier (:mod:`livable.indicators.residents`).

    The 0.1 keywords ``communities_crs``, ``facilities_crs``, ``residents_crs``,
    ``streets_crs`` and the four ``*_datum`` still work, with a :class:`DeprecationWarning`
    naming the :class:`LayerSpec` that replaces them.

    >>> from livable.testing import community, facility
    >>> report = evaluate([community("c1", 108.94, 34.26)],
    ...                   [facility("k1", "kindergarten", 108.945, 34.26)])
    >>> c = report.communities[0]
    >>> c.grade, round(c.access_to("kindergarten").nearest_m)
    (<Grade.NOT_LIVABLE: 'not_livable'>, 461)
    """
    inputs = Inputs(communities, facilities, residents=residents, streets=streets)
    settings = EvaluationSettings(
        profile, distance, working_crs, strict, limits, encoding, rename or {}, isochrones, as_of
    )
    inputs = inputs.with_deprecated(deprecated, caller="evaluate")
    return evaluate_inputs(inputs, settings, plugins=plugins, progress=progress)


def evaluate_inputs(
    inputs: Inputs,
    settings: EvaluationSettings,
    *,
    plugins: PluginManager | None = None,
    progress: Progress | None = None,
) -> Report:
    """:func:`~livable.evaluate` of typed inputs and settings: the stages of the pipeline, wired.

    >>> from livable.testing import community, facility
    >>> inputs = Inputs([community("c1", 108.94, 34.26)],
    ...                 [facility("k1", "kindergarten", 108.945, 34.26)])
    >>> evaluate_inputs(inputs, EvaluationSettings()).communities[0].grade
    <Grade.NOT_LIVABLE: 'not_livable'>
    """
    report_progress = progress or _no_progress
    run = _setup(settings, plugins if plugins is not None else PluginManager())
    report_progress("reading", 0.0)
    layers = _read(inputs, settings, run.types, attribute_names(run.plugins.indicators()))
    layers = attrs.evolve(
        layers,
        communities=reject_unapproved_radii(
            layers.communities, run.profile, strict=settings.strict
        ),
    )
    report_progress("reading", 1.0)
    comms = layers.communities.communities
    projector = Projector.for_crs(
        select_working_crs(comms, layers.facilities, settings.working_crs)
    )
    report_progress("indexing", 0.0)
    circles = _circles(comms, run.profile, projector)
    columns = facility_columns(layers.facilities, tuple(run.types), projector)
    report_progress("indexing", 1.0)
    report_progress("distances", 0.0)
    measured = _distances(run, settings, inputs.streets, layers, projector, circles, columns)
    report_progress("distances", 1.0)
    with paused_gc():  # the results are acyclic: a collection would only rescan them
        results, skipped = _community_results(
            run, layers, projector, circles, measured, report_progress, bulk=settings.bulk
        )
        report_progress("indicators", 1.0)
        return _report(run, layers, projector, measured, results, skipped, inputs.streets)


def _no_progress(_stage: str, _fraction: float) -> None:
    pass


@attrs.frozen(eq=False)
class _Run:
    """What a run is made with, checked before any input is read."""

    plugins: PluginManager
    profile: Profile
    types: Mapping[str, FacilityType]
    indicators: tuple[Indicator, ...]
    distance: str
    as_of: datetime.date
    """The date the report describes (the settings' ``as_of``, else the day of the run)."""


def _setup(settings: EvaluationSettings, pm: PluginManager) -> _Run:
    """The profile, facility types, indicators and provider of a run, checked."""
    prof = resolve_profile(settings.profile, pm)
    types = pm.facility_types()
    providers = pm.distance_providers()
    if settings.distance not in providers:
        raise LivableError(pm.missing_provider(settings.distance))
    missing = [t for t in prof.required if t not in types]
    if missing:
        raise LivableError(f"profile {prof.id!r} requires unknown facility types {missing}")
    indicators = tuple(_applicable_indicators(pm, prof))
    as_of = settings.as_of or datetime.date.today()
    return _Run(pm, prof, types, indicators, settings.distance, as_of)


@attrs.frozen(eq=False)
class _Layers:
    """The inputs as read and validated: canonical order, far communities rejected."""

    communities: CommunityLayer
    facilities: FacilityLayer
    residents: ResidentLayer | None


def attribute_names(indicators: Iterable[Indicator]) -> frozenset[str]:
    """The community attributes the indicators read (``reads``, or a threshold's or
    flag's ``attribute``): what a shapefile's truncated column names are mapped back to.

    >>> from livable.indicators.builtin import GreenRatio, CommunityWorkers
    >>> sorted(attribute_names([GreenRatio(), CommunityWorkers()]))
    ['community_workers', 'green_ratio']
    """
    names: set[str] = set()
    for indicator in indicators:
        names.update(indicator.reads)
        attribute = getattr(indicator, "attribute", None)
        if isinstance(attribute, str):
            names.add(attribute)
    return frozenset(names)


def _read(
    inputs: Inputs,
    settings: EvaluationSettings,
    types: Mapping[str, FacilityType],
    names: Collection[str] = (),
) -> _Layers:
    """Stage 1: every input read; ``names`` the community attributes the run reads."""
    c_layer = as_community_layer(inputs.communities, settings, names=names)
    f_layer = as_facility_layer(inputs.facilities, settings, known_types=types.keys(), names=names)
    r_layer = None
    if inputs.residents is not None:
        r_layer = as_resident_layer(inputs.residents, settings)
    c_layer, f_layer = canonical_order(c_layer), canonical_order(f_layer)
    if settings.working_crs is None:
        c_layer = reject_far_communities(c_layer, strict=settings.strict)
    if _is_feature_source(LayerSpec.of(inputs.facilities).source):
        check_facilities(f_layer)  # a layer given as read (a tile's part) may hold none
    return _Layers(c_layer, f_layer, r_layer)


def _unreachable(measured: _Measured, community_ids: Sequence[str]) -> tuple[InputNote, ...]:
    """Facilities and community centres whose only streets were dropped (parts shorter
    than ``network_min_component_m``): reachable by no walk."""
    network = measured.run_details.get("network") or {}
    facilities = [
        str(f["id"])
        for f in network.get("off_network_facilities", ())
        if "belong to parts shorter" in str(f.get("reason", ""))
    ]
    centres = [
        community_ids[i]
        for i, d in enumerate(measured.details)
        if d.get("on_network") is False and i < len(community_ids)
    ]
    notes = []
    for what, ids in (("facilities", facilities), ("community centres", centres)):
        if ids:
            examples = tuple(show(i) for i in ids[:NOTE_EXAMPLES])
            notes.append(InputNote("unreachable", len(ids), what, examples))
    return tuple(notes)


def check_facilities(layer: FacilityLayer) -> None:
    """No usable facility out of a non-empty input is an error: every community would be
    graded on nothing (a foreign type vocabulary, a misspelt column).

    >>> from livable.io import read_facilities
    >>> fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties":
    ...       {"id": "h1", "type": "hospital"}, "geometry": {"type": "Point",
    ...       "coordinates": [108.94, 34.26]}}]}
    >>> check_facilities(read_facilities(fc))
    Traceback (most recent call last):
    ...
    livable.errors.InputError: <memory>: none of the 1 facilities is usable, so every ...
    """
    if layer.count == 0 or layer.count > len(layer.rejected):
        return  # a scanned layer (GeoParquet read per tile) holds no rows but its counts
    reasons = "; ".join(
        f"{n.count:,} x {n.what}" + (f" ({', '.join(n.examples)})" if n.examples else "")
        for n in rejection_notes(layer.rejected)[:3]
    )
    raise InputError(
        f"none of the {layer.count:,} facilities is usable, so every community would be "
        f"graded on nothing: {reasons}. Check the 'type' property holds the profile's type "
        "ids (`livable plugins` lists them) and the file is the facilities layer",
        source=layer.source.path,
    )


def _index_ids(info: SourceInfo) -> bool:
    """An in-memory input is listed in the report when its ids were made from row numbers."""
    return any(n.kind == "ids_from_index" for n in info.notes)


def _radius_approval(comm: Community) -> str | None:
    """The reason a district gave for the community's approved radius (``None``: none)."""
    if approved_radius(comm) is None:
        return None
    return str(comm.attributes["radius_reason"]).strip()


def _circles(comms: Sequence[Community], profile: Profile, projector: Projector) -> ServiceCircles:
    geoms = projector.forward_geometry(np.array([c.geometry for c in comms], dtype=object))
    return service_circles(
        geoms,
        profile,
        populations=[c.population for c in comms],
        approved=[approved_radius(c) for c in comms],
    )


@attrs.frozen(eq=False)
class _Measured:
    """The distance provider's answers: the access table and what it adds per community."""

    provider: DistanceProvider
    table: AccessTable
    isochrones: Sequence[Any]
    details: Sequence[Mapping[str, Any]]
    run_details: Mapping[str, Any]
    resident_shares: list[dict[str, float] | None] | None
    rejected_residents: tuple[Rejection, ...] | None


def _distances(
    run: _Run,
    settings: EvaluationSettings,
    streets: LayerSpec | None,
    layers: _Layers,
    projector: Projector,
    circles: ServiceCircles,
    columns: FacilityColumns,
) -> _Measured:
    """Build the provider and measure every origin (and the residents, if any)."""
    prof, pm, n = run.profile, run.plugins, len(circles.radius_m)
    query = AccessQuery(
        type_ids=tuple(run.types),
        tier_radii_m=prof.tier_distances_m,
        circle_radii_m=circles.radius_m,
        search_radius_m=prof.search_radius_m,
        k=prof.nearest_k,
    )
    provider = pm.make_provider(
        run.distance,
        profile=prof,
        projector=projector,
        streets=None if streets is None else streets.source,
        streets_crs=None if streets is None else streets.crs,
        streets_datum=Datum.WGS84 if streets is None else streets.datum,
        strict=settings.strict,
    )
    origins = Origins(circles.x, circles.y)
    table = _measure(pm, run.distance, provider, origins, columns, query)
    isochrones: Sequence[Any] = [None] * n
    details: Sequence[Mapping[str, Any]] = [{}] * n
    run_details: Mapping[str, Any] = {}
    if settings.isochrones and isinstance(provider, IsochroneProvider):
        isochrones = provider.isochrones(origins, prof.tier_distances_m)
    if isinstance(provider, DetailProvider):
        details = provider.origin_details(origins)
        run_details = provider.report_details(layers.facilities.ids.tolist())
    shares: list[dict[str, float] | None] | None = None
    rejected_residents: tuple[Rejection, ...] | None = None
    if layers.residents is not None:
        from livable.indicators.residents import resident_access

        shares, unknown = resident_access(
            layers.residents,
            [c.id for c in layers.communities.communities],
            projector=projector,
            provider=provider,
            facilities=columns,
            profile=prof,
            facility_types=run.types,
        )
        rejected_residents = sort_rejections(layers.residents.rejected + unknown)
    return _Measured(provider, table, isochrones, details, run_details, shares, rejected_residents)


def _community_results(
    run: _Run,
    layers: _Layers,
    projector: Projector,
    circles: ServiceCircles,
    measured: _Measured,
    progress: Progress,
    *,
    bulk: bool = True,
) -> tuple[list[CommunityResult], list[Skipped]]:
    """Indicators, grade and gaps of every community, sorted by id; plugin faults met.

    With ``bulk`` the indicators' :meth:`~livable.indicators.base.Indicator.bulk_keys`
    are decided over the arrays of every community at once and each key's result is
    built once; without, every community is evaluated on its own (the reference)."""
    skipped: list[Skipped] = []
    comms = layers.communities.communities
    center_lon, center_lat = projector.inverse(circles.x, circles.y)
    results: list[CommunityResult] = []
    circle_counts = _CircleCounts(measured.table, layers.facilities, tuple(run.types), bulk)
    sizes = [run.profile.size_class_of(c.population) for c in comms]
    many = None
    if bulk:
        many = CommunitiesContext(
            communities=comms,
            profile=run.profile,
            size_classes=sizes,
            radius_m=circles.radius_m,
            type_ids=tuple(run.types),
            facility_types=run.types,
            nearest_m=measured.table.nearest_m,
            count_in_circle=measured.table.count_in_circle,
            counts=circle_counts.counts,
        )
    shared = _Shared(run, many, sizes)
    rows = _access_rows(
        np.arange(len(comms)),
        tuple(run.types),
        run.types,
        measured.table,
        layers.facilities,
        run.profile.tier_distances_m,
    )
    for i, (comm, access) in enumerate(zip(comms, rows, strict=True)):
        if i % 256 == 0:
            progress("indicators", i / max(len(comms), 1))
        result = _evaluate_one(
            i,
            comm,
            run,
            circles,
            measured.table,
            layers.facilities,
            (float(center_lon[i]), float(center_lat[i])),
            skipped,
            circle_counts,
            shared,
            access,
        )
        if measured.resident_shares is not None:
            result = attrs.evolve(result, resident_access=measured.resident_shares[i])
        isochrone, details = measured.isochrones[i], measured.details[i]
        if isochrone is not None or details:
            merged = {**result.details, **details}
            result = attrs.evolve(result, isochrones=isochrone, details=merged)
        results.append(result)
    results.sort(key=lambda r: r.id)
    return results, skipped


def _read_in(info: SourceInfo, spec: LayerSpec | None) -> SourceInfo:
    """``info`` with the CRS and datum its layer was read in, when they were given (so a
    product can read the streets back as the run did)."""
    if spec is None:
        return info
    crs = None
    if spec.crs is not None:
        given = resolve_crs(spec.crs)
        authority = given.to_authority()
        crs = ":".join(authority) if authority else given.to_wkt()
    datum = Datum(spec.datum)
    return attrs.evolve(info, crs=crs, datum=None if datum is Datum.WGS84 else datum.value)


def _report(
    run: _Run,
    layers: _Layers,
    projector: Projector,
    measured: _Measured,
    results: list[CommunityResult],
    skipped: list[Skipped],
    street_spec: LayerSpec | None,
) -> Report:
    """The roll-ups and the report of a run."""
    c_layer, f_layer, r_layer = layers.communities, layers.facilities, layers.residents
    sources = [
        accounted(c_layer.source, "communities", c_layer.count, c_layer.rejected),
        accounted(
            f_layer.source,
            "facilities",
            f_layer.count,
            f_layer.rejected,
            missing_types(f_layer.types.tolist(), run.profile.required),
        ),
    ]
    if r_layer is not None:
        sources.append(accounted(r_layer.source, "residents", r_layer.count, r_layer.rejected))
    streets = getattr(measured.provider, "street_layer", None)
    if streets is not None:
        notes = measured.provider.street_notes()  # type: ignore[attr-defined]
        notes += _unreachable(measured, [c.id for c in c_layer.communities])
        info = accounted(streets.source, "streets", streets.count, streets.rejected, notes)
        sources.append(_read_in(info, street_spec))
    rejected = sort_rejections(c_layer.rejected)
    summary = summarize(
        results,
        rejected=len(rejected),
        profile=run.profile,
        facility_types=run.types,
        as_of=run.as_of,
    )
    return Report(
        livable_version=__version__,
        profile=run.profile.id,
        profile_sha256=run.profile.sha256,
        distance=getattr(measured.provider, "name", run.distance),
        working_crs=projector.name,
        inputs=tuple(s for s in sources if s.path != "<memory>" or _index_ids(s)),
        plugins=run.plugins.plugins(),
        communities=tuple(results),
        rejected=rejected,
        summary=summary,
        rejected_facilities=sort_rejections(f_layer.rejected),
        rejected_residents=measured.rejected_residents,
        repaired=sort_rejections(c_layer.repaired + f_layer.repaired),
        skipped=run.plugins.skipped + tuple(skipped),
        details=measured.run_details,
    )


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


def as_community_layer(
    spec: LayerSpec | FeatureSource | CommunityLayer | Iterable[Community],
    settings: EvaluationSettings,
    *,
    names: Collection[str] | None = None,
) -> CommunityLayer:
    """The communities of an input, read and validated (stage 1 of the pipeline).

    A :class:`~livable.io.CommunityLayer` is taken as it is, a file or FeatureCollection
    is read with :func:`~livable.read_communities` (the spec's CRS and datum, the
    settings' ``strict``, ``limits`` and ``encoding``), model objects are checked for
    unique ids.

    >>> from livable.testing import community
    >>> layer = as_community_layer([community("c1", 108.94, 34.26)], EvaluationSettings())
    >>> [c.id for c in layer.communities]
    ['c1']
    """
    spec = LayerSpec.of(spec)
    source = spec.source
    if isinstance(source, CommunityLayer):
        return source
    if _is_feature_source(source):
        return read_communities(
            source,
            crs=spec.crs,
            datum=spec.datum,
            strict=settings.strict,
            limits=settings.limits,
            encoding=settings.encoding,
            rename=dict(settings.rename),
            **({} if names is None else {"names": names}),
        )
    items = _model_items(source, "communities", Community, "CommunityLayer")
    ids = [c.id for c in items]
    if len(set(ids)) != len(ids):
        raise InputError("Community objects must have unique ids")
    return CommunityLayer(communities=tuple(items), count=len(items))


def as_facility_layer(
    spec: LayerSpec | FeatureSource | FacilityLayer | Iterable[Facility],
    settings: EvaluationSettings,
    *,
    known_types: Iterable[str],
    names: Collection[str] | None = None,
) -> FacilityLayer:
    """The facilities of an input as columns, read and validated (stage 1).

    As :func:`as_community_layer`, with :func:`~livable.read_facilities`; a layer or
    model objects with a type outside ``known_types`` raise
    :class:`~livable.errors.InputError`. ``names`` are the attributes the run's
    indicators read: a file's other properties are noted as ignored.

    >>> from livable.testing import facility
    >>> layer = as_facility_layer([facility("k1", "kindergarten", 108.945, 34.26)],
    ...                           EvaluationSettings(), known_types=["kindergarten"])
    >>> layer.ids.tolist()
    ['k1']
    """
    spec = LayerSpec.of(spec)
    source = spec.source
    known = list(known_types)
    if isinstance(source, FacilityLayer):
        layer = source
    elif _is_feature_source(source):
        return read_facilities(
            source,
            crs=spec.crs,
            datum=spec.datum,
            known_types=known,
            strict=settings.strict,
            limits=settings.limits,
            encoding=settings.encoding,
            rename=dict(settings.rename),
            **({} if names is None else {"names": names}),
        )
    else:
        items = _model_items(source, "facilities", Facility, "FacilityLayer")
        layer = FacilityLayer.from_facilities(items)
    unknown = sorted(set(layer.types.tolist()) - set(known))
    if unknown:
        raise InputError(f"unknown facility types {unknown}; register them with a plugin")
    return layer


def as_resident_layer(
    spec: LayerSpec | FeatureSource | ResidentLayer, settings: EvaluationSettings
) -> ResidentLayer:
    """The resident points of an input (a :class:`~livable.io.ResidentLayer` as it is, a
    file read with :func:`~livable.io.read_residents`).

    >>> fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties":
    ...       {"population": 40, "community": "c1"},
    ...       "geometry": {"type": "Point", "coordinates": [108.94, 34.26]}}]}
    >>> len(as_resident_layer(fc, EvaluationSettings()))
    1
    """
    spec = LayerSpec.of(spec)
    if isinstance(spec.source, ResidentLayer):
        return spec.source
    return read_residents(
        spec.source,
        crs=spec.crs,
        datum=spec.datum,
        strict=settings.strict,
        limits=settings.limits,
        encoding=settings.encoding,
        rename=dict(settings.rename),
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
        i for i, role in profile.indicator_roles.items() if role in GRADE_ROLES and i not in known
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
        message_zh=f"{indicator.label_zh}：插件“{plugin}”运行出错，未评估",
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
    if not len(layer):
        return layer
    ids = layer.ids.astype(str)
    if ids.size < 2 or (ids[1:] > ids[:-1]).all():  # sorted, no ties: already in order
        return layer
    by_id = np.argsort(ids, kind="stable")  # unique ids: the order of the full sort
    if (ids[by_id][1:] == ids[by_id][:-1]).any():  # ties: type, position
        by_id = np.lexsort((layer.lat, layer.lon, layer.types.astype(str), ids))
    return layer.take(by_id)


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
    _, crs = scale_error_of(*(bounds[kept, k] for k in range(4)))
    reasons = {}
    for i in np.flatnonzero(far).tolist():
        x, y = comms[i].geometry.centroid.coords[0]
        reasons[i] = (
            f"far from the other communities: at ({x:.6g}, {y:.6g}), too far from the rest "
            f"for one working CRS ({crs}) to measure within {MAX_SCALE_ERROR:.1%}; check its "
            "coordinates, or evaluate it in a separate run"
        )
    return _reject(layer, reasons, strict=strict)


def _reject(layer: CommunityLayer, reasons: Mapping[int, str], *, strict: bool) -> CommunityLayer:
    """``layer`` with the communities at the indices of ``reasons`` moved into ``rejected``
    with their reason; with ``strict``, an :class:`InputError` naming the first instead."""
    comms = layer.communities
    where = layer.sources or tuple(f"{layer.source.path}#?" for _ in comms)
    if strict:
        i = min(reasons)
        path, _, index = where[i].rpartition("#")
        raise InputError(
            reasons[i],
            source=path,
            index=int(index) if index.isdigit() else None,
            feature_id=comms[i].id,
        )
    kept = [i for i in range(len(comms)) if i not in reasons]
    return attrs.evolve(
        layer,
        communities=tuple(comms[i] for i in kept),
        sources=tuple(layer.sources[i] for i in kept) if layer.sources else (),
        rejected=layer.rejected
        + tuple(Rejection(comms[i].id, where[i], reasons[i]) for i in sorted(reasons)),
    )


def reject_unapproved_radii(
    layer: CommunityLayer, profile: Profile, *, strict: bool = False
) -> CommunityLayer:
    """Move communities whose approved radius (``radius_m``, ``P6.circle``) is larger than
    the profile's ``circle.approved_max_radius_m`` into ``rejected``; with ``strict``, raise.

    >>> from livable.profile import load_profile
    >>> from livable.testing import community
    >>> big = attrs.evolve(community("b", 108.95, 34.27),
    ...     attributes={"radius_m": 5000, "radius_reason": "区政府批准"})
    >>> layer = CommunityLayer((community("a", 108.94, 34.26), big))
    >>> [r.reason[:40] for r in reject_unapproved_radii(layer, load_profile("xian-2020")).rejected]
    ['radius_m 5000 is larger than the profile']
    """
    most = profile.circle.approved_max_radius_m
    comms = layer.communities
    over = [i for i, c in enumerate(comms) if (approved_radius(c) or 0.0) > most]
    if not over:
        return layer
    reasons = {
        i: (
            f"radius_m {comms[i].attributes['radius_m']!r} is larger than the profile's "
            f"circle.approved_max_radius_m ({most:g} m): an approved circle may be enlarged "
            "only so far (特大、分散社区可适当扩大); give a radius within it"
        )
        for i in over
    }
    return _reject(layer, reasons, strict=strict)


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


def facility_columns(
    layer: FacilityLayer, type_ids: tuple[str, ...], projector: Projector
) -> FacilityColumns:
    """The facilities of a layer as columns in the working CRS (stage 4), types coded by
    their position in ``type_ids``.

    >>> from livable.testing import facility
    >>> layer = FacilityLayer.from_facilities([facility("k1", "kindergarten", 108.94, 34.26)])
    >>> cols = facility_columns(layer, ("clinic", "kindergarten"), Projector.for_crs(
    ...     select_working_crs([], layer)))
    >>> cols.type_codes.tolist(), len(cols)
    ([1], 1)
    """
    code_of = {t: i for i, t in enumerate(type_ids)}
    codes = np.fromiter(map(code_of.__getitem__, layer.types), dtype=np.int64, count=len(layer))
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
    """Report objects of many facilities, their columns gathered in bulk (positional
    arguments in :class:`NearbyFacility`'s field order: a third faster than keywords)."""
    quality = layer.quality[index]
    known = quality.astype(object)
    known[quality != quality] = None  # NaN: unknown
    return list(
        map(
            NearbyFacility,
            map(str, layer.ids[index].tolist()),
            map(str, layer.types[index].tolist()),
            layer.names[index].tolist(),
            layer.lon[index].tolist(),
            layer.lat[index].tolist(),
            np.asarray(distance, dtype=np.float64).tolist(),
            layer.brands[index].tolist(),
            known.tolist(),
        )
    )


class _Columns(Mapping[str, np.ndarray]):
    """The columns a :data:`FacilityFilter` sees, gathered when first read."""

    _FIELDS = ("id", "type", "name", "brand", "quality", "distance_m", *FLAG_QUALIFIERS)
    _SOURCE: ClassVar[dict[str, str]] = {
        "id": "ids",
        "type": "types",
        "name": "names",
        "brand": "brands",
    }

    def __init__(self, layer: FacilityLayer, index: np.ndarray, distance: np.ndarray):
        self._layer, self._index, self._distance = layer, index, distance
        self._read: dict[str, np.ndarray] = {}

    def __getitem__(self, key: str) -> np.ndarray:
        column = self._read.get(key)
        if column is None:
            column = self._read[key] = self._column(key)
        return column

    def _column(self, key: str) -> np.ndarray:
        if key == "distance_m":
            return self._distance
        if key == "quality":
            quality: np.ndarray = self._layer.quality[self._index]
            return quality
        if key in self._SOURCE:
            column: np.ndarray = getattr(self._layer, self._SOURCE[key])[self._index]
            return column
        if key in FLAG_QUALIFIERS:  # attributes, read (and checked) when first asked
            attributes = self._layer.attributes
            if isinstance(attributes, PropertyAttributes):
                raw = attributes.values(key, self._index)
            else:
                raw = [attributes[i].get(key) for i in self._index.tolist()]
            flags = [qualifier_flag(value) for value in raw]
            return np.array(flags, dtype=object)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._FIELDS)

    def __len__(self) -> int:
        return len(self._FIELDS)


class _CircleCounts:
    """How many facilities of a type within each community's circle a
    :class:`~livable.indicators.base.PerFacility` filter selects: the filter decided once
    per facility of the type, the counts of every community at once, kept per filter key."""

    def __init__(
        self, table: AccessTable, layer: FacilityLayer, type_ids: Sequence[str], bulk: bool
    ):
        self._table, self._layer, self.bulk = table, layer, bulk
        self._code_of = {t: j for j, t in enumerate(type_ids)}
        self._types: np.ndarray | None = None
        self._counts: dict[tuple[PerFacility, int], np.ndarray] = {}
        self._columns: dict[int, _Columns] = {}  # one per type: a column is read once

    def counts(self, facility_type: str, where: PerFacility) -> np.ndarray | None:
        """Every community's count (``None`` for a type the run does not know)."""
        code = self._code_of.get(facility_type)
        if code is None:
            return None
        counts = self._counts.get((where, code))
        if counts is None:
            if self._types is None:
                self._types = np.asarray(self._layer.types)
            columns = self._columns.get(code)
            if columns is None:
                index = np.flatnonzero(self._types == facility_type)
                columns = _Columns(self._layer, index, np.full(index.size, np.nan))
                self._columns[code] = columns
            keep = np.zeros(len(self._layer), dtype=bool)
            if columns._index.size:
                keep[columns._index] = np.asarray(where(columns), dtype=bool)
            counts = self._counts[(where, code)] = self._table.counts_in_circle_where(code, keep)
        return counts


class _Shared:
    """What the communities of a run share: each indicator's role and bulk keys
    (:meth:`~livable.indicators.base.Indicator.bulk_keys`, ``None`` without), the result
    of each key (built once, with its role), and the decisive twins of those results
    (:func:`~livable.grading.grade_community`)."""

    def __init__(self, run: _Run, many: CommunitiesContext | None, sizes: Sequence[SizeClass]):
        self.sizes = sizes
        self.roles = [role_of(run.profile, indicator) for indicator in run.indicators]
        self.keys = [_bulk_keys(indicator, many) for indicator in run.indicators]
        self.memo: list[dict[Any, IndicatorResult]] = [{} for _ in run.indicators]
        self.twins: dict[int, list[Any]] = {}


def _bulk_keys(indicator: Indicator, many: CommunitiesContext | None) -> Sequence[Any] | None:
    """An indicator's bulk keys, checked: one hashable key (or ``None``) per community;
    anything else, or a fault, and every community is evaluated on its own."""
    if many is None:
        return None
    try:
        keys = indicator.bulk_keys(many)
        if keys is None or len(keys) != len(many):
            return None
        for key in keys:
            hash(key)
    except Exception:
        return None
    return keys


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


def access_entries(
    i: int,
    type_ids: Sequence[str],
    types: Mapping[str, FacilityType],
    table: AccessTable,
    layer: FacilityLayer,
    tiers: Sequence[float],
) -> dict[str, TypeAccess]:
    """Origin ``i``'s row of an access table as the report's ``access`` entries, one per
    type of ``type_ids`` (the table's types, in order), the nearest facilities read from
    ``layer`` (the facilities the table was measured on, WGS84 positions).

    >>> from livable.geometry.proximity import proximity_table
    >>> from livable.testing import facility
    >>> from livable.plugins.manager import PluginManager
    >>> layer = FacilityLayer.from_facilities([facility("k1", "kindergarten", 108.94, 34.26)])
    >>> projector = Projector.for_crs(select_working_crs([], layer))
    >>> cols = facility_columns(layer, ("kindergarten",), projector)
    >>> x, y = projector.forward([108.945], [34.26])
    >>> table = proximity_table(Origins(x, y), cols, AccessQuery(
    ...     type_ids=("kindergarten",), tier_radii_m=(1200.0,), circle_radii_m=[1200.0],
    ...     search_radius_m=3000.0))
    >>> types = PluginManager().facility_types()
    >>> a = access_entries(0, ("kindergarten",), types, table, layer, (1200.0,))["kindergarten"]
    >>> round(a.nearest_m), a.count_within, a.nearest[0].id
    (461, {1200: 1}, 'k1')
    """
    return next(_access_rows(np.array([i]), type_ids, types, table, layer, tiers))


class _NearRow:
    """The nearest facilities of every type of one origin, built on first call (by the
    first of its :class:`~livable.models.results.NearbyFacilities` read), then kept."""

    __slots__ = ("_built", "_index", "_layer", "_m", "_per_type")

    def __init__(self, layer: FacilityLayer, index: np.ndarray, m: np.ndarray, per_type: list[int]):
        self._layer: FacilityLayer | None = layer
        self._index, self._m = index, m  # [type, k], -1 where fewer than k
        self._per_type = per_type  # how many of each type were found
        self._built: list[tuple[NearbyFacility, ...]] | None = None

    def __call__(self) -> list[tuple[NearbyFacility, ...]]:
        if self._built is None:
            assert self._layer is not None
            found = self._index >= 0
            near = _nearby_many(self._layer, self._index[found], self._m[found])
            ends = list(itertools.accumulate(self._per_type))
            self._built = [tuple(near[a:b]) for a, b in zip([0, *ends], ends, strict=False)]
            self._layer = None
        return self._built


def _access_rows(
    origins: np.ndarray,
    type_ids: Sequence[str],
    types: Mapping[str, FacilityType],
    table: AccessTable,
    layer: FacilityLayer,
    tiers: Sequence[float],
) -> Iterator[dict[str, TypeAccess]]:
    """:func:`access_entries` of many origins, the nearest facilities of each origin
    built when first read (:class:`~livable.models.results.NearbyFacilities`)."""
    keys = [round(t) for t in tiers]
    categories = [types[t].category for t in type_ids]
    knn_index, knn_m = table.knn_index[origins], table.knn_m[origins]
    per_type = (knn_index >= 0).sum(axis=2).tolist()
    nearest_m = table.nearest_m[origins].tolist()
    counts = table.count_within[origins].tolist()
    in_circle = table.count_in_circle[origins].tolist()
    for o, (row, near_row, count_row, circle_row) in enumerate(
        zip(per_type, nearest_m, counts, in_circle, strict=True)
    ):
        build = _NearRow(layer, knn_index[o], knn_m[o], row)
        entries: dict[str, TypeAccess] = {}
        for j, type_id in enumerate(type_ids):
            nearest = near_row[j]
            entries[type_id] = TypeAccess(  # positional: facility_type, category, ...
                type_id,
                categories[j],
                None if nearest != nearest else nearest,  # NaN: none in reach
                dict(zip(keys, count_row[j], strict=True)),
                circle_row[j],
                NearbyFacilities(build, j, row[j]),
            )
        yield entries


def _evaluate_one(
    i: int,
    comm: Community,
    run: _Run,
    circles: ServiceCircles,
    table: AccessTable,
    layer: FacilityLayer,
    center: tuple[float, float],
    skipped: list[Skipped],
    circle_counts: _CircleCounts,
    shared: _Shared,
    access: dict[str, TypeAccess],
) -> CommunityResult:
    """The indicators of one community, then its grade and gaps (:mod:`livable.grading`)."""
    profile, types, pm = run.profile, run.types, run.plugins
    type_ids = tuple(types)
    size_class = shared.sizes[i]
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

    def count(facility_type: str, where: FacilityFilter | None) -> int:
        if where is None:
            entry = access.get(facility_type)
            return 0 if entry is None else entry.count_in_circle
        if isinstance(where, PerFacility) and circle_counts.bulk:
            counts = circle_counts.counts(facility_type, where)
            return 0 if counts is None else int(counts[i])
        return len(in_circle(facility_type, where))

    context = CommunityContext(
        community=comm,
        profile=profile,
        size_class=size_class,
        radius_m=radius,
        access=access,
        facility_types=types,
        in_circle=in_circle,
        count=count,
    )
    results: list[IndicatorResult] = []
    for j, indicator in enumerate(run.indicators):
        keys = shared.keys[j]
        key = None if keys is None else keys[i]
        if key is not None:
            hit = shared.memo[j].get(key)
            if hit is not None:
                results.append(hit)
                continue
        before = len(skipped)
        result = with_role(_run_indicator(indicator, context, pm, skipped), shared.roles[j])
        if key is not None and len(skipped) == before:  # a fault is never shared
            shared.memo[j][key] = result
            shared.twins[id(result)] = [result, None]
        results.append(result)
    graded = grade_community(comm, results, profile, pm, skipped=skipped, shared=shared.twins)
    return CommunityResult(
        id=comm.id,
        name=comm.name,
        grade=graded.grade,
        center=center,
        center_inside=bool(circles.center_inside[i]),
        center_source=circles.center_source[i],
        radius_m=radius,
        radius_reason=circles.radius_reason[i],
        radius_approval=_radius_approval(comm),
        geometry=comm.geometry,
        district=comm.district,
        subdistrict=comm.subdistrict,
        zone=profile.zone_of(comm.district, comm.zone),
        population=comm.population,
        size_class=size_class.id,
        access=tuple(access.values()),
        gaps=graded.gaps,
        indicators=graded.indicators,
        score=CommunityScore.from_results(graded.indicators),
        details=graded.details,
        provisional=graded.provisional,
    )
