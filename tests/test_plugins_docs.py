"""Docs that cannot drift: every hook documented with its exact signature and tested.

In the style of datasette's ``tests/test_docs.py``. Also runs the example plugin and the
"Writing a plugin" tutorial's inputs from source (the example need not be installed).
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import livable
from livable.plugins import hookspecs
from livable.plugins.manager import PluginManager
from livable.testing import assert_plugin_loads

ROOT = Path(__file__).resolve().parents[1]
HOOKS_PAGE = ROOT / "docs" / "reference" / "hooks.md"
TUTORIAL = ROOT / "docs" / "tutorials" / "first-plugin.md"
EXAMPLE = ROOT / "examples" / "district-plugin"


def _signature(hook: str) -> str:
    """``name(arg, ...)`` as pluggy sees the specification."""
    spec = getattr(PluginManager(load_entry_points=False, block=["livable.builtin"])._pm.hook, hook)
    return f"{hook}({', '.join(spec.spec.argnames)})"


def _test_sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in ROOT.glob("tests/test_plugins*.py"))


def test_the_hooks_tuple_lists_exactly_the_specifications() -> None:
    specs = {
        name
        for name, obj in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(obj, "livable_spec")
    }
    assert set(hookspecs.HOOKS) == specs
    assert len(hookspecs.HOOKS) == len(specs) == 5


@pytest.mark.parametrize("hook", hookspecs.HOOKS)
def test_every_hook_is_documented_with_its_exact_signature(hook: str) -> None:
    page = HOOKS_PAGE.read_text(encoding="utf-8")
    assert f"### `{_signature(hook)}`" in page
    assert f".. autofunction:: livable.plugins.hookspecs.{hook}" in page
    typed = inspect.signature(getattr(hookspecs, hook))
    params = ", ".join(f"{n}: {p.annotation}" for n, p in typed.parameters.items())
    flat = re.sub(r"\s+", " ", page).replace("( ", "(").replace(" )", ")")
    assert f"def {hook}({params}) -> {typed.return_annotation}" in flat


def test_the_hooks_page_names_no_hook_that_does_not_exist() -> None:
    page = HOOKS_PAGE.read_text(encoding="utf-8")
    named = set(re.findall(r"\blivable_[a-z_]+(?=\()", page))
    assert named <= set(hookspecs.HOOKS)


@pytest.mark.parametrize("hook", hookspecs.HOOKS)
def test_every_hook_has_a_test(hook: str) -> None:
    assert re.search(rf"^def test_hook_{hook}\(", _test_sources(), re.MULTILINE)


@pytest.mark.parametrize("hook", hookspecs.HOOKS)
def test_every_hook_docstring_says_when_what_how_and_since(hook: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    for needed in ("**When:**", "**Return:**", "**Calling rule:**", ">>> ", ".. versionadded::"):
        assert needed in doc, f"{hook}'s docstring lacks {needed!r}"


def test_the_cli_flags_the_docs_name_exist() -> None:
    from livable.cli import _parser

    text = HOOKS_PAGE.read_text(encoding="utf-8") + TUTORIAL.read_text(encoding="utf-8")
    flags = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", text))
    parser = _parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    known = {
        opt for sub in commands.values() for action in sub._actions for opt in action.option_strings
    }
    assert flags
    assert flags <= known


# -- the example plugin, from source -------------------------------------------------------
@pytest.fixture
def yanta(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """``livable_yanta`` imported from the example's source tree (not installed)."""
    monkeypatch.syspath_prepend(str(EXAMPLE / "src"))
    saved = {k: v for k, v in sys.modules.items() if k.startswith("livable_yanta")}
    for name in saved:
        del sys.modules[name]
    import livable_yanta

    yield livable_yanta
    for name in [k for k in sys.modules if k.startswith("livable_yanta")]:
        del sys.modules[name]
    sys.modules.update(saved)


def test_the_example_declares_its_entry_point() -> None:
    import tomllib

    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["livable"] == {"yanta": "livable_yanta"}
    assert (EXAMPLE / "src" / "livable_yanta" / "__init__.py").exists()
    assert any((EXAMPLE / "tests").glob("test_*.py"))


def test_the_example_plugin_loads_cleanly(yanta: ModuleType) -> None:
    contributed = assert_plugin_loads(yanta)
    assert contributed.facility_types == ("charging_station",)
    assert contributed.indicators == ("ev_charging",)
    assert contributed.profiles == ("xian-yanta",)
    assert contributed.distance_providers == ("euclidean_detour",)


def _heredoc(text: str, filename: str) -> dict[str, object]:
    """The JSON a tutorial's shell block writes with ``cat > FILENAME <<'EOF'``."""
    block = text.split(f"cat > {filename} <<'EOF'\n", 1)[1].split("\nEOF\n", 1)[0]
    return json.loads(block)  # type: ignore[no-any-return]


def test_the_tutorial_evaluation_gives_what_the_tutorial_shows(yanta: ModuleType) -> None:
    text = TUTORIAL.read_text(encoding="utf-8")
    communities = _heredoc(text, "communities.geojson")
    facilities = _heredoc(text, "facilities.geojson")
    pm = PluginManager(load_entry_points=False, plugins=[yanta])
    report = livable.evaluate(
        communities, facilities, profile="xian-yanta", distance="euclidean_detour", plugins=pm
    )
    data = report.to_dict()
    assert [p["name"] for p in data["plugins"]] == ["livable.builtin", "livable_yanta"]
    one, two = data["communities"]
    assert one["access"]["charging_station"]["nearest_m"] == 322.7
    assert "322.7" in text
    assert one["indicators"]["ev_charging"]["status"] == "passed"
    assert one["indicators"]["ev_charging"]["role"] == "happy"
    assert two["indicators"]["ev_charging"]["status"] == "failed"
    assert any(g["rule"] == "P2.C3.ev_charging" for g in two["gaps"])
