"""Built-in plugin ``livable.network``: walking distances along the streets.

The street network (:mod:`livable.geometry.network`, with scipy's sparse graphs) is imported
only when the factory is called, that is when an evaluation asks for ``distance="network"``:
``import livable`` and every other distance stay free of it. Block this plugin
(``--block-plugin livable.network``) to refuse network evaluations in a deployment.

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


def network_factory(**kwargs: Any) -> NetworkProvider:
    """Build the ``network`` provider: :func:`livable.geometry.network.network_factory`,
    imported on this first call.

    >>> from livable.geometry.crs import Projector, resolve_crs
    >>> from livable.profile import load_profile
    >>> streets = {"type": "FeatureCollection", "features": [{"type": "Feature",
    ...     "properties": {"id": "s1"}, "geometry": {"type": "LineString",
    ...     "coordinates": [[108.94, 34.26], [108.96, 34.26]]}}]}
    >>> network_factory(profile=load_profile("xian-2020"),
    ...                 projector=Projector.for_crs(resolve_crs("EPSG:32649")),
    ...                 streets=streets).network.n_edges
    1
    """
    from livable.geometry.network import network_factory as build

    return build(**kwargs)


@hookimpl
def livable_distance_providers() -> Mapping[str, ProviderFactory]:
    """``network``: the shortest walk along the street graph (``P6``).

    >>> livable_distance_providers()["network"] is network_factory
    True
    """
    return {"network": network_factory}
