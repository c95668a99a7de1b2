"""The convenience-service map (便民服务地图, ``P7``), drawn from a report, offline.

Two maps, each as a static PNG or SVG (matplotlib, the optional ``maps`` extra) or as an
interactive, self-contained HTML page (the same drawing as inline SVG with hover tooltips
and a few lines of JavaScript; no tiles, scripts or fonts are fetched when it is viewed):

* **one community** (:func:`community_figure`): its polygon and centre, the service circle
  (``P6.circle``), the 5/10/15-minute tier rings (``P6.tiers``; the street-network
  isochrones instead when the report has them), the report's nearest facilities of every
  type coloured by service category (marker shape by tier), and its gaps: every missing one
  of the "12 ones" (``P4``) is a red line from the centre to the nearest such facility with
  its distance, and a side panel says why the community is not livable (``P4``) or not
  happy (``P5``).
* **the whole city** (:func:`city_figure`): communities coloured by grade (``P3``), those
  not yet livable numbered and listed with what they lack, and the summary against the
  plan's targets (``P6``: 100 % livable, 50 % of central and 30 % of peripheral
  communities happy) as a bar chart.

Everything is drawn in a local metric projection (the report's ``working_crs``), so circles
are round and the scale bar is true. The default size is A4 landscape (11.69 x 8.27 in) at
200 dpi: a PNG 2338 px wide, sharp enough to print.

Chinese labels: the ``maps`` extra installs the Noto Sans SC font (SIL OFL, from the
``pylopdf-fonts-zh-cn`` package), registered with matplotlib at run time. Without it a
system font with Chinese glyphs is used (Noto Sans CJK, Source Han Sans, WenQuanYi,
Microsoft YaHei, PingFang, ...), or a font file the caller names first (``font=``,
``--font``); no environment variable is read. If there is none, one
:class:`CJKFontWarning` says so (the labels then show as boxes). SVG keeps text as text
(``svg.fonttype: none``) and carries its glyphs: the fonts it is drawn in are embedded,
cut down to the characters used, so no viewer shows boxes for want of a font.

>>> import livable, tempfile
>>> from pathlib import Path
>>> from livable.report.maps import render_map
>>> from livable.testing import community, facility, offset
>>> report = livable.evaluate(
...     [community("c1", 108.94, 34.26, size_m=600, name="福寿社区")],
...     [facility("k1", "kindergarten", *offset(108.94, 34.26, 300, 0), name="芙蓉幼儿园")])
>>> with tempfile.TemporaryDirectory() as d:
...     svg = render_map(report, Path(d) / "c1.svg", community="c1").read_text(encoding="utf-8")
>>> "福寿社区" in svg and 'id="fac-education-0"' in svg
True
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from livable.errors import LivableError
from livable.models.results import Report, ReportSource, as_report
from livable.profile import Profile
from livable.report._doc import find_community, report_profile
from livable.report.diff import ReportDiff, diff
from livable.report.maps import _style
from livable.report.maps._city import city_map
from livable.report.maps._community import community_map
from livable.report.maps._matplotlib import SYSTEM_CJK_FAMILIES, find_cjk_font, map_style
from livable.report.maps._output import write_figure
from livable.report.planner import PlanSource, as_plan
from livable.report.streets import StreetSource, report_streets

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = [
    "A4_LANDSCAPE_IN",
    "CATEGORY_COLORS",
    "DEFAULT_DPI",
    "GRADE_COLORS",
    "MAP_FORMATS",
    "MAX_FLAGS",
    "CJKFontWarning",
    "city_figure",
    "cjk_font",
    "community_figure",
    "render_map",
]

# The settings and the entry points live in the package itself: the entry points read
# MAX_FLAGS and _SYSTEM_CJK_FAMILIES from it when a map is drawn, so both can be changed here.
A4_LANDSCAPE_IN = (11.69, 8.27)
"""The default figure size in inches: A4 landscape."""

DEFAULT_DPI = 200
"""The default PNG resolution: A4 at 200 dpi is 2338 x 1654 px."""

MAP_FORMATS = (".png", ".svg", ".html")
"""The map file types :func:`render_map` writes, chosen by the file's suffix."""

MAX_FLAGS = 40
"""The city map numbers the communities that are not yet livable when there are at most
this many; with more it lists them per district instead."""

GRADE_COLORS: Mapping[str, str] = _style.GRADE_COLORS
"""Fill colours per grade (``P3``): red falls short, blues meet the plan (colour-blind safe)."""

CATEGORY_COLORS: Mapping[str, str] = _style.CATEGORY_COLORS
"""Marker colours per service category (``P6.tiers``); red is kept for gaps."""

_SYSTEM_CJK_FAMILIES: tuple[str, ...] = SYSTEM_CJK_FAMILIES
"""The system font families :func:`cjk_font` tries, read when it is called."""


class CJKFontWarning(UserWarning):
    """No font with Chinese glyphs was found: Chinese labels will not render."""


def cjk_font(font: str | Path | None = None) -> str | None:
    """Register a font with Chinese glyphs with matplotlib and return its family name.

    In order: the font file ``font`` (a .ttf/.otf the caller names); Noto Sans SC from the ``maps``
    extra (package ``pylopdf-fonts-zh-cn``); a system font of a known CJK family. Returns
    ``None`` (after one :class:`CJKFontWarning`) when there is none.

    >>> cjk_font()
    'Noto Sans SC'
    """
    family = find_cjk_font(font, _SYSTEM_CJK_FAMILIES)
    if family is not None:
        return family
    warnings.warn(
        "no font with Chinese glyphs found: Chinese labels on the map will not render; "
        "install one with pip install 'livable[maps]' or name a font file with --font",
        CJKFontWarning,
        stacklevel=2,
    )
    return None


def community_figure(
    report: ReportSource,
    community: str,
    *,
    profile: str | Path | Profile | None = None,
    size: tuple[float, float] = A4_LANDSCAPE_IN,
) -> Figure:
    """The map of one community as a matplotlib Figure (Agg canvas; save it as you like).

    ``profile`` supplies the walk tiers and speed; by default the report's built-in one.

    >>> import livable
    >>> from livable.testing import community
    >>> fig = community_figure(livable.evaluate([community("c1", 108.94, 34.26)], []), "c1")
    >>> [a.get_gid() for a in fig.axes[0].patches][:4]
    ['tier-400', 'tier-800', 'tier-1200', 'circle']
    """
    data = as_report(report)
    with map_style(cjk_font()):
        fig, _tips = community_map(data, community, report_profile(data, profile), size)
    return fig


def city_figure(
    report: ReportSource,
    *,
    profile: str | Path | Profile | None = None,
    size: tuple[float, float] = A4_LANDSCAPE_IN,
    plan: PlanSource | None = None,
    baseline: ReportSource | None = None,
    allow_different_profile: bool = False,
) -> Figure:
    """The city map as a matplotlib Figure: communities by grade and the targets (``P6``).

    ``plan`` (a :class:`~livable.report.planner.Plan` or the path of its GeoJSON) draws
    the planned sites as numbered stars; ``baseline`` (an earlier report) marks the
    communities whose grade went up or down since it (:func:`~livable.diff`).

    >>> import livable
    >>> from livable.testing import community
    >>> fig = city_figure(livable.evaluate([community("c1", 108.94, 34.26, size_m=500)], []))
    >>> [a.get_gid() for a in fig.axes[0].patches]
    ['com-not_livable-0', 'scalebar-box']
    """
    data = as_report(report)
    sites = None if plan is None else as_plan(plan)
    changes = _changes(data, baseline, allow_different_profile)
    with map_style(cjk_font()):
        fig, _tips = city_map(data, report_profile(data, profile), size, sites, MAX_FLAGS, changes)
    return fig


def _changes(
    data: Report, baseline: ReportSource | None, allow_different_profile: bool
) -> ReportDiff | None:
    if baseline is None:
        return None
    return diff(baseline, data, allow_different_profile=allow_different_profile)


def render_map(
    report: ReportSource,
    out: str | Path,
    *,
    community: str | None = None,
    profile: str | Path | Profile | None = None,
    dpi: int = DEFAULT_DPI,
    size: tuple[float, float] = A4_LANDSCAPE_IN,
    font: str | Path | None = None,
    plan: PlanSource | None = None,
    baseline: ReportSource | None = None,
    allow_different_profile: bool = False,
    streets: StreetSource | Literal[False] | None = None,
) -> Path:
    """Draw the map of one community (or, without ``community``, the city) into ``out``.

    The suffix picks the format: ``.png`` (``dpi``, 200 by default: 2338 px wide), ``.svg``
    (text kept as text; layers carry ids: ``community``, ``circle``, ``tier-400``, ...,
    ``fac-<category>-<n>``, ``gap-<type>``, ``com-<grade>-<n>``) or ``.html`` (the SVG
    inline with hover tooltips; self-contained, viewable offline). ``font`` names a font
    file with Chinese glyphs to use before the bundled one (see :func:`cjk_font`).
    ``plan`` (a :class:`~livable.report.planner.Plan`, or the path of the GeoJSON of
    ``livable plan``) draws the planned sites on the city map as numbered stars;
    ``baseline`` (an earlier report) marks on it the communities whose grade went up
    (green triangles, ``moved-up-<n>``) or down (purple, ``moved-down-<n>``) since
    then, with a legend of the counts (``change-legend``).
    The street network is drawn thin and grey under the communities and facilities, so a
    reader can tell where a facility is: the streets the report records (a ``--distance
    network`` run, read back and checked by SHA-256; see
    :func:`~livable.report.streets.report_streets`), or ``streets`` (a streets file, a
    FeatureCollection or a :class:`~livable.io.layers.StreetLayer`); ``streets=False``
    draws none.
    ``report`` is a :class:`~livable.Report` or anything ``livable.report.as_report`` takes.

    >>> render_map({"communities": [], "summary": {}}, "map.pdf")
    Traceback (most recent call last):
    ...
    livable.errors.LivableError: map.pdf: maps are written as .png, .svg or .html, not '.pdf'
    """
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in MAP_FORMATS:
        raise LivableError(f"{path}: maps are written as .png, .svg or .html, not {suffix!r}")
    if dpi < 50:
        raise LivableError(f"dpi must be at least 50, not {dpi}")
    data = as_report(report)
    prof = report_profile(data, profile)
    sites = None if plan is None else as_plan(plan)
    if baseline is not None and community is not None:
        raise LivableError("a baseline marks changes on the city map: leave out community")
    changes = _changes(data, baseline, allow_different_profile)
    layer = report_streets(data, streets)
    lines = None if layer is None else list(layer.lines)
    family = cjk_font(font)
    with map_style(family):
        if community is None:
            fig, tips = city_map(data, prof, size, sites, MAX_FLAGS, changes, lines)
            title = "便民服务地图 Convenience-service map"
        else:
            fig, tips = community_map(data, community, prof, size, lines)
            entry = find_community(data, community)
            title = f"{entry.name or community}（{community}）便民服务地图"
        write_figure(fig, path, dpi=dpi, tips=tips, title=title, family=family)
    return path
