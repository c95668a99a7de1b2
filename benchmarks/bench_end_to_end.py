"""Benchmark ``livable evaluate`` end to end against the lean script (one command).

    python benchmarks/bench_end_to_end.py [--communities 2000] [--facilities 500000]
        [--types 17] [--seed 1] [--rounds 2] [--cache DIR] [--only json,parquet]

Writes a seeded synthetic city (``livable.io.synthetic``) as GeoJSON files ONCE, cached
under ``benchmarks/.cache/`` (gitignored; ``--cache`` moves it), then runs IN ONE RUN,
alternated for ``--rounds`` rounds, each as a fresh subprocess started from the command
line, so that start-up and imports count:

- ``lean``: ``benchmarks/lean_reference.py`` (stdlib ``json``, pyproj, shapely ``STRtree``,
  numpy counts, a small JSON out; no validation, no grades, no report);
- ``livable json``: ``livable evaluate --communities C --facilities F --out report.json
  --quiet`` (reading and validating every feature, projecting, circles, the proximity
  pass, every indicator and grade, the city summary and the full ``report.json``);
- ``livable parquet``: the same with ``--out report.parquet``.

Every child runs with its modules' bytecode cached, as an installed package has it (pip
compiles a wheel's modules when it installs them): the driver drops
``PYTHONDONTWRITEBYTECODE`` from the children's environment (some machines set it; then an
editable install recompiles every livable module at each start, about 0.2 s) and points
``PYTHONPYCACHEPREFIX`` at ``<cache>/pycache``, filled once before the first round by
``compileall`` over the livable package, so nothing is written beside the sources.

For each it prints the best wall and CPU seconds (user + system of the child, from
``os.wait4``) and the largest peak resident memory (the child's ``ru_maxrss``; this driver
imports neither livable nor the inputs, so the little it holds at ``fork`` is all that
``ru_maxrss`` can carry over), then each livable variant's ratio to the lean script of the
same run against the issue 16 targets (report.json <= 0.6x, report.parquet <= 0.4x, peak
memory < 1.0 GB), and whether livable's and the lean script's counts agree. The target is
read on CPU seconds: on a shared machine wall time also measures the neighbours (a child
that runs threads only adds to its own CPU seconds, so CPU never flatters livable).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGETS = {"livable json": 0.6, "livable parquet": 0.4}
MEMORY_TARGET_MB = 1000.0


def generate(folder: Path, communities: int, facilities: int, types: int, seed: int) -> None:
    """Write the synthetic city's two GeoJSON files into ``folder`` (in a subprocess)."""
    code = (
        "import sys; from livable.io.synthetic import synthetic_city; "
        f"synthetic_city({communities}, {facilities}, seed={seed}, n_types={types})"
        f".write(sys.argv[1])"
    )
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-c", code, str(folder)], check=True)


def child_env(cache: Path) -> dict[str, str]:
    """The children's environment: bytecode cached under ``cache / "pycache"``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cache / "pycache")
    return env


def compile_livable(env: dict[str, str]) -> None:
    """Fill the bytecode cache of the livable package the children import."""
    code = (
        "import compileall, importlib.util, sys; "
        "spec = importlib.util.find_spec('livable'); "
        "sys.exit(0 if all(compileall.compile_dir(p, quiet=1) "
        "for p in spec.submodule_search_locations) else 1)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Run ``argv`` to completion: (wall s, cpu s, peak resident MB) of the child."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed with status {proc.returncode}")
    scale = 1 if sys.platform == "darwin" else 1024
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * scale / 1e6


def commands(folder: Path) -> dict[str, list[str]]:
    """The three command lines, by variant name."""
    comm, fac = str(folder / "communities.geojson"), str(folder / "facilities.geojson")
    livable = [sys.executable, "-m", "livable.cli", "evaluate", "--communities", comm]
    livable += ["--facilities", fac, "--quiet", "--out"]
    return {
        "lean": [sys.executable, str(HERE / "lean_reference.py"), comm, fac],
        "livable json": [*livable, str(folder / "report.json")],
        "livable parquet": [*livable, str(folder / "report.parquet")],
    }


def agreement(folder: Path) -> str:
    """How many communities' kindergartens within 1,200 m agree (livable vs lean)."""
    with open(folder / "report.json", encoding="utf-8") as fh:
        report = json.load(fh)
    with open(folder / "lean.json", encoding="utf-8") as fh:
        lean = json.load(fh)
    by_id = {row["id"]: row for row in lean["communities"]}
    same = 0
    for c in report["communities"]:
        row = by_id[c["id"]]
        j = list(row["nearest_m"]).index("kindergarten")
        same += c["access"]["kindergarten"]["count_within"]["1200"] == row["count_within"][j][2]
    return f"kindergartens within 1,200 m agree for {same:,} of {len(by_id):,} communities"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communities", type=int, default=2000)
    parser.add_argument("--facilities", type=int, default=500_000)
    parser.add_argument("--types", type=int, default=17)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cache", default=str(HERE / ".cache"), help="input cache folder")
    parser.add_argument(
        "--only", default="json,parquet", help="livable variants to run (json, parquet)"
    )
    args = parser.parse_args(argv)
    folder = Path(args.cache) / (
        f"city-c{args.communities}-f{args.facilities}-t{args.types}-s{args.seed}"
    )
    if not (folder / "facilities.geojson").exists():
        generate(folder, args.communities, args.facilities, args.types, args.seed)
    size = sum((folder / n).stat().st_size for n in ("communities.geojson", "facilities.geojson"))
    cmds = commands(folder)
    cmds["lean"].append(str(folder / "lean.json"))
    wanted = {f"livable {v.strip()}" for v in args.only.split(",")}
    cmds = {k: v for k, v in cmds.items() if k == "lean" or k in wanted}
    print(
        f"livable end-to-end benchmark: {args.communities:,} communities, "
        f"{args.facilities:,} facilities of {args.types} types ({size / 1e6:.0f} MB of "
        f"GeoJSON in {folder}), {args.rounds} alternated rounds, load {os.getloadavg()[0]:.1f}"
    )
    env = child_env(Path(args.cache))
    compile_livable(env)
    best = {k: [float("inf"), float("inf"), 0.0] for k in cmds}
    for r in range(args.rounds):
        for name, cmd in cmds.items():
            wall, cpu, peak = run(cmd, env)
            print(
                f"  round {r + 1} {name:<16} wall {wall:6.2f} s  cpu {cpu:6.2f} s  {peak:6.0f} MB"
            )
            b = best[name]
            b[0], b[1], b[2] = min(b[0], wall), min(b[1], cpu), max(b[2], peak)
    print(f"\n{'variant':<16} {'wall s':>7} {'cpu s':>7} {'peak MB':>8}")
    for name, (wall, cpu, peak) in best.items():
        print(f"{name:<16} {wall:7.2f} {cpu:7.2f} {peak:8.0f}")
    lean_wall, lean_cpu = best["lean"][0], best["lean"][1]
    print()
    for name, target in TARGETS.items():
        if name not in best:
            continue
        wall, cpu, peak = best[name]
        met = cpu / lean_cpu <= target and peak < MEMORY_TARGET_MB
        print(
            f"{name} / lean: cpu {cpu / lean_cpu:.2f}, wall {wall / lean_wall:.2f}; "
            f"target cpu <= {target} and peak < {MEMORY_TARGET_MB:.0f} MB: "
            f"{'met' if met else 'NOT met'}"
        )
    if "livable json" in best:
        print(agreement(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
