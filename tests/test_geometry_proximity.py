"""The proximity pass equals a brute-force numpy computation, exactly (P4, P6.tiers, P6.circle).

The brute force measures every (origin, facility) pair: ``hypot`` in the working CRS for
points, :func:`shapely.distance` for areas (0 inside), "within r" as ``<= r``, the nearest
ordered by distance then facility index. The k-d trees (points) and the R-tree (areas)
must give the same nearest distances, counts per tier, counts in each circle, k nearest
and circle lists, on random, clustered, duplicate, collinear and lattice points (ties
exactly on a radius), with random radii, anywhere in China.
"""

from __future__ import annotations

import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial import cKDTree

from livable.geometry import points as points_module
from livable.geometry.access import AccessQuery, FacilityColumns, Origins, access_from_pairs
from livable.geometry.crs import Projector, choose_working_crs
from livable.geometry.points import PointTrees
from livable.geometry.providers import EuclideanProvider, GeodesicProvider, candidate_pairs
from livable.geometry.proximity import LIST_ORIGINS, PreparedFacilities, proximity_table

LAYOUTS = ("random", "clustered", "duplicates", "collinear", "lattice")


def brute_distances(ox, oy, fac: FacilityColumns) -> np.ndarray:
    d = np.hypot(fac.x[None, :] - ox[:, None], fac.y[None, :] - oy[:, None])
    if fac.areas is not None:
        for j in np.flatnonzero(fac.area_mask):
            d[:, j] = shapely.distance(shapely.points(ox, oy), fac.areas[j])
    return d


def brute_table(d: np.ndarray, codes, n_types, query: AccessQuery):
    n = d.shape[0]
    k = query.k
    counts = np.zeros((n, n_types, len(query.tier_radii_m)), dtype=np.int64)
    in_circle = np.zeros((n, n_types), dtype=np.int64)
    knn_i = np.full((n, n_types, k), -1)
    knn_m = np.full((n, n_types, k), np.nan)
    circle_lists = []
    for i in range(n):
        within = np.flatnonzero(d[i] <= query.circle_radii_m[i])
        order = np.lexsort((within, d[i, within]))
        circle_lists.append((within[order], d[i, within[order]]))
        for t in range(n_types):
            of_t = np.flatnonzero(codes == t)
            dt = d[i, of_t]
            for j, r in enumerate(query.tier_radii_m):
                counts[i, t, j] = int((dt <= r).sum())
            in_circle[i, t] = int((dt <= query.circle_radii_m[i]).sum())
            near = of_t[dt <= query.search_radius_m]
            near = near[np.lexsort((near, d[i, near]))][:k]
            knn_i[i, t, : near.size] = near
            knn_m[i, t, : near.size] = d[i, near]
    return counts, in_circle, knn_i, knn_m, circle_lists


@st.composite
def cities(draw, *, areas: bool = True):
    """A small city in metres of its UTM zone, somewhere in China."""
    lon = draw(st.floats(73.5, 134.5))
    lat = draw(st.floats(18.5, 53.0))
    seed = draw(st.integers(0, 2**32 - 1))
    layout = draw(st.sampled_from(LAYOUTS))
    n_fac = draw(st.integers(0, 250))
    n_org = draw(st.integers(1, 12))
    n_types = draw(st.integers(1, 4))
    spread = draw(st.sampled_from([300.0, 2000.0, 6000.0]))
    rng = np.random.default_rng(seed)
    proj = Projector.for_crs(choose_working_crs([lon], [lat]))
    cx, cy = (float(v[0]) for v in proj.forward([lon], [lat]))
    if layout == "random":
        fx, fy = rng.normal(cx, spread, n_fac), rng.normal(cy, spread, n_fac)
    elif layout == "clustered":
        hubs = rng.normal(0, spread, (3, 2))
        pick = rng.integers(0, 3, n_fac)
        fx = cx + hubs[pick, 0] + rng.normal(0, spread / 50, n_fac)
        fy = cy + hubs[pick, 1] + rng.normal(0, spread / 50, n_fac)
    elif layout == "duplicates":
        spots = rng.normal(0, spread, (5, 2))
        pick = rng.integers(0, 5, n_fac)
        fx, fy = cx + spots[pick, 0], cy + spots[pick, 1]
    elif layout == "collinear":
        step = rng.uniform(1.0, 100.0)
        along = np.round(rng.uniform(-1, 1, n_fac) * spread / step) * step
        fx, fy = cx + along, np.full(n_fac, cy)
    else:  # lattice: integer metres, so many distances are exactly a radius
        fx = np.round(cx) + 100.0 * rng.integers(-30, 30, n_fac)
        fy = np.round(cy) + 100.0 * rng.integers(-30, 30, n_fac)
    if layout in ("collinear", "lattice"):
        ox = np.round(cx) + 100.0 * rng.integers(-10, 10, n_org)
        oy = np.round(cy) + (100.0 * rng.integers(-10, 10, n_org) if layout == "lattice" else 0)
        oy = np.broadcast_to(oy, ox.shape).astype(float)
    else:
        ox, oy = rng.normal(cx, spread / 2, n_org), rng.normal(cy, spread / 2, n_org)
    if n_fac and n_org > 1:  # an origin exactly on a facility
        ox[0], oy[0] = fx[0], fy[0]
    codes = rng.integers(0, n_types, n_fac)
    geoms = None
    if areas and n_fac and draw(st.booleans()):
        geoms = np.full(n_fac, None, dtype=object)
        n_area = int(rng.integers(1, min(n_fac, 6) + 1))
        for j in range(n_area):
            w, h = rng.uniform(20, 600, 2)
            if j == 0:  # an area around the first origin (distance 0)
                geoms[j] = shapely.box(ox[0] - w, oy[0] - h, ox[0] + w, oy[0] + h)
            elif j % 2:
                geoms[j] = shapely.box(fx[j] - w, fy[j] - h, fx[j] + w, fy[j] + h)
            else:
                geoms[j] = shapely.Polygon(
                    [(fx[j], fy[j]), (fx[j] + w, fy[j]), (fx[j], fy[j] + h)]
                ).buffer(0)
            inside = shapely.point_on_surface(geoms[j])
            fx[j], fy[j] = inside.x, inside.y
    lattice_r = [100.0 * v for v in range(1, 16)]
    radius = st.one_of(st.floats(0.0, 2500.0), st.sampled_from(lattice_r))
    tiers = tuple(sorted(draw(st.lists(radius, min_size=1, max_size=4, unique=True))))
    circle = np.array(
        draw(st.lists(st.one_of(radius, st.sampled_from(tiers)), min_size=n_org, max_size=n_org))
    )
    search = draw(st.one_of(st.floats(50.0, 4000.0), st.sampled_from([*tiers, 3000.0])))
    k = draw(st.integers(1, 5))
    type_ids = tuple(f"t{i}" for i in range(n_types))
    fac = FacilityColumns(fx, fy, codes, type_ids, geoms)
    query = AccessQuery(
        type_ids=type_ids,
        tier_radii_m=tiers,
        circle_radii_m=circle,
        search_radius_m=search,
        k=k,
    )
    return np.asarray(ox, float), np.asarray(oy, float), fac, query, proj


def assert_matches_brute_force(table, ox, oy, fac, query):
    d = brute_distances(ox, oy, fac)
    counts, in_circle, knn_i, knn_m, lists = brute_table(
        d, fac.type_codes, len(query.type_ids), query
    )
    np.testing.assert_array_equal(table.count_within, counts)
    np.testing.assert_array_equal(table.count_in_circle, in_circle)
    np.testing.assert_array_equal(table.knn_index, knn_i)
    np.testing.assert_array_equal(table.knn_m, knn_m)
    np.testing.assert_array_equal(table.nearest_m, knn_m[:, :, 0])
    indptr, all_index, all_dist = table.circle_lists()  # the bulk CSR form
    np.testing.assert_array_equal(np.diff(indptr), [len(index) for index, _ in lists])
    if lists:
        np.testing.assert_array_equal(all_index, np.concatenate([i for i, _ in lists]))
        np.testing.assert_array_equal(all_dist, np.concatenate([d for _, d in lists]))
    for i, (index, dist) in enumerate(lists):
        got_i, got_d = table.in_circle(i)
        np.testing.assert_array_equal(got_i, index)
        np.testing.assert_array_equal(got_d, dist)
        for t in range(len(query.type_ids)):
            of_t = fac.type_codes[index] == t
            got_i, got_d = table.in_circle(i, t)
            np.testing.assert_array_equal(got_i, index[of_t])
            np.testing.assert_array_equal(got_d, dist[of_t])


@settings(max_examples=150)
@given(city=cities())
def test_euclidean_provider_equals_brute_force(city):
    """P6.tiers/P6.circle: counts, nearest, k nearest and circle lists are exact."""
    ox, oy, fac, query, _ = city
    table = EuclideanProvider().measure(Origins(ox, oy), fac, query)
    assert_matches_brute_force(table, ox, oy, fac, query)


@settings(max_examples=60)
@given(city=cities())
def test_prepared_index_equals_brute_force_one_origin_at_a_time(city):
    """A service indexes once (PreparedFacilities) and asks one origin at a time: still exact."""
    ox, oy, fac, query, _ = city
    prepared = PreparedFacilities.build(fac)
    for i in range(min(len(ox), 4)):
        one = AccessQuery(
            type_ids=query.type_ids,
            tier_radii_m=query.tier_radii_m,
            circle_radii_m=query.circle_radii_m[i : i + 1],
            search_radius_m=query.search_radius_m,
            k=query.k,
        )
        table = proximity_table(Origins(ox[i : i + 1], oy[i : i + 1]), fac, one, prepared=prepared)
        assert_matches_brute_force(table, ox[i : i + 1], oy[i : i + 1], fac, one)


@settings(max_examples=60)
@given(city=cities())
def test_prepared_index_equals_brute_force_for_a_few_origins(city):
    """Up to LIST_ORIGINS origins with a prepared index are answered from the point grid's
    listings (livable serve): exact too, every origin at once."""
    ox, oy, fac, query, _ = city
    assert len(ox) <= LIST_ORIGINS
    table = proximity_table(Origins(ox, oy), fac, query, prepared=PreparedFacilities.build(fac))
    assert_matches_brute_force(table, ox, oy, fac, query)


def brute_counts(d: np.ndarray, codes: np.ndarray, n_types: int, r: np.ndarray) -> np.ndarray:
    return np.stack([((d <= r[:, None]) & (codes == t)).sum(axis=1) for t in range(n_types)], 1)


@settings(max_examples=80)
@given(city=cities(areas=False), data=st.data())
def test_point_trees_equal_brute_force(city, data):
    """Counts, radius searches (all types and one type per query) and the reach of the k
    nearest equal the brute force, for one radius or one per query."""
    ox, oy, fac, query, _ = city
    n_types = len(query.type_ids)
    trees = PointTrees(fac.x, fac.y, fac.type_codes, n_types=n_types)
    d = brute_distances(ox, oy, fac)
    codes = fac.type_codes
    for r in [*query.tier_radii_m, query.circle_radii_m]:
        rr = np.broadcast_to(np.asarray(r, dtype=float), ox.shape)
        np.testing.assert_array_equal(
            trees.count_within(ox, oy, r), brute_counts(d, codes, n_types, rr)
        )
        q, f, dist = trees.pairs_within(ox, oy, rr)
        assert (np.diff(q) >= 0).all()  # grouped by query, in query order
        got = sorted(zip(q.tolist(), f.tolist(), dist.tolist(), strict=True))
        wi, wj = np.nonzero(d <= rr[:, None])
        assert got == sorted(zip(wi.tolist(), wj.tolist(), d[wi, wj].tolist(), strict=True))
    tc = np.asarray(
        data.draw(st.lists(st.integers(0, n_types - 1), min_size=len(ox), max_size=len(ox)))
    )
    rr = query.circle_radii_m
    q, f, dist = trees.pairs_within(ox, oy, rr, type_code=tc)
    assert (np.diff(q) >= 0).all()
    wi, wj = np.nonzero((d <= rr[:, None]) & (codes[None, :] == tc[:, None]))
    got = sorted(zip(q.tolist(), f.tolist(), dist.tolist(), strict=True))
    assert got == sorted(zip(wi.tolist(), wj.tolist(), d[wi, wj].tolist(), strict=True))
    k, limit = query.k, query.search_radius_m
    q, f, dist = trees.nearest(ox, oy, tc, k, limit)
    np.testing.assert_array_equal(dist, d[q, f])
    assert (dist <= limit).all() and (codes[f] == tc[q]).all()
    for i in range(len(ox)):
        of_t = np.flatnonzero((codes == tc[i]) & (d[i] <= limit))
        if of_t.size > k:  # the k nearest and every point tied with the k-th
            of_t = of_t[d[i, of_t] <= np.sort(d[i, of_t])[k - 1]]
        assert set(of_t.tolist()) <= set(f[q == i].tolist())


def test_distances_the_tree_rounds_across_the_radius_still_count():
    """Pairs whose ``hypot`` is exactly ``r`` but whose squared distance rounds above
    ``r**2``: the tree alone misses them, the margin and exact measurement keep them."""
    cases = [
        (625308.095680109, 3912755.577277722, 625564.0215419502, 3913306.3690240835),
        (642961.7106350277, 3033585.575305464, 643512.8837064595, 3032807.1487949104),
        (494334.1435327156, 3889487.8343490004, 495375.8479710106, 3889146.5428211023),
    ]
    ox, oy, fx, fy = (np.array(c) for c in zip(*cases, strict=True))
    r = np.hypot(fx - ox, fy - oy)
    assert ((fx - ox) ** 2 + (fy - oy) ** 2 > r * r).all()
    assert [
        cKDTree([[a, b]]).query_ball_point([c, e], rad, return_length=True)
        for a, b, c, e, rad in zip(fx, fy, ox, oy, r, strict=True)
    ] == [0, 0, 0]
    for i in range(3):
        trees = PointTrees(fx[i : i + 1], fy[i : i + 1], np.zeros(1, dtype=int), n_types=1)
        x, y = ox[i : i + 1], oy[i : i + 1]
        assert trees.count_within(x, y, r[i]).tolist() == [[1]]
        assert trees.count_within(x, y, np.nextafter(r[i], 0)).tolist() == [[0]]
        _, f, dist = trees.pairs_within(x, y, r[i])
        assert f.tolist() == [0] and dist.tolist() == [r[i]]


def test_duplicates_and_ties_exactly_on_the_radius():
    """Many points at one spot and on a lattice exactly ``r`` away all count (<= r)."""
    x = np.r_[np.full(50, 300.0), [0.0, 500.0, -500.0, 0.0, 400.0]]
    y = np.r_[np.full(50, 400.0), [500.0, 0.0, 0.0, -500.0, 300.0]]
    trees = PointTrees(x, y, np.zeros(x.size, dtype=int), n_types=1)
    counts = trees.count_within(np.zeros(3), np.zeros(3), np.array([500.0, 499.9999999, 0.0]))
    assert counts.tolist() == [[55], [0], [0]]
    _, f, dist = trees.nearest(np.zeros(1), np.zeros(1), np.zeros(1, int), 3, 3000.0)
    assert sorted(f.tolist())[:50] == list(range(50)) and set(dist.tolist()) == {500.0}
    _, f, _ = trees.nearest(np.zeros(1), np.zeros(1), np.zeros(1, int), 52, 3000.0)
    assert sorted(f.tolist()) == list(range(55))  # the 51st to 55th tie at 500 m


def test_non_finite_points_and_origins_are_within_nothing():
    x = np.array([0.0, np.nan, np.inf, 10.0])
    trees = PointTrees(x, np.zeros(4), np.zeros(4, dtype=int), n_types=1)
    assert len(trees) == 2
    counts = trees.count_within(
        np.array([0.0, np.nan, 0.0]), np.zeros(3), np.array([100.0, 100.0, np.inf])
    )
    assert counts.tolist() == [[2], [0], [0]]
    q, _, _ = trees.pairs_within(np.array([0.0, np.nan]), np.zeros(2), 100.0)
    assert q.tolist() == [0, 0]


def test_empty_inputs():
    query = AccessQuery(
        type_ids=("a",), tier_radii_m=(400.0,), circle_radii_m=[1200.0], search_radius_m=3000.0, k=2
    )
    empty = FacilityColumns([], [], [], ("a",))
    t = EuclideanProvider().measure(Origins([0.0], [0.0]), empty, query)
    assert t.count_within.tolist() == [[[0]]]
    assert np.isnan(t.nearest_m).all()
    assert [a.tolist() for a in t.in_circle(0)] == [[], []]
    none = AccessQuery(
        type_ids=("a",), tier_radii_m=(400.0,), circle_radii_m=[], search_radius_m=3000.0
    )
    t = EuclideanProvider().measure(Origins([], []), empty, none)
    assert t.count_within.shape == (0, 1, 1)


def test_area_facility_is_zero_inside_and_edge_distance_outside():
    """DESIGN.md: an area's distance is to its nearest edge point, 0 inside."""
    park = shapely.box(100.0, -50.0, 300.0, 50.0)
    fac = FacilityColumns(
        x=[200.0], y=[0.0], type_codes=[0], type_ids=("park",), areas=np.array([park], dtype=object)
    )
    query = AccessQuery(
        type_ids=("park",),
        tier_radii_m=(100.0, 400.0),
        circle_radii_m=[1200.0, 1200.0],
        search_radius_m=3000.0,
        k=1,
    )
    t = EuclideanProvider().measure(Origins([0.0, 150.0], [0.0, 10.0]), fac, query)
    assert t.nearest_m[:, 0].tolist() == [100.0, 0.0]  # the centroid is 200 m away
    assert t.count_within[0, 0].tolist() == [1, 1]


def test_candidate_pairs_lists_points_and_areas():
    park = shapely.box(100.0, -50.0, 300.0, 50.0)
    fac = FacilityColumns(
        x=[200.0, 0.0, 500.0],
        y=[0.0, 30.0, 0.0],
        type_codes=[0, 0, 0],
        type_ids=("x",),
        areas=np.array([park, None, None], dtype=object),
    )
    _, f, d = candidate_pairs(Origins([0.0], [0.0]), fac, 450.0)
    assert sorted(zip(f.tolist(), d.tolist(), strict=True)) == [(0, 100.0), (1, 30.0)]


def test_access_from_pairs_counts_tiers_beyond_the_search_radius():
    """A tier farther than the search radius still counts (nearest stops at the search)."""
    query = AccessQuery(
        type_ids=("a",), tier_radii_m=(1200.0,), circle_radii_m=[1200.0], search_radius_m=500.0, k=1
    )
    t = access_from_pairs([0], [0], [900.0], facility_types=np.array([0]), n_origins=1, query=query)
    assert t.count_within[0, 0].tolist() == [1]
    assert np.isnan(t.nearest_m[0, 0])


GEOD = pyproj.Geod(ellps="WGS84")


@settings(max_examples=40)
@given(city=cities(areas=False))
def test_geodesic_provider_equals_brute_force_geodesic(city):
    """The geodesic provider decides every pair on its geodesic length (P6.tiers)."""
    ox, oy, fac, query, proj = city
    inverse = proj.inverse
    olon, olat = inverse(ox, oy)
    flon, flat = inverse(fac.x, fac.y)
    n, m = len(ox), len(fac)
    d = np.zeros((n, m))
    if m:
        _, _, g = GEOD.inv(
            np.repeat(olon, m), np.repeat(olat, m), np.tile(flon, n), np.tile(flat, n)
        )
        d = np.asarray(g).reshape(n, m)
        planar = brute_distances(ox, oy, fac)
        d[planar == 0.0] = 0.0
    table = GeodesicProvider(inverse=inverse).measure(Origins(ox, oy), fac, query)
    counts, in_circle, knn_i, knn_m, _ = brute_table(d, fac.type_codes, len(query.type_ids), query)
    np.testing.assert_array_equal(table.count_within, counts)
    np.testing.assert_array_equal(table.count_in_circle, in_circle)
    np.testing.assert_array_equal(table.knn_index, knn_i)
    np.testing.assert_allclose(table.knn_m, knn_m, rtol=0, atol=1e-9)


@pytest.mark.parametrize("k", [1, 3])
def test_knn_ties_break_by_facility_index(k):
    """Duplicates at the same spot: the lower facility indices are the nearest (k)."""
    fac = FacilityColumns(x=[50.0] * 5, y=[0.0] * 5, type_codes=[0] * 5, type_ids=("a",))
    query = AccessQuery(
        type_ids=("a",), tier_radii_m=(50.0,), circle_radii_m=[50.0], search_radius_m=3000.0, k=k
    )
    t = EuclideanProvider().measure(Origins([0.0], [0.0]), fac, query)
    assert t.knn_index[0, 0].tolist() == list(range(k))
    assert t.count_within[0, 0].tolist() == [5]


@settings(max_examples=30)
@given(city=cities())
def test_tiny_batches_and_chunks_give_the_same_answer(city):
    """Searches split into many chunks of queries (the memory bound of a city-scale run)
    answer exactly as one chunk does."""
    ox, oy, fac, query, proj = city
    providers = (EuclideanProvider(), GeodesicProvider(inverse=proj.inverse))
    whole = [p.measure(Origins(ox, oy), fac, query) for p in providers]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(points_module, "CHUNK", 7)
        split = [p.measure(Origins(ox, oy), fac, query) for p in providers]
        split_lists = [t.circle_lists() for t in split]  # lists are searched lazily
    for a, b, lists in zip(whole, split, split_lists, strict=True):
        np.testing.assert_array_equal(a.count_within, b.count_within)
        np.testing.assert_array_equal(a.count_in_circle, b.count_in_circle)
        np.testing.assert_array_equal(a.knn_index, b.knn_index)
        np.testing.assert_array_equal(a.knn_m, b.knn_m)
        for part_a, part_b in zip(a.circle_lists(), lists, strict=True):
            np.testing.assert_array_equal(part_a, part_b)
