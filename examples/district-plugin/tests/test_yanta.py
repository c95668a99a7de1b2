"""Tests of the Yanta plugin, written with livable.testing (run after `pip install`)."""

from __future__ import annotations

import json
from pathlib import Path

import livable_yanta
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from livable_yanta.distance import DETOUR_FACTOR
from livable_yanta.indicators import EvCharging

import livable
from livable import PluginManager
from livable.cli import main
from livable.testing import (
    assert_plugin_loads,
    community,
    facility,
    offset,
    ring_of_facilities,
    run_indicator,
)

LON, LAT = 108.95, 34.22  # somewhere in Yanta


def test_installed_entry_point_loads_cleanly() -> None:
    contributed = assert_plugin_loads("yanta")  # the entry point pip installed
    assert contributed.version == "0.1.0"
    assert contributed.facility_types == ("charging_station",)
    assert contributed.indicators == ("ev_charging",)
    assert contributed.profiles == ("xian-yanta",)
    assert contributed.distance_providers == ("euclidean_detour",)


def test_module_loads_cleanly_when_registered_directly() -> None:
    assert assert_plugin_loads(livable_yanta).name == "livable_yanta"


def test_charging_station_has_both_labels(pm: PluginManager) -> None:
    station = pm.facility_types()["charging_station"]
    assert (station.label_en, station.label_zh) == ("EV charging station", "新能源汽车充电站")
    assert station.category is None
    assert station.key_content == "ecology"


def test_one_station_in_the_circle_is_enough_for_a_small_community() -> None:
    c = community("c1", LON, LAT, population=3000)
    result = run_indicator(
        EvCharging(),
        c,
        ring_of_facilities(LON, LAT, ["charging_station"], radius_m=900),
        plugins=[livable_yanta],
    )
    assert (result.status, result.value) == ("passed", 1)


def test_a_medium_community_needs_two_and_the_gap_says_so() -> None:
    c = community("c1", LON, LAT, population=8000)
    result = run_indicator(
        "ev_charging",
        c,
        ring_of_facilities(LON, LAT, ["charging_station"], radius_m=900),
        profile="xian-yanta",  # gaps are listed where the indicator counts for a grade
        plugins=[livable_yanta],
    )
    assert (result.status, result.value) == ("failed", 1)
    (gap,) = result.gaps
    assert (gap.required, gap.found, gap.facility_type) == (2, 1, "charging_station")


def test_a_station_outside_the_circle_does_not_count_but_is_reported() -> None:
    lon, lat = offset(LON, LAT, 1500.0, 0.0)  # beyond 1.2 km, within the 3 km search
    result = run_indicator(
        "ev_charging",
        community("c1", LON, LAT),
        [facility("e1", "charging_station", lon, lat)],
        profile="xian-yanta",
        plugins=[livable_yanta],
    )
    assert result.status == "failed"
    assert result.gaps[0].distance_m == pytest.approx(1500.0, rel=0.01)
    assert "1,50" in result.message_en


def test_the_profile_makes_ev_charging_count_for_happy() -> None:
    c = community("c1", LON, LAT)
    yanta = run_indicator("ev_charging", c, profile="xian-yanta", plugins=[livable_yanta])
    city = run_indicator("ev_charging", c, profile="xian-2020", plugins=[livable_yanta])
    assert (yanta.role, city.role) == ("happy", "info")


def test_the_profile_is_derived_from_the_city_profile(pm: PluginManager) -> None:
    yanta = pm.profiles()["xian-yanta"]
    city = pm.profiles()["xian-2020"]
    assert yanta.parent == "xian-2020"
    assert yanta.circle_radius_m == city.circle_radius_m
    assert {**city.indicator_roles, "ev_charging": "happy"} == dict(yanta.indicator_roles)


@pytest.mark.parametrize("east_m", [100.0, 350.0, 700.0, 1000.0])
def test_detour_distance_is_the_straight_line_times_the_factor(east_m: float) -> None:
    c = [community("c1", LON, LAT)]
    f = [facility("k1", "kindergarten", *offset(LON, LAT, east_m, 0.0))]
    pm = PluginManager(load_entry_points=False, plugins=[livable_yanta])
    straight = livable.evaluate(c, f, plugins=pm).communities[0].access_to("kindergarten")
    detour = livable.evaluate(c, f, plugins=pm, distance="euclidean_detour")
    access = detour.communities[0].access_to("kindergarten")
    assert detour.distance == "euclidean_detour"
    assert access.nearest_m == pytest.approx(straight.nearest_m * DETOUR_FACTOR, rel=1e-9)
    expected_counts = {t: int(straight.nearest_m * DETOUR_FACTOR <= t) for t in (400, 800, 1200)}
    assert dict(access.count_within) == expected_counts


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(-2500, 2500), st.floats(-2500, 2500)), min_size=1, max_size=8))
def test_detour_never_finds_what_the_straight_line_misses(points: list) -> None:
    c = [community("c1", LON, LAT)]
    f = [
        facility(f"e{i}", "charging_station", *offset(LON, LAT, x, y))
        for i, (x, y) in enumerate(points)
    ]
    pm = PluginManager(load_entry_points=False, plugins=[livable_yanta])
    straight = livable.evaluate(c, f, plugins=pm).communities[0]
    detour = livable.evaluate(c, f, plugins=pm, distance="euclidean_detour").communities[0]
    s, d = straight.access_to("charging_station"), detour.access_to("charging_station")
    assert d.count_in_circle <= s.count_in_circle
    if d.nearest_m is not None:
        assert d.nearest_m == pytest.approx(s.nearest_m * DETOUR_FACTOR, rel=1e-9)


def _write_inputs(folder: Path) -> tuple[Path, Path]:
    communities = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "yt-1", "name": "大雁塔社区", "district": "雁塔区"},
                "geometry": {"type": "Point", "coordinates": [LON, LAT]},
            }
        ],
    }
    lon, lat = offset(LON, LAT, 300.0, 0.0)
    facilities = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "e1", "type": "charging_station", "name": "充电站"},
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
            }
        ],
    }
    c_path, f_path = folder / "communities.geojson", folder / "facilities.geojson"
    c_path.write_text(json.dumps(communities, ensure_ascii=False), encoding="utf-8")
    f_path.write_text(json.dumps(facilities, ensure_ascii=False), encoding="utf-8")
    return c_path, f_path


def test_report_json_records_the_plugin_and_its_indicator(tmp_path: Path, capsys) -> None:
    c_path, f_path = _write_inputs(tmp_path)
    out = tmp_path / "report.json"
    argv = ["evaluate", "--communities", str(c_path), "--facilities", str(f_path)]
    argv += ["--profile", "xian-yanta", "--allow-plugin", "yanta", "--out", str(out), "--quiet"]
    assert main(argv) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {"name": "yanta", "version": "0.1.0"} in report["plugins"]
    (c,) = report["communities"]
    assert c["indicators"]["ev_charging"]["status"] == "passed"
    assert c["indicators"]["ev_charging"]["role"] == "happy"
    assert c["access"]["charging_station"]["count_in_circle"] == 1
    assert report["profile"] == "xian-yanta"
    assert capsys.readouterr().err == ""


def test_livable_plugins_lists_what_the_plugin_adds(capsys) -> None:
    assert main(["plugins", "--allow-plugin", "yanta"]) == 0
    text = capsys.readouterr().out
    assert "yanta 0.1.0" in text
    for line in (
        "indicator ev_charging",
        "facility type charging_station",
        "profile xian-yanta",
        "distance providers: euclidean_detour",
    ):
        assert line in text
