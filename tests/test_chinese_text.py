"""The Chinese text reads as the plan and district documents write it (issue 17, ``P3``/``P4``).

Every Chinese message the built-in profile and indicators can produce is collected, from
indicator results on hand-made contexts (every branch: passed, failed, missing, not a
number, out of range) and from the demo report (messages, gaps, explanations, the
summary's gap labels, the handbook), and checked against one glossary:

- the grade names are the plan's: 宜居社区, 幸福社区 and 未达到宜居标准 (``P3``, stage 2:
  "对评价未达到宜居标准的社区");
- one phrasing per idea: "not assessed" is 未评估 and nothing else;
- no code ids or English inside Chinese prose (``twelve_ones``, ``P4``, attribute names);
- no term the plan does not use for these ideas (生活圈 is GB 50180's, with other distances).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from livable import read_report
from livable.cli import main
from livable.indicators.builtin import builtin_indicators
from livable.models import FACILITY_TYPES, TWELVE_ONES, Grade
from livable.report.handbook import handbook_markdown
from livable.testing import context

LATIN = re.compile(r"[A-Za-z_]")
"""Letters of a code id or of English words; none belongs in Chinese prose."""

NOT_ASSESSED_OTHERWISE = re.compile(
    "无法评估|不予评估|未能评估|未作评估|暂未评估|尚未评估|不能评估"
)
"""Other phrasings of "not assessed": the text says 未评估 only."""

GRADE_OTHERWISE = re.compile("尚未宜居|尚未达到宜居|未宜居|不宜居|非宜居|宜居标准以下")
"""Other names of the not-livable grade: the plan's is 未达到宜居标准."""

FOREIGN_TERMS = ("生活圈", "住宿酒店", "品牌或品质≥", "的品牌便利店", "搜索范围内没有）")
"""Terms from other standards or from translation (issue 17 quotes each)."""

# attribute values that exercise every branch of the attribute indicators (an echoed
# input value is quoted as given, so none here is Latin)
_VALUES = (None, "很多", -5, 0, 0.5, 1, 35, 100, True, False, "是", "否", "也许")
_ATTRIBUTES = (
    "green_ratio",
    "governance_score",
    "vitality_score",
    "satisfaction",
    "property_management",
    "low_carbon_measures",
    "digital_platform",
    "sensing_coverage",
    "community_workers",
    "emergency_plan",
    "survey_held",
    "employment_service_point",
)


def _contexts() -> Iterator[object]:
    full = dict.fromkeys(FACILITY_TYPES, 6)
    yield context()
    yield context(counts=full, population=20000)
    yield context(counts=dict.fromkeys(TWELVE_ONES, 1), population=3000)
    yield context(counts={"clinic": 1}, nearest_m={"kindergarten": 1500.0}, population=8000)
    for value in _VALUES:
        for population in (None, 0, 4000):
            yield context(population=population, **dict.fromkeys(_ATTRIBUTES, value))


def _indicator_texts() -> Iterator[tuple[str, str]]:
    indicators = list(builtin_indicators())
    for ctx in _contexts():
        for indicator in indicators:
            result = indicator.evaluate(ctx)  # type: ignore[arg-type]
            yield f"{indicator.id}: message", result.message_zh
            yield f"{indicator.id}: label", result.label_zh
            for gap in result.gaps:
                yield f"{indicator.id}: gap", gap.message_zh


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "demo"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["demo", "--out", str(out), "--quiet"]) == 0
    return out / "report.json"


def _report_texts(path: Path) -> Iterator[tuple[str, str]]:
    report = read_report(path)
    for c in report.communities:
        for r in c.indicators:
            yield f"{c.id} {r.id}", r.message_zh
        for g in c.gaps:
            yield f"{c.id} gap {g.rule}", g.message_zh
        yield f"{c.id} explanation", c.explain("zh")
    for g in report.summary.gap_counts:
        yield f"summary gap {g.key}", g.label_zh


def _check(where: str, text: str) -> list[str]:
    problems = []
    if LATIN.search(text):
        problems.append(f"{where}: Latin letters in Chinese prose: {text!r}")
    if NOT_ASSESSED_OTHERWISE.search(text):
        problems.append(f"{where}: 'not assessed' phrased otherwise: {text!r}")
    if GRADE_OTHERWISE.search(text):
        problems.append(f"{where}: a grade named otherwise than the plan: {text!r}")
    problems += [f"{where}: {term!r} in {text!r}" for term in FOREIGN_TERMS if term in text]
    return problems


def test_the_checks_fail_on_the_strings_issue_17_quotes() -> None:
    # the phrasings the issue measured on main: each must be caught
    quoted = [
        "圈内没有品牌或品质≥4的品牌便利店。",
        "中心1200米范围内没有幼儿园（最近：搜索范围内没有）；小型社区需要1处。",
        "  * 12个一（twelve_ones，P4）未达标：圈内11/12类必备设施达到小型社区的数量要求",
        "尚未宜居",
        "尚未达到宜居",
        "住宿酒店",
        "5分钟生活圈（400米内）",
        "绿地率：未提供属性“green_ratio”，未评估",
    ]
    assert all(_check("quoted", text) for text in quoted)


def test_every_indicator_message_in_chinese_follows_the_glossary() -> None:
    texts = list(_indicator_texts())
    assert len(texts) > 1000  # every indicator, every branch
    problems = [p for where, text in texts for p in _check(where, text)]
    assert not problems, "\n".join(problems[:20])
    not_assessed = [t for _, t in texts if "未评估" in t]
    assert not_assessed  # the one phrasing is there


def test_the_demo_report_in_chinese_follows_the_glossary(demo: Path) -> None:
    texts = list(_report_texts(demo))
    problems = [p for where, text in texts for p in _check(where, text)]
    assert not problems, "\n".join(problems[:20])


def test_the_handbook_in_chinese_follows_the_glossary(demo: Path) -> None:
    report = read_report(demo)
    text = handbook_markdown(report, community=report.communities[0].id, lang="zh")
    body = [line for line in text.splitlines() if not line.startswith("根据")]  # the footer
    # names and ids of the community and its facilities may be Latin; the glossary holds
    problems = [p for p in _check("handbook", "\n".join(body)) if "Latin letters" not in p]
    assert not problems, "\n".join(problems)


def test_grade_names_are_the_plans() -> None:
    assert [g.label_zh for g in Grade] == ["未达到宜居标准", "宜居社区", "幸福社区"]


def test_no_source_string_names_a_grade_or_not_assessed_otherwise() -> None:
    # every Chinese literal in the package, including the maps and the summary
    src = Path(__file__).parents[1] / "src" / "livable"
    problems = []
    for path in sorted(src.rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern in (NOT_ASSESSED_OTHERWISE, GRADE_OTHERWISE):
                if pattern.search(line):
                    problems.append(f"{path.relative_to(src)}:{n}: {line.strip()}")
            problems += [
                f"{path.relative_to(src)}:{n}: {t}" for t in ("生活圈", "住宿酒店") if t in line
            ]
    assert not problems, "\n".join(problems)


def test_the_demo_report_records_the_glossary_grade_names(demo: Path) -> None:
    data = json.loads(demo.read_text(encoding="utf-8"))
    first = "\n".join(c["explanation"]["zh"] for c in data["communities"])
    assert "未达到宜居标准" in first and "尚未" not in first
