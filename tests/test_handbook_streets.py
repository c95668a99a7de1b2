"""The handbook names the street each listed facility is on, where it has streets (issue 20)."""

from __future__ import annotations

import json

import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import livable
from livable.cli import main
from livable.io.layers import StreetLayer
from livable.report._doc import report_projector
from livable.report.handbook import community_page, handbook_html, handbook_markdown
from livable.report.streets import ON_STREET_M, StreetNames
from livable.testing import community, facility, offset

LON, LAT = 108.94, 34.26


def _report():
    return livable.evaluate(
        [community("c1", LON, LAT, size_m=600, name="福寿社区")],
        [
            facility("b1", "bank", *offset(LON, LAT, 300, 0), name="建设银行"),
            facility("p1", "clinic", *offset(LON, LAT, -400, 200), name="老百姓大药房"),
        ],
    )


def _street(name: str | None, east_m: float) -> tuple[shapely.LineString, dict[str, str]]:
    a, b = offset(LON, LAT, east_m, -800), offset(LON, LAT, east_m, 800)
    return shapely.LineString([a, b]), ({"name": name} if name else {})


def _layer(*streets: tuple[str | None, float]) -> StreetLayer:
    made = [_street(n, x) for n, x in streets]
    return StreetLayer.from_lines(
        [f"s{i}" for i in range(len(made))], [m[0] for m in made], [m[1] for m in made]
    )


def _rows(text: str, needle: str) -> list[str]:
    return [line for line in text.splitlines() if needle in line]


def test_each_listed_facility_names_its_street():
    streets = _layer(("长安路", 310), ("东大街", -390), (None, 0))
    text = handbook_markdown(_report(), community="c1", lang="en", streets=streets)
    assert _rows(text, "建设银行") == ["| bank | 建设银行 | 4 min | 300 m | 长安路 |"]
    assert _rows(text, "老百姓大药房")[0].endswith("| 东大街 |")
    assert "| Type | Name | Walk | Distance | On street |" in text
    page = handbook_html(_report(), community="c1", lang="zh", streets=streets)
    assert '<th class="street">所在道路</th>' in page and "<td>长安路</td>" in page


def test_a_facility_far_from_any_named_street_has_none():
    streets = _layer(("长安路", 300 + ON_STREET_M + 40))
    text = handbook_markdown(_report(), community="c1", lang="en", streets=streets)
    assert _rows(text, "建设银行")[0].endswith("| 300 m | - |")


def test_no_street_column_without_named_streets():
    plain = handbook_markdown(_report(), community="c1", lang="en")
    assert handbook_markdown(_report(), community="c1", lang="en", streets=_layer((None, 300))) == (
        plain
    )
    assert "On street" not in plain
    assert "table.streets" not in handbook_html(_report(), community="c1", lang="en")


@settings(max_examples=30, deadline=None)
@given(st.floats(-2000, 2000), st.floats(0, 2 * ON_STREET_M))
def test_street_at_is_the_nearest_named_street_within_reach(x, d):
    """A point ``d`` metres east of a named street is on it exactly when ``d`` is in reach."""
    layer = _layer(("甲路", x))
    names = StreetNames.from_layer(layer, report_projector(_report()))
    lon, lat = offset(LON, LAT, x + d, 0)
    found = names.street_at(lon, lat)
    if d < ON_STREET_M - 1:
        assert found == "甲路"
    elif d > ON_STREET_M + 1:
        assert found is None


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.floats(-1500, 1500), st.floats(-900, 900)), max_size=12))
def test_streets_at_answers_as_street_at_point_by_point(points):
    """One batched lookup gives, point by point, what one lookup per point gives."""
    names = StreetNames.from_layer(
        _layer(("甲路", -300), ("乙路", 0), (None, 150), ("丙路", 400)), report_projector(_report())
    )
    where = [offset(LON, LAT, x, y) for x, y in points]
    lons, lats = [p[0] for p in where], [p[1] for p in where]
    assert names.streets_at(lons, lats) == tuple(names.street_at(*p) for p in where)


def test_community_page_without_streets_says_so():
    from livable.profile import load_profile

    page = community_page(_report().community("c1"), load_profile("xian-2020"), "en")
    assert page.streets is False
    assert all(x.street is None for c in page.categories for x in c.listings)


def test_cli_handbook_streets(tmp_path, capsys):
    report = tmp_path / "report.json"
    report.write_text(_report().to_json(), encoding="utf-8")
    line, props = _street("长安路", 300)
    streets = tmp_path / "streets.geojson"
    streets.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": "s1", **props},
                        "geometry": shapely.geometry.mapping(line),
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    code = main(
        [
            "handbook",
            str(report),
            "--community",
            "c1",
            "--lang",
            "en",
            "-o",
            "-",
            "--streets",
            str(streets),
        ]
    )
    assert code == 0
    assert "| 300 m | 长安路 |" in capsys.readouterr().out
