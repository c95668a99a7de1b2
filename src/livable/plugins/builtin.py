"""The built-in plugin: livable's own facility types, indicators, providers and profiles.

It is registered exactly as a third-party plugin is, so it doubles as an example.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from livable.geometry.network import network_factory
from livable.geometry.providers import ProviderFactory, euclidean_factory, geodesic_factory
from livable.indicators.base import Indicator
from livable.indicators.builtin import builtin_indicators
from livable.models import FACILITY_TYPES, FacilityType
from livable.plugins.hookspecs import hookimpl
from livable.profile import BUILTIN_PROFILES, Profile, load_profile


@hookimpl
def livable_facility_types() -> Iterable[FacilityType]:
    """The 18 built-in facility types (the 12 ones first)."""
    return list(FACILITY_TYPES.values())


@hookimpl
def livable_indicators() -> Iterable[Indicator]:
    """The built-in indicators."""
    return builtin_indicators()


@hookimpl
def livable_distance_providers() -> Mapping[str, ProviderFactory]:
    """``euclidean``, ``geodesic`` and ``network`` (walking along the streets)."""
    return {
        "euclidean": euclidean_factory,
        "geodesic": geodesic_factory,
        "network": network_factory,
    }


@hookimpl
def livable_profiles() -> Iterable[Profile]:
    """The built-in profiles (``xian-2020``)."""
    return [load_profile(p) for p in BUILTIN_PROFILES]
