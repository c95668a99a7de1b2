"""The streets under a report's products (``P7``): the map draws them, the handbook names
the street each listed facility is on.

A street source is a layer already read, a streets file or a FeatureCollection (read and
validated as ``livable evaluate`` reads ``--streets``). :class:`StreetNames` finds the
named street nearest a point, within :data:`ON_STREET_M` metres.

>>> import shapely
>>> from livable.io.layers import StreetLayer
>>> from livable.report._doc import report_projector
>>> import livable
>>> layer = StreetLayer.from_lines(
...     ["s1", "s2"],
...     [shapely.LineString([(108.94, 34.26), (108.95, 34.26)]),
...      shapely.LineString([(108.94, 34.27), (108.95, 34.27)])],
...     [{"name": "长安路"}, {}])
>>> names = StreetNames.from_layer(layer, report_projector(livable.evaluate([], [])))
>>> names.street_at(108.945, 34.2601), names.street_at(108.945, 34.2699)
('长安路', None)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import shapely

from livable.geometry.crs import Projector
from livable.io.layers import StreetLayer
from livable.io.streets import read_streets

__all__ = ["ON_STREET_M", "StreetNames", "StreetSource", "street_layer"]

StreetSource = StreetLayer | str | os.PathLike[str] | Mapping[str, Any]
"""Streets for a product: a layer already read, a streets file or a FeatureCollection."""

ON_STREET_M = 60.0
"""How far (metres) a facility may be from a named street and still be "on" it: about a
plot's depth, so a shop set back from the road still takes the road's name."""


def street_layer(streets: StreetSource) -> StreetLayer:
    """``streets`` as a layer (read and validated as ``livable evaluate`` does).

    >>> street_layer({"type": "FeatureCollection", "features": []}).count
    0
    """
    return streets if isinstance(streets, StreetLayer) else read_streets(streets)


@attrs.frozen(eq=False)
class StreetNames:
    """The named streets of a layer, projected, to tell which street a point is on."""

    names: tuple[str, ...]
    lines: npt.NDArray[np.object_]
    """The named streets in the projector's metric CRS."""
    projector: Projector
    within_m: float = ON_STREET_M
    tree: shapely.STRtree = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "tree", shapely.STRtree(self.lines))

    @classmethod
    def from_layer(
        cls, layer: StreetLayer, projector: Projector, within_m: float = ON_STREET_M
    ) -> StreetNames:
        """The streets of ``layer`` that have a ``name`` (none when it keeps no names)."""
        named = [
            (str(p["name"]), line)
            for p, line in zip(layer.properties, layer.lines, strict=True)
            if p.get("name")
        ]
        lines = np.empty(len(named), dtype=object)
        lines[:] = [line for _, line in named]
        projected = projector.forward_geometry(lines) if len(named) else lines
        return cls(tuple(n for n, _ in named), projected, projector, within_m)

    def __len__(self) -> int:
        return len(self.names)

    def street_at(self, lon: float, lat: float) -> str | None:
        """The name of the named street nearest ``lon``, ``lat`` (WGS84) within
        ``within_m`` metres, or ``None``."""
        if not self.names:
            return None
        x, y = self.projector.forward(np.array([lon]), np.array([lat]))
        found = self.tree.query_nearest(
            shapely.Point(float(x[0]), float(y[0])), max_distance=self.within_m
        )
        return self.names[int(found[0])] if len(found) else None
