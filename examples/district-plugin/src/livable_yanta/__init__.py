"""livable_yanta: what the (fictional) Yanta district adds to livable.

A livable plugin is a module (or object) with functions marked ``@hookimpl``; this one is
registered under the entry-point group ``livable`` by ``pyproject.toml``::

    [project.entry-points.livable]
    yanta = "livable_yanta"

so ``pip install`` is all it takes: ``livable plugins`` lists it and every report.json
records it with its version. It adds

- a facility type, ``charging_station`` (新能源汽车充电站);
- an indicator using it, ``ev_charging``: enough charging stations within the community's
  service circle (how many depends on the community's size class);
- a profile, ``xian-yanta``, derived from the city's ``xian-2020``, in which
  ``ev_charging`` is needed for the happy grade;
- a distance provider, ``euclidean_detour``: straight-line distance times a detour factor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from livable import FacilityType, Indicator, Profile, hookimpl, load_profile
from livable.geometry.providers import ProviderFactory
from livable_yanta.distance import detour_factory
from livable_yanta.indicators import EvCharging

__all__ = [
    "CHARGING_STATION",
    "PROFILE_ID",
    "livable_distance_providers",
    "livable_facility_types",
    "livable_indicators",
    "livable_profiles",
]

CHARGING_STATION = FacilityType(
    id="charging_station",
    label_en="EV charging station",
    label_zh="新能源汽车充电站",
    category=None,  # no walk tier of P6.tiers applies
    key_content="ecology",  # P2.C3: environment and low-carbon living
    clause="P2.C3",
)

PROFILE_ID = "xian-yanta"


@hookimpl
def livable_facility_types() -> Iterable[FacilityType]:
    """``charging_station``: facilities files may now use ``"type": "charging_station"``."""
    return [CHARGING_STATION]


@hookimpl
def livable_indicators() -> Iterable[Indicator]:
    """``ev_charging``; the profile decides whether it counts for a grade."""
    return [EvCharging()]


@hookimpl
def livable_distance_providers() -> Mapping[str, ProviderFactory]:
    """``euclidean_detour`` (``livable evaluate --distance euclidean_detour``)."""
    return {"euclidean_detour": detour_factory}


@hookimpl
def livable_profiles() -> Iterable[Profile]:
    """``xian-yanta``: the city's rules plus EV charging for the happy grade."""
    city = load_profile("xian-2020")
    return [
        city.derive(
            id=PROFILE_ID,
            label_en="Xi'an 2020, Yanta district (EV charging for happy communities)",
            label_zh="西安市2020年15分钟便民服务圈（雁塔区：幸福社区需配建充电站）",
            description="xian-2020 plus the district's EV charging indicator (fictional).",
            indicator_roles={"ev_charging": "happy"},
            assumptions={
                "indicator_roles.ev_charging": (
                    "District rule (fictional): P2.C3 low-carbon living; a happy community "
                    "has EV charging within its service circle."
                )
            },
        )
    ]
