"""The generated reference pages cover every id, field, subcommand and public name."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import attrs
import pytest
from livable_glossary import (
    glossary_markdown,
    indicator_rules_markdown,
    profile_field_rows,
    profile_fields_markdown,
)

import livable
from livable.models import CATEGORIES, FACILITY_TYPES, KEY_CONTENTS, REQUIREMENTS, Grade, Zone
from livable.plugins import PluginManager

ROOT = Path(__file__).resolve().parent.parent


def _docs_ext() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "livable_docs", ROOT / "docs" / "_ext" / "livable_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("livable_docs", module)
    spec.loader.exec_module(module)
    return module


def _rows(text: str) -> dict[str, str]:
    """First-column id -> the whole row, for every Markdown table row."""
    out = {}
    for line in text.splitlines():
        match = re.match(r"^\| `([^`]+)` \|", line)
        if match:
            out.setdefault(match.group(1), line)
    return out


def test_glossary_has_every_id_with_both_labels() -> None:
    """P2 ids, P6.tiers categories, P4 facility types, P3 grades, zones, size classes."""
    text = glossary_markdown()
    profile = livable.load_profile("xian-2020")
    vocab = [
        *REQUIREMENTS.values(),
        *KEY_CONTENTS.values(),
        *CATEGORIES.values(),
        *FACILITY_TYPES.values(),
        *profile.size_classes,
    ]
    for item in vocab:
        assert f"| `{item.id}` | {item.label_en} | {item.label_zh} |" in text, item.id
    for enum_item in (*Grade, *Zone):
        assert f"| `{enum_item.value}` | {enum_item.label_en} | {enum_item.label_zh} |" in text
    for i in PluginManager(load_entry_points=False).indicators():
        assert f"| `{i.id}` | {i.label_en} | {i.label_zh} |" in text, i.id


def test_glossary_states_each_category_tier_and_types() -> None:
    rows = _rows(glossary_markdown())
    assert "| 5 | 400 | `convenience_store`, `vegetable_store` |" in rows["shopping"]
    assert "| 15 | 1200 |" in rows["medical"]


def test_profile_fields_table_has_every_field() -> None:
    paths = {r.path for r in profile_field_rows()}
    for field in attrs.fields(livable.Profile):
        assert field.name in paths
    for prefix, cls in (
        ("happy", livable.HappyCriteria),
        ("targets", livable.Targets),
        ("circle", livable.CircleRules),
    ):
        for field in attrs.fields(cls):
            assert f"{prefix}.{field.name}" in paths


def test_profile_fields_are_documented_and_assumptions_shown() -> None:
    rows = {r.path: r for r in profile_field_rows()}
    missing = [path for path, row in rows.items() if not row.doc]
    assert missing == [], f"profile fields without an attribute docstring: {missing}"
    profile = livable.load_profile("xian-2020")
    for key, text in profile.assumptions.items():
        if key in rows:
            assert rows[key].assumption.startswith(text), key
        else:  # a key below a plain table (required.school): shown in the table's row
            assert f"`{key}`: {text}" in rows[key.partition(".")[0]].assumption, key
    text = profile_fields_markdown()
    assert "| `circle_radius_m` | `float` | 1200 |" in text


def test_indicator_table_states_every_rule() -> None:
    rows = _rows(indicator_rules_markdown())
    for indicator in PluginManager(load_entry_points=False).indicators():
        assert indicator.id in rows
        assert indicator.rule, f"indicator {indicator.id} has no rule text"


def test_cli_page_has_every_subcommand() -> None:
    from livable.cli import _parser

    text = _docs_ext().cli_markdown()
    subcommands = re.findall(r"^## `livable (\w+)`", text, flags=re.M)
    parser = _parser()
    choices = next(a.choices for a in parser._actions if hasattr(a, "choices") and a.choices)
    assert set(subcommands) == set(choices)
    assert "--communities-datum" in text
    nested = re.findall(r"^## `livable import (\w+)`", text, flags=re.M)
    assert nested == ["osm", "amap"]
    assert "--keep-areas" in text and "--typecodes" in text


def test_api_page_documents_every_public_name() -> None:
    text = _docs_ext().api_rst()
    documented = set(re.findall(r"^\.\. auto\w+:: (\S+)", text, flags=re.M))
    public = {n for n in livable.__all__ if not n.startswith("__")}
    assert public <= documented


@pytest.mark.parametrize("name", ["report", "communities", "facilities"])
def test_schema_tables_describe_fields(name: str) -> None:
    from livable.schemas import load_schema

    text = _docs_ext().schema_markdown(load_schema(name))
    assert text.count("\n| `") >= 5
    if name == "communities":
        assert "| `features[].properties.population` |" in text


def test_api_page_documents_the_feature_modules() -> None:
    """The importers, map and handbook (P7), planner (P6), export (P8) and helpers."""
    text = _docs_ext().api_rst()
    modules = set(re.findall(r"^\.\. automodule:: (\S+)", text, flags=re.M))
    assert {
        "livable.io",
        "livable.io.gis",
        "livable.report.geodataframe",
        "livable.cli.progress",
        "livable.report.export",
        "livable.report.maps",
        "livable.report.handbook",
        "livable.report.planner",
        "livable.testing",
        "livable.schemas",
    } <= modules
    # a class documented as livable.Datum is not documented again under its module
    assert ":exclude-members: Datum" in text
    assert "\n.. autodata:: livable.indicators.base.ROLES\n" in text


def test_export_columns_page_names_every_column() -> None:
    """P8: the export how-to lists every table and explains every column."""
    from livable.report.export import COLUMNS, TABLES

    tables, _, columns = _docs_ext().export_columns_markdown().partition("| column |")
    rows = _rows(columns)
    for column, (en, zh) in COLUMNS.items():
        assert column in rows and en in rows[column] and zh in rows[column], column
    for table in TABLES:
        assert f"`{table}`" in tables, table


def test_handbook_excerpt_keeps_head_and_missing() -> None:
    """P7: the handbook excerpt shown in the docs keeps the first category and the gaps."""
    book = "\n".join(
        [
            "# X: handbook",
            "## 5-minute circle",
            "### Shopping",
            "| a |",
            "### Leisure",
            "| b |",
            "## What is missing",
            "- No kindergarten",
        ]
    )
    text = _docs_ext().handbook_excerpt(book)
    assert "### Shopping" in text and "| a |" in text
    assert "Leisure" not in text and "| b |" not in text
    assert text.rstrip().endswith("## What is missing\n- No kindergarten")
