"""The map of the whole city: communities by grade, who falls short and why, the targets
(``P3``, ``P4``, ``P6``); the planned sites are drawn by :mod:`._plan`."""

from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from livable.errors import LivableError
from livable.models import Grade
from livable.models.results import CommunityResult, Report, Summary
from livable.profile import Profile
from livable.report._doc import report_projector, type_label
from livable.report.diff import ReportDiff
from livable.report.maps._change import change_legend, change_overlay
from livable.report.maps._draw import (
    Panel,
    north_arrow,
    polygon_path,
    scalebar,
    shift,
)
from livable.report.maps._labels import cols, livable_gaps_of, short_reason, wrap
from livable.report.maps._matplotlib import new_figure
from livable.report.maps._plan import plan_overlay
from livable.report.maps._streets import draw_streets
from livable.report.maps._style import GAP_COLOR, GRADE_COLORS, GRADE_HATCH
from livable.report.planner import Plan

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def city_map(
    data: Report,
    profile: Profile,
    size: tuple[float, float],
    plan: Plan | None,
    max_flags: int,
    changes: ReportDiff | None = None,
    streets: list[Any] | None = None,
) -> tuple[Figure, dict[str, str]]:
    """The city map and its tooltips (SVG id -> text); at most ``max_flags`` numbered flags.

    >>> import livable
    >>> from livable.profile import load_profile
    >>> from livable.testing import community
    >>> report = livable.evaluate([community("c1", 108.94, 34.26, size_m=500)], [])
    >>> fig, tips = city_map(report, load_profile("xian-2020"), (8.0, 6.0), None, 40)
    >>> sorted(tips)
    ['com-not_livable-0', 'flag-1']
    """
    patches = importlib.import_module("matplotlib.patches")
    communities = data.communities
    if not communities:
        raise LivableError("the report has no evaluated community to map")
    projector = report_projector(data)
    geoms = projector.forward_geometry(np.array([c.geometry for c in communities], dtype=object))
    cxy = np.array([c.center for c in communities], dtype=float)
    px, py = projector.forward(cxy[:, 0], cxy[:, 1])
    bounds = shapely.bounds(geoms)
    x_min, y_min = float(np.nanmin(bounds[:, 0])), float(np.nanmin(bounds[:, 1]))
    x_max, y_max = float(np.nanmax(bounds[:, 2])), float(np.nanmax(bounds[:, 3]))
    x0, y0 = (x_min + x_max) / 2, (y_min + y_max) / 2
    half = max(x_max - x_min, y_max - y_min, 2000.0) / 2 * 1.1
    tips: dict[str, str] = {}

    fig = new_figure(size)
    ax = fig.add_axes((0.012, 0.035, 0.60, 0.845))
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("#bbbbbb")
    ax.set_facecolor("#fbfbf8")
    ax.set_xlim(-half, half)
    ax.set_ylim(-half, half)
    draw_streets(ax, streets or [], projector, x0, y0, 0.35)

    # districts: a light hull and the name
    m_per_pt = 2 * half / (0.60 * size[0] * 72)
    by_district: dict[str, list[int]] = {}
    for i, c in enumerate(communities):
        by_district.setdefault(c.district or "", []).append(i)
    for d, (name, members) in enumerate(sorted(by_district.items())):
        if not name:
            continue
        hull = shapely.convex_hull(shapely.union_all(geoms[members])).buffer(half * 0.025)
        hull = shift(hull, x0, y0)
        path = polygon_path(hull)
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
        if zone_label and cols(zone_label) * 5.5 <= room:
            label += "\n" + zone_label
        if cols(name) * 5.5 > room and len(by_district) > 6:
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
        local = shift(geoms[i], x0, y0)
        path = polygon_path(local)
        if path is not None:
            ax.add_artist(
                patches.PathPatch(
                    path,
                    fc=color,
                    ec="#333333",
                    lw=0.4,
                    hatch=GRADE_HATCH[grade.value],
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
        livable_gaps = livable_gaps_of(c)
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
    flagged = failing if len(failing) <= max_flags else []
    placed: list[tuple[float, float]] = []
    anchors = [(px[i] - x0, py[i] - y0) for i in flagged]
    for n, i in enumerate(flagged, start=1):
        ox, oy = _free_offset(px[i] - x0, py[i] - y0, placed, m_per_pt, anchors)
        ax.annotate(
            str(n),
            xy=(px[i] - x0, py[i] - y0),
            xytext=(ox, oy),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=8,
            color="white",
            bbox={"boxstyle": "circle,pad=0.22", "fc": GAP_COLOR, "ec": "white", "lw": 0.6},
            arrowprops={"arrowstyle": "-", "color": GAP_COLOR, "lw": 0.8},
            zorder=6,
            gid=f"flag-{n}",
        )
        tips[f"flag-{n}"] = tips[f"com-not_livable-{i}"]
    scalebar(ax, half)
    north_arrow(ax)

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
    panel = Panel(pax)
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
                hatch=GRADE_HATCH[g.value],
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
    if changes is not None:
        panel.gap(0.4)
        change_legend(panel, changes)
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
        color=GAP_COLOR,
        gid="why-title",
    )
    missing: dict[str, int] = {}
    for i in failing:
        for ftype in {g.facility_type or g.rule for g in livable_gaps_of(communities[i])}:
            missing[ftype] = missing.get(ftype, 0) + 1
    if missing:
        common = sorted(missing.items(), key=lambda kv: (-kv[1], kv[0]))[:4]
        line = "最常缺 most often missing: " + " · ".join(
            f"{type_label(t, 'zh')} ×{n}" for t, n in common
        )
        for k, ln in enumerate(wrap(line, 66)):
            panel.text(ln, size=8.5, color=GAP_COLOR, gid="why-common" if k == 0 else None)
    panel.gap(0.3)
    if flagged:
        _why_list(pax, panel, communities, flagged)
    elif failing:
        _why_by_district(panel, communities, failing)
    if not failing:
        panel.text("无  none: every community is livable", size=9)
    if plan is not None:
        plan_overlay(ax, plan, projector, x0, y0, tips)
    if changes is not None:
        change_overlay(ax, data, changes, projector, x0, y0, tips)
    return fig, tips


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
    *(
        (round(r * math.cos(a), 2), round(r * math.sin(a), 2))
        for r in (26.0, 34.0)
        for a in (math.radians(15 + 30 * k) for k in range(12))
    ),
]
"""Where a flag may go, in points from its community, nearest first."""

_FLAG_RADIUS_PT = 7.0
"""Half the width of a numbered flag: an 8 pt number of two digits in its circle is 13.6 pt."""

_FLAG_GAP_PT = 1.5
"""The white space kept between two flags, and between a flag and a flagged community."""


def _free_offset(
    x: float,
    y: float,
    placed: list[tuple[float, float]],
    m_per_pt: float,
    anchors: Sequence[tuple[float, float]] = (),
) -> tuple[float, float]:
    """The first flag offset (points) that neither touches a flag already ``placed`` nor covers
    another flagged community (``anchors``), or else the least crowded one; records it.

    >>> placed: list[tuple[float, float]] = []
    >>> _free_offset(0.0, 0.0, placed, 1.0), _free_offset(0.0, 0.0, placed, 1.0)
    ((9.0, 9.0), (-9.0, 9.0))
    >>> _free_offset(0.0, 0.0, [], 1.0, anchors=[(9.0, 9.0)])
    (-9.0, 9.0)
    """
    best: tuple[float, float] = _FLAG_OFFSETS[0]
    best_overlap = math.inf
    apart = (2 * _FLAG_RADIUS_PT + _FLAG_GAP_PT) * m_per_pt
    off = (_FLAG_RADIUS_PT + _FLAG_GAP_PT) * m_per_pt
    others = [(a, b) for a, b in anchors if (a, b) != (x, y)]
    for ox, oy in _FLAG_OFFSETS:
        lx, ly = x + ox * m_per_pt, y + oy * m_per_pt
        overlap = sum(max(0.0, apart - math.hypot(lx - a, ly - b)) for a, b in placed)
        overlap += sum(max(0.0, off - math.hypot(lx - a, ly - b)) for a, b in others)
        if overlap < best_overlap - 1e-9:
            best, best_overlap = (ox, oy), overlap
        if overlap == 0.0:
            break
    placed.append((x + best[0] * m_per_pt, y + best[1] * m_per_pt))
    return best


def _why_list(
    pax: Axes, panel: Panel, communities: Sequence[CommunityResult], flagged: Sequence[int]
) -> None:
    """The numbered communities that are not yet livable, each with what it lacks (P4)."""
    for n, i in enumerate(flagged, start=1):
        c = communities[i]
        gaps = livable_gaps_of(c)
        head = f"{c.name or ''} {c.id}".strip()
        lines = wrap(f"{head}: {short_reason(gaps) or '-'}", 64)
        if panel.y - panel.line * len(lines) * 0.95 < 0.03:
            panel.text(
                f"… +{len(flagged) - n + 1} more (see report.json)", size=8.5, color=GAP_COLOR
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
            bbox={"boxstyle": "circle,pad=0.2", "fc": GAP_COLOR, "ec": "none"},
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
    panel: Panel, communities: Sequence[CommunityResult], failing: Sequence[int]
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
                f"… +{len(rows) - n} more districts (see report.json)", size=8.5, color=GAP_COLOR
            )
            return
        counts: dict[str, int] = {}
        for i in members:
            for g in livable_gaps_of(communities[i]):
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
            color="#2166ac" if met else GAP_COLOR,
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
            color="#2166ac" if met else GAP_COLOR,
        )
    ax.set_yticks(ys, [r[0] for r in rows], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.5, 1.0], ["0", "50%", "100%"], fontsize=7)
    ax.tick_params(length=2, pad=2)
    ax.set_xlabel("实际 actual / 目标 target (black line)", fontsize=7.5, labelpad=2)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_gid("targets")
