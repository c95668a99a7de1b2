"""The architecture holds: layers (import-linter), no import cycle, no private import (issue 15).

``tests/architecture.py`` reads the import graph from the source, counting imports inside
functions and under ``TYPE_CHECKING``; import-linter checks the layer contracts of
``pyproject.toml`` (DESIGN.md, "Layout"). Each check is also run on a copy of the package
with one bad import added, to show that it fails when it should.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import livable

sys.path.insert(0, str(Path(__file__).parent))
from architecture import read_graph

ROOT = Path(__file__).parents[1]
PACKAGE = Path(livable.__file__).parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_no_import_cycle() -> None:
    assert read_graph(PACKAGE).cycles() == []


def test_no_module_imports_another_modules_private_names() -> None:
    found = [
        f"{imp.source}:{imp.line} {imp.target}{'.' + imp.name if imp.name else ''}"
        for imp in read_graph(PACKAGE).private_imports()
    ]
    assert found == []


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_reader_sees_cycles_through_functions_and_type_checking(tmp_path: Path) -> None:
    pkg = _write(
        tmp_path / "pkg",
        {
            "__init__.py": "",
            "a.py": "def f():\n    from pkg import b\n",
            "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n",
            "c.py": "from pkg.d import x\n",
            "d.py": "x = 1\n",
        },
    )
    assert read_graph(pkg).cycles() == [["pkg.a", "pkg.b"]]


def test_the_reader_sees_private_names_and_private_modules(tmp_path: Path) -> None:
    pkg = _write(
        tmp_path / "pkg",
        {
            "__init__.py": "",
            "a.py": "_hidden = 1\n",
            "b.py": "from pkg.a import _hidden\n",
            "c.py": "import pkg.a\ny = pkg.a._hidden\n",
            "sub/__init__.py": "",
            "sub/_inner.py": "z = 1\n",
            "sub/ok.py": "from pkg.sub._inner import z\n",
            "e.py": "from pkg.sub._inner import z\n",
            "f.py": "from pkg.a import __doc__\n",
        },
    )
    found = {(i.source, i.target, i.name) for i in read_graph(pkg).private_imports()}
    assert found == {
        ("pkg.b", "pkg.a", "_hidden"),
        ("pkg.c", "pkg.a", "_hidden"),
        ("pkg.e", "pkg.sub._inner", "z"),
    }


def _lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_layer_contracts_are_kept() -> None:
    done = _lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken." in done.stdout


def test_the_contract_is_the_layer_order_of_the_design() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (layers,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    order = [layer.strip("()").replace(" ", "") for layer in layers["layers"]]
    assert order[:9] == [
        "cli|testing",
        "serve",
        "report|scale",
        "engine",
        "grading",
        "plugins",
        "indicators",
        "geometry|io",
        "profile",
    ]
    assert order.index("models|_profile_checks") < order.index("errors")


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("models/vocabulary.py", "import livable.engine\n", "livable.models is not allowed"),
        ("io/gis.py", "import livable.geometry.circle\n", "livable.io is not allowed"),
    ],
)
def test_the_contracts_fail_on_an_upward_or_sideways_import(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    shutil.copytree(PACKAGE, tmp_path / "src" / "livable", ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / "livable" / module
    target.write_text(target.read_text(encoding="utf-8") + line, encoding="utf-8")
    done = _lint_imports(tmp_path, tmp_path / "src")
    assert done.returncode == 1, done.stdout
    assert broken in done.stdout
