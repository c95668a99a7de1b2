"""A network evaluation with and without the tier isochrones (issue 24, point 5).

``livable evaluate --distance network`` draws no isochrones unless ``--isochrones``
(``isochrones=True``) asks for them. This measures what asking costs: one synthetic city
(``livable.io.synthetic.synthetic_city``) of N communities on a square street grid, the
same run twice, wall-clock seconds of each, and checks the grades agree.

    python benchmarks/bench_isochrones.py                 # 2,000 communities
    python benchmarks/bench_isochrones.py --communities 200 --extent-km 6
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

import livable
from livable.io.synthetic import synthetic_city


def grid(centre: tuple[float, float], extent_km: float, block_m: float) -> dict[str, Any]:
    """A square street grid over the city: one line per block side, lon/lat."""
    lon0, lat0 = centre
    dlat = block_m / 111_320.0
    dlon = block_m / (111_320.0 * math.cos(math.radians(lat0)))
    n = int(extent_km * 1000 / block_m) + 1
    west, south = lon0 - dlon * (n - 1) / 2, lat0 - dlat * (n - 1) / 2
    features = []
    for i in range(n):
        for j in range(n - 1):
            x, y = west + i * dlon, south + j * dlat
            for sid, coords in (
                (f"v{i}-{j}", [[x, y], [x, y + dlat]]),
                (f"h{j}-{i}", [[west + j * dlon, south + i * dlat],
                               [west + (j + 1) * dlon, south + i * dlat]]),
            ):  # fmt: skip
                features.append(
                    {
                        "type": "Feature",
                        "properties": {"id": sid},
                        "geometry": {"type": "LineString", "coordinates": coords},
                    }
                )
    return {"type": "FeatureCollection", "features": features}


def main() -> None:
    """Run both evaluations and print their times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=2000)
    parser.add_argument("--facilities", type=int, default=40_000)
    parser.add_argument("--extent-km", type=float, default=20.0)
    parser.add_argument("--block-m", type=float, default=100.0)
    args = parser.parse_args()
    city = synthetic_city(args.communities, args.facilities, seed=7, extent_km=args.extent_km)
    streets = grid((108.94, 34.26), args.extent_km, args.block_m)
    communities, facilities = city.communities_geojson(), city.facilities_geojson()
    print(
        f"{args.communities:,} communities, {args.facilities:,} facilities, "
        f"{len(streets['features']):,} street segments ({args.block_m:g} m blocks)"
    )
    times = {}
    reports = {}
    for asked in (False, True):
        started = time.perf_counter()
        reports[asked] = livable.evaluate(
            communities, facilities, streets=streets, distance="network", isochrones=asked
        )
        times[asked] = time.perf_counter() - started
        print(f"isochrones={asked!s:5}: {times[asked]:7.1f} s")
    same = [c.grade for c in reports[False].communities] == [
        c.grade for c in reports[True].communities
    ]
    ratio = times[True] / times[False]
    print(
        f"isochrones cost {times[True] - times[False]:.1f} s; with/without ratio {ratio:.2f}; "
        f"grades equal: {same}"
    )


if __name__ == "__main__":
    main()
