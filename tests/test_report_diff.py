"""Comparing two evaluations (issue 18, Deliver 1): livable.diff and `livable diff`."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import livable
from livable import TWELVE_ONES, Grade, ReportError
from livable.cli import main
from livable.models.serialize import dumps
from livable.report.diff import diff
from livable.report.diff_output import diff_tables, format_diff, write_diff
from livable.schemas import load_schema
from livable.testing import community, facility, offset, ring_of_facilities

LON, LAT = 108.94, 34.26
FAR = offset(LON, LAT, 5000, 0)


def _city(*, clinic: bool) -> livable.Report:
    """Two communities: c1 has every one of the twelve ones but a clinic (its only
    livable gap), c2 far away has nothing; ``clinic`` adds one clinic 300 m from c1."""
    types = [t for t in TWELVE_ONES if t != "clinic"]
    facilities = ring_of_facilities(LON, LAT, types, radius_m=300, count=3)
    if clinic:
        facilities.append(facility("new-clinic", "clinic", *offset(LON, LAT, 0, 300)))
    communities = [
        community("c1", LON, LAT, district="雁塔区", subdistrict="小寨路街道", population=3000),
        community("c2", *FAR, district="长安区", subdistrict="郭杜街道", population=5000),
    ]
    return livable.evaluate(communities, facilities)


@pytest.fixture(scope="module")
def before() -> livable.Report:
    return _city(clinic=False)


@pytest.fixture(scope="module")
def after() -> livable.Report:
    return _city(clinic=True)


def test_a_report_diffed_with_itself_is_empty(before):
    d = diff(before, before)
    assert d.is_empty
    assert d.changed == () and d.up == () and d.down == ()
    assert len(d.stayed) == 2
    assert not any(g.changed for g in d.groups)
    assert "no change" in format_diff(d)


def test_one_facility_closing_the_only_gap_moves_exactly_that_community_up(before, after):
    c1 = before.community("c1")
    assert [g.key for g in _livable_gaps(c1)] == ["P4.twelve_ones:clinic"]
    d = diff(before, after)
    assert [c.id for c in d.up] == ["c1"]
    assert d.down == () and d.added == () and d.removed == ()
    (up,) = d.up
    assert (up.grade_before, up.grade_after) == (Grade.NOT_LIVABLE, Grade.LIVABLE)
    closed = {g.key: g for g in up.closed}
    assert "P4.twelve_ones:clinic" in closed
    assert [k for k, g in closed.items() if g.grade == Grade.LIVABLE] == ["P4.twelve_ones:clinic"]
    gap = closed["P4.twelve_ones:clinic"]
    assert gap.distance_after_m == pytest.approx(300, abs=2)
    assert (gap.in_circle_before, gap.in_circle_after) == (0, 1)
    assert [c.id for c in d.changed] == ["c1"]  # c2, 5 km away, is untouched
    city = d.level("city")[0]
    assert city.livable_share_before == 0.0 and city.livable_share_after == 0.5
    assert city.livable_needed_change == -1


def _livable_gaps(c: livable.CommunityResult) -> list[object]:
    from livable.report.diff import GapChange

    return [
        GapChange(rule=g.rule, facility_type=g.facility_type, category=g.category)
        for g in c.gaps
        if g.grade == Grade.LIVABLE
    ]


def test_the_reverse_diff_swaps_up_and_down_and_closed_and_opened(before, after):
    forward, back = diff(before, after), diff(after, before)
    assert [c.id for c in back.down] == [c.id for c in forward.up]
    (f,), (b,) = forward.up, back.down
    assert [g.key for g in f.closed] == [g.key for g in b.opened]
    assert [g.key for g in f.opened] == [g.key for g in b.closed]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.sampled_from(TWELVE_ONES)), st.sets(st.sampled_from(TWELVE_ONES)))
def test_diff_is_empty_exactly_when_nothing_changed(first, second):
    def run(types: set[str]) -> livable.Report:
        return livable.evaluate(
            [community("c1", LON, LAT)], ring_of_facilities(LON, LAT, sorted(types))
        )

    a, b = run(first), run(second)
    assert diff(a, a).is_empty
    d = diff(a, b)
    same = a.communities[0].gaps == b.communities[0].gaps
    assert d.is_empty == (same and a.communities[0].grade == b.communities[0].grade)
    assert len(d.up) + len(d.down) + len(d.stayed) == 1
    jsonschema.validate(json.loads(dumps(d.to_dict())), load_schema("diff"))


def test_added_removed_and_rejected_in_one_only(before):
    def point(fid: str, lon: float, lat: float) -> dict[str, object]:
        geometry = {"type": "Point", "coordinates": [lon, lat]}
        return {"type": "Feature", "properties": {"id": fid}, "geometry": geometry}

    features = [
        point("c1", LON, LAT),
        point("c3", *offset(LON, LAT, 0, 4000)),
        {"type": "Feature", "properties": {"id": "c2"}, "geometry": None},  # rejected
    ]
    more = livable.evaluate({"type": "FeatureCollection", "features": features}, [])
    assert [r.id for r in more.rejected] == ["c2"]
    d = diff(before, more)
    assert d.added == ("c3",)
    assert d.removed == ()  # c2 is not gone: it was rejected
    assert d.rejected_after_only == ("c2",)
    assert diff(more, before).rejected_before_only == ("c2",)
    assert diff(more, before).removed == ("c3",)
    jsonschema.validate(json.loads(dumps(d.to_dict())), load_schema("diff"))


def test_different_profiles_are_compared_only_when_allowed(before, tmp_path):
    other = livable.evaluate([community("c1", LON, LAT)], [], distance="geodesic")
    with pytest.raises(ReportError, match="different profiles or distance providers"):
        diff(before, other)
    d = diff(before, other, allow_different_profile=True)
    assert d.different_profile
    assert "different profiles" in format_diff(d)
    assert d.to_dict()["different_profile"] is True


def _write(report: livable.Report, path: Path) -> Path:
    path.write_text(report.to_json(), encoding="utf-8")
    return path


def test_cli_diff_prints_json_valid_against_the_shipped_schema(before, after, tmp_path, capsys):
    b, a = _write(before, tmp_path / "b.json"), _write(after, tmp_path / "a.json")
    assert main(["diff", str(b), str(a), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, load_schema("diff"))
    assert data["counts"]["up"] == 1
    assert data["communities"][0]["id"] == "c1"
    assert main(["diff", str(b), str(b), "--json"]) == 0
    same = json.loads(capsys.readouterr().out)
    jsonschema.validate(same, load_schema("diff"))
    assert same["empty"] is True and same["communities"] == []


def test_cli_diff_writes_every_file_type(before, after, tmp_path, capsys):
    b, a = _write(before, tmp_path / "b.json"), _write(after, tmp_path / "a.json")
    for suffix in (".json", ".md", ".csv", ".xlsx"):
        out = tmp_path / f"diff{suffix}"
        assert main(["diff", str(b), str(a), "--out", str(out)]) == 0
        assert out.is_file()
    assert "c1" in capsys.readouterr().out
    written = json.loads((tmp_path / "diff.json").read_text("utf-8"))
    jsonschema.validate(written, load_schema("diff"))
    assert "P4.twelve_ones:clinic" in (tmp_path / "diff.md").read_text("utf-8")
    with (tmp_path / "diff.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["id"], r["direction"]) for r in rows] == [("c1", "up")]
    book = openpyxl.load_workbook(tmp_path / "diff.xlsx")
    assert book.sheetnames == ["communities", "gaps", "groups", "reports"]
    assert book["communities"]["A2"].value == "c1"
    about = {r[0]: r[1:] for r in book["reports"].iter_rows(values_only=True)}
    assert about["distance"] == ("euclidean", "euclidean")
    assert about["different_profile"] == (False, False)


def test_cli_diff_refuses_a_file_that_is_not_a_report(before, tmp_path, capsys):
    b = _write(before, tmp_path / "b.json")
    bad = tmp_path / "not-a-report.json"
    bad.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    assert main(["diff", str(b), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "not-a-report.json" in err and "not a livable report" in err
    assert "Traceback" not in err


def test_cli_diff_different_profile_needs_the_flag(before, tmp_path, capsys):
    b = _write(before, tmp_path / "b.json")
    other = livable.evaluate([community("c1", LON, LAT)], [], distance="geodesic")
    o = _write(other, tmp_path / "o.json")
    assert main(["diff", str(b), str(o)]) == 1
    assert "--allow-different-profile" in capsys.readouterr().err
    assert main(["diff", str(b), str(o), "--allow-different-profile"]) == 0
    assert "warning" in capsys.readouterr().out
    book = tmp_path / "d.xlsx"
    argv = ["diff", str(b), str(o), "--allow-different-profile", "--out", str(book)]
    assert main(argv) == 0
    assert "warning" in capsys.readouterr().out
    about = {
        r[0]: r[1:] for r in openpyxl.load_workbook(book)["reports"].iter_rows(values_only=True)
    }
    assert about["distance"] == ("euclidean", "geodesic")
    assert about["different_profile"] == (True, True)


def test_write_diff_refuses_an_unknown_suffix(before, tmp_path):
    with pytest.raises(livable.LivableError, match="ending in"):
        write_diff(diff(before, before), tmp_path / "d.txt")


def test_the_tables_have_one_group_row_per_summary_group(before, after):
    tables = diff_tables(diff(before, after))
    assert len(tables["groups"][1]) == len(after.summary.groups)
    assert {r[1] for r in tables["gaps"][1]} == {"closed"}
