"""The policy traceability table: clause list, scanner and coverage (P1..P8)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from pathlib import Path

import attrs
import pytest
from livable_trace import (
    TraceRow,
    cited_ids,
    load_clauses,
    note_contradictions,
    resolve_clause,
    scan_profile_toml,
    scan_python,
    trace,
    trace_markdown,
    unknown_citations,
)

import livable
from livable.indicators import BUILTIN_INDICATORS
from livable.models import KEY_CONTENTS, REQUIREMENTS
from livable.profile import Profile

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "livable"
TESTS = ROOT / "tests"


@functools.cache
def _real_rows() -> tuple[TraceRow, ...]:
    """The rows of this tree (scanning it takes seconds: once per session)."""
    return trace(SRC, TESTS)


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
    for row in _real_rows():
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
    rows = {r.clause.id: r for r in _real_rows()}
    assert "twelve_ones" in rows["P4"].indicators
    assert "P4.twelve_ones" in rows["P4"].rule_ids
    assert "tier_access" in rows["P6.tiers"].indicators
    assert {"circle_radius_m", "center_rule"} <= set(rows["P6.circle"].profile_fields)
    assert "happy.min_kinds" in rows["P5"].profile_fields
    assert "facility type kindergarten" in rows["P4"].vocabulary
    assert "livable.models.results.grade_from_results" in rows["P3"].code
    assert not rows["P1"].implemented
    assert "tests/test_engine.py::test_tier_gap_when_shop_is_beyond_five_minutes" in (
        rows["P6.tiers"].tests
    )


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
    assert ("P6.circle", "circle.enlarged_radius_m") in found  # its [assumptions] entry
    assert ("P6.circle", "circle") in found
    assert ("P2.C4", "framework.digital_platform") in found
    assert ("P5", "happy.min_kinds") in found
    # the comment above the run of [required.*] tables applies to each of them
    assert {name for clause, name in found if clause == "P4" and name.startswith("required.")} == {
        f"required.{t}" for t in livable.load_profile("xian-2020").required
    }


@pytest.mark.parametrize("clause", ["P1", "P4", "P6.tiers"])
def test_markdown_has_a_row_and_a_section_per_clause(clause: str) -> None:
    text = trace_markdown(_real_rows())
    assert f"| `{clause}` |" in text
    assert f"## `{clause}` " in text


# -- the rows come from what the indicators declare ---------------------------------------


def _declaring(clause: str) -> set[str]:
    """The built-in indicators that declare a clause: as their own, as the clause of their
    requirement or key content, or cited in their class docstring."""
    out = set()
    for cls in BUILTIN_INDICATORS:
        declared = {
            cls.clause,
            REQUIREMENTS[cls.requirement].clause,
            KEY_CONTENTS[cls.key_content].clause,
            *cited_ids(inspect.getdoc(cls) or ""),
        }
        if clause in declared:
            out.add(cls.id)
    return out


@pytest.mark.parametrize(
    "clause", ["P2.R1", "P2.R2", "P2.R3", "P2.C1", "P2.C2", "P2.C3", "P2.C4", "P2.C5", "P2.C6"]
)
def test_requirement_and_key_content_rows_list_the_indicators_that_declare_them(
    clause: str,
) -> None:
    """P2: every indicator declares a requirement (R1-R3) and a key content (C1-C6)."""
    rows = {r.clause.id: r for r in _real_rows()}
    assert set(rows[clause].indicators) == _declaring(clause) != set()


def test_the_convenience_rows_name_the_twelve_ones_and_the_tiers() -> None:
    """P2.R1, P2.C1: on main these rows listed no indicator at all."""
    rows = {r.clause.id: r for r in _real_rows()}
    assert {"twelve_ones", "tier_access", "more_facilities"} <= set(rows["P2.C1"].indicators)
    assert {"twelve_ones", "employment_service", "parcel_points"} <= set(rows["P2.R1"].indicators)
    assert {"digital_platform", "sensing_coverage"} <= set(rows["P2.R2"].indicators)
    assert {"emergency_plan", "survey_held", "green_ratio"} <= set(rows["P2.R3"].indicators)
    table = trace_markdown(_real_rows()).split("\n\n")[0]
    for clause in ("P2.R1", "P2.R2", "P2.R3", "P2.C1"):
        [line] = [row for row in table.splitlines() if row.startswith(f"| `{clause}` |")]
        assert line.split(" | ")[6] == str(len(_declaring(clause))), line


# -- profile fields come from the profile only -------------------------------------------


def _is_profile_path(path: str, profile: Profile) -> bool:
    """Whether ``path`` names a field of the profile, a field of one of its tables
    (``happy.min_kinds``) or a key of one of its mappings (``required.kindergarten``)."""
    head, _, rest = path.partition(".")
    fields = attrs.fields_dict(Profile)
    if head not in fields:
        return False
    if not rest:
        return True
    value = getattr(profile, head)
    key = rest.partition(".")[0]
    if attrs.has(type(value)):
        return key in attrs.fields_dict(type(value))
    return isinstance(value, Mapping) and key in value


def test_profile_fields_are_paths_of_the_profile() -> None:
    """No ``code`` or ``version`` (keys of the OSM and Amap mapping files, P4/P6.tiers)."""
    profile = livable.load_profile("xian-2020")
    fields = {f for row in _real_rows() for f in row.profile_fields}
    assert "code" not in fields and "version" not in fields
    assert {"circle.enlarged_radius_m", "happy.min_kinds", "required.kindergarten"} <= fields
    assert [f for f in sorted(fields) if not _is_profile_path(f, profile)] == []


def test_the_mapping_files_are_not_scanned_as_profiles(tmp_path: Path) -> None:
    """A TOML beside the profile in ``data/`` that cites P4 adds no profile field."""
    src = tmp_path / "livable"
    (src / "data").mkdir(parents=True)
    (src / "data" / "xian-2020.toml").write_text("circle_radius_m = 1200.0  # P6.circle\n")
    (src / "data" / "osm_tags.toml").write_text("# P4 tags\nversion = 1\n")
    rows = {r.clause.id: r for r in trace(src)}
    assert rows["P6.circle"].profile_fields == ("circle_radius_m",)
    assert "version" not in rows["P4"].profile_fields


# -- the tests column counts collected test functions ------------------------------------


def test_only_collected_test_functions_count(tmp_path: Path) -> None:
    path = tmp_path / "test_x.py"
    path.write_text(
        "import pytest\n"
        "@pytest.fixture\n"
        "def test_data():\n"
        '    return "P4"\n'
        "@pytest.fixture(name='P5')\n"
        "def other():\n"
        '    return "P5"\n'
        '@pytest.mark.parametrize("clause", ["P6", "P6.tiers"], ids=["P7", "P8"])\n'
        "def test_param(clause):\n"
        "    assert clause  # nothing here cites\n"
        "def test_records():\n"
        '    ids = {"amap:P1": 1, "amap:P2": 2}\n'
        "    assert ids  # the keys are Amap ids\n"
        "class TestGrades:\n"
        "    def helper(self):\n"
        '        return "P3"\n'
        "    def test_a(self):\n"
        '        """P2.C1."""\n'
        "        def inner():\n"
        '            return "P2.C2"\n'
        "    class TestNested:\n"
        "        def test_b(self):\n"
        "            pass  # P2.C3\n"
        "class Helpers:\n"
        "    def test_not_collected(self):\n"
        '        return "P2.C4"\n',
        encoding="utf-8",
    )
    found = {(c.clause, c.name) for c in scan_python(path, module="tests/test_x.py", tests=True)}
    assert found == {
        ("P2.C1", "tests/test_x.py::TestGrades::test_a"),
        ("P2.C2", "tests/test_x.py::TestGrades::test_a"),
        ("P2.C3", "tests/test_x.py::TestGrades::TestNested::test_b"),
    }


def test_tests_of_the_docs_do_not_count(tmp_path: Path) -> None:
    """Tests that use a docs generator, or live in a docs test module, cite nothing."""
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_a.py").write_text(
        "from livable_trace import cited_ids\n"
        "def test_uses_the_tracer():\n"
        '    assert cited_ids("P4")\n'
        "def test_glossary():\n"
        "    from livable_glossary import glossary_markdown\n"
        '    assert "P5" or glossary_markdown\n'
        "def test_real():\n"
        '    """P6.tiers."""\n',
        encoding="utf-8",
    )
    (tests / "test_docs.py").write_text('def test_page():\n    """P4."""\n')
    (tests / "test_plugins_docs.py").write_text('def test_page():\n    """P4."""\n')
    rows = {r.clause.id: r for r in trace(SRC, tests)}
    assert rows["P6.tiers"].tests == ("tests/test_a.py::test_real",)
    assert rows["P4"].tests == rows["P5"].tests == ()


def test_the_tests_column_of_the_real_tree_has_no_docs_tests_or_record_ids() -> None:
    """On main, P1 (not implemented) counted 5 tests: an Amap record id and the tracer's."""
    rows = {r.clause.id: r for r in _real_rows()}
    assert rows["P1"].tests == ()
    every = {t for row in rows.values() for t in row.tests}
    assert every, "the tests column is empty"
    assert not [t for t in every if t.split("::")[0].endswith(("test_trace.py", "_docs.py"))]
    assert "tests/test_import_amap.py::test_pages_bare_lists_and_name_rules" not in every


# -- notes that contradict the indicators fail --------------------------------------------

MAIN_P2_C4 = (
    "Only as a vocabulary id (key content smart_living) that indicators may declare; no "
    "built-in indicator measures digital platforms, because the plan gives no measurable "
    "standard and no open data describes them."
)
MAIN_P7 = (
    "Implemented: the four-level roll-up (city, district, subdistrict, community) and the "
    "per-community facts a convenience-service map and handbook need (positions of the "
    "nearest facilities in report.json). Not implemented: disaster-prevention and epidemic "
    "emergency functions, resident surveys, the smart-community and integrated management "
    "platforms and the city app. They are systems or programmes of work, not rules about "
    "places; livable reads survey results as a community attribute (satisfaction) but does "
    "not run surveys."
)
"""The two notes of main's ``clauses.toml`` (at 24da3b9) that issue 17 found stale."""


def _with_notes(**notes: str) -> list[TraceRow]:
    """The real rows, with the ``not_implemented_part`` of some clauses replaced."""
    rows = []
    for row in _real_rows():
        text = notes.get(row.clause.id.replace(".", "_"))
        if text is not None:
            row = attrs.evolve(row, clause=attrs.evolve(row.clause, not_implemented_part=text))
        rows.append(row)
    return rows


def test_the_notes_agree_with_the_indicators_that_exist() -> None:
    assert note_contradictions(_real_rows()) == []


def test_mains_stale_notes_contradict_the_indicators() -> None:
    """P2.C4 and P7 as main wrote them: each fails, for the indicators it overlooks."""
    found = note_contradictions(_with_notes(P2_C4=MAIN_P2_C4, P7=MAIN_P7))
    c4 = [m for m in found if m.startswith("P2.C4:")]
    p7 = [m for m in found if m.startswith("P7:")]
    assert any("'no built-in indicator'" in m and "`digital_platform`" in m for m in c4), found
    assert any("`emergency_plan`" in m for m in p7), found
    assert any("`survey_held`" in m for m in p7), found
    assert {m.partition(":")[0] for m in found} == {"P2.C4", "P7"}


@pytest.mark.parametrize(
    ("clause", "note", "why"),
    [
        ("P2_C4", "No indicator measures smart living.", "'No indicator'"),
        ("P2_C4", "Sensing systems are not modelled.", "`sensing_coverage`"),
        ("P2_C5", "Emergency mechanisms are programmes of work.", "`emergency_plan`"),
        ("P2_C2", "Parcel lockers are counted by `parcel_lockers`.", "`parcel_lockers`"),
        ("P7", "Surveys are checked by `survey_hold`.", "`survey_hold`"),
        ("P7", "Surveys (see survey_held_2021).", "`survey_held_2021`"),
    ],
)
def test_a_note_that_denies_or_misnames_an_indicator_fails(
    clause: str, note: str, why: str
) -> None:
    found = note_contradictions(_with_notes(**{clause: note}))
    assert any(why in m for m in found), found


def test_a_reason_for_a_clause_that_is_cited_fails() -> None:
    rows = [
        attrs.evolve(r, clause=attrs.evolve(r.clause, not_implemented_reason="Not software."))
        if r.clause.id == "P4"
        else r
        for r in _real_rows()
    ]
    [message] = note_contradictions(rows)
    assert message.startswith("P4: clauses.toml says it is not implemented")


def test_a_note_naming_the_indicators_passes() -> None:
    note = "The platforms themselves; livable checks `digital_platform` and `sensing_coverage`."
    assert note_contradictions(_with_notes(P2_C4=note)) == []


def test_the_implemented_part_is_generated_from_the_indicators() -> None:
    """P2.C4 and P7 list their indicators; what the clauses.toml note says is only the rest."""
    text = trace_markdown(_real_rows())
    c4 = text.split("## `P2.C4`")[1].split("\n## ")[0]
    assert "**Implemented** by the indicators `digital_platform`, `sensing_coverage`" in c4
    assert "**Not implemented.** The city's integrated systems" in c4
    p7 = text.split("## `P7`")[1].split("\n## ")[0]
    assert "`emergency_plan`, `survey_held`" in p7.splitlines()[2]
    assert "**Scope.**" not in text


def test_the_tracers_doctests_pass() -> None:
    """``docs/_ext`` is not collected by pytest: its examples run here (one had rotted)."""
    import doctest

    import livable_trace

    result = doctest.testmod(livable_trace, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10
    assert result.failed == 0
