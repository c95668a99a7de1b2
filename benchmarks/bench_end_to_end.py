"""Benchmark ``livable evaluate`` end to end against a lean script (one command).

    python benchmarks/bench_end_to_end.py [--facilities 500000] [--communities 2000]
        [--types 17] [--repeat 2] [--seed 1] [--keep DIR] [--no-memory]

Writes a seeded synthetic city (``livable.io.synthetic``) as GeoJSON files, then times IN THE
SAME PROCESS, interleaved and best of ``--repeat``:

- ``livable``: the command line, ``livable evaluate --communities C --facilities F --out
  report.json --quiet`` (``livable.cli.main``): reading and validating every feature,
  projecting, circles, the proximity pass, every indicator and grade, the city summary and
  the full ``report.json``;
- ``lean``: what a careful analyst would write by hand for the same question: the standard
  library's ``json`` module to read both files, a UTM projection with pyproj, centroids with
  shapely, the shapely 2 ``STRtree.query(..., predicate="dwithin")`` pass of
  ``reference.strtree_pass`` (counts per type within each tier and the circle, nearest per
  type), and ``json.dump`` of those numbers. No validation, no grades, no report.

It prints CPU and wall seconds, the ratio (target: livable within 1.5x of the lean
script) and each one's peak memory in a fresh subprocess (``VmHWM``).
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import shapely
from reference import fmt_s, peak_rss_mb, strtree_pass

from livable.cli import main as livable_main
from livable.io.synthetic import synthetic_city


def lean_pipeline(communities: Path, facilities: Path, out: Path) -> None:
    """The lean script: stdlib json in, STRtree pass, json out."""
    with open(communities, encoding="utf-8") as fh:
        comms = json.load(fh)["features"]
    with open(facilities, encoding="utf-8") as fh:
        facs = json.load(fh)["features"]
    type_ids: dict[str, int] = {}
    codes, lon, lat = [], [], []
    for f in facs:
        codes.append(type_ids.setdefault(f["properties"]["type"], len(type_ids)))
        x, y = f["geometry"]["coordinates"]
        lon.append(x)
        lat.append(y)
    polygons = shapely.from_geojson([json.dumps(c["geometry"]) for c in comms])
    west, _, east, _ = shapely.total_bounds(polygons)
    zone = int((west + east) / 2 + 180) // 6 + 1
    to_utm = pyproj.Transformer.from_crs(4326, 32600 + zone, always_xy=True)
    fx, fy = to_utm.transform(np.array(lon), np.array(lat))
    centres = shapely.centroid(
        shapely.transform(polygons, lambda xy: np.column_stack(to_utm.transform(*xy.T)))
    )
    cxy = shapely.get_coordinates(centres)
    data: dict[str, Any] = {
        "ox": cxy[:, 0],
        "oy": cxy[:, 1],
        "circle": np.full(len(comms), 1200.0),
        "fx": np.asarray(fx),
        "fy": np.asarray(fy),
        "codes": np.array(codes),
        "n_types": np.array(len(type_ids)),
    }
    result = strtree_pass(data)
    names = list(type_ids)
    rows = []
    for i, c in enumerate(comms):
        nearest = result["nearest_m"][i]
        rows.append(
            {
                "id": c["properties"]["id"],
                "count_within": result["count_within"][i].tolist(),
                "count_in_circle": result["count_in_circle"][i].tolist(),
                "nearest_m": {
                    t: (None if np.isnan(nearest[j]) else float(nearest[j]))
                    for j, t in enumerate(names)
                },
            }
        )
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"communities": rows}, fh)


def livable_cli(communities: Path, facilities: Path, out: Path) -> None:
    """``livable evaluate`` through its command-line entry point."""
    code = livable_main(
        [
            "evaluate",
            "--communities",
            str(communities),
            "--facilities",
            str(facilities),
            "--out",
            str(out),
            "--quiet",
        ]
    )
    if code != 0:
        raise SystemExit(f"livable evaluate failed with status {code}")


VARIANTS = {"livable": livable_cli, "lean": lean_pipeline}


def child(variant: str, folder: str) -> None:
    """Run one variant once and print its peak memory as JSON."""
    base = Path(folder)
    baseline = peak_rss_mb()
    VARIANTS[variant](
        base / "communities.geojson", base / "facilities.geojson", base / f"{variant}.json"
    )
    print(json.dumps({"baseline_mb": baseline, "peak_mb": peak_rss_mb()}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facilities", type=int, default=500_000)
    parser.add_argument("--communities", type=int, default=2000)
    parser.add_argument("--types", type=int, default=17)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="write the city here and keep it (default: a temp dir)")
    parser.add_argument("--no-memory", action="store_true", help="skip the subprocess runs")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.folder)
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        city = synthetic_city(args.communities, args.facilities, seed=args.seed, n_types=args.types)
        comm_path, fac_path = city.write(folder)
        del city
        gc.collect()
        size = (comm_path.stat().st_size + fac_path.stat().st_size) / 1e6
        print(
            f"livable end-to-end benchmark: {args.communities:,} communities, "
            f"{args.facilities:,} facilities of {args.types} types ({size:.0f} MB of GeoJSON), "
            f"seed {args.seed}, best of {args.repeat}"
        )
        best = dict.fromkeys(VARIANTS, (np.inf, np.inf))
        for _ in range(args.repeat):
            for name, fn in VARIANTS.items():
                gc.collect()
                c0, w0 = time.process_time(), time.perf_counter()
                fn(comm_path, fac_path, folder / f"{name}.json")
                cpu, wall = time.process_time() - c0, time.perf_counter() - w0
                best[name] = (min(best[name][0], cpu), min(best[name][1], wall))
        mem: dict[str, dict[str, float]] = {}
        if not args.no_memory:
            for name in VARIANTS:
                res = subprocess.run(
                    [sys.executable, __file__, "--child", name, "--folder", str(folder)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                mem[name] = json.loads(res.stdout.strip().splitlines()[-1])
        report = json.loads((folder / "livable.json").read_text(encoding="utf-8"))
        lean = json.loads((folder / "lean.json").read_text(encoding="utf-8"))
    print(f"\n{'variant':<8} {'cpu s':>7} {'wall s':>7} {'peak MB':>8}")
    for name, (cpu, wall) in best.items():
        peak = f"{mem[name]['peak_mb']:8.0f}" if name in mem else f"{'-':>8}"
        print(f"{name:<8} {fmt_s(cpu):>7} {fmt_s(wall):>7} {peak}")
    ratio_cpu = best["livable"][0] / best["lean"][0]
    ratio_wall = best["livable"][1] / best["lean"][1]
    print(
        f"\nlivable / lean: cpu {ratio_cpu:.2f}, wall {ratio_wall:.2f} "
        f"(target <= 1.5: {'met' if ratio_cpu <= 1.5 else 'NOT met'})"
    )
    by_id = {row["id"]: row for row in lean["communities"]}
    same = 0
    for c in report["communities"]:
        row = by_id[c["id"]]
        j = list(row["nearest_m"]).index("kindergarten")
        same += c["access"]["kindergarten"]["count_within"]["1200"] == row["count_within"][j][2]
    print(f"kindergartens within 1,200 m agree for {same:,} of {len(by_id):,} communities")
    return 0


if __name__ == "__main__":
    sys.exit(main())
