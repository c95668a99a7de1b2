"""The ``network`` distance provider: walking distances, isochrones and report facts.

:class:`NetworkProvider` measures on a :class:`~livable.geometry.network.StreetNetwork`
for the engine; :func:`network_factory` builds one from a street layer
(:class:`StreetLines`) and a profile's ``network_*`` settings.

>>> import numpy as np, shapely
>>> net = StreetNetwork.from_lines(
...     np.array([shapely.LineString([(0, 0), (1000, 0)])], dtype=object))
>>> NetworkProvider(net).origin_details(Origins([250.0], [5.0]))[0]["snap_m"]
5.0
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import attrs
import numpy as np
import numpy.typing as npt
from shapely.geometry.base import BaseGeometry

from livable.errors import InputError, LivableError
from livable.geometry.access import (
    AccessQuery,
    AccessTable,
    FacilityColumns,
    IntArray,
    Origins,
    access_from_pairs,
)
from livable.geometry.network._arrays import csr_lists, expand
from livable.geometry.network._isochrones import draw_isochrones
from livable.geometry.network._snap import (
    FacilitySnap,
    OriginSnap,
    snap_facilities,
    snap_origins,
)
from livable.geometry.network._table import assemble, prune_far
from livable.geometry.network.graph import StreetNetwork
from livable.geometry.network.search import DEFAULT_MAX_CELLS
from livable.models.results import InputNote, Rejection, SourceInfo

__all__ = ["NetworkProvider", "StreetLines", "network_factory"]


@runtime_checkable
class StreetLines(Protocol):
    """What the network needs of a street layer: :class:`livable.io.StreetLayer`, which
    :func:`livable.io.read_streets` returns (streets are read in :mod:`livable.io`; this
    module only measures on them).

    ``lines`` are (Multi)LineStrings in WGS84 lon/lat, ``ids`` their street ids; the
    rejected features and the source feature count go into the report's network facts.
    """

    @property
    def ids(self) -> Sequence[str] | npt.NDArray[np.object_]:
        """The street ids, in the order of ``lines``."""

    @property
    def lines(self) -> npt.NDArray[np.object_]:
        """The street lines (WGS84 lon/lat)."""

    @property
    def rejected(self) -> tuple[Rejection, ...]:
        """The features of the source that were not read, with the reason."""

    @property
    def source(self) -> SourceInfo:
        """Where the streets came from."""

    @property
    def count(self) -> int:
        """How many features the source held."""

    def __len__(self) -> int: ...


@attrs.define(eq=False)
class NetworkProvider:
    """Walking distance along the streets (the ``network`` provider).

    ``measure`` follows :class:`~livable.geometry.providers.DistanceProvider`; besides it
    the provider answers the engine's optional questions: :meth:`isochrones` (the reachable
    area per tier), :meth:`origin_details` (per-centre snap facts, ``details`` in the
    report) and :meth:`report_details` (the graph, rejected streets and off-network
    facilities). Snapping results are kept between these calls for the same inputs.
    """

    network: StreetNetwork
    snap_tolerance_m: float = 100.0
    """A facility farther than this from an eligible street is reported, not joined."""
    walkshed_m: float = 50.0
    """Half-width of the buffer around reached streets that makes an isochrone."""
    to_wgs84: Any = None
    """Working CRS -> WGS84 for geometries (``Projector.inverse_geometry``); None keeps
    the working CRS."""
    max_cells: int = DEFAULT_MAX_CELLS
    street_layer: StreetLines | None = None
    draw_isochrones: bool = True
    """False: :meth:`isochrones` answers ``None`` per centre (profile ``network_isochrones``)."""
    name: str = "network"
    _origin_cache: tuple[Origins, OriginSnap] | None = attrs.field(default=None, init=False)
    _facility_cache: tuple[FacilityColumns, FacilitySnap] | None = attrs.field(
        default=None, init=False
    )

    # -- snapping ---------------------------------------------------------------------

    def _snap_origins(self, origins: Origins) -> OriginSnap:
        if self._origin_cache is not None and self._origin_cache[0] is origins:
            return self._origin_cache[1]
        snap = snap_origins(self.network, origins)
        self._origin_cache = (origins, snap)
        return snap

    def _snap_facilities(self, facilities: FacilityColumns, osnap: OriginSnap) -> FacilitySnap:
        if self._facility_cache is not None and self._facility_cache[0] is facilities:
            return self._facility_cache[1]
        snap = snap_facilities(
            self.network, facilities, osnap, snap_tolerance_m=self.snap_tolerance_m
        )
        self._facility_cache = (facilities, snap)
        return snap

    # -- distances --------------------------------------------------------------------

    def measure(
        self, origins: Origins, facilities: FacilityColumns, query: AccessQuery
    ) -> AccessTable:
        """Walking distances from every centre to the facilities within the search radius.

        A many-source bounded search (``limit`` = the largest radius the answer needs) in
        batches; each reached node lists the facilities whose edge it ends, so no
        origin x facility product is formed.
        """
        osnap = self._snap_origins(origins)
        fsnap = self._snap_facilities(facilities, osnap)
        g = osnap.graph
        nmap = g.node_map
        m = g.n_search_nodes
        limit = query.max_radius_m
        # node -> simple facility ends, node -> complex access points (search node ids)
        p_nodes = np.r_[nmap[fsnap.pair_a], nmap[fsnap.pair_b]]
        p_side = np.r_[
            np.zeros(fsnap.pair_fac.size, np.int64), np.ones(fsnap.pair_fac.size, np.int64)
        ]
        p_idx = np.r_[np.arange(fsnap.pair_fac.size), np.arange(fsnap.pair_fac.size)]
        p_indptr, p_order = csr_lists(p_nodes, m)
        p_side, p_idx = p_side[p_order], p_idx[p_order]
        c_nodes = nmap[fsnap.ap_node]
        c_indptr, c_order = csr_lists(c_nodes, m)
        pa, pb = nmap[fsnap.pair_a], nmap[fsnap.pair_b]

        rows = np.flatnonzero(osnap.ok)
        parts: list[tuple[IntArray, AccessTable]] = []
        for batch in g.batches(osnap.node[rows], limit=limit, max_cells=self.max_cells):
            b_rows = rows[batch.sources]
            r_loc, node = batch.reached()
            # simple facilities: emit each (row, facility) once, from its first reached end
            rr, _, pos = expand(r_loc, node, p_indptr)
            side, pi = p_side[pos], p_idx[pos]
            d_a = batch.at(rr, pa[pi])
            keep = (side == 0) | ~np.isfinite(d_a)
            rr, pi, d_a = rr[keep], pi[keep], d_a[keep]
            d_simple = np.minimum(d_a + fsnap.pair_ca[pi], batch.at(rr, pb[pi]) + fsnap.pair_cb[pi])
            f_simple = fsnap.pair_fac[pi]
            # complex facilities: every reached access point, then the minimum per pair
            cr, cn, cpos = expand(r_loc, node, c_indptr)
            ap = c_order[cpos]
            cd = batch.at(cr, cn) + fsnap.ap_cost[ap]
            cf = fsnap.ap_fac[ap]
            if cf.size:
                order = np.lexsort((cd, cf, cr))
                cr, cf, cd = cr[order], cf[order], cd[order]
                first = np.r_[True, (cr[1:] != cr[:-1]) | (cf[1:] != cf[:-1])]
                cr, cf, cd = cr[first], cf[first], cd[first]
            o_loc = np.r_[rr, cr]
            f_all = np.r_[f_simple, cf]
            d_all = np.r_[d_simple, cd] + osnap.snap_m[b_rows][o_loc]
            near_m = np.maximum(query.circle_radii_m[b_rows], max(query.tier_radii_m, default=0))
            keep = prune_far(
                o_loc,
                f_all,
                d_all,
                facility_types=facilities.type_codes,
                near_m=near_m,
                query=query,
            )
            o_loc, f_all, d_all = o_loc[keep], f_all[keep], d_all[keep]
            sub = AccessQuery(
                type_ids=query.type_ids,
                tier_radii_m=query.tier_radii_m,
                circle_radii_m=query.circle_radii_m[b_rows],
                search_radius_m=query.search_radius_m,
                k=query.k,
            )
            table = access_from_pairs(
                o_loc,
                f_all,
                d_all,
                facility_types=facilities.type_codes,
                n_origins=b_rows.size,
                query=sub,
            )
            parts.append((b_rows, table))
        return assemble(parts, len(origins), query, facilities.type_codes)

    # -- isochrones -------------------------------------------------------------------

    def isochrones(
        self, origins: Origins, radii_m: Sequence[float]
    ) -> list[dict[int, BaseGeometry] | None]:
        """The area reachable within each radius from each centre, keyed by whole metres.

        Built from the reached edges, partial edges cut where the walk budget (the radius
        less the centre's snap length) runs out, plus the centre's snap line, each piece
        buffered by ``walkshed_m`` and merged (cost grows with the pieces reached: about
        0.1 s per centre and radius on a 100 m grid). A larger radius reuses the smaller one's
        polygon and adds only the pieces that grew. Geometries are WGS84 when the provider
        was given ``to_wgs84``, else in the working CRS; a centre with no network gets
        empty polygons.

        >>> import shapely
        >>> net = StreetNetwork.from_lines(
        ...     np.array([shapely.LineString([(0, 0), (1000, 0)])], dtype=object))
        >>> iso = NetworkProvider(net, walkshed_m=10.0).isochrones(
        ...     Origins([500.0], [0.0]), [400.0])
        >>> [round(v) for v in iso[0][400].bounds]
        [90, -10, 910, 10]
        """
        if not self.draw_isochrones:
            return [None] * len(origins)
        return draw_isochrones(
            self._snap_origins(origins),
            origins,
            radii_m,
            walkshed_m=self.walkshed_m,
            to_wgs84=self.to_wgs84,
            max_cells=self.max_cells,
        )

    # -- report facts -----------------------------------------------------------------

    def origin_details(self, origins: Origins) -> list[dict[str, Any]]:
        """Per centre: ``snap_m`` (metres walked to the nearest street, in the distances),
        ``snap_street`` (that street's id, when known) and ``on_network``.

        >>> import shapely
        >>> net = StreetNetwork.from_lines(
        ...     np.array([shapely.LineString([(0, 0), (1000, 0)])], dtype=object),
        ...     street_ids=["main"])
        >>> NetworkProvider(net).origin_details(Origins([300.0], [12.5]))
        [{'on_network': True, 'snap_m': 12.5, 'snap_street': 'main'}]
        """
        osnap = self._snap_origins(origins)
        net = self.network
        out: list[dict[str, Any]] = []
        for i in range(len(origins)):
            if not osnap.ok[i]:
                out.append(
                    {
                        "on_network": False,
                        "snap_m": None,
                        "snap_street": None,
                        "reason": "no street part of at least "
                        f"{net.min_component_m:g} m (network_min_component_m) to snap to",
                    }
                )
                continue
            street = int(net.edge_street[osnap.edge[i]])
            out.append(
                {
                    "on_network": True,
                    "snap_m": round(float(osnap.snap_m[i]), 1),
                    "snap_street": net.street_ids[street]
                    if 0 <= street < len(net.street_ids)
                    else None,
                }
            )
        return out

    def street_notes(self) -> tuple[InputNote, ...]:
        """What the network dropped of the streets: the connected parts shorter than
        ``network_min_component_m`` and their segments (none when nothing was dropped).

        >>> import shapely
        >>> lines = [shapely.LineString([(0, 0), (1000, 0)]),
        ...          shapely.LineString([(0, 50), (5, 50)])]
        >>> net = StreetNetwork.from_lines(np.array(lines, dtype=object), min_component_m=100.0)
        >>> [(n.kind, n.count) for n in NetworkProvider(net).street_notes()]
        [('dropped_components', 1), ('dropped_segments', 1)]
        """
        net = self.network
        parts = net.n_components - net.n_components_kept
        if parts == 0:
            return ()
        what = f"of {net.n_components:,}, shorter than {net.min_component_m:g} m"
        return (
            InputNote("dropped_components", parts, what),
            InputNote("dropped_segments", net.n_edges - net.n_eligible_edges),
        )

    def report_details(self, facility_ids: Sequence[Any] | None = None) -> dict[str, Any]:
        """Facts for the report: the graph, rejected streets and off-network facilities.

        ``facility_ids`` names facilities by index (else the index is reported).

        >>> import shapely
        >>> net = StreetNetwork.from_lines(
        ...     np.array([shapely.LineString([(0, 0), (1000, 0)])], dtype=object))
        >>> p = NetworkProvider(net, snap_tolerance_m=100.0)
        >>> fac = FacilityColumns(x=[500.0], y=[250.0], type_codes=[0], type_ids=("clinic",))
        >>> q = AccessQuery(type_ids=("clinic",), tier_radii_m=(400.0,),
        ...                 circle_radii_m=[1200.0], search_radius_m=3000.0)
        >>> _ = p.measure(Origins([0.0], [0.0]), fac, q)
        >>> facts = p.report_details(["far-clinic"])["network"]
        >>> facts["edges"], facts["off_network_facilities"][0]["nearest_street_m"]
        (1, 250.0)
        """
        net = self.network
        layer = self.street_layer
        off: list[dict[str, Any]] = []
        if self._facility_cache is not None:
            fsnap = self._facility_cache[1]
            for i, near in zip(fsnap.off_network.tolist(), fsnap.nearest_street_m, strict=True):
                fid = str(facility_ids[i]) if facility_ids is not None else str(i)
                if np.isnan(near):
                    reason = "no street to snap to"
                elif near > self.snap_tolerance_m:
                    reason = (
                        f"{near:.1f} m from the nearest street, beyond the snap tolerance of "
                        f"{self.snap_tolerance_m:g} m (network_snap_tolerance_m)"
                    )
                else:
                    reason = (
                        f"the streets within {self.snap_tolerance_m:g} m belong to parts "
                        f"shorter than {net.min_component_m:g} m (network_min_component_m)"
                    )
                off.append(
                    {
                        "id": fid,
                        "reason": reason,
                        "nearest_street_m": None if np.isnan(near) else round(float(near), 1),
                    }
                )
        return {
            "network": {
                "streets": None if layer is None else len(layer),
                "nodes": net.n_nodes,
                "edges": net.n_edges,
                "length_km": round(float(net.edge_length.sum()) / 1000.0, 3),
                "components": net.n_components,
                "components_kept": net.n_components_kept,
                "noding": net.noded,
                "snap_tolerance_m": self.snap_tolerance_m,
                "min_component_m": net.min_component_m,
                "walkshed_m": self.walkshed_m,
                "rejected_streets": []
                if layer is None
                else [{"id": r.id, "source": r.source, "reason": r.reason} for r in layer.rejected],
                "off_network_facilities": off,
            }
        }


def _no_streets(layer: StreetLines) -> str:
    """Why a street layer holds no line: the rejections' reasons, counted, with the first
    feature of each (the full list is in the strict message or the report).

    >>> from livable.io import read_streets
    >>> layer = read_streets({"type": "FeatureCollection", "features": [{"type": "Feature",
    ...     "properties": {}, "geometry": {"type": "LineString",
    ...     "coordinates": [[108.94, 34.26], [108.95, 34.26]]}}]})
    >>> print(_no_streets(layer))
    no usable street lines: 1 of 1 feature rejected: 1 x missing id: every street needs a
    unique 'id' property (text or a whole number) (first <memory>#0)
    """
    if not layer.rejected:
        return "no usable street lines: the source holds no features"
    first: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for r in layer.rejected:
        counts[r.reason] += 1
        first.setdefault(r.reason, r.source)
    shown = [f"{n} x {reason} (first {first[reason]})" for reason, n in counts.most_common(3)]
    more = f"; and {len(counts) - 3} other reasons" if len(counts) > 3 else ""
    noun = "feature" if layer.count == 1 else "features"
    return (
        f"no usable street lines: {len(layer.rejected)} of {layer.count} {noun} rejected: "
        + "; ".join(shown)
        + more
    )


def network_factory(
    *,
    profile: Any,
    projector: Any,
    streets: StreetLines | None = None,
    **_: Any,
) -> NetworkProvider:
    """The ``network`` provider for a street layer: projects the streets to the working
    CRS and builds the graph with the profile's ``network_*`` settings.

    ``streets`` is a street layer (:class:`livable.io.StreetLayer`, from
    :func:`livable.io.read_streets`); the registered provider factory
    (``livable.plugins.builtin.network.network_factory``) reads a file, bytes or mapping first.

    >>> import pyproj
    >>> from livable.io import read_streets
    >>> from livable.geometry.crs import Projector
    >>> from livable.profile import load_profile
    >>> streets = read_streets({"type": "FeatureCollection", "features": [{"type": "Feature",
    ...     "properties": {"id": "s1"}, "geometry": {"type": "LineString",
    ...     "coordinates": [[108.94, 34.26], [108.96, 34.26]]}}]})
    >>> p = network_factory(profile=load_profile("xian-2020"),
    ...                     projector=Projector.for_crs(pyproj.CRS.from_epsg(32649)),
    ...                     streets=streets)
    >>> p.name, p.network.n_edges, round(float(p.network.edge_length[0]))
    ('network', 1, 1842)
    """
    if streets is None:
        raise LivableError(
            "the network distance needs streets: give --streets S.geojson "
            "(Python: evaluate(..., streets=...))"
        )
    if not isinstance(streets, StreetLines):
        raise LivableError(
            f"the network provider takes a street layer, not a {type(streets).__name__}: "
            "read the streets with livable.io.read_streets first"
        )
    layer = streets
    if len(layer) == 0:
        raise InputError(_no_streets(layer), source=layer.source.path)
    lines = projector.forward_geometry(layer.lines)
    net = StreetNetwork.from_lines(
        lines,
        noding=bool(getattr(profile, "network_noding", False)),
        min_component_m=float(getattr(profile, "network_min_component_m", 0.0)),
        street_ids=[str(i) for i in layer.ids],
    )
    return NetworkProvider(
        net,
        snap_tolerance_m=float(getattr(profile, "network_snap_tolerance_m", 100.0)),
        walkshed_m=float(getattr(profile, "network_walkshed_m", 50.0)),
        to_wgs84=projector.inverse_geometry,
        street_layer=layer,
        draw_isochrones=bool(getattr(profile, "network_isochrones", True)),
    )
