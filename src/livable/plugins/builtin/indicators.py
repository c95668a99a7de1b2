"""Built-in plugin ``livable.indicators``: the indicators of the Xi'an plan.

>>> next(iter(livable_indicators())).id
'size_class'
"""

from __future__ import annotations

from collections.abc import Iterable

from livable.indicators.base import Indicator
from livable.indicators.builtin import builtin_indicators
from livable.plugins.hookspecs import hookimpl


@hookimpl
def livable_indicators() -> Iterable[Indicator]:
    """The built-in indicators (``P2``, ``P4``, ``P5``, ``P6.tiers``).

    >>> [i.id for i in livable_indicators()][1:3]
    ['twelve_ones', 'tier_access']
    """
    return builtin_indicators()
