"""GeoDataFrames in (their own CRS honoured) and reports out as GeoDataFrames (issue 7)."""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
import numpy as np
import pytest
import shapely

import livable
import livable.report.geodataframe
from livable.testing import offset


def frames() -> tuple[object, object]:
    c_lon, c_lat = 108.94, 34.26
    square = shapely.box(*offset(c_lon, c_lat, -200, -200), *offset(c_lon, c_lat, 200, 200))
    communities = gpd.GeoDataFrame(
        {
            "id": ["c1", "c2"],
            "name": ["幸福里", "和平门"],
            "population": [3000, 12000],
            "district": ["碑林区", "新城区"],
        },
        geometry=[square, shapely.Point(*offset(c_lon, c_lat, 5000, 0))],
        crs="EPSG:4326",
    )
    facilities = gpd.GeoDataFrame(
        {
            "id": ["k1", "s1"],
            "type": ["kindergarten", "convenience_store"],
            "name": ["第一幼儿园", None],
            "quality": [4.9, np.nan],
        },
        geometry=[
            shapely.Point(*offset(c_lon, c_lat, 600, 0)),
            shapely.Point(*offset(c_lon, c_lat, 0, 300)),
        ],
        crs="EPSG:4326",
    )
    return communities, facilities


def test_evaluate_accepts_geodataframes_in_their_own_crs() -> None:
    communities, facilities = frames()
    plain = livable.evaluate(communities, facilities)
    projected = livable.evaluate(communities.to_crs(4547), facilities.to_crs(4545))
    for a, b in zip(plain.communities, projected.communities, strict=True):
        assert a.id == b.id
        for t in ("kindergarten", "convenience_store"):
            assert a.access_to(t).nearest_m == pytest.approx(b.access_to(t).nearest_m, abs=1e-3)
    c1 = plain.community("c1")
    assert c1.population == 3000 and c1.district == "碑林区"
    near = c1.access_to("convenience_store").nearest[0]
    assert near.name is None  # a missing name stays missing (not "nan")
    assert c1.access_to("kindergarten").nearest[0].quality == pytest.approx(4.9)


def test_geodataframe_crs_is_not_assumed_wgs84() -> None:
    _communities, facilities = frames()
    projected = facilities.to_crs(4545)
    # without the CRS the metres would be read as degrees and rejected as out of range
    layer = livable.read_facilities(projected)
    np.testing.assert_allclose(layer.lon, facilities.geometry.x, atol=1e-9)
    unknown = projected.set_crs(None, allow_override=True)
    bad = livable.read_facilities(unknown)
    assert len(bad) == 0 and "looks projected (metres)" in bad.rejected[0].reason
    # an explicit crs still wins over the frame's
    assert len(livable.read_facilities(unknown, crs="EPSG:4545")) == 2


def test_report_to_geodataframe() -> None:
    communities, facilities = frames()
    report = livable.evaluate(communities, facilities)
    gdf = report.to_geodataframe()
    assert gdf.crs.to_epsg() == 4326
    assert gdf["id"].tolist() == ["c1", "c2"]
    assert set(gdf["grade"]) <= {"not_livable", "livable", "happy"}
    assert gdf["district"].tolist() == ["碑林区", "新城区"]
    assert (gdf["gap_count"] > 0).all()
    assert "kindergarten" in gdf.loc[1, "gaps"].split(";")
    assert gdf.loc[0, "nearest_m_kindergarten"] == pytest.approx(
        report.community("c1").access_to("kindergarten").nearest_m
    )
    assert np.isnan(gdf.loc[1, "nearest_m_clinic"])
    assert gdf.loc[0, "in_circle_kindergarten"] == 1
    assert gdf.geometry[0].equals(report.community("c1").geometry)
    centres = livable.report.geodataframe.report_to_geodataframe(report, geometry="center")
    assert centres.geometry[1].geom_type == "Point"
    with pytest.raises(livable.LivableError, match="geometry must be"):
        livable.report.geodataframe.report_to_geodataframe(report, geometry="circle")  # type: ignore[arg-type]


def test_import_livable_does_not_import_pandas() -> None:
    code = (
        "import sys, livable; import livable.io, livable.io; "
        "livable.evaluate([], []); "
        "bad = sorted(m for m in ('pandas', 'geopandas', 'pyogrio', 'pyarrow', 'osmium') "
        "if m in sys.modules); print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
