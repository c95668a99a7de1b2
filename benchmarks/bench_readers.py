"""Reading facilities as columns against reading them feature by feature, per format.

    python benchmarks/bench_readers.py [--facilities 500000] [--rounds 2] [--cache DIR]

Writes N seeded synthetic point facilities (``livable.io.synthetic``) once, cached under
``benchmarks/.cache/`` (gitignored), as GeoJSON, GeoParquet, GeoPackage, FlatGeobuf, a
shapefile and CSV, then, alternating in this process, times (CPU seconds, ``time.process_time``:
the machine is shared) ``livable.read_facilities`` on each file two ways:

- columnar: the default; clean points are checked over whole columns (issue 16);
- per feature, the reference from the same run: the same call with a ``rename`` mapping,
  which always takes the per-feature path (a dictionary and its checks per feature).

It also times the whole-file validation of GeoParquet that a tiled or Dask run makes on
its client (``livable.io.geoparquet.scan_facilities``), columnar and row by row. For
GeoJSON it also times the libraries a columnar reader could be built on: orjson's
parse alone, pyogrio's Arrow reader (GDAL's GeoJSON driver) and msgspec's typed decode
with the column checks (``livable``'s GeoJSON path, bytes already read). It prints each
best time, and the ratio columnar / per feature.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REFERENCE = {"rename": {"no_such_column": "no_such_column_either"}}


def write_files(folder: Path, n: int, seed: int) -> dict[str, Path]:
    """The facility files of the synthetic city, written once."""
    import geopandas as gpd
    import shapely

    from livable.io import read_facilities
    from livable.io.geoparquet import write_facilities
    from livable.io.synthetic import synthetic_city

    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "GeoJSON": folder / "facilities.geojson",
        "GeoParquet": folder / "facilities.parquet",
        "GeoPackage": folder / "facilities.gpkg",
        "FlatGeobuf": folder / "facilities.fgb",
        "shapefile": folder / "facilities.shp",
        "CSV": folder / "facilities.csv",
    }
    if all(p.exists() for p in paths.values()):
        return paths
    synthetic_city(max(n // 250, 10), n, seed=seed, n_types=17).write(folder)
    layer = read_facilities(paths["GeoJSON"])
    write_facilities(layer, paths["GeoParquet"])
    frame = gpd.GeoDataFrame(
        {
            "id": layer.ids.tolist(),
            "type": layer.types.tolist(),
            "name": layer.names.tolist(),
            "quality": layer.quality,
        },
        geometry=shapely.points(layer.lon, layer.lat),
        crs="EPSG:4326",
    )
    for key in ("GeoPackage", "FlatGeobuf", "shapefile"):
        frame.to_file(paths[key])
    table = frame.drop(columns="geometry").assign(lon=layer.lon, lat=layer.lat)
    table.to_csv(paths["CSV"], index=False)
    return paths


def cpu(run: Callable[[], Any]) -> float:
    """CPU seconds of one call (collected first, so one run's garbage is not the next's)."""
    gc.collect()
    start = time.process_time()
    run()
    return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=HERE / ".cache")
    args = parser.parse_args(argv)
    folder = args.cache / f"readers-f{args.facilities}-s{args.seed}"
    paths = write_files(folder, args.facilities, args.seed)

    import orjson
    import pyogrio

    from livable.io import read_facilities
    from livable.io._fast import fast_facilities
    from livable.io.geoparquet import scan_facilities
    from livable.models import FACILITY_TYPES

    runs: dict[str, Callable[[], Any]] = {}
    for label, path in paths.items():
        runs[f"{label} columnar"] = lambda p=path: read_facilities(p)
        runs[f"{label} per feature"] = lambda p=path: read_facilities(p, **REFERENCE)
    parquet = paths["GeoParquet"]
    runs["GeoParquet scan columnar"] = lambda: scan_facilities(parquet)
    runs["GeoParquet scan per feature"] = lambda: scan_facilities(parquet, columnar=False)
    data = paths["GeoJSON"].read_bytes()
    runs["GeoJSON orjson.loads only"] = lambda: orjson.loads(data)
    runs["GeoJSON pyogrio read_arrow only"] = lambda: pyogrio.read_arrow(paths["GeoJSON"])
    known = set(FACILITY_TYPES)
    runs["GeoJSON msgspec decode and checks"] = lambda: fast_facilities(data, known, {})
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(args.rounds):
        for key, run in runs.items():
            best[key] = min(best[key], cpu(run))
    print(f"{args.facilities:,} point facilities, best of {args.rounds} rounds, CPU seconds")
    for key, seconds in best.items():
        print(f"  {key:<36} {seconds:7.2f}")
    for label in (*paths, "GeoParquet scan"):
        ratio = best[f"{label} columnar"] / best[f"{label} per feature"]
        print(f"  {label:<12} columnar / per feature: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
