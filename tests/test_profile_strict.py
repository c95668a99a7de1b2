"""Profiles are strictly typed and range-checked, from TOML and from Python alike (issue 21).

No value is coerced: ``circle_radius_m = true`` is not 1 m, ``"1000"`` is not 1000.0, 1e9 m
is not a circle, an unknown key is refused in every table and ``deadline = "yesterday"`` is
not a date. Every refusal is a :class:`~livable.ProfileError` naming the file, the dotted
field path and the problem on one line.
"""

from __future__ import annotations

import datetime
import math
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import livable
from livable import Profile, ProfileError, load_profile
from livable._profile_checks import Choice, Date, Flag, Number, Table
from livable.cli import main
from livable.profile import profile_from_mapping

DATA = Path(__file__).parent / "data"
BAD_PROFILES = DATA / "bad" / "profiles"
XIAN = load_profile("xian-2020")


def _fields(cls: type, prefix: str = "") -> Iterator[tuple[str, attrs.Attribute[Any]]]:
    """Every field of a profile class and its nested tables, with its dotted path."""
    for field in attrs.fields(cls):
        path = prefix + field.name
        yield path, field
        nested = field.metadata.get("check")
        if nested is not None and hasattr(nested, "cls"):
            yield from _fields(nested.cls, path + ".")


def _numeric_fields() -> list[tuple[str, Number]]:
    found = [(p, f.metadata["check"]) for p, f in _fields(Profile)]
    return [(p, c) for p, c in found if isinstance(c, Number)]


NUMERIC = _numeric_fields()


def _nest(path: str, value: Any) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    return {head: _nest(rest, value) if rest else value}


def test_every_field_has_a_check_and_numbers_are_discovered() -> None:
    for path, field in _fields(Profile):
        assert "check" in field.metadata, f"{path} has no type and range check"
    paths = {p for p, _ in NUMERIC}
    assert {"circle_radius_m", "happy.min_kinds", "circle.enlarged_radius_m"} <= paths
    assert len(paths) >= 20


BAD_NUMBERS: list[tuple[str, Any]] = [
    ("bool", True),
    ("false", False),
    ("text", "1000"),
    ("nan", math.nan),
    ("inf", math.inf),
    ("negative", -1),
    ("huge", 1e9),
    ("huge_int", 10**9),
    ("overflow", 10**400),
]


@pytest.mark.parametrize(("path", "check"), NUMERIC, ids=[p for p, _ in NUMERIC])
@pytest.mark.parametrize(("what", "bad"), BAD_NUMBERS, ids=[w for w, _ in BAD_NUMBERS])
def test_a_bad_number_is_refused_naming_the_field(
    path: str, check: Number, what: str, bad: Any
) -> None:
    with pytest.raises(ProfileError, match=rf"<derive>: invalid profile: {re.escape(path)}: "):
        XIAN.derive(**_nest(path, bad))


@pytest.mark.parametrize(("path", "check"), NUMERIC, ids=[p for p, _ in NUMERIC])
def test_the_bounds_themselves_load_and_an_int_is_a_float(path: str, check: Number) -> None:
    low = check.low + (1 if check.low_open else 0)
    for value in (int(low), int(check.high)):
        prof = XIAN.derive(**_nest(path, value))
        got: Any = prof
        for part in path.split("."):
            got = getattr(got, part)
        assert got == value
        assert type(got) is (int if check.whole else float)


@pytest.mark.parametrize(("path", "check"), NUMERIC, ids=[p for p, _ in NUMERIC])
def test_profile_built_in_python_meets_the_same_checks(path: str, check: Number) -> None:
    head, _, rest = path.partition(".")
    if rest:
        cls = attrs.fields_dict(Profile)[head].metadata["check"].cls
        with pytest.raises(ProfileError, match=rf"^{rest}: must be"):
            cls(**{rest: True})
    else:
        with pytest.raises(ProfileError, match=rf"^{path}: must be"):
            Profile(
                id="x", label_en="x", label_zh="x", size_classes=XIAN.size_classes, **{path: True}
            )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"category_tiers": {"shoping": 5}},
            "category_tiers.shoping: 'shoping' is not a service category (did you mean shopping?)",
        ),
        ({"category_tiers": {"shopping": 0}}, "category_tiers.shopping: must be 0 < x"),
        ({"category_tiers": {"shopping": True}}, "category_tiers.shopping: must be a number"),
        ({"required": {"clinic": {"huge": 1}}}, "required.clinic.huge: not a size class"),
        ({"required": {"clinic": {"small": -1}}}, "required.clinic.small: must be 0 <="),
        ({"required": {"clinic": {"small": 1.5}}}, "required.clinic.small: must be a whole"),
        ({"required": {"Clinic": {"small": 1}}}, "required.Clinic: 'Clinic' is not an id"),
        ({"required": {"clinic": 1}}, "required.clinic: must be a table"),
        (
            {"district_zones": {"Beilin": "centre"}},
            "district_zones.Beilin: 'centre' is not one "
            "of central, peripheral, unzoned (did you mean central?)",
        ),
        ({"indicator_roles": {"variety": "hapy"}}, "indicator_roles.variety: 'hapy' is not one"),
        ({"indicator_roles": {"not an id": "info"}}, "indicator_roles.not an id: "),
        (
            {"assumptions": {"circle_radius": "x"}},
            "assumptions.circle_radius: 'circle_radius' is "
            "not a profile field (did you mean circle_radius_m?)",
        ),
        ({"assumptions": {"happy.min_kind": "x"}}, "did you mean min_kinds?"),
        ({"assumptions": {"circle_radius_m": ""}}, "assumptions.circle_radius_m: must not be"),
        ({"happy": {"quality_types": "clinic"}}, "happy.quality_types: must be a list of ids"),
        (
            {"happy": {"quality_types": ["Kindergarten"]}},
            "happy.quality_types[0]: 'Kindergarten' is not an id: use lower-case letters, "
            "digits and '_', starting with a letter (did you mean kindergarten?)",
        ),
        ({"happy": {"closer": 1}}, "happy.closer: must be true or false, not the number 1"),
        ({"happy": 5}, "happy: must be a table, not 5"),
        ({"network_noding": "yes"}, "network_noding: must be true or false, not the text"),
        ({"center_rule": "centre"}, "center_rule: 'centre' is not one of centroid"),
        ({"id": ""}, "id: must not be empty"),
        ({"id": 5}, "id: must be a text, not the number 5"),
        ({"label_en": ["x"]}, "label_en: must be a text"),
        ({"size_classes": 5}, "size_classes: must be an array of tables"),
        ({"size_classes": []}, "size_classes: must name at least one size class"),
        (
            {"circle": {"enlarged_radius_m": "off"}},
            "circle.enlarged_radius_m: must be a number (m), not off",
        ),
        (
            {"targets": {"deadline": "yesterday"}},
            "targets.deadline: must be a date (YYYY-MM-DD), not 'yesterday'",
        ),
        ({"targets": {"deadline": "2021-02-30"}}, "targets.deadline: must be a date"),
        ({"targets": {"deadline": "20211231"}}, "targets.deadline: must be a date"),
        ({"targets": {"deadline": 2021}}, "targets.deadline: must be a date"),
        (
            {"targets": {"deadline": datetime.datetime(2021, 12, 31, 12, 0)}},
            "targets.deadline: must be a date (YYYY-MM-DD), not the date and time",
        ),
    ],
)
def test_bad_table_entries_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ProfileError) as info:
        XIAN.derive(**changes)
    text = str(info.value)
    assert message in text
    assert "\n" not in text


def _size(**changes: Any) -> list[dict[str, Any]]:
    base = [{"id": "small", "label_en": "s", "label_zh": "小", "min_population": 0}]
    base[0].update(changes)
    return base


@pytest.mark.parametrize(
    ("size_classes", "message"),
    [
        (_size(min_population=True), "size_classes[0].min_population: must be a whole number"),
        (_size(min_population="0"), "size_classes[0].min_population: must be a whole number"),
        (_size(min_population=10**9), "size_classes[0].min_population: must be 0 <= x"),
        (_size(min_population=5), "size_classes: must be in increasing min_population order"),
        (_size(id="Small"), "size_classes[0].id: 'Small' is not an id"),
        (_size(label_en=""), "size_classes[0].label_en: must not be empty"),
        (_size(bogus=1), "size_classes[0].bogus: unknown field"),
        (_size() + _size(), "size_classes[1].id: size class id 'small' is given twice"),
    ],
)
def test_bad_size_classes_are_refused(size_classes: list[Any], message: str) -> None:
    with pytest.raises(ProfileError) as info:
        XIAN.derive(size_classes=size_classes, required={})
    assert message in str(info.value)


TABLES = ["", "happy.", "framework.", "targets.", "circle."]


@pytest.mark.parametrize("prefix", TABLES)
def test_unknown_keys_are_refused_in_every_table(prefix: str) -> None:
    with pytest.raises(ProfileError, match=rf"invalid profile: {re.escape(prefix)}bogus: unknown"):
        XIAN.derive(**_nest(prefix + "bogus", 1))


def test_a_misspelt_key_gets_a_suggestion() -> None:
    with pytest.raises(ProfileError, match=r"happy\.min_kind: unknown field \(did you mean"):
        XIAN.derive(happy={"min_kind": 16})
    with pytest.raises(ProfileError, match=r"circle_radius: unknown field \(did you mean"):
        profile_from_mapping({"extends": "xian-2020", "circle_radius": 1000})


def test_every_problem_is_named_once_on_one_line() -> None:
    with pytest.raises(ProfileError) as info:
        XIAN.derive(circle_radius_m=True, happy={"min_kinds": "3", "bogus": 1})
    text = str(info.value)
    assert "\n" not in text
    for part in ("circle_radius_m: ", "happy.min_kinds: ", "happy.bogus: unknown field"):
        assert text.count(part) == 1, text


def test_a_missing_field_is_named() -> None:
    with pytest.raises(ProfileError, match=r"<memory>: invalid profile: .*label_en: missing"):
        profile_from_mapping({"id": "x", "label_zh": "x"})


def test_deadline_accepts_a_toml_date_or_an_iso_text() -> None:
    as_date = profile_from_mapping(
        tomllib.loads('extends = "xian-2020"\n[targets]\ndeadline = 2025-06-30\n')
    )
    as_text = XIAN.derive(targets={"deadline": "2025-06-30"})
    assert as_date.targets.deadline == as_text.targets.deadline == "2025-06-30"
    assert as_date == as_text
    assert 'deadline = "2025-06-30"' in as_date.to_toml()


def test_the_same_profile_from_toml_and_from_python_is_equal(tmp_path: Path) -> None:
    changes: dict[str, Any] = {
        "id": "same",
        "circle_radius_m": 1000,  # an int where a float is expected
        "category_tiers": {"finance": 10},
        "happy": {"min_kinds": 16, "vitality_min": None},
        "targets": {"deadline": datetime.date(2022, 12, 31)},
        "circle": {"extra_large_population": 40000},
        "district_zones": {"新区": "peripheral"},
    }
    data = {"extends": "xian-2020", **changes}
    text = tomli_w.dumps({**data, "happy": {"min_kinds": 16, "vitality_min": "off"}})
    path = tmp_path / "same.toml"
    path.write_text(text, encoding="utf-8")
    from_toml = load_profile(path)
    from_mapping = profile_from_mapping(data)
    from_derive = XIAN.derive(**changes)
    assert from_toml == from_mapping == from_derive
    assert from_toml.sha256 == from_derive.sha256
    assert type(from_toml.circle_radius_m) is float
    assert type(from_derive.category_tiers["finance"]) is float
    assert from_derive.district_zones["新区"] is livable.Zone.PERIPHERAL
    assert from_toml.targets.deadline == "2022-12-31"


def test_everything_that_loaded_before_still_loads() -> None:
    beilin = load_profile(Path(__file__).parents[1] / "examples/profiles/xian-beilin-2022.toml")
    assert (beilin.circle_radius_m, beilin.happy.min_kinds) == (1000.0, 16)
    assert profile_from_mapping(tomllib.loads(XIAN.to_toml())) == XIAN
    assert XIAN.derive(id="x", network_min_component_m=0.0).network_min_component_m == 0.0


# -- any TOML-able value in any field: a Profile with the declared types, or ProfileError ----

ALL_PATHS = [p for p, _ in _fields(Profile)]
_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=-5, max_value=200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=1),
    st.text(max_size=12),
    st.sampled_from(["off", "centroid", "central", "happy", "small", "shopping", "2030-01-01"]),
    st.dates(),
    st.datetimes(),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["small", "shopping", "clinic", "Beilin", "x", "circle_radius_m"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=6,
)


def _assert_declared(prof: Profile) -> None:
    """Every checked field of the profile holds a value its own check accepts, as stored."""
    for path, field in _fields(Profile):
        value: Any = prof
        for part in path.split("."):
            value = getattr(value, part)
        check = field.metadata["check"]
        if isinstance(check, Number):
            if value is None:
                assert check.optional, path
                continue
            assert type(value) is (int if check.whole else float), (path, value)
            assert check.low <= value <= check.high and math.isfinite(value), (path, value)
            assert not (check.low_open and value == check.low), (path, value)
        else:
            check.check(value)
    for counts in prof.required.values():
        assert all(type(n) is int and n >= 0 for n in counts.values())
    assert all(type(m) is float and m > 0 for m in prof.category_tiers.values())


def _plausible(check: Any) -> st.SearchStrategy[Any]:
    """Values near or inside a field's range, so that many random profiles load."""
    if isinstance(check, Number):
        low, high = math.ceil(check.low), int(check.high)
        ints = st.integers(min_value=low - 1, max_value=high + 1)
        if check.whole:
            return ints | st.just("off")
        return ints | st.floats(min_value=check.low, max_value=check.high) | st.just("off")
    if isinstance(check, Flag):
        return st.booleans()
    if isinstance(check, Choice):
        return st.sampled_from(check.options)
    if isinstance(check, Date):
        return st.dates() | st.dates().map(str)
    if isinstance(check, Table):
        return st.dictionaries(st.sampled_from(["shopping", "finance", "clinic"]), _values)
    return _values


FIELD_CHECKS = {p: f.metadata["check"] for p, f in _fields(Profile)}


@st.composite
def _changes(draw: st.DrawFn) -> dict[str, Any]:
    paths = draw(st.lists(st.sampled_from(ALL_PATHS), min_size=1, max_size=3, unique=True))
    # one value in four anything TOML-able, the others near the field's own range
    return {
        p: draw(_values if draw(st.integers(0, 3)) == 0 else _plausible(FIELD_CHECKS[p]))
        for p in paths
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_changes())
def test_any_toml_value_in_any_field_loads_checked_or_raises_profile_error(
    changes: dict[str, Any],
) -> None:
    data: dict[str, Any] = {"extends": "xian-2020"}
    for path, value in changes.items():
        head, _, rest = path.partition(".")
        if rest:
            table = data.setdefault(head, {})
            if isinstance(table, dict):
                table[rest] = value
        else:
            data[head] = value
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError):
        return  # not TOML-able (a None, a list of mixed tables)
    for source in (tomllib.loads(text), data):
        problem = ""
        try:
            prof = profile_from_mapping(source)
        except ProfileError as exc:  # the only exception allowed out
            problem = str(exc)
        if problem:
            assert "\n" not in problem
            assert problem.startswith("<memory>: invalid profile: ")
        else:
            _assert_declared(prof)


# -- the command line: a bad profile file is an input problem, exit 1, one line --------------

CLI_CASES = {
    "radius_bool.toml": "circle_radius_m: must be a number (m), not the boolean true",
    "radius_text.toml": "circle_radius_m: must be a number (m), not the text '1000'",
    "radius_huge.toml": "circle_radius_m: must be 0 < x <= 10,000 (m), not 1000000000.0",
    "category_unknown.toml": "category_tiers.shoping: 'shoping' is not a service category "
    "(did you mean shopping?)",
    "deadline_not_a_date.toml": "targets.deadline: must be a date (YYYY-MM-DD), not 'yesterday'",
    "field_unknown.toml": "happy.min_kind: unknown field (did you mean min_kinds?)",
}


def test_every_bad_profile_file_has_a_case() -> None:
    assert {p.name for p in BAD_PROFILES.glob("*.toml")} == set(CLI_CASES)


@pytest.mark.parametrize(("name", "message"), sorted(CLI_CASES.items()))
def test_a_bad_profile_file_exits_1_with_one_line(
    name: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.json"
    code = main(
        [
            "evaluate",
            "--communities",
            str(DATA / "ok" / "communities.geojson"),
            "--facilities",
            str(DATA / "ok" / "facilities.geojson"),
            "--profile",
            str(BAD_PROFILES / name),
            "--quiet",
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("livable: error: ")
    assert f"{name}: invalid profile: {message}" in lines[0]
    assert "Traceback" not in err
    assert not out.exists()


def test_input_problems_page_lists_every_bad_profile() -> None:
    page = (Path(__file__).parents[1] / "docs/reference/input-problems.md").read_text("utf-8")
    section = page.split("## Profiles", 1)[1]
    for message in CLI_CASES.values():
        assert message in section, message


def test_the_fields_reference_states_each_type_and_range() -> None:
    from livable_glossary import profile_field_rows, profile_fields_markdown

    rows = {r.path: r for r in profile_field_rows()}
    for path, field in _fields(Profile):
        if not hasattr(field.metadata["check"], "cls"):
            assert rows[path].allowed, f"{path}: no allowed values in the reference"
    assert rows["circle_radius_m"].allowed == "number, 0 < x <= 10,000 (m)"
    assert rows["happy.min_kinds"].allowed == "off or whole number, 0 <= x <= 1,000"
    assert rows["targets.deadline"].allowed.startswith("a date")
    assert "| 1200 | number, 0 < x ≤ 10,000 (m) |" in profile_fields_markdown()
