"""Built-in plugin ``livable.classify``: the profile's grading rules (``P3``-``P5``).

It answers ``livable_classify`` last (``trylast``), so any other plugin may decide a grade
first; blocked, a community's grade is the rules' unless a plugin decides it.

>>> livable_classify([])
<Grade.HAPPY: 'happy'>
"""

from __future__ import annotations

from collections.abc import Sequence

from livable.models import Grade, IndicatorResult, grade_from_results
from livable.plugins.hookspecs import hookimpl


@hookimpl(trylast=True)
def livable_classify(results: Sequence[IndicatorResult]) -> Grade:
    """The profile's grade (``P3``-``P5``), asked last so plugins may decide first.

    >>> livable_classify([]).value
    'happy'
    """
    return grade_from_results(results)
