"""GIS facility files read as columns give exactly the per-feature path's layer (issue 16).

A shapefile, GeoPackage, FlatGeobuf or GeoParquet file of clean points with only the core
columns (``id``, ``type``, ``name``, ``brand``, ``quality``) is read as columns and checked
over them (``livable.io._fast``); any other file, or one with a row a check would stop,
is read feature by feature, which says why in its usual words. Either way the layer must
be the per-feature path's: a ``rename`` mapping always takes that path, so it is the
reference.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livable.io import read_facilities
from livable.io._fast import fast_facilities
from livable.io.geoparquet import read_facilities as read_parquet_window
from livable.io.geoparquet import scan_facilities

sys.path.insert(0, str(Path(__file__).parent))
from test_fast_reader import KNOWN, REFERENCE, assert_same

SUFFIXES = (".parquet", ".gpkg", ".fgb", ".shp", ".csv")
AXES = (("lon", "lat"), ("lng", "latitude"), ("经度", "纬度"), ("x", "y"))
names = st.none() | st.text(st.characters(codec="utf-8", categories=("L", "N", "Zs")), max_size=5)


@st.composite
def tables(draw: Any, clean: bool) -> tuple[dict[str, list[Any]], list[Any], bool]:
    """Columns and geometries of a facility file, and whether every row is clean."""
    n = draw(st.integers(1, 10))
    all_clean = True
    ids: list[Any] = []
    types: list[Any] = []
    geoms: list[Any] = []
    for i in range(n):
        odd = not clean and draw(st.booleans())
        all_clean &= not odd
        ids.append(draw(st.sampled_from([f"f{i}", f" f{i} ", "f0", ""])) if odd else f"f{i}")
        types.append(
            draw(st.sampled_from(["Clinic", "bank"]))
            if odd
            else draw(st.sampled_from(sorted(KNOWN)))
        )
        x, y = draw(st.floats(108.5, 109.5)), draw(st.floats(34.0, 34.5))
        point = shapely.Point(x, y)
        if odd and draw(st.booleans()):
            point = draw(st.sampled_from([point.buffer(0.001), shapely.Point(x + 400, y)]))
        geoms.append(point)
    columns: dict[str, list[Any]] = {"id": ids, "type": types}
    if draw(st.booleans()):
        columns["name"] = [draw(names) for _ in range(n)]
    if draw(st.booleans()):
        columns["brand"] = [draw(names) for _ in range(n)]
    if draw(st.booleans()):
        high = 5 if clean else 7
        columns["quality"] = [draw(st.none() | st.floats(1, high)) for _ in range(n)]
        all_clean &= all(q is None or q <= 5 for q in columns["quality"])
    if not clean and draw(st.booleans()):
        columns["beds"] = [draw(st.integers(0, 9)) for _ in range(n)]
        all_clean = False
    if not clean and draw(st.booleans()):
        columns["id"] = list(range(n))  # numeric ids: read by row, as text
        all_clean = False
    return columns, geoms, all_clean


def write(
    folder: Path, suffix: str, columns: dict[str, list[Any]], geoms: list[Any], odd: int = 0
) -> Path:
    """The file; ``odd`` picks a CSV's coordinate columns and (when not clean) a quirk."""
    path = folder / f"facilities{suffix}"
    for old in folder.glob("facilities.*"):
        old.unlink()
    if suffix == ".csv":
        return write_csv(path, columns, geoms, odd)
    if suffix == ".shp":  # one geometry type a shapefile: a point far outside instead
        geoms = [g if g.geom_type == "Point" else shapely.Point(400, 34) for g in geoms]
    frame = gpd.GeoDataFrame(columns, geometry=geoms, crs="EPSG:4326")
    if suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_file(path)
    return path


def write_csv(path: Path, columns: dict[str, list[Any]], geoms: list[Any], odd: int) -> Path:
    lon, lat = AXES[odd % len(AXES)]
    rows = [[*columns, lon, lat]]
    for i, g in enumerate(geoms):
        point = g if g.geom_type == "Point" else shapely.Point(400, 34)
        cells = ["" if c[i] is None else str(c[i]) for c in columns.values()]
        rows.append([*cells, repr(point.x), repr(point.y)])
    quirk = odd // len(AXES)
    if quirk == 1:
        rows[-1].append("1")  # one value more than the header
    elif quirk == 2:
        rows.insert(1, [""] * len(rows[0]))  # a blank row, skipped
    elif quirk == 3:
        rows[-1][-1] = "nan"  # not a coordinate
    elif quirk == 4:
        rows[-1][0] = f" {rows[-1][0]} "  # an id with spaces, kept stripped
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def reference(path: Path) -> Any:
    return read_facilities(path, known_types=KNOWN, **REFERENCE)


@pytest.mark.parametrize("suffix", SUFFIXES)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=tables(clean=True), axes=st.integers(0, len(AXES) - 1))
def test_a_clean_gis_file_takes_the_columnar_path_with_the_same_layer(
    tmp_path: Path, suffix: str, case: tuple[dict[str, list[Any]], list[Any], bool], axes: int
) -> None:
    columns, geoms, _ = case
    path = write(tmp_path, suffix, columns, geoms, axes)
    fast = fast_facilities(path, KNOWN, {})
    assert fast is not None
    assert_same(fast, reference(path))
    assert_same(read_facilities(path, known_types=KNOWN), fast)


@pytest.mark.parametrize("suffix", SUFFIXES)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=tables(clean=False), odd=st.integers(0, 5 * len(AXES) - 1))
def test_any_gis_file_reads_as_the_per_feature_path_reads_it(
    tmp_path: Path, suffix: str, case: tuple[dict[str, list[Any]], list[Any], bool], odd: int
) -> None:
    columns, geoms, clean = case
    path = write(tmp_path, suffix, columns, geoms, odd)
    clean = clean and (suffix != ".csv" or odd // len(AXES) in (0, 2, 4))
    expected = reference(path)
    assert_same(read_facilities(path, known_types=KNOWN), expected)
    if fast_facilities(path, KNOWN, {}) is not None:  # only when nothing was wanting
        assert not expected.rejected and not expected.repaired
    if clean:
        assert fast_facilities(path, KNOWN, {}) is not None


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=tables(clean=False), window=st.booleans())
def test_the_window_reader_and_the_scan_read_row_groups_as_rows_are_read(
    tmp_path: Path, case: tuple[dict[str, list[Any]], list[Any], bool], window: bool
) -> None:
    """GeoParquet by window (a tile's read) and the whole-file scan: row groups of clean
    points are read as columns, with the layer and rejections of the per-feature path."""
    columns, geoms, _ = case
    path = write(tmp_path, ".parquet", columns, geoms)
    bbox = (108.5, 34.0, 109.0, 34.5) if window else None
    fast = read_parquet_window(path, bbox=bbox, known_types=KNOWN)
    slow = read_parquet_window(path, bbox=bbox, known_types=KNOWN, columnar=False)
    assert_same(fast, slow)
    scanned, bad = scan_facilities(path, known_types=KNOWN)
    scanned_slow, bad_slow = scan_facilities(path, known_types=KNOWN, columnar=False)
    assert bad == bad_slow
    assert_same(scanned, scanned_slow)
