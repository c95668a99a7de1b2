"""Coordinates against the declared CRS: which CRS and datum a source is in, and which
features have a coordinate outside the CRS's area of use (rejected, with the likely fix:
swapped axes, degrees given as metres, a Gauss-Kruger zone prefix, null island).

>>> extent_of(pyproj.CRS.from_epsg(4326).to_wkt()).explain(34.26, 108.94, "--crs")
'longitude and latitude look swapped: (34.26, 108.94) is not a valid longitude/latitude ...'
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from livable.errors import CRSError
from livable.io._validate import Collector
from livable.io.crs import crs_from_geojson, crs_label, resolve_crs
from livable.io.datums import Datum, parse_datum
from livable.models.results import SourceInfo

__all__ = [
    "AREA_MARGIN_DEG",
    "PROJECTED_MARGIN_DEG",
    "Extent",
    "check_coordinates",
    "extent_of",
    "reject_outside",
    "resolve_source_crs",
]

AREA_MARGIN_DEG = 2.0
"""Margin, in degrees, around a geographic CRS's area of use (:attr:`pyproj.CRS.area_of_use`)
within which coordinates are accepted; farther ones are rejected as outside the declared
area (or as swapped, when the swapped position is inside)."""

PROJECTED_MARGIN_DEG = 6.0
"""The same margin for projected CRSs, wider (a zone's width) because a projection stays
usable well beyond its zone: the check is for gross errors (swapped axes, degrees given as
metres, Gauss-Kruger zone prefixes), not for data a few degrees outside its zone."""


def resolve_source_crs(
    collection: Mapping[str, Any], crs: object, info: SourceInfo, datum: Datum | str
) -> tuple[pyproj.CRS, Datum]:
    chosen = resolve_crs(crs, source=info.path) if crs is not None else None  # type: ignore[arg-type]
    if chosen is None:
        chosen = crs_from_geojson(collection, source=info.path) or resolve_crs(None)
    parsed = parse_datum(datum, source=info.path)
    if parsed is not Datum.WGS84 and not chosen.is_geographic:
        raise CRSError(
            f"datum {parsed.value!r} applies to longitude/latitude, but the CRS "
            f"{crs_label(chosen)} is projected; drop the datum or the CRS",
            source=info.path,
        )
    return chosen, parsed


@attrs.frozen
class Extent:
    """Where coordinates of a CRS may lie: its area of use plus a margin, in CRS units."""

    label: str
    geographic: bool
    area: str | None
    bounds: tuple[float, float, float, float]
    """``(xmin, ymin, xmax, ymax)`` in the CRS's own units; infinite when unknown."""
    wraps: bool = False
    """A geographic area across the antimeridian (``xmin > xmax``)."""
    margin: float = AREA_MARGIN_DEG

    @property
    def known(self) -> bool:
        """Whether the CRS declares an area of use (else only conversion is checked)."""
        return self.area is not None

    def inside(self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> Any:
        xmin, ymin, xmax, ymax = self.bounds
        in_y = (y >= ymin) & (y <= ymax)
        in_x = ((x >= xmin) | (x <= xmax)) if self.wraps else ((x >= xmin) & (x <= xmax))
        ok = in_x & in_y
        if self.geographic:
            ok &= (np.abs(x) <= 180.0) & (np.abs(y) <= 90.0) & ~((x == 0.0) & (y == 0.0))
        elif self.known:  # degrees given as metres sit within 200 m of the false origin
            ok &= ~((np.abs(x) <= 180.0) & (np.abs(y) <= 90.0))
        return ok

    def explain(self, x: float, y: float, flag: str) -> str:
        """Why ``(x, y)`` was rejected, and how to fix it."""
        at = f"({x:.8g}, {y:.8g})"
        swapped = bool(self.inside(np.array([y]), np.array([x]))[0])
        area = self._area_text()
        if self.geographic:
            if x == 0.0 and y == 0.0:
                return (
                    "coordinate (0, 0) ('null island') is a placeholder for a missing "
                    "location: geocode the feature or remove it"
                )
            if swapped:
                bad, good = (
                    ("is not a valid longitude/latitude", "is")
                    if self.world
                    else (f"is outside {area}", "is inside")
                )
                return (
                    f"longitude and latitude look swapped: {at} {bad} but "
                    f"({y:.8g}, {x:.8g}) {good}; GeoJSON puts longitude first"
                )
            if abs(x) > 1000 or abs(y) > 1000:
                return (
                    f"coordinate {at} looks projected (metres), not longitude/latitude: name "
                    f"the file's CRS, e.g. {flag} EPSG:4547"
                )
            if abs(x) > 180 or abs(y) > 90:
                return f"coordinate {at} is outside the longitude/latitude range (+-180, +-90)"
            return (
                f"coordinate {at} is outside {area}: check the coordinates or name the "
                f"right CRS with {flag}"
            )
        if abs(x) <= 180 and abs(y) <= 90:
            return (
                f"coordinate {at} looks like longitude/latitude degrees, but {self.label} is "
                f"a projected CRS in metres: if the file is lon/lat, do not name {self.label}"
            )
        if swapped:
            return (
                f"easting and northing look swapped: {at} is outside {area} but "
                f"({y:.8g}, {x:.8g}) is inside; GeoJSON puts x (easting) first"
            )
        hint = ""
        if abs(x) >= 1e7:
            hint = (
                " (an 8-digit easting may carry a Gauss-Kruger zone number: name the CRS "
                "of the zone 'with zone number')"
            )
        return f"coordinate {at} is outside {area}{hint}: check the CRS ({flag})"

    @property
    def world(self) -> bool:
        """Whether the area is the whole world (only the lon/lat range is checked)."""
        return self.geographic and self.bounds == (-180.0, -90.0, 180.0, 90.0)

    def _area_text(self) -> str:
        xmin, ymin, xmax, ymax = self.bounds
        if self.geographic:
            return (
                f"the area where {self.label} is valid ({self.area}: lon {xmin:g}..{xmax:g}, "
                f"lat {ymin:g}..{ymax:g} with a {self.margin:g} degree margin)"
            )
        return (
            f"the area where {self.label} is valid ({self.area}: x {xmin:.0f}..{xmax:.0f}, "
            f"y {ymin:.0f}..{ymax:.0f} with a {self.margin:g} degree margin)"
        )


@functools.lru_cache(maxsize=32)
def extent_of(wkt: str) -> Extent:
    crs = pyproj.CRS.from_wkt(wkt)
    label = crs_label(crs)
    use = crs.area_of_use
    inf = math.inf
    m = AREA_MARGIN_DEG
    if crs.is_geographic:
        if use is None:
            return Extent(label, True, "the world", (-180.0, -90.0, 180.0, 90.0))
        w, s, e, n = use.bounds
        wraps = w > e
        bounds = (max(-180.0, w - m), max(-90.0, s - m), min(180.0, e + m), min(90.0, n + m))
        if wraps:
            bounds = (w - m, bounds[1], e + m, bounds[3])
        return Extent(label, True, use.name.rstrip(". "), bounds, wraps)
    if use is None or use.bounds[0] > use.bounds[2]:
        return Extent(label, False, None, (-inf, -inf, inf, inf))
    w, s, e, n = use.bounds
    m = PROJECTED_MARGIN_DEG
    try:
        to_crs = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
        box = to_crs.transform_bounds(
            max(-180.0, w - m), max(-90.0, s - m), min(180.0, e + m), min(90.0, n + m), 21
        )
    except pyproj.exceptions.ProjError:
        return Extent(label, False, None, (-inf, -inf, inf, inf))
    fixed = tuple(v if math.isfinite(v) else (-inf if i < 2 else inf) for i, v in enumerate(box))
    name = use.name.rstrip(". ")
    return Extent(label, False, name, (fixed[0], fixed[1], fixed[2], fixed[3]), margin=m)


def bad_coordinates(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], crs: pyproj.CRS
) -> tuple[npt.NDArray[np.bool_], Extent]:
    """Which coordinates lie outside the CRS's declared area (or cannot be converted)."""
    extent = extent_of(crs.to_wkt())
    bad = ~extent.inside(x, y)
    if not crs.is_geographic and not np.isfinite(extent.bounds).all() and x.size:
        # an unknown area: at least require the coordinates to convert to WGS84
        t = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
        lon, lat = t.transform(x, y, errcheck=False)
        lon, lat = np.asarray(lon), np.asarray(lat)
        bad |= ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90.0))
    return bad, extent


def reject_outside(
    indices: npt.NDArray[np.int64],
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    crs: pyproj.CRS,
    ids: Sequence[str | None],
    out: Collector,
    flag: str,
) -> set[int]:
    """Reject every feature with a coordinate outside the CRS's area; their indices.

    ``indices[k]`` is the feature of coordinate ``k``; each rejected feature's message
    names its first bad coordinate. Vectorised: one pass over every coordinate.
    """
    bad, extent = bad_coordinates(x, y, crs)
    if not bad.any():
        return set()
    where = np.flatnonzero(bad)
    features, first = np.unique(indices[where], return_index=True)
    rejected: set[int] = set()
    for feature, k in zip(features.tolist(), where[first].tolist(), strict=True):
        out.reject(feature, ids[feature], extent.explain(float(x[k]), float(y[k]), flag))
        rejected.add(feature)
    return rejected


def check_coordinates(
    kept: list[tuple[int, str | None, BaseGeometry]],
    crs: pyproj.CRS,
    ids: Sequence[str | None],
    out: Collector,
    flag: str,
) -> list[tuple[int, str | None, BaseGeometry]]:
    """Drop (reject) the geometries with a coordinate outside the CRS's area, and, in
    longitude/latitude, those that cross the antimeridian (:func:`across_180`)."""
    if not kept:
        return kept
    geoms = np.array([g for _, _, g in kept], dtype=object)
    coords, which = shapely.get_coordinates(geoms, return_index=True)
    feature_of = np.array([index for index, _, _ in kept], dtype=np.int64)[which]
    bad = reject_outside(feature_of, coords[:, 0], coords[:, 1], crs, ids, out, flag)
    if crs.is_geographic:
        bad |= across_180(kept, geoms, bad, out)
    return [k for k in kept if k[0] not in bad]


def across_180(
    kept: list[tuple[int, str | None, BaseGeometry]],
    geoms: npt.NDArray[np.object_],
    bad: set[int],
    out: Collector,
) -> set[int]:
    """Reject the geometries whose longitudes span more than 180 degrees.

    Such a polygon or line crosses the antimeridian (lon 179.9 and -179.9): read as plane
    coordinates it wraps the other way round the globe, a shape 359.8 degrees wide that
    the planar working CRS would measure from a centre near longitude 0 (and make_valid
    would "repair"). RFC 7946 asks for such geometries to be split at 180 degrees, but one
    community split so still spans the globe, so both are rejected with the fix: one
    feature per side. Points on either side are read as usual.
    """
    bounds = shapely.bounds(geoms)
    wide = np.flatnonzero(bounds[:, 2] - bounds[:, 0] > 180.0)
    rejected: set[int] = set()
    for k in wide.tolist():
        index, fid, _ = kept[k]
        if index in bad:
            continue
        west, east = float(bounds[k, 0]), float(bounds[k, 2])
        out.reject(
            index,
            fid,
            f"crosses the antimeridian: its longitudes run from {west:g} to {east:g}, more "
            "than 180 degrees apart, so it is not one shape on the plane livable measures "
            "in; split it at 180 degrees into one feature per side (each with its own id)",
        )
        rejected.add(index)
    return rejected
