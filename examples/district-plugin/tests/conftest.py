"""Fixtures for the plugin's tests: a plugin manager with only this plugin (no global state)."""

from __future__ import annotations

from collections.abc import Iterator

import livable_yanta
import pytest

from livable import PluginManager
from livable.testing import plugin_manager


@pytest.fixture
def pm() -> Iterator[PluginManager]:
    """The built-in plugin and livable_yanta, registered directly (entry points not loaded)."""
    with plugin_manager(livable_yanta) as manager:
        yield manager
