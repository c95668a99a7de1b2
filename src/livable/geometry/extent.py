"""Keeping one far-away community from distorting every other community's distances.

The engine measures in one metric working CRS chosen for the communities' extent
(:func:`~livable.geometry.crs.choose_working_crs`). A single community geocoded on the wrong
continent widens that extent, moves the working CRS away from the city and inflates every
distance (a 900 m walk can come out as 1.6 km). :func:`far_communities` finds such
communities: when the whole extent cannot be measured within :data:`MAX_SCALE_ERROR`, it
keeps the largest group around the median position that can, provided that group holds a
majority; the rest are "far". With no such majority the data is genuinely spread out (a
country, several cities) and :class:`~livable.errors.InputError` says so.

>>> import numpy as np
>>> lon = np.array([108.94, 108.95, 108.96, -71.06])  # three in Xi'an, one in Boston
>>> lat = np.array([34.26, 34.27, 34.25, 42.36])
>>> far_communities(lon, lat, lon, lat).tolist()
[False, False, False, True]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from livable.errors import InputError
from livable.geometry.crs import choose_working_crs, max_scale_error

__all__ = ["MAX_SCALE_ERROR", "far_communities", "scale_error_of"]

MAX_SCALE_ERROR = 0.005
"""The largest relative distance error accepted from the working CRS's projection (0.5 %)."""

FloatArray = npt.NDArray[np.float64]


def scale_error_of(
    west: FloatArray, south: FloatArray, east: FloatArray, north: FloatArray
) -> tuple[float, str]:
    """The scale error of the working CRS chosen for these WGS84 boxes, and that CRS's name.

    >>> err, name = scale_error_of(*(np.array([v]) for v in (108.9, 34.2, 109.0, 34.3)))
    >>> err < 0.001, name
    (True, 'EPSG:32649')
    """
    lon = np.r_[west, east]
    lat = np.r_[south, north]
    crs = choose_working_crs(lon, lat)
    code = crs.to_epsg()
    return max_scale_error(crs, lon, lat), f"EPSG:{code}"


def far_communities(
    west: npt.ArrayLike,
    south: npt.ArrayLike,
    east: npt.ArrayLike,
    north: npt.ArrayLike,
    *,
    limit: float = MAX_SCALE_ERROR,
    source: str | None = None,
) -> npt.NDArray[np.bool_]:
    """Which communities (given by their WGS84 bounding boxes) are too far from the rest.

    All ``False`` when one working CRS measures every community within ``limit``. Otherwise
    communities are ranked by distance from the median centre and the largest nearest group
    within ``limit`` is kept; it must hold more than half of them, else
    :class:`~livable.errors.InputError` (naming ``source``) explains that the data spans too
    wide an area for one run.
    """
    w, s, e, n = (np.asarray(v, dtype=np.float64) for v in (west, south, east, north))
    count = w.size
    far = np.zeros(count, dtype=bool)
    if count == 0:
        return far
    error, crs = scale_error_of(w, s, e, n)
    if error <= limit:
        return far
    cx, cy = (w + e) / 2.0, (s + n) / 2.0
    mx, my = float(np.median(cx)), float(np.median(cy))
    coslat = np.cos(np.radians(my))
    reach = np.maximum.reduce([np.hypot((x - mx) * coslat, y - my) for x in (w, e) for y in (s, n)])
    order = np.argsort(reach, kind="stable")
    lo, hi = 0, count  # the largest k whose nearest k fit is in [lo, hi]
    while lo < hi:
        k = (lo + hi + 1) // 2
        pick = order[:k]
        if scale_error_of(w[pick], s[pick], e[pick], n[pick])[0] <= limit:
            lo = k
        else:
            hi = k - 1
    if 2 * lo <= count:
        raise InputError(
            f"the communities spread over longitude {w.min():.4g}..{e.max():.4g}, latitude "
            f"{s.min():.4g}..{n.max():.4g}: no one working CRS measures them all within "
            f"{limit:.1%} (the best, {crs}, is off by up to {min(error, 9.99):.1%}) and no "
            "majority of them lies close together; evaluate each city separately, or name "
            "a working CRS (--working-crs) to accept the distortion",
            source=source,
        )
    far[order[lo:]] = True
    return far
