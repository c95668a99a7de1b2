"""Collection rules shared by tests/ and the doctests of src/.

The documentation tooling of ``docs/_ext`` is put on ``sys.path`` for its tests.

The deprecated alias modules of :mod:`livable._moved` warn when imported, by design, so
their (empty) doctests are not collected; ``tests/test_moved.py`` imports each of them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from livable._moved import MOVED

_ROOT = Path(__file__).parent
_SRC = _ROOT / "src"

# The documentation tooling (docs/_ext) is not part of the package; its tests import it.
sys.path.insert(0, str(_ROOT / "docs" / "_ext"))


def _alias_file(module: str) -> str:
    path = _SRC.joinpath(*module.split("."))
    return str(path / "__init__.py" if path.is_dir() else path.with_suffix(".py"))


collect_ignore = [_alias_file(old) for old in MOVED]
