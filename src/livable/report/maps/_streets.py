"""The street network under a map: thin grey lines, so a reader can tell where things are.

>>> import shapely
>>> from livable.io.layers import StreetLayer
>>> layer = StreetLayer.from_lines(["s1"], [shapely.LineString([(108.94, 34.26), (108.95, 34.26)])])
>>> len(street_lines(layer))
1
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from livable.geometry.crs import Projector
from livable.io.layers import StreetLayer
from livable.io.streets import read_streets

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["StreetSource", "draw_streets", "street_lines"]

StreetSource = StreetLayer | str | os.PathLike[str] | Mapping[str, Any]
"""Streets for a map: a layer already read, a streets file or a FeatureCollection."""

STREET_COLOR = "#b8b8b8"


def street_lines(streets: StreetSource) -> list[Any]:
    """The WGS84 lines of ``streets`` (read and validated as ``livable evaluate`` does)."""
    layer = streets if isinstance(streets, StreetLayer) else read_streets(streets)
    return list(layer.lines)


def draw_streets(
    ax: Axes, lines: list[Any], projector: Projector, x0: float, y0: float, width: float
) -> None:
    """Draw ``lines`` (WGS84) thin and grey under everything else, in axes centred on x0, y0."""
    if not lines:
        return
    collections = importlib.import_module("matplotlib.collections")
    projected = projector.forward_geometry(np.array(lines, dtype=object))
    segments = [
        shapely.get_coordinates(part) - (x0, y0)
        for geom in projected
        for part in shapely.get_parts(geom)
    ]
    ax.add_collection(
        collections.LineCollection(
            segments, colors=STREET_COLOR, linewidths=width, zorder=0.5, gid="streets"
        ),
        autolim=False,
    )
