"""Reference proximity passes and shared helpers for the benchmarks.

Two independent ways to answer what livable's proximity pass answers, built on the fastest
public structures we know, so the benchmarks can time livable against them in the same
process and check that the counts agree:

- ``lean_reference.strtree_pass``: shapely 2's ``STRtree.query(..., predicate="dwithin")``
  over all facilities at the largest circle radius, exact distances, counts by ``numpy.bincount``,
  nearest by ``numpy.minimum.at``, and per-type ``STRtree.query_nearest`` within the search
  radius for the (centre, type) pairs with nothing inside the circle.
- :func:`ckdtree_pass`: one ``scipy.spatial.cKDTree`` per facility type,
  ``query_ball_point(..., return_length=True)`` per tier and for the circle radii, and
  ``query(k=3, distance_upper_bound=search)`` for the nearest.

Both compute the counts within every tier and within each circle and the nearest
distance per type; the cKDTree one also the 3 nearest. (livable's pass also lists the 3
nearest with their facility indices and can list the facilities in every circle.)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from lean_reference import SEARCH, TIERS
from scipy.spatial import cKDTree

from livable.geometry.circle import service_circles
from livable.geometry.crs import Projector, choose_working_crs, max_scale_error
from livable.io.synthetic import synthetic_city
from livable.profile import load_profile

K = 3


def prepare(n_communities: int, n_facilities: int, n_types: int, seed: int) -> dict[str, Any]:
    """A synthetic city as the arrays a proximity pass needs (working CRS metres)."""
    city = synthetic_city(n_communities, n_facilities, seed=seed, n_types=n_types)
    projector = Projector.for_crs(
        choose_working_crs(
            np.r_[city.facility_lon, shapely.bounds(city.community_geometries)[:, 0]],
            np.r_[city.facility_lat, shapely.bounds(city.community_geometries)[:, 1]],
        )
    )
    fx, fy = projector.forward(city.facility_lon, city.facility_lat)
    code_of = {t: i for i, t in enumerate(city.type_ids)}
    codes = np.fromiter((code_of[t] for t in city.facility_types), dtype=np.int64)
    geoms = projector.forward_geometry(city.community_geometries)
    circles = service_circles(
        geoms, load_profile("xian-2020"), populations=city.community_population.tolist()
    )
    scale_error = max_scale_error(projector.crs, city.facility_lon, city.facility_lat)
    return {
        "ox": circles.x,
        "oy": circles.y,
        "circle": circles.radius_m,
        "fx": fx,
        "fy": fy,
        "codes": codes,
        "n_types": np.array(len(city.type_ids)),
        "scale_error": np.array(scale_error),
        "crs": np.array(projector.name),
    }


def ckdtree_pass(data: dict[str, Any]) -> dict[str, np.ndarray]:
    """The per-type scipy cKDTree reference (see the module docstring)."""
    ox, oy, circle = data["ox"], data["oy"], data["circle"]
    fx, fy, codes, n_types = data["fx"], data["fy"], data["codes"], int(data["n_types"])
    n = ox.shape[0]
    centres = np.column_stack([ox, oy])
    counts = np.zeros((n, n_types, len(TIERS)), dtype=np.int64)
    in_circle = np.zeros((n, n_types), dtype=np.int64)
    knn = np.full((n, n_types, K), np.nan)
    for t in range(n_types):
        sel = codes == t
        if not sel.any():
            continue
        tree = cKDTree(np.column_stack([fx[sel], fy[sel]]))
        for j, r in enumerate(TIERS):
            counts[:, t, j] = tree.query_ball_point(centres, r, return_length=True)
        in_circle[:, t] = tree.query_ball_point(centres, circle, return_length=True)
        dist, _ = tree.query(centres, k=K, distance_upper_bound=SEARCH)
        knn[:, t, :] = np.where(np.isinf(dist), np.nan, dist)
    return {
        "count_within": counts,
        "count_in_circle": in_circle,
        "nearest_m": knn[:, :, 0],
        "knn_m": knn,
    }


def band_counts(data: dict[str, Any], radius: np.ndarray, t: int, origins: np.ndarray) -> Any:
    """Facilities of type ``t`` within the CRS's scale distortion of ``radius`` (per origin).

    A count may legitimately differ between two pipelines by at most this many: facilities
    whose distance is within ``scale_error x radius`` of the radius (plus a micrometre for
    floating point), where a different but equally valid distance could fall either side.
    """
    e = float(data["scale_error"])
    sel = data["codes"] == t
    tree = cKDTree(np.column_stack([data["fx"][sel], data["fy"][sel]]))
    pts = np.column_stack([data["ox"][origins], data["oy"][origins]])
    hi = tree.query_ball_point(pts, radius * (1 + e) + 1e-6, return_length=True)
    lo = tree.query_ball_point(pts, np.maximum(radius * (1 - e) - 1e-6, 0), return_length=True)
    return hi - lo


def compare_counts(
    data: dict[str, Any], ours: dict[str, np.ndarray], ref: dict[str, np.ndarray]
) -> tuple[int, int, int]:
    """(entries compared, entries equal, differing entries explained by the distortion band).

    Compares ``count_within`` and ``count_in_circle``; a differing entry is explained when
    the difference is at most the number of facilities in the band around that radius.
    """
    total = equal = explained = 0
    n_types = int(data["n_types"])
    for j, r in enumerate([*TIERS, None]):
        a = ours["count_within"][:, :, j] if r is not None else ours["count_in_circle"]
        b = ref["count_within"][:, :, j] if r is not None else ref["count_in_circle"]
        total += a.size
        same = a == b
        equal += int(same.sum())
        for t in range(n_types):
            bad = np.flatnonzero(~same[:, t])
            if bad.size == 0:
                continue
            radius = np.full(bad.size, r) if r is not None else data["circle"][bad]
            band = band_counts(data, radius, t, bad)
            explained += int((np.abs(a[bad, t] - b[bad, t]) <= band).sum())
    return total, equal, explained


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB.

    Linux's ``VmHWM`` (``/proc/self/status``) is the high-water mark of the process's own
    memory; ``ru_maxrss`` would also count the parent's memory at ``fork`` (Linux carries
    it across ``exec``), so it is only the fallback on other systems.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    import resource
    import sys

    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB elsewhere
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6


def fmt_s(seconds: float) -> str:
    """Seconds with three significant figures."""
    if seconds == 0 or not math.isfinite(seconds):
        return str(seconds)
    return f"{seconds:.3g}"
