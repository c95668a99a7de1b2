"""The columnar report (issue 16): GeoParquet, one row a community, values of report.json."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import geopandas
import pyarrow.parquet as pq
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import livable
from livable.cli import main
from livable.models import FACILITY_TYPES
from livable.models.columnar import FIXED_COLUMNS, report_columns
from livable.testing import community, facility, offset

LON0, LAT0 = 108.94, 34.26
TYPES = sorted(FACILITY_TYPES)
COLUMNS_FILE = Path(livable.__file__).parent / "schemas" / "report-columns.json"


@st.composite
def cities(draw: Any) -> tuple[list[livable.Community], list[livable.Facility]]:
    n_comm = draw(st.integers(0, 6))
    comms = []
    for i in range(n_comm):
        lon, lat = offset(LON0, LAT0, draw(st.floats(0, 4_000)), draw(st.floats(0, 4_000)))
        size = draw(st.sampled_from([None, 300.0, 2_500.0]))
        district = draw(st.sampled_from([None, "碑林区", "长安区"]))
        comms.append(community(f"c{i}", lon, lat, size_m=size, district=district))
    facs = []
    for j in range(draw(st.integers(0, 60))):
        e, n = draw(st.integers(-10, 50)) * 100.0, draw(st.integers(-10, 50)) * 100.0
        facs.append(facility(f"f{j}", draw(st.sampled_from(TYPES)), *offset(LON0, LAT0, e, n)))
    return comms, facs


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and math.isnan(a):
        return b is None
    return bool(a == b)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cities())
def test_every_value_equals_report_json(tmp_path_factory: Any, city: Any) -> None:
    report = livable.evaluate(*city)
    path = report.to_parquet(tmp_path_factory.mktemp("p") / "report.parquet")
    data = json.loads(report.to_json())
    gdf = geopandas.read_parquet(path)
    assert gdf.crs == "OGC:CRS84"  # GeoParquet default: WGS84, lon/lat
    assert list(gdf.columns) == report_columns(report)
    assert len(gdf) == len(data["communities"])
    for row, c in zip(gdf.to_dict("records"), data["communities"], strict=True):
        for key in ("id", "name", "district", "subdistrict", "zone", "grade", "radius_m"):
            assert _same(row[key], c[key]), key
        assert [row["center_lon"], row["center_lat"]] == c["center"]
        assert row["geometry"].equals(shapely.geometry.shape(c["geometry"]))
        for t, a in c["access"].items():
            assert _same(row[f"{t}_nearest_m"], a["nearest_m"])
            for r, count in a["count_within"].items():
                assert row[f"{t}_count_{r}"] == count
            assert row[f"{t}_count_in_circle"] == a["count_in_circle"]
        keys = [
            g["rule"] + (f":{w}" if (w := g["facility_type"] or g["category"]) else "")
            for g in c["gaps"]
        ]
        assert row["gap_count"] == len(c["gaps"])
        assert list(row["gaps"]) == list(dict.fromkeys(keys))
        for i, ind in c["indicators"].items():
            assert row[f"indicator_{i}"] == ind["status"]


def test_contract_column_names_and_the_shipped_list() -> None:
    report = livable.evaluate(
        [community("c1", LON0, LAT0)], [facility("k1", "kindergarten", LON0, LAT0)]
    )
    names = report_columns(report)
    assert tuple(names[: len(FIXED_COLUMNS)]) == FIXED_COLUMNS
    assert {
        "kindergarten_nearest_m",
        "kindergarten_count_1200",
        "kindergarten_count_in_circle",
    } <= set(names)
    shipped = json.loads(COLUMNS_FILE.read_text(encoding="utf-8"))
    assert shipped["fixed"] == list(FIXED_COLUMNS)
    assert set(shipped["per_type"]) == {
        "{type}_nearest_m",
        "{type}_count_{r}",
        "{type}_count_in_circle",
    }


def test_geo_metadata_is_geoparquet_1_1(tmp_path: Path) -> None:
    report = livable.evaluate([community("c1", LON0, LAT0, size_m=300.0)], [])
    meta = pq.read_schema(report.to_parquet(tmp_path / "r.parquet")).metadata
    geo = json.loads(meta[b"geo"])
    assert geo["version"] == "1.1.0" and geo["columns"]["geometry"]["encoding"] == "WKB"
    assert geo["columns"]["geometry"]["geometry_types"] == ["Polygon"]


@pytest.mark.parametrize("flag", ["--out", "-o"])
def test_cli_out_parquet_writes_the_columnar_report(tmp_path: Path, flag: str) -> None:
    c = tmp_path / "c.geojson"
    f = tmp_path / "f.geojson"
    c.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": "c1"},
                        "geometry": {"type": "Point", "coordinates": [LON0, LAT0]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    f.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": "k1", "type": "kindergarten"},
                        "geometry": {"type": "Point", "coordinates": [LON0 + 0.001, LAT0]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "report.parquet"
    assert (
        main(
            ["evaluate", "--communities", str(c), "--facilities", str(f), flag, str(out), "--quiet"]
        )
        == 0
    )
    gdf = geopandas.read_parquet(out)
    assert gdf["id"].tolist() == ["c1"] and gdf.loc[0, "kindergarten_count_400"] == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cities())
def test_the_streamed_report_json_has_the_bytes_of_to_json(
    tmp_path_factory: Any, city: Any
) -> None:
    report = livable.evaluate(*city)
    path = report.write_json(tmp_path_factory.mktemp("j") / "report.json")
    assert path.read_bytes() == report.to_json().encode("utf-8")


def test_writing_the_columnar_report_does_not_import_pandas(tmp_path: Path) -> None:
    """pyarrow.array imports pandas (about half a second); the writer builds from buffers."""
    import subprocess
    import sys

    code = (
        "import sys, livable; from livable.testing import community, facility; "
        "r = livable.evaluate([community('c1', 108.94, 34.26)], "
        "[facility('k1', 'kindergarten', 108.945, 34.26)]); "
        f"r.to_parquet({str(tmp_path / 'r.parquet')!r}); "
        "print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
