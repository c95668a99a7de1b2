"""The ``network`` provider's factory as the built-in plugin registers it: read the
streets (:func:`livable.io.read_streets`), then build the provider on them
(:func:`livable.geometry.network.network_factory`).

It sits here, above both, because reading (io) and measuring (geometry) are independent
layers. :mod:`livable.geometry.network` (and scipy) is imported when first used.
"""

from __future__ import annotations

from typing import Any

from livable.io.datums import Datum
from livable.io.layers import StreetLayer
from livable.io.streets import read_streets

__all__ = ["network_factory"]


def network_factory(
    *,
    profile: Any,
    projector: Any,
    streets: Any = None,
    streets_crs: Any = None,
    streets_datum: Datum | str = Datum.WGS84,
    strict: bool = False,
    **_: Any,
) -> Any:
    """The ``network`` provider: ``streets`` (a file, bytes, a mapping or a
    :class:`~livable.io.StreetLayer`) read in its CRS and datum, then measured on.

    >>> from livable.geometry.crs import Projector
    >>> import pyproj
    >>> from livable.profile import load_profile
    >>> streets = {"type": "FeatureCollection", "features": [{"type": "Feature",
    ...     "properties": {"id": "s1"}, "geometry": {"type": "LineString",
    ...     "coordinates": [[108.94, 34.26], [108.96, 34.26]]}}]}
    >>> p = network_factory(profile=load_profile("xian-2020"),
    ...                     projector=Projector.for_crs(pyproj.CRS.from_epsg(32649)),
    ...                     streets=streets)
    >>> p.name, p.network.n_edges
    ('network', 1)
    """
    from livable.geometry import network

    if streets is not None and not isinstance(streets, StreetLayer):
        streets = read_streets(streets, crs=streets_crs, datum=streets_datum, strict=strict)
    return network.network_factory(profile=profile, projector=projector, streets=streets)
