"""Peak memory and time of reading GeoJSON, as a multiple of the file size.

    python benchmarks/bench_reader_memory.py [N_FEATURES]

Writes a facilities file of N point features (default 200,000) to a temporary folder and,
each in a fresh subprocess, measures the peak RSS above the RSS after the imports (on Linux,
by resetting the peak through ``/proc/self/clear_refs``; elsewhere by subtracting the peak
of a run that only imports, the reference) of: parsing the file with orjson (the reference
for time), ``read_facilities`` on it (parse, validation and columns), and, when ijson is
installed, streaming the features with ijson without keeping them (the lower bound a
streaming reader could reach). Prints each run's peak, that as a multiple of the file size,
and its time as a ratio to the orjson parse. These numbers back ``Limits`` and
``docs/explanation/limits.md``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

RUN = r"""
import json, resource, sys, time
mode, path = sys.argv[1], sys.argv[2]
import livable, orjson
from pathlib import Path

def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    return None

try:  # Linux: reset the peak so the imports' transient peak does not hide the read's
    Path("/proc/self/clear_refs").write_text("5")
    start = status("VmRSS")
except OSError:
    start = None
t = time.perf_counter()
if mode == "orjson":
    data = orjson.loads(open(path, "rb").read())
    n = len(data["features"])
elif mode == "read_facilities":
    n = len(livable.read_facilities(path))
elif mode == "ijson":
    import ijson
    n = 0
    with open(path, "rb") as f:
        for _ in ijson.items(f, "features.item", use_float=True):
            n += 1
else:
    n = 0
seconds = time.perf_counter() - t
if start is not None:
    peak = status("VmHWM") - start
else:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"mode": mode, "n": n, "seconds": seconds, "peak": peak}))
"""

TYPES = ["clinic", "kindergarten", "bank", "restaurant", "transit_stop", "convenience_store"]


def write_file(path: Path, n: int) -> None:
    import random

    rng = random.Random(1)
    features = [
        {
            "type": "Feature",
            "properties": {"id": f"f{i}", "type": TYPES[i % len(TYPES)], "name": f"设施{i}"},
            "geometry": {
                "type": "Point",
                "coordinates": [108.8 + rng.random() * 0.3, 34.1 + rng.random() * 0.3],
            },
        }
        for i in range(n)
    ]
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )


def measure(mode: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", RUN, mode, str(path)], capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    modes = ["reference", "orjson", "read_facilities"]
    try:
        import ijson  # noqa: F401

        modes.append("ijson")
    except ImportError:
        print("(ijson not installed: the streaming lower bound is not measured)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "facilities.geojson"
        write_file(path, n)
        size = path.stat().st_size
        print(f"{n:,} point features, {size / 1024**2:.1f} MiB")
        runs = {mode: measure(mode, path) for mode in modes}
    base = runs["reference"]["peak"]  # 0 where the peak could be reset after the imports
    parse = runs["orjson"]["seconds"]
    print(f"{'run':<16}{'peak MiB':>10}{'x file':>8}{'seconds':>9}{'x orjson':>10}")
    for mode in modes[1:]:
        r = runs[mode]
        extra = r["peak"] - base
        print(
            f"{mode:<16}{extra / 1024**2:>10.0f}{extra / size:>8.1f}"
            f"{r['seconds']:>9.2f}{r['seconds'] / parse:>10.2f}"
        )


if __name__ == "__main__":
    main()
