"""The R-tree proximity pass equals a brute-force numpy computation (P6.tiers, P6.circle)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from livable.geometry.access import AccessQuery, FacilityColumns, Origins
from livable.geometry.crs import Projector, choose_working_crs
from livable.geometry.providers import EuclideanProvider


def brute_force(ox, oy, fx, fy, codes, n_types, tiers, circle, search, k):
    d = np.hypot(fx[None, :] - ox[:, None], fy[None, :] - oy[:, None])
    n = len(ox)
    nearest = np.full((n, n_types), np.nan)
    counts = np.zeros((n, n_types, len(tiers)), dtype=int)
    in_circle = np.zeros((n, n_types), dtype=int)
    knn = np.full((n, n_types, k), np.nan)
    for t in range(n_types):
        dt = d[:, codes == t]
        for j, r in enumerate(tiers):
            counts[:, t, j] = (dt <= r).sum(axis=1)
        in_circle[:, t] = (dt <= circle[:, None]).sum(axis=1)
        for i in range(n):
            row = np.sort(dt[i][dt[i] <= search])
            if row.size:
                nearest[i, t] = row[0]
                knn[i, t, : min(k, row.size)] = row[:k]
    return nearest, counts, in_circle, knn


@settings(max_examples=60)
@given(
    lon=st.floats(min_value=75.0, max_value=134.0),
    lat=st.floats(min_value=18.0, max_value=52.0),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    n_fac=st.integers(min_value=0, max_value=400),
    n_org=st.integers(min_value=1, max_value=20),
    tiers=st.lists(
        st.floats(min_value=50.0, max_value=2500.0), min_size=1, max_size=4, unique=True
    ),
    clustered=st.booleans(),
)
def test_provider_equals_brute_force(lon, lat, seed, n_fac, n_org, tiers, clustered):
    rng = np.random.default_rng(seed)
    n_types = 5
    spread = 0.02 if not clustered else 0.002
    flon = lon + rng.normal(0, spread, n_fac)
    flat = lat + rng.normal(0, spread, n_fac)
    if n_fac > 4:  # duplicates and a collinear run
        flon[:2] = flon[2]
        flat[:2] = flat[2]
        flat[3:5] = flat[2]
    olon = lon + rng.normal(0, 0.01, n_org)
    olat = lat + rng.normal(0, 0.01, n_org)
    proj = Projector.for_crs(choose_working_crs(np.r_[olon, flon], np.r_[olat, flat]))
    fx, fy = proj.forward(flon, flat)
    ox, oy = proj.forward(olon, olat)
    codes = rng.integers(0, n_types, n_fac)
    circle = rng.choice([1200.0, 1600.0], n_org)
    search, k = 3000.0, 3
    tiers_sorted = tuple(sorted(tiers))
    query = AccessQuery(
        type_ids=[f"t{i}" for i in range(n_types)],
        tier_radii_m=tiers_sorted,
        circle_radii_m=circle,
        search_radius_m=search,
        k=k,
    )
    fac = FacilityColumns(fx, fy, codes, query.type_ids)
    table = EuclideanProvider().measure(Origins(ox, oy), fac, query)
    nearest, counts, in_circle, knn = brute_force(
        ox, oy, np.asarray(fx), np.asarray(fy), codes, n_types, tiers_sorted, circle, search, k
    )
    np.testing.assert_allclose(table.nearest_m, nearest, rtol=0, atol=1e-6)
    np.testing.assert_array_equal(table.count_within, counts)
    np.testing.assert_array_equal(table.count_in_circle, in_circle)
    np.testing.assert_allclose(table.knn_m, knn, rtol=0, atol=1e-6)
    # the k nearest indices point at facilities of the right type at those distances
    valid = table.knn_index >= 0
    o_idx = np.broadcast_to(np.arange(n_org)[:, None, None], valid.shape)[valid]
    f_idx = table.knn_index[valid]
    d = np.hypot(np.asarray(fx)[f_idx] - ox[o_idx], np.asarray(fy)[f_idx] - oy[o_idx])
    np.testing.assert_allclose(d, table.knn_m[valid], atol=1e-6)
    t_idx = np.broadcast_to(np.arange(n_types)[None, :, None], valid.shape)[valid]
    np.testing.assert_array_equal(codes[f_idx], t_idx)
    # the circle lists hold exactly the facilities within each origin's circle
    for i in range(n_org):
        idx, dist = table.in_circle(i)
        expected = np.flatnonzero(np.hypot(fx - ox[i], fy - oy[i]) <= circle[i])
        assert sorted(idx.tolist()) == sorted(expected.tolist())
        assert np.all(np.diff(dist) >= 0)
