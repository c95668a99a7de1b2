"""Benchmark the ``network`` distance provider against pandana's ``nearest_pois``.

One command::

    python benchmarks/bench_network.py            # 317 x 317 grid: 200,344 edges
    python benchmarks/bench_network.py --side 120 # a quick run

A jittered street grid (100 m blocks) of at least 200,000 edges, 2,000 communities and
200,000 facilities of 18 types, all placed on graph nodes because pandana snaps to nodes.
Both sides answer the same question in the same process: for every community, the three
nearest facilities of every type within the 3,000 m search radius.

- livable: build the graph from the street lines, snap, many-source bounded Dijkstra and the
  whole access table (nearest, tier counts, circle lists, k nearest).
- pandana: build the network (its contraction-hierarchy preprocessing), ``set_pois`` per type
  and ``nearest_pois`` per type (pandana answers for every node of the graph; the rows of the
  community nodes are compared). pandana is AGPL: it is used here only, never by livable.

Prints seconds, the ratio and the largest distance difference (target: within 1 m). Without
pandana installed it compares with a scipy-only reference on the community nodes instead.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import shapely

from livable.geometry.access import AccessQuery, FacilityColumns, Origins
from livable.geometry.network import NetworkProvider, StreetNetwork, WalkGraph
from livable.models import FACILITY_TYPES

SEARCH_M = 3000.0
TIERS = (400.0, 800.0, 1200.0)
K = 3


def make_city(side: int, n_comm: int, n_fac: int, seed: int = 0) -> dict[str, Any]:
    """A jittered grid of ``side`` x ``side`` nodes, communities and facilities on nodes."""
    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    x = (500_000.0 + jj * 100.0 + rng.uniform(-20, 20, (side, side))).ravel()
    y = (3_790_000.0 + ii * 100.0 + rng.uniform(-20, 20, (side, side))).ravel()
    idx = np.arange(side * side).reshape(side, side)
    u = np.r_[idx[:, :-1].ravel(), idx[:-1, :].ravel()]
    v = np.r_[idx[:, 1:].ravel(), idx[1:, :].ravel()]
    lines = shapely.linestrings(np.stack([np.c_[x[u], y[u]], np.c_[x[v], y[v]]], axis=1))
    comm = rng.choice(side * side, size=n_comm, replace=False)
    fac = rng.integers(0, side * side, n_fac)
    types = rng.integers(0, len(FACILITY_TYPES), n_fac)
    return {
        "x": x,
        "y": y,
        "u": u,
        "v": v,
        "lines": lines,
        "comm": comm,
        "fac": fac,
        "types": types,
    }


def run_livable(city: dict[str, Any]) -> tuple[float, np.ndarray]:
    """Seconds and ``knn_m[community, type, k]`` of the livable network provider."""
    x, y = city["x"], city["y"]
    type_ids = tuple(FACILITY_TYPES)
    started = time.perf_counter()
    net = StreetNetwork.from_lines(city["lines"], min_component_m=0.0)
    provider = NetworkProvider(net)
    origins = Origins(x[city["comm"]], y[city["comm"]])
    fac = FacilityColumns(
        x=x[city["fac"]], y=y[city["fac"]], type_codes=city["types"], type_ids=type_ids
    )
    query = AccessQuery(
        type_ids=type_ids,
        tier_radii_m=TIERS,
        circle_radii_m=np.full(len(origins), 1200.0),
        search_radius_m=SEARCH_M,
        k=K,
    )
    table = provider.measure(origins, fac, query)
    return time.perf_counter() - started, table.knn_m


def run_pandana(city: dict[str, Any]) -> tuple[float, np.ndarray, float]:
    """Seconds (network + set_pois + nearest_pois), ``knn_m`` in livable's layout, and the
    seconds of the network construction alone."""
    import pandana
    import pandas as pd

    x, y, u, v = city["x"], city["y"], city["u"], city["v"]
    length = np.hypot(x[u] - x[v], y[u] - y[v])
    n_types = len(FACILITY_TYPES)
    started = time.perf_counter()
    net = pandana.Network(
        pd.Series(x),
        pd.Series(y),
        pd.Series(u),
        pd.Series(v),
        pd.DataFrame({"length": length}),
        twoway=True,
    )
    built = time.perf_counter() - started
    out = np.full((len(city["comm"]), n_types, K), np.nan)
    for t in range(n_types):
        nodes = city["fac"][city["types"] == t]
        net.set_pois(f"t{t}", SEARCH_M, K, pd.Series(x[nodes]), pd.Series(y[nodes]))
        res = net.nearest_pois(SEARCH_M, f"t{t}", num_pois=K, max_distance=np.inf)
        vals = np.array(res.loc[city["comm"]].to_numpy(dtype=np.float64)[:, :K])
        vals[~np.isfinite(vals) | (vals > SEARCH_M)] = np.nan
        out[:, t, :] = vals
    return time.perf_counter() - started, out, built


def run_reference(city: dict[str, Any]) -> tuple[float, np.ndarray]:
    """A scipy-only reference: full Dijkstra distances from every community node."""
    x, y, u, v = city["x"], city["y"], city["u"], city["v"]
    n_types = len(FACILITY_TYPES)
    started = time.perf_counter()
    g = WalkGraph.from_edges(len(x), u, v, np.hypot(x[u] - x[v], y[u] - y[v]))
    out = np.full((len(city["comm"]), n_types, K), np.nan)
    for start in range(0, len(city["comm"]), 100):
        d = g.distances(city["comm"][start : start + 100], limit=SEARCH_M)[:, city["fac"]]
        for t in range(n_types):
            dt = np.sort(d[:, city["types"] == t], axis=1)[:, :K]
            dt[~np.isfinite(dt)] = np.nan
            out[start : start + len(dt), t, : dt.shape[1]] = dt
    return time.perf_counter() - started, out


def compare(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    """Largest absolute difference where both have a value, and cells where only one does."""
    both = np.isfinite(a) & np.isfinite(b)
    diff = float(np.abs(a[both] - b[both]).max()) if both.any() else 0.0
    return diff, int((np.isfinite(a) != np.isfinite(b)).sum())


def main() -> None:
    """Run the benchmark and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=317, help="grid nodes per side (317)")
    parser.add_argument("--communities", type=int, default=2000)
    parser.add_argument("--facilities", type=int, default=200_000)
    args = parser.parse_args()
    city = make_city(args.side, args.communities, args.facilities)
    print(
        f"grid {args.side}x{args.side}: {len(city['x']):,} nodes, {len(city['u']):,} edges; "
        f"{args.communities:,} communities, {args.facilities:,} facilities, "
        f"{len(FACILITY_TYPES)} types, search radius {SEARCH_M:g} m, k={K}"
    )
    ours, knn = run_livable(city)
    print(f"livable network provider: {ours:8.2f} s")
    try:
        import pandana  # noqa: F401
    except ImportError:
        print("pandana is not installed: comparing with a scipy-only reference instead")
        ref_s, ref = run_reference(city)
        diff, mismatch = compare(knn, ref)
        print(f"scipy reference:          {ref_s:8.2f} s")
        print(f"ratio livable / reference: {ours / ref_s:.2f}")
    else:
        ref_s, ref, built = run_pandana(city)
        diff, mismatch = compare(knn, ref)
        print(f"pandana nearest_pois:     {ref_s:8.2f} s (of which network build {built:.2f} s)")
        print(f"ratio livable / pandana:  {ours / ref_s:.2f} (target <= 1)")
    print(
        f"largest distance difference: {diff:.3f} m (target <= 1 m); "
        f"cells found by only one side: {mismatch}"
    )


if __name__ == "__main__":
    main()
