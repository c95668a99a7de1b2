"""Faulty plugins, seen from the command line: one line naming the plugin, exit 1, no traceback.

The plugins are installed the way real ones are, as entry points of group ``livable`` (a
fake entry-point table stands in for the installed distributions), and ``livable evaluate``
runs in process with its default plugin manager.
"""

from __future__ import annotations

import importlib.metadata
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from livable import FacilityType, Indicator, hookimpl
from livable.cli import main

DATA = Path(__file__).parent / "data" / "ok"


class RaisingTypes:
    @hookimpl
    def livable_facility_types(self) -> list[FacilityType]:
        raise RuntimeError("database unreachable")


class JunkGrade:
    @hookimpl
    def livable_classify(self) -> str:
        return "excellent"


class JunkTypes:
    @hookimpl
    def livable_facility_types(self) -> list[object]:
        return ["charging_station"]


class Exploding(Indicator):
    id = "exploding"
    label_en = "exploding"
    label_zh = "爆炸"
    clause = "P5"
    requirement = "convenience"
    key_content = "convenience_services"

    def evaluate(self, context: Any) -> Any:
        raise ZeroDivisionError("division by zero")


class RaisingIndicator:
    @hookimpl
    def livable_indicators(self) -> list[Indicator]:
        return [Exploding()]


@pytest.fixture
def install(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Install a plugin object (or a missing module) as the entry point ``broken``."""

    def _install(plugin: object | None) -> None:
        value = "livable_test_missing_module:plugin"
        if plugin is not None:
            module = types.ModuleType("livable_test_broken")
            module.plugin = plugin  # type: ignore[attr-defined]
            monkeypatch.setitem(sys.modules, "livable_test_broken", module)
            value = "livable_test_broken:plugin"
        ep = importlib.metadata.EntryPoint(name="broken", value=value, group="livable")
        real = importlib.metadata.entry_points

        def entry_points(**kwargs: Any) -> Any:
            return [ep] if kwargs.get("group") == "livable" else real(**kwargs)

        monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)

    return _install


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        (None, "plugin 'broken': cannot be imported (livable_test_missing_module:plugin)"),
        (RaisingTypes(), "plugin 'broken', hook livable_facility_types: raised RuntimeError"),
        (JunkTypes(), "returned 'charging_station', not a FacilityType"),
        (JunkGrade(), "plugin 'broken', hook livable_classify: returned 'excellent', not a Grade"),
        (
            RaisingIndicator(),
            "plugin 'broken', hook livable_indicators: indicator 'exploding' raised "
            "ZeroDivisionError('division by zero') on community 'ok0'",
        ),
    ],
    ids=["import", "raises", "junk-types", "junk-grade", "indicator-raises"],
)
def test_a_faulty_plugin_is_one_line_and_exit_1(
    install: Any,
    plugin: object | None,
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    install(plugin)
    argv = ["evaluate", "--communities", str(DATA / "communities.geojson")]
    argv += ["--facilities", str(DATA / "facilities.geojson"), "--out", str(tmp_path / "r.json")]
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 1
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("livable: error: ")
    assert message in lines[0]
    assert "Traceback" not in captured.err + captured.out
    assert not (tmp_path / "r.json").exists()
