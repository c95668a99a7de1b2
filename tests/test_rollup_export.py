"""The summary exported for the assessment (P8): CSV files and an XLSX workbook, round trip,
and ``livable summary report.json --csv DIR --xlsx FILE``."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import livable
from livable.cli import main
from livable.models import TWELVE_ONES
from livable.report.export import COLUMNS, TABLES, summary_tables, write_csv, write_xlsx
from livable.report.summary import format_summary
from livable.testing import community, facility, offset, ring_of_facilities

LON, LAT = 108.94, 34.26


def _city() -> livable.Report:
    """Six communities in three districts, two zones: graded not livable to happy."""
    comms = []
    facilities = []
    attrs = {"green_ratio": 0.4, "governance_score": 90, "vitality_score": 90, "satisfaction": 0.9}
    plans = [
        ("c1", "碑林区", "张家村街道", "all", attrs),
        ("c2", "碑林区", "张家村街道", "all", {}),
        ("c3", "碑林区", "长安路街道", "none", {}),
        ("c4", "雁塔区", "小寨路街道", "no-clinic", {}),
        ("c5", "长安区", "韦曲街道", "all", attrs),
        ("c6", "长安区", "韦曲街道", "none", {}),
    ]
    for i, (cid, district, sub, kit, extra) in enumerate(plans):
        lon, lat = offset(LON, LAT, 10_000.0 * i, 0.0)
        comms.append(
            community(cid, lon, lat, population=3000, district=district, subdistrict=sub, **extra)
        )
        if kit == "none":
            continue
        types = [t for t in livable.FACILITY_TYPES if not (kit == "no-clinic" and t == "clinic")]
        for t in types:
            n = 3 if t in TWELVE_ONES else 1
            for k in range(n):
                facilities.append(
                    facility(f"{cid}-{t}-{k}", t, *offset(lon, lat, 150.0, 20.0 * k), brand="B")
                )
    return livable.evaluate(comms, facilities)


@pytest.fixture(scope="module")
def report() -> livable.Report:
    return _city()


@pytest.fixture(scope="module")
def report_json(report: livable.Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.json"
    path.write_text(report.to_json(), encoding="utf-8")
    return path


def test_the_sample_city_grades(report: livable.Report) -> None:
    grades = {c.id: c.grade.value for c in report.communities}
    assert grades == {
        "c1": "happy",
        "c2": "livable",
        "c3": "not_livable",
        "c4": "not_livable",
        "c5": "happy",
        "c6": "not_livable",
    }


def test_tables_have_one_row_per_group(report: livable.Report) -> None:
    tables = summary_tables(report)
    assert tuple(tables) == TABLES
    assert [r[1] for r in tables["district"].rows] == ["碑林区", "长安区", "雁塔区"]
    # subdistricts in (district, subdistrict) order
    assert [(r[2], r[1]) for r in tables["subdistrict"].rows] == [
        ("碑林区", "张家村街道"),
        ("碑林区", "长安路街道"),
        ("长安区", "韦曲街道"),
        ("雁塔区", "小寨路街道"),
    ]
    assert [r[1] for r in tables["zone"].rows] == ["central", "peripheral"]
    closest = tables["closest"]
    assert [r[1] for r in closest.rows][:1] == ["c4"]  # one clinic short of livable
    assert closest.rows[0][-1] == "P4.twelve_ones:clinic"
    for table in tables.values():
        assert all(len(row) == len(table.columns) for row in table.rows)
    # every column is described in both languages
    described = {row[0] for row in tables["columns"].rows}
    assert described == {c for t in tables.values() if t.name != "columns" for c in t.columns}
    assert all(c in COLUMNS for c in described)


def _as_text(value: Any) -> str:
    return "" if value is None else str(value)


def test_csv_round_trip(report: livable.Report, tmp_path: Path) -> None:
    paths = write_csv(report, tmp_path / "csv")
    assert [p.name for p in paths] == [f"{t}.csv" for t in TABLES]
    tables = summary_tables(report)
    for path in paths:
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheet programs read UTF-8
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        table = tables[path.stem]
        assert tuple(rows[0]) == table.columns
        assert rows[1:] == [[_as_text(v) for v in row] for row in table.rows]
    with (tmp_path / "csv" / "district.csv").open(encoding="utf-8-sig", newline="") as f:
        beilin = next(csv.DictReader(f))
    assert beilin["key"] == "碑林区"
    assert (beilin["communities"], beilin["happy"], beilin["livable_needed"]) == ("3", "1", "1")
    assert float(beilin["target_happy_share"]) == 0.5
    assert float(beilin["grade_share_not_livable"]) == pytest.approx(1 / 3, abs=1e-4)


def test_xlsx_round_trip(report: livable.Report, tmp_path: Path) -> None:
    import openpyxl

    path = write_xlsx(report, tmp_path / "out" / "summary.xlsx")
    book = openpyxl.load_workbook(path)
    assert tuple(book.sheetnames) == TABLES
    tables = summary_tables(report)
    for name, table in tables.items():
        sheet = book[name]
        rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
        assert rows[0] == table.columns
        assert rows[1:] == list(table.rows)
    district = book["district"]
    header = [c.value for c in district[1]]
    share_col = header.index("livable_share") + 1
    assert district.cell(row=2, column=share_col).number_format == "0.0%"
    assert district.freeze_panes == "A2"


def test_xlsx_without_openpyxl_is_a_clear_error(
    report: livable.Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import now raises ImportError
    with pytest.raises(livable.LivableError, match=r"livable\[xlsx\]"):
        write_xlsx(report, tmp_path / "x.xlsx")


def test_export_reads_report_json_too(report: livable.Report, report_json: Path) -> None:
    data = json.loads(report_json.read_text(encoding="utf-8"))
    assert summary_tables(data) == summary_tables(report)


def test_export_rejects_data_that_is_not_a_report() -> None:
    with pytest.raises(livable.ReportError, match=r"^<memory>: not a livable report: "):
        summary_tables({"communities": []})


def test_cli_summary_prints_targets_and_exports(
    report_json: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir, book = tmp_path / "tables", tmp_path / "summary.xlsx"
    code = main(["summary", str(report_json), "--csv", str(out_dir), "--xlsx", str(book)])
    assert code == 0
    text = capsys.readouterr().out
    assert "livable share 宜居占比" in text
    assert "happy share, central 中心城区幸福" in text
    assert "碑林区 (central)" in text
    assert "张家村街道" in text
    assert "closest to the next grade" in text
    assert "1. c4" in text
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(f"{t}.csv" for t in TABLES)
    assert book.exists()


def test_format_summary_numbers(report: livable.Report) -> None:
    text = format_summary(report)
    lines = text.splitlines()
    livable_line = next(line for line in lines if line.startswith("livable share"))
    # 3 of 6 livable or happy; the target is 100 %, 3 more needed
    assert livable_line.split()[3:] == ["50.0%", "100.0%", "50.0%", "3", "no"]
    central = next(line for line in lines if line.startswith("happy share, central"))
    # central: c1 happy of c1..c4 -> 25 %, target 50 %, 1 more needed
    assert central.split()[4:] == ["25.0%", "50.0%", "25.0%", "1", "no"]
    peripheral = next(line for line in lines if line.startswith("happy share, peripheral"))
    assert peripheral.split()[4:] == ["50.0%", "30.0%", "0.0%", "0", "yes"]


def test_format_summary_rejects_data_that_is_not_a_report() -> None:
    # the summary is made from a typed Report; a partial document (a report written before
    # the rollups were extended, or no report at all) is a ReportError naming the fields
    old = {
        "profile": "xian-2020",
        "distance": "euclidean",
        "working_crs": "EPSG:32649",
        "summary": {
            "communities": 1,
            "evaluated": 1,
            "rejected": 0,
            "grades": {"not_livable": 1, "livable": 0, "happy": 0},
            "groups": [],
            "top_gaps": [{"gap": "P4.twelve_ones:clinic", "communities": 1}],
        },
    }
    for data in (old, {"communities": []}, {"type": "FeatureCollection", "features": []}):
        with pytest.raises(livable.ReportError, match=r"^<memory>: not a livable report: "):
            format_summary(data)
        with pytest.raises(livable.ReportError, match="required field missing"):
            summary_tables(data)


def test_a_report_and_its_file_print_the_same_summary(
    report: livable.Report, report_json: Path
) -> None:
    """The summary text is made from the typed report: the evaluation's object (with
    unrounded shares), its file, its text and its parsed data print the same."""
    sources = [
        report,
        report_json,
        str(report_json),
        report_json.read_bytes(),
        json.loads(report_json.read_text(encoding="utf-8")),
    ]
    texts = [format_summary(s) for s in sources]
    assert all(t == texts[0] for t in texts[1:])
    assert "碑林区 (central)" in texts[0]


def test_the_cli_prints_the_summary_module_text(
    report_json: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["summary", str(report_json)]) == 0
    assert capsys.readouterr().out == format_summary(report_json) + "\n"


def test_report_is_schema_valid_and_every_new_member_is_described(report: livable.Report) -> None:
    import jsonschema

    from livable.schemas import load_schema

    schema = load_schema("report")
    data = report.to_dict()
    jsonschema.validate(data, schema)
    defs = schema["$defs"]
    summary = data["summary"]
    assert set(summary) <= set(defs["summary"]["properties"])
    for group in summary["groups"]:
        assert set(group) <= set(defs["group"]["properties"])
    community = data["communities"][0]
    assert set(community) <= set(defs["community"]["properties"])
    for indicator in community["indicators"].values():
        assert set(indicator) <= set(defs["indicator"]["properties"])
    closest = defs["summary"]["properties"]["closest"]["items"]["properties"]
    assert all(set(c) <= set(closest) for c in summary["closest"])


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["碑林区", "雁塔区", "长安区"]), st.booleans()),
        min_size=1,
        max_size=7,
    )
)
def test_any_city_prints_the_same_summary_from_its_report_and_its_file(
    plan: list[tuple[str, bool]],
) -> None:
    """Shares such as 1/3 or 2/7 are unrounded in the evaluation's Report and rounded in
    its file; the summary (and the tables) made from either are the same."""
    comms, facilities = [], []
    for i, (district, kit) in enumerate(plan):
        lon, lat = offset(LON, LAT, 10_000.0 * i, 0.0)
        comms.append(community(f"c{i}", lon, lat, population=3000, district=district))
        if kit:
            facilities += ring_of_facilities(
                lon, lat, [*TWELVE_ONES, "restaurant"], radius_m=200.0, prefix=f"c{i}-"
            )
    report = livable.evaluate(comms, facilities)
    text = report.to_json()
    assert format_summary(report) == format_summary(text)
    assert summary_tables(report) == summary_tables(text)
