"""Time ``import livable`` against importing its core dependencies alone (one command).

    python benchmarks/bench_import.py [--repeat 15]

Each sample is a fresh interpreter (``sys.executable``) that times one import statement
(CPU seconds, ``time.process_time``, and wall seconds, ``time.perf_counter``, around it),
so interpreter start-up is left out of every figure. The statements alternate in the same
run (``deps``, ``livable``, ``evaluate``, ``deps``, ...), so a busy neighbour slows all
alike. It prints the median of ``--repeat`` samples of each and its ratio to ``deps``; the
target (issue 15) is ``livable / deps`` of at most 1.3. CPU time is the figure to read on
a shared machine; wall time also measures the neighbours.

- ``deps``: ``import attrs, cattrs, numpy, scipy, shapely, pyproj, rtree, pluggy, orjson,
  tomli_w``, the ``dependencies`` of ``pyproject.toml``;
- ``livable``: ``import livable``;
- ``evaluate`` (for information, no target): ``from livable import evaluate``, what
  ``import livable`` leaves for first use: the engine, readers, profiles, indicators and the
  plugin manager with the built-in plugins (the point indexes and the street network still
  wait for an evaluation that needs them).

``--modules`` also lists the heavy modules a fresh ``import livable`` has loaded (scipy.sparse
and the ones ``tests/test_plugins_import.py`` forbids), to see what a regression pulls in.

Measured on the 2-core development machine, shared with other jobs (load average 3.4),
CPU seconds, median of 15, before (``PYTHONPATH`` on an export of spine at 014ba47) and
after, one right after the other:

====================== ======= ========= ===== ========== =====
tree                   deps s  livable s ratio evaluate s ratio
====================== ======= ========= ===== ========== =====
spine 014ba47 (before) 0.247   0.716     2.89  0.717      2.90
spine-plug (after)     0.254   0.213     0.84  0.411      1.62
====================== ======= ========= ===== ========== =====

Before, ``import livable`` loaded scipy.spatial, scipy.sparse and scipy.sparse.csgraph; after,
none of them. On a quiet machine (wall seconds): before 0.206 / 0.639, ratio 3.10; after
0.205 / 0.162, ratio 0.79. What ``evaluate`` still loads beyond the dependencies is
livable's own modules (attrs classes, mostly): models and io about a quarter each, then
geometry, profile, indicators and plugins.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

DEPS = "attrs, cattrs, numpy, scipy, shapely, pyproj, rtree, pluggy, orjson, tomli_w"
"""The ``dependencies`` of pyproject.toml, as import names."""

HEAVY = (
    "scipy.spatial",
    "scipy.sparse",
    "scipy.sparse.csgraph",
    "matplotlib",
    "geopandas",
    "pyarrow",
    "osmium",
    "dask",
)

EVALUATE = "from livable import evaluate"

_TIMER = (
    "import time; c, w = time.process_time(), time.perf_counter(); {what}; "
    "print(time.process_time() - c, time.perf_counter() - w)"
)


def sample(what: str) -> tuple[float, float]:
    """CPU and wall seconds one fresh interpreter takes to run the import statement ``what``."""
    done = subprocess.run(
        [sys.executable, "-c", _TIMER.format(what=what)],
        check=True,
        capture_output=True,
        text=True,
    )
    cpu, wall = done.stdout.split()
    return float(cpu), float(wall)


def loaded_heavy() -> list[str]:
    """The modules of :data:`HEAVY` that a fresh ``import livable`` has loaded."""
    code = f"import sys, livable; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return done.stdout.split()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="samples of each (default 15)")
    parser.add_argument("--modules", action="store_true", help="list heavy modules loaded")
    args = parser.parse_args(argv)
    statements = {"deps": f"import {DEPS}", "livable": "import livable", "evaluate": EVALUATE}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in statements}
    for what in statements.values():  # warm the file cache and the .pyc files
        sample(what)
    for _ in range(args.repeat):
        for name, what in statements.items():
            times[name].append(sample(what))
    cpu = {name: statistics.median(c for c, _ in t) for name, t in times.items()}
    wall = {name: statistics.median(w for _, w in t) for name, t in times.items()}
    print(f"median of {args.repeat}   cpu s  ratio   wall s  ratio")
    for name, what in statements.items():
        print(
            f"{name:8s} {cpu[name]:14.3f} {cpu[name] / cpu['deps']:6.2f} "
            f"{wall[name]:8.3f} {wall[name] / wall['deps']:6.2f}   {what}"
        )
    print("target: livable / deps at most 1.3")
    if args.modules:
        print("heavy modules loaded by import livable: " + (" ".join(loaded_heavy()) or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
