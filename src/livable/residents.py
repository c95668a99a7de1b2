"""Deprecated alias of :mod:`livable.indicators.residents` (moved in 0.2, removed in 0.3)."""

from livable._moved import moved

moved(__name__)

from livable.indicators.residents import *  # noqa: E402, F403
from livable.indicators.residents import __all__ as __all__  # noqa: E402
