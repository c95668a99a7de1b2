"""Indicators: the protocol and the built-in indicators of the "136" framework (``P2``).

An indicator (:class:`Indicator`) has an id, English and Chinese labels, the clause,
requirement and key content it serves, the inputs it reads, and returns an
:class:`~livable.models.IndicatorResult`. The profile gives each a role (:data:`ROLES`).
The documentation's indicator table is made by ``docs/_ext/livable_indicator_docs.py``.
"""

from livable.indicators.base import INPUT_KINDS, ROLES, CommunityContext, Indicator, role_of
from livable.indicators.builtin import BUILTIN_INDICATORS

__all__ = [
    "BUILTIN_INDICATORS",
    "INPUT_KINDS",
    "ROLES",
    "CommunityContext",
    "Indicator",
    "role_of",
]
