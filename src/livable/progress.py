"""Deprecated alias of :mod:`livable.cli.progress` (moved in livable 0.2, removed in 0.3)."""

from livable._moved import moved

moved(__name__)

from livable.cli.progress import *  # noqa: E402, F403
from livable.cli.progress import __all__ as __all__  # noqa: E402
