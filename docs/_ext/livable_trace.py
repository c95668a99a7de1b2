"""Policy traceability: which code, profile fields, indicators and tests cite each clause.

The clauses of the plan (``P1``..``P8`` and the sub-ids ``P2.C1``, ``P6.tiers``, ...) are
listed with their titles in ``livable/data/clauses.toml``, together with the reason for
each clause (or part of a clause) the software does not implement. :func:`trace` scans
Python sources and the built-in profiles' TOML for cited clause ids, adds the clause, the
requirement (``P2.R1``..``P2.R3``) and the key content (``P2.C1``..``P2.C6``) every
indicator declares, and counts the test functions that cite a clause;
:func:`trace_markdown` renders the table the documentation shows, and
:func:`note_contradictions` finds hand-written reasons that the rows contradict. Nothing is
maintained by hand but the clause list and those reasons.

>>> rows = trace()
>>> p4 = next(r for r in rows if r.clause.id == "P4")
>>> "twelve_ones" in p4.indicators, p4.implemented
(True, True)
>>> next(r for r in rows if r.clause.id == "P1").implemented
False
>>> "twelve_ones" in next(r for r in rows if r.clause.id == "P2.R1").indicators
True
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
    "DOCS_EXTENSIONS",
    "Citation",
    "Clause",
    "TraceRow",
    "cited_ids",
    "load_clauses",
    "note_contradictions",
    "resolve_clause",
    "scan_profile_toml",
    "scan_python",
    "trace",
    "trace_markdown",
    "unknown_citations",
]

CLAUSE_RE = re.compile(r"(?<![A-Za-z0-9_:])P[1-8](?:\.[A-Za-z][A-Za-z0-9_]*)*(?![A-Za-z0-9_])")
"""A clause id as code cites it: ``P4``, ``P6.tiers``, ``P2.C1``, ``P4.twelve_ones``.

Not after a colon: ``amap:P1`` is the id of a test's Amap record, not a citation."""

Kind = Literal["code", "profile", "indicator", "vocabulary", "test"]


@attrs.frozen
class Clause:
    """A clause of the plan, from ``livable/data/clauses.toml``."""

    id: str
    title_en: str
    title_zh: str
    not_implemented_reason: str | None = None
    """Why the software does not implement the clause (``None``: it does, or should)."""
    not_implemented_part: str | None = None
    """What of a clause that is partly software is not implemented, and why. What *is*
    implemented is never written here: the page lists it from the citations."""


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


def _scopes(tree: ast.Module) -> list[_Scope]:
    found: list[_Scope] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                qualname = f"{prefix}{child.name}"
                start = min([child.lineno] + [d.lineno for d in child.decorator_list])
                found.append(_Scope(start, child.end_lineno or child.lineno, qualname))
                visit(child, qualname + ".")

    visit(tree, "")
    return found


def _is_fixture(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a function is a pytest fixture (``@pytest.fixture``, ``@fixture(...)``)."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name == "fixture":
            return True
    return False


def _docs_names(node: ast.AST) -> set[str]:
    """The names that imports of a ``docs/_ext`` module bind, anywhere in ``node``."""
    names: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Import):
            for alias in sub.names:
                if alias.name.partition(".")[0] in DOCS_EXTENSIONS:
                    names.add(alias.asname or alias.name.partition(".")[0])
        elif (
            isinstance(sub, ast.ImportFrom)
            and sub.level == 0
            and (sub.module or "").partition(".")[0] in DOCS_EXTENSIONS
        ):
            names.update(alias.asname or alias.name for alias in sub.names)
    return names


def _module_docs_names(tree: ast.Module) -> set[str]:
    """The names a module's own imports of ``docs/_ext`` bind (not those inside its
    functions), and its module-level helpers that use them."""
    defs = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    names = set().union(*(_docs_names(s) for s in tree.body if not isinstance(s, defs)))
    helpers = [
        node
        for node in tree.body
        if isinstance(node, defs) and not node.name.startswith(("test", "Test"))
    ]
    grown = True
    while grown:
        grown = False
        for node in helpers:
            if node.name not in names and _uses(node, names):
                names.add(node.name)
                grown = True
    return names


def _uses(node: ast.AST, names: set[str]) -> bool:
    return any(isinstance(sub, ast.Name) and sub.id in names for sub in ast.walk(node))


def _test_functions(tree: ast.Module) -> list[_Scope]:
    """The test functions pytest collects, from their ``def`` line (not their decorators).

    ``test*`` functions of the module and of its ``Test*`` classes (nested ones too),
    named ``Class::test``; not fixtures, not helpers, not functions inside functions (their
    text belongs to the test around them). Decorators are left out, so the values and ids
    of ``@pytest.mark.parametrize`` are not citations. Tests of the documentation's
    generators (those that use a module of ``docs/_ext``, as ``tests/test_trace.py``
    does) are left out too: their clause ids are data about pages.
    """
    docs_names = _module_docs_names(tree)
    found: list[_Scope] = []

    def visit(body: Sequence[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                visit(node.body, f"{prefix}{node.name}::")
            elif (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                and node.name.startswith("test")
                and not _is_fixture(node)
                and not _uses(node, docs_names)
                and not _docs_names(node)
            ):
                end = node.end_lineno or node.lineno
                found.append(_Scope(node.lineno, end, f"{prefix}{node.name}"))

    visit(tree.body, "")
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
    only citations inside the test functions pytest collects count (``test*`` functions
    of the module and of its ``Test*`` classes, from their ``def`` line: not fixtures,
    helpers or decorators), named ``file::Class::test``.
    ``kinds`` maps a qualified name (``module.Class``) to the kind and display name of a
    citation inside it (profile fields and indicators).

    >>> import livable.models.results as results
    >>> cites = scan_python(Path(results.__file__), module="livable.models.results")
    >>> name = "livable.models.results.grade_from_results"
    >>> any(c.clause == "P3" and c.name == name for c in cites)
    True
    """
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    scopes = _test_functions(tree) if tests else _scopes(tree)
    attr_docs = _attribute_docstrings(tree)
    kinds = kinds or {}
    found: dict[tuple[str, str, str], Citation] = {}
    for line, text in _texts(source, tree):
        ids = cited_ids(text)
        if not ids:
            continue
        scope = _innermost(scopes, line)
        if tests:
            if scope is None:
                continue
            kind: Kind = "test"
            name = f"{module}::{scope.qualname}"
        else:
            qualname = attr_docs.get(line) or (scope.qualname if scope else "")
            full = f"{module}.{qualname}" if qualname else module
            kind, name = _classify(full, kinds)
            if kind == "code":
                name = _public(module, qualname)
        for clause in ids:
            found.setdefault((clause, kind, name), Citation(clause, kind, name, f"{path}:{line}"))
    return list(found.values())


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


def scan_profile_toml(text: str) -> list[Citation]:
    """Clause ids cited in a profile TOML's comments and ``assumptions``, by field path.

    A field is named by its path in the profile: a top-level key (``circle_radius_m``), a
    table (``happy``, ``required.clinic``), a key of a table (``happy.min_kinds``), an
    array of tables (``size_classes``), or an ``[assumptions]`` key (the path it names).
    A comment on a line of its own applies to the next key or table; above a run of
    sibling tables (``[required.clinic]``, ``[required.kindergarten]``, ...) it applies
    to each table of the run.

    >>> text = '''circle_radius_m = 1200.0  # P6.circle
    ... # P4: counts
    ... [required.clinic]
    ... small = 1
    ... [required.kindergarten]
    ... small = 1
    ... [happy]  # P5
    ... min_kinds = 15  # P5.more
    ... [assumptions]
    ... "happy.min_kinds" = "P5 gives no number"
    ... '''
    >>> [(c.clause, c.name) for c in scan_profile_toml(text)]
    [('P6.circle', 'circle_radius_m'), ('P4', 'required.clinic'),
     ('P4', 'required.kindergarten'), ('P5', 'happy'), ('P5.more', 'happy.min_kinds'),
     ('P5', 'happy.min_kinds')]
    """
    table = ""
    array = False
    pending: list[str] = []
    run: tuple[str, list[str]] = ("", [])  # the parent of a run of sibling tables, its ids
    found: dict[tuple[str, str], Citation] = {}

    def add(ids: Iterable[str], name: str, line: int) -> None:
        for clause in ids:
            found.setdefault((clause, name), Citation(clause, "profile", name, f"toml:{line}"))

    header_re = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    key_re = re.compile(r"""^\s*("[^"]+"|[A-Za-z0-9_.\-]+)\s*=\s*(.*)$""")
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("#"):
            pending += cited_ids(stripped)
            continue
        header = header_re.match(line)
        if header:
            array = header.group(1) == "[["
            table = header.group(2).strip()
            parent = table.rpartition(".")[0]
            if pending:
                run = (parent, pending) if parent else ("", [])
            elif parent != run[0]:
                run = ("", [])
            ids = pending or (run[1] if parent else [])
            add([*ids, *cited_ids(header.group(3) or "")], table, number)
            pending = []
            continue
        key = key_re.match(line)
        if not key:
            continue
        key_name = key.group(1).strip('"')
        if table == "assumptions":
            name = key_name
        elif table and not array:
            name = f"{table}.{key_name}"
        else:
            name = table or key_name
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
        for clause in _declared_clauses(indicator):
            out.append(Citation(clause, "indicator", indicator.id, cls.__module__))
    return out


def _declared_clauses(indicator: object) -> list[str]:
    """The clauses an indicator declares: its ``clause``, the clauses of its
    ``requirement`` (``P2.R1``..``P2.R3``) and ``key_content`` (``P2.C1``..``P2.C6``),
    and the ids its class docstring cites.

    >>> from livable.indicators.builtin import TwelveOnes
    >>> _declared_clauses(TwelveOnes())
    ['P4', 'P2.R1', 'P2.C1']
    """
    from livable.models import KEY_CONTENTS, REQUIREMENTS

    requirement = REQUIREMENTS.get(getattr(indicator, "requirement", ""))
    key_content = KEY_CONTENTS.get(getattr(indicator, "key_content", ""))
    declared = [
        getattr(indicator, "clause", ""),
        requirement.clause if requirement else "",
        key_content.clause if key_content else "",
        *cited_ids(inspect.getdoc(type(indicator)) or ""),
    ]
    return list(dict.fromkeys(c for c in declared if c))


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
    for toml_path in _profile_tomls(src):
        citations += scan_profile_toml(toml_path.read_text(encoding="utf-8"))
    citations += _vocabulary_citations()
    if tests is not None:
        for path in sorted(tests.rglob("test_*.py")):
            if _tests_the_docs(path):
                continue
            shown = path.relative_to(tests.parent).as_posix()
            citations += scan_python(path, module=shown, tests=True)
    return citations


def _profile_tomls(src: Path) -> list[Path]:
    """The built-in profiles' files (``data/xian-2020.toml``), not the other data files:
    the OSM and Amap mapping tables have keys (``version``, ``code``) that are no profile
    field."""
    from livable.profile import BUILTIN_PROFILES

    return [src / "data" / f"{profile_id}.toml" for profile_id in BUILTIN_PROFILES]


DOCS_EXTENSIONS = frozenset(path.stem for path in Path(__file__).parent.glob("*.py"))
"""The modules of ``docs/_ext``: a test that uses one tests the documentation."""


def _tests_the_docs(path: Path) -> bool:
    """Whether a test module is about the documentation (``test_docs.py``,
    ``test_plugins_docs.py``): the clause ids in it are data about pages."""
    return path.stem == "test_docs" or path.stem.endswith("_docs")


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


def _counted(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _implemented_by(row: TraceRow) -> str:
    """What implements a clause, generated from its row (never written by hand).

    >>> row = TraceRow(Clause("P7", "Tasks", "任务"), code=("a", "b"), indicators=("x",))
    >>> _implemented_by(row)
    '**Implemented** by the indicator `x` and 2 models and code objects (listed below).'
    """
    parts = []
    if row.indicators:
        noun = "the indicator" if len(row.indicators) == 1 else "the indicators"
        parts.append(f"{noun} {_codes(row.indicators)}")
    if row.code or row.vocabulary:
        n = len(row.code) + len(row.vocabulary)
        parts.append(_counted(n, "model or code object", "models and code objects"))
    if row.profile_fields:
        parts.append(_counted(len(row.profile_fields), "profile field", "profile fields"))
    listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return f"**Implemented** by {listed} (listed below)."


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
        if row.implemented and c.not_implemented_part:
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
        if row.implemented:
            lines += [_implemented_by(row), ""]
            if c.not_implemented_part:
                lines += [f"**Not implemented.** {c.not_implemented_part}", ""]
        else:
            reason = c.not_implemented_reason or "No code cites this clause yet."
            lines += [f"**Not implemented.** {reason}", ""]
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


# -- notes that contradict the rows ------------------------------------------------------

_DENIALS = re.compile(
    r"\bno (?:built-in |builtin )?indicators?\b|\bnothing (?:measures|checks)\b"
    r"|\bnot (?:measured|assessed) by any\b",
    re.IGNORECASE,
)
_NAMED = re.compile(r"`([^`\s]+)`|\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b")
_GENERIC = frozenset({"community", "service", "facility", "quality", "score", "ratio", "access"})


def _subject_words(indicator_id: str) -> set[str]:
    """The words of an indicator id that say what it measures (``emergency``, ``survey``)."""
    return {w for w in indicator_id.split("_") if len(w) >= 5 and w not in _GENERIC}


def _words(text: str) -> set[str]:
    return {w.removesuffix("s") for w in re.findall(r"[a-z]+", text.lower())}


def _known_ids() -> frozenset[str]:
    """Ids a note may name: indicators, vocabulary items and profile fields."""
    from livable.models import CATEGORIES, FACILITY_TYPES, KEY_CONTENTS, REQUIREMENTS
    from livable.plugins import PluginManager

    ids = {i.id for i in PluginManager(load_entry_points=False).indicators()}
    for vocabulary in (REQUIREMENTS, KEY_CONTENTS, CATEGORIES, FACILITY_TYPES):
        ids.update(vocabulary)
    ids.update(name for _kind, name in _runtime_kinds().values())
    return frozenset(ids)


def note_contradictions(
    rows: Sequence[TraceRow], known_ids: Iterable[str] | None = None
) -> list[str]:
    """The hand-written reasons of ``clauses.toml`` that the rows contradict, one message each.

    A reason contradicts its row when it says the clause is not implemented while
    something cites it; when it denies an indicator (``no indicator``...) while indicators
    declare the clause; when it speaks of what an indicator of the clause measures (a word
    of its id: ``survey`` for ``survey_held``) without naming that indicator; or when it
    names (in backquotes, or as a ``snake_case`` id) something that is no indicator,
    vocabulary id or profile field (``known_ids``, default: those of the built-ins).

    >>> row = TraceRow(
    ...     Clause("P7", "Tasks", "任务", not_implemented_part="Resident surveys."),
    ...     indicators=("survey_held",),
    ... )
    >>> note_contradictions([row], known_ids={"survey_held"})  # doctest: +ELLIPSIS
    ['P7: the note speaks of survey, which indicator `survey_held` of the clause measures, ...']
    >>> row = TraceRow(
    ...     Clause("P7", "T", "任", not_implemented_part="Running surveys (`survey_held`)."),
    ...     indicators=("survey_held",),
    ... )
    >>> note_contradictions([row], known_ids={"survey_held"})
    []
    """
    known = frozenset(known_ids) if known_ids is not None else _known_ids()
    found: list[str] = []
    for row in rows:
        c = row.clause
        if c.not_implemented_reason and row.implemented:
            found.append(
                f"{c.id}: clauses.toml says it is not implemented, but it is cited by "
                f"{_implemented_by(row).removeprefix('**Implemented** by ')}"
            )
        for text in (c.not_implemented_reason, c.not_implemented_part):
            if not text:
                continue
            denial = _DENIALS.search(text)
            if denial and row.indicators:
                found.append(
                    f"{c.id}: the note says {denial.group(0)!r}, but the indicators "
                    f"{_codes(row.indicators)} declare the clause"
                )
            named = {a or b for a, b in _NAMED.findall(text)}
            for name in sorted(named - known):
                found.append(
                    f"{c.id}: the note names `{name}`, which is no indicator, vocabulary id "
                    "or profile field"
                )
            words = _words(text)
            for indicator in row.indicators:
                if indicator in named:
                    continue
                for word in sorted(_subject_words(indicator) & words):
                    found.append(
                        f"{c.id}: the note speaks of {word}, which indicator `{indicator}` "
                        "of the clause measures, without naming it (say what is implemented "
                        "and what is not)"
                    )
    return found
