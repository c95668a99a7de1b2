"""Built-in plugin ``livable.providers``: straight-line and geodesic distances.

>>> sorted(livable_distance_providers())
['euclidean', 'geodesic']
"""

from __future__ import annotations

from collections.abc import Mapping

from livable.geometry.providers import ProviderFactory, euclidean_factory, geodesic_factory
from livable.plugins.hookspecs import hookimpl


@hookimpl
def livable_distance_providers() -> Mapping[str, ProviderFactory]:
    """``euclidean`` (in the working CRS) and ``geodesic`` (on the WGS84 ellipsoid).

    >>> livable_distance_providers()["euclidean"]().name
    'euclidean'
    """
    return {"euclidean": euclidean_factory, "geodesic": geodesic_factory}
