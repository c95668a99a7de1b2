"""Deprecated alias of :mod:`livable.io.datums` (moved in livable 0.2, removed in 0.3)."""

from livable._moved import moved

moved(__name__)

from livable.io.datums import *  # noqa: E402, F403
from livable.io.datums import __all__ as __all__  # noqa: E402
