"""OpenStreetMap extracts: tag mapping, areas, walkable streets, CLI (issue 7).

The extracts are written by the tests with pyosmium's SimpleWriter (PBF and XML); nothing
is downloaded.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import osmium
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from livable.cli import main
from livable.errors import InputError, LivableError
from livable.io import read_facilities
from livable.io.osm import OsmMapping, load_osm_mapping, mapping_table_markdown, read_osm
from livable.models import FACILITY_TYPES, TWELVE_ONES

LON, LAT = 108.94, 34.26


def _node(nid: int, dx: float, dy: float, **tags: str) -> object:
    return osmium.osm.mutable.Node(id=nid, location=(LON + dx, LAT + dy), tags=tags)


def write_extract(path: Path) -> Path:
    """A tiny extract around Xi'an's bell tower: points, areas, streets."""
    nodes = [
        _node(1, 0.0, 0.0, shop="convenience", name="全家便利店", brand="全家"),
        _node(2, 0.003, 0.0, amenity="kindergarten", name="第一幼儿园"),
        _node(3, 0.0, 0.002, highway="bus_stop", public_transport="platform", bus="yes"),
        _node(4, 0.001, 0.001, amenity="bench"),
        _node(5, 0.002, 0.001, shop="bakery"),
        _node(6, 0.002, 0.002, shop="bakery"),
        _node(7, 0.0, 0.0021, public_transport="stop_position", bus="yes"),
        _node(8, -0.001, 0.0, amenity="social_facility", **{"social_facility:for": "senior"}),
        _node(9, -0.002, 0.0, amenity="fast_food", name="老王早餐"),
    ]
    # a park (closed way) and a school (multipolygon relation over an untagged ring)
    nodes += [
        _node(10 + i, dx, dy)
        for i, (dx, dy) in enumerate(
            [(0.004, 0.004), (0.006, 0.004), (0.006, 0.006), (0.004, 0.006)]
        )
    ]
    nodes += [
        _node(20 + i, dx, dy)
        for i, (dx, dy) in enumerate(
            [(-0.004, -0.004), (-0.002, -0.004), (-0.002, -0.002), (-0.004, -0.002)]
        )
    ]
    # street nodes
    nodes += [_node(40 + i, 0.0005 * i, -0.001) for i in range(8)]
    ways = [
        osmium.osm.mutable.Way(
            id=100, nodes=[10, 11, 12, 13, 10], tags={"leisure": "park", "name": "小雁塔公园"}
        ),
        osmium.osm.mutable.Way(id=101, nodes=[20, 21, 22, 23, 20], tags={}),
        osmium.osm.mutable.Way(id=110, nodes=[40, 41], tags={"highway": "residential"}),
        osmium.osm.mutable.Way(id=111, nodes=[41, 42], tags={"highway": "motorway"}),
        osmium.osm.mutable.Way(
            id=112, nodes=[42, 43], tags={"highway": "footway", "access": "private"}
        ),
        osmium.osm.mutable.Way(id=113, nodes=[43, 44], tags={"highway": "service", "foot": "no"}),
        osmium.osm.mutable.Way(id=114, nodes=[44, 45], tags={"highway": "trunk", "foot": "yes"}),
        osmium.osm.mutable.Way(
            id=115, nodes=[45, 46], tags={"highway": "primary", "access": "private", "foot": "yes"}
        ),
        osmium.osm.mutable.Way(id=116, nodes=[46, 47], tags={"leisure": "track"}),
    ]
    relation = osmium.osm.mutable.Relation(
        id=300,
        members=[("w", 101, "outer")],
        tags={"type": "multipolygon", "amenity": "school", "name": "南门小学"},
    )
    with osmium.SimpleWriter(str(path)) as writer:
        for n in nodes:
            writer.add_node(n)
        for w in ways:
            writer.add_way(w)
        writer.add_relation(relation)
    return path


@pytest.fixture(params=["tiny.osm.pbf", "tiny.osm"])
def extract(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return write_extract(tmp_path / request.param)


def test_facilities_from_points_ways_and_multipolygons(extract: Path) -> None:
    result = read_osm(extract)
    layer = result.facilities
    types = dict(zip(layer.ids.tolist(), layer.types.tolist(), strict=True))
    assert types == {
        "osm:n1": "convenience_store",
        "osm:n2": "kindergarten",
        "osm:n3": "transit_stop",
        "osm:n8": "elderly_care_station",
        "osm:n9": "breakfast_outlet",
        "osm:w100": "leisure_space",
        "osm:r300": "school",
        "osm:w116": "fitness_venue",
    }
    i = layer.ids.tolist().index("osm:n1")
    assert layer.names[i] == "全家便利店" and layer.brands[i] == "全家"
    assert layer.attributes[i]["osm_match"] == "shop=convenience"
    assert layer.areas is None  # areas reduced to points by default
    park = shapely.box(LON + 0.004, LAT + 0.004, LON + 0.006, LAT + 0.006)
    j = layer.ids.tolist().index("osm:w100")
    assert park.contains(shapely.Point(layer.lon[j], layer.lat[j]))
    school = shapely.box(LON - 0.004, LAT - 0.004, LON - 0.002, LAT - 0.002)
    k = layer.ids.tolist().index("osm:r300")
    assert school.contains(shapely.Point(layer.lon[k], layer.lat[k]))
    t = layer.ids.tolist().index("osm:w116")  # an open way: its midpoint
    assert layer.lon[t] == pytest.approx(LON + 0.00325) and layer.lat[t] == pytest.approx(
        LAT - 0.001
    )
    assert result.skipped == 1  # the stop position
    assert result.unmatched == (("shop=bakery", 2), ("amenity=bench", 1))
    assert result.counts["kindergarten"] == 1 and result.counts["clinic"] == 0


def test_walkable_streets(extract: Path) -> None:
    streets = read_osm(extract).streets
    assert streets is not None
    assert sorted(streets.ids.tolist()) == ["osm:w110", "osm:w114", "osm:w115"]
    i = streets.ids.tolist().index("osm:w110")
    assert streets.geometries[i].geom_type == "LineString"
    assert streets.properties[i] == {"highway": "residential"}
    assert read_osm(extract, streets=False).streets is None


def test_keep_areas_keeps_polygons(extract: Path) -> None:
    layer = read_osm(extract, keep_areas=True).facilities
    assert layer.areas is not None
    j = layer.ids.tolist().index("osm:w100")
    assert layer.areas[j].geom_type == "Polygon"
    park = shapely.box(LON + 0.004, LAT + 0.004, LON + 0.006, LAT + 0.006)
    assert layer.areas[j].symmetric_difference(park).area < 1e-12
    assert layer.areas[layer.ids.tolist().index("osm:n1")] is None


def test_override_mapping_extends_builtin(extract: Path, tmp_path: Path) -> None:
    toml = tmp_path / "tags.toml"
    toml.write_text(
        'extends = "builtin"\nreport_keys = ["highway"]\n'
        '[[rule]]\ntype = "leisure_space"\ntags = { amenity = "bench" }\n'
        '[[rule]]\nskip = true\ntags = { shop = ["bakery"] }\n'
        "[streets]\nexclude_access = []\n",
        encoding="utf-8",
    )
    result = read_osm(extract, mapping=toml)
    assert result.counts["leisure_space"] == 2  # the park and the bench
    assert result.skipped == 3
    assert ("highway=residential", 1) in result.unmatched
    assert "osm:w112" in result.streets.ids.tolist()  # access=private now allowed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[rule]]\ntype = "clinik"\ntags = { amenity = "clinic" }\n', "unknown facility type"),
        ('[[rule]]\ntype = "clinic"\n', "at least one tag"),
        ('[[rule]]\ntags = { amenity = "clinic" }\n', "needs `type`"),
        ('[[rule]]\ntype = "clinic"\ntags = { amenity = 3 }\n', "tag values must be"),
        ('[[rule]]\ntype = "clinic"\ntags = { amenity = "x" }\nname = "("\n', "bad name pattern"),
        ('[[rule]]\ntype = "clinic"\ntags = { amenity = "x" }\nwhen = 1\n', "unknown field"),
        ('extends = "builtin"\n[[rule]\n', "not valid TOML"),
        ('[[rule]]\ntype = "clinic"\ntags = { amenity = "x" }\n', "needs `exclude_highway`"),
    ],
)
def test_bad_mapping_files(tmp_path: Path, text: str, message: str) -> None:
    toml = tmp_path / "bad.toml"
    toml.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        load_osm_mapping(toml)
    assert str(toml) in str(info.value)


def test_missing_pyosmium_says_which_extra(monkeypatch: pytest.MonkeyPatch, extract: Path) -> None:
    monkeypatch.setitem(sys.modules, "osmium", None)
    with pytest.raises(LivableError, match=r"pip install 'livable\[osm\]'"):
        read_osm(extract)


def test_broken_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.osm.pbf"
    path.write_bytes(b"\x00\x00\x00\x0dnot a pbf at all")
    with pytest.raises(InputError, match=r"broken\.osm\.pbf"):
        read_osm(path)


def test_semicolon_values_and_unless() -> None:
    m = load_osm_mapping()
    assert m.classify({"amenity": "restaurant", "cuisine": "noodle;breakfast"}).type == (
        "breakfast_outlet"
    )
    assert m.classify({"leisure": "pitch", "access": "private"}) is None
    assert m.classify({"leisure": "pitch"}).type == "fitness_venue"
    assert m.classify({"amenity": "community_centre", "name": "幸福里社区党群服务中心"}).type == (
        "government_service_station"
    )
    assert m.classify({"amenity": "community_centre", "name": "老年活动中心"}).type == (
        "elderly_care_station"
    )


def test_every_twelve_one_has_an_osm_rule() -> None:
    mapped = {r.type for r in load_osm_mapping().rules if r.type is not None}
    assert set(TWELVE_ONES) <= mapped <= set(FACILITY_TYPES)


_MAPPING = load_osm_mapping()
_KEYS = sorted({k for r in _MAPPING.rules for k in (*r.tags, *r.unless)})
_VALUES = sorted(
    {v for r in _MAPPING.rules for vs in (*r.tags.values(), *r.unless.values()) for v in vs}
    | {"other"}
)


@given(
    st.dictionaries(st.sampled_from(_KEYS), st.sampled_from(_VALUES), max_size=4),
    st.sampled_from([None, "老年服务站", "早餐铺", "社区服务中心", "菜鸟驿站"]),
)
def test_indexed_classify_equals_first_matching_rule(
    tags: dict[str, str], name: str | None
) -> None:
    expected = next((r for r in _MAPPING.rules if r.matches(tags, name)), None)
    assert _MAPPING.classify(tags, name) is expected


def test_docs_table_matches_the_shipped_toml() -> None:
    page = Path(__file__).parents[1] / "docs" / "howto" / "import-osm.md"
    assert mapping_table_markdown() in page.read_text(encoding="utf-8")


def test_import_then_evaluate_two_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pbf = write_extract(tmp_path / "city.osm.pbf")
    out = tmp_path / "osm"
    assert main(["import", "osm", str(pbf), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "shop=bakery" in printed and "walkable streets" in printed
    facilities = read_facilities(out / "facilities.geojson")
    assert len(facilities) == 8 and not facilities.rejected
    streets = json.loads((out / "streets.geojson").read_text(encoding="utf-8"))
    assert {f["properties"]["id"] for f in streets["features"]} == {
        "osm:w110",
        "osm:w114",
        "osm:w115",
    }
    communities = tmp_path / "c.geojson"
    communities.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": "c1", "district": "碑林区"},
                        "geometry": {"type": "Point", "coordinates": [LON, LAT]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    report = tmp_path / "report.json"
    assert (
        main(
            [
                "evaluate",
                "--communities",
                str(communities),
                "--facilities",
                str(out / "facilities.geojson"),
                "--out",
                str(report),
                "--quiet",
            ]
        )
        == 0
    )
    data = json.loads(report.read_text(encoding="utf-8"))
    (c,) = data["communities"]
    k = c["access"]["kindergarten"]
    assert k["nearest"][0]["id"] == "osm:n2"
    assert k["nearest_m"] == pytest.approx(276, abs=3)  # 0.003 deg of longitude at 34.26 N
    assert c["access"]["convenience_store"]["nearest_m"] == pytest.approx(0.0, abs=0.1)
    assert c["grade"] == "not_livable"


def test_mapping_object_is_accepted(extract: Path) -> None:
    m = load_osm_mapping()
    assert isinstance(m, OsmMapping)
    assert len(read_osm(extract, mapping=m).facilities) == 8


def test_docs_override_example_loads(tmp_path: Path) -> None:
    page = (Path(__file__).parents[1] / "docs" / "howto" / "import-osm.md").read_text("utf-8")
    (block,) = [b.split("```", 1)[0] for b in page.split("```toml\n")[1:]]
    toml = tmp_path / "my-tags.toml"
    toml.write_text(block, encoding="utf-8")
    m = load_osm_mapping(toml)
    assert m.classify({"shop": "supermarket"}).type == "vegetable_store"
    assert m.classify({"amenity": "hospital"}).type is None
    assert not m.walkable({"highway": "motorway"}) and m.walkable({"highway": "trunk"})
