"""Benchmark ``livable serve`` on loopback: start-up time and ``/api/near`` latency.

    python benchmarks/bench_serve.py [--communities 2000] [--facilities 500000]
        [--requests 2000] [--clients 8] [--workers 1] [--seed 1] [--keep DIR] [--skip-demo]

For the demo city (``livable demo``) and for a seeded synthetic city
(``livable.io.synthetic``, 2,000 communities x 500,000 facilities by default) it

1. evaluates the city once (``livable evaluate``, not timed here: see
   ``bench_end_to_end.py``);
2. starts ``livable serve --report report.json`` as its own process on a free loopback
   port and times from the process's start to the first answer of ``/healthz``
   (reading the report and the facilities, indexing them, building the map page);
   for the synthetic city also ``livable serve --communities C --facilities F`` (an
   evaluation at start);
3. sends ``--requests`` ``GET /api/near`` (uniform random points over the city's
   communities, seeded) from ``--clients`` concurrent clients, each a thread with its
   own keep-alive connection (``http.client``, cheap on the client's side), after 100
   warm-up requests, and prints p50/p90/p99/max latency, the throughput and the errors
   (any status but 200, or a body that is not an answer).

The target of issue 19: p99 under 20 ms for 500,000 facilities with 8 clients on 2
cores, zero errors. The server and the clients share the machine's cores.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

from livable.cli import main as livable_main
from livable.io.synthetic import synthetic_city

WARM_UP = 100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def livable_exe() -> str:
    return str(Path(sys.executable).parent / "livable")


WORKERS = ["--workers", "1"]


def start(args: list[str]) -> tuple[subprocess.Popen[bytes], int, float]:
    """Start ``livable serve ARGS`` on a free port; (process, port, seconds to /healthz)."""
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [livable_exe(), "serve", *args, *WORKERS, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return proc, port, time.perf_counter() - t0
        except OSError:
            pass
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise SystemExit(f"livable serve {' '.join(args)} failed: {err}")
        time.sleep(0.05)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def points(report: Path, n: int, seed: int) -> list[tuple[float, float]]:
    """Uniform random points over the box of the report's community centres."""
    data = json.loads(report.read_text(encoding="utf-8"))
    centres = np.array([c["center"] for c in data["communities"]])
    west, south = centres.min(axis=0)
    east, north = centres.max(axis=0)
    rng = np.random.default_rng(seed)
    lon = rng.uniform(west, east, n)
    lat = rng.uniform(south, north, n)
    return list(zip(lon.round(7).tolist(), lat.round(7).tolist(), strict=True))


def load(port: int, pts: list[tuple[float, float]], clients: int) -> dict[str, float]:
    """Send one request per point from ``clients`` threads; latency figures in ms."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    next_i = iter(range(len(pts)))

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        while True:
            with lock:
                i = next(next_i, None)
            if i is None:
                break
            lon, lat = pts[i]
            t0 = time.perf_counter()
            conn.request("GET", "/api/near?" + urlencode({"lon": lon, "lat": lat}))
            resp = conn.getresponse()
            body = resp.read()
            mine.append(time.perf_counter() - t0)
            if resp.status != 200 or not body.startswith(b'{"point":'):
                with lock:
                    errors.append(f"{resp.status} {body[:80]!r}")
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    ms = np.array(latencies) * 1000.0
    if errors:
        print(f"  first errors: {errors[:3]}")
    return {
        "requests": float(ms.size),
        "errors": float(len(errors)),
        "p50": float(np.percentile(ms, 50)),
        "p90": float(np.percentile(ms, 90)),
        "p99": float(np.percentile(ms, 99)),
        "max": float(ms.max()),
        "per_s": ms.size / wall,
    }


def run_city(
    name: str,
    report: Path,
    inputs: tuple[Path, Path] | None,
    args: argparse.Namespace,
    target: bool,
) -> bool:
    proc, port, startup = start(["--report", str(report)])
    try:
        print(f"\n{name}: start-up (--report) {startup:.2f} s")
        pts = points(report, WARM_UP + args.requests, args.seed)
        load(port, pts[:WARM_UP], args.clients)
        res = load(port, pts[WARM_UP:], args.clients)
    finally:
        stop(proc)
    print(
        f"{name}: /api/near x {res['requests']:.0f}, {args.clients} clients: "
        f"p50 {res['p50']:.2f} ms, p90 {res['p90']:.2f} ms, p99 {res['p99']:.2f} ms, "
        f"max {res['max']:.2f} ms, {res['per_s']:.0f} requests/s, errors {res['errors']:.0f}"
    )
    if inputs is not None:
        proc, _port, startup = start(
            ["--communities", str(inputs[0]), "--facilities", str(inputs[1])]
        )
        stop(proc)
        print(f"{name}: start-up (--communities --facilities, evaluated at start) {startup:.2f} s")
    ok = res["errors"] == 0
    if target:
        met = ok and res["p99"] < 20.0
        print(f"target p99 < 20 ms, zero errors: {'met' if met else 'NOT met'}")
        return met
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communities", type=int, default=2000)
    parser.add_argument("--facilities", type=int, default=500_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="write the cities here and keep them")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--workers", type=int, default=1, help="livable serve --workers")
    args = parser.parse_args(argv)
    WORKERS[1] = str(args.workers)
    print(
        f"livable serve benchmark: {os.cpu_count()} cores, {args.requests:,} requests "
        f"/api/near from {args.clients} clients per city, {args.workers} server worker(s)"
    )
    tmp = tempfile.mkdtemp(prefix="bench-serve-")
    folder = Path(args.keep or tmp)
    try:
        ok = True
        if not args.skip_demo:
            demo = folder / "demo"
            livable_main(["demo", "--out", str(demo), "--quiet"])
            ok &= run_city("demo", demo / "report.json", None, args, target=False)
        big = folder / "synthetic"
        report = big / "report.json"
        comm, fac = big / "communities.geojson", big / "facilities.geojson"
        if not report.exists():
            big.mkdir(parents=True, exist_ok=True)
            city = synthetic_city(args.communities, args.facilities, seed=args.seed, n_types=17)
            comm, fac = city.write(big)
            del city
            evaluate = ["evaluate", "--communities", str(comm), "--facilities", str(fac)]
            code = livable_main([*evaluate, "--out", str(report), "--quiet"])
            if code != 0:
                return code
        name = f"{args.communities:,} x {args.facilities:,}"
        ok &= run_city(name, report, (comm, fac), args, target=True)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
