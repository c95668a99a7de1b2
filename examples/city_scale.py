"""City scale: time an evaluation of a generated city of a few thousand communities.

Builds a grid of square communities around Xi'an and scatters facilities of every type
over it (uniformly at random, seeded), writes both as GeoJSON files, evaluates them the way
``livable evaluate`` does, and prints the time of each stage (from the ``progress``
callback) and the grades. Pass a number of communities to scale it:
``python examples/city_scale.py 10000``; facilities are 40 per community.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import livable
from livable.testing import offset

CENTRE = (108.94, 34.26)


def write_city(folder: Path, n_communities: int, seed: int = 7) -> tuple[Path, Path]:
    """A square grid of 500 m communities, 600 m apart, and 40 facilities per community."""
    side = int(np.ceil(np.sqrt(n_communities)))
    span = side * 600.0
    features = []
    for k in range(n_communities):
        east, north = (k % side) * 600.0 - span / 2, (k // side) * 600.0 - span / 2
        (x0, y0), (x1, y1) = (
            offset(*CENTRE, east - 250, north - 250),
            offset(*CENTRE, east + 250, north + 250),
        )
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        features.append(
            {
                "type": "Feature",
                "properties": {"id": f"c{k:05d}", "population": 3000 + (k * 37) % 12000},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    communities = folder / "communities.geojson"
    communities.write_text(json.dumps({"type": "FeatureCollection", "features": features}))

    rng = np.random.default_rng(seed)
    types = list(livable.FACILITY_TYPES)
    n_facilities = 40 * n_communities
    east = rng.uniform(-span / 2 - 600, span / 2 + 600, n_facilities)
    north = rng.uniform(-span / 2 - 600, span / 2 + 600, n_facilities)
    kinds = rng.integers(0, len(types), n_facilities)
    facilities = folder / "facilities.geojson"
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": f"f{i}", "type": types[kinds[i]]},
                "geometry": {"type": "Point", "coordinates": list(offset(*CENTRE, e, n))},
            }
            for i, (e, n) in enumerate(zip(east, north, strict=True))
        ],
    }
    facilities.write_text(json.dumps(fc))
    return communities, facilities


def main(n_communities: int = 400) -> None:
    """Generate, evaluate and report the time per stage."""
    stages: dict[str, float] = {}
    started: dict[str, float] = {}

    def progress(stage: str, fraction: float) -> None:
        if fraction == 0.0:
            started[stage] = time.perf_counter()
        elif fraction == 1.0:
            stages[stage] = time.perf_counter() - started[stage]

    with tempfile.TemporaryDirectory() as tmp:
        communities, facilities = write_city(Path(tmp), n_communities)
        size = (communities.stat().st_size + facilities.stat().st_size) / 1e6
        t0 = time.perf_counter()
        report = livable.evaluate(communities, facilities, progress=progress)
        total = time.perf_counter() - t0
    s = report.summary
    print(f"{s.evaluated:,} communities, {40 * n_communities:,} facilities ({size:.0f} MB)")
    print(f"grades: {s.happy} happy, {s.livable} livable, {s.not_livable} not yet livable")
    for stage, seconds in stages.items():
        print(f"  {stage:<11} {seconds:6.2f} s")
    print(f"  {'total':<11} {total:6.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
