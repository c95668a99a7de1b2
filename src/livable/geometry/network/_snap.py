"""Joining circle centres and facilities to the street network (private).

A centre snaps to the nearest point of the nearest eligible edge and becomes a virtual
node joined to both ends of that edge (:func:`snap_origins`). A point facility is reached
through either end of its edge plus the partial length; an area facility through every
edge within the snap tolerance; a facility on an edge a centre splits is also joined to
that centre directly along the edge (:func:`snap_facilities`).
"""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt
import shapely

from livable.geometry.access import FacilityColumns, FloatArray, IntArray, Origins
from livable.geometry.network._arrays import EMPTY_I, nearest_with_distance, points_on_edges
from livable.geometry.network.graph import NODE_PRECISION_M, StreetNetwork
from livable.geometry.network.search import WalkGraph

__all__ = ["FacilitySnap", "OriginSnap", "snap_facilities", "snap_origins"]


@attrs.frozen(eq=False)
class OriginSnap:
    """Circle centres joined to the network: a search node per centre."""

    edge: IntArray
    t: FloatArray
    snap_m: FloatArray
    node: IntArray
    """The centre's node: an edge end when it snaps onto one, else a virtual node."""
    ok: npt.NDArray[np.bool_]
    graph: WalkGraph
    """The street graph plus the virtual nodes, each joined to both ends of its edge."""
    edge_u: IntArray
    edge_v: IntArray
    node_x: FloatArray
    node_y: FloatArray
    """Edges and node positions of that graph (for isochrones)."""


@attrs.frozen(eq=False)
class FacilitySnap:
    """Facilities joined to the network, as access points ``(facility, node, cost)``.

    Point facilities off any origin's edge have exactly two access points, the ends of their
    edge (``pair_*``); the others (areas, and facilities on an edge a centre splits) are
    listed in ``ap_*`` and reduced with a sort.
    """

    pair_fac: IntArray
    pair_a: IntArray
    pair_b: IntArray
    pair_ca: FloatArray
    pair_cb: FloatArray
    ap_fac: IntArray
    ap_node: IntArray
    ap_cost: FloatArray
    snap_m: FloatArray
    """Snap length per facility (the smallest over its access points), NaN if off network."""
    off_network: IntArray
    nearest_street_m: FloatArray
    """Distance to the nearest street of any part, for each off-network facility."""


def snap_origins(net: StreetNetwork, origins: Origins) -> OriginSnap:
    """The centres joined to ``net``: a search node per centre, on a graph of the streets
    plus one virtual node per centre that snaps inside an edge."""
    edge, t, snap_m = net.snap_points(origins.x, origins.y)
    ok = edge >= 0
    e = np.where(ok, edge, 0)
    length = net.edge_length[e] if net.n_edges else np.zeros(len(origins))
    along = t * length
    node = np.full(len(origins), -1, dtype=np.int64)
    at_u = ok & (along <= NODE_PRECISION_M)
    at_v = ok & ~at_u & (length - along <= NODE_PRECISION_M)
    virtual = ok & ~at_u & ~at_v
    if net.n_edges:
        node[at_u] = net.edge_u[e[at_u]]
        node[at_v] = net.edge_v[e[at_v]]
    n_virtual = int(virtual.sum())
    node[virtual] = net.n_nodes + np.arange(n_virtual)
    vi = np.flatnonzero(virtual)
    ve = edge[vi]
    px = net.node_x[net.edge_u[ve]] + t[vi] * (
        net.node_x[net.edge_v[ve]] - net.node_x[net.edge_u[ve]]
    )
    py = net.node_y[net.edge_u[ve]] + t[vi] * (
        net.node_y[net.edge_v[ve]] - net.node_y[net.edge_u[ve]]
    )
    eu = np.r_[net.edge_u, node[vi], node[vi]]
    ev = np.r_[net.edge_v, net.edge_u[ve], net.edge_v[ve]]
    ew = np.r_[net.edge_length, along[vi], length[vi] - along[vi]]
    n_all = net.n_nodes + n_virtual
    all_x = np.r_[net.node_x, px]
    all_y = np.r_[net.node_y, py]
    graph = WalkGraph.from_edges(n_all, eu, ev, ew, x=all_x, y=all_y)
    return OriginSnap(
        edge=edge,
        t=t,
        snap_m=snap_m,
        node=node,
        ok=ok,
        graph=graph,
        edge_u=eu,
        edge_v=ev,
        node_x=all_x,
        node_y=all_y,
    )


def snap_facilities(
    net: StreetNetwork,
    facilities: FacilityColumns,
    osnap: OriginSnap,
    *,
    snap_tolerance_m: float,
) -> FacilitySnap:
    """The facilities joined to ``net`` as access points, those farther than
    ``snap_tolerance_m`` from an eligible edge listed as off the network."""
    n = len(facilities)
    area_mask = facilities.area_mask
    pts = np.flatnonzero(~area_mask)
    edge = np.full(n, -1, dtype=np.int64)
    t = np.full(n, np.nan)
    snap_m = np.full(n, np.nan)
    edge[pts], t[pts], snap_m[pts] = net.snap_points(
        facilities.x[pts], facilities.y[pts], max_distance=snap_tolerance_m
    )
    # areas: every eligible edge within the tolerance gives a stretch to step off from
    areas = np.flatnonzero(area_mask)
    area_geoms = np.asarray(facilities.areas)[areas] if areas.size else np.zeros(0, object)
    a_row, a_edge, a_tlo, a_glo, a_thi, a_ghi = net.snap_areas(
        area_geoms, max_distance=snap_tolerance_m
    )
    a_fac = areas[a_row] if a_row.size else EMPTY_I
    if a_fac.size:
        best = np.full(n, np.inf)
        np.minimum.at(best, a_fac, np.minimum(a_glo, a_ghi))
        has = np.isfinite(best)
        snap_m[has] = best[has]

    # every (facility, edge) with its stretch [t_lo, t_hi] and steps; points: t_lo = t_hi
    p_fac = pts[edge[pts] >= 0]
    all_fac = np.r_[p_fac, a_fac]
    all_edge = np.r_[edge[p_fac], a_edge]
    all_lo = np.r_[t[p_fac], a_tlo]
    all_hi = np.r_[t[p_fac], a_thi]
    gap_lo = np.r_[snap_m[p_fac], a_glo]
    gap_hi = np.r_[snap_m[p_fac], a_ghi]
    all_row = np.r_[np.full(p_fac.size, -1, dtype=np.int64), a_row]
    length = net.edge_length[all_edge]
    cost_u = all_lo * length + gap_lo  # reached from edge_u
    cost_v = (1.0 - all_hi) * length + gap_hi  # reached from edge_v
    # edges that a centre splits: join the facility to those centres directly too
    v_rows = np.flatnonzero(osnap.node >= net.n_nodes)
    shared = np.isin(all_edge, osnap.edge[v_rows])
    complex_fac = np.zeros(n, dtype=bool)
    complex_fac[a_fac] = True
    complex_fac[all_fac[shared]] = True
    is_complex = complex_fac[all_fac]
    simple = ~is_complex
    sf, se = all_fac[simple], all_edge[simple]
    pair_a, pair_b = net.edge_u[se], net.edge_v[se]
    pair_ca, pair_cb = cost_u[simple], cost_v[simple]

    cx = np.flatnonzero(is_complex)
    cf, ce = all_fac[cx], all_edge[cx]
    ap_fac = [cf, cf]
    ap_node = [net.edge_u[ce], net.edge_v[ce]]
    ap_cost = [cost_u[cx], cost_v[cx]]
    if v_rows.size and ce.size:
        # (centre, facility) on the same edge: the direct walk along the edge
        o_edge = osnap.edge[v_rows]
        o_order = np.argsort(o_edge, kind="stable")
        o_sorted = o_edge[o_order]
        lo = np.searchsorted(o_sorted, ce, "left")
        hi = np.searchsorted(o_sorted, ce, "right")
        cnt = hi - lo
        if cnt.sum():
            which = np.repeat(np.arange(ce.size), cnt)
            ramp = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            orow = v_rows[o_order[np.repeat(lo, cnt) + ramp]]
            k = cx[which]
            t_o = osnap.t[orow]
            seg_len = length[k]
            cost = np.where(
                t_o <= all_lo[k],
                (all_lo[k] - t_o) * seg_len + gap_lo[k],
                (t_o - all_hi[k]) * seg_len + gap_hi[k],
            )
            between = (t_o > all_lo[k]) & (t_o < all_hi[k])
            if between.any():  # a centre on an area's stretch steps straight across
                kb = k[between]
                pts_b = shapely.points(
                    points_on_edges(
                        net.node_x, net.node_y, net.edge_u, net.edge_v, all_edge[kb], t_o[between]
                    )
                )
                cost[between] = shapely.distance(pts_b, area_geoms[all_row[kb]])
            ap_fac.append(cf[which])
            ap_node.append(osnap.node[orow])
            ap_cost.append(cost)
    placed = np.zeros(n, dtype=bool)
    placed[all_fac] = True
    off = np.flatnonzero(~placed)
    nearest = np.full(off.size, np.nan)
    if off.size:
        ox, oy = facilities.x[off].copy(), facilities.y[off].copy()
        nearest = net.nearest_street_distance(ox, oy)
        off_area = area_mask[off]
        if off_area.any() and net.n_edges:
            tree = shapely.STRtree(net.edge_lines())
            which, _, dist = nearest_with_distance(
                tree, np.asarray(facilities.areas)[off[off_area]]
            )
            sub = np.full(int(off_area.sum()), np.nan)
            sub[which] = dist
            nearest[off_area] = sub
    return FacilitySnap(
        pair_fac=sf,
        pair_a=pair_a,
        pair_b=pair_b,
        pair_ca=pair_ca,
        pair_cb=pair_cb,
        ap_fac=np.concatenate(ap_fac).astype(np.int64),
        ap_node=np.concatenate(ap_node).astype(np.int64),
        ap_cost=np.concatenate(ap_cost).astype(np.float64),
        snap_m=snap_m,
        off_network=off.astype(np.int64),
        nearest_street_m=nearest,
    )
