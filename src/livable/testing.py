"""Helpers for tests and plugin authors: small inputs in one line, one indicator in isolation.

Build communities and facilities in a few lines:

>>> from livable.testing import community, facility, ring_of_facilities
>>> community("c1", 108.94, 34.26, population=3000).population
3000
>>> facility("f1", "clinic", 108.95, 34.26).type
'clinic'
>>> [f.type for f in ring_of_facilities(108.94, 34.26, ["clinic", "kindergarten"])]
['clinic', 'kindergarten']

Run one indicator through the real engine, check that a plugin loads cleanly, and register
throwaway plugins without touching global state:

>>> from livable import Grade, hookimpl
>>> from livable.testing import assert_plugin_loads, plugin_manager, run_indicator
>>> run_indicator("twelve_ones", community("c1", 108.94, 34.26)).status
'failed'
>>> class Happy:
...     @hookimpl
...     def livable_classify(self):
...         return Grade.HAPPY
>>> assert_plugin_loads(Happy()).classify
True
>>> with plugin_manager(Happy()) as pm:
...     [p.name for p in pm.plugins()]
['livable.builtin', 'Happy']
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import inspect
import math
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyproj
import shapely

from livable.errors import LivableError, PluginError
from livable.geometry.crs import Projector, choose_working_crs
from livable.indicators.base import Indicator
from livable.models import FACILITY_TYPES, Community, Facility, IndicatorResult
from livable.plugins.hookspecs import HOOKS, PROJECT_NAME, hookimpl
from livable.plugins.manager import FaultMode, PluginContributions, PluginManager
from livable.profile import Profile

if TYPE_CHECKING:
    from livable.indicators.base import CommunityContext

__all__ = [
    "assert_plugin_loads",
    "community",
    "context",
    "facility",
    "offset",
    "plugin_manager",
    "ring_of_facilities",
    "run_indicator",
]

_EARTH_M_PER_DEG_LAT = 110_574.0
_GEOD = pyproj.Geod(ellps="WGS84")


def offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The lon/lat ``east_m`` metres east and ``north_m`` north of a point.

    A local equirectangular approximation (good to about 0.1 % within a few km), for
    placing test facilities at roughly known distances.

    >>> lon, lat = offset(108.94, 34.26, 0.0, 110_574.0)
    >>> round(lat - 34.26, 6)
    1.0
    """
    dlat = north_m / _EARTH_M_PER_DEG_LAT
    dlon = east_m / (111_320.0 * math.cos(math.radians(lat)))
    return lon + dlon, lat + dlat


def community(
    id: str,
    lon: float,
    lat: float,
    *,
    size_m: float | None = None,
    **properties: Any,
) -> Community:
    """A community at lon/lat: a Point, or a square ``size_m`` metres across around it.

    Extra keyword arguments become ``name``, ``population``, ``district``, ... or
    attributes (``green_ratio=0.4``).

    >>> c = community("c1", 108.94, 34.26, size_m=400, district="雁塔区", green_ratio=0.4)
    >>> c.geometry.geom_type, c.district, c.attributes["green_ratio"]
    ('Polygon', '雁塔区', 0.4)
    """
    if size_m is None:
        geom = shapely.Point(lon, lat)
    else:
        x0, y0 = offset(lon, lat, -size_m / 2, -size_m / 2)
        x1, y1 = offset(lon, lat, size_m / 2, size_m / 2)
        geom = shapely.box(x0, y0, x1, y1)
    fields = {
        k: properties.pop(k)
        for k in list(properties)
        if k in ("name", "population", "district", "subdistrict", "zone")
    }
    return Community(id=id, geometry=geom, attributes=properties, **fields)


def facility(id: str, type: str, lon: float, lat: float, **properties: Any) -> Facility:
    """A point facility of a type at lon/lat; ``name``, ``brand``, ``quality`` or attributes.

    >>> facility("s1", "convenience_store", 108.94, 34.26, brand="Lawson").brand
    'Lawson'
    """
    fields = {k: properties.pop(k) for k in list(properties) if k in ("name", "brand", "quality")}
    return Facility(
        id=id, type=type, geometry=shapely.Point(lon, lat), attributes=properties, **fields
    )


def context(
    *,
    profile: str | Profile = "xian-2020",
    population: int | None = None,
    counts: dict[str, int] | None = None,
    nearest_m: dict[str, float] | None = None,
    **attributes: Any,
) -> CommunityContext:
    """A :class:`~livable.indicators.CommunityContext` without geometry, for indicator tests.

    ``counts`` sets facilities in the circle per type (all within the smallest tier),
    ``nearest_m`` the nearest distance per type (default: ``None``, none within reach, for
    types without a count; 0 m for types with one); other keywords become community
    attributes.

    >>> from livable.indicators.builtin import CommunityWorkers
    >>> CommunityWorkers().evaluate(context(population=5000, community_workers=10)).value
    2.0
    """
    from livable.indicators.base import CommunityContext
    from livable.models import TypeAccess
    from livable.profile import load_profile

    prof = load_profile(profile)
    counts = counts or {}
    nearest = nearest_m or {}
    access = {}
    for type_id, ftype in FACILITY_TYPES.items():
        n = counts.get(type_id, 0)
        near = nearest.get(type_id, 0.0 if n else None)
        access[type_id] = TypeAccess(
            facility_type=type_id,
            category=ftype.category,
            nearest_m=near,
            count_within={round(t): n for t in prof.tier_distances_m},
            count_in_circle=n,
        )
    comm = Community(
        id="test",
        geometry=shapely.Point(108.94, 34.26),
        population=population,
        attributes=attributes,
    )
    return CommunityContext(
        community=comm,
        profile=prof,
        size_class=prof.size_class_of(population),
        radius_m=prof.circle_radius_m,
        access=access,
        facility_types=FACILITY_TYPES,
    )


def ring_of_facilities(
    lon: float,
    lat: float,
    types: Iterable[str],
    *,
    radius_m: float = 300.0,
    count: int = 1,
    prefix: str = "f",
    **properties: Any,
) -> list[Facility]:
    """``count`` facilities of each type, evenly spaced on a circle around lon/lat.

    Ids are ``{prefix}1``, ``{prefix}2``, ...; every facility lies ``radius_m`` metres from
    the point on the WGS84 ellipsoid (within 0.1 % in any UTM working CRS), so a community
    there has them all within its circle when ``radius_m`` is below the circle's radius.
    Extra keyword arguments are passed to :func:`facility` (``brand=``, ``quality=``,
    attributes).

    >>> from livable import TWELVE_ONES
    >>> ring = ring_of_facilities(108.94, 34.26, TWELVE_ONES, radius_m=500, count=2)
    >>> len(ring), ring[0].id, ring[-1].type
    (24, 'f1', 'restaurant')
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    wanted = [t for t in types for _ in range(count)]
    n = len(wanted)
    azimuths = np.arange(n) * (360.0 / max(n, 1))
    lons, lats, _ = _GEOD.fwd(np.full(n, lon), np.full(n, lat), azimuths, np.full(n, radius_m))
    return [
        facility(f"{prefix}{i + 1}", type_id, float(lons[i]), float(lats[i]), **properties)
        for i, type_id in enumerate(wanted)
    ]


def _as_plugin(obj: object) -> object:
    """A bare ``@hookimpl`` function becomes a one-hook plugin object named after it."""
    if inspect.isfunction(obj) and obj.__name__ in HOOKS:
        cls = type(_safe_name(obj.__qualname__), (), {obj.__name__: staticmethod(obj)})
        return cls()
    return obj


def _safe_name(qualname: str) -> str:
    return "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in qualname)


@contextlib.contextmanager
def plugin_manager(
    *plugins: object,
    fault_mode: FaultMode = "fail",
    load_entry_points: bool = False,
    allow: Sequence[str] | None = None,
) -> Iterator[PluginManager]:
    """A fresh :class:`~livable.PluginManager` with throwaway plugins registered.

    ``plugins`` are plugin objects (modules, instances) or bare ``@hookimpl`` functions.
    Installed entry points are not loaded unless asked for, so a test sees only what it
    registers; nothing global changes, and the plugins are unregistered on exit. In a
    ``conftest.py``::

        @pytest.fixture
        def pm():
            with plugin_manager(MyPlugin()) as manager:
                yield manager

    >>> from livable import hookimpl
    >>> @hookimpl
    ... def livable_classify():
    ...     return "happy"
    >>> with plugin_manager(livable_classify) as pm:
    ...     pm.contributions()[-1].classify
    True
    """
    pm = PluginManager(
        load_entry_points=load_entry_points, allow=allow, fault_mode=fault_mode, plugins=()
    )
    names = [pm.register(_as_plugin(p)) for p in plugins]
    try:
        yield pm
    finally:
        for name in reversed(names):
            if name in {p.name for p in pm.plugins()}:
                pm.unregister(name)


class _OneIndicator:
    """A throwaway plugin registering one indicator (for :func:`run_indicator`)."""

    def __init__(self, indicator: Indicator) -> None:
        self._indicator = indicator

    @hookimpl
    def livable_indicators(self) -> list[Indicator]:
        return [self._indicator]


def run_indicator(
    indicator: Indicator | str,
    community: Community,
    facilities: Iterable[Facility] = (),
    *,
    profile: str | Path | Profile = "xian-2020",
    plugins: Sequence[object] = (),
    distance: str = "euclidean",
) -> IndicatorResult:
    """Run one indicator on one community through the real engine; return its result.

    ``indicator`` is an :class:`~livable.Indicator` instance, or the id of one
    that the built-in plugin or ``plugins`` register. ``plugins`` (plugin objects) add
    what the test needs: the facility types the facilities use, a profile id, a distance
    provider. No installed entry points are loaded. The result carries the ``role`` the
    profile gives the indicator.

    >>> from livable.testing import community, ring_of_facilities
    >>> c = community("c1", 108.94, 34.26)
    >>> r = run_indicator("variety", c, ring_of_facilities(108.94, 34.26, ["clinic", "bank"]))
    >>> r.status, r.value, r.role
    ('failed', 2, 'happy')
    """
    with plugin_manager(*plugins) as pm:
        if isinstance(indicator, str):
            indicator_id = indicator
            if indicator_id not in {i.id for i in pm.indicators()}:
                raise LookupError(
                    f"no registered indicator {indicator_id!r}; pass the indicator object or "
                    "the plugin that registers it (plugins=[...])"
                )
        else:
            indicator_id = indicator.id
            registered = {i.id: i for i in pm.indicators()}
            other = registered.get(indicator_id)
            if other is None:
                pm.register(_OneIndicator(indicator), name=f"run_indicator:{indicator_id}")
            elif type(other) is not type(indicator):
                raise LookupError(
                    f"indicator id {indicator_id!r} is already registered by plugin "
                    f"{pm.owner('livable_indicators', indicator_id)!r} as "
                    f"{type(other).__name__}; give your indicator another id"
                )
        from livable.engine import evaluate

        report = evaluate(
            [community], list(facilities), profile=profile, plugins=pm, distance=distance
        )
    if not report.communities:
        reason = report.rejected[0].reason if report.rejected else "unknown reason"
        raise LivableError(f"community {community.id!r} was not evaluated: {reason}")
    try:
        return report.communities[0].indicator(indicator_id)
    except KeyError:
        raise LookupError(
            f"indicator {indicator_id!r} did not run: its applies(profile) is false for "
            f"profile {report.profile!r}"
        ) from None


def assert_plugin_loads(plugin: object | str) -> PluginContributions:
    """Assert that a plugin loads cleanly and works; return what it contributes.

    ``plugin`` is a plugin object or the name of an installed entry point of group
    ``livable`` (which is then loaded exactly as ``livable`` loads it). The plugin is
    registered next to the built-in one with faults failing fast; every registry hook is
    called and type-checked, every profile it adds must name known facility types and
    give grade roles only to registered indicators, and one small community is evaluated
    with each of its profiles (or ``xian-2020``) and distance providers, which runs its
    indicators and ``livable_classify``. Raises :class:`AssertionError` with a readable
    message naming the plugin and the hook.

    >>> from livable import hookimpl
    >>> class Typo:
    ...     @hookimpl
    ...     def livable_profile(self):
    ...         return []
    >>> assert_plugin_loads(Typo())
    Traceback (most recent call last):
    ...
    AssertionError: plugin 'Typo': livable_profile is not a livable hook (did you mean ...)
    """
    try:
        if isinstance(plugin, str):
            installed = sorted(
                {ep.name for ep in importlib.metadata.entry_points(group=PROJECT_NAME)}
            )
            if plugin not in installed:
                raise AssertionError(
                    f"no plugin {plugin!r} is installed (entry-point group {PROJECT_NAME!r}); "
                    f"installed: {', '.join(installed) or 'none'}. Is the package installed "
                    "in this environment, and is its [project.entry-points.livable] right?"
                )
            pm = PluginManager(load_entry_points=True, allow=[plugin])
            name = plugin
        else:
            pm = PluginManager(load_entry_points=False)
            name = pm.register(_as_plugin(plugin))
        mine = next(c for c in pm.contributions() if c.name == name)
        if not (
            mine.facility_types
            or mine.indicators
            or mine.distance_providers
            or mine.profiles
            or mine.classify
        ):
            raise AssertionError(
                f"plugin {name!r} registers nothing: implement at least one of "
                f"{', '.join(HOOKS)} and mark it with @livable.hookimpl"
            )
        _smoke(pm, mine)
    except PluginError as exc:
        raise AssertionError(str(exc)) from exc
    except LivableError as exc:
        raise AssertionError(f"plugin {plugin!r}: {exc}") from exc
    return mine


def _smoke(pm: PluginManager, mine: PluginContributions) -> None:
    from livable.engine import evaluate

    types = pm.facility_types()
    profiles = pm.profiles()
    for pid in mine.profiles:
        missing = [t for t in profiles[pid].required if t not in types]
        if missing:
            raise AssertionError(
                f"plugin {mine.name!r}: profile {pid!r} requires unknown facility types {missing}"
            )
    here = community("smoke", 108.94, 34.26, size_m=300.0, population=3000)
    near = ring_of_facilities(108.94, 34.26, list(types), radius_m=200.0)
    projector = Projector.for_crs(choose_working_crs(np.array([108.94]), np.array([34.26])))
    distances = ["euclidean"]
    for name in mine.distance_providers:
        try:  # a provider that needs more input (streets) says so with a LivableError
            pm.make_provider(
                name,
                profile=profiles["xian-2020"],
                projector=projector,
                streets=None,
                streets_crs=None,
                streets_datum="wgs84",
            )
        except PluginError:
            raise
        except LivableError:
            continue
        distances.append(name)
    for pid in mine.profiles or ("xian-2020",):
        for distance in distances:
            evaluate([here], near, profile=pid, distance=distance, plugins=pm)
