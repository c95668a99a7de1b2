"""Input validation through the Python API: the decision and message for each problem.

Decisions (``docs/reference/input-problems.md``): *stop* raises
:class:`~livable.errors.InputError`; *reject* lists the feature in ``rejected``; *repair*
reads it and lists it in ``repaired``. ``strict=True`` raises at the first problem in file
order. The CLI side (exit codes, one-line messages) is in ``test_bad_corpus.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pyproj
import pytest

from livable import (
    CRSError,
    InputError,
    Limits,
    ResourceLimitError,
    evaluate,
    read_communities,
    read_facilities,
)
from livable.io import MAX_POPULATION, PROJECTED_MARGIN_DEG

X, Y = 108.94, 34.26


def feature(fid: Any, geometry: Any, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"id": fid, **props}, "geometry": geometry}


def point(x: Any, y: Any) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [x, y]}


def square(x: float, y: float, d: float = 0.004) -> dict[str, Any]:
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def fc(*features: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features), **extra}


def reasons(layer: Any) -> dict[str | None, str]:
    return {r.id: r.reason for r in layer.rejected}


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"population": "3000"}, "not the text '3000': write it without quotes, e.g. 3000"),
        ({"population": "many"}, "population must be a number (residents), not the text"),
        ({"population": True}, "population must be a number (residents), not True"),
        ({"population": -5}, "population must be >= 0"),
        ({"population": 12.5}, "whole number of residents"),
        ({"population": float("nan")}, "finite number"),
        ({"population": 10**12}, "is not plausible"),
        ({"zone": "Central"}, "zone 'Central' is not 'central' or 'peripheral'"),
        ({"zone": 1}, "zone 1 is not"),
        ({"name": ["a"]}, "name must be text, not ['a']"),
        ({"district": {"zh": "碑林"}}, "district must be text"),
        ({"subdistrict": 1.5}, "subdistrict must be text"),
    ],
)
def test_wrong_property_types_reject_the_feature(props: dict[str, Any], message: str) -> None:
    layer = read_communities(fc(feature("bad", point(X, Y), **props), feature("ok", point(X, Y))))
    assert [c.id for c in layer.communities] == ["ok"]
    assert message in reasons(layer)["bad"]


def test_numeric_codes_are_kept_as_text() -> None:
    layer = read_communities(fc(feature(42, point(X, Y), district=610113, population=3000.0)))
    c = layer.communities[0]
    assert (c.id, c.district, c.population) == ("42", "610113", 3000)
    assert MAX_POPULATION >= 10**9


def test_the_feature_id_member_is_used_when_properties_lack_one() -> None:
    layer = read_communities(fc({"type": "Feature", "id": "top", "geometry": point(X, Y)}))
    assert [c.id for c in layer.communities] == ["top"]


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        (None, "feature has no geometry (null)"),
        ("POINT (1 2)", "geometry is not a GeoJSON geometry object"),
        ({"type": "Polygon", "coordinates": []}, "geometry is empty"),
        ({"type": "Point", "coordinates": []}, "geometry is empty"),
        ({"type": "MultiPolygon", "coordinates": [[]]}, "geometry is empty"),
        ({"type": "LineString", "coordinates": [[X, Y], [X, Y]]}, "not a LineString"),
        ({"type": "Circle", "coordinates": [X, Y]}, "unknown geometry type 'Circle'"),
        (point(X, float("inf")), "coordinates contain NaN or infinity"),
        (point(float("nan"), Y), "coordinates contain NaN or infinity"),
        (point("108.9", "34.2"), "coordinate '108.9' is text, not a number"),
        (point(True, False), "coordinate True is not a number"),
        ({"type": "Point", "coordinates": [X]}, "is not [x, y] or [x, y, z]"),
        ({"type": "Polygon", "coordinates": [[[X, Y], [X, Y + 1], [X, Y]]]}, "at least 4"),
        ({"type": "Polygon", "coordinates": "abc"}, "must be a list of rings"),
        (point(Y, X), "longitude and latitude look swapped"),
        (point(500000.0, 3792000.0), "looks projected (metres)"),
        (point(0, 0), "null island"),
        (point(190.0, 45.0), "outside the longitude/latitude range"),
    ],
)
def test_bad_geometries_reject_the_feature(geometry: Any, message: str) -> None:
    layer = read_communities(fc(feature("bad", geometry), feature("ok", square(X, Y))))
    assert [c.id for c in layer.communities] == ["ok"]
    assert message in reasons(layer)["bad"]
    assert layer.rejected[0].source == "<memory>#0"


def test_3d_positions_are_accepted() -> None:
    layer = read_communities(fc(feature("z", {"type": "Point", "coordinates": [X, Y, 420.0]})))
    assert [c.id for c in layer.communities] == ["z"]


def test_self_intersecting_polygons_are_repaired_and_reported() -> None:
    bowtie = [[X, Y], [X + 0.01, Y + 0.01], [X + 0.01, Y], [X, Y + 0.01], [X, Y]]
    layer = read_communities(fc(feature("bow", {"type": "Polygon", "coordinates": [bowtie]})))
    (c,) = layer.communities
    assert c.geometry.is_valid
    assert c.geometry.area == pytest.approx(0.5 * 0.01**2)  # both lobes kept
    assert "repaired with shapely.make_valid" in layer.repaired[0].reason
    with pytest.raises(InputError, match="without --strict it would be repaired"):
        read_communities(
            fc(feature("bow", {"type": "Polygon", "coordinates": [bowtie]})), strict=True
        )


def test_unclosed_rings_are_closed_and_reported() -> None:
    ring = [[X, Y], [X + 0.01, Y], [X + 0.01, Y + 0.01], [X, Y + 0.01]]
    layer = read_communities(fc(feature("open", {"type": "Polygon", "coordinates": [ring]})))
    assert layer.communities[0].geometry.area > 0
    assert "ring was not closed" in layer.repaired[0].reason


def test_a_polygon_without_area_is_rejected_not_repaired() -> None:
    flat = [[X, Y], [X + 0.01, Y], [X + 0.02, Y], [X, Y]]
    layer = read_communities(fc(feature("flat", {"type": "Polygon", "coordinates": [flat]})))
    assert "cannot be repaired: it has no area" in reasons(layer)["flat"]
    assert layer.repaired == ()


def test_duplicate_ids_reject_every_copy() -> None:
    layer = read_communities(
        fc(feature("a", point(X, Y)), feature("b", point(X, Y)), feature("a", point(X, Y)))
    )
    assert [c.id for c in layer.communities] == ["b"]
    assert [r.source for r in layer.rejected] == ["<memory>#0", "<memory>#2"]
    assert "2 features share it (#0, #2)" in layer.rejected[0].reason


def test_strict_stops_at_the_first_problem_in_file_order() -> None:
    data = fc(
        feature("ok", point(X, Y)),
        feature("swapped", point(Y, X)),  # found by the coordinate pass
        feature("nogeom", None),  # found by the first pass
    )
    with pytest.raises(InputError) as exc:
        read_communities(data, strict=True)
    assert (exc.value.index, exc.value.feature_id) == (1, "swapped")
    assert str(exc.value).startswith("<memory>#1 (id 'swapped'): longitude and latitude")


def test_geographic_crs_area_of_use_detects_swaps_in_range() -> None:
    # (34.26, 108.94) is a valid lon/lat somewhere, but not within CGCS2000's China
    layer = read_communities(
        fc(feature("sw", point(34.26, 108.94 - 60)), feature("ok", point(X, Y))), crs="EPSG:4490"
    )
    assert "outside the area where EPSG:4490 is valid" in reasons(layer)["sw"]
    data = fc(feature("sw", point(Y + 10, X - 60)))
    layer = read_communities(data, crs="EPSG:4490")
    assert "is outside the area where EPSG:4490" in reasons(layer)["sw"]
    layer = read_communities(fc(feature("sw", point(40.0, 110.0 - 30))), crs="EPSG:4490")
    assert "longitude and latitude look swapped" in reasons(layer)["sw"]


def test_projected_crs_area_of_use() -> None:
    to_gk = pyproj.Transformer.from_crs(4326, 4545, always_xy=True)
    x, y = to_gk.transform(X, Y)
    edge_x, _ = to_gk.transform(109.5 + PROJECTED_MARGIN_DEG - 0.2, Y)  # inside the margin
    layer = read_communities(
        fc(
            feature("ok", point(x, y)),
            feature("edge", point(edge_x, y)),
            feature("swapped", point(y, x)),
            feature("lonlat", point(X, Y)),
            feature("prefix", point(36_000_000 + x, y)),
        ),
        crs="EPSG:4545",
    )
    assert sorted(c.id for c in layer.communities) == ["edge", "ok"]
    why = reasons(layer)
    assert "easting and northing look swapped" in why["swapped"]
    assert "looks like longitude/latitude degrees" in why["lonlat"]
    assert "Gauss-Kruger zone number" in why["prefix"]
    assert layer.communities[0].geometry.x == pytest.approx(X)


def test_degrees_in_a_utm_file_are_caught() -> None:
    # UTM 49N's area reaches the equator, where (108.9 m, 34.2 m) would lie: only the
    # "degrees within 200 m of the false origin" rule catches it
    to_utm = pyproj.Transformer.from_crs(4326, 32649, always_xy=True)
    data = fc(feature("ok", point(*to_utm.transform(X, Y))), feature("deg", point(X, Y)))
    layer = read_communities(data, crs="EPSG:32649")
    assert [c.id for c in layer.communities] == ["ok"]
    assert "looks like longitude/latitude degrees" in reasons(layer)["deg"]


def test_a_crs_without_area_still_rejects_unconvertible_points() -> None:
    crs = "+proj=ortho +lat_0=34 +lon_0=109 +ellps=WGS84"  # no area of use
    layer = read_communities(
        fc(feature("ok", point(1000.0, 2000.0)), feature("far", point(9e6, 9e6))), crs=crs
    )
    assert [c.id for c in layer.communities] == ["ok"]
    assert "far" in reasons(layer)


def test_a_datum_needs_lon_lat() -> None:
    with pytest.raises(CRSError, match="datum 'gcj02' applies to longitude/latitude"):
        read_communities(fc(), crs="EPSG:4545", datum="gcj02")


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({}, "missing facility 'type' property"),
        ({"type": ""}, "missing facility 'type' property"),
        ({"type": 7}, "facility type must be text"),
        ({"type": "Kindergarten"}, "did you mean 'kindergarten'?"),
        ({"type": "spaceport"}, "unknown facility type 'spaceport' (`livable plugins`"),
        ({"type": "clinic", "quality": "4.5"}, "not the text '4.5': write it without quotes"),
        ({"type": "clinic", "quality": float("inf")}, "quality must be a finite number"),
        ({"type": "clinic", "brand": ["x"]}, "brand must be text"),
    ],
)
def test_facility_problems(props: dict[str, Any], message: str) -> None:
    layer = read_facilities(
        fc(feature("bad", point(X, Y), **props), feature("ok", point(X, Y), type="clinic"))
    )
    assert layer.ids.tolist() == ["ok"]
    assert message in reasons(layer)["bad"]


def test_facility_areas_are_checked_and_repaired() -> None:
    bowtie = [[X, Y], [X + 0.01, Y + 0.01], [X + 0.01, Y], [X, Y + 0.01], [X, Y]]
    layer = read_facilities(
        fc(
            feature("park", {"type": "Polygon", "coordinates": [bowtie]}, type="leisure_space"),
            feature("swapped", square(Y, X), type="leisure_space"),
            feature("line", {"type": "LineString", "coordinates": [[X, Y], [X, Y]]}, type="bank"),
        )
    )
    assert layer.ids.tolist() == ["park"]
    assert layer.areas is not None
    assert layer.areas[0].is_valid
    assert "make_valid" in layer.repaired[0].reason
    assert "swapped" in reasons(layer)["swapped"]
    assert "not a LineString" in reasons(layer)["line"]


# -- the file as a whole ---------------------------------------------------------------------


def test_bom_is_accepted() -> None:
    data = b"\xef\xbb\xbf" + orjson.dumps(fc(feature("a", point(X, Y))))
    assert [c.id for c in read_communities(data).communities] == ["a"]


def test_gb18030_gets_a_helpful_message(tmp_path: Path) -> None:
    path = tmp_path / "gbk.geojson"
    text = orjson.dumps(fc(feature("a", point(X, Y), name="小寨社区"))).decode()
    path.write_bytes(text.encode("gb18030"))
    with pytest.raises(InputError) as exc:
        read_communities(path)
    message = str(exc.value)
    assert message.startswith(f"{path}: not UTF-8 text")
    assert "GB18030" in message
    assert "iconv -f GB18030 -t UTF-8" in message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        (b"[]", "top level is a JSON array"),
        (b'"FeatureCollection"', "top level is a JSON string"),
        (b"42", "top level is a JSON number"),
        (b'{"type": "Polygon", "coordinates": []}', "a bare geometry"),
        (b'{"type": "FeatureCollection"}', '"features" must be a JSON array'),
        (b'{"type": "FeatureCollection", "features": [}', "not valid JSON at line 1"),
        (b'{"a": Infinity}', "NaN and Infinity are not JSON numbers"),
        (b"[" * 2000, "nested too deeply"),
        (b'{"a": 1e400}', "not valid JSON"),
        ("é".encode("latin-1") + b"{}", "not UTF-8 text (invalid byte 0xe9 on line 1)"),
    ],
)
def test_unusable_files_stop(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as exc:
        read_communities(data)
    assert message in str(exc.value)
    assert str(exc.value).startswith("<bytes>: ")


def test_missing_files_and_folders(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_communities(tmp_path / "nope.geojson")
    with pytest.raises(InputError, match="cannot read file"):
        read_communities(tmp_path)
    with pytest.raises(InputError, match="looks like JSON text"):
        read_communities('{"type": "FeatureCollection", "features": []}')


# -- limits ----------------------------------------------------------------------------------


def test_file_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "c.geojson"
    path.write_bytes(orjson.dumps(fc(*[feature(f"c{i}", point(X, Y)) for i in range(50)])))
    size = path.stat().st_size
    with pytest.raises(ResourceLimitError, match=f"file is {size:,} bytes, over the limit"):
        read_communities(path, limits=Limits(max_file_bytes=size - 1))
    assert len(read_communities(path, limits=Limits(max_file_bytes=size)).communities) == 50
    with pytest.raises(ResourceLimitError, match="over the limit"):
        read_communities(path.read_bytes(), limits=Limits(max_file_bytes=100))


def test_feature_count_limit_applies_to_every_source() -> None:
    data = fc(*[feature(f"c{i}", point(X, Y)) for i in range(5)])
    limits = Limits(max_features=4)
    for source in (data, orjson.dumps(data)):
        with pytest.raises(ResourceLimitError, match="5 features, over the limit of 4"):
            read_communities(source, limits=limits)
        with pytest.raises(ResourceLimitError):
            read_facilities(source, limits=limits)
    with pytest.raises(ResourceLimitError):
        evaluate(data, fc(), limits=limits)


def test_limits_validate_themselves() -> None:
    with pytest.raises(ValueError, match="max_file_bytes"):
        Limits(max_file_bytes=-1)
    with pytest.raises(ValueError, match="max_features"):
        Limits(max_features=True)


def test_evaluate_keeps_every_community_with_nothing_valid() -> None:
    report = evaluate(fc(feature("a", None), feature(None, point(X, Y))), fc())
    assert report.communities == ()
    assert len(report.rejected) == 2
    assert report.summary.communities == 2


# -- the layer as a whole ----------------------------------------------------------------------


def _kindergarten() -> dict[str, Any]:
    return fc(feature("k", point(X + 0.01, Y), type="kindergarten"))


def test_a_far_away_community_cannot_distort_the_others() -> None:
    near = [feature("a", point(X, Y)), feature("b", point(X + 0.002, Y + 0.002))]
    alone = evaluate(fc(*near), _kindergarten())
    with_far = evaluate(fc(*near, feature("boston", point(-71.06, 42.36))), _kindergarten())
    assert with_far.working_crs == alone.working_crs == "EPSG:32649"
    assert with_far.to_dict()["communities"] == alone.to_dict()["communities"]
    (far,) = with_far.rejected
    assert (far.id, far.source) == ("boston", "<memory>#2")
    assert "far from the other communities: at (-71.06, 42.36)" in far.reason
    with pytest.raises(InputError, match=r"<memory>#2 \(id 'boston'\): far from the other"):
        evaluate(fc(*near, feature("boston", point(-71.06, 42.36))), _kindergarten(), strict=True)


def test_a_named_working_crs_accepts_the_distortion() -> None:
    data = fc(feature("a", point(X, Y)), feature("boston", point(-71.06, 42.36)))
    with pytest.raises(InputError, match="no majority of them lies close together"):
        evaluate(data, _kindergarten())
    report = evaluate(data, _kindergarten(), working_crs="EPSG:32649")
    assert [c.id for c in report.communities] == ["a", "boston"]


def test_a_province_fits_in_one_working_crs() -> None:
    # Shaanxi spans about 105.5-111.3 E: one UTM zone measures it within 0.5 %
    data = fc(feature("hanzhong", point(107.02, 33.07)), feature("yulin", point(109.73, 38.29)))
    data["features"].append(feature("ankang", point(109.03, 32.68)))
    report = evaluate(data, _kindergarten())
    assert report.rejected == ()
    assert len(report.communities) == 3


def test_csv_files_are_limited_and_validated_too(tmp_path: Path) -> None:
    path = tmp_path / "communities.csv"
    rows = ["id,name,population,lon,lat", f"a,小寨,3000,{X},{Y}", f"b,swapped,3000,{Y},{X}"]
    rows.append(f"c,text,many,{X},{Y}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ResourceLimitError, match="over the limit"):
        read_communities(path, limits=Limits(max_file_bytes=20))
    layer = read_communities(path)
    assert [c.id for c in layer.communities] == ["a"]
    assert [r.source for r in layer.rejected] == [f"{path}:line 3", f"{path}:line 4"]
    assert "longitude and latitude look swapped" in layer.rejected[0].reason
    assert "population must be a number" in layer.rejected[1].reason
    with pytest.raises(InputError, match=r"line 3 \(id 'b'\): longitude and latitude"):
        read_communities(path, strict=True)
