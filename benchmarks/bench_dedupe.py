"""Benchmark: facility de-duplication (issue 7).

One command: ``python benchmarks/bench_dedupe.py [n]``. It builds ``n`` facilities in a
city-sized square where a fifth are near-copies of others (a second source), then times,
in the same process, :func:`livable.io.dedupe_facilities` (bulk R-tree query,
vectorised filters, name checks, merging) against a reference that only finds the
candidate pairs by brute force, comparing every pair with numpy in blocks, and prints the
ratio. The reference grows with n squared, so keep n modest.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from livable.geometry.crs import Projector, choose_working_crs
from livable.io import FacilityLayer, SourceInfo, dedupe_facilities

TYPES = np.array(["convenience_store", "transit_stop", "clinic", "restaurant"], dtype=object)


def make_layer(n: int, seed: int = 3) -> FacilityLayer:
    rng = np.random.default_rng(seed)
    base = n - n // 5
    lon = 108.80 + rng.random(base) * 0.30
    lat = 34.15 + rng.random(base) * 0.25
    types = TYPES[rng.integers(0, len(TYPES), base)]
    names = np.array([f"店{i % 997}" for i in range(base)], dtype=object)
    copy = rng.integers(0, base, n - base)
    lon = np.r_[lon, lon[copy] + rng.normal(0, 0.0001, n - base)]
    lat = np.r_[lat, lat[copy] + rng.normal(0, 0.0001, n - base)]
    types = np.r_[types, types[copy]]
    names = np.r_[names, names[copy]]
    return FacilityLayer(
        ids=np.array([f"f{i}" for i in range(n)], dtype=object),
        types=types,
        lon=lon,
        lat=lat,
        names=names,
        brands=np.full(n, None, dtype=object),
        quality=np.full(n, np.nan),
        attributes=tuple({} for _ in range(n)),
        source=SourceInfo("<bench>"),
        count=n,
    )


def brute_force_pairs(layer: FacilityLayer, tol: float) -> int:
    """Candidate pairs (same type, within ``tol``) by comparing every pair in blocks."""
    proj = Projector.for_crs(choose_working_crs(layer.lon, layer.lat))
    x, y = proj.forward(layer.lon, layer.lat)
    codes = np.unique(layer.types, return_inverse=True)[1]
    found = 0
    block = 2000
    for start in range(0, len(x), block):
        sl = slice(start, start + block)
        d = np.hypot(x[sl, None] - x[None, :], y[sl, None] - y[None, :])
        same = codes[sl, None] == codes[None, :]
        rows = np.arange(start, min(start + block, len(x)))[:, None]
        found += int(np.count_nonzero((d <= tol) & same & (rows < np.arange(len(x))[None, :])))
    return found


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 12_000
    layer = make_layer(n)
    t0 = time.perf_counter()
    pairs = brute_force_pairs(layer, 30.0)
    ref = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = dedupe_facilities(layer, tolerance_m=30.0)
    ours = time.perf_counter() - t0
    print(f"facilities: {n:,}; same-type pairs within 30 m (brute force): {pairs:,}")
    print(f"merged: {result.removed:,} into {len(result.merges):,} kept facilities")
    print(f"reference brute-force pairs: {ref:.2f} s")
    print(f"livable dedupe_facilities:   {ours:.2f} s")
    print(f"ratio livable/reference:     {ours / ref:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
