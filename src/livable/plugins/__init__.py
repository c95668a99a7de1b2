"""Plugins: the hook specifications, the plugin manager and the built-in plugins.

Importing this package loads only the hook markers (:mod:`livable.plugins.hookspecs`); the
manager and the built-in plugins load on first use of :class:`PluginManager`.

>>> from livable.plugins import PluginManager, hookimpl
>>> class Quiet:
...     @hookimpl
...     def livable_classify(self, community):
...         return None
>>> pm = PluginManager(load_entry_points=False, plugins=[Quiet()])
>>> [p.name for p in pm.plugins()]
['livable.builtin', 'Quiet']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from livable.plugins.hookspecs import PROJECT_NAME, hookimpl, hookspec

if TYPE_CHECKING:  # loaded on first use: ``from livable import hookimpl`` stays light
    from livable.plugins.manager import (
        BUILTIN_NAMES,
        BUILTIN_PLUGIN,
        FaultMode,
        PluginContributions,
        PluginManager,
    )

_LAZY = frozenset(
    ("BUILTIN_NAMES", "BUILTIN_PLUGIN", "FaultMode", "PluginContributions", "PluginManager")
)


def __getattr__(name: str) -> Any:
    """Load a name of :mod:`livable.plugins.manager` on first use (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'livable.plugins' has no attribute {name!r}")
    value = getattr(importlib.import_module("livable.plugins.manager"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The names of ``livable.plugins``, those loaded on first use included."""
    return sorted(set(globals()) | _LAZY)


__all__ = [
    "BUILTIN_NAMES",
    "BUILTIN_PLUGIN",
    "PROJECT_NAME",
    "FaultMode",
    "PluginContributions",
    "PluginManager",
    "hookimpl",
    "hookspec",
]
