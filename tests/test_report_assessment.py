"""The 考核 table (issue 18, Deliver 4): `livable summary --assessment --xlsx`."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import openpyxl
import pytest

import livable
from livable import TWELVE_ONES
from livable.cli import main
from livable.report.assessment import (
    ASSESSMENT_COLUMNS,
    assessment_tables,
    plan_stage,
    write_assessment_xlsx,
)
from livable.testing import community, facility, offset, ring_of_facilities

LON, LAT = 108.94, 34.26
DAY = datetime.date(2021, 6, 30)


def _city(*, clinic: bool) -> livable.Report:
    """碑林区: c1 (3,000 residents) lacks only a clinic, c2 (1,000) has nothing;
    长安区: c3 (no population) has nothing. ``clinic`` gives c1 its clinic."""
    types = [t for t in TWELVE_ONES if t != "clinic"]
    facilities = ring_of_facilities(LON, LAT, types, radius_m=300, count=3)
    if clinic:
        facilities.append(facility("new", "clinic", *offset(LON, LAT, 0, 300)))
    return livable.evaluate(
        [
            community("c1", LON, LAT, district="碑林区", subdistrict="柏树林街道", population=3000),
            community(
                "c2",
                *offset(LON, LAT, 6000, 0),
                district="碑林区",
                subdistrict="柏树林街道",
                population=1000,
            ),
            community("c3", *offset(LON, LAT, 12000, 0), district="长安区", subdistrict="郭杜街道"),
        ],
        facilities,
    )


@pytest.fixture(scope="module")
def before() -> livable.Report:
    return _city(clinic=False)


@pytest.fixture(scope="module")
def after() -> livable.Report:
    return _city(clinic=True)


def _rows(table) -> list[dict[str, object]]:
    return [dict(zip(table.columns, row, strict=True)) for row in table.rows]


def test_the_district_rows_equal_a_hand_count(after):
    """P8: each district row of the 考核 table, as a district reports it, is a hand count."""
    beilin, changan = _rows(assessment_tables(after, date=DAY)["district"])
    assert beilin["key"] == "碑林区" and beilin["zone"] == "central"
    assert (beilin["communities"], beilin["residents"], beilin["uncounted"]) == (2, 4000, 0)
    assert (beilin["livable"], beilin["happy"]) == (1, 0)
    assert beilin["livable_share"] == 0.5 and beilin["target_livable_share"] == 1.0
    assert beilin["livable_gap"] == 0.5 and beilin["livable_needed"] == 1
    assert beilin["target_happy_share"] == 0.5 and beilin["happy_needed"] == 1
    assert beilin["residents_livable_share"] == 0.75  # 3,000 of 4,000 residents
    assert beilin["stage"] == "第二阶段：基本宜居 stage 2: basically livable"
    assert (changan["residents"], changan["uncounted"]) == (0, 1)
    assert changan["residents_livable_share"] is None
    assert "up" not in beilin  # no baseline, no change columns


def test_the_baseline_adds_the_change(before, after):
    tables = assessment_tables(after, date=DAY, baseline=before)
    beilin = _rows(tables["district"])[0]
    assert beilin["livable_share_change"] == 0.5
    assert beilin["livable_needed_change"] == -1
    assert (beilin["up"], beilin["down"]) == (1, 0)
    (street,) = [r for r in _rows(tables["subdistrict"]) if r["key"] == "柏树林街道"]
    assert street["parent"] == "碑林区" and street["up"] == 1
    same = _rows(assessment_tables(after, date=DAY, baseline=after)["district"])[0]
    assert (same["livable_share_change"], same["up"], same["down"]) == (0.0, 0, 0)


@pytest.mark.parametrize(
    ("day", "stage"),
    [
        ("2020-06-30", "before"),
        ("2020-07-01", "evaluation"),
        ("2020-09-30", "evaluation"),
        ("2020-10-01", "basically_livable"),
        ("2021-12-31", "basically_livable"),
        ("2022-01-01", "quality"),
    ],
)
def test_the_stage_of_a_date(day, stage):
    assert plan_stage(datetime.date.fromisoformat(day)).id == stage


def test_the_workbook_has_chinese_headers_first(after, tmp_path):
    path = write_assessment_xlsx(after, tmp_path / "kaohe.xlsx", date=DAY, baseline=after)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["区 district", "街道 subdistrict"]
    heads = [c.value for c in book["区 district"][1]]
    assert heads[:3] == ["名称 name", "城区类别 zone", "社区数 communities"]
    columns = assessment_tables(after, date=DAY, baseline=after)["district"].columns
    assert heads == [f"{ASSESSMENT_COLUMNS[c][0]} {ASSESSMENT_COLUMNS[c][1]}" for c in columns]
    assert book["街道 subdistrict"]["A1"].value == "所属区 district"
    assert book["区 district"]["H2"].number_format == "0.0%"


def _write(report: livable.Report, path: Path) -> Path:
    path.write_text(report.to_json(), encoding="utf-8")
    return path


def test_cli_writes_the_assessment_workbook(before, after, tmp_path, capsys):
    b, a = _write(before, tmp_path / "b.json"), _write(after, tmp_path / "a.json")
    out = tmp_path / "kaohe.xlsx"
    argv = ["summary", str(a), "--assessment", "--xlsx", str(out), "--baseline", str(b)]
    assert main([*argv, "--date", "2021-06-30"]) == 0
    assert "考核 workbook written to" in capsys.readouterr().err
    sheet = openpyxl.load_workbook(out)["区 district"]
    heads = [c.value for c in sheet[1]]
    row = dict(zip(heads, (c.value for c in sheet[2]), strict=True))
    assert row["等级上升社区数 communities up"] == 1
    assert row["阶段 stage"].startswith("第二阶段")


def test_cli_assessment_usage_errors(after, tmp_path, capsys):
    a = _write(after, tmp_path / "a.json")
    with pytest.raises(SystemExit) as exc:
        main(["summary", str(a), "--assessment"])
    assert exc.value.code == 2
    assert "--xlsx" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["summary", str(a), "--baseline", str(a)])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["summary", str(a), "--assessment", "--xlsx", "x.xlsx", "--date", "June"])
    assert exc.value.code == 2


def test_the_residents_file_counts_the_residents(after):
    people = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"community": "c3", "population": 700},
                "geometry": {"type": "Point", "coordinates": [LON, LAT]},
            }
        ],
    }
    _beilin, changan = _rows(assessment_tables(after, date=DAY, residents=people)["district"])
    assert (changan["residents"], changan["uncounted"]) == (700, 0)
    assert changan["residents_livable_share"] == 0.0


def test_the_date_defaults_to_the_day_the_report_was_written(after, tmp_path, capsys):
    a = _write(after, tmp_path / "a.json")
    written = datetime.datetime(2020, 8, 1, 12, 0).timestamp()
    os.utime(a, (written, written))
    out = tmp_path / "kaohe.xlsx"
    assert main(["summary", str(a), "--assessment", "--xlsx", str(out)]) == 0
    assert "(2020-08-01: 第一阶段：摸底评估 stage 1: evaluation)" in capsys.readouterr().err
    sheet = openpyxl.load_workbook(out)["区 district"]
    row = dict(zip((c.value for c in sheet[1]), (c.value for c in sheet[2]), strict=True))
    assert row["阶段 stage"] == "第一阶段：摸底评估 stage 1: evaluation"
