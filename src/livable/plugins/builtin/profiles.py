"""Built-in plugin ``livable.profiles``: the ``xian-2020`` rule profile.

The profile's TOML is read when the hook is first called, not when this module is imported.

>>> [p.id for p in livable_profiles()]
['xian-2020']
"""

from __future__ import annotations

from collections.abc import Sequence

from livable.plugins.hookspecs import hookimpl
from livable.profile import BUILTIN_PROFILES, Profile, load_profile


@hookimpl
def livable_profiles() -> Sequence[Profile]:
    """The built-in profiles (``xian-2020``).

    >>> livable_profiles()[0].parent is None
    True
    """
    return [load_profile(p) for p in BUILTIN_PROFILES]
