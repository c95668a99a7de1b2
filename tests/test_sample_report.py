"""The bundled sample city, evaluated by the engine: schema-valid, grades as designed."""

from __future__ import annotations

import json

import jsonschema

import livable
from livable.cli import main
from livable.io.sample import generate_sample_city, write_sample_city
from livable.plugins import PluginManager
from livable.schemas import load_schema


def test_sample_city_report_validates_and_matches_the_designed_grades(tmp_path):
    c, f = write_sample_city(tmp_path)
    report = livable.evaluate(c, f, plugins=PluginManager(load_entry_points=False))
    data = json.loads(report.to_json())
    jsonschema.validate(data, load_schema("report"))
    expected = generate_sample_city().expected_grades
    assert {x.id: x.grade.value for x in report.communities} == dict(expected)
    assert {r.id for r in report.rejected} == {"DUP-001", "NOGEOM-001"}
    assert len(report.communities) + len(report.rejected) == report.summary.communities
    grades = {x.grade for x in report.communities}
    assert grades == set(livable.Grade)
    assert {x.zone for x in report.communities} == set(livable.Zone)


def test_demo_writes_inputs_and_report_beside_them(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    assert {p.name for p in out.iterdir()} >= {
        "communities.geojson",
        "facilities.geojson",
        "report.json",
        "city.png",  # P7: one map (the dev extras include 'maps')
        "map-BL-004.png",  # the first community that is not yet livable
        "handbook-zh.html",  # P7: one handbook, for that community
    }
    assert (out / "city.png").read_bytes().startswith(b"\x89PNG")
    assert "福寿社区便民服务手册" in (out / "handbook-zh.html").read_text(encoding="utf-8")
    meta = json.loads((out / "communities.geojson").read_text(encoding="utf-8"))["metadata"]
    assert meta["synthetic"] is True
    text = capsys.readouterr().out
    assert "livable evaluate --communities" in text
    assert "happy share, central" in text
    assert "city map:" in text and "handbook of BL-004:" in text
