"""Built-in plugin ``livable.network``: walking distances along the streets.

The factory reads the streets (:func:`livable.io.read_streets`) and builds the provider on
them (:func:`livable.geometry.network.network_factory`). It sits in the plugins layer,
above both, because reading (io) and measuring (geometry) are independent layers. The
street network (with scipy's sparse graphs) is imported only when the factory is called,
that is when an evaluation asks for ``distance="network"``: ``import livable`` and every
other distance stay free of it. Block this plugin (``--block-plugin livable.network``) to
refuse network evaluations in a deployment.

>>> sorted(livable_distance_providers())
['network']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from livable.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from livable.geometry.network import NetworkProvider
    from livable.geometry.providers import ProviderFactory
    from livable.io.datums import Datum


def network_factory(
    *,
    profile: Any,
    projector: Any,
    streets: Any = None,
    streets_crs: Any = None,
    streets_datum: Datum | str = "wgs84",
    strict: bool = False,
    **_: Any,
) -> NetworkProvider:
    """The ``network`` provider: ``streets`` (a file, bytes, a mapping or a
    :class:`~livable.io.StreetLayer`) read in its CRS and datum, then measured on.

    >>> import pyproj
    >>> from livable.geometry.crs import Projector
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
    from livable.io.layers import StreetLayer
    from livable.io.streets import read_streets

    if streets is not None and not isinstance(streets, StreetLayer):
        streets = read_streets(streets, crs=streets_crs, datum=streets_datum, strict=strict)
    return network.network_factory(profile=profile, projector=projector, streets=streets)


@hookimpl
def livable_distance_providers() -> Mapping[str, ProviderFactory]:
    """``network``: the shortest walk along the street graph (``P6``).

    >>> livable_distance_providers()["network"] is network_factory
    True
    """
    return {"network": network_factory}
