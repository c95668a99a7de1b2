"""The streets under a report's products (``P7``): the map draws them, the handbook names
the street each listed facility is on.

:func:`report_streets` finds them: the streets given (a layer already read, a streets file
or a FeatureCollection, read and validated as ``livable evaluate`` reads ``--streets``),
else the streets input the report records (``inputs`` entry with ``layer`` ``streets``,
a ``--distance network`` run), read back from its path and checked against its SHA-256.
When that file is missing or changed, one :class:`StreetsWarning` says so and the
products are made without streets. :class:`StreetNames` finds the named street nearest
a point, within :data:`ON_STREET_M` metres.

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
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt
import shapely

from livable._text import escape
from livable.errors import InputError
from livable.geometry.crs import Projector
from livable.io.layers import StreetLayer
from livable.io.streets import read_streets
from livable.models.results import Report

__all__ = [
    "ON_STREET_M",
    "StreetNames",
    "StreetSource",
    "StreetsWarning",
    "report_streets",
    "street_layer",
]

StreetSource = StreetLayer | str | os.PathLike[str] | bytes | Mapping[str, Any]
"""Streets for a product: a layer already read, a streets file, its bytes or a
FeatureCollection."""


class StreetsWarning(UserWarning):
    """The streets a report records cannot be read back (missing or changed file): the map
    and the handbook are made without them."""


ON_STREET_M = 60.0
"""How far (metres) a facility may be from a named street and still be "on" it: about a
plot's depth, so a shop set back from the road still takes the road's name."""


def street_layer(streets: StreetSource) -> StreetLayer:
    """``streets`` as a layer (read and validated as ``livable evaluate`` does).

    >>> street_layer({"type": "FeatureCollection", "features": []}).count
    0
    """
    return streets if isinstance(streets, StreetLayer) else read_streets(streets)


def report_streets(
    report: Report, streets: StreetSource | Literal[False] | None = None
) -> StreetLayer | None:
    """The streets of ``report``'s products: ``streets`` when given, none for ``False``,
    else the streets file the report records, if it still holds the same bytes.

    A streets file given is read in the CRS and datum the report records for its streets
    (those of ``--streets-crs`` and ``--streets-datum``), if it records any.

    The recorded path is read as it was given to ``livable evaluate`` (relative paths from
    the current folder). A missing or changed file gives one :class:`StreetsWarning`
    naming it, and ``None``; streets given in memory (``<memory>``) are not recorded.

    >>> import livable
    >>> report_streets(livable.evaluate([], [])) is None
    True
    >>> from livable.models.results import SourceInfo
    >>> moved = attrs.evolve(livable.evaluate([], []),
    ...     inputs=(SourceInfo("gone/streets.geojson", "ab" * 32, layer="streets"),))
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     report_streets(moved) is None
    True
    >>> print(caught[0].message)
    gone/streets.geojson: the streets file of this report is missing; the products are made ...
    """
    if streets is False:
        return None
    info = next((s for s in report.inputs if s.layer == "streets"), None)
    if isinstance(streets, (str, os.PathLike, bytes)) and info is not None:
        return read_streets(streets, crs=info.crs, datum=info.datum or "wgs84")
    if streets is not None:
        return street_layer(streets)
    if info is None or info.path.startswith("<"):
        return None
    without = "the products are made without streets"
    try:
        layer = read_streets(info.path, crs=info.crs, datum=info.datum or "wgs84")
    except InputError as exc:
        missing = "file not found" in str(exc)
        problem = "is missing" if missing else f"cannot be read ({exc})"
        _warn(f"{escape(info.path)}: the streets file of this report {problem}; {without}")
        return None
    if info.sha256 is not None and layer.source.sha256 != info.sha256:
        _warn(
            f"{escape(info.path)}: the streets file changed since this report was made "
            f"(SHA-256 {str(layer.source.sha256)[:12]}..., the report says {info.sha256[:12]}...); "
            f"{without}"
        )
        return None
    return layer


def _warn(message: str) -> None:
    warnings.warn(
        f"{message} (give the streets file with --streets or streets=)", StreetsWarning, 3
    )


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
        return self.streets_at([lon], [lat])[0]

    def streets_at(self, lons: Sequence[float], lats: Sequence[float]) -> tuple[str | None, ...]:
        """:meth:`street_at` for many points at once: one projection and one tree query.

        >>> import livable, shapely
        >>> from livable.io.layers import StreetLayer
        >>> from livable.report._doc import report_projector
        >>> line = shapely.LineString([(108.94, 34.25), (108.94, 34.27)])
        >>> layer = StreetLayer.from_lines(["s1"], [line], [{"name": "北5街"}])
        >>> names = StreetNames.from_layer(layer, report_projector(livable.evaluate([], [])))
        >>> names.streets_at([108.9401, 108.96], [34.26, 34.26])
        ('北5街', None)
        """
        found: list[str | None] = [None] * len(lons)
        if not self.names or not found:
            return tuple(found)
        x, y = self.projector.forward(np.asarray(lons, float), np.asarray(lats, float))
        points, streets = self.tree.query_nearest(shapely.points(x, y), max_distance=self.within_m)
        # the first street of each point's nearest (a tie keeps the first, as one query did)
        firsts = np.unique(points, return_index=True)[1]
        for point, street in zip(points[firsts], streets[firsts], strict=True):
            found[int(point)] = self.names[int(street)]
        return tuple(found)
