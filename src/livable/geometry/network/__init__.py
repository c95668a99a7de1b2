"""Walking distance on the street network: the ``network`` distance provider.

A straight 1.2 km circle overstates what residents reach: rivers, rail lines and walls make
the walk longer than the line (``P6.circle``, ``P6.tiers`` are walking distances). This
package builds a walkable graph from a streets file and measures distances along it, one
job per module: ``graph`` (the graph of a street layer: segments, nodes, connected parts,
the nearest edges of points and areas), ``search`` (bounded many-source Dijkstra searches),
``provider`` (:class:`NetworkProvider` and :func:`network_factory`), and the private
``_snap`` (joining centres and facilities to the graph), ``_table`` (the access table from
the searched pairs), ``_isochrones`` and ``_arrays`` (array helpers). Import the names
from here; this module also keeps the deprecated 0.1 aliases ``read_streets`` and
``StreetLayer`` (now in :mod:`livable.io`).

The graph
    Every straight piece of a street line (two consecutive vertices) is an edge, undirected,
    its length in metres in the working CRS. Vertices that coincide to the millimetre are one
    node, so lines are joined where they share a vertex. Lines that cross without a shared
    vertex (a bridge over a road, a tunnel) are **not** joined unless noding is asked for
    (``noding=True``, profile field ``network_noding``), which splits every line at every
    crossing with :func:`shapely.node`.

Shortest paths
    :class:`WalkGraph` runs :func:`scipy.sparse.csgraph.dijkstra` from many sources at once,
    bounded by a distance ``limit`` (the profile's ``search_radius_m``), in batches of sources
    so the dense ``sources x nodes`` answer stays within ``max_cells``. Parallel edges keep
    their shortest length (a min-reduction, never the sum that building a sparse matrix from
    duplicates gives). Zero-length edges are **contracted**: their end nodes are merged into
    one before the search (exact; no epsilon is added), because a sparse-graph search cannot
    be trusted to keep an explicit zero weight as an edge.

Snapping
    A community centre or a facility joins the network at the nearest point of the nearest
    edge (not the nearest node): the snap point splits that edge into two partial edges. A
    centre becomes a virtual node joined to both ends of its edge; a facility is reached
    through either end of its edge plus the partial length, which is the same as splitting
    the edge without enlarging the graph. A facility and a centre on the same edge are also
    joined directly along it. Snap lengths count in the walk. Only edges of connected parts
    of at least ``network_min_component_m`` of street are snapped to; a facility farther
    than ``network_snap_tolerance_m`` from such an edge is reported, not joined. A centre
    always snaps (its snap length is reported as ``details.snap_m``). An area facility (a
    park, a campus) is reached from every edge that passes within the snap tolerance of
    it: the walk leaves the edge where it first comes within the tolerance (from either
    end) and steps straight to the area's edge, so a street along or through it reaches
    it with a short step or none; its distance is the shortest over those ways in.

Isochrones
    The area reached within each tier distance: the reached edges, partial edges cut where
    the walk budget ends, buffered by the walk-shed width (``network_walkshed_m``, 50 m by
    default: the depth of the plots fronting a street) and merged into one polygon.

>>> import numpy as np, shapely
>>> lines = np.array([shapely.LineString([(0, 0), (1000, 0)]),
...                   shapely.LineString([(1000, 0), (1000, 800)])], dtype=object)
>>> net = StreetNetwork.from_lines(lines, min_component_m=0.0)
>>> net.n_nodes, net.n_edges
(3, 2)
>>> from livable.geometry.access import AccessQuery, FacilityColumns, Origins
>>> fac = FacilityColumns(x=[990.0], y=[700.0], type_codes=[0], type_ids=("clinic",))
>>> q = AccessQuery(type_ids=("clinic",), tier_radii_m=(400.0, 1200.0, 2000.0),
...                 circle_radii_m=[1200.0], search_radius_m=3000.0, k=1)
>>> p = NetworkProvider(net)
>>> t = p.measure(Origins([200.0], [30.0]), fac, q)
>>> float(t.nearest_m[0, 0])  # 30 snap + 800 + 700 along the streets + 10 snap
1540.0
>>> t.count_within[0, 0].tolist()
[0, 0, 1]
"""

from __future__ import annotations

from typing import Any

from livable._moved import moved_name
from livable.geometry.network import graph, search
from livable.geometry.network.graph import StreetNetwork
from livable.geometry.network.provider import NetworkProvider, StreetLines, network_factory
from livable.geometry.network.search import SearchBatch, WalkGraph

__all__ = [
    "DEFAULT_MAX_CELLS",
    "NODE_PRECISION_M",
    "NetworkProvider",
    "SearchBatch",
    "StreetLines",
    "StreetNetwork",
    "WalkGraph",
    "network_factory",
]

# the constants, named here again so that the API reference documents them with the module
NODE_PRECISION_M = graph.NODE_PRECISION_M
"""Vertices that coincide to this precision (1 mm) are one node of the graph."""

DEFAULT_MAX_CELLS = search.DEFAULT_MAX_CELLS
"""Cells (sources x nodes, 8 bytes each) of one batch of the many-source search: 64 MB."""

_MOVED_TO_IO = {"read_streets": "livable.io.streets", "StreetLayer": "livable.io.layers"}
"""Names of livable 0.1's ``livable.geometry.network`` that moved to :mod:`livable.io`."""


def __getattr__(name: str) -> Any:
    """The deprecated 0.1 names (:data:`_MOVED_TO_IO`): warn, and give the io object."""
    if name not in _MOVED_TO_IO:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    moved_name(__name__, name, "livable.io")
    import livable.io  # the deprecated alias (ignore_imports in the contract)

    return getattr(livable.io, name)
