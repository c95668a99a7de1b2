"""A small Sphinx extension that generates livable's reference pages from the code.

At ``builder-inited`` it writes MyST Markdown into ``docs/_generated/`` (gitignored), which
the pages pull in with ``{include}``:

- ``cli.md``: the ``--help`` of ``livable`` and of every subcommand, from
  ``livable.cli._parser()``;
- ``glossary.md`` and ``profile-fields.md``: from :mod:`livable_glossary`;
- ``traceability.md``: from :mod:`livable_trace`, scanning ``src/livable`` and ``tests``
  (a clause id not in ``clauses.toml``, or a reason there that the rows contradict, is a
  warning);
- ``schema-<name>.md``: a field table of each JSON Schema in ``src/livable/schemas``;
- ``examples/<name>.txt``: the output of each ``examples/*.py``, run now;
- ``demo.txt`` and ``demo/``: what ``livable demo`` prints, and the city map, one
  community's map (PNG and HTML) and handbook it makes (``P7``);
- ``export-columns.md``: the tables and columns of the summary export (``P8``);
- ``indicators.md``: the indicator table of ``livable_indicator_docs`` when that module
  exists.

It also drops toctree entries of pages that other branches are still writing (listed in
``PENDING_PAGES``) while those files are absent, logging each, so the site builds with
``-W`` in any merge order. Empty the set once they have all landed.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

PENDING_PAGES = {
    "howto/crs-china",
    "explanation/distances",
    "explanation/network",
}
"""Pages written in other branches; their toctree entries are dropped while absent."""


def _write(path: Path, text: str) -> None:
    """Write only when the content changed, so Sphinx does not rebuild for nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def _columns(width: int) -> Iterator[None]:
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        yield
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def cli_markdown() -> str:
    """The help of ``livable`` and each subcommand, as Markdown sections."""
    from livable.cli import _parser

    def sections(command: str, parser: argparse.ArgumentParser) -> list[str]:
        parts = [f"## `{command}`", "", "```text", parser.format_help().rstrip(), "```", ""]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    parts += sections(f"{command} {name}", sub)  # livable import osm, ...
        return parts

    with _columns(88):
        return "\n".join(sections("livable", _parser()))


# -- the API page ------------------------------------------------------------------------

API_GROUPS: list[tuple[str, str, list[str]]] = [
    (
        "Evaluating",
        "The one call most integrators need, and the pieces it is made of.",
        [
            "evaluate",
            "LayerSpec",
            "livable.engine.EvaluationSettings",
            "livable.engine.Inputs",
            "livable.engine.evaluate_inputs",
            "grade_from_results",
            "read_communities",
            "read_facilities",
            "read_residents",
            "read_report",
            "livable.report.as_report",
            "load_profile",
        ],
    ),
    (
        "Results",
        "What :func:`livable.evaluate` returns; ``Report.to_json()`` writes ``report.json``.",
        [
            "Report",
            "CommunityResult",
            "TypeAccess",
            "NearbyFacility",
            "NearbyFacilities",
            "Gap",
            "IndicatorResult",
            "Summary",
            "ZoneSummary",
            "PluginInfo",
            "Rejection",
            "SourceInfo",
            "InputNote",
            "Skipped",
            "GapCount",
            "ClosestCommunity",
            "CommunityScore",
            "livable.models.results.Provisional",
        ],
    ),
    (
        "Progress",
        "Two reports compared (``P6``, ``P8``): ``livable diff``.",
        ["diff", "ReportDiff"],
    ),
    (
        "Inputs",
        "Communities and facilities as models, or as layers read from GeoJSON.",
        [
            "Community",
            "Facility",
            "CommunityLayer",
            "FacilityLayer",
            "ResidentLayer",
            "Limits",
            "Datum",
        ],
    ),
    (
        "Profiles",
        "Every number the grading uses; see also :doc:`profile`.",
        [
            "Profile",
            "HappyCriteria",
            "FrameworkCriteria",
            "Targets",
            "CircleRules",
            "livable.models.vocabulary.PlanStage",
            "livable.models.vocabulary.TARGET_IDS",
            "livable.models.vocabulary.BEFORE_STAGE_ID",
            "livable.profile.MAX_PROFILE_BYTES",
            "livable.profile.MAX_EXTENDS_DEPTH",
        ],
    ),
    (
        "Vocabulary",
        "The ids of the plan, with zh-CN and en labels; see also :doc:`glossary`.",
        [
            "Grade",
            "Zone",
            "Requirement",
            "KeyContent",
            "ServiceCategory",
            "FacilityType",
            "SizeClass",
            "REQUIREMENTS",
            "KEY_CONTENTS",
            "CATEGORIES",
            "FACILITY_TYPES",
            "TWELVE_ONES",
        ],
    ),
    (
        "Extending",
        "Indicators and plugins; the hook specifications have their own page.",
        [
            "Indicator",
            "CommunityContext",
            "livable.indicators.base.INPUT_KINDS",
            "livable.indicators.base.ROLES",
            "PluginManager",
            "PluginContributions",
            "hookimpl",
            "livable.geometry.providers.DistanceProvider",
            "livable.geometry.access.Origins",
            "livable.geometry.access.FacilityColumns",
            "livable.geometry.access.AccessQuery",
            "livable.geometry.access.AccessTable",
            "livable.geometry.access.CircleLists",
            "livable.geometry.access.PairCircleLists",
            "livable.geometry.access.access_from_pairs",
            "livable.geometry.access.top_k",
            "livable.indicators.base.FacilityFilter",
            "livable.indicators.base.PerFacility",
            "livable.indicators.base.CommunitiesContext",
            "livable.indicators.base.value_key",
        ],
    ),
    (
        "Errors",
        "Every error livable raises on purpose derives from :class:`livable.LivableError`.",
        [
            "LivableError",
            "InputError",
            "CRSError",
            "ProfileError",
            "ReportError",
            "PluginError",
            "ResourceLimitError",
        ],
    ),
]
"""The public names of :mod:`livable`, by topic; names not listed land in "More"."""

API_MODULES: list[tuple[str, str, list[str]]] = [
    (
        "Reading and importing data",
        "livable.io",
        [
            "livable.io.osm.TagRule",
            "livable.io.osm.StreetRules",
            "livable.io.amap.CodeRow",
        ],
    ),
    ("GIS files", "livable.io.gis", []),
    ("GeoParquet", "livable.io.geoparquet", []),
    ("Input coordinate reference systems", "livable.io.crs", []),
    ("Chinese map datums", "livable.io.datums", []),
    ("Streets", "livable.io.streets", []),
    ("The working CRS", "livable.geometry.crs", []),
    ("Grades and roll-ups", "livable.grading", []),
    ("Tiles in worker processes", "livable.scale.tiles", []),
    ("Tiles on Dask", "livable.scale.dask", []),
    ("Tile results on disk", "livable.scale.parts", []),
    ("The built-in plugins", "livable.plugins.builtin", []),
    ("GeoPandas", "livable.report.geodataframe", []),
    ("Progress", "livable.cli.progress", []),
    ("Export for the assessment", "livable.report.export", []),
    ("The summary as text", "livable.report.summary", []),
    ("Comparing two reports", "livable.report.diff", []),
    ("The diff as text and files", "livable.report.diff_output", []),
    ("Population-weighted coverage", "livable.report.coverage", []),
    ("Equity", "livable.report.equity", []),
    ("The assessment workbook", "livable.report.assessment", []),
    ("Embedded fonts", "livable.report.fonts", []),
    ("The streets under the products", "livable.report.streets", []),
    ("The convenience-service map", "livable.report.maps", []),
    ("The residents' handbook", "livable.report.handbook", []),
    ("Planning new facilities", "livable.report.planner", []),
    ("Residents' access", "livable.indicators.residents", []),
    ("Synthetic cities", "livable.io.synthetic", []),
    ("Data extent checks", "livable.geometry.extent", []),
    ("Service circles", "livable.geometry.circle", []),
    ("The proximity pass", "livable.geometry.proximity", []),
    ("Walking distance on the street network", "livable.geometry.network", []),
    ("Point facilities in k-d trees", "livable.geometry.points", []),
    ("The R-tree index", "livable.geometry.index", []),
    ("Testing helpers", "livable.testing", []),
    ("JSON Schemas", "livable.schemas", []),
]
"""Public submodules documented whole after the top-level names.

Each is (title, module, further classes of its submodules to document with it).

They are not imported by ``import livable``; several need an optional extra when called
(``maps``, ``xlsx``, ``osm``, ``gis``, ``geopandas``), never when imported.
"""


def api_rst() -> str:
    """The API reference page body (reStructuredText with autodoc directives)."""
    import inspect

    import livable

    public = [n for n in livable.__all__ if not n.startswith("__")]
    listed = {n for _, _, names in API_GROUPS for n in names}
    groups = [*API_GROUPS]
    rest = [n for n in public if n not in listed]
    if rest:
        groups.append(("More", "Further public names.", rest))
    lines = [".. module:: livable", ""]
    for title, intro, names in groups:
        lines += [title, "-" * len(title), "", intro, ""]
        for name in names:
            if "." in name:
                obj = _import_object(name)
                if obj is None:
                    logger.warning("API_GROUPS names %r, which cannot be imported", name)
                    continue
            elif name not in public:
                logger.warning("API_GROUPS names %r, which livable.__all__ lacks", name)
                continue
            else:
                obj = getattr(livable, name)
            if inspect.isclass(obj) and issubclass(obj, BaseException):
                directive = "autoexception"
            elif inspect.isclass(obj):
                directive = "autoclass"
            elif inspect.isfunction(obj):
                directive = "autofunction"
            else:
                directive = "autodata"
            lines += [f".. {directive}:: {name}"]
            if directive == "autodata":
                lines += ["   :no-value:"]
            lines += [""]
    top_level = {
        id(getattr(livable, n)) for n in public if not isinstance(getattr(livable, n), str)
    }
    for heading, module, extra in API_MODULES:
        title = f"{heading}: ``{module}``"
        lines += [title, "-" * len(title), "", f".. automodule:: {module}"]
        # names documented above as livable.X are not documented twice
        mod = importlib.import_module(module)
        again = [n for n in getattr(mod, "__all__", []) if id(getattr(mod, n, None)) in top_level]
        if again:
            lines += [f"   :exclude-members: {', '.join(again)}"]
        lines += [""]
        for name in extra:
            if _import_object(name) is None:
                logger.warning("API_MODULES names %r, which cannot be imported", name)
                continue
            lines += [f".. autoclass:: {name}", ""]
    return "\n".join(lines)


def examples_markdown(root: Path) -> str:
    """One section per ``examples/*.py``: its docstring, its code and its output."""
    import ast

    parts: list[str] = []
    for script in sorted((root / "examples").glob("*.py")):
        source = script.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(source)) or ""
        title, _, rest = doc.partition("\n")
        parts += [f"## `examples/{script.name}`", "", title, "", rest.strip(), ""]
        parts += ["```python", source.rstrip(), "```", "", "Output:", ""]
        output = root / "docs" / "_generated" / "examples" / f"{script.stem}.txt"
        text = output.read_text(encoding="utf-8") if output.exists() else ""
        parts += ["```text", text.rstrip(), "```", ""]
    return "\n".join(parts)


def export_columns_markdown() -> str:
    """The summary tables ``livable summary --csv/--xlsx`` writes, and what each column means."""
    import livable
    from livable.report.export import COLUMNS, summary_tables
    from livable.testing import community

    tables = summary_tables(livable.evaluate([community("c1", 108.94, 34.26)], []))
    same: dict[tuple[str, ...], list[str]] = {}  # the four level tables share their columns
    for name, table in tables.items():
        same.setdefault(tuple(table.columns), []).append(name)
    lines = ["| tables | columns |", "| --- | --- |"]
    for columns, names in same.items():
        lines.append(
            f"| {', '.join(f'`{n}`' for n in names)} | {', '.join(f'`{c}`' for c in columns)} |"
        )
    lines += ["", "| column | meaning | 含义 |", "| --- | --- | --- |"]
    for column, texts in COLUMNS.items():
        en, zh = (text.replace("|", "\\|") for text in texts)
        lines.append(f"| `{column}` | {en} | {zh} |")
    return "\n".join(lines) + "\n"


# -- JSON Schema field tables ------------------------------------------------------------


def _resolve(schema: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    seen = 0
    while "$ref" in node and seen < 20:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            break
        target: Any = schema
        for part in ref[2:].split("/"):
            target = target[part]
        merged = dict(target)
        merged.update({k: v for k, v in node.items() if k != "$ref"})
        node, seen = merged, seen + 1
    return node


def _type_text(node: Mapping[str, Any]) -> str:
    if "const" in node:
        return f"`{json.dumps(node['const'], ensure_ascii=False)}`"
    if "enum" in node:
        return " \\| ".join(f"`{json.dumps(v, ensure_ascii=False)}`" for v in node["enum"])
    kind = node.get("type")
    if isinstance(kind, list):
        return " \\| ".join(kind)
    if kind:
        return str(kind)
    for key in ("oneOf", "anyOf"):
        if key in node:
            return "one of"
    return ""


def _rows(
    schema: Mapping[str, Any],
    node: Mapping[str, Any],
    path: str,
    required: bool,
    out: list[tuple[str, str, str, str]],
    depth: int = 0,
) -> None:
    node = _resolve(schema, node)
    if depth > 12:
        return
    description = " ".join(str(node.get("description", "")).split())
    if path:
        out.append((path, _type_text(node), "yes" if required else "", description))
    props = node.get("properties")
    if isinstance(props, Mapping):
        needed = set(node.get("required", []))
        for name, sub in props.items():
            sub_path = f"{path}.{name}" if path else name
            _rows(schema, sub, sub_path, name in needed, out, depth + 1)
    extra = node.get("additionalProperties")
    if isinstance(extra, Mapping) and extra:
        _rows(schema, extra, f"{path}.<key>", False, out, depth + 1)
    pattern_props = node.get("patternProperties")
    if isinstance(pattern_props, Mapping):
        for _pattern, sub in pattern_props.items():
            _rows(schema, sub, f"{path}.<key>", False, out, depth + 1)
    items = node.get("items")
    if isinstance(items, Mapping) and path and not path.endswith("coordinates"):
        item = _resolve(schema, items)
        if item.get("type") == "object" or "properties" in item or "oneOf" in item:
            _rows(schema, items, f"{path}[]", False, out, depth + 1)
    for key in ("oneOf", "anyOf"):
        for sub in node.get(key, []) if path else []:
            resolved = _resolve(schema, sub)
            if "properties" in resolved and resolved.get("type") == "object":
                title = resolved["properties"].get("type", {}).get("const")
                label = f"{path}<{title}>" if title else path
                _rows(schema, sub, label, False, out, depth + 1)


def schema_markdown(schema: Mapping[str, Any]) -> str:
    """A table of every field a JSON Schema describes: path, type, required, meaning."""
    rows: list[tuple[str, str, str, str]] = []
    _rows(schema, schema, "", True, rows)
    lines = [
        " ".join(str(schema.get("description", "")).split()),
        "",
        "| field | type | required | meaning |",
        "| --- | --- | --- | --- |",
    ]
    for path, kind, required, description in rows:
        if "coordinates" in path and path.count("coordinates") > 0 and not description:
            continue
        cell = description.replace("|", "\\|")
        lines.append(f"| `{path}` | {kind} | {required} | {cell} |")
    return "\n".join(lines) + "\n"


# -- examples ----------------------------------------------------------------------------


def _newest_mtime(folder: Path) -> float:
    return max((p.stat().st_mtime for p in folder.rglob("*") if p.is_file()), default=0.0)


def run_examples(root: Path, out: Path) -> None:
    """Run each ``examples/*.py`` and keep its output for the docs."""
    env = dict(os.environ, PYTHONHASHSEED="0", COLUMNS="88")
    newest_source = _newest_mtime(root / "src" / "livable")
    for script in sorted((root / "examples").glob("*.py")):
        target = out / "examples" / f"{script.stem}.txt"
        if target.exists() and target.stat().st_mtime > max(
            newest_source, _newest_mtime(root / "examples")
        ):
            continue  # up to date: examples and library unchanged since the last run
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(script)],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        seconds = time.perf_counter() - started
        if proc.returncode != 0:
            logger.warning(
                "example %s failed (exit %s): %s",
                script.name,
                proc.returncode,
                proc.stderr.strip()[-2000:],
            )
            target.unlink(missing_ok=True)
            continue
        logger.info("example %s ran in %.1f s", script.name, seconds)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(proc.stdout.rstrip() + "\n", encoding="utf-8")


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m livable.cli ARGS`` from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "livable.cli", *args],
        cwd=root,
        env=dict(os.environ, COLUMNS="88"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _copy(src: Path, dest: Path) -> None:
    """Copy a file only when its bytes changed (Sphinx then copies it again only if so)."""
    data = src.read_bytes()
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not dest.exists() or dest.read_bytes() != data:
        dest.write_bytes(data)


def handbook_excerpt(text: str) -> str:
    """The head of a Markdown handbook (title, first category) and its "missing" section."""
    lines = text.rstrip().splitlines()
    subsections = [i for i, line in enumerate(lines) if line.startswith("### ")]
    head = lines[: subsections[1]] if len(subsections) > 1 else lines
    missing = next((i for i, line in enumerate(lines) if line.startswith("## What is")), None)
    tail = lines[missing:] if missing is not None and missing >= len(head) else []
    parts = [*head]
    if tail:
        parts += ["(... the other categories, tier by tier ...)", "", *tail]
    return "\n".join(parts).rstrip() + "\n"


def keep_demo_products(root: Path, folder: Path, dest: Path) -> None:
    """Keep the demo's map and handbook (``P7``) for the docs, in ``_generated/demo/``.

    ``city.png`` (the city map), ``community.png`` (the map of the community the demo
    picked, the first not yet livable), ``community.html`` (its interactive map),
    ``handbook-zh.html`` and ``handbook-en-excerpt.md`` (part of its English handbook).
    """
    maps = sorted(folder.glob("map-*.png"))
    if not (folder / "city.png").exists() or not maps:
        logger.warning(
            "livable demo wrote no maps: install the 'maps' extra (pip install -e '.[docs]' "
            "includes it) to build the map and handbook page"
        )
        return
    community = maps[0].stem.removeprefix("map-")
    _copy(folder / "city.png", dest / "city.png")
    _copy(maps[0], dest / "community.png")
    _copy(folder / "handbook-zh.html", dest / "handbook-zh.html")
    report = str(folder / "report.json")
    html_map, book = folder / "community.html", folder / "handbook-en.md"
    for args in (
        ["map", report, "--community", community, "--out", str(html_map)],
        ["handbook", report, "--community", community, "--lang", "en", "--out", str(book)],
    ):
        proc = _cli(root, *args)
        if proc.returncode != 0:
            logger.warning("livable %s failed (exit %s): %s", args[0], proc.returncode, proc.stderr)
            return
    _copy(html_map, dest / "community.html")
    _write(dest / "handbook-en-excerpt.md", handbook_excerpt(book.read_text(encoding="utf-8")))


def run_demo(root: Path, out: Path) -> None:
    """Run ``livable demo``; keep what it prints (``_generated/demo.txt``) and its products."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "livable-demo"
        proc = _cli(root, "demo", "--out", str(folder))
        if proc.returncode == 0:
            keep_demo_products(root, folder, out / "demo")
    if proc.returncode != 0:
        logger.warning("livable demo failed (exit %s): %s", proc.returncode, proc.stderr[-2000:])
    text = proc.stdout.replace(str(folder), "livable-demo")
    _write(out / "demo.txt", "$ livable demo --out livable-demo\n" + text.rstrip() + "\n")


# -- the hooks -----------------------------------------------------------------------------


def generate(app: Sphinx) -> None:
    """Write every generated page (``builder-inited``)."""
    docs = Path(app.srcdir)
    root = docs.parent
    out = docs / "_generated"
    from livable_glossary import glossary_markdown, profile_fields_markdown
    from livable_trace import note_contradictions, trace, trace_markdown, unknown_citations

    _write(out / "cli.md", cli_markdown())
    _write(out / "glossary.md", glossary_markdown())
    _write(out / "profile-fields.md", profile_fields_markdown())
    src, tests = root / "src" / "livable", root / "tests"
    rows = trace(src, tests)
    _write(out / "traceability.md", trace_markdown(rows))
    for cite in unknown_citations(src, tests):
        logger.warning("clause id %s cited at %s is not in clauses.toml", cite.clause, cite.where)
    for message in note_contradictions(rows):
        logger.warning("clauses.toml: %s", message)
    for path in sorted((src / "schemas").glob("*.schema.json")):
        name = path.name.removesuffix(".schema.json")
        schema = json.loads(path.read_text(encoding="utf-8"))
        _write(out / f"schema-{name}.md", schema_markdown(schema))
    _write(out / "indicators.md", _indicator_table())
    _write(out / "export-columns.md", export_columns_markdown())
    _write(out / "api.rst", api_rst())
    run_demo(root, out)
    run_examples(root, out)
    _write(out / "examples.md", examples_markdown(root))


INDICATORS_INTRO = """# Indicators

An indicator reads one community's access to facilities and its attributes and returns
`passed`, `failed` or `not_assessed` with a value and bilingual messages. The profile's
`indicator_roles` decide whether an indicator is needed for **livable**, for **happy**, or
only reported. "Not assessed" (for example an attribute the community file does not give)
never counts as passed. Plugins add indicators through the `livable_indicators` hook.

"""


def _indicator_table() -> str:
    """The indicators page: ``livable_indicator_docs`` when present, else a built-in table.

    ``livable_indicator_docs.indicator_table_markdown()`` (written in another branch)
    returns a whole page, title included.
    """
    from livable_glossary import indicator_rules_markdown

    try:
        module = importlib.import_module("livable_indicator_docs")
    except ImportError:
        return INDICATORS_INTRO + indicator_rules_markdown()
    func = getattr(module, "indicator_table_markdown", None)
    if not callable(func):
        logger.warning("livable_indicator_docs has no indicator_table_markdown()")
        return INDICATORS_INTRO + indicator_rules_markdown()
    text = func()
    return str(text)


def drop_pending(app: Sphinx, docname: str, source: list[str]) -> None:
    """Remove toctree entries of pending pages that do not exist yet (``source-read``)."""
    folder = docname.rpartition("/")[0]
    text = source[0]
    for page in sorted(PENDING_PAGES):
        srcdir = Path(app.srcdir)
        if (srcdir / f"{page}.md").exists() or (srcdir / f"{page}.rst").exists():
            continue
        if folder and not page.startswith(folder + "/"):
            continue
        entry = page[len(folder) + 1 :] if folder else page
        lines = text.split("\n")
        kept = [line for line in lines if line.strip() != entry]
        if len(kept) != len(lines):
            logger.info(
                "[livable_docs] %s: page %s is not written yet; toctree entry dropped",
                docname,
                page,
            )
            text = "\n".join(kept)
    source[0] = text


def reread_pending(app: Sphinx, env: Any, added: Any, changed: Any, removed: Any) -> list[str]:
    """Re-read every page whose toctree names a pending page (``env-get-outdated``).

    Whether a pending page exists can change between builds without the page that lists
    it changing, so a cached doctree of that page would keep a stale toctree.
    """
    srcdir = Path(app.srcdir)
    entries = {page.rpartition("/")[2] for page in PENDING_PAGES} | PENDING_PAGES
    found = []
    for path in srcdir.rglob("*.md"):
        if "_build" in path.parts or "_generated" in path.parts:
            continue
        lines = {line.strip() for line in path.read_text(encoding="utf-8").splitlines()}
        if lines & entries:
            found.append(path.relative_to(srcdir).with_suffix("").as_posix())
    return found


def _import_object(path: str) -> Any:
    """The object a dotted path names (``livable.indicators.CommunityContext``), or None."""
    parts = path.split(".")
    for n in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:n]))
        except ImportError:
            continue
        try:
            for attr in parts[n:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def resolve_alias(app: Sphinx, env: Any, node: Any, contnode: Any) -> Any:
    """Resolve ``livable.sub.module.Name`` to where the API page documents that object.

    Docstrings may name an object by any module that exports it; the API page documents
    it once, as ``livable.Name`` (or under a dotted name in ``API_GROUPS``). This handler
    (``missing-reference``) finds the documented name of the same object; a bare name
    (``MAX_EXTENDS_DEPTH``) goes to the one dotted ``API_GROUPS`` entry that ends in it.
    """
    if node.get("refdomain") != "py":
        return None
    target = str(node.get("reftarget", ""))
    import livable

    names = [f"livable.{n}" for n in livable.__all__]
    dotted = [n for _, _, group in API_GROUPS for n in group if "." in n]

    def resolve(name: str) -> Any:
        new = node.deepcopy()
        new["reftarget"] = name
        domain = env.get_domain("py")
        return domain.resolve_xref(
            env, node["refdoc"], app.builder, node["reftype"], name, new, contnode
        )

    if "." not in target:
        # a bare name in a docstring (:data:`MAX_EXTENDS_DEPTH`) that its module's page
        # context cannot find: the one object of that name documented under a dotted name
        same = [n for n in dotted if n.rpartition(".")[2] == target]
        return resolve(same[0]) if len(same) == 1 else None
    if not target.startswith("livable."):
        return None
    obj = _import_object(target)
    if obj is None:
        return None
    for name in names + dotted:
        if name != target and _import_object(name) is obj:
            return resolve(name)
    return None


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the hooks."""
    app.connect("builder-inited", generate)
    app.connect("source-read", drop_pending)
    app.connect("env-get-outdated", reread_pending)
    app.connect("missing-reference", resolve_alias)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
