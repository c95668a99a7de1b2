"""The UTM zone of WGS-84 points: the one rule behind every metric working CRS.

The engine's working CRS (:func:`livable.geometry.crs.choose_working_crs`) and the metres
in which :func:`livable.io.dedupe_facilities` finds close pairs are the same zone, chosen
here. It sits below both layers because reading (io) and measuring (geometry) never import
each other.

>>> utm_epsg([108.9], [34.3])  # Xi'an
32649
>>> lonlat_bbox([178.5, -179.5], [-17.0, -16.0])  # boxed across the antimeridian
(178.5, -17.0, 180.5, -16.0)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from livable.errors import CRSError

__all__ = ["lonlat_bbox", "utm_epsg"]


def lonlat_bbox(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` of finite lon/lat, ``west <= east`` possibly beyond 180.

    Longitudes are normalised to [-180, 180); when the points straddle the antimeridian the
    tighter box in [0, 360) is used instead, so ``east`` may exceed 180. No finite point,
    or a latitude beyond 90, raises :class:`~livable.errors.CRSError`.
    """
    a, b = np.broadcast_arrays(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    ok = np.isfinite(a) & np.isfinite(b)
    x, y = a[ok], b[ok]
    if x.size == 0:
        raise CRSError("cannot choose a working CRS for no coordinates")
    if np.any(np.abs(y) > 90.0) or np.any((x < -180.0) | (x > 360.0)):
        raise CRSError(
            "coordinates are not WGS-84 longitude/latitude (a latitude beyond 90 or a "
            "longitude beyond -180..360); convert them with to_wgs84 first"
        )
    x = (x + 180.0) % 360.0 - 180.0
    west, east = float(x.min()), float(x.max())
    x360 = x % 360.0
    west360, east360 = float(x360.min()), float(x360.max())
    if east360 - west360 < east - west:
        west, east = west360, east360
    return west, float(y.min()), east, float(y.max())


def utm_epsg(lon: npt.ArrayLike, lat: npt.ArrayLike) -> int:
    """The EPSG code of the UTM zone of the points' bounding-box centre (326zz north of the
    equator, 327zz south of it)."""
    west, south, east, north = lonlat_bbox(lon, lat)
    centre_lon = ((west + east) / 2.0 + 180.0) % 360.0 - 180.0
    centre_lat = (south + north) / 2.0
    zone = int(np.floor((centre_lon + 180.0) / 6.0)) % 60 + 1
    return (32600 if centre_lat >= 0.0 else 32700) + zone
