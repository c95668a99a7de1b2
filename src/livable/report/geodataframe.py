"""GeoPandas integration: reports as GeoDataFrames (the ``geopandas`` extra).

:func:`livable.evaluate` and the readers already take GeoDataFrames (through
``__geo_interface__``, with the frame's own ``crs`` honoured). This module goes the other
way: :func:`report_to_geodataframe` turns a report into one row per community with its
grade (``P3``-``P5``), zone, district, gap count and access columns, ready for
``.explore()`` or ``.to_file()``. The rows are made by :meth:`livable.Report.to_geodataframe`
(in the models, below this layer); the core never imports pandas, and GeoPandas is
imported when called.

>>> import livable
>>> from livable.testing import community, facility
>>> report = livable.evaluate([community("c1", 108.94, 34.26, district="碑林区")],
...                           [facility("k1", "kindergarten", 108.945, 34.26)])
>>> gdf = report_to_geodataframe(report)
>>> gdf.loc[0, ["id", "grade", "district"]].tolist(), gdf.crs.to_epsg()
(['c1', 'not_livable', '碑林区'], 4326)
>>> round(gdf.loc[0, "nearest_m_kindergarten"])
461
"""

from __future__ import annotations

from typing import Any, Literal

from livable.models.results import Report

__all__ = ["report_to_geodataframe"]


def report_to_geodataframe(
    report: Report, *, geometry: Literal["community", "center"] = "community"
) -> Any:
    """A GeoDataFrame (EPSG:4326) with one row per evaluated community.

    The same as :meth:`livable.Report.to_geodataframe` (which lists the columns):
    ``geometry`` is the community's own shape or, with ``geometry="center"``, its
    circle centre.

    >>> import livable
    >>> from livable.testing import community
    >>> report = livable.evaluate([community("c1", 108.94, 34.26)], [])
    >>> report_to_geodataframe(report, geometry="center").geometry[0].geom_type
    'Point'
    """
    return report.to_geodataframe(geometry=geometry)
