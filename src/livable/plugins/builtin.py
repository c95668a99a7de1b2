"""The built-in plugin: livable's own facility types, indicators, providers and profiles.

It is registered exactly as a third-party plugin is (under the name ``livable.builtin``),
so it doubles as an example. Its ``livable_classify`` answers last (``trylast``) with the
profile's grading rules, so any plugin may override a grade.

>>> from livable.plugins.manager import PluginManager
>>> pm = PluginManager(load_entry_points=False)
>>> pm.owner("livable_indicators", "twelve_ones")
'livable.builtin'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from livable.plugins.streets import network_factory
from livable.geometry.providers import ProviderFactory, euclidean_factory, geodesic_factory
from livable.indicators.base import Indicator
from livable.indicators.builtin import builtin_indicators
from livable.models import FACILITY_TYPES, FacilityType, Grade
from livable.plugins.hookspecs import hookimpl
from livable.profile import BUILTIN_PROFILES, Profile, load_profile
from livable.models import IndicatorResult, grade_from_results


@hookimpl
def livable_facility_types() -> Iterable[FacilityType]:
    """The 18 built-in facility types (the 12 ones of ``P4`` first).

    >>> len(list(livable_facility_types()))
    18
    """
    return list(FACILITY_TYPES.values())


@hookimpl
def livable_indicators() -> Iterable[Indicator]:
    """The built-in indicators (``P2``, ``P4``, ``P5``, ``P6.tiers``).

    >>> [i.id for i in livable_indicators()][1:3]
    ['twelve_ones', 'tier_access']
    """
    return builtin_indicators()


@hookimpl
def livable_distance_providers() -> Mapping[str, ProviderFactory]:
    """``euclidean``, ``geodesic`` and ``network`` (walking along the streets).

    >>> sorted(livable_distance_providers())
    ['euclidean', 'geodesic', 'network']
    """
    return {
        "euclidean": euclidean_factory,
        "geodesic": geodesic_factory,
        "network": network_factory,
    }


@hookimpl
def livable_profiles() -> Iterable[Profile]:
    """The built-in profiles (``xian-2020``).

    >>> [p.id for p in livable_profiles()]
    ['xian-2020']
    """
    return [load_profile(p) for p in BUILTIN_PROFILES]


@hookimpl(trylast=True)
def livable_classify(results: Sequence[IndicatorResult]) -> Grade:
    """The profile's grade (``P3``-``P5``), asked last so plugins may decide first.

    >>> livable_classify([])
    <Grade.HAPPY: 'happy'>
    """
    return grade_from_results(results)
