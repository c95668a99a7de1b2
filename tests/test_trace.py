"""The policy traceability table: clause list, scanner and coverage (P1..P8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from livable_trace import (
    cited_ids,
    load_clauses,
    resolve_clause,
    scan_profile_toml,
    scan_python,
    trace,
    trace_markdown,
    unknown_citations,
)

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "livable"
TESTS = ROOT / "tests"


def test_clause_list_covers_the_plan() -> None:
    """Every top-level clause P1..P8 and every sub-id of P2 and P6 the brief names."""
    ids = [c.id for c in load_clauses()]
    assert len(ids) == len(set(ids))
    expected = {f"P{n}" for n in range(1, 9)}
    expected |= {f"P2.R{n}" for n in range(1, 4)} | {f"P2.C{n}" for n in range(1, 7)}
    expected |= {"P6.circle", "P6.tiers"}
    assert set(ids) == expected
    for clause in load_clauses():
        assert clause.title_en.strip() and clause.title_zh.strip(), clause.id


def test_every_clause_is_implemented_or_says_why_not() -> None:
    for row in trace(SRC, TESTS):
        if row.implemented:
            assert row.clause.not_implemented_reason is None, (
                f"{row.clause.id} is cited by code but clauses.toml says it is not implemented"
            )
        else:
            assert row.clause.not_implemented_reason, (
                f"{row.clause.id}: nothing cites it and clauses.toml gives no reason"
            )


def test_every_cited_clause_id_is_listed() -> None:
    """A typo such as P6.tier or P9 in a docstring, comment or test fails here."""
    assert unknown_citations(SRC, TESTS) == []


def test_the_rules_are_traced_to_code_fields_and_indicators() -> None:
    rows = {r.clause.id: r for r in trace(SRC, TESTS)}
    assert "twelve_ones" in rows["P4"].indicators
    assert "P4.twelve_ones" in rows["P4"].rule_ids
    assert "tier_access" in rows["P6.tiers"].indicators
    assert {"circle_radius_m", "center_rule"} <= set(rows["P6.circle"].profile_fields)
    assert "happy.min_kinds" in rows["P5"].profile_fields
    assert "facility type kindergarten" in rows["P4"].vocabulary
    assert "livable.models.results.grade_from_results" in rows["P3"].code
    assert not rows["P1"].implemented
    # This very file cites clauses in test docstrings, so the tests column is not empty.
    assert "tests/test_trace.py::test_clause_list_covers_the_plan" in rows["P6.tiers"].tests


def test_cited_ids_ignores_look_alikes() -> None:
    assert cited_ids("EPSG:4547, P10, XP4, P4x, P6.tiers.") == ["P6.tiers"]
    assert cited_ids("P2.C1/P2.C2") == ["P2.C1", "P2.C2"]


def test_resolve_clause_prefers_the_longest_listed_prefix() -> None:
    known = ["P6", "P6.tiers", "P4"]
    assert resolve_clause("P6.tiers.shopping", known) == "P6.tiers"
    assert resolve_clause("P6.circle", known) == "P6"
    assert resolve_clause("P7", known) is None


def test_scan_python_attributes_citations(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_text(
        '"""Module cites P8."""\n'
        "class Rules:\n"
        '    """Cites P4."""\n'
        "    radius: float = 1.0\n"
        '    """Cites P6.circle."""\n'
        "    def method(self):\n"
        "        return 1  # cites P5\n"
        "def _helper():\n"
        '    return "P3"\n',
        encoding="utf-8",
    )
    found = {(c.clause, c.kind, c.name) for c in scan_python(path, module="pkg.mod")}
    assert found == {
        ("P8", "code", "pkg.mod"),
        ("P4", "code", "pkg.mod.Rules"),
        ("P6.circle", "code", "pkg.mod.Rules.radius"),
        ("P5", "code", "pkg.mod.Rules.method"),
        ("P3", "code", "pkg.mod"),
    }
    kinds = {"pkg.mod.Rules.radius": ("profile", "radius")}
    profile = [c for c in scan_python(path, module="pkg.mod", kinds=kinds) if c.kind != "code"]
    assert [(c.clause, c.name) for c in profile] == [("P6.circle", "radius")]


def test_scan_python_names_tests_by_file_and_function(tmp_path: Path) -> None:
    path = tmp_path / "test_x.py"
    path.write_text(
        '"""Module docstring P1 is not a test."""\n'
        "class TestGrades:\n"
        "    def test_a(self):\n"
        '        """P3."""\n'
        "def test_b():\n"
        "    assert 1  # P4\n"
        "def helper():\n"
        '    return "P5"\n',
        encoding="utf-8",
    )
    found = {(c.clause, c.name) for c in scan_python(path, module="tests/test_x.py", tests=True)}
    assert found == {
        ("P3", "tests/test_x.py::TestGrades::test_a"),
        ("P4", "tests/test_x.py::test_b"),
    }


def test_scan_profile_toml_reads_the_built_in_profile() -> None:
    text = (SRC / "data" / "xian-2020.toml").read_text(encoding="utf-8")
    found = {(c.clause, c.name) for c in scan_profile_toml(text)}
    assert ("P6.tiers", "category_tiers") in found
    assert ("P6.circle", "circle_radius_m") in found
    assert ("P4", "required") in found
    assert ("P5", "happy.min_kinds") in found


@pytest.mark.parametrize("clause", ["P1", "P4", "P6.tiers"])
def test_markdown_has_a_row_and_a_section_per_clause(clause: str) -> None:
    text = trace_markdown(trace(SRC, TESTS))
    assert f"| `{clause}` |" in text
    assert f"## `{clause}` " in text
