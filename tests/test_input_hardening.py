"""Hostile inputs through the readers and the Python API (issue 21, classes 4, 5, 6, 8).

Each test feeds one class of input an adversary tried and checks the documented outcome
(``docs/reference/input-problems.md``, "Hostile values"): a :class:`~livable.LivableError`
with a message that says what is wrong, a rejection with its reason, or an accepted
feature; never another exception.
"""

from __future__ import annotations

import gzip
import re
from typing import Any

import orjson
import pytest

from livable import (
    InputError,
    PluginManager,
    evaluate,
    load_profile,
    read_communities,
    read_facilities,
    read_residents,
)
from livable.io import read_streets
from livable.models import Community, Facility
from livable.testing import community, facility

X, Y = 108.94, 34.26
PLUGINS = PluginManager(load_entry_points=False)
PROFILE = load_profile("xian-2020")


def _fc(*features: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def _feature(fid: Any, geometry: Any, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"id": fid, **props}, "geometry": geometry}


def _point(x: Any = X, y: Any = Y) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [x, y]}


def _square(x: float = X, y: float = Y, d: float = 0.004) -> dict[str, Any]:
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _reasons(layer: Any) -> list[str]:
    return [r.reason for r in layer.rejected]


# -- class 4: the NaN message survives UTF-8 text before the number ------------------------


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_after_chinese_text_is_named(literal: str) -> None:
    text = (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"id": "c1", "name": "雁塔区小寨路街道小寨社区居民委员会"}, "geometry": '
        f'{{"type": "Point", "coordinates": [{literal}, 34.26]}}}}]}}'
    )
    with pytest.raises(InputError, match="NaN and Infinity are not JSON numbers"):
        read_communities(text.encode("utf-8"))


def test_truncated_file_after_chinese_text_is_named() -> None:
    text = orjson.dumps(_fc(_feature("c1", _point(), name="雁塔区小寨社区" * 20)))
    cut = text[: len(text) - 20]
    with pytest.raises(InputError, match=r"not valid JSON at line 1 column \d+: .*truncated"):
        read_communities(cut)


# -- class 5: one numeric guard ----------------------------------------------------------------


@pytest.mark.parametrize(
    "geometry",
    [
        _point(10**400, Y),
        _point(X, -(10**400)),
        {"type": "Point", "coordinates": [X, Y, 10**400]},
        {"type": "Polygon", "coordinates": [[[X, Y], [X + 0.01, Y], [10**400, Y], [X, Y]]]},
        {"type": "MultiPolygon", "coordinates": [[[[X, Y], [X, 10**400], [X, Y], [X, Y]]]]},
    ],
)
def test_huge_coordinates_reject_the_feature(geometry: Any) -> None:
    layer = read_communities(_fc(_feature("c1", geometry), _feature("ok", _point())))
    assert [c.id for c in layer.communities] == ["ok"]
    assert re.search(
        r"coordinate out of range: a (negative )?number of about 401 digits", _reasons(layer)[0]
    )
    f_layer = read_facilities(_fc(_feature("f1", geometry, type="clinic")))
    assert len(f_layer) == 0
    assert "out of range" in _reasons(f_layer)[0]


def test_huge_street_coordinates_reject_the_street() -> None:
    line = {"type": "LineString", "coordinates": [[X, Y], [10**400, Y]]}
    layer = read_streets(_fc(_feature("s1", line)))
    assert "coordinate out of range" in _reasons(layer)[0]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (10**400, "population is out of range: a number of about 401 digits"),
        (-(10**400), "population is out of range"),
        (2**70, "population 1180591620717411303424 is out of range"),
        (2.0**70, "is out of range: more than 1,000,000,000 residents"),
        (1e300, "is out of range"),
    ],
)
def test_population_out_of_range_is_said_so(value: Any, message: str) -> None:
    layer = read_communities(_fc(_feature("c1", _point(), population=value)))
    (reason,) = _reasons(layer)
    assert message in reason
    assert "whole number" not in reason  # 2**70 is whole: the problem is its size


def test_population_2_pow_70_from_a_file() -> None:
    data = b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
    data += b'{"id": "c1", "population": 1180591620717411303424}, "geometry": '
    data += b'{"type": "Point", "coordinates": [108.94, 34.26]}}]}'
    assert "is out of range" in _reasons(read_communities(data))[0]


@pytest.mark.parametrize("value", [10**400, float("nan"), float("inf"), 99, -1, 0, 5.5])
def test_quality_out_of_range_rejects_the_facility(value: Any) -> None:
    layer = read_facilities(_fc(_feature("f1", _point(), type="clinic", quality=value)))
    assert len(layer) == 0
    (reason,) = _reasons(layer)
    assert "quality" in reason
    assert ("1-5 scale" in reason) or ("out of range" in reason) or ("finite" in reason)


def test_quality_on_the_scale_is_kept() -> None:
    for value in (1, 4.5, 5):
        layer = read_facilities(_fc(_feature("f1", _point(), type="clinic", quality=value)))
        assert layer.quality.tolist() == [float(value)]
    with pytest.raises(ValueError, match="quality must be a score from 1 to 5"):
        facility("f1", "clinic", X, Y, quality=99)


def test_huge_resident_population_is_rejected() -> None:
    fc = _fc(_feature("r", _point(), community="c1", population=10**400))
    assert "out of range" in _reasons(read_residents(fc))[0]


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("green_ratio", 10**400),
        ("green_ratio", -(10**400)),
        pytest.param("green_ratio", 10**5000, id="green_ratio-5000-digits"),  # repr refuses it
        pytest.param("green_ratio", [10**5000], id="green_ratio-list-5000-digits"),
        ("green_ratio", float("nan")),
        ("green_ratio", 1e308),
        ("property_management", 10**400),
        ("low_carbon_measures", 10**400),
        ("community_workers", 10**400),
        pytest.param("community_workers", 10**5000, id="community_workers-5000-digits"),
        ("satisfaction", float("-inf")),
    ],
)
def test_a_huge_attribute_is_not_assessed(attribute: str, value: Any) -> None:
    comms = [community("c1", X, Y, population=3000, **{attribute: value})]
    report = evaluate(comms, [facility("f1", "clinic", X, Y)], profile=PROFILE, plugins=PLUGINS)
    (result,) = report.communities
    indicators = {i.id: i for i in result.indicators}
    found = [i for i in indicators.values() if attribute in i.message_en]
    assert found, [i.message_en for i in indicators.values()]
    assert all(i.status == "not_assessed" for i in found), [i.message_en for i in found]


def test_community_model_refuses_a_huge_population() -> None:
    with pytest.raises(ValueError, match="within a float's range"):
        Community(id="c1", geometry=_shape(), population=10**400)


def _shape() -> Any:
    import shapely

    return shapely.Point(X, Y)


@pytest.mark.parametrize(
    ("communities", "facilities", "message"),
    [
        (None, "F", "communities must be a GeoJSON file path, .*not None"),
        (5, "F", "communities must be .*, not an int"),
        (object(), "F", "communities must be .*, not an object"),
        (3.5, "F", "communities must be .*, not a float"),
        ([1, 2], "F", "item 0 is an int, not a Community"),
        ([_feature("c1", _point())], "F", 'item 0 is a dict.*"FeatureCollection"'),
        ("C", None, "facilities must be .*FacilityLayer or Facility objects, not None"),
        ("C", 5, "facilities must be .*, not an int"),
        ("C", ["x"], "item 0 is a str, not a Facility"),
        ("C", [community("c1", X, Y)], "item 0 is a Community, not a Facility"),
    ],
)
def test_evaluate_names_the_bad_argument(communities: Any, facilities: Any, message: str) -> None:
    good_c = [community("c1", X, Y)]
    good_f = [facility("f1", "clinic", X, Y)]
    c = good_c if communities == "C" else communities
    f = good_f if facilities == "F" else facilities
    with pytest.raises(InputError, match=message):
        evaluate(c, f, profile=PROFILE, plugins=PLUGINS)


def test_evaluate_accepts_every_documented_kind(tmp_path: Any) -> None:
    fc_c = _fc(_feature("c1", _square()))
    fc_f = _fc(_feature("f1", _point(X + 0.001, Y), type="clinic"))
    path = tmp_path / "c.geojson"
    path.write_bytes(orjson.dumps(fc_c))
    kinds: list[Any] = [fc_c, orjson.dumps(fc_c), path, str(path), read_communities(fc_c)]
    kinds.append([Community(id="c1", geometry=read_communities(fc_c).communities[0].geometry)])
    for kind in kinds:
        report = evaluate(kind, fc_f, profile=PROFILE, plugins=PLUGINS)
        assert [c.id for c in report.communities] == ["c1"]
    facilities = [Facility(id="f1", type="clinic", geometry=_shape())]
    assert evaluate(fc_c, facilities, profile=PROFILE, plugins=PLUGINS).communities


# -- class 6: geometry -------------------------------------------------------------------------


def test_a_ring_mixing_2d_and_3d_positions_is_accepted() -> None:
    ring = [[X, Y], [X + 0.01, Y, 420.0], [X + 0.01, Y + 0.01], [X, Y + 0.01, 0], [X, Y]]
    poly = {"type": "Polygon", "coordinates": [ring]}
    multi = {"type": "MultiPolygon", "coordinates": [[ring]]}
    for geometry in (poly, multi):
        layer = read_communities(_fc(_feature("c1", geometry)))
        assert not layer.rejected and not layer.repaired
        (c,) = layer.communities
        assert not c.geometry.has_z
        assert c.geometry.area == pytest.approx(1e-4)
    f_layer = read_facilities(_fc(_feature("p1", poly, type="leisure_space")))
    assert len(f_layer) == 1 and not f_layer.rejected


def test_a_line_mixing_2d_and_3d_positions_is_accepted() -> None:
    line = {"type": "LineString", "coordinates": [[X, Y, 3.0], [X + 0.01, Y], [X + 0.02, Y, 1]]}
    layer = read_streets(_fc(_feature("s1", line)))
    assert layer.ids == ("s1",) and not layer.lines[0].has_z


def test_no_usable_streets_says_why() -> None:
    line = {"type": "LineString", "coordinates": [[X, Y], [X + 0.01, Y]]}
    streets = _fc(
        {"type": "Feature", "properties": {"name": "长安路"}, "geometry": line},
        {"type": "Feature", "properties": {}, "geometry": line},
        _feature("s3", _point()),
    )
    comms = [community("c1", X, Y)]
    fac = [facility("f1", "clinic", X, Y)]
    with pytest.raises(InputError) as exc:
        evaluate(comms, fac, distance="network", streets=streets, profile=PROFILE, plugins=PLUGINS)
    text = str(exc.value)
    assert "no usable street lines: 3 of 3 features rejected" in text
    assert "2 x missing id: every street needs a unique 'id' property" in text
    assert "(first <memory>#0)" in text
    assert "1 x a street must be a LineString or MultiLineString, not a Point" in text


# -- class 8: the reader's smaller messages ------------------------------------------------


def test_gzip_bytes_are_told_to_decompress() -> None:
    data = gzip.compress(orjson.dumps(_fc(_feature("c1", _point()))))
    with pytest.raises(InputError, match=r"looks like a gzip file.*decompress it first"):
        read_communities(data)


@pytest.mark.parametrize(
    ("magic", "kind"),
    [(b"PK\x03\x04", "a zip archive"), (b"BZh91AY", "a bzip2 file"), (b"\xfd7zXZ\x00", "xz")],
)
def test_other_archives_are_named(magic: bytes, kind: str) -> None:
    with pytest.raises(InputError, match=kind):
        read_communities(magic + b"\x00\x01\x02")


@pytest.mark.parametrize("marks", [2, 3])
def test_several_byte_order_marks_are_counted(marks: int) -> None:
    data = b"\xef\xbb\xbf" * marks + orjson.dumps(_fc(_feature("c1", _point())))
    with pytest.raises(InputError, match=f"starts with {marks} byte-order marks"):
        read_communities(data)
    one = b"\xef\xbb\xbf" + orjson.dumps(_fc(_feature("c1", _point())))
    assert [c.id for c in read_communities(one).communities] == ["c1"]


@pytest.mark.parametrize(
    ("given", "suggested"),
    [
        ("幼儿园", "kindergarten"),
        ("kindergarden", "kindergarten"),
        ("Kindergarten", "kindergarten"),
        ("community clinic", "clinic"),
        ("便利店", "convenience_store"),
        ("快递驿站", "parcel_point"),
    ],
)
def test_facility_type_suggestion_matches_labels(given: str, suggested: str) -> None:
    layer = read_facilities(_fc(_feature("f1", _point(), type=given)))
    assert f"did you mean {suggested!r}?" in _reasons(layer)[0]


# -- the antimeridian --------------------------------------------------------------------------

FIJI = [[179.9, -16.5], [-179.9, -16.5], [-179.9, -16.4], [179.9, -16.4], [179.9, -16.5]]
BOWTIE = [[179.95, -16.5], [-179.95, -16.45], [179.95, -16.4], [179.9, -16.45], [179.95, -16.5]]


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Polygon", "coordinates": [FIJI]},
        {"type": "Polygon", "coordinates": [BOWTIE]},
        {  # split at 180 as RFC 7946 asks: still one community round the globe
            "type": "MultiPolygon",
            "coordinates": [
                [[[179.9, -16.5], [180, -16.5], [180, -16.4], [179.9, -16.4], [179.9, -16.5]]],
                [[[-180, -16.5], [-179.9, -16.5], [-179.9, -16.4], [-180, -16.4], [-180, -16.5]]],
            ],
        },
    ],
)
def test_a_polygon_across_the_antimeridian_is_rejected(geometry: Any) -> None:
    layer = read_communities(_fc(_feature("fj", geometry)))
    assert not layer.communities and not layer.repaired  # no false "self-intersection"
    (reason,) = _reasons(layer)
    assert "crosses the antimeridian: its longitudes run from -1" in reason
    assert "split it at 180 degrees into one feature per side" in reason
    f_layer = read_facilities(_fc(_feature("park", geometry, type="leisure_space")))
    assert "crosses the antimeridian" in _reasons(f_layer)[0]
    line = {"type": "LineString", "coordinates": [[179.9, -16.5], [-179.9, -16.5]]}
    assert "crosses the antimeridian" in _reasons(read_streets(_fc(_feature("s", line))))[0]


def test_communities_on_both_sides_of_180_are_evaluated() -> None:
    east = _feature("east", _square(179.98, -16.5, 0.01))
    west = _feature("west", _square(-179.99, -16.5, 0.01))
    fac = _fc(_feature("f1", _point(179.999, -16.495), type="clinic"))
    report = evaluate(_fc(east, west), fac, profile=PROFILE, plugins=PLUGINS)
    assert sorted(c.id for c in report.communities) == ["east", "west"]
    near = {c.id: c.access_to("clinic").nearest_m for c in report.communities}
    assert near["east"] == pytest.approx(1496, abs=20)
    assert near["west"] == pytest.approx(1710, abs=20)  # measured across 180, not round


def test_a_projected_polygon_is_not_checked_for_the_antimeridian() -> None:
    poly = _square(500000.0, 3792000.0, 1000.0)  # metres: a span of 1000, not degrees
    layer = read_communities(_fc(_feature("m", poly)), crs="EPSG:32649")
    assert [c.id for c in layer.communities] == ["m"]


# -- duplicate keys ----------------------------------------------------------------------------

_F = '{"type": "Feature", "properties": {"id": "%s"%s}, "geometry": {"type": "Point", '
_F += '"coordinates": [108.94, 34.26]%s}}'


def _text(*features: str, head: str = "") -> bytes:
    body = ", ".join(features)
    return f'{{"type": "FeatureCollection", {head}"features": [{body}]}}'.encode()


def test_a_repeated_property_rejects_the_feature() -> None:
    data = _text(
        _F % ("a", ', "population": 1, "population": 2', ""),
        _F % ("b", ', "name": "x:y\\u003a \\\\u003a"', ""),  # colons in text are not keys
        _F % ("c", ', "extra": {"k": 1, "k": 2}', ""),
        _F % ("d", "", ', "type": "Polygon"'),
    )
    layer = read_communities(data)
    assert [c.id for c in layer.communities] == ["b"]
    assert layer.communities[0].name == "x:y: \\u003a"
    reasons = {r.source: r.reason for r in layer.rejected}
    assert reasons["<bytes>#0"].startswith("duplicate key 'population' in properties: JSON")
    assert reasons["<bytes>#2"].startswith("duplicate key 'k' in properties.extra")
    assert reasons["<bytes>#3"].startswith("duplicate key 'type' in geometry")
    with pytest.raises(InputError, match=r"#0 \(id 'a'\): duplicate key 'population'"):
        read_communities(data, strict=True)
    facilities = read_facilities(_text(_F % ("f", ', "type": "clinic", "type": "bank"', "")))
    assert "duplicate key 'type' in properties" in _reasons(facilities)[0]


@pytest.mark.parametrize(
    ("head", "where"),
    [('"type": "x", ', "at the top level"), ('"crs": {"type": "name", "type": "x"}, ', "in crs")],
)
def test_a_repeated_key_outside_the_features_stops(head: str, where: str) -> None:
    with pytest.raises(InputError, match=f"duplicate key 'type' {where}"):
        read_communities(_text(_F % ("a", "", ""), head=head))


def test_no_repeated_key_takes_the_fast_check_only() -> None:
    data = _text(*(_F % (f"c{i}", ', "name": "小寨: 社区"', "") for i in range(50)))
    layer = read_communities(data)
    assert len(layer.communities) == 50 and not layer.rejected
