"""Amap (高德) POI exports: type codes, GCJ-02 -> WGS84, malformed rows, CLI (issue 7)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from livable.cli import main
from livable.errors import InputError
from livable.io import read_facilities
from livable.io.amap import (
    load_amap_typecodes,
    normalize_code,
    read_amap,
    typecode_table_markdown,
)
from livable.io.datums import gcj02_to_wgs84
from livable.models import FACILITY_TYPES, TWELVE_ONES

DATA = Path(__file__).parent / "data" / "amap"


def test_place_search_page_maps_codes_and_reports_rejects() -> None:
    result = read_amap(DATA / "place_text.json")
    types = dict(zip(result.facilities.ids.tolist(), result.facilities.types.tolist(), strict=True))
    assert types["amap:B0FFG0BUS1"] == "transit_stop"  # 150702 under 1507
    assert types["amap:B0FFG0SUB1"] == "transit_stop"  # 150500
    assert "amap:B0FFG0SUB2" not in types  # 150501 station entrance: skipped
    assert types["amap:B0FFG0CVS1"] == "convenience_store"
    assert types["amap:B0FFG0VEG1"] == "vegetable_store"
    assert types["amap:B0FFG0KIN1"] == "kindergarten"
    assert types["amap:B0FFG0CLI1"] == "clinic"
    assert types["amap:B0FFG0LIB1"] == "community_library"
    assert types["amap:B0FFG0RES1"] == "restaurant"  # multi-valued 050121|050300
    assert types["amap:B0FFG0BRK1"] == "breakfast_outlet"  # 050100 with 早餐 in the name
    assert types["amap:B0FFG0BNK1"] == "bank"
    assert types["amap:B0FFG0HOT1"] == "hotel"
    assert result.skipped == 2  # the entrance and the residential compound
    assert result.unmatched == (("060400 购物服务;超级市场;超市", 1),)
    rejected = {r.source.rsplit("#", 1)[1]: (r.id, r.reason) for r in result.rejected}
    assert rejected == {
        "14": ("amap:B0FFG0BAD1", "location 'abc,def' is not two numbers"),
        "15": (
            "amap:B0FFG0BAD2",
            "no location: needs a 'location' (\"lon,lat\") or 'lon'/'lat' values",
        ),
        "16": ("amap:B0FFG0BAD3", "no typecode"),
        "17": (
            "amap:B0FFG0CVS1",
            f"duplicate POI id (first at {DATA / 'place_text.json'}#3)",
        ),
    }
    assert result.facilities.count == 18
    assert result.counts["transit_stop"] == 2
    assert set(result.counts) == set(FACILITY_TYPES)


def test_gcj02_is_converted_to_wgs84() -> None:
    raw = json.loads((DATA / "place_text.json").read_text(encoding="utf-8"))
    poi = next(p for p in raw["pois"] if p["id"] == "B0FFG0KIN1")
    glon, glat = (float(v) for v in poi["location"].split(","))
    result = read_amap(DATA / "place_text.json")
    i = result.facilities.ids.tolist().index("amap:B0FFG0KIN1")
    wlon, wlat = gcj02_to_wgs84([glon], [glat])
    assert result.facilities.lon[i] == pytest.approx(wlon[0], abs=1e-9)
    assert result.facilities.lat[i] == pytest.approx(wlat[0], abs=1e-9)
    # the GCJ-02 offset in Xi'an is hundreds of metres, so the conversion mattered
    assert abs(result.facilities.lon[i] - glon) > 1e-3
    same = read_amap(DATA / "place_text.json", datum="wgs84")
    assert same.facilities.lon[i] == pytest.approx(glon)


def test_pages_bare_lists_and_name_rules() -> None:
    pages = read_amap(DATA / "pages.json")
    assert dict(zip(pages.facilities.ids, pages.facilities.types, strict=True)) == {
        "amap:P1": "transit_stop",
        "amap:P2": "government_service_station",  # 130104 with 政务服务 in its name
        "amap:P3": "elderly_care_station",  # by name
        "amap:P4": "parcel_point",
    }
    bare = read_amap(DATA / "bare_list.json")
    assert bare.facilities.ids.tolist() == ["amap:L1", "amap:L2"]
    assert [(r.source.rsplit("#", 1)[1], r.reason) for r in bare.rejected] == [
        ("1", "not a POI object"),
        ("3", "typecode '12345' is not six digits"),
    ]


def test_csv_with_location_column_reports_lines() -> None:
    result = read_amap(DATA / "pois.csv")
    assert result.facilities.ids.tolist() == ["amap:C1", "amap:C3"]
    assert result.facilities.names.tolist() == ["罗森(南大街店)", "南门幼儿园"]
    assert [(r.source.rsplit(":", 1)[1], r.reason) for r in result.rejected] == [
        ("line 3", "location '108.9461' is not 'lon,lat'"),
        ("line 6", "more values than header columns"),  # after a blank line 5
    ]


def test_gb18030_csv_needs_its_encoding_named() -> None:
    with pytest.raises(InputError, match=r"line 1 is not UTF-8 text.*--encoding gb18030"):
        read_amap(DATA / "pois_gb18030.csv")
    result = read_amap(DATA / "pois_gb18030.csv", encoding="gb18030")
    assert result.facilities.names.tolist() == ["碑林区养老服务中心", "柏树林社区卫生服务站"]
    assert result.facilities.types.tolist() == ["elderly_care_station", "clinic"]
    assert result.facilities.ids.tolist() == ["amap:pois_gb18030-0", "amap:pois_gb18030-1"]
    (bad,) = result.rejected
    assert bad.source.endswith("pois_gb18030.csv:line 4")
    assert "北纬三十四度" in bad.reason


def test_jsonl_lines_are_numbered(tmp_path: Path) -> None:
    path = tmp_path / "pois.jsonl"
    path.write_text(
        '{"id": "J1", "typecode": "090300", "location": "108.95,34.26"}\n'
        "{not json\n"
        '{"pois": [{"id": "J2", "typecode": "141204", "location": "108.95,34.27"}]}\n',
        encoding="utf-8",
    )
    result = read_amap(path)
    assert result.facilities.ids.tolist() == ["amap:J1", "amap:J2"]
    assert result.rejected[0].source == f"{path}:line 2"
    assert result.rejected[0].reason.startswith("not valid JSON")


def test_most_specific_prefix_wins() -> None:
    table = load_amap_typecodes()
    assert table.classify(["141204"]).type == "kindergarten"
    assert table.classify(["141203"]).type == "school"  # 1412 rather than the 14 class
    assert table.classify(["141201"]).type is None  # universities: skipped
    assert table.classify(["050905"]).type is None  # desserts: skipped, not restaurant
    assert table.classify(["050117"]).type == "restaurant"
    # across codes: the more specific match wins whatever the order
    assert table.classify(["050100", "150702"]).written == "150700"
    assert table.classify(["990000", "060200"]).type == "convenience_store"  # 0602 beats 99
    assert table.classify(["060200", "141204"]).type == "kindergarten"  # six digits win
    assert table.classify(["060200", "090300"]).type == "convenience_store"  # tie: first
    assert table.classify(["090300", "060200"]).type == "clinic"
    assert normalize_code("050000") == "05"


def test_code_prefix_rules() -> None:
    with pytest.raises(InputError, match="not 2, 4 or 6 digits"):
        normalize_code("15070")


def test_overrides_from_mapping_and_toml(tmp_path: Path) -> None:
    result = read_amap(DATA / "place_text.json", typecodes={"060400": "convenience_store"})
    assert result.counts["convenience_store"] == 2
    assert result.unmatched == ()
    toml = tmp_path / "codes.toml"
    toml.write_text(
        'extends = "builtin"\n[[code]]\ncode = "150700"\nskip = true\n', encoding="utf-8"
    )
    result = read_amap(DATA / "place_text.json", typecodes=toml)
    assert result.counts["transit_stop"] == 1  # bus stops skipped, the metro kept
    replaced = tmp_path / "only.toml"
    replaced.write_text('[[code]]\ncode = "141204"\ntype = "kindergarten"\n', encoding="utf-8")
    result = read_amap(DATA / "place_text.json", typecodes=replaced)
    assert result.facilities.types.tolist() == ["kindergarten"]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[code]]\ncode = "141204"\ntype = "kindergartn"\n', encoding="utf-8")
    with pytest.raises(InputError, match="unknown facility type 'kindergartn'"):
        read_amap(DATA / "place_text.json", typecodes=bad)
    unquoted = tmp_path / "unquoted.toml"
    unquoted.write_text("[[code]]\ncode = 141204\ntype = 'kindergarten'\n", encoding="utf-8")
    with pytest.raises(InputError, match="quote it"):
        load_amap_typecodes(unquoted)


def test_plugin_types_are_accepted_when_known(tmp_path: Path) -> None:
    toml = tmp_path / "codes.toml"
    toml.write_text(
        'extends = "builtin"\n[[code]]\ncode = "011100"\ntype = "charging_station"\n',
        encoding="utf-8",
    )
    known = [*FACILITY_TYPES, "charging_station"]
    table = load_amap_typecodes(toml, known_types=known)
    assert table.classify(["011100"]).type == "charging_station"


def test_error_response_and_non_export(tmp_path: Path) -> None:
    err = tmp_path / "err.json"
    err.write_text('{"status": "0", "info": "INVALID_USER_KEY", "infocode": "10001"}')
    with pytest.raises(InputError, match="INVALID_USER_KEY"):
        read_amap(err)
    csv = tmp_path / "nocoords.csv"
    csv.write_text("id,name,typecode\n1,a,060200\n", encoding="utf-8")
    with pytest.raises(InputError, match="no location column"):
        read_amap(csv)


def test_every_twelve_one_has_an_amap_row() -> None:
    table = load_amap_typecodes()
    mapped = {r.type for r in table.rows if r.type is not None}
    assert set(TWELVE_ONES) <= mapped
    assert mapped <= set(FACILITY_TYPES)


def test_docs_table_matches_the_shipped_toml() -> None:
    page = Path(__file__).parents[1] / "docs" / "howto" / "import-amap.md"
    text = page.read_text(encoding="utf-8")
    assert typecode_table_markdown() in text


def test_import_then_evaluate_two_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "amap"
    assert main(["import", "amap", str(DATA / "place_text.json"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "060400 购物服务;超级市场;超市" in printed
    assert "#14" in printed and "is not two numbers" in printed
    facilities = out / "facilities.geojson"
    layer = read_facilities(facilities)
    assert len(layer) == 11 and not layer.rejected
    communities = tmp_path / "communities.geojson"
    communities.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": "zhonglou", "population": 4000},
                        "geometry": {"type": "Point", "coordinates": [108.943, 34.259]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    report_path = tmp_path / "report.json"
    code = main(
        [
            "evaluate",
            "--communities",
            str(communities),
            "--facilities",
            str(facilities),
            "--out",
            str(report_path),
            "--quiet",
        ]
    )
    assert code == 0
    report = json.loads(report_path.read_text(encoding="utf-8"))
    (c,) = report["communities"]
    assert c["grade"] == "not_livable"  # no fitness venue, leisure place, elderly care, ...
    kinder = c["access"]["kindergarten"]
    assert kinder["nearest"][0]["id"] == "amap:B0FFG0KIN1"
    i = layer.ids.tolist().index("amap:B0FFG0KIN1")
    assert kinder["nearest"][0]["lon"] == pytest.approx(layer.lon[i], abs=1e-7)
    assert np.isfinite(kinder["nearest_m"]) and kinder["nearest_m"] < 1200
    gaps = {g["facility_type"] for g in c["gaps"]}
    assert {"fitness_venue", "leisure_space", "elderly_care_station"} <= gaps


def test_import_dedupe_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "dupes.json"
    path.write_text(
        json.dumps(
            {
                "pois": [
                    {
                        "id": "A",
                        "name": "幸福里(公交站)",
                        "typecode": "150702",
                        "location": "108.95000,34.26000",
                    },
                    {
                        "id": "B",
                        "name": "幸福里(公交站)",
                        "typecode": "150702",
                        "location": "108.95020,34.26000",
                    },
                    {
                        "id": "C",
                        "name": "幸福里(公交站)",
                        "typecode": "150702",
                        "location": "108.96000,34.26000",
                    },
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    out = tmp_path / "o"
    assert main(["import", "amap", str(path), "--out", str(out), "--dedupe-m", "30"]) == 0
    printed = capsys.readouterr().out
    assert "amap:A <- amap:B (transit_stop" in printed
    assert read_facilities(out / "facilities.geojson").ids.tolist() == ["amap:A", "amap:C"]


def test_docs_override_example_loads(tmp_path: Path) -> None:
    page = (Path(__file__).parents[1] / "docs" / "howto" / "import-amap.md").read_text("utf-8")
    (block,) = [b.split("```", 1)[0] for b in page.split("```toml\n")[1:]]
    toml = tmp_path / "my-codes.toml"
    toml.write_text(block, encoding="utf-8")
    table = load_amap_typecodes(toml)
    assert table.classify(["060400"]).type == "vegetable_store"
    assert table.classify(["090101"]).type is None
    assert table.classify(["090300"]).type == "clinic"
