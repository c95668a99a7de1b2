"""Built-in plugin ``livable.types``: the 18 facility types of the Xi'an plan.

>>> "kindergarten" in {t.id for t in livable_facility_types()}
True
"""

from __future__ import annotations

from collections.abc import Iterable

from livable.models import FACILITY_TYPES, FacilityType
from livable.plugins.hookspecs import hookimpl


@hookimpl
def livable_facility_types() -> Iterable[FacilityType]:
    """The 18 built-in facility types (the 12 ones of ``P4`` first).

    >>> len(list(livable_facility_types()))
    18
    """
    return list(FACILITY_TYPES.values())
