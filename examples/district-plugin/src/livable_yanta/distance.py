"""``euclidean_detour``: straight-line distance times a detour factor.

Streets rarely run straight to a facility; without a street network a district may
approximate the walk as the straight line times a factor (the district's choice here:
1.3). Built from livable's public pieces: :func:`~livable.geometry.providers.candidate_pairs`
finds every (centre, facility) pair within a radius with the R-tree, and
:func:`~livable.geometry.access.access_from_pairs` aggregates the pairs into the access
table, both vectorised.
"""

from __future__ import annotations

from typing import Any

import attrs

from livable.geometry.access import (
    AccessQuery,
    AccessTable,
    FacilityColumns,
    Origins,
    access_from_pairs,
)
from livable.geometry.providers import DistanceProvider, candidate_pairs

DETOUR_FACTOR = 1.3
"""Walking distance over straight-line distance assumed for the district's streets."""


@attrs.frozen
class DetourProvider:
    """Euclidean distance in the working CRS times ``factor`` (>= 1)."""

    factor: float = attrs.field(default=DETOUR_FACTOR, validator=attrs.validators.ge(1.0))
    name: str = "euclidean_detour"

    def measure(
        self, origins: Origins, facilities: FacilityColumns, query: AccessQuery
    ) -> AccessTable:
        """Every facility within ``max_radius_m / factor`` in a straight line, scaled."""
        o, f, d = candidate_pairs(origins, facilities, query.max_radius_m / self.factor)
        return access_from_pairs(
            o,
            f,
            d * self.factor,
            facility_types=facilities.type_codes,
            n_origins=len(origins),
            query=query,
        )


def detour_factory(**_: Any) -> DistanceProvider:
    """The factory registered as ``euclidean_detour`` (options are ignored)."""
    return DetourProvider()
