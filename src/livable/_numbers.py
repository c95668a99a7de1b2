"""The one numeric guard: whether a value read from the input is a usable number.

JSON numbers reach :mod:`livable` as Python ``int`` or ``float``; a Python caller may pass
any ``int``, and ``10**400`` makes :func:`math.isfinite` and :func:`float` raise
:class:`OverflowError`. Every reader and indicator asks :func:`finite_float` instead of
calling those on a value it has not checked.

>>> finite_float(3), finite_float(2.5), finite_float(10**400), finite_float(float("nan"))
(3.0, 2.5, None, None)
>>> finite_float(True), finite_float("3"), number_kind(10**400)
(None, None, 'too large')
"""

from __future__ import annotations

import math
import sys
from typing import Any, TypeGuard

__all__ = ["FLOAT_MAX", "finite_float", "is_number", "number_kind"]

FLOAT_MAX = sys.float_info.max
"""The largest finite float; an ``int`` beyond it cannot become one."""


def is_number(value: Any) -> TypeGuard[int | float]:
    """Whether ``value`` is a JSON number: an ``int`` or ``float``, not a ``bool``."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def number_kind(value: Any) -> str | None:
    """Why a number cannot be used (``'too large'``, ``'not finite'``), ``None`` if it can.

    Only for values that :func:`is_number`; the comparison of a huge ``int`` with a float
    is exact in Python and never overflows.
    """
    if isinstance(value, int):
        return None if -FLOAT_MAX <= value <= FLOAT_MAX else "too large"
    return None if math.isfinite(value) else "not finite"


def finite_float(value: Any) -> float | None:
    """``value`` as a finite float, or ``None`` if it is not a number or cannot be one."""
    if not is_number(value) or number_kind(value) is not None:
        return None
    return float(value)
