"""The ``geo`` metadata of GeoParquet 1.1 (https://geoparquet.org), shared by every writer.

Facility layers (:func:`livable.io.geoparquet.write_facilities`) and columnar reports
(:meth:`livable.Report.to_parquet`) both write WKB geometry in WGS84 with this metadata.

>>> import numpy as np, shapely
>>> geoms = np.array([shapely.Point(108.9, 34.2), shapely.Point(109.0, 34.3)])
>>> meta = geo_metadata(geoms, covering=False)
>>> meta["columns"]["geometry"]["geometry_types"], meta["columns"]["geometry"]["bbox"]
(['Point'], [108.9, 34.2, 109.0, 34.3])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

__all__ = ["geo_metadata"]

_TYPE_NAMES = {0: "Point", 1: "LineString", 3: "Polygon", 6: "MultiPolygon"}


def geo_metadata(
    geoms: np.ndarray, *, covering: bool, bounds: np.ndarray | None = None
) -> dict[str, Any]:
    """The ``geo`` metadata for a WKB ``geometry`` column of ``geoms`` (WGS84).

    ``covering`` declares the ``bbox`` struct column of GeoParquet 1.1; ``bounds`` are the
    geometries' bounds when already computed (``shapely.bounds``).

    >>> geo_metadata(np.array([], dtype=object), covering=True)["columns"]["geometry"]["bbox"]
    []
    """
    n = len(geoms)
    if bounds is None:
        bounds = shapely.bounds(geoms) if n else np.zeros((0, 4))
    kinds = sorted(set(shapely.get_type_id(geoms).tolist())) if n else []
    column: dict[str, Any] = {
        "encoding": "WKB",
        "geometry_types": [_TYPE_NAMES[k] for k in kinds if k in _TYPE_NAMES],
        "bbox": (
            [
                float(np.nanmin(bounds[:, 0])),
                float(np.nanmin(bounds[:, 1])),
                float(np.nanmax(bounds[:, 2])),
                float(np.nanmax(bounds[:, 3])),
            ]
            if n
            else []
        ),
    }
    if covering:
        column["covering"] = {
            "bbox": {
                "xmin": ["bbox", "xmin"],
                "ymin": ["bbox", "ymin"],
                "xmax": ["bbox", "xmax"],
                "ymax": ["bbox", "ymax"],
            }
        }
    return {"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": column}}
