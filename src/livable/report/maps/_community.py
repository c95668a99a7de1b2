"""The map of one community: its circle, tiers, facilities, gaps and side panel (``P7``)."""

from __future__ import annotations

import importlib
import math
from typing import TYPE_CHECKING, Any

from livable.models import Grade
from livable.models.results import CommunityResult, NearbyFacility, Report
from livable.profile import Profile
from livable.report._doc import (
    category_label,
    category_order,
    find_community,
    report_projector,
    tier_minutes,
    type_label,
)
from livable.report.maps._draw import (
    Panel,
    local_xy,
    north_arrow,
    polygon_path,
    scalebar,
    shift,
)
from livable.report.maps._labels import gap_line, livable_gaps_of, metres_text, wrap
from livable.report.maps._matplotlib import new_figure
from livable.report.maps._streets import draw_streets
from livable.report.maps._style import (
    CATEGORY_COLORS,
    GAP_COLOR,
    GRADE_COLORS,
    HAPPY_GAP_COLOR,
    OTHER_COLOR,
    TIER_MARKERS,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


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


def community_map(
    data: Report,
    community_id: str,
    profile: Profile,
    size: tuple[float, float],
    streets: list[Any] | None = None,
) -> tuple[Figure, dict[str, str]]:
    """The map of one community and its tooltips (SVG id -> text).

    >>> import livable
    >>> from livable.profile import load_profile
    >>> from livable.testing import community
    >>> report = livable.evaluate([community("c1", 108.94, 34.26)], [])
    >>> fig, tips = community_map(report, "c1", load_profile("xian-2020"), (8.0, 6.0))
    >>> sorted(tips)[:3]
    ['centre', 'circle', 'community']
    """
    patches = importlib.import_module("matplotlib.patches")
    lines_mod = importlib.import_module("matplotlib.lines")
    entry = find_community(data, community_id)
    grade = entry.grade
    projector = report_projector(data)
    lon0, lat0 = entry.center
    cx, cy = projector.forward([lon0], [lat0])
    x0, y0 = float(cx[0]), float(cy[0])
    radius = float(entry.radius_m or profile.circle_radius_m)
    search_m = profile.search_radius_m
    tips: dict[str, str] = {}

    fig = new_figure(size)
    ax = fig.add_axes((0.012, 0.035, 0.60, 0.845))
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("#bbbbbb")
    ax.set_facecolor("#fbfbf8")

    livable_gaps = livable_gaps_of(entry)
    happy_gaps = [g for g in entry.gaps if g.grade is not Grade.LIVABLE]
    facilities = _facilities(entry)

    # extent: the circle with a margin, widened to show the nearest missing facilities
    geom = projector.forward_geometry(entry.geometry)
    local = shift(geom, x0, y0)
    minx, miny, maxx, maxy = local.bounds
    half = max(radius * 1.2, abs(minx), abs(miny), abs(maxx), abs(maxy)) * 1.02
    for g in livable_gaps:
        if g.distance_m is not None:
            half = max(half, min(g.distance_m * 1.12, search_m * 1.05))
    ax.set_xlim(-half, half)
    ax.set_ylim(-half, half)
    draw_streets(ax, streets or [], projector, x0, y0, 0.8)

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
            iso = shift(projector.forward_geometry(isochrones[round(metres)]), x0, y0)
            path = polygon_path(iso)
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
    path = polygon_path(local)
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
        fx, fy = local_xy(projector, f.lon, f.lat, x0, y0)
        marker = TIER_MARKERS.get(tier_minutes(cat, profile), "o") if cat != "other" else "D"
        gid = f"fac-{cat}-{n}"
        ax.plot(
            [fx],
            [fy],
            marker=marker,
            ms=8,
            color=CATEGORY_COLORS.get(cat, OTHER_COLOR),
            mec="white",
            mew=0.8,
            ls="none",
            gid=gid,
            zorder=4,
        )
        tips[gid] = (
            f"{f.name or '(unnamed)'}\n{type_label(f.type, 'zh')} "
            f"{type_label(f.type, 'en')} · {metres_text(f.distance_m)}"
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
                hx, hy = local_xy(projector, f.lon, f.lat, x0, y0)
                ax.plot(
                    [hx],
                    [hy],
                    marker="o",
                    ms=15,
                    mfc="none",
                    mec=GAP_COLOR,
                    mew=1.6,
                    ls="none",
                    zorder=5,
                    gid=f"gap-{ftype}-have-{n}",
                )
            continue
        if ftype is None or target is None:
            continue
        fx, fy = local_xy(projector, target.lon, target.lat, x0, y0)
        ax.plot(
            [0, fx], [0, fy], color=GAP_COLOR, lw=1.8, ls=(0, (4, 2)), zorder=5, gid=f"gap-{ftype}"
        )
        ax.plot([fx], [fy], marker="o", ms=15, mfc="none", mec=GAP_COLOR, mew=2, zorder=5)
        label = (
            f"缺{type_label(ftype, 'zh')} no {type_label(ftype, 'en')}\n"
            f"最近 nearest {metres_text(target.distance_m)}"
        )
        ax.text(
            fx * 0.6,
            fy * 0.6,
            label,
            ha="center",
            va="center",
            fontsize=9.5,
            color="white",
            bbox={"boxstyle": "round,pad=0.3", "fc": GAP_COLOR, "ec": "none", "alpha": 0.92},
            zorder=6,
            gid=f"gap-{ftype}-label",
        )
        tips[f"gap-{ftype}"] = gap_line(g, search_m)
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
            bbox={"boxstyle": "round,pad=0.3", "fc": GAP_COLOR, "ec": "none"},
            zorder=7,
            gid=f"gap-note-{n}",
        )
    scalebar(ax, half)
    north_arrow(ax)

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
            "fc": color if grade.rank else GAP_COLOR,
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
    panel = Panel(pax)
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
    _key_line(pax, panel.y, (0, (4, 2)), GAP_COLOR, 1.8)
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
            TIER_MARKERS.get(tier_minutes(cat, profile), "o"),
            f"{category_label(cat, 'zh')} {category_label(cat, 'en')} "
            f"({tier_minutes(cat, profile):g}′)",
        )
        for cat in category_order(profile)
        if cat in CATEGORY_COLORS
    ]
    if any(not category for _f, category in facilities):
        keys.append(("other", OTHER_COLOR, "D", "其他 other (no tier)"))
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
            color=GAP_COLOR,
            gid="why-livable-title",
        )
        for n, g in enumerate(livable_gaps):
            for k, ln in enumerate(wrap(gap_line(g, search_m), 60)):
                panel.text(
                    ("✗ " if k == 0 else "   ") + ln,
                    size=9,
                    color=GAP_COLOR,
                    gid=f"why-livable-{n}" if k == 0 else None,
                )
        panel.gap(0.6)
    if grade is not Grade.HAPPY:
        panel.text(
            "距幸福社区还差  Short of happy (P5)",
            size=10.5,
            color=HAPPY_GAP_COLOR,
            gid="why-happy-title",
        )
        for n, g in enumerate(happy_gaps):
            text = g.message_zh + " " + g.message_en
            wrapped = wrap(text.strip(), 62)
            if panel.y - panel.line * len(wrapped) < 0.02:
                panel.text(
                    f"… +{len(happy_gaps) - n} more (see the handbook)",
                    size=8,
                    color=HAPPY_GAP_COLOR,
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
