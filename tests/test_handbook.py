"""The residents' handbook (P7 "one handbook"): facilities per category in tier order
(P6.tiers), walking minutes, the promised tier, what is missing (P4/P5), in zh and en."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import livable
from livable.cli import main
from livable.errors import LivableError, ReportError
from livable.report.handbook import (
    community_pages,
    handbook_html,
    handbook_markdown,
    write_handbook,
)
from livable.testing import community, facility, offset

LON, LAT = 108.94, 34.26


def _fac(fid: str, ftype: str, east: float, name: str) -> livable.Facility:
    return facility(fid, ftype, *offset(LON, LAT, east, 0.0), name=name)


@pytest.fixture(scope="module")
def report() -> livable.Report:
    """c1 and c2 in 柏树林街道 (c2 far away, nothing nearby), c3 elsewhere."""
    comms = [
        community(
            "c1", LON, LAT, size_m=600, name="福寿社区", subdistrict="柏树林街道", district="碑林区"
        ),
        community(
            "c2",
            *offset(LON, LAT, 20_000, 0),
            size_m=400,
            name="<b>含光</b>社区",
            subdistrict="柏树林街道",
            district="碑林区",
        ),
        community("c3", *offset(LON, LAT, 0, 20_000), name="兰亭|社区", subdistrict="南院门街道"),
    ]
    facs = [
        _fac("s1", "convenience_store", 100, "每一天便利店"),
        _fac("v1", "vegetable_store", 500, "芙蓉菜篮子"),
        _fac("b2", "bank", 690, "工商银行"),
        _fac("b1", "bank", 290, "建设银行"),
        _fac("k1", "kindergarten", 1500, "芙蓉幼儿园"),
        _fac("r1", "restaurant", -250, "福寿泡馍馆"),
        _fac("p1", "parcel_point", -80, "快递驿站"),
    ]
    return livable.evaluate(comms, facs)


class _Rows(HTMLParser):
    """Collects table rows per category block and checks that tags nest properly."""

    VOID = frozenset({"meta", "br", "img", "hr", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.category: str | None = None
        self.rows: dict[str, list[dict]] = {}
        self.row: dict | None = None
        self.cell: list[str] | None = None
        self.text: list[str] = []
        self.sections: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag == "div" and a.get("class") == "category":
            self.category = a["data-category"]
            self.rows[self.category] = []
        if tag == "section":
            self.sections.append(a["id"])
        if tag == "tr" and "data-type" in a:
            self.row = {"type": a["data-type"], "id": a.get("data-id"), "cells": []}
        if tag == "td" and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if tag == "td" and self.row is not None and self.cell is not None:
            self.row["cells"].append("".join(self.cell))
            self.cell = None
        if tag == "tr" and self.row is not None:
            assert self.category is not None
            self.rows[self.category].append(self.row)
            self.row = None

    def handle_data(self, data):
        self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)


def _parse(page: str) -> _Rows:
    parser = _Rows()
    parser.feed(page)
    parser.close()
    assert parser.stack == [], f"unclosed tags {parser.stack}"
    return parser


def test_html_handbook_lists_the_nearest_facilities_per_category_in_tier_order(report):
    parsed = _parse(handbook_html(report, community="c1", lang="zh"))
    cats = list(parsed.rows)
    # P6.tiers: 5-minute categories first, then 10, then 15, then untiered services
    assert cats[:3] == ["shopping", "leisure", "finance"]
    assert cats.index("catering") > cats.index("finance")
    assert cats.index("education") > cats.index("government")
    assert cats[-1] == "other"
    shopping = [(r["type"], r["cells"][1], r["cells"][2]) for r in parsed.rows["shopping"]]
    assert shopping == [
        ("convenience_store", "每一天便利店", "2分钟"),  # 100 m / 80 m/min -> 1.25 -> 2
        ("vegetable_store", "芙蓉菜篮子", "7分钟"),  # 500 m -> 6.25 -> 7
    ]
    finance = [(r["id"], r["cells"][2]) for r in parsed.rows["finance"]]
    assert finance == [("b1", "4分钟"), ("b2", "9分钟")]  # nearest first: 290 m, 690 m
    assert parsed.rows["finance"][0]["cells"][3] in ("289米", "290米", "291米")
    assert [r["id"] for r in parsed.rows["other"]] == ["p1"]


def test_html_handbook_states_the_promised_tier_and_what_is_missing(report):
    page = handbook_html(report, community="c1", lang="zh")
    text = "".join(_parse(page).text)
    assert "步行5分钟可达（400米内）" in text and "步行15分钟可达（1200米内）" in text
    assert "规划承诺：步行5分钟（400米）内可达：✓ 已达到" in text
    # the kindergarten is 1,500 m away: the 15-minute promise is not met (19 minutes)
    assert "未达到：最近的需步行19分钟" in text
    assert "达到宜居社区标准还需补齐" in text
    gaps = report.community("c1").gaps
    livable_gaps = [g.message_zh for g in gaps if g.grade == "livable"]
    assert livable_gaps and all(m in text for m in livable_gaps)
    assert any("幼儿园" in m for m in livable_gaps)


def test_english_handbook_uses_english_labels_and_messages(report):
    text = "".join(_parse(handbook_html(report, community="c1", lang="en")).text)
    assert "5-minute circle (within 400 m)" in text
    assert "branded convenience store" in text and "4 min" in text
    gaps = report.community("c1").gaps
    assert all(g.message_en in text for g in gaps)
    assert "尚未" not in text


def test_html_is_self_contained_utf8_and_escaped(report, tmp_path):
    path = write_handbook(report, tmp_path / "c2.html", community="c2")
    page = path.read_bytes().decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert "<b>含光</b>" not in page and "&lt;b&gt;含光&lt;/b&gt;社区" in page
    assert "http" not in page and "<script" not in page and "<link" not in page
    parsed = _parse(page)
    # nothing within the 3 km search radius: every type says so
    assert all(r["cells"][1] == "3000米内没有" for rows in parsed.rows.values() for r in rows)


def test_subdistrict_book_has_one_page_per_community_in_id_order(report):
    parsed = _parse(handbook_html(report, subdistrict="柏树林街道", lang="zh"))
    assert parsed.sections == ["community-c1", "community-c2"]
    md = handbook_markdown(report, subdistrict="柏树林街道", lang="zh")
    assert md.startswith("# 柏树林街道便民服务手册")
    assert md.index("## 福寿社区便民服务手册") < md.index("## \\<b\\>含光\\</b\\>社区便民服务手册")
    assert "兰亭" not in md


def test_markdown_handbook_content_and_escaping(report):
    md = handbook_markdown(report, community="c1", lang="en")
    lines = md.splitlines()
    assert lines[0] == "# 福寿社区: convenience-service handbook"
    banks = [line for line in lines if line.startswith("| bank |")]
    assert [b.rsplit("|", 2)[0] for b in banks] == [
        "| bank | 建设银行 | 4 min ",
        "| bank | 工商银行 | 9 min ",
    ]
    assert re.fullmatch(r"\| bank \| 建设银行 \| 4 min \| 29[01] m \|", banks[0])
    assert "### Shopping" in lines and "### Medical care" in lines
    assert (
        lines.index("### Shopping") < lines.index("### Catering") < lines.index("### Medical care")
    )
    assert "## What is missing" in lines
    md3 = handbook_markdown(report, community="c3", lang="zh")
    assert md3.splitlines()[0] == "# 兰亭\\|社区便民服务手册"


def test_pages_api_and_errors(report):
    (page,) = community_pages(report, community="c1", lang="en")
    assert page.grade == "not yet livable"
    finance = next(c for c in page.categories if c.category == "finance")
    assert (finance.tier_minutes, finance.tier_m, finance.met) == (5.0, 400.0, True)
    with pytest.raises(LivableError, match="no community 'zz'"):
        community_pages(report, community="zz")
    with pytest.raises(LivableError, match="one of them"):
        community_pages(report, community="c1", subdistrict="柏树林街道")
    with pytest.raises(LivableError, match="language"):
        community_pages(report, community="c1", lang="fr")  # type: ignore[arg-type]
    with pytest.raises(LivableError, match=r"\.md or \.html"):
        write_handbook(report, "book.pdf", community="c1")


def test_walking_speed_comes_from_the_profile(report, tmp_path):
    slow = livable.load_profile("xian-2020").derive(id="slow", walking_speed_m_per_min=50.0)
    toml = tmp_path / "slow.toml"
    toml.write_text(slow.to_toml(), encoding="utf-8")
    (page,) = community_pages(report, community="c1", profile=toml)
    finance = next(c for c in page.categories if c.category == "finance")
    assert [x.minutes for x in finance.listings] == [6, 14]  # 290/50, 690/50
    assert finance.tier_m == 250.0


def test_handbook_command(report, tmp_path, capsys):
    rpath = tmp_path / "report.json"
    rpath.write_text(report.to_json(), encoding="utf-8")
    out = tmp_path / "c1.md"
    code = main(["handbook", str(rpath), "--community", "c1", "--lang", "en", "--out", str(out)])
    assert code == 0
    assert out.read_text(encoding="utf-8").startswith("# 福寿社区: convenience-service handbook")
    book = tmp_path / "book.html"
    assert main(["handbook", str(rpath), "--subdistrict", "柏树林街道", "--out", str(book)]) == 0
    assert _parse(book.read_text(encoding="utf-8")).sections == ["community-c1", "community-c2"]
    capsys.readouterr()
    assert main(["handbook", str(rpath), "--community", "nope", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("livable: error: no community 'nope'") and err.count("\n") == 1
    assert (
        main(["handbook", str(tmp_path / "missing.json"), "--community", "c1", "--out", str(out)])
        == 1
    )
    assert "missing.json: file not found" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["handbook", str(rpath), "--community", "c1", "--out", str(tmp_path / "x.pdf")])
    assert exc.value.code == 2


def test_unnamed_facilities_and_missing_profile_fall_back(report):
    data = report.to_dict()  # parsed report.json data is a report too
    entry = next(c for c in data["communities"] if c["id"] == "c1")
    entry["access"]["bank"]["nearest"][0]["name"] = None
    data["profile"] = "some-city-file"  # not built in: the plan's defaults (80 m/min)
    md = handbook_markdown(data, community="c1", lang="en")
    assert any(line.startswith("| bank | (unnamed) | 4 min |") for line in md.splitlines())


def test_read_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(LivableError, match=r"bad\.json: not a readable report\.json"):
        handbook_markdown(bad, community="c1")
    other = tmp_path / "other.json"
    other.write_text("[]", encoding="utf-8")
    with pytest.raises(LivableError, match=r"other\.json: not a livable report"):
        handbook_markdown(Path(other), community="c1")


@pytest.mark.parametrize(
    ("options", "lang"),
    [
        ({"community": "c1"}, "zh"),
        ({"community": "c2"}, "en"),
        ({"subdistrict": "柏树林街道"}, "en"),
        ({"subdistrict": "南院门街道"}, "zh"),
    ],
)
@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_a_report_and_its_file_make_the_same_handbook(report, tmp_path, options, lang, suffix):
    """The handbook is made from the typed report: the evaluation's object (unrounded),
    its file, its text and its parsed data give the same bytes."""
    path = tmp_path / "report.json"
    path.write_text(report.to_json(), encoding="utf-8")
    sources = [report, path, str(path), path.read_bytes(), report.to_dict()]
    made = [
        write_handbook(s, tmp_path / f"{n}{suffix}", lang=lang, **options).read_bytes()
        for n, s in enumerate(sources)
    ]
    assert all(m == made[0] for m in made[1:])


@pytest.mark.parametrize(
    "data", [{"communities": []}, {"summary": {}, "communities": []}, {"id": "c1"}]
)
def test_a_mapping_that_is_not_a_report_is_a_report_error(data):
    with pytest.raises(ReportError, match=r"^<memory>: not a livable report"):
        handbook_markdown(data, community="c1")
    with pytest.raises(ReportError, match=r"^<memory>: not a livable report"):
        community_pages(data, subdistrict="柏树林街道")
