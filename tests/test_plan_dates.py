"""Issue 17, point 4: the plan's stages in the profile, the report's date (``--as-of``),
and the summary's stage with how far that stage's targets are (``P6``)."""

from __future__ import annotations

import datetime
import json

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import livable
from livable.cli import main
from livable.errors import InputError, ProfileError
from livable.profile import load_profile
from livable.schemas import load_schema
from livable.testing import community

PROFILE = load_profile("xian-2020")
DAY = datetime.date


def _plan_stage(date: datetime.date) -> str:
    """The plan's own words (三、实施步骤), read independently of the profile."""
    if date < DAY(2020, 7, 1):
        return "before"
    if date <= DAY(2020, 9, 30):  # 第一阶段：建设评价（2020年7月—2020年9月）
        return "evaluation"
    if date <= DAY(2021, 12, 31):  # 第二阶段：基本宜居（2020年10月—2021年12月）
        return "basically_livable"
    return "quality"  # 第三阶段：品质提升（持续推进）


@given(st.dates(min_value=DAY(1990, 1, 1), max_value=DAY(2100, 12, 31)))
def test_every_date_falls_in_the_plans_stage(date):
    stage = PROFILE.stage_of(date)
    assert stage is not None and stage.id == _plan_stage(date)
    assert stage.contains(date)


@pytest.mark.parametrize(
    ("day", "stage"),
    [
        ("2020-06-30", "before"),
        ("2020-07-01", "evaluation"),
        ("2020-09-30", "evaluation"),
        ("2020-10-01", "basically_livable"),
        ("2021-12-31", "basically_livable"),
        ("2022-01-01", "quality"),
        ("9999-12-31", "quality"),
        ("0001-01-01", "before"),
    ],
)
def test_the_stage_on_each_boundary(day, stage):
    assert PROFILE.stage_of(DAY.fromisoformat(day)).id == stage


def test_the_profile_carries_the_plans_stages_in_its_wording():
    labels = [(s.id, s.label_zh, s.start, s.end, s.targets) for s in PROFILE.stages]
    assert labels == [
        ("evaluation", "第一阶段：建设评价", DAY(2020, 7, 1), DAY(2020, 9, 30), ()),
        (
            "basically_livable",
            "第二阶段：基本宜居",
            DAY(2020, 10, 1),
            DAY(2021, 12, 31),
            ("livable_share",),
        ),
        (
            "quality",
            "第三阶段：品质提升",
            DAY(2022, 1, 1),
            None,
            ("happy_share_central", "happy_share_peripheral"),
        ),
    ]
    assert PROFILE.stages[1].end == DAY.fromisoformat(PROFILE.targets.deadline)
    assert "stages" in PROFILE.assumptions
    again = livable.profile.profile_from_mapping(__import__("tomllib").loads(PROFILE.to_toml()))
    assert again.stages == PROFILE.stages


_STAGE = {"id": "s", "label_en": "S", "label_zh": "甲"}


@pytest.mark.parametrize(
    ("stages", "problem"),
    [
        ([{**_STAGE, "start": "2021-02-30"}], "stages[0].start: must be a date"),
        ([{**_STAGE, "start": "2021-02-01", "end": "2021-01-01"}], "ends (2021-01-01) before"),
        (
            [
                {**_STAGE, "start": "2021-01-01", "end": "2021-03-01"},
                {**_STAGE, "id": "t", "start": "2021-02-01"},
            ],
            "stages[1].start: stage 't' starts 2021-02-01",
        ),
        (
            [
                {**_STAGE, "start": "2021-01-01", "end": "2021-03-01"},
                {**_STAGE, "id": "t", "start": "2021-04-01"},
            ],
            "without gap or overlap",
        ),
        (
            [{**_STAGE, "start": "2021-01-01"}, {**_STAGE, "id": "t", "start": "2022-01-01"}],
            "stages[0].end: stage 's' has no end, so it must be the last",
        ),
        ([{**_STAGE, "start": "2021-01-01", "targets": ["happy"]}], "'happy' is not a target"),
        ([{**_STAGE, "start": "2021-01-01"}, {**_STAGE, "start": "2021-01-02"}], "given twice"),
        ([{**_STAGE}], "stages[0].start"),
    ],
)
def test_bad_stages_are_a_profile_error_naming_the_stage(stages, problem):
    with pytest.raises(ProfileError, match="invalid profile") as exc:
        PROFILE.derive(stages=stages)
    assert problem in str(exc.value)


def _report(as_of: object, **kw: object) -> livable.Report:
    return livable.evaluate(
        [
            community("c1", 108.94, 34.26, district="碑林区", population=3000),
            community("c2", 108.98, 34.26, district="长安区", population=3000),
        ],
        [],
        as_of=as_of,  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def _stage_text(report: livable.Report) -> list[str]:
    lines = str(report.summary).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("as of 截至"))
    end = lines.index("", start)
    return lines[start:end]


def test_stage_2_gives_the_livable_target_and_the_days_left_in_both_languages():
    report = _report("2021-06-30")
    assert report.as_of == DAY(2021, 6, 30) and report.summary.days_to_deadline == 184
    assert _stage_text(report) == [
        "as of 截至 2021-06-30: stage 2: basically livable 第二阶段：基本宜居 "
        "(2020-10-01 to 2021-12-31)",
        "  livable share 宜居占比: 0.0% against the target 目标 100.0%, 2 communities still "
        "needed 尚需2个社区建成宜居社区",
        "  deadline 目标期限 2021-12-31: 184 days to go 还有184天",
    ]


def test_stage_3_gives_the_happy_targets_per_zone_and_the_days_since_the_deadline():
    report = _report(DAY(2022, 3, 1))
    assert report.summary.stage.id == "quality" and report.summary.days_to_deadline == -60
    assert _stage_text(report) == [
        "as of 截至 2022-03-01: stage 3: quality improvement 第三阶段：品质提升 "
        "(from 2022-01-01, ongoing 持续推进)",
        "  happy share, central 中心城区幸福占比: 0.0% against the target 目标 50.0%, "
        "1 community still needed 尚需1个社区建成幸福社区",
        "  happy share, peripheral 周边城区幸福占比: 0.0% against the target 目标 30.0%, "
        "1 community still needed 尚需1个社区建成幸福社区",
        "  deadline 目标期限 2021-12-31: passed 60 days ago 已过60天",
    ]


def test_stage_1_and_before_the_plan_set_no_share_target():
    assert _stage_text(_report("2020-08-01"))[:2] == [
        "as of 截至 2020-08-01: stage 1: evaluation 第一阶段：建设评价 (2020-07-01 to 2020-09-30)",
        "  no share target 本阶段不设占比目标",
    ]
    before = _report("2020-01-15")
    assert before.summary.stage.id == "before"
    assert _stage_text(before) == [
        "as of 截至 2020-01-15: before the plan 实施前 (to 2020-06-30)",
        "  the plan has not started 方案尚未实施",
        "  deadline 目标期限 2021-12-31: 716 days to go 还有716天",
    ]


def test_on_the_deadline_the_summary_says_today():
    assert (
        _stage_text(_report("2021-12-31"))[-1] == "  deadline 目标期限 2021-12-31: today 今天到期"
    )


def test_the_date_and_stage_round_trip_and_match_the_schema():
    report = _report("2021-06-30")
    text = report.to_json()
    data = json.loads(text)
    jsonschema.validate(data, load_schema("report"))
    assert data["summary"]["as_of"] == "2021-06-30"
    assert data["summary"]["stage"]["id"] == "basically_livable"
    assert data["summary"]["days_to_deadline"] == 184
    again = livable.read_report(text)
    assert again.as_of == report.as_of and again.summary.stage == report.summary.stage
    assert again.to_json() == text
    assert str(again.summary) == str(report.summary)


def test_a_report_without_a_date_still_reads_back():
    data = json.loads(_report("2021-06-30").to_json())
    for key in ("as_of", "stage", "days_to_deadline"):
        del data["summary"][key]
    old = livable.Report.from_dict(data)
    assert old.as_of is None and old.summary.stage is None
    assert "截至" not in str(old.summary)
    assert json.loads(old.to_json()) == data


def test_the_default_date_is_today():
    before = DAY.today()
    report = _report(None)
    assert before <= report.as_of <= DAY.today()
    assert report.summary.stage == PROFILE.stage_of(report.as_of)


@pytest.mark.parametrize("bad", ["2021-02-30", "June", "20210630", "2021-6-30", 20210630])
def test_a_bad_date_is_an_input_error_naming_it(bad):
    with pytest.raises(InputError, match="is not a date") as exc:
        _report(bad)
    assert str(bad) in str(exc.value)


def test_a_date_and_time_is_not_a_date():
    with pytest.raises(InputError, match="is not a date"):
        _report(datetime.datetime(2021, 6, 30, 12, 0))


def _cli_inputs(tmp_path):
    comms = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "c1", "district": "碑林区", "population": 3000},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[108.94, 34.26], [108.945, 34.26], [108.945, 34.265], [108.94, 34.26]]
                    ],
                },
            }
        ],
    }
    facs = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "k1", "type": "kindergarten"},
                "geometry": {"type": "Point", "coordinates": [108.942, 34.262]},
            }
        ],
    }
    c, f = tmp_path / "c.geojson", tmp_path / "f.geojson"
    c.write_text(json.dumps(comms), encoding="utf-8")
    f.write_text(json.dumps(facs), encoding="utf-8")
    return str(c), str(f)


def test_cli_as_of_records_the_date_and_prints_the_stage(tmp_path, capsys):
    c, f = _cli_inputs(tmp_path)
    out = tmp_path / "r.json"
    argv = ["evaluate", "--communities", c, "--facilities", f, "--out", str(out)]
    assert main([*argv, "--as-of", "2020-08-01"]) == 0
    assert "第一阶段：建设评价" in capsys.readouterr().out
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["as_of"] == "2020-08-01"
    assert main(["summary", str(out)]) == 0
    assert "as of 截至 2020-08-01: stage 1: evaluation" in capsys.readouterr().out
    before = DAY.today()
    assert main([*argv, "--quiet"]) == 0
    day = DAY.fromisoformat(json.loads(out.read_text(encoding="utf-8"))["summary"]["as_of"])
    assert before <= day <= DAY.today()


@pytest.mark.parametrize("bad", ["2021-02-30", "yesterday"])
def test_cli_bad_as_of_is_a_usage_error_naming_it(tmp_path, capsys, bad):
    c, f = _cli_inputs(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", "--communities", c, "--facilities", f, "--as-of", bad])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--as-of" in err and bad in err


def test_the_demo_has_a_fixed_date(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "d"), "--quiet"]) == 0
    data = json.loads((tmp_path / "d" / "report.json").read_text(encoding="utf-8"))
    assert data["summary"]["as_of"] == "2021-06-30"
    assert main(["demo", "--out", str(tmp_path / "e"), "--quiet", "--as-of", "2022-01-01"]) == 0
    data = json.loads((tmp_path / "e" / "report.json").read_text(encoding="utf-8"))
    assert data["summary"]["stage"]["id"] == "quality"


def test_the_tiled_run_records_one_date():
    from livable.scale.tiles import evaluate_partitioned

    comms = [
        community("c1", 108.94, 34.26, district="碑林区"),
        community("c2", 109.10, 34.26, district="碑林区"),
    ]
    whole = livable.evaluate(comms, [], as_of="2021-06-30")
    tiled = evaluate_partitioned(comms, [], tile_m=2000.0, as_of="2021-06-30")
    assert tiled.summary.stage == whole.summary.stage and tiled.as_of == whole.as_of
    before = DAY.today()
    assert before <= evaluate_partitioned(comms, [], tile_m=2000.0).as_of <= DAY.today()


def test_the_columnar_report_carries_the_date(tmp_path):
    import pyarrow.parquet as pq

    meta = pq.read_schema(_report("2021-06-30").to_parquet(tmp_path / "r.parquet")).metadata
    assert meta[b"as_of"] == b"2021-06-30"
