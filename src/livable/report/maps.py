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
(``svg.fonttype: none``): the viewer's fonts show it.

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

import base64
import html
import importlib
import io
import json
import math
import re
import unicodedata
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from livable.errors import LivableError
from livable.geometry.crs import Projector, choose_working_crs
from livable.io.crs import resolve_crs
from livable.models import FACILITY_TYPES, Grade
from livable.models.results import (
    CommunityResult,
    Gap,
    NearbyFacility,
    Report,
    ReportSource,
    Summary,
    as_report,
)
from livable.profile import Profile
from livable.report._doc import (
    category_label,
    category_order,
    find_community,
    report_profile,
    tier_minutes,
    type_label,
)
from livable.report.planner import Plan, PlanSource, as_plan

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.path import Path as MplPath

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

A4_LANDSCAPE_IN = (11.69, 8.27)
"""The default figure size in inches: A4 landscape."""

DEFAULT_DPI = 200
"""The default PNG resolution: A4 at 200 dpi is 2338 x 1654 px."""

MAP_FORMATS = (".png", ".svg", ".html")
"""The map file types :func:`render_map` writes, chosen by the file's suffix."""

MAX_FLAGS = 40
"""The city map numbers the communities that are not yet livable when there are at most
this many; with more it lists them per district instead."""


GRADE_COLORS: Mapping[str, str] = {
    "not_livable": "#d7301f",
    "livable": "#92c5de",
    "happy": "#2166ac",
}
"""Fill colours per grade (``P3``): red falls short, blues meet the plan (colour-blind safe)."""

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
"""Marker colours per service category (``P6.tiers``); red is kept for gaps."""

_GRADE_HATCH = {"not_livable": "////", "livable": None, "happy": None}  # tells red apart in B/W
_OTHER_COLOR = "#666666"
_GAP_COLOR = "#c0142b"
_HAPPY_GAP_COLOR = "#d46a00"
_TIER_MARKERS = {5.0: "o", 10.0: "s", 15.0: "^"}

_SYSTEM_CJK_FAMILIES = (
    "Noto Sans SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Hiragino Sans GB",
    "Noto Sans CJK JP",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)


class CJKFontWarning(UserWarning):
    """No font with Chinese glyphs was found: Chinese labels will not render."""


def _require_matplotlib() -> Any:
    try:
        return importlib.import_module("matplotlib")
    except ImportError:
        raise LivableError(
            "maps need matplotlib, from the optional 'maps' extra: pip install 'livable[maps]'"
        ) from None


def cjk_font(font: str | Path | None = None) -> str | None:
    """Register a font with Chinese glyphs with matplotlib and return its family name.

    In order: the font file ``font`` (a .ttf/.otf the caller names); Noto Sans SC from the ``maps``
    extra (package ``pylopdf-fonts-zh-cn``); a system font of a known CJK family. Returns
    ``None`` (after one :class:`CJKFontWarning`) when there is none.

    >>> cjk_font()
    'Noto Sans SC'
    """
    mpl = _require_matplotlib()
    font_manager = importlib.import_module("matplotlib.font_manager")
    fm = font_manager.fontManager
    candidates: list[Path] = []
    if font is not None:
        if not Path(font).is_file():
            raise LivableError(f"{font}: font file not found")
        candidates.append(Path(font))
    try:
        bundled = importlib.import_module("pylopdf_fonts_zh_cn")
        candidates.append(Path(bundled.sans_path()))
    except (ImportError, AttributeError):
        pass
    for path in candidates:
        if path.is_file():
            name = _register(fm, font_manager, path)
            if name:
                return name
    available = {f.name for f in fm.ttflist}
    for family in _SYSTEM_CJK_FAMILIES:
        if family in available:
            return family
    del mpl
    warnings.warn(
        "no font with Chinese glyphs found: Chinese labels on the map will not render; "
        "install one with pip install 'livable[maps]' or name a font file with --font",
        CJKFontWarning,
        stacklevel=2,
    )
    return None


_REGISTERED: dict[str, str] = {}


def _register(fm: Any, font_manager: Any, path: Path) -> str | None:
    key = str(path.resolve())
    if key in _REGISTERED:
        return _REGISTERED[key]
    try:
        fm.addfont(key)
        name = str(font_manager.FontProperties(fname=key).get_name())
    except (OSError, RuntimeError, ValueError):
        return None
    _REGISTERED[key] = name
    return name


@contextmanager
def _style(font: str | Path | None = None) -> Iterator[str | None]:
    """matplotlib settings for a map; yields the CJK font family (``None``: none found)."""
    mpl = _require_matplotlib()
    family = cjk_font(font)
    families = ([family] if family else []) + ["DejaVu Sans"]
    rc = {
        "font.family": families,
        "svg.fonttype": "none",
        "svg.hashsalt": "livable",
        "axes.unicode_minus": False,
        "path.simplify": True,
    }
    with mpl.rc_context(rc), warnings.catch_warnings():
        if family is None:  # one CJKFontWarning was given; not one per character
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        yield family


def _new_figure(size: tuple[float, float]) -> Figure:
    figure_mod = importlib.import_module("matplotlib.figure")
    agg = importlib.import_module("matplotlib.backends.backend_agg")
    fig: Figure = figure_mod.Figure(figsize=size, facecolor="white")
    agg.FigureCanvasAgg(fig)
    return fig


# ---------------------------------------------------------------- geometry helpers


def _projector(report: Report) -> Projector:
    try:
        return Projector.for_crs(resolve_crs(report.working_crs))
    except Exception:
        centres = np.array([c.center for c in report.communities] or [(108.94, 34.26)])
        return Projector.for_crs(choose_working_crs(centres[:, 0], centres[:, 1]))


def _shift(geom: BaseGeometry, x0: float, y0: float) -> BaseGeometry:
    return shapely.transform(geom, lambda c: c - np.array([x0, y0]))


def _polygon_path(geom: BaseGeometry) -> MplPath | None:
    """A compound matplotlib path of a (Multi)Polygon's rings (holes included)."""
    mpath = importlib.import_module("matplotlib.path")
    polys = [geom] if geom.geom_type == "Polygon" else list(getattr(geom, "geoms", []))
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for poly in polys:
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)[:, :2]
            c = np.full(len(xy), mpath.Path.LINETO, dtype=np.uint8)
            c[0] = mpath.Path.MOVETO
            c[-1] = mpath.Path.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    if not verts:
        return None
    path: MplPath = mpath.Path(np.concatenate(verts), np.concatenate(codes))
    return path


def _xy(projector: Projector, lon: float, lat: float, x0: float, y0: float) -> tuple[float, float]:
    x, y = projector.forward([lon], [lat])
    return float(x[0]) - x0, float(y[0]) - y0


# ---------------------------------------------------------------- text helpers


def _cols(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap(text: str, width: int) -> list[str]:
    """Wrap mixed Chinese/Latin text to ``width`` columns (CJK characters count two)."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF" or ch == " ":
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
    if word:
        tokens.append(word)
    lines: list[str] = []
    line = ""
    for tok in tokens:
        if line and _cols(line) + _cols(tok) > width:
            lines.append(line.rstrip())
            line = "" if tok == " " else tok
        else:
            line += tok
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _metres(d: float | None) -> str:
    if d is None:
        return "-"
    if d >= 1000:
        return f"{d / 1000:.2f} km".replace(".00 km", " km")
    return f"{round(d):,} m"


def _gap_line(gap: Gap, search_m: float) -> str:
    """A short bilingual line for a gap: what is missing and how far the nearest is."""
    ftype = gap.facility_type
    found, required = gap.found, gap.required
    if ftype and gap.rule.startswith("P4"):
        what = f"{type_label(ftype, 'zh')} {type_label(ftype, 'en')}"
        if found:
            return f"{what}: 圈内{found}处，需{required}处 {found} of {required} in the circle"
        if gap.distance_m is None:
            return f"{what}: {round(search_m / 1000, 1):g} km 内没有 none within reach"
        return f"{what}: 最近 nearest {_metres(gap.distance_m)}"
    return (gap.message_zh or gap.rule) + " / " + gap.message_en


def _short_reason(gaps: Sequence[Gap]) -> str:
    """Why a community is not livable, in one short line (``P4`` gaps)."""
    parts = []
    for g in gaps:
        ftype = g.facility_type
        if not ftype:
            parts.append(g.message_zh or g.rule)
            continue
        label = f"{type_label(ftype, 'zh')} {type_label(ftype, 'en')}"
        if g.found:
            parts.append(f"{label}: {g.found} of {g.required} needed")
        elif g.distance_m is None:
            parts.append(f"{label} (none nearby)")
        else:
            parts.append(f"{label} ({_metres(g.distance_m)})")
    return "; ".join(parts)


def _livable_gaps(result: CommunityResult) -> list[Gap]:
    """The gaps that keep a community from being livable (``P4``)."""
    return [g for g in result.gaps if g.grade is Grade.LIVABLE]


class _Panel:
    """Text and keys stacked top-down in an axes with 0-1 coordinates."""

    def __init__(self, ax: Axes, *, top: float = 0.995, line: float = 0.024) -> None:
        self.ax = ax
        self.y = top
        self.line = line

    def text(self, s: str, *, size: float = 8.5, gid: str | None = None, **kw: Any) -> None:
        self.ax.text(0.0, self.y, s, fontsize=size, va="top", gid=gid, **kw)
        self.y -= self.line * size / 8.5

    def gap(self, amount: float = 0.5) -> None:
        self.y -= self.line * amount


# ---------------------------------------------------------------- community map


def _facilities(result: CommunityResult) -> list[tuple[NearbyFacility, str | None]]:
    """The nearest facilities of every type, each once, with its type's category."""
    seen: set[str] = set()
    out: list[tuple[NearbyFacility, str | None]] = []
    for access in result.access:
        for f in access.nearest:
            if f.id in seen:
                continue
            seen.add(f.id)
            out.append((f, access.category))
    return out


def _scalebar(ax: Axes, half: float) -> None:
    """A scale bar in the bottom-right corner of a map centred on 0, 0 (``half`` metres)."""
    patches = importlib.import_module("matplotlib.patches")
    target = half * 2 / 5
    nice = [50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000]
    length = max([n for n in nice if n <= target] or [nice[0]])
    x1 = half * 0.95
    x = x1 - length
    y = -half * 0.93
    pad = half * 0.025
    ax.add_patch(
        patches.FancyBboxPatch(
            (x - pad, y - pad),
            length + 2 * pad,
            half * 0.075 + pad,
            boxstyle="round,pad=0",
            fc="white",
            ec="none",
            alpha=0.85,
            zorder=7,
            gid="scalebar-box",
        )
    )
    ax.plot([x, x1], [y, y], color="black", lw=3, solid_capstyle="butt", gid="scalebar", zorder=8)
    ax.text(
        (x + x1) / 2,
        y + half * 0.015,
        _metres(length),
        ha="center",
        va="bottom",
        fontsize=9,
        gid="scalebar-label",
        zorder=8,
    )


def _north(ax: Axes) -> None:
    ax.annotate(
        "N",
        xy=(0.965, 0.97),
        xytext=(0.965, 0.89),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=11,
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2},
        gid="north",
    )


def _community_map(
    data: Report,
    community_id: str,
    profile: Profile,
    size: tuple[float, float],
) -> tuple[Figure, dict[str, str]]:
    patches = importlib.import_module("matplotlib.patches")
    lines_mod = importlib.import_module("matplotlib.lines")
    entry = find_community(data, community_id)
    grade = entry.grade
    projector = _projector(data)
    lon0, lat0 = entry.center
    cx, cy = projector.forward([lon0], [lat0])
    x0, y0 = float(cx[0]), float(cy[0])
    radius = float(entry.radius_m or profile.circle_radius_m)
    search_m = profile.search_radius_m
    tips: dict[str, str] = {}

    fig = _new_figure(size)
    ax = fig.add_axes((0.012, 0.035, 0.60, 0.845))
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("#bbbbbb")
    ax.set_facecolor("#fbfbf8")

    livable_gaps = _livable_gaps(entry)
    happy_gaps = [g for g in entry.gaps if g.grade is not Grade.LIVABLE]
    facilities = _facilities(entry)

    # extent: the circle with a margin, widened to show the nearest missing facilities
    geom = projector.forward_geometry(entry.geometry)
    local = _shift(geom, x0, y0)
    minx, miny, maxx, maxy = local.bounds
    half = max(radius * 1.2, abs(minx), abs(miny), abs(maxx), abs(maxy)) * 1.02
    for g in livable_gaps:
        if g.distance_m is not None:
            half = max(half, min(g.distance_m * 1.12, search_m * 1.05))
    ax.set_xlim(-half, half)
    ax.set_ylim(-half, half)

    # tier rings (P6.tiers) or the network isochrones
    speed = profile.walking_speed_m_per_min
    isochrones = entry.isochrones or {}
    tiers = sorted({tier_minutes(c, profile) for c in category_order(profile)})
    greys = ["#7a7a7a", "#9a9a9a", "#b5b5b5", "#c8c8c8"]
    for n, minutes in enumerate(tiers):
        metres = minutes * speed
        key = str(round(metres))
        label = f"{minutes:g}分钟 {minutes:g} min · {round(metres)} m"
        if round(metres) in isochrones:
            iso = _shift(projector.forward_geometry(isochrones[round(metres)]), x0, y0)
            path = _polygon_path(iso)
            if path is None:
                continue
            ax.add_patch(
                patches.PathPatch(
                    path,
                    facecolor="#4a90c2",
                    alpha=0.10,
                    edgecolor="#2b6a99",
                    lw=1.0,
                    ls="--",
                    gid=f"isochrone-{key}",
                )
            )
            _ix0, _iy0, ix1, iy1 = iso.bounds
            ax.text(
                ix1,
                iy1,
                label + " (路网 network)",
                fontsize=8,
                color="#2b6a99",
                ha="right",
                va="bottom",
                gid=f"isochrone-{key}-label",
            )
            tips[f"isochrone-{key}"] = f"{label}: street-network isochrone"
            continue
        ax.add_patch(
            patches.Circle(
                (0, 0),
                metres,
                fill=False,
                edgecolor=greys[min(n, len(greys) - 1)],
                lw=1.1,
                ls=(0, (5, 4)),
                gid=f"tier-{key}",
            )
        )
        ang = math.radians(62 - 9 * n)
        ax.text(
            metres * math.cos(ang),
            metres * math.sin(ang),
            label,
            fontsize=8,
            color="#555555",
            rotation=ang * 180 / math.pi - 90,
            ha="center",
            va="bottom",
            rotation_mode="anchor",
            gid=f"tier-{key}-label",
        )
    # the service circle (P6.circle)
    ax.add_patch(
        patches.Circle((0, 0), radius, fill=False, edgecolor="#203864", lw=2.2, gid="circle")
    )
    reason = entry.radius_reason
    circ_label = f"服务圈 service circle {round(radius):,} m"
    if reason:
        circ_label += f" ({reason})"
    ax.text(
        0,
        -radius - half * 0.012,
        circ_label,
        ha="center",
        va="top",
        fontsize=9,
        color="#203864",
        gid="circle-label",
    )
    tips["circle"] = circ_label

    # the community
    color = GRADE_COLORS[grade.value]
    path = _polygon_path(local)
    if path is not None:
        ax.add_patch(
            patches.PathPatch(
                path, facecolor=color, alpha=0.35, edgecolor=color, lw=2.0, gid="community"
            )
        )
    else:
        ax.plot([0], [0], marker="o", ms=16, color=color, alpha=0.5, gid="community")
    tips["community"] = f"{entry.name or entry.id} ({entry.id}): {grade.label_zh}"
    ax.plot([0], [0], marker="+", ms=14, mew=2.2, color="black", gid="centre")
    centre_note = "centroid" if entry.center_source != "point" else "point"
    if not entry.center_inside:
        centre_note += ", outside the polygon"
    tips["centre"] = f"中心 centre ({centre_note}): {lon0:.6f}, {lat0:.6f}"

    # facilities by category
    counters: dict[str, int] = {}
    for f, category in sorted(facilities, key=lambda fc: -fc[0].distance_m):
        cat = category or "other"
        n = counters.get(cat, 0)
        counters[cat] = n + 1
        fx, fy = _xy(projector, f.lon, f.lat, x0, y0)
        marker = _TIER_MARKERS.get(tier_minutes(cat, profile), "o") if cat != "other" else "D"
        gid = f"fac-{cat}-{n}"
        ax.plot(
            [fx],
            [fy],
            marker=marker,
            ms=8,
            color=CATEGORY_COLORS.get(cat, _OTHER_COLOR),
            mec="white",
            mew=0.8,
            ls="none",
            gid=gid,
            zorder=4,
        )
        tips[gid] = (
            f"{f.name or '(unnamed)'}\n{type_label(f.type, 'zh')} "
            f"{type_label(f.type, 'en')} · {_metres(f.distance_m)}"
        )

    # gaps: a red line to the nearest facility of each missing type (P4)
    nearest_of = {a.facility_type: a.nearest for a in entry.access}
    notes: list[str] = []
    for g in livable_gaps:
        ftype = g.facility_type
        target = next(iter(nearest_of.get(ftype, ())), None) if ftype else None
        if ftype and target is None:
            notes.append(
                f"{round(search_m / 1000, 1):g} km内没有{type_label(ftype, 'zh')} "
                f"no {type_label(ftype, 'en')} within {round(search_m / 1000, 1):g} km"
            )
        if ftype and g.found:
            # too few of a type (P4, larger communities): ring the ones there are
            notes.append(
                f"{type_label(ftype, 'zh')}：圈内{g.found}处，需{g.required}处  "
                f"{type_label(ftype, 'en')}: {g.found} of {g.required} needed"
            )
            have = [f for f in nearest_of.get(ftype, ()) if f.distance_m <= radius]
            for n, f in enumerate(have):
                hx, hy = _xy(projector, f.lon, f.lat, x0, y0)
                ax.plot(
                    [hx],
                    [hy],
                    marker="o",
                    ms=15,
                    mfc="none",
                    mec=_GAP_COLOR,
                    mew=1.6,
                    ls="none",
                    zorder=5,
                    gid=f"gap-{ftype}-have-{n}",
                )
            continue
        if ftype is None or target is None:
            continue
        fx, fy = _xy(projector, target.lon, target.lat, x0, y0)
        ax.plot(
            [0, fx], [0, fy], color=_GAP_COLOR, lw=1.8, ls=(0, (4, 2)), zorder=5, gid=f"gap-{ftype}"
        )
        ax.plot([fx], [fy], marker="o", ms=15, mfc="none", mec=_GAP_COLOR, mew=2, zorder=5)
        label = (
            f"缺{type_label(ftype, 'zh')} no {type_label(ftype, 'en')}\n"
            f"最近 nearest {_metres(target.distance_m)}"
        )
        ax.text(
            fx * 0.6,
            fy * 0.6,
            label,
            ha="center",
            va="center",
            fontsize=9.5,
            color="white",
            bbox={"boxstyle": "round,pad=0.3", "fc": _GAP_COLOR, "ec": "none", "alpha": 0.92},
            zorder=6,
            gid=f"gap-{ftype}-label",
        )
        tips[f"gap-{ftype}"] = _gap_line(g, search_m)
    for n, note in enumerate(notes):
        ax.text(
            0.02,
            0.98 - n * 0.045,
            note,
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=9.5,
            color="white",
            bbox={"boxstyle": "round,pad=0.3", "fc": _GAP_COLOR, "ec": "none"},
            zorder=7,
            gid=f"gap-note-{n}",
        )
    _scalebar(ax, half)
    _north(ax)

    # title
    name = entry.name or entry.id
    fig.text(0.012, 0.975, f"{name}（{entry.id}）便民服务地图", fontsize=19, va="top", gid="title")
    fig.text(
        0.988,
        0.975,
        f"{grade.label_zh}  {grade.label_en}",
        fontsize=15,
        va="top",
        ha="right",
        color="white",
        gid="title-grade",
        bbox={
            "boxstyle": "round,pad=0.35",
            "fc": color if grade.rank else _GAP_COLOR,
            "ec": "none",
        },
    )
    where = [entry.district, entry.subdistrict]
    zone = entry.zone
    if zone is not None:
        where.append(f"{zone.label_zh} {zone.value}")
    sub = " · ".join(str(w) for w in where if w)
    pop = entry.population
    if pop is not None:
        sub += f" · {pop:,} residents ({entry.size_class})"
    sub += f" · {data.distance} distance · profile {data.profile}"
    fig.text(
        0.012,
        0.925,
        f"Convenience-service map of {entry.id}" + (" · " + sub if sub else ""),
        fontsize=9.5,
        color="#444444",
        va="top",
        gid="subtitle",
    )

    # side panel
    pax = fig.add_axes((0.635, 0.035, 0.355, 0.845))
    pax.set_axis_off()
    pax.set_xlim(0, 1)
    pax.set_ylim(0, 1)
    panel = _Panel(pax)
    panel.text("图例  Legend", size=11, gid="legend-title")
    panel.gap(0.3)
    _key_line(pax, panel.y, "-", "#203864", 2.2)
    pax.text(
        0.1, panel.y, f"服务圈 service circle ({round(radius):,} m)", fontsize=8.5, va="center"
    )
    panel.gap(1.05)
    if isochrones:
        _key_patch(pax, panel.y, "#4a90c2")
        pax.text(0.1, panel.y, "步行路网等时圈 network isochrones", fontsize=8.5, va="center")
    else:
        _key_line(pax, panel.y, (0, (5, 4)), "#7a7a7a", 1.1)
        pax.text(
            0.1, panel.y, "5/10/15 分钟步行圈 walk tiers (P6.tiers)", fontsize=8.5, va="center"
        )
    panel.gap(1.05)
    _key_line(pax, panel.y, (0, (4, 2)), _GAP_COLOR, 1.8)
    pax.text(
        0.1,
        panel.y,
        "缺项 missing：线 = 最近的 nearest，圈 = 不足 too few",
        fontsize=8.5,
        va="center",
    )
    panel.gap(1.05)
    pax.plot([0.05], [panel.y], marker="+", ms=9, mew=2, color="black")
    pax.text(0.1, panel.y, "中心 centre", fontsize=8.5, va="center")
    pax.add_patch(
        patches.Rectangle((0.5, panel.y - 0.008), 0.05, 0.016, fc=color, alpha=0.5, ec=color)
    )
    pax.text(0.57, panel.y, "社区范围 community", fontsize=8.5, va="center")
    panel.gap(1.3)
    panel.text("设施类别（形状 = 步行圈）categories (shape = tier)", size=9)
    panel.gap(0.35)
    keys: list[tuple[str, str, str, str]] = [
        (
            cat,
            CATEGORY_COLORS[cat],
            _TIER_MARKERS.get(tier_minutes(cat, profile), "o"),
            f"{category_label(cat, 'zh')} {category_label(cat, 'en')} "
            f"({tier_minutes(cat, profile):g}′)",
        )
        for cat in category_order(profile)
        if cat in CATEGORY_COLORS
    ]
    if any(not category for _f, category in facilities):
        keys.append(("other", _OTHER_COLOR, "D", "其他 other (no tier)"))
    rows = math.ceil(len(keys) / 2)
    for i, (key, key_color, marker, text) in enumerate(keys):
        col, row = divmod(i, rows)
        yy = panel.y - row * panel.line * 1.02
        pax.add_line(
            lines_mod.Line2D(
                [0.03 + col * 0.5],
                [yy],
                marker=marker,
                ms=7,
                ls="none",
                color=key_color,
                mec="white",
                mew=0.6,
                gid=f"legend-{key}",
            )
        )
        pax.text(0.07 + col * 0.5, yy, text, fontsize=8, va="center")
    panel.y -= rows * panel.line * 1.02
    panel.gap(0.9)

    # why not livable / happy
    if grade is Grade.NOT_LIVABLE:
        panel.text(
            "为何未达到宜居  Why not livable (P4)",
            size=11,
            color=_GAP_COLOR,
            gid="why-livable-title",
        )
        for n, g in enumerate(livable_gaps):
            for k, ln in enumerate(_wrap(_gap_line(g, search_m), 60)):
                panel.text(
                    ("✗ " if k == 0 else "   ") + ln,
                    size=9,
                    color=_GAP_COLOR,
                    gid=f"why-livable-{n}" if k == 0 else None,
                )
        panel.gap(0.6)
    if grade is not Grade.HAPPY:
        panel.text(
            "距幸福社区还差  Short of happy (P5)",
            size=10.5,
            color=_HAPPY_GAP_COLOR,
            gid="why-happy-title",
        )
        for n, g in enumerate(happy_gaps):
            text = g.message_zh + " " + g.message_en
            wrapped = _wrap(text.strip(), 62)
            if panel.y - panel.line * len(wrapped) < 0.02:
                panel.text(
                    f"… +{len(happy_gaps) - n} more (see the handbook)",
                    size=8,
                    color=_HAPPY_GAP_COLOR,
                )
                break
            for k, ln in enumerate(wrapped):
                panel.text(
                    ("• " if k == 0 else "   ") + ln,
                    size=8,
                    color="#6b3b00",
                    gid=f"why-happy-{n}" if k == 0 else None,
                )
    else:
        panel.text("幸福社区：无短板  Happy: no gaps", size=11, color=GRADE_COLORS["happy"])
    return fig, tips


def _key_line(ax: Axes, y: float, ls: Any, color: str, lw: float) -> None:
    ax.plot([0.01, 0.08], [y, y], ls=ls, color=color, lw=lw)


def _key_patch(ax: Axes, y: float, color: str) -> None:
    patches = importlib.import_module("matplotlib.patches")
    ax.add_patch(patches.Rectangle((0.01, y - 0.008), 0.07, 0.016, fc=color, alpha=0.3, ec=color))


# ---------------------------------------------------------------- city map


def _city_map(
    data: Report,
    profile: Profile,
    size: tuple[float, float],
    plan: Plan | None = None,
) -> tuple[Figure, dict[str, str]]:
    patches = importlib.import_module("matplotlib.patches")
    communities = data.communities
    if not communities:
        raise LivableError("the report has no evaluated community to map")
    projector = _projector(data)
    geoms = projector.forward_geometry(np.array([c.geometry for c in communities], dtype=object))
    cxy = np.array([c.center for c in communities], dtype=float)
    px, py = projector.forward(cxy[:, 0], cxy[:, 1])
    bounds = shapely.bounds(geoms)
    x_min, y_min = float(np.nanmin(bounds[:, 0])), float(np.nanmin(bounds[:, 1]))
    x_max, y_max = float(np.nanmax(bounds[:, 2])), float(np.nanmax(bounds[:, 3]))
    x0, y0 = (x_min + x_max) / 2, (y_min + y_max) / 2
    half = max(x_max - x_min, y_max - y_min, 2000.0) / 2 * 1.1
    tips: dict[str, str] = {}

    fig = _new_figure(size)
    ax = fig.add_axes((0.012, 0.035, 0.60, 0.845))
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("#bbbbbb")
    ax.set_facecolor("#fbfbf8")
    ax.set_xlim(-half, half)
    ax.set_ylim(-half, half)

    # districts: a light hull and the name
    m_per_pt = 2 * half / (0.60 * size[0] * 72)
    by_district: dict[str, list[int]] = {}
    for i, c in enumerate(communities):
        by_district.setdefault(c.district or "", []).append(i)
    for d, (name, members) in enumerate(sorted(by_district.items())):
        if not name:
            continue
        hull = shapely.convex_hull(shapely.union_all(geoms[members])).buffer(half * 0.025)
        hull = _shift(hull, x0, y0)
        path = _polygon_path(hull)
        if path is not None:
            ax.add_patch(
                patches.PathPatch(
                    path, fc="#eeeeea", ec="#c9c9c0", lw=0.8, zorder=0, gid=f"district-{d}"
                )
            )
        hx0, _hy0, hx1, hy1 = hull.bounds
        zone = next((z for i in members if (z := communities[i].zone) is not None), None)
        zone_label = f"{zone.label_zh} {zone.value}" if zone is not None else ""
        tips[f"district-{d}"] = f"{name} {zone_label}".strip()
        # a name wider than its district (crowded maps) is left to the tooltip
        room = 1.8 * (hx1 - hx0) / m_per_pt
        label = name
        if zone_label and _cols(zone_label) * 5.5 <= room:
            label += "\n" + zone_label
        if _cols(name) * 5.5 > room and len(by_district) > 6:
            continue
        ax.text(
            (hx0 + hx1) / 2,
            hy1 + half * 0.01,
            label,
            ha="center",
            va="bottom",
            fontsize=11,
            color="#555555",
            gid=f"district-{d}-label",
        )

    # communities by grade; tiny ones (under 4 pt across) also get a dot so they show
    failing: list[int] = []
    dots: dict[str, list[int]] = {}
    for i, c in enumerate(communities):
        grade = c.grade
        color = GRADE_COLORS[grade.value]
        gid = f"com-{grade.value}-{i}"
        local = _shift(geoms[i], x0, y0)
        path = _polygon_path(local)
        if path is not None:
            ax.add_artist(
                patches.PathPatch(
                    path,
                    fc=color,
                    ec="#333333",
                    lw=0.4,
                    hatch=_GRADE_HATCH[grade.value],
                    zorder=2,
                    gid=gid,
                )
            )
            bx0, by0, bx1, by1 = bounds[i]
            if max(bx1 - bx0, by1 - by0) < 4 * m_per_pt:
                dots.setdefault(grade.value, []).append(i)
        else:
            ax.plot(
                [px[i] - x0],
                [py[i] - y0],
                marker="o",
                ms=7,
                color=color,
                mec="#333333",
                mew=0.4,
                zorder=2,
                gid=gid,
            )
        livable_gaps = _livable_gaps(c)
        tip = f"{c.name or c.id} ({c.id})\n{grade.label_zh} {grade.label_en}"
        if livable_gaps:
            tip += "\n" + "\n".join(g.message_zh or g.message_en for g in livable_gaps)
        tips[gid] = tip
        if grade is Grade.NOT_LIVABLE:
            failing.append(i)
    for grade_id, members in dots.items():
        ax.scatter(
            px[members] - x0,
            py[members] - y0,
            s=16 if grade_id == "not_livable" else 6,
            c=GRADE_COLORS[grade_id],
            edgecolors="#333333",
            linewidths=0.3,
            zorder=3 if grade_id == "not_livable" else 2.5,
            gid=f"dots-{grade_id}",
        )

    # number the communities that fall short (when there are few enough to read)
    failing.sort(key=lambda i: communities[i].id)
    flagged = failing if len(failing) <= MAX_FLAGS else []
    placed: list[tuple[float, float]] = []
    for n, i in enumerate(flagged, start=1):
        ox, oy = _free_offset(px[i] - x0, py[i] - y0, placed, m_per_pt)
        ax.annotate(
            str(n),
            xy=(px[i] - x0, py[i] - y0),
            xytext=(ox, oy),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=8,
            color="white",
            bbox={"boxstyle": "circle,pad=0.22", "fc": _GAP_COLOR, "ec": "white", "lw": 0.6},
            arrowprops={"arrowstyle": "-", "color": _GAP_COLOR, "lw": 0.8},
            zorder=6,
            gid=f"flag-{n}",
        )
        tips[f"flag-{n}"] = tips[f"com-not_livable-{i}"]
    _scalebar(ax, half)
    _north(ax)

    # title
    s = data.summary
    fig.text(
        0.012, 0.975, "便民服务地图  Convenience-service map", fontsize=19, va="top", gid="title"
    )
    sub = (
        f"{s.evaluated} 个社区 communities evaluated"
        f" ({s.rejected} rejected) · profile {data.profile}"
        f" · {data.distance} distance · livable {data.livable_version}"
    )
    fig.text(0.012, 0.925, sub, fontsize=9.5, color="#444444", va="top", gid="subtitle")

    # side panel: grades, targets, who falls short and why
    pax = fig.add_axes((0.635, 0.035, 0.355, 0.845))
    pax.set_axis_off()
    pax.set_xlim(0, 1)
    pax.set_ylim(0, 1)
    panel = _Panel(pax)
    grades = {"not_livable": s.not_livable, "livable": s.livable, "happy": s.happy}
    panel.text("社区等级  Grades (P3)", size=11, gid="legend-title")
    panel.gap(0.3)
    for g in (Grade.NOT_LIVABLE, Grade.LIVABLE, Grade.HAPPY):
        pax.add_patch(
            patches.Rectangle(
                (0.01, panel.y - 0.009),
                0.06,
                0.018,
                fc=GRADE_COLORS[g.value],
                ec="#333333",
                lw=0.4,
                hatch=_GRADE_HATCH[g.value],
                gid=f"legend-{g.value}",
            )
        )
        pax.text(
            0.1,
            panel.y,
            f"{g.label_zh} {g.label_en}: {grades.get(g.value, 0)}",
            fontsize=9,
            va="center",
        )
        panel.gap(1.15)
    panel.gap(0.4)
    panel.text("目标完成情况  Targets (P6, by 2021)", size=11, gid="targets-title")
    bar_top = panel.y
    bar_h = 0.17
    bax = fig.add_axes(
        (
            0.635 + 0.355 * 0.29,
            0.035 + 0.845 * (bar_top - bar_h + 0.03),
            0.355 * 0.43,
            0.845 * (bar_h - 0.045),
        )
    )
    _targets_chart(bax, s)
    panel.y = bar_top - bar_h - 0.01
    panel.gap(0.6)

    panel.text(
        f"尚未宜居  Not yet livable ({len(failing)}): why",
        size=11,
        color=_GAP_COLOR,
        gid="why-title",
    )
    missing: dict[str, int] = {}
    for i in failing:
        for ftype in {g.facility_type or g.rule for g in _livable_gaps(communities[i])}:
            missing[ftype] = missing.get(ftype, 0) + 1
    if missing:
        common = sorted(missing.items(), key=lambda kv: (-kv[1], kv[0]))[:4]
        line = "最常缺 most often missing: " + " · ".join(
            f"{type_label(t, 'zh')} ×{n}" for t, n in common
        )
        for k, ln in enumerate(_wrap(line, 66)):
            panel.text(ln, size=8.5, color=_GAP_COLOR, gid="why-common" if k == 0 else None)
    panel.gap(0.3)
    if flagged:
        _why_list(pax, panel, communities, flagged)
    elif failing:
        _why_by_district(panel, communities, failing)
    if not failing:
        panel.text("无  none: every community is livable", size=9)
    if plan is not None:
        _plan_overlay(ax, plan, projector, x0, y0, tips)
    return fig, tips


def _plan_overlay(
    ax: Any,
    plan: Plan,
    projector: Projector,
    x0: float,
    y0: float,
    tips: dict[str, str],
) -> None:
    """Planned sites of ``livable plan`` (P6 stage 2) as numbered stars on the city map."""
    sites = plan.sites
    if not sites:
        return
    lonlat = np.array([(f.lon, f.lat) for f in sites], dtype=float)
    sx, sy = projector.forward(lonlat[:, 0], lonlat[:, 1])
    for k, (f, x, y) in enumerate(zip(sites, sx - x0, sy - y0, strict=True)):
        gid = f"plan-site-{k}"
        ax.scatter(
            [x],
            [y],
            marker="*",
            s=260,
            c="#f2b705",
            edgecolors="#5b4500",
            linewidths=0.9,
            zorder=9,
            gid=gid,
        )
        ax.text(
            x,
            y,
            str(f.rank),
            fontsize=7,
            ha="center",
            va="center",
            zorder=10,
            gid=f"{gid}-label",
        )
        ftype = f.facility_type
        label = FACILITY_TYPES[ftype].label_zh if ftype in FACILITY_TYPES else ftype
        closes = ", ".join(f.closes) or "-"
        tips[gid] = f"规划新增 planned {label} {ftype} #{f.rank}: closes {closes}"
    ax.text(
        0.01,
        0.01,
        f"★ 规划新增设施 planned sites: {len(sites)} · livable "
        f"{plan.livable_before} → {plan.livable_after}",
        transform=ax.transAxes,
        fontsize=9,
        color="#5b4500",
        gid="plan-legend",
    )


_FLAG_OFFSETS = [
    (9.0, 9.0),
    (-9.0, 9.0),
    (9.0, -9.0),
    (-9.0, -9.0),
    (14.0, 0.0),
    (-14.0, 0.0),
    (0.0, 14.0),
    (0.0, -14.0),
    (18.0, 14.0),
    (-18.0, 14.0),
    (18.0, -14.0),
    (-18.0, -14.0),
]


def _free_offset(
    x: float, y: float, placed: list[tuple[float, float]], m_per_pt: float
) -> tuple[float, float]:
    """The first label offset (points) whose label clears those already placed; records it."""
    best: tuple[float, float] = _FLAG_OFFSETS[0]
    best_overlap = math.inf
    clearance = 15.0 * m_per_pt
    for ox, oy in _FLAG_OFFSETS:
        lx, ly = x + ox * m_per_pt, y + oy * m_per_pt
        overlap = sum(max(0.0, clearance - math.hypot(lx - a, ly - b)) for a, b in placed)
        if overlap < best_overlap - 1e-9:
            best, best_overlap = (ox, oy), overlap
        if overlap == 0.0:
            break
    placed.append((x + best[0] * m_per_pt, y + best[1] * m_per_pt))
    return best


def _why_list(
    pax: Axes, panel: _Panel, communities: Sequence[CommunityResult], flagged: Sequence[int]
) -> None:
    """The numbered communities that are not yet livable, each with what it lacks (P4)."""
    for n, i in enumerate(flagged, start=1):
        c = communities[i]
        gaps = _livable_gaps(c)
        head = f"{c.name or ''} {c.id}".strip()
        lines = _wrap(f"{head}: {_short_reason(gaps) or '-'}", 64)
        if panel.y - panel.line * len(lines) * 0.95 < 0.03:
            panel.text(
                f"… +{len(flagged) - n + 1} more (see report.json)", size=8.5, color=_GAP_COLOR
            )
            return
        pax.text(
            0.02,
            panel.y,
            str(n),
            fontsize=7,
            color="white",
            ha="center",
            va="top",
            bbox={"boxstyle": "circle,pad=0.2", "fc": _GAP_COLOR, "ec": "none"},
        )
        for k, ln in enumerate(lines):
            pax.text(
                0.06,
                panel.y,
                ln,
                fontsize=8.5,
                va="top",
                color="#222222",
                gid=f"why-{n}" if k == 0 else None,
            )
            panel.gap(0.95)


def _why_by_district(
    panel: _Panel, communities: Sequence[CommunityResult], failing: Sequence[int]
) -> None:
    """Too many to number: per district, how many fall short and what they lack most."""
    total: dict[str, int] = {}
    for c in communities:
        key = c.district or "-"
        total[key] = total.get(key, 0) + 1
    short: dict[str, list[int]] = {}
    for i in failing:
        short.setdefault(communities[i].district or "-", []).append(i)
    panel.text("区 district: 尚未宜居 not livable / 社区 all · 最常缺 most missing", size=8.5)
    rows = sorted(short.items(), key=lambda kv: (-len(kv[1]) / total[kv[0]], kv[0]))
    for n, (district, members) in enumerate(rows):
        if panel.y - panel.line < 0.03:
            panel.text(
                f"… +{len(rows) - n} more districts (see report.json)", size=8.5, color=_GAP_COLOR
            )
            return
        counts: dict[str, int] = {}
        for i in members:
            for g in _livable_gaps(communities[i]):
                key = g.facility_type or g.rule
                counts[key] = counts.get(key, 0) + 1
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:2]
        what = "、".join(f"{type_label(t, 'zh')}×{k}" for t, k in top)
        panel.text(
            f"{district}: {len(members)} / {total[district]} · {what}",
            size=8.5,
            color="#222222",
            gid=f"why-district-{n}",
        )


def _targets_chart(ax: Axes, s: Summary) -> None:
    rows = [
        ("宜居占比\nlivable", s.livable_share, s.target_livable_share),
        ("中心城区幸福\nhappy, central", s.happy_share_central, s.target_happy_share_central),
        (
            "周边城区幸福\nhappy, peripheral",
            s.happy_share_peripheral,
            s.target_happy_share_peripheral,
        ),
    ]
    ys = np.arange(len(rows))[::-1]
    for y, (_label, actual, target) in zip(ys, rows, strict=True):
        met = actual is not None and actual >= target - 1e-12
        value = 0.0 if actual is None else float(actual)
        ax.barh(y, 1.0, color="#eeeeee", height=0.62)
        ax.barh(
            y,
            value,
            color="#2166ac" if met else _GAP_COLOR,
            height=0.62,
            gid=f"target-bar-{int(y)}",
        )
        ax.plot([target, target], [y - 0.42, y + 0.42], color="black", lw=2)
        text = "-" if actual is None else f"{100 * value:.1f}%"
        ax.text(
            1.04,
            y,
            f"{text} / {100 * target:.0f}% {'✓' if met else '✗'}",
            va="center",
            fontsize=8.5,
            color="#2166ac" if met else _GAP_COLOR,
        )
    ax.set_yticks(ys, [r[0] for r in rows], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.5, 1.0], ["0", "50%", "100%"], fontsize=7)
    ax.tick_params(length=2, pad=2)
    ax.set_xlabel("实际 actual / 目标 target (black line)", fontsize=7.5, labelpad=2)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_gid("targets")


# ---------------------------------------------------------------- public API


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
    with _style():
        fig, _tips = _community_map(data, community, report_profile(data, profile), size)
    return fig


def city_figure(
    report: ReportSource,
    *,
    profile: str | Path | Profile | None = None,
    size: tuple[float, float] = A4_LANDSCAPE_IN,
    plan: PlanSource | None = None,
) -> Figure:
    """The city map as a matplotlib Figure: communities by grade and the targets (``P6``).

    ``plan`` (a :class:`~livable.report.planner.Plan` or the path of its GeoJSON) draws
    the planned sites as numbered stars.

    >>> import livable
    >>> from livable.testing import community
    >>> fig = city_figure(livable.evaluate([community("c1", 108.94, 34.26, size_m=500)], []))
    >>> [a.get_gid() for a in fig.axes[0].patches]
    ['com-not_livable-0', 'scalebar-box']
    """
    data = as_report(report)
    sites = None if plan is None else as_plan(plan)
    with _style():
        fig, _tips = _city_map(data, report_profile(data, profile), size, sites)
    return fig


_HTML = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{margin:0;background:#fff;font-family:"Noto Sans SC","Noto Sans CJK SC","Source Han Sans SC",
"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif}}
{font_face}
#map svg{{display:block;width:100%;height:auto;max-width:1600px;margin:0 auto}}
#map svg text{{font-family:"LivableMap","Noto Sans SC","Noto Sans CJK SC","Source Han Sans SC",
"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif !important}}
#tip{{position:fixed;display:none;pointer-events:none;background:#fff;border:1px solid #888;
border-radius:4px;padding:4px 8px;font-size:13px;white-space:pre-line;max-width:28em;
box-shadow:0 2px 6px rgba(0,0,0,.25);z-index:10}}
.hastip{{cursor:pointer}}.hastip:hover{{opacity:.7}}
</style>
</head>
<body>
<div id="map">
{svg}
</div>
<div id="tip" role="tooltip"></div>
<script type="application/json" id="tips">{tips}</script>
<script>
(function () {{
  var tips = JSON.parse(document.getElementById("tips").textContent);
  var tip = document.getElementById("tip");
  Object.keys(tips).forEach(function (id) {{
    var el = document.getElementById(id);
    if (!el) return;
    el.classList.add("hastip");
    el.addEventListener("mousemove", function (e) {{
      tip.textContent = tips[id];
      tip.style.display = "block";
      tip.style.left = (e.clientX + 14) + "px";
      tip.style.top = (e.clientY + 14) + "px";
    }});
    el.addEventListener("mouseleave", function () {{ tip.style.display = "none"; }});
  }});
}})();
</script>
</body>
</html>
"""


def _font_face(svg: str, family: str | None) -> str:
    """An ``@font-face`` rule embedding the map's font, cut down to the glyphs it uses.

    The page then shows the same letters as the PNG without any font on the viewer's
    machine and without fetching one (a ``data:`` URL). Empty when the font is a
    collection or cannot be read; the CSS font list still names common CJK fonts.
    """
    if family is None:
        return ""
    font_manager = importlib.import_module("matplotlib.font_manager")
    try:
        path = font_manager.findfont(
            font_manager.FontProperties(family=family), fallback_to_default=False
        )
        subset = importlib.import_module("fontTools.subset")
    except (ImportError, ValueError):
        return ""
    if not str(path).lower().endswith((".otf", ".ttf")):
        return ""
    chars = {html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}
    text = "".join(chars) + "0123456789%.,:-/ ()"
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    buf = io.BytesIO()
    try:
        font = subset.load_font(str(path), options, lazy=False)
        try:
            subsetter = subset.Subsetter(options)
            subsetter.populate(text=text)
            subsetter.subset(font)
            subset.save_font(font, buf, options)
        finally:
            font.close()
    except Exception:  # a font fontTools cannot cut: fall back to the viewer's fonts
        return ""
    kind = "opentype" if str(path).lower().endswith(".otf") else "truetype"
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'@font-face{{font-family:"LivableMap";src:url(data:font/{kind};base64,{data}) '
        f'format("{kind}")}}'
    )


def _html_page(svg: str, tips: Mapping[str, str], title: str, family: str | None) -> str:
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    body = re.sub(r"<metadata>.*?</metadata>\s*", "", body, count=1, flags=re.S)
    payload = json.dumps(dict(tips), ensure_ascii=False).replace("</", "<\\/")
    return _HTML.format(
        title=html.escape(title), svg=body, tips=payload, font_face=_font_face(svg, family)
    )


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
) -> Path:
    """Draw the map of one community (or, without ``community``, the city) into ``out``.

    The suffix picks the format: ``.png`` (``dpi``, 200 by default: 2338 px wide), ``.svg``
    (text kept as text; layers carry ids: ``community``, ``circle``, ``tier-400``, ...,
    ``fac-<category>-<n>``, ``gap-<type>``, ``com-<grade>-<n>``) or ``.html`` (the SVG
    inline with hover tooltips; self-contained, viewable offline). ``font`` names a font
    file with Chinese glyphs to use before the bundled one (see :func:`cjk_font`).
    ``plan`` (a :class:`~livable.report.planner.Plan`, or the path of the GeoJSON of
    ``livable plan``) draws the planned sites on the city map as numbered stars.
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
    with _style(font) as family:
        if community is None:
            fig, tips = _city_map(data, prof, size, sites)
            title = "便民服务地图 Convenience-service map"
        else:
            fig, tips = _community_map(data, community, prof, size)
            entry = find_community(data, community)
            title = f"{entry.name or community}（{community}）便民服务地图"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if suffix == ".png":
                fig.savefig(path, dpi=dpi, format="png", metadata={"Software": None})
            elif suffix == ".svg":
                fig.savefig(path, format="svg", metadata={"Date": None})
            else:
                buf = io.StringIO()
                fig.savefig(buf, format="svg", metadata={"Date": None})
                page = _html_page(buf.getvalue(), tips, title, family)
                path.write_text(page, encoding="utf-8")
        except OSError as exc:
            raise LivableError(f"{path}: cannot write: {exc.strerror}") from exc
    return path
