"""The input JSON Schemas agree with the readers on valid and invalid features."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest

from livable import read_communities, read_facilities
from livable.schemas import SCHEMAS, load_schema

COMMUNITIES = load_schema("communities")
FACILITIES = load_schema("facilities")

SQUARE = [[[108.94, 34.26], [108.95, 34.26], [108.95, 34.27], [108.94, 34.27], [108.94, 34.26]]]


def _fc(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def _community(**props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"id": "c1", **props},
        "geometry": {"type": "Polygon", "coordinates": SQUARE},
    }


def _facility(**props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"id": "f1", "type": "clinic", **props},
        "geometry": {"type": "Point", "coordinates": [108.945, 34.265]},
    }


def _valid(schema: dict[str, Any], doc: Any) -> bool:
    return bool(jsonschema.Draft202012Validator(schema).is_valid(doc))


def test_schemas_are_valid_and_shipped() -> None:
    assert {"report", "communities", "facilities"} <= set(SCHEMAS)
    for name in ("communities", "facilities"):
        jsonschema.Draft202012Validator.check_schema(load_schema(name))


GOOD_COMMUNITIES = [
    _community(),
    _community(name="曲江一号", population=4200, district="Yanta", zone="central"),
    _community(population=None, zone=None, green_ratio=0.4, satisfaction=0.9, extra="kept"),
    {
        "type": "Feature",
        "id": 7,
        "properties": {},
        "geometry": {"type": "Point", "coordinates": [108.94, 34.26]},
    },
    {
        "type": "Feature",
        "properties": {"id": "m"},
        "geometry": {"type": "MultiPolygon", "coordinates": [SQUARE]},
    },
]

BAD_COMMUNITIES = {
    "no id": {"type": "Feature", "properties": {}, "geometry": _community()["geometry"]},
    "no geometry": {**_community(), "geometry": None},
    "a line": {
        **_community(),
        "geometry": {"type": "LineString", "coordinates": [[108.94, 34.26], [108.95, 34.27]]},
    },
    "bad zone": _community(zone="suburb"),
    "negative population": _community(population=-5),
    "fractional population": _community(population=12.5),
    "not a feature": {"type": "Point", "coordinates": [108.94, 34.26]},
}


@pytest.mark.parametrize("feature", GOOD_COMMUNITIES)
def test_valid_communities_pass_schema_and_reader(feature: dict[str, Any]) -> None:
    assert _valid(COMMUNITIES, _fc(feature))
    layer = read_communities(_fc(feature))
    assert layer.rejected == ()
    assert len(layer.communities) == 1


@pytest.mark.parametrize("case", sorted(BAD_COMMUNITIES))
def test_invalid_communities_fail_schema_and_reader(case: str) -> None:
    feature = BAD_COMMUNITIES[case]
    assert not _valid(COMMUNITIES, _fc(feature))
    layer = read_communities(_fc(feature))
    assert layer.communities == ()
    assert len(layer.rejected) == 1


GOOD_FACILITIES = [
    _facility(),
    _facility(name="社区医院", brand=None, quality=4.5, opening_hours="8-18"),
    {
        "type": "Feature",
        "properties": {"id": "park", "type": "leisure_space"},
        "geometry": {"type": "Polygon", "coordinates": SQUARE},
    },
]

BAD_FACILITIES = {
    "no type": {**_facility(), "properties": {"id": "f1"}},
    "no id": {**_facility(), "properties": {"type": "clinic"}},
    "no geometry": {**_facility(), "geometry": None},
    "quality text": _facility(quality="good"),
    "quality above the scale": _facility(quality=99),
    "quality below the scale": _facility(quality=0.5),
    "type not an id": _facility(type="Clinic!"),
}


@pytest.mark.parametrize("feature", GOOD_FACILITIES)
def test_valid_facilities_pass_schema_and_reader(feature: dict[str, Any]) -> None:
    assert _valid(FACILITIES, _fc(feature))
    layer = read_facilities(_fc(feature))
    assert layer.rejected == ()
    assert len(layer) == 1


@pytest.mark.parametrize("case", sorted(BAD_FACILITIES))
def test_invalid_facilities_fail_schema_and_reader(case: str) -> None:
    feature = BAD_FACILITIES[case]
    assert not _valid(FACILITIES, _fc(feature))
    layer = read_facilities(_fc(feature))
    assert len(layer) == 0
    assert len(layer.rejected) == 1


def test_a_whole_collection_is_required() -> None:
    assert not _valid(COMMUNITIES, {"type": "FeatureCollection"})
    assert not _valid(FACILITIES, [_facility()])
    legacy = _fc(_facility())
    legacy["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4326"}}
    assert _valid(FACILITIES, legacy)


def test_the_sample_city_matches_the_schemas() -> None:
    """The sample's valid features pass; its deliberately bad no-geometry feature fails."""
    from livable.io.sample import generate_sample_city

    city = generate_sample_city()
    assert _valid(FACILITIES, city.facilities)
    communities = copy.deepcopy(city.communities)
    valid_ids = set(city.expected_grades)
    for feature in communities["features"]:
        ok = _valid(COMMUNITIES, _fc(feature))
        if feature["properties"]["id"] in valid_ids:
            assert ok, feature["properties"]["id"]
    failing = [f for f in communities["features"] if not _valid(COMMUNITIES, _fc(f))]
    assert failing, "the sample's feature without geometry should break the schema"
    assert all(f["geometry"] is None for f in failing)
