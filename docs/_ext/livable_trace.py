"""Policy traceability: which code, profile fields, indicators and tests cite each clause.

The clauses of the plan (``P1``..``P8`` and the sub-ids ``P2.C1``, ``P6.tiers``, ...) are
listed with their titles in ``livable/data/clauses.toml``, together with the reason for
each clause the software does not implement. :func:`trace` scans Python sources (and the
built-in profile's TOML) for cited clause ids, and :func:`trace_markdown` renders the
table the documentation shows. Nothing is maintained by hand but the clause list.

>>> rows = trace()
>>> p4 = next(r for r in rows if r.clause.id == "P4")
>>> "twelve_ones" in p4.indicators, p4.implemented
(True, True)
>>> next(r for r in rows if r.clause.id == "P1").implemented
False
"""

from __future__ import annotations

import ast
import importlib.resources
import inspect
import io
import itertools
import re
import tokenize
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal

import attrs

__all__ = [
    "CLAUSE_RE",
    "Citation",
    "Clause",
    "TraceRow",
    "cited_ids",
    "load_clauses",
    "resolve_clause",
    "scan_profile_toml",
    "scan_python",
    "trace",
    "trace_markdown",
    "unknown_citations",
]

CLAUSE_RE = re.compile(r"(?<![A-Za-z0-9_])P[1-8](?:\.[A-Za-z][A-Za-z0-9_]*)*(?![A-Za-z0-9_])")
"""A clause id as code cites it: ``P4``, ``P6.tiers``, ``P2.C1``, ``P4.twelve_ones``."""

Kind = Literal["code", "profile", "indicator", "vocabulary", "test"]


@attrs.frozen
class Clause:
    """A clause of the plan, from ``livable/data/clauses.toml``."""

    id: str
    title_en: str
    title_zh: str
    not_implemented_reason: str | None = None
    """Why the software does not implement the clause (``None``: it does, or should)."""
    note: str | None = None
    """What is and is not implemented of a clause that is partly software."""


@attrs.frozen
class Citation:
    """One place that cites a clause id: what kind of thing, its name, and where."""

    clause: str
    kind: Kind
    name: str
    where: str


@attrs.frozen
class TraceRow:
    """Everything that cites one clause (or a rule id under it, such as ``P4.twelve_ones``)."""

    clause: Clause
    code: tuple[str, ...] = ()
    profile_fields: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    vocabulary: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    rule_ids: tuple[str, ...] = ()

    @property
    def implemented(self) -> bool:
        """Whether any model, code, profile field or indicator cites the clause."""
        return bool(self.code or self.profile_fields or self.indicators or self.vocabulary)


def cited_ids(text: str) -> list[str]:
    """The clause ids cited in a text, in order, without repeats.

    >>> cited_ids("``P6.tiers``: see P4/P5 and P4 again; EPSG:4547 is not one")
    ['P6.tiers', 'P4', 'P5']
    """
    seen: dict[str, None] = {}
    for match in CLAUSE_RE.finditer(text):
        seen.setdefault(match.group(0), None)
    return list(seen)


def load_clauses(text: str | None = None) -> tuple[Clause, ...]:
    """The clauses of ``clauses.toml`` (or of the TOML ``text`` given), in file order.

    >>> [c.id for c in load_clauses()][:3]
    ['P1', 'P2', 'P2.R1']
    """
    if text is None:
        resource = importlib.resources.files("livable.data").joinpath("clauses.toml")
        text = resource.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return tuple(Clause(**entry) for entry in data.get("clause", []))


def resolve_clause(cited: str, known: Iterable[str]) -> str | None:
    """The listed clause a cited id belongs to: itself, or its longest listed prefix.

    >>> resolve_clause("P4.twelve_ones", ["P4", "P6", "P6.tiers"])
    'P4'
    >>> resolve_clause("P6.tiers", ["P4", "P6", "P6.tiers"])
    'P6.tiers'
    >>> resolve_clause("P9", ["P4"]) is None
    True
    """
    known_set = set(known)
    parts = cited.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in known_set:
            return candidate
    return None


# -- scanning Python -------------------------------------------------------------------


@attrs.frozen
class _Scope:
    start: int
    end: int
    qualname: str
    is_test: bool


def _scopes(tree: ast.Module) -> list[_Scope]:
    found: list[_Scope] = []

    def visit(node: ast.AST, prefix: str, in_test: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                qualname = f"{prefix}{child.name}"
                is_test = in_test or child.name.startswith(("test", "Test"))
                start = min([child.lineno] + [d.lineno for d in child.decorator_list])
                found.append(_Scope(start, child.end_lineno or child.lineno, qualname, is_test))
                visit(child, qualname + ".", is_test)

    visit(tree, "", False)
    return found


def _attribute_docstrings(tree: ast.Module) -> dict[int, str]:
    """Line of an attribute docstring -> the attribute's qualname (``Class.attr``)."""
    out: dict[int, str] = {}

    def visit(body: Sequence[ast.stmt], prefix: str) -> None:
        for before, stmt in itertools.pairwise(body):
            if (
                isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Constant)
                and isinstance(stmt.value.value, str)
            ):
                target: ast.expr | None = None
                if isinstance(before, ast.AnnAssign):
                    target = before.target
                elif isinstance(before, ast.Assign) and len(before.targets) == 1:
                    target = before.targets[0]
                if isinstance(target, ast.Name):
                    out[stmt.lineno] = f"{prefix}{target.id}"
        for stmt in body:
            if isinstance(stmt, ast.ClassDef):
                visit(stmt.body, f"{prefix}{stmt.name}.")

    visit(tree.body, "")
    return out


def _texts(source: str, tree: ast.Module) -> list[tuple[int, str]]:
    """Every string constant and comment of a module, with its line."""
    texts: list[tuple[int, str]] = [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            texts.append((token.start[0], token.string))
    return texts


def _innermost(scopes: Sequence[_Scope], line: int) -> _Scope | None:
    best: _Scope | None = None
    for scope in scopes:
        if scope.start <= line <= scope.end and (best is None or scope.start >= best.start):
            best = scope
    return best


def scan_python(
    path: Path,
    *,
    module: str,
    tests: bool = False,
    kinds: Mapping[str, tuple[Kind, str]] | None = None,
) -> list[Citation]:
    """The clause ids cited by a Python file's docstrings, strings and comments.

    Each citation is attributed to the innermost class or function around it (or to an
    attribute, for an attribute docstring, or to the module). ``module`` is the dotted
    name shown for source files, or the path shown for test files. With ``tests=True``
    only citations inside test functions and classes count, named ``file::Class::test``.
    ``kinds`` maps a qualified name (``module.Class``) to the kind and display name of a
    citation inside it (profile fields and indicators).

    >>> import livable.report as report
    >>> cites = scan_python(Path(report.__file__), module="livable.report")
    >>> any(c.clause == "P3" and c.name == "livable.report.grade_from_results" for c in cites)
    True
    """
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    scopes = _scopes(tree)
    attr_docs = _attribute_docstrings(tree)
    kinds = kinds or {}
    found: dict[tuple[str, str, str], Citation] = {}
    for line, text in _texts(source, tree):
        ids = cited_ids(text)
        if not ids:
            continue
        scope = _innermost(scopes, line)
        qualname = attr_docs.get(line) or (scope.qualname if scope else "")
        if tests:
            if scope is None or not scope.is_test:
                continue
            top = _test_name(scopes, line)
            kind: Kind = "test"
            name = f"{module}::{top}"
        else:
            full = f"{module}.{qualname}" if qualname else module
            kind, name = _classify(full, kinds)
            if kind == "code":
                name = _public(module, qualname)
        for clause in ids:
            found.setdefault((clause, kind, name), Citation(clause, kind, name, f"{path}:{line}"))
    return list(found.values())


def _test_name(scopes: Sequence[_Scope], line: int) -> str:
    """``Class::test_fn`` of the outermost test function around a line."""
    chain = [s for s in scopes if s.start <= line <= s.end and s.is_test]
    chain.sort(key=lambda s: s.start)
    parts: list[str] = []
    for scope in chain:
        name = scope.qualname.rsplit(".", 1)[-1]
        parts.append(name)
        if name.startswith("test"):
            break
    return "::".join(parts)


def _public(module: str, qualname: str) -> str:
    """``module.qualname`` cut before its first private part (a helper names its parent)."""
    parts: list[str] = []
    for part in qualname.split(".") if qualname else []:
        if part.startswith("_") and not part.startswith("__"):
            break
        parts.append(part)
    return ".".join([module, *parts])


def _classify(full: str, kinds: Mapping[str, tuple[Kind, str]]) -> tuple[Kind, str]:
    parts = full.split(".")
    for n in range(len(parts), 0, -1):
        hit = kinds.get(".".join(parts[:n]))
        if hit is not None:
            return hit
    return "code", full


def scan_profile_toml(
    text: str, *, nested: Iterable[str] = ("happy", "targets", "circle")
) -> list[Citation]:
    """Clause ids cited in a profile TOML's comments and ``assumptions``, by profile field.

    A comment on a line of its own applies to the next key or table. Keys of the
    ``nested`` tables are fields of their own (``happy.min_kinds``); other tables are one
    field (``required``).

    >>> text = '''circle_radius_m = 1200.0  # P6.circle
    ... # P4: counts
    ... [required.clinic]
    ... small = 1
    ... [assumptions]
    ... "happy.min_kinds" = "P5 gives no number"
    ... '''
    >>> [(c.clause, c.name) for c in scan_profile_toml(text)]
    [('P6.circle', 'circle_radius_m'), ('P4', 'required'), ('P5', 'happy.min_kinds')]
    """
    nested_set = set(nested)
    table = ""
    pending: list[str] = []
    found: dict[tuple[str, str], Citation] = {}

    def add(ids: Iterable[str], name: str, line: int) -> None:
        for clause in ids:
            found.setdefault((clause, name), Citation(clause, "profile", name, f"toml:{line}"))

    header_re = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    key_re = re.compile(r"""^\s*("[^"]+"|[A-Za-z0-9_.\-]+)\s*=\s*(.*)$""")
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            pending += cited_ids(stripped)
            continue
        header = header_re.match(line)
        if header:
            table = header.group(1).strip()
            name = table.split(".")[0]
            add([*pending, *cited_ids(header.group(2) or "")], name, number)
            pending = []
            continue
        key = key_re.match(line)
        if not key:
            continue
        key_name = key.group(1).strip('"')
        if table == "assumptions":
            name = key_name
        elif table in nested_set:
            name = f"{table}.{key_name}"
        elif table:
            name = table.split(".")[0]
        else:
            name = key_name
        add([*pending, *cited_ids(key.group(2))], name, number)
        pending = []
    return list(found.values())


# -- the runtime vocabulary ------------------------------------------------------------


def _runtime_kinds() -> dict[str, tuple[Kind, str]]:
    """Qualified names of profile classes and indicator classes, and what they are."""
    from livable.plugins import PluginManager
    from livable.profile import Profile

    kinds: dict[str, tuple[Kind, str]] = {}
    attrs.resolve_types(Profile)
    for field in attrs.fields(Profile):
        kinds[f"livable.profile.Profile.{field.name}"] = ("profile", field.name)
        if isinstance(field.type, type) and attrs.has(field.type):
            attrs.resolve_types(field.type)
            qual = f"{field.type.__module__}.{field.type.__qualname__}"
            for sub in attrs.fields(field.type):
                kinds[f"{qual}.{sub.name}"] = ("profile", f"{field.name}.{sub.name}")
    for indicator in PluginManager(load_entry_points=False).indicators():
        cls = type(indicator)
        kinds[f"{cls.__module__}.{cls.__qualname__}"] = ("indicator", indicator.id)
    return kinds


def _vocabulary_citations() -> list[Citation]:
    """Clause ids carried by the vocabulary objects (``.clause``) and built-in indicators."""
    from livable.models import CATEGORIES, FACILITY_TYPES, KEY_CONTENTS, REQUIREMENTS, Grade
    from livable.plugins import PluginManager
    from livable.profile import load_profile

    out: list[Citation] = []
    for kind_name, items in (
        ("requirement", REQUIREMENTS.values()),
        ("key content", KEY_CONTENTS.values()),
        ("category", CATEGORIES.values()),
        ("facility type", FACILITY_TYPES.values()),
        ("size class", load_profile("xian-2020").size_classes),
    ):
        for item in items:
            out.append(Citation(item.clause, "vocabulary", f"{kind_name} {item.id}", "models"))
    for grade in Grade:
        out.append(Citation(grade.clause, "vocabulary", f"grade {grade.value}", "models"))
    for indicator in PluginManager(load_entry_points=False).indicators():
        cls = type(indicator)
        for clause in [indicator.clause, *cited_ids(inspect.getdoc(cls) or "")]:
            out.append(Citation(clause, "indicator", indicator.id, cls.__module__))
    return out


def _package_root() -> Path:
    import livable

    return Path(livable.__file__).resolve().parent


def trace(
    src: Path | None = None,
    tests: Path | None = None,
    clauses: Sequence[Clause] | None = None,
) -> tuple[TraceRow, ...]:
    """The traceability rows: one per listed clause, with everything that cites it.

    ``src`` is the ``livable`` package folder (default: the one imported) and ``tests`` a
    folder of ``test_*.py`` files (default: none). Cited ids that belong to no listed
    clause are dropped here; :func:`unknown_citations` finds them.
    """
    src = src or _package_root()
    clauses = tuple(clauses) if clauses is not None else load_clauses()
    known = [c.id for c in clauses]
    citations = _all_citations(src, tests)
    buckets: dict[str, dict[Kind | Literal["rule"], set[str]]] = {c: {} for c in known}
    for cite in citations:
        owner = resolve_clause(cite.clause, known)
        if owner is None:
            continue
        bucket = buckets[owner]
        bucket.setdefault(cite.kind, set()).add(cite.name)
        if cite.clause != owner:
            bucket.setdefault("rule", set()).add(cite.clause)
    rows = []
    for clause in clauses:
        b = buckets[clause.id]
        rows.append(
            TraceRow(
                clause=clause,
                code=tuple(sorted(b.get("code", ()))),
                profile_fields=tuple(sorted(b.get("profile", ()))),
                indicators=tuple(sorted(b.get("indicator", ()))),
                vocabulary=tuple(sorted(b.get("vocabulary", ()))),
                tests=tuple(sorted(b.get("test", ()))),
                rule_ids=tuple(sorted(b.get("rule", ()))),
            )
        )
    return tuple(rows)


def _all_citations(src: Path, tests: Path | None) -> list[Citation]:
    kinds = _runtime_kinds()
    citations: list[Citation] = []
    package = src.name
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src.parent).with_suffix("")
        module = ".".join(rel.parts)
        if module.endswith(".__init__"):
            module = module[: -len(".__init__")]
        if module == f"{package}._trace":
            continue  # this module's own examples are not citations
        citations += scan_python(path, module=module, kinds=kinds)
    for toml_path in sorted((src / "data").glob("*.toml")):
        if toml_path.name != "clauses.toml":
            citations += scan_profile_toml(toml_path.read_text(encoding="utf-8"))
    citations += _vocabulary_citations()
    if tests is not None:
        for path in sorted(tests.rglob("test_*.py")):
            shown = path.relative_to(tests.parent).as_posix()
            citations += scan_python(path, module=shown, tests=True)
    return citations


def unknown_citations(
    src: Path | None = None, tests: Path | None = None, clauses: Sequence[Clause] | None = None
) -> list[Citation]:
    """Citations of ids that belong to no listed clause (a typo, or a clause to list).

    >>> unknown_citations()
    []
    """
    src = src or _package_root()
    known = [c.id for c in (tuple(clauses) if clauses is not None else load_clauses())]
    return [c for c in _all_citations(src, tests) if resolve_clause(c.clause, known) is None]


# -- rendering -------------------------------------------------------------------------


def _codes(items: Iterable[str]) -> str:
    return ", ".join(f"`{item}`" for item in items)


def trace_markdown(rows: Sequence[TraceRow]) -> str:
    """The traceability table and one section per clause, as MyST Markdown.

    >>> text = trace_markdown(trace())
    >>> "| `P4` |" in text and "## `P1`" in text
    True
    """
    lines = [
        "| Clause | Plan (en) | 条款 (zh) | Status | Code | Profile fields | Indicators | Tests |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        c = row.clause
        if row.implemented and c.note:
            status = "partly implemented"
        elif row.implemented:
            status = "implemented"
        else:
            status = "not implemented"
        lines.append(
            f"| `{c.id}` | {c.title_en} | {c.title_zh} | {status} | "
            f"{len(row.code) + len(row.vocabulary)} | {len(row.profile_fields)} | "
            f"{len(row.indicators)} | {len(row.tests)} |"
        )
    lines.append("")
    for row in rows:
        c = row.clause
        lines += ["", f"## `{c.id}` {c.title_en} · {c.title_zh}", ""]
        if not row.implemented:
            reason = c.not_implemented_reason or "No code cites this clause yet."
            lines += [f"**Not implemented.** {reason}", ""]
        if c.note:
            lines += [f"**Scope.** {c.note}", ""]
        for label, items in (
            ("Models and code", row.code),
            ("Vocabulary", row.vocabulary),
            ("Profile fields", row.profile_fields),
            ("Indicators", row.indicators),
            ("Rule ids in gaps and citations", row.rule_ids),
            ("Tests", row.tests),
        ):
            if items:
                lines.append(f"- {label}: {_codes(items)}")
        if not row.tests:
            lines.append("- Tests: none cite this clause.")
    return "\n".join(lines) + "\n"
