"""Country scale on one machine: tiles in 1 and 2 worker processes, scaling, peak memory.

    python benchmarks/bench_country.py                      # the full run (several minutes)
    python benchmarks/bench_country.py --sizes 1000:250000 --country 4000:1000000   # quick

A synthetic country (not real places) is generated on the fly as columns: cities spread
over an 8 x 10 degree box in central China (one UTM zone measures it within 0.5 %), a
city every 1,000 communities, each a core with exponentially decaying density
(communities 4 km, facilities 8 km); communities are 200-700 m squares with populations;
facilities are points of the 18 built-in types with unequal frequencies, 20 % of them in
the cities and 80 % anywhere in the box (towns, villages, roads), so that a circle holds
a few hundred facilities, as in a large Chinese city's inner districts.

Steps, all in one process run:

1. The scaling curve: communities x facilities at the ``--sizes`` (same density, more
   cities); each is evaluated tile by tile in this process and, as the reference, in one
   single pass (``livable.evaluate``); the ratio and the equality of the reports are
   printed.
2. The country case (``--country``, default 20,000 x 5,000,000) tile by tile with 1 and
   with 2 worker processes (the single pass is not run: its pair table would not fit),
   checked identical to each other.
3. Peak memory: ``ru_maxrss`` of this process and of its largest child, and the largest
   sum of the resident sets of this process and its children, sampled every 0.2 s, for
   the evaluation and then with its ``report.json`` text made (one report at a time).
   The per-tile cost gives the estimate for 110,000 x 30,000,000 on a 32-core cluster.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely

import livable
from livable.io import CommunityLayer, FacilityLayer
from livable.io.synthetic import TYPE_WEIGHTS
from livable.models import Community
from livable.scale.tiles import evaluate_partitioned

COMMUNITIES_PER_CITY = 1_000
URBAN_SHARE = 0.2
"""Share of the facilities in the cities; the rest lie anywhere in the country's box."""
M_PER_DEG_LAT = 110_574.0


def country(
    n_communities: int, n_facilities: int, *, seed: int = 2020
) -> tuple[CommunityLayer, FacilityLayer]:
    """A synthetic country as a community layer and facility columns (WGS84)."""
    rng = np.random.default_rng(seed)
    n_cities = max(1, round(n_communities / COMMUNITIES_PER_CITY))
    lon0 = rng.uniform(106.0, 114.0, n_cities)
    lat0 = rng.uniform(28.0, 38.0, n_cities)

    def around(n: int, scale_m: float) -> tuple[np.ndarray, np.ndarray]:
        city = rng.integers(0, n_cities, n)
        r = rng.gamma(2.0, scale_m, n)  # density exp(-r / scale) in the plane
        a = rng.uniform(0.0, 2.0 * np.pi, n)
        lat = lat0[city] + r * np.sin(a) / M_PER_DEG_LAT
        lon = lon0[city] + r * np.cos(a) / (111_320.0 * np.cos(np.radians(lat0[city])))
        return lon, lat

    clon, clat = around(n_communities, 4_000.0)
    half = rng.uniform(100.0, 350.0, n_communities)
    dlat = half / M_PER_DEG_LAT
    dlon = half / (111_320.0 * np.cos(np.radians(clat)))
    boxes = shapely.box(clon - dlon, clat - dlat, clon + dlon, clat + dlat)
    pops = rng.integers(1_000, 15_000, n_communities)
    comms = tuple(
        Community(id=f"c{i:06d}", geometry=boxes[i], population=int(pops[i]))
        for i in range(n_communities)
    )
    n_urban = round(n_facilities * URBAN_SHARE)
    ulon, ulat = around(n_urban, 8_000.0)
    rlon = rng.uniform(106.0, 114.0, n_facilities - n_urban)
    rlat = rng.uniform(28.0, 38.0, n_facilities - n_urban)
    mix = rng.permutation(n_facilities)
    flon, flat = np.r_[ulon, rlon][mix], np.r_[ulat, rlat][mix]
    names = np.array(list(TYPE_WEIGHTS), dtype=object)
    weights = np.array(list(TYPE_WEIGHTS.values()))
    types = names[rng.choice(len(names), n_facilities, p=weights / weights.sum())]
    ids = np.array([f"f{i:08d}" for i in range(n_facilities)], dtype=object)
    empty: dict[str, Any] = {}
    facilities = FacilityLayer(
        ids=ids,
        types=types,
        lon=flon,
        lat=flat,
        names=np.full(n_facilities, None, dtype=object),
        brands=np.full(n_facilities, None, dtype=object),
        quality=np.full(n_facilities, np.nan),
        attributes=(empty,) * n_facilities,
        count=n_facilities,
    )
    return CommunityLayer(communities=comms, count=n_communities), facilities


class RssSampler:
    """Largest sum of VmRSS over this process and its descendants, sampled periodically."""

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _rss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            return 0
        return 0

    @staticmethod
    def _children(pid: int) -> list[int]:
        out: list[int] = []
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            return out
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                    out += [int(p) for p in fh.read().split()]
            except OSError:
                continue
        return out

    def _tree(self) -> int:
        total, todo = 0, [os.getpid()]
        while todo:
            pid = todo.pop()
            total += self._rss(pid)
            todo += self._children(pid)
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree())
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def cpu_seconds() -> tuple[float, float]:
    """User + system CPU seconds of this process and of its finished children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def gib(n: float) -> str:
    return f"{n / 1024**3:.2f} GiB"


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def communities_json(report: livable.Report) -> str:
    return json.dumps(report.to_dict()["communities"], sort_keys=True)


def size(text: str) -> tuple[int, int]:
    a, b = text.split(":")
    return int(a), int(b)


def run_country(nc: int, nf: int, tile_m: float, sampler: RssSampler) -> dict[str, Any]:
    """The country tile by tile with 1 and 2 workers; returns the figures."""
    gen_s, (comms, facs) = timed(lambda: country(nc, nf))
    print(f"\ncountry {nc:,} communities x {nf:,} facilities: generated in {gen_s:.1f} s")
    out: dict[str, Any] = {"communities": nc, "facilities": nf, "generate_s": gen_s}
    digests = {}
    for workers in (1, 2):
        ticks: list[float] = []
        start = time.perf_counter()

        def tick(stage: str, _f: float, ticks: list[float] = ticks, t0: float = start) -> None:
            if stage == "tiles":
                ticks.append(time.perf_counter() - t0)

        cpu0 = cpu_seconds()
        rep = evaluate_partitioned(comms, facs, tile_m=tile_m, workers=workers, progress=tick)
        secs = time.perf_counter() - start
        cpu = [b - a for a, b in zip(cpu0, cpu_seconds(), strict=True)]
        rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        rss_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        tree = sampler.peak
        n_tiles = len(ticks)
        print(
            f"  workers={workers}: {secs:8.1f} s, {n_tiles} tiles, "
            f"{secs / n_tiles * workers:.2f} s/tile/worker, "
            f"{secs / nc * 1000:.2f} ms/community; peak rss self {gib(rss_self)}, "
            f"largest child {gib(rss_child)}, sampled tree {gib(tree)}"
        )
        print(
            f"             CPU: this process {cpu[0]:.1f} s, workers {cpu[1]:.1f} s, "
            f"{(cpu[0] + cpu[1]) / nc * 1000:.2f} CPU-ms/community, "
            f"CPU/wall {(cpu[0] + cpu[1]) / secs:.2f} (load average {os.getloadavg()[0]:.1f})"
        )
        if workers == 1:
            in_circle = [sum(a.count_in_circle for a in c.access) for c in rep.communities]
            print(f"  facilities in a circle: mean {np.mean(in_circle):.0f}, max {max(in_circle)}")
            out["in_circle_mean"] = float(np.mean(in_circle))
            s = rep.summary
            print(f"  grades: {s.happy} happy, {s.livable} livable, {s.not_livable} not livable")
        # the report.json text, one report at a time (it is the largest object of a run)
        write_s, text = timed(lambda r=rep: r.to_json(indent=False))
        digests[workers] = hashlib.sha256(text.encode()).hexdigest()
        print(
            f"  report.json: {len(text) / 1024**2:.0f} MiB made in {write_s:.1f} s; "
            f"sampled tree peak with it {gib(sampler.peak)}"
        )
        out[f"workers_{workers}"] = {
            "seconds": secs,
            "cpu_self_s": cpu[0],
            "cpu_children_s": cpu[1],
            "tiles": n_tiles,
            "ru_maxrss_self": rss_self,
            "ru_maxrss_children": rss_child,
            "sampled_tree_peak_evaluate": tree,
            "sampled_tree_peak_with_report_json": sampler.peak,
            "report_mib": len(text) / 1024**2,
            "report_json_s": write_s,
            "load_average": os.getloadavg(),
        }
        del rep, text
    same = digests[1] == digests[2]
    w1, w2 = out["workers_1"], out["workers_2"]
    print(
        f"  workers=2 / workers=1 time: {w2['seconds'] / w1['seconds']:.2f}x; "
        f"report.json identical (SHA-256): {same}"
    )
    out["identical"] = same
    out["sampled_tree_peak"] = sampler.peak
    return out


def run_scaling(sizes: list[tuple[int, int]], tile_m: float) -> list[dict[str, Any]]:
    """Each size tile by tile in this process and as a single pass (the reference)."""
    rows = []
    print("\nscaling (tiles in this process vs the single pass, same run):")
    for nc, nf in sizes:
        comms, facs = country(nc, nf)
        t_tiles, tiled = timed(lambda c=comms, f=facs: evaluate_partitioned(c, f, tile_m=tile_m))
        t_single, single = timed(lambda c=comms, f=facs: livable.evaluate(c, f))
        equal = tiled.to_json() == single.to_json()
        print(
            f"  {nc:>7,} x {nf:>10,}: tiles {t_tiles:7.1f} s, single {t_single:7.1f} s, "
            f"single/tiles {t_single / t_tiles:5.2f}x, "
            f"{t_tiles / nc * 1000:.2f} ms/community, identical: {equal}"
        )
        rows.append(
            {
                "communities": nc,
                "facilities": nf,
                "tiles_s": t_tiles,
                "single_s": t_single,
                "identical": equal,
            }
        )
    return rows


def run_parquet(nc: int, nf: int, tile_m: float) -> dict[str, Any]:
    """GeoParquet input: the whole-file validation scan and per-tile window reads, against
    the same evaluation from facilities already in memory (same run)."""
    import tempfile

    from livable.io.geoparquet import scan_facilities, write_facilities

    comms, facs = country(nc, nf)
    with tempfile.TemporaryDirectory() as folder:
        path = write_facilities(facs, Path(folder) / "facilities.parquet")
        t_scan, _ = timed(lambda: scan_facilities(path))
        t_file, from_file = timed(lambda: evaluate_partitioned(comms, path, tile_m=tile_m))
        t_mem, in_memory = timed(lambda: evaluate_partitioned(comms, facs, tile_m=tile_m))
    same = communities_json(from_file) == communities_json(in_memory)
    print(
        f"\nGeoParquet {nc:,} x {nf:,}: scan {t_scan:.1f} s ({t_scan / nf * 1e6:.1f} us/row), "
        f"tiles from the file {t_file:.1f} s vs from memory {t_mem:.1f} s "
        f"({t_file / t_mem:.2f}x), same communities: {same}"
    )
    return {"scan_s": t_scan, "file_s": t_file, "memory_s": t_mem, "identical": same}


def self_rss() -> int:
    """This process's resident set now (bytes)."""
    return RssSampler._rss(os.getpid())


class SelfPeak(RssSampler):
    """Largest VmRSS of this process alone (the Dask client), sampled periodically."""

    def _tree(self) -> int:
        return self._rss(os.getpid())


def spatial_order(facs: FacilityLayer) -> FacilityLayer:
    """Facilities sorted by a Z-order of 0.05 degree cells, so that a GeoParquet row group
    covers a compact area and a tile's window reads few of them (results do not depend on
    the order: the engine puts facilities in canonical order)."""
    ix = np.floor((facs.lon - 100.0) / 0.05).astype(np.uint64)
    iy = np.floor((facs.lat - 20.0) / 0.05).astype(np.uint64)
    z = np.zeros(len(ix), dtype=np.uint64)
    for bit in range(16):
        z |= ((ix >> np.uint64(bit)) & np.uint64(1)) << np.uint64(2 * bit)
        z |= ((iy >> np.uint64(bit)) & np.uint64(1)) << np.uint64(2 * bit + 1)
    return facs.take(np.argsort(z, kind="stable"))


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def one_machine_tiles(
    comms: CommunityLayer, path: Path, tile_m: float
) -> tuple[livable.Report, list[tuple[int, int, float, float]]]:
    """The tiles in this process from the same GeoParquet file, each timed: the report and
    per tile (communities, facilities in the window, read CPU s, evaluate CPU s)."""
    import attrs

    from livable.engine import EvaluationSettings, Inputs
    from livable.scale.tiles import Tiling, merge_tiles, prepare_tasks, run_tile

    prepared, tasks = prepare_tasks(
        Inputs(comms, path), EvaluationSettings(), tiling=Tiling(tile_m)
    )
    reports, rows = [], []
    for task in tasks:
        t0 = time.process_time()
        layer = task.facility_layer()
        t1 = time.process_time()
        reports.append(
            run_tile(
                attrs.evolve(task, facilities=layer),
                prepared.plugins,
                profile=prepared.profile,
                working_crs=prepared.partition.working_crs,
            )
        )
        rows.append((len(task.communities), len(layer), t1 - t0, time.process_time() - t1))
    merged = merge_tiles(
        reports,
        communities=prepared.communities,
        facilities=prepared.facilities,
        profile=prepared.profile,
        plugins=prepared.plugins,
    )
    return merged, rows


def fit_tiles(rows: list[tuple[int, int, float, float]]) -> dict[str, float]:
    """Least squares: tile CPU s = a * communities + b * (communities x facilities in the
    window / 1e6) + c."""
    a = np.array([[c, c * f / 1e6, 1.0] for c, f, _, _ in rows])
    y = np.array([t for _, _, _, t in rows])
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    pred = a @ coef
    r2 = 1 - ((y - pred) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    return {
        "per_community_s": coef[0],
        "per_community_per_mfac_s": coef[1],
        "per_tile_s": coef[2],
        "r2": float(r2),
    }


def run_dask(nc: int, nf: int, tile_m: float, workers: tuple[int, ...], ways: tuple[str, ...]):
    """One machine (tiles in this process, facilities in memory) against Dask LocalClusters
    of ``workers`` processes reading GeoParquet windows, the results returned pickled
    (``evaluate_dask``) or written to parts (``evaluate_dask_to_parts``)."""
    import tempfile

    import distributed

    from livable.io.geoparquet import write_facilities
    from livable.scale.dask import evaluate_dask, evaluate_dask_to_parts

    out: dict[str, Any] = {"communities": nc, "facilities": nf}
    comms, facs = country(nc, nf)
    facs = spatial_order(facs)
    print(f"\ndask {nc:,} x {nf:,} (load {os.getloadavg()[0]:.1f})")
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        folder = Path(tmp)
        t, path = timed(lambda: write_facilities(facs, folder / "f.parquet", row_group_size=4096))
        print(f"  GeoParquet written in {t:.1f} s")
        base = self_rss()
        with SelfPeak() as peak:
            cpu0, t0 = time.process_time(), time.perf_counter()
            rep, rows = one_machine_tiles(comms, path, tile_m)
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            wt, _ = timed(lambda r=rep: r.write_json(folder / "one.json"))
        digest = file_digest(folder / "one.json")
        fit = fit_tiles(rows)
        in_circle = [sum(a.count_in_circle for a in c.access) for c in rep.communities]
        tile_cpu = sum(r[3] for r in rows)
        read_cpu = sum(r[2] for r in rows)
        window_f = float(np.mean([r[1] for r in rows]))
        out["one_machine"] = {
            "wall_s": wall,
            "cpu_s": cpu,
            "tile_cpu_s": tile_cpu,
            "read_cpu_s": read_cpu,
            "window_facilities_mean": window_f,
            "tile_rows": rows,
            "write_json_s": wt,
            "peak_rss": peak.peak,
            "rss_before": base,
            "tiles": len(rows),
            "in_circle_mean": float(np.mean(in_circle)),
            "fit": fit,
            "digest": digest,
            "report_mib": (folder / "one.json").stat().st_size / 1024**2,
        }
        print(
            f"  one machine: {wall:.1f} s wall, {cpu:.1f} CPU-s ({tile_cpu:.1f} evaluating "
            f"{len(rows)} tiles, {read_cpu:.1f} reading windows of {window_f:,.0f} "
            f"facilities on average), {cpu / nc * 1e3:.2f} CPU-ms/community; report.json "
            f"{out['one_machine']['report_mib']:.0f} MiB in {wt:.1f} s; peak {gib(peak.peak)} "
            f"(from {gib(base)}); in circle {np.mean(in_circle):.0f}; fit {fit}"
        )
        del rep
        for n in workers:
            with (
                distributed.LocalCluster(
                    n_workers=n,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                    silence_logs=40,
                ) as cluster,
                distributed.Client(cluster) as client,
            ):
                for way in ways:
                    parts = folder / f"parts-{n}-{way}"
                    parts.mkdir()
                    target = folder / f"{n}-{way}.json"
                    base = self_rss()
                    with SelfPeak() as peak:
                        cpu0, t0 = time.process_time(), time.perf_counter()
                        if way == "pickled":
                            r = evaluate_dask(comms, path, client=client, tile_m=tile_m)
                        else:
                            r = evaluate_dask_to_parts(
                                comms, path, client=client, folder=parts, tile_m=tile_m
                            )
                        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
                        wt, _ = timed(lambda r=r, target=target: r.write_json(target))
                    same = file_digest(target) == digest
                    wcpu = sum(client.run(lambda: time.process_time()).values())
                    key = f"dask_{n}_{way}"
                    out[key] = {
                        "wall_s": wall,
                        "client_cpu_s": cpu,
                        "write_json_s": wt,
                        "client_peak_rss": peak.peak,
                        "rss_before": base,
                        "workers_cpu_s_cumulative": wcpu,
                        "identical": same,
                    }
                    print(
                        f"  dask {n} worker(s), {way}: {wall:.1f} s wall, client {cpu:.1f} "
                        f"CPU-s ({cpu / nc * 1e3:.2f} ms/community), report.json {wt:.1f} s, "
                        f"client peak {gib(peak.peak)} (from {gib(base)}), workers' CPU so "
                        f"far {wcpu:.1f} s; identical to one machine: {same}"
                    )
                    target.unlink()
                    del r
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes",
        default="1000:250000,2000:500000,4000:1000000",
        help="scaling curve, communities:facilities,... (each also run as a single pass)",
    )
    parser.add_argument("--country", type=size, default=(20_000, 5_000_000))
    parser.add_argument("--tile-km", type=float, default=10.0)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument(
        "--dask",
        type=size,
        action="append",
        help="communities:facilities: one machine against LocalClusters (repeatable); only "
        "these runs are made",
    )
    parser.add_argument("--dask-workers", default="2", help="LocalCluster sizes, e.g. 1,2")
    parser.add_argument("--ways", default="pickled,parts", help="pickled and/or parts")
    args = parser.parse_args()
    tile_m = args.tile_km * 1000.0
    if args.dask:
        workers = tuple(int(w) for w in args.dask_workers.split(","))
        ways = tuple(args.ways.split(","))
        runs = [run_dask(nc, nf, tile_m, workers, ways) for nc, nf in args.dask]
        if args.out:
            args.out.write_text(json.dumps(runs, indent=2, default=float))
        return
    figures: dict[str, Any] = {"load_average_start": os.getloadavg(), "cpus": os.cpu_count()}
    print(f"load average {os.getloadavg()}, {os.cpu_count()} CPUs, tiles {args.tile_km:g} km")
    with RssSampler() as sampler:
        # the country first, so that this process's ru_maxrss is the country's
        figures["country"] = run_country(*args.country, tile_m, sampler)
        sizes = [size(s) for s in args.sizes.split(",")]
        figures["scaling"] = run_scaling(sizes, tile_m)
        figures["parquet"] = run_parquet(*sizes[0], tile_m)
    # estimate for 110,000 x 30,000,000 on 32 cores from the measured cost per community,
    # scaled by the facilities per community (273 there)
    nc, nf = args.country
    w1 = figures["country"]["workers_1"]
    per_community = (w1["cpu_self_s"] + w1["cpu_children_s"]) / nc
    density = (30_000_000 / 110_000) / (nf / nc)
    core_s = per_community * 110_000 * density
    print(
        f"\nestimate 110,000 x 30,000,000: {core_s / 60:.0f} CPU-minutes at this machine's "
        f"speed; on 32 cores about {core_s / 32 / 60:.1f} min plus the client's reading "
        f"and merging (load average now {os.getloadavg()})"
    )
    figures["estimate_core_s"] = core_s
    figures["load_average_end"] = os.getloadavg()
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
