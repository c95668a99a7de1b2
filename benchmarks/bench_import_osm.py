"""Benchmark: importing an OpenStreetMap extract (issue 7).

One command: ``python benchmarks/bench_import_osm.py [blocks]``. It writes a synthetic
extract (a street grid of ``blocks`` x ``blocks`` city blocks with tagged POIs, parks as
closed ways and untagged buildings), then times, in the same process:

- reference: one pyosmium pass over the file with the same filters and area assembly,
  touching every object's tags and building the same geometries, without classifying;
- livable: :func:`livable.io.read_osm` (classification, streets, unmatched tags);

and prints both times and their ratio (the cost of the mapping on top of reading).
Also ``--write DIR`` writes the extract and a communities file for a two-command trial.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

LON0, LAT0 = 108.90, 34.22
STEP = 0.0025  # about 230 m between streets
POI_TAGS = [
    {"shop": "convenience"},
    {"shop": "greengrocer"},
    {"amenity": "kindergarten"},
    {"amenity": "clinic"},
    {"highway": "bus_stop"},
    {"amenity": "restaurant"},
    {"amenity": "bank"},
    {"tourism": "hotel"},
    {"amenity": "library"},
    {"amenity": "townhall"},
    {"leisure": "fitness_station"},
    {"amenity": "school"},
    {"amenity": "social_facility", "social_facility:for": "senior"},
    {"amenity": "fast_food", "name": "早餐店"},
    {"amenity": "cinema"},
    {"amenity": "parcel_locker"},
    {"shop": "bakery"},
    {"amenity": "parking"},
    {"amenity": "bench"},
]


def synthetic_extract(path: Path, blocks: int, seed: int = 7) -> dict[str, int]:
    """Write a synthetic extract; returns object counts."""
    import osmium

    rng = random.Random(seed)
    nid, wid = 1, 1
    counts = {"nodes": 0, "ways": 0}
    with osmium.SimpleWriter(str(path)) as w:
        grid: dict[tuple[int, int], int] = {}
        for i in range(blocks + 1):
            for j in range(blocks + 1):
                grid[i, j] = nid
                w.add_node(
                    osmium.osm.mutable.Node(id=nid, location=(LON0 + i * STEP, LAT0 + j * STEP))
                )
                nid += 1
        ways: list[object] = []  # written after the nodes, sorted as real extracts are
        for i in range(blocks):
            for j in range(blocks):
                for _ in range(8):
                    tags = dict(rng.choice(POI_TAGS))
                    tags.setdefault("name", f"poi {nid}")
                    w.add_node(
                        osmium.osm.mutable.Node(
                            id=nid,
                            tags=tags,
                            location=(
                                LON0 + (i + rng.random()) * STEP,
                                LAT0 + (j + rng.random()) * STEP,
                            ),
                        )
                    )
                    nid += 1
                # four buildings and sometimes a park, as closed ways
                for k in range(5):
                    x0 = LON0 + (i + 0.1 + 0.2 * k) * STEP
                    y0 = LAT0 + (j + 0.1) * STEP
                    ring = []
                    for dx, dy in ((0, 0), (0.15, 0), (0.15, 0.15), (0, 0.15)):
                        w.add_node(
                            osmium.osm.mutable.Node(
                                id=nid, location=(x0 + dx * STEP, y0 + dy * STEP)
                            )
                        )
                        ring.append(nid)
                        nid += 1
                    is_park = k == 4 and rng.random() < 0.3
                    tags = {"leisure": "park"} if is_park else {"building": "yes"}
                    ways.append(osmium.osm.mutable.Way(id=wid, nodes=[*ring, ring[0]], tags=tags))
                    wid += 1
        kinds = ["residential", "primary", "footway", "service", "trunk", "motorway"]
        for i in range(blocks + 1):
            for j in range(blocks):
                for a, b in (((i, j), (i, j + 1)), ((j, i), (j + 1, i))):
                    hw = rng.choice(kinds)
                    ways.append(
                        osmium.osm.mutable.Way(
                            id=wid, nodes=[grid[a], grid[b]], tags={"highway": hw}
                        )
                    )
                    wid += 1
        for way in ways:
            w.add_way(way)
    counts["nodes"], counts["ways"] = nid - 1, wid - 1
    return counts


def reference_pass(path: Path, keys: list[str]) -> int:
    import osmium
    import osmium.filter
    import shapely

    wkb = osmium.geom.WKBFactory()
    n = 0
    fp = (
        osmium.FileProcessor(str(path))
        .with_areas(osmium.filter.KeyFilter(*keys))
        .with_filter(osmium.filter.KeyFilter(*keys))
    )
    for obj in fp:
        tags = {t.k: t.v for t in obj.tags}
        n += len(tags)
        if isinstance(obj, osmium.osm.Way):
            shapely.from_wkb(wkb.create_linestring(obj))
        elif isinstance(obj, osmium.osm.Area):
            shapely.from_wkb(wkb.create_multipolygon(obj)).point_on_surface()
    return n


def write_communities(path: Path, blocks: int) -> None:
    features = []
    for i in range(0, blocks, 2):
        for j in range(0, blocks, 2):
            x0, y0 = LON0 + i * STEP, LAT0 + j * STEP
            ring = [
                [x0, y0],
                [x0 + 2 * STEP, y0],
                [x0 + 2 * STEP, y0 + 2 * STEP],
                [x0, y0 + 2 * STEP],
                [x0, y0],
            ]
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "id": f"c{i}_{j}",
                        "population": 3000 + 100 * i,
                        "district": "碑林区" if i < blocks // 2 else "雁塔区",
                    },
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            )
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("blocks", nargs="?", type=int, default=40)
    parser.add_argument("--write", metavar="DIR", help="write city.osm.pbf and communities")
    args = parser.parse_args(argv)
    if args.write:
        out = Path(args.write)
        out.mkdir(parents=True, exist_ok=True)
        counts = synthetic_extract(out / "city.osm.pbf", args.blocks)
        write_communities(out / "communities.geojson", args.blocks)
        print(f"wrote {out / 'city.osm.pbf'} ({counts}) and {out / 'communities.geojson'}")
        return 0
    from livable.io import load_osm_mapping, read_osm

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "city.osm.pbf"
        counts = synthetic_extract(path, args.blocks)
        size = path.stat().st_size
        keys = sorted(load_osm_mapping().keys)
        reference_pass(path, keys)  # warm the page cache
        t0 = time.perf_counter()
        reference_pass(path, keys)
        ref = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = read_osm(path)
        ours = time.perf_counter() - t0
    print(f"extract: {counts['nodes']:,} nodes, {counts['ways']:,} ways, {size / 1e6:.1f} MB")
    print(f"facilities: {len(result.facilities):,}, streets: {len(result.streets or ()):,}")
    print(f"reference pyosmium pass: {ref:.2f} s")
    print(f"livable read_osm:        {ours:.2f} s")
    print(f"ratio livable/reference: {ours / ref:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
