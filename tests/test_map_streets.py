"""Maps draw the street network thin and grey under everything (issue 20)."""

from __future__ import annotations

import json
import re

import pytest

import livable
from livable.cli import main
from livable.io.sample import write_sample_city
from livable.models.results import as_report
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


# The streets the report records (a --distance network run) are drawn and named by
# themselves: read back from their path in their CRS, checked by SHA-256.

LON, LAT = 108.94, 34.26
UTM = "EPSG:32649"


@pytest.fixture
def network_run(tmp_path, monkeypatch):
    """A network evaluation whose streets (in UTM, named) are a relative path."""
    import pyproj

    from livable.testing import community, facility, offset

    monkeypatch.chdir(tmp_path)
    to_utm = pyproj.Transformer.from_crs("EPSG:4326", UTM, always_xy=True)
    features = []
    steps = range(-4, 4)
    for k in range(-4, 5):  # a 200 m grid, 1.6 km across, split at every crossing
        for name, a, b in [
            *((f"东{k + 5}路", (200 * k, 200 * j), (200 * k, 200 * j + 200)) for j in steps),
            *((f"北{k + 5}街", (200 * j, 200 * k), (200 * j + 200, 200 * k)) for j in steps),
        ]:
            line = [list(to_utm.transform(*offset(LON, LAT, *p))) for p in (a, b)]
            features.append(
                {
                    "type": "Feature",
                    "properties": {"id": f"s{len(features)}", "name": name},
                    "geometry": {"type": "LineString", "coordinates": line},
                }
            )
    path = tmp_path / "streets-utm.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    report = livable.evaluate(
        [community("c1", LON, LAT, size_m=600, name="福寿社区")],
        [facility("b1", "bank", *offset(LON, LAT, 300, 10), name="建设银行")],
        streets=livable.LayerSpec("streets-utm.geojson", crs=UTM),
        distance="network",
        plugins=PluginManager(load_entry_points=False),
    )
    report_path = tmp_path / "report.json"
    report_path.write_text(report.to_json(), encoding="utf-8")
    return report_path, path


def test_the_report_records_its_streets_and_their_crs(network_run):
    report_path, _ = network_run
    (info,) = [s for s in as_report(report_path).inputs if s.layer == "streets"]
    assert (info.path, info.crs, info.datum, info.used) == ("streets-utm.geojson", UTM, None, 144)


@pytest.mark.parametrize("community", [None, "c1"])
def test_the_report_s_streets_are_drawn_by_themselves(network_run, community):
    report_path, _ = network_run
    svg = render_map(report_path, "m.svg", community=community).read_text("utf-8")
    assert _streets_group(svg).count("<path") >= 1
    bare = render_map(report_path, "b.svg", community=community, streets=False)
    assert 'id="streets"' not in bare.read_text("utf-8")


def test_the_handbook_names_the_street_from_the_report(network_run):
    from livable.report.handbook import handbook_markdown

    report_path, _ = network_run
    text = handbook_markdown(report_path, community="c1", lang="en")
    (row,) = [line for line in text.splitlines() if "建设银行" in line]
    assert row.endswith("| 北5街 |")  # 10 m north of the east-west street through the centre
    assert "On street" not in handbook_markdown(
        report_path, community="c1", lang="en", streets=False
    )


@pytest.mark.parametrize("change", ["missing", "changed"])
def test_a_missing_or_changed_streets_file_is_said_and_skipped(network_run, change, capsys):
    from livable.report.streets import StreetsWarning

    report_path, streets = network_run
    if change == "missing":
        streets.unlink()
    else:
        streets.write_text(streets.read_text("utf-8") + "\n", encoding="utf-8")
    said = "is missing" if change == "missing" else "changed since this report was made"
    with pytest.warns(StreetsWarning, match=said):
        svg = render_map(report_path, "m.svg").read_text("utf-8")
    assert 'id="streets"' not in svg
    assert main(["map", str(report_path), "-o", "cli.svg"]) == 0
    err = capsys.readouterr().err
    assert "livable: warning: streets-utm.geojson: the streets file " in err
    assert said in err and "--streets" in err
    # the file given by hand is drawn whatever the report says
    if change == "changed":
        assert main(["map", str(report_path), "--streets", str(streets), "-o", "s.svg"]) == 0
        assert 'id="streets"' in (report_path.parent / "s.svg").read_text("utf-8")
