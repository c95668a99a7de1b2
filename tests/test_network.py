"""Tests for :mod:`livable.geometry.network`: the walk graph, snapping and the provider.

Shortest paths are checked against networkx (``P6.tiers`` are walking distances, so the
network provider must be exact); the graph cases cover disconnected parts, parallel edges
of different lengths and zero-length edges.
"""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from livable.errors import InputError, LivableError
from livable.geometry.access import AccessQuery, FacilityColumns, Origins
from livable.geometry.network import NetworkProvider, StreetNetwork, WalkGraph
from livable.io import StreetLayer, read_streets

# --- the walk graph against networkx ----------------------------------------------------


@st.composite
def multigraphs(draw: st.DrawFn) -> tuple[int, list[int], list[int], list[float]]:
    """Random undirected multigraphs: parallel edges, zero-length edges, several parts."""
    n = draw(st.integers(1, 25))
    m = draw(st.integers(0, 60))
    u = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    v = draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m))
    # integer lengths keep sums exact, so "within the limit" is decided identically
    w = draw(
        st.lists(st.sampled_from([0.0, 0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0]), min_size=m, max_size=m)
    )
    return n, u, v, w


def nx_distances(
    n: int, u: list[int], v: list[int], w: list[float], sources: list[int], limit: float
) -> np.ndarray:
    g = nx.MultiGraph()
    g.add_nodes_from(range(n))
    for a, b, length in zip(u, v, w, strict=True):
        g.add_edge(a, b, length=length)
    out = np.full((len(sources), n), np.inf)
    for i, s in enumerate(sources):
        cutoff = None if math.isinf(limit) else limit
        for node, d in nx.single_source_dijkstra_path_length(
            g, s, cutoff=cutoff, weight="length"
        ).items():
            out[i, node] = d
    return out


@settings(max_examples=150, deadline=None)
@given(multigraphs(), st.data())
def test_walk_graph_matches_networkx(
    graph: tuple[int, list[int], list[int], list[float]], data: st.DataObject
) -> None:
    n, u, v, w = graph
    sources = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=6))
    limit = data.draw(st.sampled_from([math.inf, 0.0, 4.0, 10.0, 21.0]))
    ours = WalkGraph.from_edges(n, u, v, w).distances(sources, limit=limit)
    np.testing.assert_array_equal(ours, nx_distances(n, u, v, w, sources, limit))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 40),
    st.integers(0, 2**32 - 1),
    st.sampled_from([50.0, 200.0, 600.0, math.inf]),
    st.integers(1, 400),
)
def test_geometric_local_search_matches_networkx(
    n: int, seed: int, limit: float, max_cells: int
) -> None:
    """With node positions the search looks only near its sources; distances must not
    change (edges are at least as long as the straight line, zero-length ones included)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1000, n)
    y = rng.uniform(0, 1000, n)
    dup = rng.integers(0, n, max(n // 4, 2))  # coincident nodes, joined by zero-length edges
    x[dup[1:]], y[dup[1:]] = x[dup[0]], y[dup[0]]
    m = int(rng.integers(0, 3 * n))
    u = rng.integers(0, n, m)
    v = rng.integers(0, n, m)
    straight = np.hypot(x[u] - x[v], y[u] - y[v])
    w = straight * rng.choice([1.0, 1.0, 1.3, 2.0], m)
    sources = rng.integers(0, n, int(rng.integers(1, 8)))
    graph = WalkGraph.from_edges(n, u, v, w, x=x, y=y)
    got = np.full((sources.size, n), np.inf)
    for batch in graph.batches(sources, limit=limit, max_cells=max_cells):
        assert batch.dist.size <= max(max_cells, batch.nodes.size)
        got[np.ix_(batch.sources, batch.nodes)] = batch.dist
    got = got[:, graph.node_map]
    want = nx_distances(n, u.tolist(), v.tolist(), w.tolist(), sources.tolist(), math.inf)
    want[want > limit] = np.inf
    finite = np.isfinite(want)
    assert (np.isfinite(got) == finite).all()
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-12, atol=1e-9)


def test_parallel_edges_keep_the_shortest_not_the_sum() -> None:
    g = WalkGraph.from_edges(2, [0, 1, 0], [1, 0, 1], [7.0, 3.0, 5.0])
    assert g.distances([0]).tolist() == [[0.0, 3.0]]


def test_zero_length_edges_survive() -> None:
    # 0 -0- 1 -0- 2 -4- 3, and 0 -10- 3: a zero-length chain must not be dropped
    g = WalkGraph.from_edges(4, [0, 1, 2, 0], [1, 2, 3, 3], [0.0, 0.0, 4.0, 10.0])
    assert g.distances([3]).tolist() == [[4.0, 4.0, 4.0, 0.0]]
    assert g.n_search_nodes == 2


def test_disconnected_parts_stay_unreachable() -> None:
    g = WalkGraph.from_edges(4, [0, 2], [1, 3], [1.0, 1.0])
    assert g.distances([0]).tolist() == [[0.0, 1.0, math.inf, math.inf]]


def test_bad_edges_are_refused() -> None:
    with pytest.raises(LivableError, match="non-negative"):
        WalkGraph.from_edges(2, [0], [1], [-1.0])
    with pytest.raises(LivableError, match="out of range"):
        WalkGraph.from_edges(2, [0], [2], [1.0])
    with pytest.raises(LivableError, match="apart"):
        WalkGraph.from_edges(2, [0], [1], [1.0], x=np.array([0.0, 10.0]), y=np.zeros(2))


# --- building the network ---------------------------------------------------------------


def lines(*coords: list[tuple[float, float]]) -> np.ndarray:
    return np.array([shapely.LineString(c) for c in coords], dtype=object)


def test_lines_join_only_at_shared_vertices_unless_noded() -> None:
    cross = lines([(0, 0), (200, 0)], [(100, -100), (100, 100)])
    plain = StreetNetwork.from_lines(cross)
    assert (plain.n_nodes, plain.n_edges, plain.n_components) == (4, 2, 2)
    noded = StreetNetwork.from_lines(cross, noding=True)
    assert (noded.n_nodes, noded.n_edges, noded.n_components) == (5, 4, 1)
    # a T-junction whose vertex lies on the other line without being one of its vertices
    tee = lines([(0, 0), (200, 0)], [(100, 0), (100, 100)])
    assert StreetNetwork.from_lines(tee).n_components == 2
    assert StreetNetwork.from_lines(tee, noding=True).n_components == 1


def test_vertices_within_a_millimetre_are_one_node() -> None:
    net = StreetNetwork.from_lines(lines([(0, 0), (100, 0)], [(100.0002, 0), (100, 50)]))
    assert net.n_nodes == 3
    assert net.n_components == 1


def test_multilinestrings_and_street_ids() -> None:
    multi = np.array(
        [
            shapely.MultiLineString([[(0, 0), (50, 0)], [(50, 0), (50, 50)]]),
            shapely.LineString([(50, 50), (0, 50)]),
        ],
        dtype=object,
    )
    net = StreetNetwork.from_lines(multi, street_ids=("m", "s"))
    assert net.n_edges == 3
    assert sorted(net.edge_street.tolist()) == [0, 0, 1]


def test_small_components_are_not_snapped_to() -> None:
    main = [(0.0, 0.0), (2000.0, 0.0)]
    stub = [(500.0, 30.0), (520.0, 30.0)]  # a 20 m sidewalk stub nearer the points
    net = StreetNetwork.from_lines(lines(main, stub), min_component_m=100.0)
    assert (net.n_components, net.n_components_kept) == (2, 1)
    edge, t, d = net.snap_points(np.array([510.0]), np.array([35.0]))
    assert net.edge_length[edge[0]] == 2000.0
    assert d[0] == pytest.approx(35.0)
    assert t[0] == pytest.approx(510.0 / 2000.0)


# --- snapping and the provider against networkx on explicitly split graphs ---------------


def reference_access(
    net: StreetNetwork,
    ox: np.ndarray,
    oy: np.ndarray,
    fx: np.ndarray,
    fy: np.ndarray,
    tolerance: float,
) -> np.ndarray:
    """Walking distances [origin, facility] computed independently: nearest edge by brute
    force, each edge split at every snap point on it, networkx Dijkstra."""
    segs = net.edge_lines()
    eligible = net.component_length[net.node_component[net.edge_u]] >= net.min_component_m
    g = nx.Graph()
    for e in range(net.n_edges):
        g.add_edge(("n", int(net.edge_u[e])), ("n", int(net.edge_v[e])))
    splits: dict[int, list[tuple[float, object]]] = {}
    snap: dict[object, float] = {}
    for kind, xs, ys in (("o", ox, oy), ("f", fx, fy)):
        for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
            pt = shapely.Point(x, y)
            dist = np.where(eligible, shapely.distance(segs, pt), np.inf)
            e = int(np.argmin(dist))
            if kind == "f" and dist[e] > tolerance:
                continue
            t = shapely.line_locate_point(segs[e], pt, normalized=True)
            splits.setdefault(e, []).append((float(t), (kind, i)))
            snap[(kind, i)] = float(dist[e])
    lengths = {}
    for e in range(net.n_edges):
        a, b = ("n", int(net.edge_u[e])), ("n", int(net.edge_v[e]))
        length = float(net.edge_length[e])
        chain = [(0.0, a), *sorted(splits.get(e, []), key=lambda s: s[0]), (1.0, b)]
        if len(chain) > 2:
            g.remove_edge(a, b)
        for (t0, p), (t1, q) in itertools.pairwise(chain):
            key = (p, q) if (p, q) not in lengths else (q, p)
            if g.has_edge(p, q):
                lengths[key] = min(lengths.get(key, math.inf), (t1 - t0) * length)
            else:
                lengths[key] = (t1 - t0) * length
            g.add_edge(p, q)
            g[p][q]["length"] = min(g[p][q].get("length", math.inf), (t1 - t0) * length)
    for e in range(net.n_edges):
        a, b = ("n", int(net.edge_u[e])), ("n", int(net.edge_v[e]))
        if g.has_edge(a, b) and "length" not in g[a][b]:
            g[a][b]["length"] = float(net.edge_length[e])
    out = np.full((len(ox), len(fx)), np.inf)
    for i in range(len(ox)):
        if ("o", i) not in snap:
            continue
        reach = nx.single_source_dijkstra_path_length(g, ("o", i), weight="length")
        for j in range(len(fx)):
            if ("f", j) in reach:
                out[i, j] = snap[("o", i)] + reach[("f", j)] + snap[("f", j)]
    return out


def grid_lines(side: int, spacing: float, rng: np.random.Generator) -> np.ndarray:
    """A jittered grid, each block side a separate street, some blocks missing."""
    xs = np.arange(side) * spacing
    jx = rng.uniform(-0.2, 0.2, (side, side)) * spacing
    jy = rng.uniform(-0.2, 0.2, (side, side)) * spacing
    px = xs[None, :] + jx
    py = xs[:, None] + jy
    out = []
    for i in range(side):
        for j in range(side):
            if j + 1 < side and rng.random() > 0.15:
                out.append(shapely.LineString([(px[i, j], py[i, j]), (px[i, j + 1], py[i, j + 1])]))
            if i + 1 < side and rng.random() > 0.15:
                out.append(shapely.LineString([(px[i, j], py[i, j]), (px[i + 1, j], py[i + 1, j])]))
    return np.array(out, dtype=object)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([10**9, 3000, 40]))
def test_provider_matches_networkx_on_split_edges(seed: int, max_cells: int) -> None:
    rng = np.random.default_rng(seed)
    net = StreetNetwork.from_lines(grid_lines(7, 100.0, rng), min_component_m=150.0)
    n_o, n_f = 6, 30
    ox, oy = rng.uniform(-50, 650, n_o), rng.uniform(-50, 650, n_o)
    fx, fy = rng.uniform(-150, 750, n_f), rng.uniform(-150, 750, n_f)
    # some facilities on the edge of a centre (the same-edge walk), some on nodes
    fx[:3], fy[:3] = ox[:3] + rng.uniform(-20, 20, 3), oy[:3] + rng.uniform(-20, 20, 3)
    fx[3:5], fy[3:5] = net.node_x[:2], net.node_y[:2]
    tolerance = 60.0
    want = reference_access(net, ox, oy, fx, fy, tolerance)
    provider = NetworkProvider(net, snap_tolerance_m=tolerance, max_cells=max_cells)
    fac = FacilityColumns(x=fx, y=fy, type_codes=np.zeros(n_f, dtype=np.int64), type_ids=("t",))
    radius = 700.0
    query = AccessQuery(
        type_ids=("t",),
        tier_radii_m=(300.0,),
        circle_radii_m=np.full(n_o, radius),
        search_radius_m=900.0,
        k=2,
    )
    table = provider.measure(Origins(ox, oy), fac, query)
    for i in range(n_o):
        idx, dist = table.in_circle(i)
        got = dict(zip(idx.tolist(), dist.tolist(), strict=True))
        expected = {j: d for j, d in enumerate(want[i]) if d <= radius}
        # a pair within a micrometre of the radius may fall either side
        edge = {j for j, d in enumerate(want[i]) if abs(d - radius) < 1e-6}
        assert set(got) - edge == set(expected) - edge
        for j in set(got) & set(expected):
            assert got[j] == pytest.approx(expected[j], abs=1e-6)
        near = np.sort(want[i][want[i] <= 900.0])[:2]
        np.testing.assert_allclose(table.knn_m[i, 0, : near.size], near, rtol=0, atol=1e-6)


def simple_query(n_origins: int, radius: float = 1200.0) -> AccessQuery:
    return AccessQuery(
        type_ids=("t",),
        tier_radii_m=(400.0, 800.0, 1200.0),
        circle_radii_m=np.full(n_origins, radius),
        search_radius_m=3000.0,
        k=3,
    )


def one_type(x: list[float], y: list[float], areas: list[object] | None = None) -> FacilityColumns:
    return FacilityColumns(
        x=x,
        y=y,
        type_codes=np.zeros(len(x), dtype=np.int64),
        type_ids=("t",),
        areas=None if areas is None else np.array(areas, dtype=object),
    )


def test_snap_splits_the_edge_and_counts_in_the_walk() -> None:
    net = StreetNetwork.from_lines(lines([(0, 0), (1000, 0)]))
    p = NetworkProvider(net)
    t = p.measure(Origins([300.0], [40.0]), one_type([700.0, 300.0], [-30.0, 0.0]), simple_query(1))
    # centre snaps at x=300 (40 m), facilities at x=700 (30 m) and x=300 (0 m)
    assert t.knn_m[0, 0].tolist()[:2] == pytest.approx([40.0, 470.0])
    details = p.origin_details(Origins([300.0], [40.0]))
    assert details[0]["snap_m"] == 40.0
    assert details[0]["on_network"] is True


def test_a_far_facility_is_reported_not_joined() -> None:
    net = StreetNetwork.from_lines(lines([(0, 0), (1000, 0)]))
    p = NetworkProvider(net, snap_tolerance_m=100.0)
    fac = one_type([500.0, 500.0], [99.0, 150.0])
    t = p.measure(Origins([0.0], [0.0]), fac, simple_query(1))
    assert t.count_within[0, 0].tolist() == [0, 1, 1]
    off = p.report_details(["near", "far"])["network"]["off_network_facilities"]
    assert [o["id"] for o in off] == ["far"]
    assert off[0]["nearest_street_m"] == 150.0
    assert "snap tolerance of 100 m" in off[0]["reason"]


def test_a_facility_near_only_a_fragment_is_reported() -> None:
    net = StreetNetwork.from_lines(
        lines([(0, 0), (2000, 0)], [(500, 300), (520, 300)]), min_component_m=100.0
    )
    p = NetworkProvider(net, snap_tolerance_m=100.0)
    p.measure(Origins([0.0], [0.0]), one_type([510.0], [310.0]), simple_query(1))
    off = p.report_details(["f"])["network"]["off_network_facilities"]
    assert off[0]["id"] == "f"
    assert "shorter than 100 m" in off[0]["reason"]


def test_a_centre_always_snaps_and_one_with_no_network_reaches_nothing() -> None:
    net = StreetNetwork.from_lines(lines([(0, 0), (50, 0)]), min_component_m=100.0)
    p = NetworkProvider(net)
    origins = Origins([0.0], [5000.0])
    t = p.measure(origins, one_type([10.0], [0.0]), simple_query(1))
    assert np.isnan(t.nearest_m[0, 0])
    assert p.origin_details(origins)[0]["on_network"] is False
    assert p.isochrones(origins, (400.0,))[0][400].is_empty
    net2 = StreetNetwork.from_lines(lines([(0, 0), (500, 0)]))
    p2 = NetworkProvider(net2)
    far = Origins([250.0], [2000.0])
    t2 = p2.measure(far, one_type([250.0, 260.0], [0.0, 0.0]), simple_query(1))
    assert t2.knn_m[0, 0, :2].tolist() == pytest.approx([2000.0, 2010.0])  # however far
    assert p2.origin_details(far)[0]["snap_m"] == 2000.0


def test_area_facilities_are_reached_where_a_street_comes_nearest() -> None:
    net = StreetNetwork.from_lines(
        lines([(0, 0), (1000, 0)], [(1000, 0), (1000, 1000)]), min_component_m=0
    )
    p = NetworkProvider(net, snap_tolerance_m=100.0)
    park_on_street = shapely.box(400, -100, 600, 0)  # touches the first street
    park_near_corner = shapely.box(1030, 300, 1200, 500)  # 30 m east of the second
    park_far = shapely.box(300, 400, 500, 600)  # 400 m from both
    fac = one_type(
        [500.0, 1100.0, 400.0],
        [-50.0, 400.0, 500.0],
        [park_on_street, park_near_corner, park_far],
    )
    t = p.measure(Origins([0.0], [0.0]), fac, simple_query(1, radius=3000.0))
    idx, dist = t.in_circle(0)
    got = dict(zip(idx.tolist(), dist.tolist(), strict=True))
    # leave the street where it comes within 100 m, step straight to the area's edge
    assert got[0] == pytest.approx(300.0 + 100.0, abs=0.2)
    assert got[1] == pytest.approx(1000.0 + 300.0 - math.sqrt(100**2 - 30**2) + 100.0, abs=0.2)
    assert 2 not in got
    off = p.report_details(["a", "b", "c"])["network"]["off_network_facilities"]
    assert [o["id"] for o in off] == ["c"]


def test_a_centre_on_an_area_s_stretch_steps_straight_across() -> None:
    net = StreetNetwork.from_lines(lines([(0, 0), (1000, 0)]))
    p = NetworkProvider(net, snap_tolerance_m=100.0)
    park = shapely.box(400, 10, 600, 100)
    t = p.measure(Origins([500.0], [-5.0]), one_type([500.0], [50.0], [park]), simple_query(1))
    assert t.nearest_m[0, 0] == pytest.approx(5.0 + 10.0)


def test_isochrones_cut_partial_edges() -> None:
    net = StreetNetwork.from_lines(lines([(0, 0), (1000, 0)]))
    p = NetworkProvider(net, walkshed_m=10.0)
    iso = p.isochrones(Origins([500.0], [0.0]), (400.0, 800.0))[0]
    assert set(iso) == {400, 800}
    assert iso[400].bounds == pytest.approx((90.0, -10.0, 910.0, 10.0), abs=0.01)
    assert iso[800].bounds == pytest.approx((-10.0, -10.0, 1010.0, 10.0), abs=0.01)


# --- reading streets --------------------------------------------------------------------


def feature(fid: object, geometry: dict[str, object] | None) -> dict[str, object]:
    props = {} if fid is None else {"id": fid}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def line(*coords: tuple[float, float]) -> dict[str, object]:
    return {"type": "LineString", "coordinates": [list(c) for c in coords]}


def test_read_streets_rejects_bad_features_with_their_place() -> None:
    fc = {
        "type": "FeatureCollection",
        "features": [
            feature("ok", line((108.94, 34.26), (108.95, 34.26))),
            feature(None, line((108.94, 34.26), (108.95, 34.26))),
            feature("pt", {"type": "Point", "coordinates": [108.9, 34.2]}),
            feature("zero", line((108.94, 34.26), (108.94, 34.26))),
            feature("dup", line((108.94, 34.26), (108.95, 34.27))),
            feature("dup", line((108.94, 34.26), (108.95, 34.28))),
            feature("bad", line((108.94, 34.26), (208.95, 34.26))),
            "not a feature",
            feature("none", None),
        ],
    }
    layer = read_streets(fc)
    assert layer.ids.tolist() == ["ok"]
    reasons = {r.source: (r.id, r.reason) for r in layer.rejected}
    assert reasons["<memory>#1"][1].startswith("missing id")
    assert reasons["<memory>#2"] == (
        "pt",
        "a street must be a LineString or MultiLineString, not a Point",
    )
    assert "zero length" in reasons["<memory>#3"][1]
    assert reasons["<memory>#4"][1].startswith("duplicate id 'dup'")
    assert reasons["<memory>#5"][1].startswith("duplicate id 'dup'")
    assert "208.95" in reasons["<memory>#6"][1]
    assert reasons["<memory>#7"][1].startswith("not a GeoJSON Feature")
    assert reasons["<memory>#8"][1].startswith("feature has no geometry")
    with pytest.raises(InputError, match=r"<memory>#1: missing id"):
        read_streets(fc, strict=True)


def test_read_streets_in_a_projected_crs() -> None:
    fc = {
        "type": "FeatureCollection",
        "features": [feature("s", line((500000.0, 3790000.0), (500100.0, 3790000.0)))],
    }
    layer = read_streets(fc, crs="EPSG:32649")
    assert shapely.get_coordinates(layer.lines[0])[0] == pytest.approx([111.0, 34.2511], abs=1e-4)


def test_factory_reads_noding_and_component_settings_from_the_profile() -> None:
    from livable.geometry.crs import Projector
    from livable.plugins.builtin.network import network_factory
    from livable.profile import load_profile

    projector = Projector.for_crs(pyproj.CRS.from_epsg(32649))
    lon, lat = projector.inverse(
        np.array([500_000.0, 500_200.0, 500_100.0, 500_100.0]),
        np.array([3_790_000.0, 3_790_000.0, 3_789_900.0, 3_790_100.0]),
    )

    def street(fid: str, i: int, j: int) -> dict[str, object]:
        coords = [[lon[i], lat[i]], [lon[j], lat[j]]]
        geometry = {"type": "LineString", "coordinates": coords}
        return {"type": "Feature", "properties": {"id": fid}, "geometry": geometry}

    cross = {"type": "FeatureCollection", "features": [street("a", 0, 1), street("b", 2, 3)]}
    base = load_profile("xian-2020").derive(id="t", network_min_component_m=0.0)
    plain = network_factory(profile=base, projector=projector, streets=cross)
    assert plain.network.n_components == 2
    noded = network_factory(
        profile=base.derive(id="t2", network_noding=True), projector=projector, streets=cross
    )
    assert noded.network.n_components == 1
    assert noded.report_details()["network"]["noding"] is True
    with pytest.raises(LivableError, match="needs streets"):
        network_factory(profile=base, projector=projector, streets=None)
    empty = {"type": "FeatureCollection", "features": []}
    with pytest.raises(InputError, match="no usable street lines"):
        network_factory(profile=base, projector=projector, streets=empty)


def test_the_geometry_factory_takes_a_street_layer_only() -> None:
    from livable.geometry.crs import Projector
    from livable.geometry.network import network_factory
    from livable.profile import load_profile

    projector = Projector.for_crs(pyproj.CRS.from_epsg(32649))
    line = shapely.LineString([(108.94, 34.26), (108.95, 34.26)])
    layer = StreetLayer.from_lines(["s1"], [line])
    provider = network_factory(
        profile=load_profile("xian-2020"), projector=projector, streets=layer
    )
    assert provider.network.street_ids == ("s1",) and provider.street_layer is layer
    with pytest.raises(LivableError, match="takes a street layer, not a dict"):
        network_factory(profile=load_profile("xian-2020"), projector=projector, streets={})


@pytest.mark.parametrize("name", ["read_streets", "StreetLayer"])
def test_the_street_reader_of_0_1_still_imports_from_geometry_network_with_a_warning(
    name: str,
) -> None:
    import livable.geometry.network as old
    import livable.io

    with pytest.warns(DeprecationWarning, match=f"network.{name} moved to livable.io.{name}"):
        value = getattr(old, name)
    assert value is getattr(livable.io, name)


# --- the package: one job per module, one public API ------------------------------------


def test_the_network_package_exports_its_public_api_from_the_modules_that_define_it() -> None:
    import livable.geometry.network as network
    from livable.geometry.network import graph, provider, search

    assert network.__all__ == [
        "DEFAULT_MAX_CELLS",
        "NODE_PRECISION_M",
        "NetworkProvider",
        "SearchBatch",
        "StreetLines",
        "StreetNetwork",
        "WalkGraph",
        "network_factory",
    ]
    assert network.StreetNetwork is graph.StreetNetwork
    assert (network.WalkGraph, network.SearchBatch) == (search.WalkGraph, search.SearchBatch)
    assert network.NetworkProvider is provider.NetworkProvider
    assert network.StreetLines is provider.StreetLines
    assert network.network_factory is provider.network_factory
    assert network.NODE_PRECISION_M == graph.NODE_PRECISION_M == 0.001
    assert network.DEFAULT_MAX_CELLS == search.DEFAULT_MAX_CELLS == 8_000_000
    assert NetworkProvider(StreetNetwork.from_lines([])).max_cells == network.DEFAULT_MAX_CELLS


def test_the_network_package_loads_livable_io_only_for_the_deprecated_names() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, warnings\n"
        "import livable.geometry.network as n\n"
        "before = 'livable.io' in sys.modules\n"
        "warnings.simplefilter('ignore')\n"
        "n.read_streets\n"
        "print(before, 'livable.io' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    assert done.stdout.split() == ["False", "True"]


def test_provider_measures_new_origins_on_their_own_graph():
    """The facilities are snapped onto the graph of the origins asked (split at their snaps):
    asking other origins with the same facilities (as ``livable serve`` does, one point per
    request) answers as a fresh provider would."""
    lines = np.array(
        [shapely.LineString([(0, 0), (1000, 0)]), shapely.LineString([(1000, 0), (1000, 800)])],
        dtype=object,
    )
    fac = FacilityColumns(
        x=[450.0, 950.0, 990.0], y=[10.0, -5.0, 600.0], type_codes=[0, 0, 0], type_ids=("k",)
    )
    query = AccessQuery(
        type_ids=("k",), tier_radii_m=(300.0, 600.0), circle_radii_m=[600.0], search_radius_m=2000
    )
    asked = [Origins([100.0], [0.0]), Origins([900.0], [0.0]), Origins([500.0], [20.0])]
    reused = NetworkProvider(StreetNetwork.from_lines(lines))
    for origins in asked:
        got = reused.measure(origins, fac, query)
        want = NetworkProvider(StreetNetwork.from_lines(lines)).measure(origins, fac, query)
        np.testing.assert_allclose(got.nearest_m, want.nearest_m)
        np.testing.assert_array_equal(got.count_within, want.count_within)
        np.testing.assert_array_equal(got.knn_index, want.knn_index)
