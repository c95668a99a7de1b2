"""What ``import livable`` loads: light at import, heavy parts on first use (issue 15).

Each check runs a fresh interpreter and reads its ``sys.modules``: a test of the modules
loaded, not a timing (``benchmarks/bench_import.py`` measures the time).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import livable

ROOT = Path(__file__).resolve().parents[1]

HEAVY = (
    "scipy.spatial",
    "scipy.sparse.csgraph",
    "matplotlib",
    "geopandas",
    "pyarrow",
    "osmium",
    "dask",
)
"""Never loaded by ``import livable``."""


def _loaded(code: str, *names: str) -> list[str]:
    """Which of ``names`` (and of :data:`HEAVY`) are in ``sys.modules`` after ``code``."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, cwd=ROOT
    )
    modules = set(json.loads(done.stdout.splitlines()[-1]))
    return [m for m in (*HEAVY, *names) if m in modules]


def test_import_livable_loads_no_heavy_module() -> None:
    assert _loaded("import livable") == []


def test_import_livable_leaves_the_engine_and_the_readers_for_first_use() -> None:
    later = ("livable.engine", "livable.io", "livable.profile", "livable.plugins.manager")
    assert _loaded("import livable", *later, "livable.geometry.network") == []
    assert _loaded("from livable import hookimpl", *later) == []  # what a plugin imports


def test_the_engine_and_its_plugin_manager_load_no_heavy_module() -> None:
    code = (
        "from livable import evaluate, PluginManager\n"
        "pm = PluginManager(load_entry_points=False)\n"
        "pm.distance_providers(), pm.indicators(), pm.profiles(), pm.contributions()"
    )
    assert _loaded(code, "livable.geometry.network", "scipy.sparse") == []


def test_the_point_index_and_the_street_network_load_when_an_evaluation_needs_them() -> None:
    setup = (
        "import livable\n"
        "from livable.testing import community, facility\n"
        "c = [community('c1', 108.94, 34.26)]\n"
        "f = [facility('s1', 'convenience_store', 108.941, 34.26)]\n"
    )
    euclidean = setup + "livable.evaluate(c, f)"
    assert _loaded(euclidean, "livable.geometry.network") == ["scipy.spatial"]
    streets = (
        "{'type': 'FeatureCollection', 'features': [{'type': 'Feature', 'properties': "
        "{'id': 's1'}, 'geometry': {'type': 'LineString', 'coordinates': "
        "[[108.93, 34.26], [108.95, 34.26]]}}]}"
    )
    network = setup + f"livable.evaluate(c, f, distance='network', streets={streets})"
    assert _loaded(network, "livable.geometry.network") == [
        "scipy.sparse.csgraph",
        "livable.geometry.network",
    ]


def test_every_exported_name_works_and_all_is_listed_by_dir() -> None:
    names = {name: getattr(livable, name) for name in livable.__all__}
    assert names["evaluate"].__module__ == "livable.engine"
    assert names["PluginManager"].__module__ == "livable.plugins.manager"
    assert set(livable.__all__) <= set(dir(livable))
    star: dict[str, object] = {}
    exec("from livable import *", star)
    assert {name: star[name] for name in livable.__all__} == names
    with pytest.raises(AttributeError, match="has no attribute 'evaluat'"):
        livable.evaluat  # type: ignore[attr-defined]  # noqa: B018


def _runtime_imports(path: Path) -> set[str]:
    """The modules a file imports outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def test_the_hook_specifications_import_their_types_for_type_checkers_only() -> None:
    spec = ROOT / "src" / "livable" / "plugins" / "hookspecs.py"
    assert _runtime_imports(spec) == {"__future__", "typing", "pluggy"}
    others = ("livable.profile", "livable.indicators", "livable.geometry", "livable.engine")
    assert _loaded("import livable.plugins.hookspecs", *others) == []
