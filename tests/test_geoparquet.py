"""GeoParquet facilities: same validation as GeoJSON, window reads, per-tile evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import livable
from livable.io.geoparquet import read_facilities, scan_facilities, write_facilities
from livable.io.sample import write_sample_city
from livable.scale.tiles import evaluate_partitioned


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("gp")
    communities, facilities = write_sample_city(folder)
    layer = livable.read_facilities(facilities)
    parquet = write_facilities(layer, folder / "facilities.parquet", row_group_size=97)
    return communities, facilities, parquet


@pytest.fixture(scope="module")
def full(sample: tuple[Path, Path, Path]) -> livable.FacilityLayer:
    return read_facilities(sample[2])


def _communities_json(report: livable.Report) -> str:
    return json.dumps(report.to_dict()["communities"], sort_keys=True)


def test_file_order_kept_and_same_columns_as_geojson(tmp_path: Path) -> None:
    communities, facilities = write_sample_city(tmp_path)
    layer = livable.read_facilities(facilities)
    path = write_facilities(layer, tmp_path / "f.parquet", spatial_sort=False, row_group_size=50)
    back = read_facilities(path)
    assert back.ids.tolist() == layer.ids.tolist()
    assert back.types.tolist() == layer.types.tolist()
    assert np.array_equal(back.lon, layer.lon)
    assert np.array_equal(back.lat, layer.lat)
    assert back.names.tolist() == layer.names.tolist()
    assert np.array_equal(back.quality, layer.quality, equal_nan=True)
    assert [dict(a) for a in back.attributes] == [dict(a) for a in layer.attributes]
    assert layer.areas is not None
    assert back.areas is not None
    assert [g is None for g in back.areas] == [g is None for g in layer.areas]
    assert back.source.path == str(path)
    # the same facilities in the same order: the same report as from GeoJSON
    geojson = livable.evaluate(communities, facilities)
    assert _communities_json(livable.evaluate(communities, back)) == _communities_json(geojson)


def test_rejections_match_geojson_and_name_the_row(tmp_path: Path) -> None:
    rows = [
        ("k1", "kindergarten", (108.94, 34.26)),
        ("dup", "clinic", (108.95, 34.26)),
        ("x1", "spaceport", (108.95, 34.27)),
        ("dup", "clinic", (108.96, 34.26)),
        ("g1", "clinic", None),
        ("q1", "clinic", (200.0, 34.0)),
    ]
    features = [
        {
            "type": "Feature",
            "properties": {"id": fid, "type": ftype},
            "geometry": None if xy is None else {"type": "Point", "coordinates": list(xy)},
        }
        for fid, ftype, xy in rows
    ]
    from_geojson = livable.read_facilities({"type": "FeatureCollection", "features": features})
    import shapely

    wkb = [None if xy is None else shapely.to_wkb(shapely.Point(*xy)) for _, _, xy in rows]
    table = pa.table(
        {
            "id": [r[0] for r in rows],
            "type": [r[1] for r in rows],
            "geometry": pa.array(wkb, type=pa.binary()),
        }
    )
    path = tmp_path / "bad.parquet"
    pq.write_table(table, path, row_group_size=2)
    layer = read_facilities(path)
    assert layer.ids.tolist() == ["k1"]
    got = [(r.id, r.source.rsplit("#", 1)[1], r.reason) for r in layer.rejected]
    want = [(r.id, r.source.rsplit("#", 1)[1], r.reason) for r in from_geojson.rejected]
    assert got == want
    scanned, duplicates = scan_facilities(path)
    assert duplicates == {"dup"}
    assert scanned.rejected == layer.rejected
    assert len(scanned) == 0
    assert scanned.count == 6


@settings(max_examples=30)
@given(
    west=st.floats(108.80, 109.10),
    south=st.floats(34.10, 34.40),
    w=st.floats(0.0, 0.3),
    h=st.floats(0.0, 0.3),
)
def test_window_read_equals_full_read_filtered(
    sample: tuple[Path, Path, Path],
    full: livable.FacilityLayer,
    west: float,
    south: float,
    w: float,
    h: float,
) -> None:
    box = (west, south, west + w, south + h)
    part = read_facilities(sample[2], bbox=box)
    inside = (
        (full.lon >= box[0]) & (full.lon <= box[2]) & (full.lat >= box[1]) & (full.lat <= box[3])
    )
    if full.areas is not None:
        import shapely

        for i, g in enumerate(full.areas):
            if g is not None:
                x0, y0, x1, y1 = shapely.bounds(g)
                inside[i] = x1 >= box[0] and x0 <= box[2] and y1 >= box[1] and y0 <= box[3]
    assert part.ids.tolist() == full.ids[inside].tolist()


@pytest.mark.parametrize("workers", [1, 2])
def test_partitioned_parquet_equals_single_pass(
    sample: tuple[Path, Path, Path], workers: int
) -> None:
    communities, _, parquet = sample
    single = livable.evaluate(communities, read_facilities(parquet))
    merged = evaluate_partitioned(communities, parquet, tile_m=1_500.0, workers=workers)
    assert merged.to_json() == single.to_json()


def test_partitioned_parquet_equals_the_gis_reader_single_pass(
    sample: tuple[Path, Path, Path],
) -> None:
    """The per-tile window reader and the whole-file GIS reader give the same report."""
    communities, _, parquet = sample
    single = livable.evaluate(communities, parquet)
    merged = evaluate_partitioned(communities, parquet, tile_m=3_000.0)
    assert merged.to_json() == single.to_json()


def test_projected_file_window_is_read_in_lonlat(tmp_path: Path) -> None:
    """A file in a projected CRS: the window (WGS84) is applied after conversion, not to
    the file's own coordinates."""
    import shapely

    from livable.geometry.crs import Projector

    crs = pyproj.CRS("EPSG:32649")
    proj = Projector.for_crs(crs)
    lon = np.array([108.94, 108.99, 109.30])
    lat = np.array([34.26, 34.27, 34.40])
    x, y = proj.forward(lon, lat)
    table = pa.table(
        {
            "id": ["a", "b", "c"],
            "type": ["clinic", "bank", "school"],
            "geometry": pa.array(shapely.to_wkb(shapely.points(x, y)).tolist(), type=pa.binary()),
        }
    )
    geo = {
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB", "crs": crs.to_json_dict()}},
    }
    table = table.replace_schema_metadata({b"geo": json.dumps(geo).encode()})
    path = tmp_path / "utm.parquet"
    pq.write_table(table, path)
    part = read_facilities(path, bbox=(108.9, 34.2, 109.0, 34.3))
    assert part.ids.tolist() == ["a", "b"]
    assert np.allclose(part.lon, lon[:2])


def test_properties_no_rule_reads_are_noted_in_both_parquet_paths(
    sample: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """An attribute no indicator reads (kept in the JSON ``attributes`` column) is noted as
    ignored by the whole-file GIS reader and by the tiled scan alike, and the ``bbox``
    covering column is an index, not a property (issue 24)."""
    communities, facilities, _ = sample
    fc = json.loads(facilities.read_text("utf-8"))
    fc["features"][0]["properties"]["address"] = "长安南路 1 号"
    layer = livable.read_facilities(fc)
    parquet = write_facilities(layer, tmp_path / "f.parquet", row_group_size=97)
    single = livable.evaluate(communities, parquet)
    merged = evaluate_partitioned(communities, parquet, tile_m=3_000.0)
    for report in (single, merged):
        (entry,) = [i for i in report.inputs if i.layer == "facilities"]
        assert [(n.kind, n.what) for n in entry.notes] == [("ignored", "'address'")]
    assert merged.to_json() == single.to_json()
