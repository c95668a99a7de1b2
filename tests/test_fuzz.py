"""Fuzzing the readers and the engine with hostile GeoJSON (hypothesis).

The strategies below generate FeatureCollections as an integrator's database might hold
them: swapped or projected coordinates, NaN and infinity, numbers written as text, empty and
self-intersecting polygons, duplicate and missing ids, junk where objects belong, unknown
facility types. The properties:

- no exception other than :class:`~livable.errors.LivableError` ever escapes;
- every input community ends in ``communities`` or ``rejected`` (DESIGN.md's output
  contract): ``len(communities) + len(rejected)`` equals the number of input features;
- every facility likewise ends in the layer or in ``rejected_facilities``;
- the report always serialises (``report.json`` is valid JSON);
- ``strict=True`` either raises :class:`~livable.errors.InputError` or finds nothing wrong.

The budget is bounded for CI (``max_examples``; no deadline, since the first example pays
for imports), and derandomized when ``CI=true`` so a CI failure reproduces exactly.
"""

from __future__ import annotations

import math
import os
from typing import Any

import orjson
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from livable import (
    InputError,
    LivableError,
    PluginManager,
    evaluate,
    load_profile,
    read_communities,
    read_facilities,
)
from livable.models import FACILITY_TYPES

CI = os.environ.get("CI") == "true"
FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=CI,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PLUGINS = PluginManager(load_entry_points=False)
PROFILE = load_profile("xian-2020")
X, Y = 108.94, 34.26

# -- hostile values ---------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", " ", "3000", "abc", "社区", "\x00", "1e999", "NaN"]),
)
keys = st.sampled_from(["type", "id", "coordinates", "features", "geometry", "x", ""])
junk = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=5,
)

near_lon = st.floats(min_value=X - 0.05, max_value=X + 0.05)
near_lat = st.floats(min_value=Y - 0.05, max_value=Y + 0.05)
coordinate = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 0.0, -0.0, 180.0, -180.0, 90.0, 500000.0, 3792000.0, 1e308]),
    st.sampled_from(["108.9", "", "x"]),
    st.booleans(),
    st.none(),
)
position = st.one_of(
    st.tuples(near_lon, near_lat).map(list),
    st.tuples(near_lat, near_lon).map(list),  # swapped
    st.tuples(near_lon, near_lat, coordinate).map(list),
    st.lists(coordinate, min_size=0, max_size=4),
)


@st.composite
def rings(draw: st.DrawFn, *, kinds: tuple[str, ...] | None = None) -> Any:
    kinds = kinds or ("square", "square", "bowtie", "flat", "unclosed", "spike", "random")
    kind = draw(st.sampled_from(kinds))
    x, y = draw(near_lon), draw(near_lat)
    d = draw(st.sampled_from([0.004, 0.01, 1e-7, 1e-12]))
    if kind == "square":
        return [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    if kind == "bowtie":
        return [[x, y], [x + d, y + d], [x + d, y], [x, y + d], [x, y]]
    if kind == "flat":
        return [[x, y], [x + d, y], [x + 2 * d, y], [x, y]]
    if kind == "unclosed":
        return [[x, y], [x + d, y], [x + d, y + d], [x, y + d]]
    if kind == "spike":
        return [[x, y], [x + d, y], [x + d, y + d], [x + d, y], [x, y + d], [x, y]]
    return draw(st.lists(position, max_size=6))


geometry_type = st.sampled_from(
    ["Point", "Polygon", "MultiPolygon", "LineString", "MultiPoint", "GeometryCollection", "?"]
)


@st.composite
def geometries(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(["point", "polygon", "multipolygon", "typed-junk", "junk"]))
    if kind == "point":
        return {"type": "Point", "coordinates": draw(position)}
    if kind == "polygon":
        return {"type": "Polygon", "coordinates": draw(st.lists(rings(), max_size=2))}
    if kind == "multipolygon":
        polys = st.lists(st.lists(rings(), min_size=0, max_size=2), max_size=2)
        return {"type": "MultiPolygon", "coordinates": draw(polys)}
    if kind == "typed-junk":
        return {"type": draw(geometry_type), "coordinates": draw(junk)}
    return draw(junk)


anywhere = st.tuples(st.floats(-180, 180), st.floats(-90, 90))  # far from the city


def good_geometry() -> st.SearchStrategy[Any]:
    point = st.tuples(near_lon, near_lat).map(lambda p: {"type": "Point", "coordinates": list(p)})
    square = rings(kinds=("square",)).map(lambda r: {"type": "Polygon", "coordinates": [r]})
    far = anywhere.map(lambda p: {"type": "Point", "coordinates": list(p)})
    return st.one_of(point, square, point, square, far)


ids = st.one_of(
    st.sampled_from(["a", "b", "c", "d", "社区1", " ", ""]),  # a small pool: duplicates
    st.integers(min_value=-5, max_value=5),
    junk,
)
unique_ids = st.integers(0, 40).map(lambda i: f"c{i}")  # sometimes shared

COMMUNITY_FIELDS = {
    "population": st.integers(0, 40000),
    "zone": st.sampled_from(["central", "peripheral"]),
    "name": st.sampled_from(["小寨社区", "Xiaozhai"]),
    "district": st.sampled_from(["碑林区", "雁塔区", 610113]),
    "green_ratio": st.floats(0, 1),
    "satisfaction": st.floats(0, 1),
}
COMMUNITY_FAULTS = {
    "population": st.one_of(st.sampled_from(["3000", "many", -1, 2.5, 10**12]), junk),
    "zone": st.one_of(st.sampled_from(["Central", "centre", ""]), junk),
    "name": junk,
    "district": junk,
    "green_ratio": junk,
    "satisfaction": junk,
    "id": ids,
}


@st.composite
def community_features(draw: st.DrawFn) -> Any:
    """Mostly a good feature with one fault; sometimes anything at all."""
    wild = draw(st.integers(0, 9))
    if wild == 0:
        return draw(junk)  # not a Feature at all
    props: dict[str, Any] = {"id": draw(unique_ids)}
    for key, good in COMMUNITY_FIELDS.items():
        if draw(st.booleans()):
            props[key] = draw(good)
    feature: dict[str, Any] = {"type": "Feature", "properties": props}
    feature["geometry"] = draw(good_geometry())
    fault = draw(st.sampled_from([None, "geometry", "property", "type", "properties", "many"]))
    if fault in ("geometry", "many"):
        feature["geometry"] = draw(geometries())
    if fault in ("property", "many"):
        key = draw(st.sampled_from(sorted(COMMUNITY_FAULTS)))
        props[key] = draw(COMMUNITY_FAULTS[key])
    if fault == "type":
        feature["type"] = draw(st.sampled_from(["feature", "Point", None]))
    if fault == "properties":
        feature["properties"] = draw(junk)
        if draw(st.booleans()):
            feature["id"] = draw(ids)
    return feature


@st.composite
def facility_features(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 14)) == 0:
        return draw(junk)
    known = sorted(FACILITY_TYPES)
    props: dict[str, Any] = {
        "id": draw(st.one_of(st.integers(0, 40).map(lambda i: f"f{i}"), ids)),
        "type": draw(st.sampled_from(known)),
    }
    if draw(st.integers(0, 4)) == 0:
        props["type"] = draw(st.one_of(st.sampled_from(["Clinic", "", "kinder garten"]), junk))
    if draw(st.booleans()):
        props["quality"] = draw(st.one_of(st.floats(1, 5), junk))
    if draw(st.booleans()):
        props["brand"] = draw(st.one_of(st.sampled_from(["Lawson", "7-Eleven"]), junk))
    geometry = draw(good_geometry())
    if draw(st.integers(0, 3)) == 0:
        geometry = draw(geometries())
    return {"type": "Feature", "properties": props, "geometry": geometry}


crs_members = st.sampled_from(
    [
        None,
        None,
        None,
        None,
        {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}},
        {"type": "name", "properties": {"name": "EPSG:4545"}},
        {"type": "name", "properties": {"name": "EPSG:999999"}},
        None,
    ]
)


@st.composite
def collections(draw: st.DrawFn, features: st.SearchStrategy[Any], max_size: int = 10) -> Any:
    found = draw(st.lists(features, max_size=max_size))
    fc: dict[str, Any] = {"type": "FeatureCollection", "features": found}
    crs = draw(crs_members)
    if crs is not None:
        fc["crs"] = crs
    return fc


def _check_layer(fc: dict[str, Any], **kwargs: Any) -> None:
    try:
        layer = read_communities(fc, **kwargs)
    except LivableError as exc:
        event(f"strict={bool(kwargs)} stopped: {type(exc).__name__}")
        return
    event(f"strict={bool(kwargs)} kept {min(len(layer.communities), 3)}+")
    assert len(layer.communities) + len(layer.rejected) == len(fc["features"])
    assert layer.count == len(fc["features"])
    kept = [c.id for c in layer.communities]
    assert len(set(kept)) == len(kept)  # a shared id rejects every feature that has it
    assert not set(kept) & {r.id for r in layer.rejected}
    for c in layer.communities:
        assert c.geometry.is_valid
        assert not c.geometry.is_empty
        assert c.geometry.geom_type in ("Point", "Polygon", "MultiPolygon")
    if kwargs.get("strict"):
        assert not layer.rejected
        assert not layer.repaired


# -- the properties ----------------------------------------------------------------------------


@FUZZ
@given(collections(community_features()))
def test_every_community_is_read_or_rejected(fc: dict[str, Any]) -> None:
    _check_layer(fc)
    _check_layer(fc, strict=True)


@FUZZ
@given(collections(community_features()))
def test_the_bytes_reader_agrees(fc: dict[str, Any]) -> None:
    try:
        data = orjson.dumps(fc)
    except orjson.JSONEncodeError:
        return  # not JSON-encodable (a lone surrogate): only the mapping path applies
    try:
        layer = read_communities(data)
    except LivableError:
        return
    assert len(layer.communities) + len(layer.rejected) == len(fc["features"])


@FUZZ
@given(collections(facility_features(), max_size=15))
def test_every_facility_is_read_or_rejected(fc: dict[str, Any]) -> None:
    try:
        layer = read_facilities(fc)
    except LivableError:
        return
    assert len(layer) + len(layer.rejected) == len(fc["features"])
    assert all(math.isfinite(v) for v in [*layer.lon.tolist(), *layer.lat.tolist()])


@FUZZ
@given(
    collections(community_features()),
    collections(facility_features(), max_size=15),
    st.booleans(),
)
def test_evaluate_never_crashes_and_keeps_every_community(
    communities: dict[str, Any], facilities: dict[str, Any], strict: bool
) -> None:
    try:
        report = evaluate(communities, facilities, profile=PROFILE, plugins=PLUGINS, strict=strict)
    except InputError as exc:
        event(f"stopped: {type(exc).__name__}")
        return
    event(f"evaluated {min(len(report.communities), 3)}+ communities")
    n = len(communities["features"])
    assert len(report.communities) + len(report.rejected) == n
    assert report.summary.communities == n
    kept = [c.id for c in report.communities]
    assert kept == sorted(set(kept))
    data = orjson.loads(report.to_json())
    assert len(data["communities"]) + len(data["rejected"]) == n
    if strict:
        assert not data["rejected"]
        assert not data["rejected_facilities"]
        assert not data["repaired"]


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes_never_crash(data: bytes) -> None:
    try:
        layer = read_communities(data)
    except LivableError:
        return
    assert layer.count == len(layer.communities) + len(layer.rejected)


@FUZZ
@given(st.data())
def test_mutated_files_never_crash(data: st.DataObject) -> None:
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": f"c{i}", "population": 3000, "name": "小寨社区"},
                "geometry": {"type": "Point", "coordinates": [X + i * 0.001, Y]},
            }
            for i in range(3)
        ],
    }
    raw = bytearray(orjson.dumps(fc))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        op = data.draw(st.sampled_from(["flip", "drop", "insert"]))
        if op == "flip":
            raw[at] = data.draw(st.integers(0, 255))
        elif op == "drop":
            del raw[at]
        else:
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=4))
    try:
        layer = read_communities(bytes(raw))
    except LivableError:
        return
    assert layer.count == len(layer.communities) + len(layer.rejected)
