"""GIS files read directly by the readers: shapefile, GeoPackage, FlatGeobuf, GeoParquet,
CSV; the file's own CRS and text encoding honoured (issue 7)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely

from livable import evaluate, read_communities, read_facilities
from livable.cli import main
from livable.errors import InputError
from livable.io.crs import to_wgs84
from livable.testing import offset

# two facilities in CGCS2000 / 3-degree Gauss-Kruger CM 108E (EPSG:4545 is CM 108E;
# EPSG:4547 is CM 114E, as the issue asks): the kindergarten 600 m east of the other
X0, Y0 = 500000.0, 3790000.0
NAMES = ["碑林区第一幼儿园", "东木头市蔬菜店"]


def write_layer(
    path: Path,
    *,
    crs: str,
    encoding: str | None = None,
    driver: str | None = None,
    x0: float = X0,
    y0: float = Y0,
) -> Path:
    import pyogrio.raw

    geoms = shapely.to_wkb(
        np.array([shapely.Point(x0 + 600.0, y0), shapely.Point(x0, y0)], dtype=object)
    )
    fields = [
        np.array(["k1", "v1"], dtype=object),
        np.array(["kindergarten", "vegetable_store"], dtype=object),
        np.array(NAMES, dtype=object),
        np.array([4.8, 4.5]),
    ]
    kwargs = {} if encoding is None else {"encoding": encoding}
    pyogrio.raw.write(
        str(path),
        geoms,
        fields,
        ["id", "type", "name", "quality"],
        driver=driver,
        crs=crs,
        geometry_type="Point",
        **kwargs,
    )
    return path


def expected_lonlat(crs: str) -> tuple[np.ndarray, np.ndarray]:
    return to_wgs84([X0 + 600.0, X0], [Y0, Y0], crs)


@pytest.mark.parametrize(
    ("name", "driver"), [("f.shp", "ESRI Shapefile"), ("f.gpkg", "GPKG"), ("f.fgb", "FlatGeobuf")]
)
def test_ogr_formats_honour_the_file_crs(tmp_path: Path, name: str, driver: str) -> None:
    path = write_layer(tmp_path / name, crs="EPSG:4547", driver=driver, x0=500000.0, y0=3385000.0)
    layer = read_facilities(path)
    lon, lat = to_wgs84([500600.0, 500000.0], [3385000.0, 3385000.0], "EPSG:4547")
    assert layer.ids.tolist() == ["k1", "v1"]
    np.testing.assert_allclose(layer.lon, lon, atol=1e-9)
    np.testing.assert_allclose(layer.lat, lat, atol=1e-9)
    assert layer.lon[1] == pytest.approx(114.0)  # the zone's central meridian
    assert layer.names.tolist() == NAMES
    assert layer.quality.tolist() == [4.8, 4.5]
    assert layer.source.path == str(path) and layer.source.sha256 is not None


def test_shapefile_cpg_gb18030_is_read_correctly(tmp_path: Path) -> None:
    path = write_layer(tmp_path / "gbk.shp", crs="EPSG:4545", encoding="GB18030")
    assert (tmp_path / "gbk.cpg").read_text().strip().upper() == "GB18030"
    assert read_facilities(path).names.tolist() == NAMES


def test_shapefile_without_cpg_is_never_garbled(tmp_path: Path) -> None:
    path = write_layer(tmp_path / "nocpg.shp", crs="EPSG:4545", encoding="GB18030")
    (tmp_path / "nocpg.cpg").unlink()
    with pytest.raises(InputError, match=r"no \.cpg.*--encoding gb18030") as info:
        read_facilities(path)
    assert "nocpg.shp" in str(info.value)
    layer = read_facilities(path, encoding="gb18030")
    assert layer.names.tolist() == NAMES


def test_utf8_shapefile_without_cpg_is_read_as_utf8(tmp_path: Path) -> None:
    path = write_layer(tmp_path / "u.shp", crs="EPSG:4545", encoding="UTF-8")
    (tmp_path / "u.cpg").unlink()
    assert read_facilities(path).names.tolist() == NAMES


def test_geoparquet_crs_from_metadata(tmp_path: Path) -> None:
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(
        {"id": ["k1", "v1"], "type": ["kindergarten", "vegetable_store"], "name": NAMES},
        geometry=[shapely.Point(X0 + 600.0, Y0), shapely.Point(X0, Y0)],
        crs="EPSG:4545",
    )
    path = tmp_path / "f.parquet"
    gdf.to_parquet(path)
    layer = read_facilities(path)
    lon, lat = expected_lonlat("EPSG:4545")
    np.testing.assert_allclose(layer.lon, lon, atol=1e-9)
    np.testing.assert_allclose(layer.lat, lat, atol=1e-9)
    assert layer.names.tolist() == NAMES
    plain = tmp_path / "plain.parquet"
    gdf.drop(columns="geometry").to_parquet(plain)
    with pytest.raises(InputError, match="not a GeoParquet file"):
        read_facilities(plain)


def test_flag_wins_over_the_file_crs(tmp_path: Path) -> None:
    path = write_layer(tmp_path / "f.gpkg", crs="EPSG:4545", driver="GPKG")
    a = read_facilities(path)
    b = read_facilities(path, crs="EPSG:4546")  # a wrong zone named on purpose: it wins
    assert b.lon[0] == pytest.approx(a.lon[0] + 3.0, abs=0.05)


def test_csv_lonlat_rows_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(
        "id,type,name,lon,lat,quality\n"
        "k1,kindergarten,第一幼儿园,108.95,34.26,4.9\n"
        "k2,kindergarten,坏经度,abc,34.26,\n"
        "\n"
        "k3,clinic,诊所,108.96,34.27,\n"
        "k4,clinic,太多,108.96,34.27,,extra\n"
        "k5,clinick,拼错,108.96,34.27,\n",
        encoding="utf-8",
    )
    layer = read_facilities(path)
    assert layer.ids.tolist() == ["k1", "k3"]
    assert layer.quality[0] == pytest.approx(4.9)
    rejected = [(r.source.rsplit(":", 1)[1], r.id, r.reason) for r in layer.rejected]
    assert rejected[0] == ("line 3", "k2", "lon/lat 'abc', '34.26' are not numbers")
    assert rejected[1] == ("line 6", "k4", "more values than header columns")
    assert rejected[2][:2] == ("line 7", "k5") and "unknown facility type" in rejected[2][2]
    with pytest.raises(InputError, match=r"f\.csv:line 3 \(id 'k2'\)"):
        read_facilities(path, strict=True)


def test_csv_gb18030_and_projected_xy(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    text = "id,type,name,x,y\nk1,kindergarten,第一幼儿园,500600,3790000\n"
    path.write_bytes(text.encode("gb18030"))
    with pytest.raises(InputError, match=r"gbk\.csv: line 2 is not UTF-8.*--encoding gb18030"):
        read_facilities(path, crs="EPSG:4545")
    layer = read_facilities(path, crs="EPSG:4545", encoding="gb18030")
    assert layer.names.tolist() == ["第一幼儿园"]
    lon, _ = expected_lonlat("EPSG:4545")
    assert layer.lon[0] == pytest.approx(lon[0])
    with pytest.raises(InputError, match="unknown text encoding"):
        read_facilities(path, encoding="gb99999")


def test_csv_communities_with_wkt_polygons_and_numbers(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "id,name,population,district,wkt\n"
        '001,幸福里,4200,碑林区,"POLYGON ((108.94 34.26, 108.95 34.26, 108.95 34.27, '
        '108.94 34.27, 108.94 34.26))"\n'
        "002,坏多边形,100,碑林区,POLYGON ((1 2\n",
        encoding="utf-8",
    )
    layer = read_communities(path)
    (c,) = layer.communities
    assert (c.id, c.name, c.population, c.district) == ("001", "幸福里", 4200, "碑林区")
    assert c.geometry.geom_type == "Polygon"
    (bad,) = layer.rejected
    assert bad.source.endswith("c.csv:line 3") and "not valid WKT" in bad.reason


def test_csv_without_coordinates_says_what_it_needs(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("id,type\n1,clinic\n", encoding="utf-8")
    with pytest.raises(InputError, match="no coordinate columns"):
        read_facilities(path)


def test_evaluate_cli_reads_shapefile_and_csv_with_encoding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shp = write_layer(tmp_path / "f.shp", crs="EPSG:4545", encoding="GB18030")
    (tmp_path / "f.cpg").unlink()
    lon, lat = expected_lonlat("EPSG:4545")
    c_lon, c_lat = offset(float(lon[1]), float(lat[1]), 0.0, 300.0)  # 300 m north of v1
    communities = tmp_path / "c.csv"
    communities.write_bytes(f"id,name,lon,lat\nc1,幸福里,{c_lon},{c_lat}\n".encode("gb18030"))
    report = tmp_path / "r.json"
    args = [
        "evaluate",
        "--communities",
        str(communities),
        "--facilities",
        str(shp),
        "--out",
        str(report),
        "--quiet",
    ]
    assert main(args) == 1
    assert "--encoding gb18030" in capsys.readouterr().err
    assert main([*args, "--encoding", "gb18030"]) == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    (c,) = data["communities"]
    assert c["name"] == "幸福里"
    veg = c["access"]["vegetable_store"]
    assert veg["nearest"][0]["name"] == "东木头市蔬菜店"
    assert veg["nearest_m"] == pytest.approx(300.0, rel=0.01)  # offset() is approximate


def test_python_evaluate_accepts_gis_paths(tmp_path: Path) -> None:
    shp = write_layer(tmp_path / "f.gpkg", crs="EPSG:4545", driver="GPKG")
    lon, lat = expected_lonlat("EPSG:4545")
    report = evaluate(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"id": "c"},
                    "geometry": {"type": "Point", "coordinates": [float(lon[1]), float(lat[1])]},
                }
            ],
        },
        shp,
    )
    k = report.communities[0].access_to("kindergarten")
    assert k.nearest_m == pytest.approx(600.0, abs=1.0)
    assert report.inputs[0].path == str(shp)
