"""The generated table of indicators for the docs (P2): complete, with the profile's roles."""

from __future__ import annotations

from typing import ClassVar

from livable_indicator_docs import indicator_table, indicator_table_markdown

import livable
from livable.indicators import BUILTIN_INDICATORS, CommunityContext, Indicator
from livable.models import KEY_CONTENTS
from livable.report import IndicatorResult


def test_table_lists_every_builtin_with_its_xian_role() -> None:
    rows = indicator_table()
    assert [r.id for r in rows] == [cls.id for cls in BUILTIN_INDICATORS]
    prof = livable.load_profile("xian-2020")
    for row in rows:
        assert row.role == prof.indicator_roles.get(row.id, "info")
        assert row.rule
        assert row.inputs


def test_markdown_page_has_one_section_per_key_content_and_every_indicator() -> None:
    page = indicator_table_markdown()
    for content in KEY_CONTENTS.values():
        assert f"## {content.clause} {content.label_en} ({content.label_zh})" in page
    for cls in BUILTIN_INDICATORS:
        assert page.count(f"| `{cls.id}` | {cls.label_en} | {cls.label_zh} |") == 1
    table_lines = [line for line in page.splitlines() if line.startswith("| `")]
    assert len(table_lines) == len(BUILTIN_INDICATORS)
    assert all(line.count(" | ") == 8 for line in table_lines)  # nine cells, none split


class _Wifi(Indicator):
    id = "wifi"
    label_en, label_zh = "public wifi | hotspots", "公共无线网络"
    clause, requirement, key_content = "P2.C4", "smart", "smart_living"
    inputs: ClassVar[frozenset[str]] = frozenset({"community_attributes"})
    unit = "yes/no"
    rule = "Community attribute `wifi` is yes."

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        return self.from_flag(context, "wifi")


class _Plugin:
    @livable.hookimpl
    def livable_indicators(self) -> list[Indicator]:
        return [_Wifi()]


def test_plugin_indicators_appear_as_information_and_pipes_are_escaped() -> None:
    pm = livable.PluginManager(load_entry_points=False, plugins=[_Plugin()])
    rows = {r.id: r for r in indicator_table(pm)}
    assert rows["wifi"].role == "info"
    assert rows["wifi"].module == __name__
    page = indicator_table_markdown(pm)
    assert "public wifi \\| hotspots" in page
    prof = livable.load_profile("xian-2020").derive(indicator_roles={"wifi": "scored"})
    assert {r.id: r.role for r in indicator_table(pm, prof)}["wifi"] == "scored"
