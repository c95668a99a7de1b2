"""The products take a typed report (issue 15, deliverable 3): maps, handbook, planner,
export and summary text are made from a :class:`livable.Report`, converted once from
whatever :func:`livable.as_report` accepts; no public signature of theirs takes a loose
mapping, and the summary text lives in the report layer, not in the command line."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import attrs
import pytest

import livable
from livable.report import _doc, export, geodataframe, handbook, maps, planner, summary

PRODUCTS = [maps, handbook, planner, summary, export, geodataframe, _doc]

LOOSE = re.compile(r"\b(Mapping|dict|MutableMapping)\[str, Any\]")
"""A mapping of anything: what a report was before it was typed."""

ACCEPTED = {"ReportSource", "FeatureSource"}
"""The documented source aliases: a report (or a GeoJSON layer) as a path, text, bytes or
parsed data, converted once at the entry point."""


def _public(module: ModuleType) -> Iterator[tuple[str, Callable[..., object]]]:
    for name in module.__all__:
        obj = getattr(module, name)
        if getattr(obj, "__module__", None) != module.__name__:
            continue  # re-exported from elsewhere
        if inspect.isfunction(obj):
            yield f"{module.__name__}.{name}", obj
        elif inspect.isclass(obj):
            for attr, member in vars(obj).items():
                func = getattr(member, "__func__", member)
                if not attr.startswith("_") and inspect.isfunction(func):
                    yield f"{module.__name__}.{name}.{attr}", func


def _annotations(func: Callable[..., object]) -> dict[str, str]:
    """Parameter annotations as written (every product module uses future annotations)."""
    sig = inspect.signature(func)
    return {n: str(p.annotation) for n, p in sig.parameters.items() if p.annotation is not p.empty}


def test_every_product_module_has_public_functions_to_check() -> None:
    found = {name.rsplit(".", 1)[0] for m in PRODUCTS for name, _ in _public(m)}
    assert {m.__name__ for m in PRODUCTS} <= {n.rsplit(".", 1)[0] for n in found} | found


@pytest.mark.parametrize("module", PRODUCTS, ids=lambda m: m.__name__)
def test_no_public_signature_takes_a_loose_mapping(module: ModuleType) -> None:
    bad = [
        f"{name}({param}: {ann})"
        for name, func in _public(module)
        for param, ann in _annotations(func).items()
        if LOOSE.search(ann)
    ]
    assert bad == []


@pytest.mark.parametrize("module", PRODUCTS, ids=lambda m: m.__name__)
def test_public_model_fields_are_typed(module: ModuleType) -> None:
    bad = [
        f"{module.__name__}.{name}.{f.name}: {f.type}"
        for name in module.__all__
        if attrs.has(cls := getattr(module, name)) and cls.__module__ == module.__name__
        for f in attrs.fields(cls)
        if LOOSE.search(str(f.type))
    ]
    assert bad == []


def test_a_report_parameter_is_a_report_or_a_report_source() -> None:
    """Every public product function with a ``report`` parameter takes a Report (typed
    helpers) or a ReportSource (entry points), never a dict or ``Any``."""
    seen = {}
    for module in PRODUCTS:
        for name, func in _public(module):
            ann = _annotations(func).get("report")
            if ann is not None:
                seen[name] = ann
    assert set(seen.values()) <= {"Report", "ReportSource"}, seen
    entry_points = [
        "livable.report.maps.render_map",
        "livable.report.maps.city_figure",
        "livable.report.maps.community_figure",
        "livable.report.handbook.write_handbook",
        "livable.report.handbook.handbook_markdown",
        "livable.report.handbook.handbook_html",
        "livable.report.handbook.community_pages",
        "livable.report.planner.plan",
        "livable.report.summary.format_summary",
        "livable.report.export.summary_tables",
        "livable.report.export.write_csv",
        "livable.report.export.write_xlsx",
    ]
    assert {n: seen[n] for n in entry_points} == dict.fromkeys(entry_points, "ReportSource")


def test_the_products_read_no_report_mapping() -> None:
    """No ``entry.get(...)``/``report["..."]`` access survives: the AST of the product
    modules has no ``.get`` call on a name that held a report or community mapping."""
    suspects = {"entry", "report", "data", "c", "comm", "community", "gap", "g", "s", "access"}
    found = []
    for module in PRODUCTS:
        path = Path(inspect.getfile(module))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in suspects
            ):
                found.append(f"{path.name}:{node.lineno} {node.func.value.id}.get")
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Name)
                and node.value.id in suspects
                and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, str)
            ):
                found.append(f"{path.name}:{node.lineno} {node.value.id}[{node.slice.value!r}]")
    assert found == []


def test_the_old_dict_api_of_the_report_doc_is_gone() -> None:
    for name in ("as_report_dict", "read_report", "ReportSource"):
        assert not hasattr(_doc, name), name


def test_the_summary_text_lives_in_the_report_layer() -> None:
    from livable import cli

    assert cli.format_summary is summary.format_summary
    source = Path(inspect.getfile(cli)).read_text(encoding="utf-8")
    assert "def format_summary" not in source


def test_to_geodataframe_lives_at_the_models_layer() -> None:
    """``Report.to_geodataframe`` imports nothing above the models (no cycle back to the
    report layer); the report layer's function is the same thing."""
    from livable.models import results

    tree = ast.parse(Path(inspect.getfile(results)).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    assert not {
        m
        for m in imported
        if m.startswith("livable.")
        and not m.startswith(("livable.models", "livable.errors", "livable._"))
    }
    assert geodataframe.report_to_geodataframe.__module__ == "livable.report.geodataframe"
    report = livable.evaluate([], [])
    assert list(report.to_geodataframe().columns) == list(
        geodataframe.report_to_geodataframe(report).columns
    )
