"""Benchmark the per-community cost of ``livable.evaluate`` beyond the distance pass.

    python benchmarks/bench_per_community.py [--communities 20000] [--facilities 500000]
        [--types 17] [--seed 1] [--cache DIR]

Writes a seeded synthetic city (``livable.io.synthetic``) as GeoJSON ONCE, cached under
``benchmarks/.cache/`` (gitignored), then runs ``livable.evaluate`` on it in this process
and times its stages from the ``progress`` callback it reports (``reading``, ``indexing``,
``distances``, ``indicators``), in CPU seconds of this process (``time.process_time``;
the machine is shared, so wall time also measures the neighbours):

- the reference, from the same run: the distance pass (``distances`` 0 -> 1: the proximity
  table of every community and facility type);
- the per-community work beyond it: from the end of the distance pass until ``evaluate``
  returns the :class:`~livable.report.Report` (every indicator, grade, gap and result
  object, the city summary), divided by the number of communities.

It prints both, the ratio of the work beyond the distance pass to the distance pass, and
the per-community cost against the issue 16 target (under 0.3 ms a community).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_MS = 0.3


def generate(folder: Path, communities: int, facilities: int, types: int, seed: int) -> None:
    """Write the synthetic city's two GeoJSON files into ``folder`` (in a subprocess)."""
    code = (
        "import sys; from livable.io.synthetic import synthetic_city; "
        f"synthetic_city({communities}, {facilities}, seed={seed}, n_types={types})"
        f".write(sys.argv[1])"
    )
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-c", code, str(folder)], check=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=20_000)
    parser.add_argument("--facilities", type=int, default=500_000)
    parser.add_argument("--types", type=int, default=17)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=HERE / ".cache")
    args = parser.parse_args(argv)
    name = f"city-c{args.communities}-f{args.facilities}-t{args.types}-s{args.seed}"
    folder = args.cache / name
    if not (folder / "facilities.geojson").exists():
        generate(folder, args.communities, args.facilities, args.types, args.seed)

    import livable

    marks: dict[tuple[str, float], float] = {}

    def progress(stage: str, fraction: float) -> None:
        if fraction in (0.0, 1.0):
            marks.setdefault((stage, fraction), time.process_time())

    started = time.process_time()
    report = livable.evaluate(
        str(folder / "communities.geojson"), str(folder / "facilities.geojson"), progress=progress
    )
    done = time.process_time()
    n = len(report.communities)
    distance = marks[("distances", 1.0)] - marks[("distances", 0.0)]
    beyond = done - marks[("distances", 1.0)]
    per_ms = beyond / max(n, 1) * 1000
    print(
        f"livable per-community benchmark: {n:,} communities, {args.facilities:,} facilities "
        f"of {args.types} types ({folder})"
    )
    print(f"  whole evaluate           cpu {done - started:8.2f} s")
    print(f"  reading + indexing       cpu {marks[('distances', 0.0)] - started:8.2f} s")
    print(f"  distance pass (ref.)     cpu {distance:8.2f} s  {distance / n * 1000:.3f} ms each")
    print(f"  beyond the distance pass cpu {beyond:8.2f} s  {per_ms:.3f} ms each")
    print(f"beyond / distance pass: {beyond / distance:.2f}")
    verdict = "met" if per_ms < TARGET_MS else "NOT met"
    print(f"per-community cost {per_ms:.3f} ms, target < {TARGET_MS} ms: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
