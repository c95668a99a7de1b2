"""Indicators: the protocol and the built-in indicators of the "136" framework (``P2``).

An indicator (:class:`Indicator`) has an id, English and Chinese labels, the clause,
requirement and key content it serves, the inputs it reads, and returns an
:class:`~livable.report.IndicatorResult`. The profile gives each a role (:data:`ROLES`);
:func:`indicator_table` lists them for the docs.
"""

from livable.indicators.base import INPUT_KINDS, ROLES, CommunityContext, Indicator, role_of
from livable.indicators.builtin import BUILTIN_INDICATORS
from livable.indicators.docs import IndicatorRow, indicator_table, indicator_table_markdown

__all__ = [
    "BUILTIN_INDICATORS",
    "INPUT_KINDS",
    "ROLES",
    "CommunityContext",
    "Indicator",
    "IndicatorRow",
    "indicator_table",
    "indicator_table_markdown",
    "role_of",
]
