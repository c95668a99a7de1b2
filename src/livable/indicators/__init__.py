"""Indicators: the protocol and the built-in indicators of the "136" framework (``P2``)."""

from livable.indicators.base import INPUT_KINDS, CommunityContext, Indicator
from livable.indicators.builtin import BUILTIN_INDICATORS

__all__ = ["BUILTIN_INDICATORS", "INPUT_KINDS", "CommunityContext", "Indicator"]
