"""The look of the maps: colours per grade and category, hatching, marker shapes.

The public colour tables are re-exported (and documented) as
:data:`livable.report.maps.GRADE_COLORS` and :data:`livable.report.maps.CATEGORY_COLORS`.

>>> sorted(GRADE_COLORS)
['happy', 'livable', 'not_livable']
"""

from __future__ import annotations

from collections.abc import Mapping

# the public tables are documented where they are re-exported, in the package
GRADE_COLORS: Mapping[str, str] = {
    "not_livable": "#d7301f",
    "livable": "#92c5de",
    "happy": "#2166ac",
}

CATEGORY_COLORS: Mapping[str, str] = {
    "shopping": "#1b9e77",
    "leisure": "#66a61e",
    "finance": "#e6ab02",
    "catering": "#d95f02",
    "reading": "#7570b3",
    "government": "#1f78b4",
    "accommodation": "#a6761d",
    "medical": "#e7298a",
    "elderly_care": "#b15928",
    "education": "#6a3d9a",
    "transport": "#17becf",
    "tourism": "#b2df8a",
    "fitness": "#33a02c",
    "entertainment": "#fb9a99",
}

GRADE_HATCH = {"not_livable": "////", "livable": None, "happy": None}  # tells red apart in B/W
OTHER_COLOR = "#666666"
GAP_COLOR = "#c0142b"
HAPPY_GAP_COLOR = "#d46a00"
TIER_MARKERS = {5.0: "o", 10.0: "s", 15.0: "^"}
