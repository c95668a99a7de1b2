"""Deprecated alias of :mod:`livable.report.handbook` (moved in livable 0.2, removed in 0.3)."""

from livable._moved import moved

moved(__name__)

from livable.report.handbook import *  # noqa: E402, F403
from livable.report.handbook import __all__ as __all__  # noqa: E402
