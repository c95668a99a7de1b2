"""Issue 24: what a read could not use is said, in the report and on stderr.

Every input of a report carries its layer, feature count, features used and notes
(rejections by reason, ids made from row numbers, required types with no facility, street
parts dropped); ``livable evaluate`` prints one line per note on stderr; ``--strict``
stops for them; no usable facility at all is an error.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import livable
from livable.cli import main
from livable.errors import InputError
from livable.io.account import accounted, note_lines, reason_kind, rejection_notes
from livable.models import Rejection, Report, SourceInfo
from livable.scale.tiles import evaluate_partitioned
from livable.testing import community, facility

DATA = Path(__file__).parent / "data"
OK_COMMUNITIES = DATA / "ok" / "communities.geojson"
OK_FACILITIES = DATA / "ok" / "facilities.geojson"
BAD = DATA / "bad"


def _evaluate(tmp_path: Path, facilities: Path, *extra: str) -> tuple[int, str, str, Path]:
    out = tmp_path / "report.json"
    argv = ["evaluate", "--communities", str(OK_COMMUNITIES), "--facilities", str(facilities)]
    code = main([*argv, "--out", str(out), *extra])
    return code, "", "", out


def test_misspelt_type_is_counted_suggested_and_warned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _, out = _evaluate(tmp_path, BAD / "facilities_type_misspelt.geojson")
    captured = capsys.readouterr()
    assert code == 0
    assert "Facilities 设施: 3 in input, 1 used, 2 rejected (2 unknown facility type)" in (
        captured.out
    )
    err = captured.err.splitlines()
    assert (
        "livable: facilities "
        f"{BAD / 'facilities_type_misspelt.geojson'}: 2 rejected: unknown facility type "
        "('kindergarden' -> 'kindergarten')"
    ) in err
    assert any(
        "warning:" in line and "types the profile needs: " in line and "'breakfast_outlet'" in line
        for line in err
    ), err
    assert code == 0 and main(["evaluate", "--communities", str(OK_COMMUNITIES),
        "--facilities", str(BAD / "facilities_type_misspelt.geojson"), "--quiet",
        "--out", str(out)]) == 0  # fmt: skip
    assert capsys.readouterr().err == ""  # --quiet: errors only; the report keeps the notes
    data = json.loads(out.read_text("utf-8"))
    facilities = next(i for i in data["inputs"] if i["layer"] == "facilities")
    assert facilities["features"] == 3 and facilities["used"] == 1
    kinds = {(n["kind"], n["what"]) for n in facilities["notes"]}
    assert ("rejected", "unknown facility type") in kinds
    assert ("missing_type", "kindergarten") in kinds
    assert facilities["sha256"] and len(facilities["sha256"]) == 64


def test_no_usable_facility_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _, out = _evaluate(tmp_path, BAD / "facilities_all_unknown.geojson")
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and not out.exists()
    assert len(err) == 1 and err[0].startswith("livable: error: ")
    assert "none of the 3 facilities is usable" in err[0]
    assert "3 x unknown facility type" in err[0]
    assert "'type' property" in err[0]  # says what to check


def test_no_usable_facility_in_the_python_api() -> None:
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "f1", "type": "幼儿园"},
                "geometry": {"type": "Point", "coordinates": [108.94, 34.26]},
            }
        ],
    }
    with pytest.raises(InputError, match=r"'幼儿园' -> 'kindergarten'"):
        livable.evaluate([community("c1", 108.94, 34.26)], fc)
    # the tiled evaluation reads the facilities once too, and stops as the single pass does
    with pytest.raises(InputError, match=r"none of the 1 facilities is usable"):
        evaluate_partitioned([community("c1", 108.94, 34.26)], fc, tile_m=1_500.0)
    # no facilities at all (an empty list) is not that error: nothing was lost
    assert livable.evaluate([community("c1", 108.94, 34.26)], []).communities


def test_clean_inputs_have_no_notes_and_print_nothing_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _, out = _evaluate(tmp_path, OK_FACILITIES, "--quiet")
    assert code == 0
    data = json.loads(out.read_text("utf-8"))
    for entry in data["inputs"]:
        assert entry["used"] == entry["features"]
        assert "notes" not in entry or all(n["kind"] == "missing_type" for n in entry["notes"])
    assert [i["layer"] for i in data["inputs"]] == ["communities", "facilities"]


def _streets(path: Path) -> Path:
    """A 2 km street through the ok communities and a detached 50 m stub far away."""
    lines = [
        ("main", [[108.93, 34.26], [108.955, 34.26]]),
        ("stub", [[108.99, 34.30], [108.9905, 34.30]]),
    ]
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": sid},
                "geometry": {"type": "LineString", "coordinates": coords},
            }
            for sid, coords in lines
        ],
    }
    path.write_text(json.dumps(fc), "utf-8")
    return path


def test_streets_are_an_input_with_their_digest_and_dropped_parts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    streets = _streets(tmp_path / "streets.geojson")
    fc = json.loads(OK_FACILITIES.read_text("utf-8"))
    fc["features"].append(
        {
            "type": "Feature",
            "properties": {"id": "on-the-stub", "type": "clinic"},
            "geometry": {"type": "Point", "coordinates": [108.9902, 34.3002]},
        }
    )
    facilities = tmp_path / "f.geojson"
    facilities.write_text(json.dumps(fc), "utf-8")
    out = tmp_path / "report.json"
    argv = [
        "evaluate",
        "--communities",
        str(OK_COMMUNITIES),
        "--facilities",
        str(facilities),
        "--streets",
        str(streets),
        "--distance",
        "network",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    err = capsys.readouterr().err
    data = json.loads(out.read_text("utf-8"))
    entry = next(i for i in data["inputs"] if i["layer"] == "streets")
    assert entry["path"] == str(streets) and len(entry["sha256"]) == 64
    assert (entry["features"], entry["used"]) == (2, 2)
    notes = {n["kind"]: n for n in entry["notes"]}
    assert notes["dropped_components"]["count"] == 1
    assert notes["dropped_segments"]["count"] == 1
    assert "1 street component dropped" in err
    assert notes["unreachable"]["what"] == "facilities"
    assert notes["unreachable"]["examples"] == ["'on-the-stub'"]
    assert "1 facility unreachable: on dropped street parts ('on-the-stub')" in err
    out.unlink()
    assert main([*argv, "--strict"]) == 1
    err = capsys.readouterr().err
    assert "street component dropped" in err and "--strict" in err
    assert not out.exists()


def test_geodataframe_without_ids_is_noted_and_strict_stops() -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    frame = gpd.GeoDataFrame(
        {"population": [3000, 2000]},
        geometry=[Point(108.94, 34.26), Point(108.95, 34.26)],
        crs="EPSG:4326",
    )
    report = livable.evaluate(frame, [facility("k1", "kindergarten", 108.945, 34.26)])
    entry = next(i for i in report.inputs if i.layer == "communities")
    assert entry.path == "<memory>"
    note = next(n for n in entry.notes if n.kind == "ids_from_index")
    assert note.count == 2 and note.examples == ("'0'", "'1'")
    with pytest.raises(InputError, match="made from the row index"):
        livable.evaluate(frame, [], strict=True)
    frame["id"] = ["a", "b"]
    report = livable.evaluate(frame, [])
    assert all(i.path != "<memory>" for i in report.inputs)


def test_a_report_with_notes_reads_back_to_the_same_bytes(tmp_path: Path) -> None:
    code, _, _, out = _evaluate(tmp_path, BAD / "facilities_type_misspelt.geojson", "--quiet")
    assert code == 0
    text = out.read_text("utf-8")
    report = Report.from_dict(json.loads(text))
    assert report.to_json() + "\n" == text or report.to_json() == text
    assert any(i.notes for i in report.inputs)


reasons = st.sampled_from(
    [
        "unknown facility type 'x' (did you mean 'clinic'? `livable plugins` lists ...)",
        "missing id: every community needs a unique 'id' property",
        "population must be >= 0, not -3",
        "feature has no geometry (null): give its Polygon",
        "duplicate id 'a': 2 features share it (#0, #3)",
    ]
) | st.text(max_size=30)


@given(st.lists(st.tuples(st.none() | st.text(max_size=5), reasons), max_size=30))
def test_every_rejection_is_counted_once(items: list[tuple[str | None, str]]) -> None:
    rejected = [Rejection(fid, f"f#{i}", reason) for i, (fid, reason) in enumerate(items)]
    notes = rejection_notes(rejected)
    assert sum(n.count for n in notes) == len(rejected)
    assert len({n.what for n in notes}) == len(notes)
    assert all(len(n.examples) <= 3 for n in notes)
    info = accounted(SourceInfo("f.geojson"), "facilities", len(rejected) + 2, rejected)
    assert info.used == 2
    for line in note_lines(info):
        assert "\n" not in line and "\x1b" not in line  # sanitised
    for _, reason in items:
        assert reason_kind(reason) == reason_kind(reason).strip()


def _demo_as_shapefile(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The demo's polygon communities (unique ids) as a shapefile and as GeoJSON."""
    import geopandas as gpd

    from livable.io.sample import write_sample_city

    communities, facilities = write_sample_city(tmp_path / "demo")
    frame = gpd.read_file(communities)
    frame = frame[frame.geometry.notna() & frame.geom_type.isin(["Polygon", "MultiPolygon"])]
    frame = frame.drop_duplicates("id", keep=False)
    shp, geojson = tmp_path / "c.shp", tmp_path / "c.geojson"
    with warnings.catch_warnings():  # geopandas and GDAL say they truncate; a user misses it
        warnings.simplefilter("ignore")
        frame.to_file(shp)
    frame.to_file(geojson, driver="GeoJSON")
    return shp, geojson, facilities


def test_demo_as_a_shapefile_grades_exactly_as_geojson(tmp_path: Path) -> None:
    shp, geojson, facilities = _demo_as_shapefile(tmp_path)
    from_shp = livable.evaluate(shp, facilities)
    from_json = livable.evaluate(geojson, facilities)
    assert len(from_shp.communities) == len(from_json.communities) > 60
    for a, b in zip(from_shp.communities, from_json.communities, strict=True):
        assert (a.id, a.grade, a.subdistrict) == (b.id, b.grade, b.subdistrict)
        # the same indicators judged the same; distances agree to float noise (the
        # shapefile stores the rings in its own order)
        assert [(i.id, i.status, i.message_en) for i in a.indicators] == [
            (i.id, i.status, i.message_en) for i in b.indicators
        ], a.id
        assert a.score == b.score
    assert from_shp.summary.mean_score == from_json.summary.mean_score
    entry = next(i for i in from_shp.inputs if i.layer == "communities")
    note = next(n for n in entry.notes if n.kind == "renamed")
    assert note.count == 13
    assert "subdistric -> subdistrict" in note.what and "green_rati -> green_ratio" in note.what
    with pytest.raises(InputError, match=r"--rename subdistric=subdistrict"):
        livable.evaluate(shp, facilities, strict=True)


def test_rename_on_the_command_line_and_ambiguous_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    frame = gpd.GeoDataFrame(
        {"id": ["a"], "grn": [0.4], "population": [3000]},
        geometry=[Point(108.94, 34.26)],
        crs="EPSG:4326",
    )
    path = tmp_path / "c.shp"
    frame.to_file(path)
    out = tmp_path / "r.json"
    argv = ["evaluate", "--communities", str(path), "--facilities", str(OK_FACILITIES)]
    assert main([*argv, "--rename", "grn=green_ratio", "--out", str(out)]) == 0
    data = json.loads(out.read_text("utf-8"))
    green = data["communities"][0]["indicators"]["green_ratio"]
    assert green["value"] == 0.4, green
    assert "grn -> green_ratio" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*argv, "--rename", "grn", "--out", str(out)])
    # a truncated column that fits two names read is an error naming both
    from livable.io._names import name_map

    with pytest.raises(InputError, match="'community_a_long', 'community_b_long'"):
        name_map(["community_"], {"community_a_long", "community_b_long"}, {})


def test_properties_no_rule_reads_are_noted_as_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misspelt attribute column (``green_ration``) reads as 'not given' in every
    indicator: the communities' entry names it as ignored, as does an unread facility
    column; the properties the profile's indicators read are not in the note."""
    fc = json.loads(OK_COMMUNITIES.read_text("utf-8"))
    for feature in fc["features"]:
        feature["properties"].update(green_ration=0.4, governance_score=90)
    communities = tmp_path / "c.geojson"
    communities.write_text(json.dumps(fc), "utf-8")
    fac = json.loads(OK_FACILITIES.read_text("utf-8"))
    fac["features"][0]["properties"]["addr"] = "长安南路"
    facilities = tmp_path / "f.geojson"
    facilities.write_text(json.dumps(fac), "utf-8")
    out = tmp_path / "report.json"
    argv = ["evaluate", "--communities", str(communities), "--facilities", str(facilities)]
    assert main([*argv, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    data = json.loads(out.read_text("utf-8"))
    notes = {i["layer"]: [n for n in i.get("notes", ()) if n["kind"] == "ignored"] for i in
             data["inputs"]}  # fmt: skip
    assert notes["communities"] == [
        {"kind": "ignored", "count": 1, "what": "'green_ration'", "examples": []}
    ]
    assert notes["facilities"][0]["what"] == "'addr'"
    assert "1 property no rule reads, ignored: 'green_ration'" in err
    assert main([*argv, "--out", str(tmp_path / "strict.json"), "--strict"]) == 1
    assert "no rule reads, ignored: 'green_ration'" in capsys.readouterr().err


def test_ignored_needs_to_know_what_the_run_reads() -> None:
    """Read on its own, a community file's other properties are its attributes (a plugin
    may read them): no note; told what the run reads (``names=``), the others are noted."""
    point = {"type": "Point", "coordinates": [108.94, 34.26]}
    feature = {"type": "Feature", "properties": {"id": "c1", "grn": 0.4}, "geometry": point}
    fc = {"type": "FeatureCollection", "features": [feature]}
    assert livable.read_communities(fc).source.notes == ()
    (note,) = livable.read_communities(fc, names={"green_ratio"}).source.notes
    assert (note.kind, note.count, note.what) == ("ignored", 1, "'grn'")
