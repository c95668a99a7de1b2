"""Drawing pieces both maps share: the local projection, polygons as paths, a text
panel, the scale bar and the north arrow.

>>> from shapely.geometry import box
>>> polygon_path(box(0, 0, 1, 1)).vertices.shape
(5, 2)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from livable.geometry.crs import Projector
from livable.report.maps._labels import metres_text

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.path import Path as MplPath


def shift(geom: BaseGeometry, x0: float, y0: float) -> BaseGeometry:
    """``geom`` moved so that ``x0``, ``y0`` is the origin (the map is centred on 0, 0)."""
    return shapely.transform(geom, lambda c: c - np.array([x0, y0]))


def polygon_path(geom: BaseGeometry) -> MplPath | None:
    """A compound matplotlib path of a (Multi)Polygon's rings (holes included)."""
    mpath = importlib.import_module("matplotlib.path")
    polys = [geom] if geom.geom_type == "Polygon" else list(getattr(geom, "geoms", []))
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for poly in polys:
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)[:, :2]
            c = np.full(len(xy), mpath.Path.LINETO, dtype=np.uint8)
            c[0] = mpath.Path.MOVETO
            c[-1] = mpath.Path.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return None
    path: MplPath = mpath.Path(np.concatenate(verts), np.concatenate(codes))
    return path


def local_xy(
    projector: Projector, lon: float, lat: float, x0: float, y0: float
) -> tuple[float, float]:
    """A lon/lat point in map coordinates: projected, then moved by ``-x0``, ``-y0``."""
    x, y = projector.forward([lon], [lat])
    return float(x[0]) - x0, float(y[0]) - y0


class Panel:
    """Text and keys stacked top-down in an axes with 0-1 coordinates."""

    def __init__(self, ax: Axes, *, top: float = 0.995, line: float = 0.024) -> None:
        self.ax = ax
        self.y = top
        self.line = line

    def text(self, s: str, *, size: float = 8.5, gid: str | None = None, **kw: Any) -> None:
        self.ax.text(0.0, self.y, s, fontsize=size, va="top", gid=gid, **kw)
        self.y -= self.line * size / 8.5

    def gap(self, amount: float = 0.5) -> None:
        self.y -= self.line * amount


def scalebar(ax: Axes, half: float) -> None:
    """A scale bar in the bottom-right corner of a map centred on 0, 0 (``half`` metres)."""
    patches = importlib.import_module("matplotlib.patches")
    target = half * 2 / 5
    nice = [50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000]
    length = max([n for n in nice if n <= target] or [nice[0]])
    x1 = half * 0.95
    x = x1 - length
    y = -half * 0.93
    pad = half * 0.025
    ax.add_patch(
        patches.FancyBboxPatch(
            (x - pad, y - pad),
            length + 2 * pad,
            half * 0.075 + pad,
            boxstyle="round,pad=0",
            fc="white",
            ec="none",
            alpha=0.85,
            zorder=7,
            gid="scalebar-box",
        )
    )
    ax.plot([x, x1], [y, y], color="black", lw=3, solid_capstyle="butt", gid="scalebar", zorder=8)
    ax.text(
        (x + x1) / 2,
        y + half * 0.015,
        metres_text(length),
        ha="center",
        va="bottom",
        fontsize=9,
        gid="scalebar-label",
        zorder=8,
    )


def north_arrow(ax: Axes) -> None:
    """An arrow marked N in the top-right corner of the map."""
    ax.annotate(
        "N",
        xy=(0.965, 0.97),
        xytext=(0.965, 0.89),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=11,
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2},
        gid="north",
    )
