"""GeoPandas integration: reports as GeoDataFrames (the ``geopandas`` extra).

:func:`livable.evaluate` and the readers already take GeoDataFrames (through
``__geo_interface__``, with the frame's own ``crs`` honoured). This module goes the other
way: :func:`report_to_geodataframe` turns a report into one row per community with its
grade (``P3``-``P5``), zone, district, gap count and access columns, ready for
``.explore()`` or ``.to_file()``. The core never imports pandas; this module imports
GeoPandas when called.

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

from typing import TYPE_CHECKING, Any, Literal

from livable.errors import LivableError

if TYPE_CHECKING:
    from livable.models import Report

__all__ = ["report_to_geodataframe"]


def _geopandas() -> Any:
    try:
        import geopandas
    except ImportError:
        raise LivableError(
            "GeoDataFrames need GeoPandas: pip install 'livable[geopandas]'"
        ) from None
    return geopandas


def report_to_geodataframe(
    report: Report, *, geometry: Literal["community", "center"] = "community"
) -> Any:
    """A GeoDataFrame (EPSG:4326) with one row per evaluated community.

    Columns: ``id``, ``name``, ``grade``, ``livable`` and ``happy`` (booleans), ``zone``,
    ``district``, ``subdistrict``, ``population``, ``size_class``, ``radius_m``,
    ``center_lon``, ``center_lat``, ``center_inside``, ``gap_count``, ``gaps`` (the gaps'
    facility types or rules, ``;``-separated), then for every facility type
    ``nearest_m_<type>`` (metres, NaN beyond the search radius) and
    ``in_circle_<type>`` (count within the community's circle). ``geometry`` is the
    community's own shape or, with ``geometry="center"``, its circle centre.
    """
    gpd = _geopandas()
    import shapely

    if geometry not in ("community", "center"):
        raise LivableError(f"geometry must be 'community' or 'center', not {geometry!r}")
    rows: list[dict[str, Any]] = []
    shapes = []
    for c in report.communities:
        row: dict[str, Any] = {
            "id": c.id,
            "name": c.name,
            "grade": str(c.grade),
            "livable": c.grade.rank >= 1,
            "happy": c.grade.rank >= 2,
            "zone": None if c.zone is None else str(c.zone),
            "district": c.district,
            "subdistrict": c.subdistrict,
            "population": c.population,
            "size_class": c.size_class,
            "radius_m": c.radius_m,
            "center_lon": c.center[0],
            "center_lat": c.center[1],
            "center_inside": c.center_inside,
            "gap_count": len(c.gaps),
            "gaps": ";".join(
                dict.fromkeys(g.facility_type or g.category or g.rule for g in c.gaps)
            ),
        }
        for a in c.access:
            row[f"nearest_m_{a.facility_type}"] = (
                float("nan") if a.nearest_m is None else a.nearest_m
            )
        for a in c.access:
            row[f"in_circle_{a.facility_type}"] = a.count_in_circle
        rows.append(row)
        shapes.append(c.geometry if geometry == "community" else shapely.Point(*c.center))
    import pandas as pd

    frame = pd.DataFrame(rows)
    return gpd.GeoDataFrame(frame, geometry=shapes, crs="EPSG:4326")
