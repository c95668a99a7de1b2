"""The lean reference script of the end-to-end benchmark (issue 16), standalone.

    python benchmarks/lean_reference.py COMMUNITIES.geojson FACILITIES.geojson OUT.json

What a careful analyst would write by hand for the proximity question livable answers:
the standard library's ``json`` to read both GeoJSON files, a UTM projection with pyproj,
centroids with shapely, the shapely 2 ``STRtree.query(..., predicate="dwithin")`` pass of
:func:`strtree_pass` (counts per type within each tier and the 1,200 m circle, nearest per
type within 3 km, ``numpy.bincount`` / ``numpy.minimum.at``) and ``json.dump`` of those
numbers. No validation, no grades, no report. It imports nothing from livable, so that its
start-up time is its own (``bench_end_to_end.py`` runs it as a subprocess).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import numpy as np
import pyproj
import shapely

TIERS = (400.0, 800.0, 1200.0)
SEARCH = 3000.0


def strtree_pass(data: dict[str, Any]) -> dict[str, np.ndarray]:
    """Counts within each tier and the circle, nearest per type (shapely 2 ``STRtree``)."""
    ox, oy, circle = data["ox"], data["oy"], data["circle"]
    fx, fy, codes, n_types = data["fx"], data["fy"], data["codes"], int(data["n_types"])
    n = ox.shape[0]
    points = shapely.points(fx, fy)
    tree = shapely.STRtree(points)
    centres = shapely.points(ox, oy)
    reach = max(max(TIERS), float(circle.max()))
    o, f = tree.query(centres, predicate="dwithin", distance=reach)
    d = np.hypot(fx[f] - ox[o], fy[f] - oy[o])
    g = o * n_types + codes[f]
    counts = np.stack(
        [np.bincount(g[d <= r], minlength=n * n_types) for r in TIERS], axis=1
    ).reshape(n, n_types, len(TIERS))
    in_circle = np.bincount(g[d <= circle[o]], minlength=n * n_types).reshape(n, n_types)
    nearest = np.full(n * n_types, np.inf)
    np.minimum.at(nearest, g, d)
    nearest = nearest.reshape(n, n_types)
    for t in range(n_types):
        missing = np.flatnonzero(np.isinf(nearest[:, t]))
        of_type = np.flatnonzero(codes == t)
        if missing.size == 0 or of_type.size == 0:
            continue
        sub = shapely.STRtree(points[of_type])
        (qi, _), dist = sub.query_nearest(
            centres[missing], max_distance=SEARCH, return_distance=True, all_matches=False
        )
        nearest[missing[qi], t] = dist
    nearest[np.isinf(nearest)] = np.nan
    return {"count_within": counts, "count_in_circle": in_circle, "nearest_m": nearest}


def lean_pipeline(communities: str, facilities: str, out: str) -> None:
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


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__.split("\n\n")[1])
    lean_pipeline(*sys.argv[1:4])
