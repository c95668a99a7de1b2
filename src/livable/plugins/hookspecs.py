"""The hook specifications of :mod:`livable` (pluggy project name ``livable``).

Plugin authors write ``from livable import hookimpl`` and implement any of these; an
implementation may accept any subset of a hook's arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from livable.geometry.providers import ProviderFactory
    from livable.indicators.base import Indicator
    from livable.models import Community, FacilityType, Grade
    from livable.profile import Profile
    from livable.report import IndicatorResult

__all__ = ["PROJECT_NAME", "hookimpl", "hookspec"]

PROJECT_NAME = "livable"
"""The pluggy project name and the entry-point group plugins register under."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def livable_facility_types() -> Iterable[FacilityType]:
    """Facility types this plugin adds.

    Called once when the plugin manager builds its registry. Return an iterable of
    :class:`~livable.models.FacilityType`; an id already registered is an error naming both
    plugins.

    Example::

        @hookimpl
        def livable_facility_types():
            return [FacilityType(id="charging_station", label_en="EV charging station",
                                 label_zh="充电站", category=None,
                                 key_content="market_services")]

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec
def livable_indicators() -> Iterable[Indicator]:
    """Indicators this plugin adds (instances of :class:`~livable.indicators.Indicator`).

    Called once when the registry is built. An indicator counts for a grade only where the
    profile's ``indicator_roles`` names it (``livable`` or ``happy``); otherwise it is
    reported as information.

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec
def livable_distance_providers() -> Mapping[str, ProviderFactory]:
    """Distance providers this plugin adds: a mapping of provider name to factory.

    A factory is called with keyword arguments ``profile``, ``projector`` and ``streets``
    and must return an object with ``name`` and ``measure(origins, facilities, query)``
    (see :class:`~livable.geometry.providers.DistanceProvider`).

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec
def livable_profiles() -> Iterable[Profile]:
    """Rule profiles this plugin adds, selectable by id (``--profile ID``).

    .. versionadded:: 0.1
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def livable_classify(
    community: Community, results: Sequence[IndicatorResult], profile: Profile
) -> Grade | str | None:
    """Override a community's grade; return ``None`` for no opinion.

    Called once per evaluated community after its indicators ran, with the grade rules of
    the profile already applied. Stops at the first non-``None`` result, which must be a
    :class:`~livable.models.Grade` or its string value.

    .. versionadded:: 0.1
    """
    raise NotImplementedError
