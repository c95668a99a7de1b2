"""The street network under a map: thin grey lines, so a reader can tell where things are.

The streets come from :mod:`livable.report.streets` (the report's own, or those given).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from livable.geometry.crs import Projector

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["STREET_COLOR", "draw_streets"]

STREET_COLOR = "#b8b8b8"


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
