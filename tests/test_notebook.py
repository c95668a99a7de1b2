"""Friendly in a notebook (issue 20): short reprs, ``str(summary)``, ``_repr_html_``."""

from __future__ import annotations

import html

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import livable
from livable.io.sample import write_sample_city
from livable.plugins import PluginManager
from livable.report.summary import format_summary
from livable.testing import community, facility


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> livable.Report:
    c, f = write_sample_city(tmp_path_factory.mktemp("city"))
    return livable.evaluate(c, f, plugins=PluginManager(load_entry_points=False))


def test_the_reprs_are_short_and_say_the_grades(report):
    assert repr(report) == (
        "<Report xian-2020: 70 communities, 30 happy, 26 livable, 14 not livable>"
    )
    assert repr(report.summary) == "<Summary: 70 communities, 30 happy, 26 livable, 14 not livable>"
    for c in report.communities:
        text = repr(c)
        assert len(text) < 200 and text.startswith(f"<CommunityResult {c.id} ")
        assert f": {c.grade.value}, {len(c.gaps)} gap" in text
    back = livable.read_report(report.to_json())
    assert repr(back) == repr(report)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cid=st.text(min_size=1, max_size=300).filter(str.strip),
    name=st.text(max_size=300),
    profile=st.sampled_from(["xian-2020"]),
)
def test_reprs_stay_under_200_characters_whatever_the_names(cid, name, profile):
    result = livable.evaluate(
        [community(cid, 108.94, 34.26, name=name or None)],
        [facility("f", "kindergarten", 108.941, 34.26)],
        profile=profile,
        plugins=PluginManager(load_entry_points=False),
    )
    if not result.communities:  # an id the reader refuses is rejected, not evaluated
        return
    for text in (repr(result), repr(result.summary), repr(result.communities[0])):
        assert len(text) < 200 and "\n" not in text and "\x1b" not in text


def test_str_summary_is_the_terminal_table(report):
    table = str(report.summary)
    assert table.startswith("Communities 社区: 73 in input, 70 evaluated, 3 rejected")
    assert "livable share 宜居占比" in table
    full = [x for x in format_summary(report).splitlines() if not x.startswith("Facilities 设施")]
    assert full[1 : 1 + len(table.splitlines())] == table.splitlines()


def test_html_reprs(report):
    page = report._repr_html_()
    assert "<table>" in page and "xian-2020" in page and len(page) < 5000
    s = report.summary._repr_html_()
    assert "<td>30</td>" in s and "<td>42.9%</td>" in s
    short = next(c for c in report.communities if c.gaps)
    one = short._repr_html_()
    assert html.escape(short.gaps[0].message_en) in one and short.id in one
    happy = next(c for c in report.communities if not c.gaps)
    assert "no gaps" in happy._repr_html_()


def test_html_escapes_hostile_names():
    result = livable.evaluate(
        [community("c1", 108.94, 34.26, name="<script>alert(1)</script>")],
        [],
        plugins=PluginManager(load_entry_points=False),
    )
    page = result.communities[0]._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_the_thin_methods_make_what_the_functions_make(report, tmp_path):
    from livable.report.handbook import handbook_markdown
    from livable.report.planner import plan

    path = report.handbook(tmp_path / "h.md", community="BL-004", lang="en")
    assert path.read_text(encoding="utf-8") == handbook_markdown(
        report, community="BL-004", lang="en"
    )
    mine = report.plan(["clinic"], grid_m=500, budget=2)
    assert mine.to_geojson() == plan(report, ["clinic"], grid_m=500, budget=2).to_geojson()
    from livable.report.maps import render_map

    drawn = report.map(tmp_path / "m.svg", community="BL-004")
    assert (
        drawn.read_bytes()
        == render_map(report, tmp_path / "n.svg", community="BL-004").read_bytes()
    )


def test_geodataframe_grade_is_an_ordered_categorical(report):
    gdf = report.to_geodataframe()
    grade = gdf["grade"]
    assert list(grade.cat.categories) == ["not_livable", "livable", "happy"]
    assert grade.cat.ordered
    assert list(grade.astype(str)) == [c.grade.value for c in report.communities]
    ranks = {"not_livable": 0, "livable": 1, "happy": 2}
    ordered = gdf.sort_values("grade", kind="stable")["grade"].astype(str).tolist()
    assert ordered == sorted(ordered, key=ranks.__getitem__)
    assert (grade >= "livable").tolist() == gdf["livable"].tolist()
    assert gdf.groupby("grade", observed=False).size().index.tolist() == list(ranks)
    empty = livable.Report.from_dict({**report.to_dict(), "communities": []}).to_geodataframe()
    assert list(empty["grade"].cat.categories) == list(ranks) and len(empty) == 0


def test_the_explore_recipe_colours_each_grade(report):
    """The docs' recipe: one colour per category, in the categories' order."""
    from livable.report.maps import GRADE_COLORS

    gdf = report.to_geodataframe()
    cmap = [GRADE_COLORS[g] for g in gdf["grade"].cat.categories]
    colour = [cmap[code] for code in gdf["grade"].cat.codes]  # what explore() draws
    assert colour == [GRADE_COLORS[c.grade.value] for c in report.communities]
