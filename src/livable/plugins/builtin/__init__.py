"""The built-in plugins: livable's own facility types, indicators, providers, profiles, grading.

Six small plugin modules, each registered exactly as a third-party plugin is (through the
same hooks, under its own name), so each doubles as an example and a deployment can block
any one of them (``PluginManager(block=["livable.network"])``, ``livable evaluate
--block-plugin livable.network``):

====================== ========================================= ==============================
name                   module                                    adds
====================== ========================================= ==============================
``livable.types``      ``livable.plugins.builtin.types``         the 18 facility types (``P4``)
``livable.indicators`` ``livable.plugins.builtin.indicators``    the built-in indicators
``livable.providers``  ``livable.plugins.builtin.providers``     ``euclidean``, ``geodesic``
``livable.network``    ``livable.plugins.builtin.network``       ``network`` (street walking)
``livable.profiles``   ``livable.plugins.builtin.profiles``      ``xian-2020``
``livable.classify``   ``livable.plugins.builtin.classify``      the profile's grade (last)
====================== ========================================= ==============================

:data:`BUILTIN_PLUGIN` (``livable.builtin``) names all six at once: blocking it blocks every
one, unregistering it removes every one, and a report whose six built-ins all ran lists them
as one entry ``livable.builtin`` (as livable 0.1 did). With one blocked, the report lists the
built-ins that ran, each under its own name, so the one missing is visibly absent.

Every module is light to import: what is heavy (the street network and scipy's sparse graphs,
the profile TOML) loads when its hook or factory is first called.

>>> [name for name, _ in PLUGINS]
['livable.types', 'livable.indicators', 'livable.providers', 'livable.network', \
'livable.profiles', 'livable.classify']
>>> BUILTIN_PROVIDERS["network"]
'livable.network'
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType, ModuleType

from livable.plugins.builtin import classify, indicators, network, profiles, providers
from livable.plugins.builtin import types as facility_types

__all__ = ["BUILTIN_NAMES", "BUILTIN_PLUGIN", "BUILTIN_PROVIDERS", "PLUGINS"]

BUILTIN_PLUGIN = "livable.builtin"
"""The name of all six built-in plugins together (to block them all, and in a report)."""

PLUGINS: tuple[tuple[str, ModuleType], ...] = (
    ("livable.types", facility_types),
    ("livable.indicators", indicators),
    ("livable.providers", providers),
    ("livable.network", network),
    ("livable.profiles", profiles),
    ("livable.classify", classify),
)
"""Each built-in plugin's name and module, in registration order."""

BUILTIN_NAMES: frozenset[str] = frozenset(name for name, _ in PLUGINS)
"""The names of the six built-in plugins."""

BUILTIN_PROVIDERS: Mapping[str, str] = MappingProxyType(
    {
        "euclidean": "livable.providers",
        "geodesic": "livable.providers",
        "network": "livable.network",
    }
)
"""Which built-in plugin registers each built-in distance provider (to name a blocked one)."""
