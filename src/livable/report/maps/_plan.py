"""The plan overlay: the planned sites of ``livable plan`` (``P6`` stage 2) on the city map."""

from __future__ import annotations

from typing import Any

import numpy as np

from livable.geometry.crs import Projector
from livable.models import FACILITY_TYPES
from livable.report.planner import Plan


def plan_overlay(
    ax: Any,
    plan: Plan,
    projector: Projector,
    x0: float,
    y0: float,
    tips: dict[str, str],
) -> None:
    """Planned sites of ``livable plan`` (P6 stage 2) as numbered stars on the city map.

    ``x0``, ``y0`` is the map's centre in the working CRS; ``tips`` gets a tooltip a site.

    >>> import livable
    >>> from livable.report._doc import report_projector
    >>> from livable.report.maps._matplotlib import new_figure
    >>> from livable.report.planner import plan
    >>> from livable.testing import community
    >>> report = livable.evaluate([community("c1", 108.94, 34.26, size_m=500)], [])
    >>> ax, tips = new_figure((4.0, 3.0)).add_axes((0, 0, 1, 1)), {}
    >>> sites = plan(report, ["kindergarten"], budget=1, grid_m=200)
    >>> plan_overlay(ax, sites, report_projector(report), 0.0, 0.0, tips)
    >>> tips
    {'plan-site-0': '规划新增 planned 幼儿园 kindergarten #1: closes c1'}
    """
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
