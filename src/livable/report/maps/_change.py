"""The change overlay: communities whose grade moved up or down since a baseline report
(``P6`` stages, ``P8`` progress), with its legend."""

from __future__ import annotations

from typing import Any

import numpy as np

from livable.geometry.crs import Projector
from livable.models import Report
from livable.report.diff import CommunityChange, ReportDiff
from livable.report.maps._draw import Panel

UP_COLOR = "#1a9641"
"""The marker colour of a community whose grade went up."""

DOWN_COLOR = "#7b3294"
"""The marker colour of a community whose grade went down (purple: it stands out on the
red of a community that is not livable)."""


def change_overlay(
    ax: Any,
    data: Report,
    changes: ReportDiff,
    projector: Projector,
    x0: float,
    y0: float,
    tips: dict[str, str],
) -> None:
    """Mark on the city map each community whose grade moved since the baseline.

    A green triangle pointing up (SVG id ``moved-up-<n>``) or a purple one pointing down
    (``moved-down-<n>``) at its centre, ``n`` the community's index in the report (as in
    ``com-<grade>-<n>``); ``tips`` gets the grades before and after and the gaps closed or
    opened. :func:`change_legend` draws the key.

    >>> import livable
    >>> from livable.report.diff import diff
    >>> from livable.report._doc import report_projector
    >>> from livable.report.maps._matplotlib import new_figure
    >>> from livable.testing import community
    >>> r = livable.evaluate([community("c1", 108.94, 34.26, size_m=500)], [])
    >>> ax, tips = new_figure((4.0, 3.0)).add_axes((0, 0, 1, 1)), {}
    >>> change_overlay(ax, r, diff(r, r), report_projector(r), 0.0, 0.0, tips)
    >>> tips
    {}
    """
    index = {c.id: i for i, c in enumerate(data.communities)}
    moved = [(c, index[c.id]) for c in (*changes.up, *changes.down) if c.id in index]
    if not moved:
        return
    lonlat = np.array([data.communities[i].center for _, i in moved], dtype=float)
    mx, my = projector.forward(lonlat[:, 0], lonlat[:, 1])
    for (c, i), x, y in zip(moved, mx - x0, my - y0, strict=True):
        gid = f"moved-{c.direction}-{i}"
        _marker(ax, x, y, c.direction == "up", gid)
        tips[gid] = _tip(c)


def change_legend(panel: Panel, changes: ReportDiff) -> None:
    """The key of :func:`change_overlay` in the side panel: a title (``change-legend``)
    and a marker with the count a direction (``change-legend-up``, ``change-legend-down``).

    >>> import livable
    >>> from livable.report.diff import diff
    >>> from livable.report.maps._matplotlib import new_figure
    >>> from livable.testing import community
    >>> r = livable.evaluate([community("c1", 108.94, 34.26, size_m=500)], [])
    >>> pax = new_figure((4.0, 3.0)).add_axes((0, 0, 1, 1))
    >>> change_legend(Panel(pax), diff(r, r))
    >>> [t.get_text() for t in pax.texts]
    ['相比基期  Since the baseline', '等级上升 moved up: 0', '等级下降 moved down: 0']
    """
    ax = panel.ax
    panel.text("相比基期  Since the baseline", size=11, gid="change-legend")
    panel.gap(0.3)
    for up, label, count in (
        (True, "等级上升 moved up", len(changes.up)),
        (False, "等级下降 moved down", len(changes.down)),
    ):
        _marker(ax, 0.04, panel.y, up, f"change-legend-{'up' if up else 'down'}", legend=True)
        ax.text(0.1, panel.y, f"{label}: {count}", fontsize=9, va="center")
        panel.gap(1.15)


def _marker(ax: Any, x: float, y: float, up: bool, gid: str, *, legend: bool = False) -> None:
    extra: dict[str, Any] = {"clip_on": False} if legend else {}
    ax.scatter(
        [x],
        [y],
        marker="^" if up else "v",
        s=60 if legend else 90,
        c=UP_COLOR if up else DOWN_COLOR,
        edgecolors="white",
        linewidths=0.8,
        zorder=8,
        gid=gid,
        **extra,
    )


def _tip(c: CommunityChange) -> str:
    who = f"{c.name} ({c.id})" if c.name else c.id
    lines = [
        f"{who}: {c.grade_before.label_zh} → {c.grade_after.label_zh} "
        f"({c.grade_before.value} → {c.grade_after.value})"
    ]
    if c.closed:
        lines.append("补齐 closed: " + ", ".join(g.key for g in c.closed))
    if c.opened:
        lines.append("新增短板 opened: " + ", ".join(g.key for g in c.opened))
    return "\n".join(lines)
