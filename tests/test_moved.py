"""The module paths of 0.1 that moved in 0.2 still import, warn, and give the same objects."""

from __future__ import annotations

import importlib
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import livable
from livable._moved import MOVED

sys.path.insert(0, str(Path(__file__).parent))
from architecture import read_graph


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_old_path_warns_and_is_the_new_module(old: str, new: str) -> None:
    sys.modules.pop(old, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        alias = importlib.import_module(old)
    messages = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
    assert any(f"{old} moved to {new}" in m for m in messages), messages
    target = importlib.import_module(new)
    assert alias.__all__ == target.__all__
    for name in target.__all__:
        assert getattr(alias, name) is getattr(target, name), name


def test_the_warning_points_at_the_importing_line() -> None:
    code = "import warnings; warnings.simplefilter('always'); import livable.maps"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert "<string>:1: DeprecationWarning: livable.maps moved to livable.report.maps" in (
        done.stderr
    )


def test_nothing_in_the_package_imports_an_old_path() -> None:
    graph = read_graph(Path(livable.__file__).parent)
    aliases = set(MOVED)
    users = sorted(
        f"{imp.source}:{imp.line} imports {imp.target}"
        for imp in graph.imports
        if imp.target in aliases and imp.source not in aliases
    )
    assert users == []
