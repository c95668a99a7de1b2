"""Generated reference pages: the bilingual glossary of ids and the profile fields.

Both are rendered from the code (the vocabulary in :mod:`livable.models`, the built-in
indicators, the attrs classes of :mod:`livable.profile` and the built-in profile), so the
documentation cannot drift from what the library does.

>>> text = glossary_markdown()
>>> "| `kindergarten` | kindergarten | 幼儿园 |" in text
True
>>> rows = profile_field_rows()
>>> row = next(r for r in rows if r.path == "happy.min_kinds")
>>> row.value, row.doc.startswith("``P5`` \\"more kinds\\"")
('15', True)
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

__all__ = [
    "FieldRow",
    "attribute_docs",
    "glossary_markdown",
    "indicator_rules_markdown",
    "profile_field_rows",
    "profile_fields_markdown",
]


def _cell(text: object) -> str:
    """A Markdown table cell: pipes escaped, newlines folded."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _code(value: object) -> str:
    return f"`{value}`"


def glossary_markdown() -> str:
    """Every id of the vocabulary with its zh-CN and en labels, as MyST Markdown tables.

    Requirements and key contents (``P2``), service categories and their tiers
    (``P6.tiers``), facility types (``P4``), built-in indicators, grades (``P3``), zones
    (``P6``) and the size classes of the built-in profile.
    """
    from livable.models import CATEGORIES, FACILITY_TYPES, KEY_CONTENTS, REQUIREMENTS, Grade, Zone
    from livable.plugins import PluginManager
    from livable.profile import load_profile

    profile = load_profile("xian-2020")
    out: list[str] = []

    out += ["## Requirements · 基本要求", ""]
    out += _table(
        ["id", "English", "中文", "clause"],
        [(_code(r.id), r.label_en, r.label_zh, _code(r.clause)) for r in REQUIREMENTS.values()],
    )
    out += ["## Key contents · 重点建设内容", ""]
    out += _table(
        ["id", "English", "中文", "clause"],
        [(_code(k.id), k.label_en, k.label_zh, _code(k.clause)) for k in KEY_CONTENTS.values()],
    )

    out += ["## Service categories and walk tiers · 服务类别与步行圈", ""]
    by_category: dict[str, list[str]] = {}
    for ftype in FACILITY_TYPES.values():
        if ftype.category is not None:
            by_category.setdefault(ftype.category, []).append(ftype.id)
    out += _table(
        ["id", "English", "中文", "tier (min)", "tier in xian-2020 (m)", "facility types"],
        [
            (
                _code(c.id),
                c.label_en,
                c.label_zh,
                c.tier_minutes,
                f"{profile.tier_distance_m(c.id):g}",
                ", ".join(_code(t) for t in by_category.get(c.id, [])),
            )
            for c in CATEGORIES.values()
        ],
    )

    out += ["## Facility types · 设施类型", ""]
    out += [
        'The first twelve are the plan\'s "12 ones" (12个一, `P4`); the others give every '
        "category a type and cover market services.",
        "",
    ]
    out += _table(
        ["id", "English", "中文", "category", "key content", "12 ones", "clause"],
        [
            (
                _code(t.id),
                t.label_en,
                t.label_zh,
                _code(t.category) if t.category else "—",
                _code(t.key_content),
                "yes" if t.twelve_ones else "",
                _code(t.clause),
            )
            for t in FACILITY_TYPES.values()
        ],
    )

    out += ["## Indicators · 指标", ""]
    out += [
        "The built-in indicators, with the role the `xian-2020` profile gives each "
        "(`livable`: needed for livable; `happy`: needed for happy).",
        "",
    ]
    indicators = PluginManager(load_entry_points=False).indicators()
    out += _table(
        ["id", "English", "中文", "clause", "requirement", "key content", "role in xian-2020"],
        [
            (
                _code(i.id),
                i.label_en,
                i.label_zh,
                _code(i.clause),
                _code(i.requirement),
                _code(i.key_content),
                profile.indicator_roles.get(i.id, "info"),
            )
            for i in indicators
        ],
    )

    out += ["## Grades · 等级", ""]
    out += _table(
        ["id", "English", "中文", "rank", "clause"],
        [(_code(g.value), g.label_en, g.label_zh, g.rank, _code(g.clause)) for g in Grade],
    )
    out += ["## Zones · 城区", ""]
    out += _table(
        ["id", "English", "中文"], [(_code(z.value), z.label_en, z.label_zh) for z in Zone]
    )
    out += ["## Size classes of xian-2020 · 社区规模", ""]
    out += _table(
        ["id", "English", "中文", "residents from", "clause"],
        [
            (_code(s.id), s.label_en, s.label_zh, f"{s.min_population:,}", _code(s.clause))
            for s in profile.size_classes
        ],
    )
    return "\n".join(out)


def attribute_docs(cls: type) -> dict[str, tuple[str, str]]:
    """Per annotated field of a class: its annotation as written, and its docstring.

    >>> from livable.profile import Targets
    >>> attribute_docs(Targets)["deadline"]
    ('str', 'The date the plan sets for both targets.')
    """
    tree = ast.parse(inspect.getsource(inspect.getmodule(cls)))  # type: ignore[arg-type]
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls.__qualname__)
    docs: dict[str, tuple[str, str]] = {}
    body = node.body
    for i, stmt in enumerate(body):
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
            continue
        doc = ""
        after = body[i + 1] if i + 1 < len(body) else None
        if (
            isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            doc = inspect.cleandoc(after.value.value)
        docs[stmt.target.id] = (ast.unparse(stmt.annotation), doc)
    return docs


@attrs.frozen
class FieldRow:
    """One profile field: its dotted path, type, allowed values, value, docs, assumption."""

    path: str
    type: str
    value: str
    doc: str
    assumption: str
    allowed: str = ""
    """The values the field accepts (its type and range check, ``livable.profile``)."""


def _show(value: Any) -> str:
    """A compact, readable rendering of a profile value."""
    if attrs.has(type(value)):
        fields = attrs.asdict(value, recurse=False)
        if "min_population" in fields:
            return f"{fields['id']} ≥ {fields['min_population']:,}"
        return "; ".join(f"{k} = {_show(v)}" for k, v in fields.items())
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "; ".join(
            f"{k}: ({_show(v).replace('; ', ', ')})"
            if isinstance(v, Mapping)
            else f"{k}: {_show(v)}"
            for k, v in value.items()
        )
    if isinstance(value, tuple | list):
        return ", ".join(_show(v) for v in value) if value else "()"
    if isinstance(value, str):
        return value if value else '""'
    if value is None:
        return "off (none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def profile_field_rows(profile_id: str = "xian-2020") -> list[FieldRow]:
    """Every field of :class:`~livable.profile.Profile` and its nested tables.

    ``value`` is the field's value in the named profile, ``assumption`` the profile's
    stated reason for a value the plan does not give (its ``assumptions`` table).
    """
    from livable.profile import Profile, load_profile

    profile = load_profile(profile_id)
    rows: list[FieldRow] = []

    def walk(cls: type, obj: Any, prefix: str) -> None:
        docs = attribute_docs(cls)
        for field in attrs.fields(cls):
            path = prefix + field.name
            value = getattr(obj, field.name)
            type_text, doc = docs.get(field.name, ("", ""))
            nested = attrs.has(type(value)) and field.name != "size_classes"
            check = field.metadata.get("check")
            if nested and not doc:
                doc = inspect.cleandoc(type(value).__doc__ or "").split("\n\n")[0]
            rows.append(
                FieldRow(
                    path=path,
                    type=type_text,
                    value=_value_text(field.name, value, nested),
                    doc=doc,
                    assumption=_assumption(profile.assumptions, path, nested),
                    allowed="" if nested or check is None else check.describe(),
                )
            )
            if nested:
                walk(type(value), value, path + ".")

    walk(Profile, profile, "")
    return rows


def _assumption(assumptions: Mapping[str, str], path: str, nested: bool) -> str:
    """A field's assumption, and those of keys below a plain table (``required.school``),
    each named, so every row of ``[assumptions]`` is shown (a nested class has its own rows).

    >>> _assumption({"required": "A.", "required.school": "B."}, "required", False)
    'A. `required.school`: B.'
    """
    own = [assumptions.get(path, "")]
    if not nested:
        own += [f"`{k}`: {v}" for k, v in assumptions.items() if k.startswith(path + ".")]
    return " ".join(t for t in own if t)


def _value_text(name: str, value: Any, nested: bool) -> str:
    if nested:
        return "(the rows below)"
    if name == "assumptions":
        return f"{len(value)} entries (the last column)"
    return _show(value)


def _rst_to_md(text: str) -> str:
    """Docstring markup as Markdown: ````x```` and ``:role:`x``` become ```x```.

    >>> _rst_to_md("``P5``: see :meth:`derive`")
    '`P5`: see `derive`'
    """
    return re.sub(r":[a-z]+:`~?([^`]+)`", r"`\1`", text).replace("``", "`")


def profile_fields_markdown(profile_id: str = "xian-2020") -> str:
    """The profile fields as a MyST Markdown table (field, type, value, allowed, meaning, ...)."""
    rows = profile_field_rows(profile_id)
    return "\n".join(
        _table(
            [
                "field",
                "type",
                f"value in {profile_id}",
                "allowed values",
                "meaning",
                "assumption (when the plan is silent)",
            ],
            [
                (
                    _code(r.path),
                    _code(r.type),
                    r.value,
                    r.allowed.replace("<=", "≤"),
                    _rst_to_md(r.doc),
                    r.assumption,
                )
                for r in rows
            ],
        )
    )


def indicator_rules_markdown() -> str:
    """The built-in indicators with the rule each applies, as a MyST Markdown table.

    >>> "| `twelve_ones` |" in indicator_rules_markdown()
    True
    """
    from livable.plugins import PluginManager
    from livable.profile import load_profile

    profile = load_profile("xian-2020")
    rows = [
        (
            _code(i.id),
            f"{i.label_en} · {i.label_zh}",
            _code(i.clause),
            profile.indicator_roles.get(i.id, "info"),
            ", ".join(_code(k) for k in sorted(i.inputs)),
            i.unit or "",
            _rst_to_md(i.rule),
        )
        for i in PluginManager(load_entry_points=False).indicators()
    ]
    headers = ["id", "name", "clause", "role in xian-2020", "reads", "value unit", "rule"]
    return "\n".join(_table(headers, rows))
