"""Deprecated alias of :mod:`livable.io.dedupe` (moved in livable 0.2, removed in 0.3)."""

from livable._moved import moved

moved(__name__)

from livable.io.dedupe import *  # noqa: E402, F403
from livable.io.dedupe import __all__ as __all__  # noqa: E402
