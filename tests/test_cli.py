"""The command line: exit statuses, one-line errors, the summary table, the report file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from livable.cli import main
from livable.schemas import load_schema
from livable.testing import offset

LON, LAT = 108.94, 34.26


def _fc(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _point(fid: str, lon: float, lat: float, **props: object) -> dict:
    return {
        "type": "Feature",
        "properties": {"id": fid, **props},
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }


@pytest.fixture
def city(tmp_path: Path) -> tuple[Path, Path]:
    comms = _fc(
        [
            _point("c1", LON, LAT, name="丈八社区", population=3000, district="雁塔区"),
            _point("c2", *offset(LON, LAT, 4000, 0), population=9000, district="长安区"),
            _point("c2", *offset(LON, LAT, 4000, 10), population=9000),
            {"type": "Feature", "properties": {"id": "nogeom"}, "geometry": None},
        ]
    )
    types = ["kindergarten", "clinic", "convenience_store", "bank", "restaurant"]
    facs = _fc(
        [
            _point(f"f{i}", *offset(LON, LAT, 100.0 * (i + 1), 50.0), type=t, name=f"设施{i}")
            for i, t in enumerate(types)
        ]
        + [_point("bad", LON, LAT, type="spaceport")]
    )
    c, f = tmp_path / "communities.geojson", tmp_path / "facilities.geojson"
    c.write_text(json.dumps(comms, ensure_ascii=False), encoding="utf-8")
    f.write_text(json.dumps(facs, ensure_ascii=False), encoding="utf-8")
    return c, f


def test_evaluate_writes_a_valid_report(city, tmp_path, capsys):
    c, f = city
    out = tmp_path / "report.json"
    code = main(["evaluate", "--communities", str(c), "--facilities", str(f), "--out", str(out)])
    assert code == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(report, load_schema("report"))
    assert [x["id"] for x in report["communities"]] == ["c1"]
    assert {x["id"] for x in report["rejected"]} == {"c2", "nogeom"}
    assert report["summary"]["communities"] == 4
    assert report["rejected_facilities"][0]["id"] == "bad"
    assert "unknown facility type 'spaceport'" in report["rejected_facilities"][0]["reason"]
    assert [i["path"] for i in report["inputs"]] == [str(c), str(f)]
    k = report["communities"][0]["access"]["kindergarten"]
    assert k["count_within"] == {"400": 1, "800": 1, "1200": 1}
    assert k["nearest"][0]["name"] == "设施0"
    printed = capsys.readouterr()
    assert "not livable 尚未宜居" in printed.out and "report written to" in printed.err


def test_summary_command_prints_the_table(city, tmp_path, capsys):
    c, f = city
    out = tmp_path / "r.json"
    main(
        ["evaluate", "--quiet", "--communities", str(c), "--facilities", str(f), "--out", str(out)]
    )
    assert capsys.readouterr().out == ""
    assert main(["summary", str(out)]) == 0
    text = capsys.readouterr().out
    assert "livable share 宜居占比" in text
    assert "rejected 未评估 (3)" in text


def test_missing_file_is_one_line_exit_1(tmp_path, capsys):
    code = main(
        [
            "evaluate",
            "--communities",
            str(tmp_path / "nope.geojson"),
            "--facilities",
            str(tmp_path / "f.geojson"),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "nope.geojson" in err[0] and "file not found" in err[0]


def test_not_json_is_exit_1(tmp_path, capsys, city):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["evaluate", "--communities", str(bad), "--facilities", str(city[1])]) == 1
    err = capsys.readouterr().err
    assert "bad.geojson: not valid JSON" in err and "Traceback" not in err


def test_strict_stops_at_the_first_bad_feature(city, capsys):
    c, f = city
    assert main(["evaluate", "--strict", "--communities", str(c), "--facilities", str(f)]) == 1
    err = capsys.readouterr().err
    assert "communities.geojson#1 (id 'c2'): duplicate id" in err


def test_usage_error_is_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["evaluate", "--communities", "x"])
    assert info.value.code == 2


def test_unknown_profile_is_exit_1(city, capsys):
    c, f = city
    code = main(
        ["evaluate", "--communities", str(c), "--facilities", str(f), "--profile", "nowhere"]
    )
    assert code == 1
    assert "unknown profile 'nowhere'" in capsys.readouterr().err


def test_plugins_command_lists_builtins(capsys):
    assert main(["plugins"]) == 0
    text = capsys.readouterr().out
    assert "livable.providers" in text and "euclidean" in text and "twelve_ones" in text
    assert "kindergarten" in text and "幼儿园" in text


def test_console_script_runs_as_a_module(city, tmp_path):
    c, f = city
    out = tmp_path / "r.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "livable.cli",
            "evaluate",
            "--quiet",
            "--communities",
            str(c),
            "--facilities",
            str(f),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.exists()


def test_demo_names_every_file_it_wrote_on_its_last_line(tmp_path, capsys):
    """P7: the demo's last line says where each written file is; each exists."""
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("written: ")
    written = [Path(p) for p in last.removeprefix("written: ").split(", ")]
    names = {p.name for p in written}
    assert {"communities.geojson", "facilities.geojson", "report.json", "city.png"} <= names
    assert "handbook-zh.html" in names and any(n.startswith("map-") for n in names)
    assert set(written) == {p for p in out.iterdir() if p.is_file()}
