"""Plugins: the hook specifications, the plugin manager and the built-in plugins.

>>> from livable.plugins import PluginManager, hookimpl
>>> class Quiet:
...     @hookimpl
...     def livable_classify(self, community):
...         return None
>>> pm = PluginManager(load_entry_points=False, plugins=[Quiet()])
>>> [p.name for p in pm.plugins()]
['livable.builtin', 'Quiet']
"""

from livable.plugins.hookspecs import PROJECT_NAME, hookimpl, hookspec
from livable.plugins.manager import (
    BUILTIN_NAMES,
    BUILTIN_PLUGIN,
    FaultMode,
    PluginContributions,
    PluginManager,
)

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
