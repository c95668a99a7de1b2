"""Maps draw the street network thin and grey under everything (issue 20)."""

from __future__ import annotations

import json
import re

import pytest

import livable
from livable.cli import main
from livable.io.sample import write_sample_city
from livable.plugins import PluginManager
from livable.report.maps import render_map


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    folder = tmp_path_factory.mktemp("city")
    c, f = write_sample_city(folder)
    report = livable.evaluate(c, f, plugins=PluginManager(load_entry_points=False))
    lons = [x.center[0] for x in report.communities]
    lats = [x.center[1] for x in report.communities]
    w, e, s, n = min(lons), max(lons), min(lats), max(lats)
    steps = 6
    features = []
    for k in range(steps + 1):
        lat = s + (n - s) * k / steps
        lon = w + (e - w) * k / steps
        features.append(((w, lat), (e, lat)))
        features.append(((lon, s), (lon, n)))
    streets = folder / "streets.geojson"
    streets.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": f"s{i}"},
                        "geometry": {"type": "LineString", "coordinates": [list(a), list(b)]},
                    }
                    for i, (a, b) in enumerate(features)
                ],
            }
        ),
        encoding="utf-8",
    )
    report_path = folder / "report.json"
    report_path.write_text(report.to_json(), encoding="utf-8")
    return report, streets, report_path


def _streets_group(svg: str) -> str:
    match = re.search(r'<g id="streets">(.*?)</g>', svg, flags=re.S)
    assert match, "a streets layer"
    return match.group(1)


@pytest.mark.parametrize("community", [None, "BL-004"])
def test_streets_are_drawn_grey_under_the_map(city, tmp_path, community):
    report, streets, _ = city
    bare = render_map(report, tmp_path / "bare.svg", community=community).read_text("utf-8")
    assert 'id="streets"' not in bare
    svg = render_map(
        report, tmp_path / "streets.svg", community=community, streets=streets
    ).read_text("utf-8")
    group = _streets_group(svg)
    assert group.count("<path") == 14  # 7 east-west and 7 north-south lines
    assert "#b8b8b8" in group
    # under everything: the first drawn layer of the map's axes after the background
    assert svg.index('id="streets"') < svg.index(
        'id="com-' if community is None else 'id="community"'
    )


def test_map_command_takes_the_streets(city, tmp_path, capsys):
    _, streets, report_path = city
    out = tmp_path / "city.svg"
    assert main(["map", str(report_path), "--streets", str(streets), "-o", str(out)]) == 0
    assert 'id="streets"' in out.read_text("utf-8")
    assert (
        main(["map", str(report_path), "--streets", str(tmp_path / "no.geojson"), "-o", str(out)])
        == 1
    )
    assert "file not found" in capsys.readouterr().err
