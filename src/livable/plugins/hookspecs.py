"""The hook specifications of :mod:`livable` (pluggy project name ``livable``).

Plugin authors write ``from livable import hookimpl`` and implement any of these hooks as
module-level functions or as methods of a plugin object. An implementation may accept any
subset of a hook's arguments, by name, and must not give them default values (pluggy
never passes an argument that has a default).

Two calling rules apply:

- The four *registry* hooks (``livable_facility_types``, ``livable_indicators``,
  ``livable_distance_providers``, ``livable_profiles``) are called once per
  :class:`~livable.PluginManager`, in plugin registration order (the built-in
  plugins first), and every answer is kept. Ids are unique: an id a plugin registers again,
  a built-in one included, is a fault naming both plugins, never a silent overwrite.
- ``livable_classify`` is ``firstresult``: it is called per community, plugins registered
  later first, and stops at the first answer that is not ``None``. The built-in plugin
  ``livable.classify`` answers last (``trylast``) with the profile's rules, so any plugin
  can override it.

The argument and return types are imported for type checkers only (``TYPE_CHECKING``, as
pytest's ``hookspec.py`` does), so this module imports nothing of livable but pluggy's
markers: a plugin may import it without loading geometry, indicators or profiles.

A plugin that raises, or returns the wrong type, is reported with its name and the hook
(:class:`~livable.PluginError`, or an entry of the report's ``skipped`` when the
manager runs with ``fault_mode="record"``).

>>> sorted(HOOKS)
['livable_classify', 'livable_distance_providers', 'livable_facility_types',
 'livable_indicators', 'livable_profiles']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:  # as pytest's hookspec.py: the types name the contract, no import edge
    from collections.abc import Iterable, Mapping, Sequence

    from livable.geometry.providers import ProviderFactory
    from livable.indicators.base import Indicator
    from livable.models import Community, FacilityType, Grade, IndicatorResult
    from livable.profile import Profile

__all__ = [
    "HOOKS",
    "PROJECT_NAME",
    "hookimpl",
    "hookspec",
    "livable_classify",
    "livable_distance_providers",
    "livable_facility_types",
    "livable_indicators",
    "livable_profiles",
]

PROJECT_NAME = "livable"
"""The pluggy project name and the entry-point group plugins register under."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
"""Marks a hook specification (used by :mod:`livable` itself)."""

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Marks a hook implementation: ``from livable import hookimpl``."""


@hookspec
def livable_facility_types() -> Iterable[FacilityType]:
    """Facility types this plugin adds.

    **When:** once per plugin manager, the first time its facility types are needed
    (reading facilities, ``livable plugins``); the answer is cached.

    **Return:** an iterable of :class:`~livable.FacilityType` (or ``None``). Its
    ``category`` is one of the 14 service categories of ``P6.tiers`` or ``None`` (no walk
    tier), its ``key_content`` one of the six of ``P2``. Facilities of the new type may then
    appear in the facilities file (``"type": "charging_station"``) and in
    ``access`` of every community in the report.

    **Calling rule:** every plugin's answer is kept, in registration order; an id already
    registered (the 18 built-in types included) is a fault naming both plugins.

    Example:

    >>> from livable import FacilityType, PluginManager, hookimpl
    >>> class Chargers:
    ...     @hookimpl
    ...     def livable_facility_types(self):
    ...         return [FacilityType(id="charging_station", label_en="EV charging station",
    ...                              label_zh="充电站", category=None,
    ...                              key_content="ecology", clause="P2.C3")]
    >>> pm = PluginManager(load_entry_points=False, plugins=[Chargers()])
    >>> pm.facility_types()["charging_station"].label_zh
    '充电站'

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec
def livable_indicators() -> Iterable[Indicator]:
    """Indicators this plugin adds.

    **When:** once per plugin manager, the first time its indicators are needed (every
    evaluation, ``livable plugins``); the answer is cached.

    **Return:** an iterable of :class:`~livable.Indicator` *instances* (or
    ``None``). Each declares its ``id``, labels, ``clause``, the ``requirement`` and
    ``key_content`` of ``P2`` it serves and its ``inputs``. The engine calls
    ``indicator.evaluate(context)`` once per community; it must return an
    :class:`~livable.IndicatorResult` with the indicator's ``id`` (use
    ``self.result(...)``). An indicator counts for a grade only where the profile's
    ``indicator_roles`` names it (``livable`` or ``happy``); otherwise it is reported as
    information.

    **Calling rule:** every plugin's answer is kept, in registration order; an id already
    registered is a fault naming both plugins. An indicator that raises or returns the wrong
    type during an evaluation is a fault naming the plugin, the indicator and the community;
    in ``record`` mode it is "not assessed" for that community (so it never passes a grade)
    and the report's ``skipped`` says why.

    Example:

    >>> from livable import Indicator, PluginManager, hookimpl
    >>> class HasWifi(Indicator):
    ...     id, label_en, label_zh = "has_wifi", "public wifi", "公共无线网络"
    ...     clause, requirement, key_content = "P2.C4", "smart", "smart_living"
    ...     inputs = frozenset({"community_attributes"})
    ...     def evaluate(self, context):
    ...         return self.from_attribute(context, "wifi", lambda v: v >= 1)
    >>> class Wifi:
    ...     @hookimpl
    ...     def livable_indicators(self):
    ...         return [HasWifi()]
    >>> pm = PluginManager(load_entry_points=False, plugins=[Wifi()])
    >>> pm.indicators()[-1].id
    'has_wifi'

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec
def livable_distance_providers() -> Mapping[str, ProviderFactory]:
    """Distance providers this plugin adds: a mapping of provider name to factory.

    **When:** once per plugin manager, the first time its providers are needed; the
    factory itself is called once per evaluation that selects the provider
    (``distance="NAME"``, ``livable evaluate --distance NAME``).

    **Return:** a mapping (or ``None``) of provider name to a factory. The factory is
    called with keyword arguments ``profile``, ``projector``, ``streets``, ``streets_crs``,
    ``streets_datum`` and ``strict`` (accept ``**kwargs`` for options added later) and
    returns a ``livable.geometry.providers.DistanceProvider``: an object with a ``name``
    and ``measure(origins, facilities, query)`` returning an
    ``livable.geometry.access.AccessTable``. It may also offer ``isochrones(origins,
    radii_m)`` and ``origin_details(origins)`` / ``report_details(facility_ids)``
    (``IsochroneProvider``, ``DetailProvider``): the engine then puts walking areas and
    its facts in the report, as ``network`` does. A provider that can list every
    (origin, facility, distance) pair within ``query.max_radius_m`` gets the table from
    ``livable.geometry.access.access_from_pairs``;
    ``livable.geometry.providers.candidate_pairs`` finds euclidean pairs with the
    R-tree.

    **Calling rule:** every plugin's answer is kept, in registration order; a name already
    registered (``euclidean``, ``geodesic``, ...) is a fault naming both plugins.

    Example:

    >>> from livable import PluginManager, hookimpl
    >>> from livable.geometry.providers import EuclideanProvider
    >>> class Straight:
    ...     @hookimpl
    ...     def livable_distance_providers(self):
    ...         return {"straight": lambda **kwargs: EuclideanProvider(name="straight")}
    >>> pm = PluginManager(load_entry_points=False, plugins=[Straight()])
    >>> sorted(pm.distance_providers())
    ['euclidean', 'geodesic', 'network', 'straight']

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec
def livable_profiles() -> Iterable[Profile]:
    """Rule profiles this plugin adds, selectable by id (``--profile ID``).

    **When:** once per plugin manager, the first time a profile is looked up by id; the
    answer is cached.

    **Return:** an iterable of :class:`~livable.Profile` (or ``None``). Derive a
    district's profile from the city's with :meth:`~livable.Profile.derive`, or
    load a TOML file whose ``extends`` names the parent; give it a new id. Name the
    plugin's indicators in ``indicator_roles`` to make them count for a grade.

    **Calling rule:** every plugin's answer is kept, in registration order; an id already
    registered (``xian-2020`` included) is a fault naming both plugins. A built-in profile
    is never replaced: derive a new id, so that a report naming ``xian-2020`` always means
    the city's rules.

    Example:

    >>> from livable import PluginManager, hookimpl, load_profile
    >>> class Beilin:
    ...     @hookimpl
    ...     def livable_profiles(self):
    ...         return [load_profile("xian-2020").derive(id="xian-beilin",
    ...                 label_en="Beilin district", label_zh="碑林区")]
    >>> pm = PluginManager(load_entry_points=False, plugins=[Beilin()])
    >>> pm.profiles()["xian-beilin"].parent
    'xian-2020'

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def livable_classify(
    community: Community, results: Sequence[IndicatorResult], profile: Profile
) -> Grade | str | None:
    """Decide a community's grade, or return ``None`` for no opinion.

    **When:** once per evaluated community, after all its indicators ran.

    :param community: the community being graded (its ``attributes`` included).
    :param results: its indicator results, each with the ``role`` the profile gives it.
    :param profile: the rule profile of the evaluation.

    **Return:** a :class:`~livable.Grade` or its string value (``"not_livable"``,
    ``"livable"``, ``"happy"``), or ``None`` for no opinion. Anything else is a fault
    naming the plugin.

    **Calling rule:** ``firstresult``: plugins registered later are asked first
    (``tryfirst``/``trylast`` as in pluggy) and the first answer that is not ``None`` wins.
    The built-in plugin ``livable.classify`` answers last (``trylast``) with the profile's rules
    (:func:`~livable.grade_from_results`), so returning ``None`` keeps them. A grade
    a plugin decides differently from the rules is recorded in the community's
    ``details.grade_override`` in the report.

    Example:

    >>> from livable import Grade, PluginManager, hookimpl
    >>> from livable.testing import community
    >>> class Pilot:
    ...     @hookimpl
    ...     def livable_classify(self, community):
    ...         return Grade.HAPPY if community.attributes.get("pilot") else None
    >>> pm = PluginManager(load_entry_points=False, plugins=[Pilot()])
    >>> pm.classify(community("c1", 108.94, 34.26, pilot=True), (), pm.profiles()["xian-2020"])
    ('Pilot', <Grade.HAPPY: 'happy'>)

    .. versionadded:: 0.1
    """
    raise NotImplementedError


HOOKS: tuple[str, ...] = (
    "livable_facility_types",
    "livable_indicators",
    "livable_distance_providers",
    "livable_profiles",
    "livable_classify",
)
"""The names of every hook, in the order the reference documents them."""
