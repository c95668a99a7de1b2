"""A :class:`~livable.ReportDiff` as text, Markdown, CSV, XLSX or JSON.

:func:`format_diff` is what ``livable diff`` prints; :func:`write_diff` writes the file of
``livable diff --out FILE`` by its suffix:

- ``.json``: :meth:`~livable.ReportDiff.to_dict` (``diff.schema.json``);
- ``.md``: the printed text as a Markdown document;
- ``.csv``: one row per community whose grade or gaps changed, or that is in one report
  only (``direction``: up, down, same, added, removed, rejected_before_only,
  rejected_after_only), UTF-8 with a byte-order mark;
- ``.xlsx``: the sheets ``communities`` (as the CSV), ``gaps`` (one row per gap closed
  or opened, with the distances before and after) and ``groups`` (the change of every
  city, zone, district and subdistrict row); needs ``openpyxl``.

Every input value is escaped and cut (``livable._text.show``) in the text.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from livable._text import show
from livable.errors import LivableError
from livable.models.serialize import dumps, round_m, round_share
from livable.report.diff import CommunityChange, GapChange, GroupChange, ReportDiff
from livable.report.export import Table, write_workbook

__all__ = ["DIFF_SUFFIXES", "diff_tables", "format_diff", "write_diff"]

DIFF_SUFFIXES = (".json", ".md", ".csv", ".xlsx")
"""The file types :func:`write_diff` writes."""

Cell = str | int | float | None

_ARROW = {"up": "上升", "down": "下降", "same": "不变"}
_COMMUNITY_COLUMNS = (
    "id",
    "name",
    "district",
    "subdistrict",
    "zone",
    "direction",
    "grade_before",
    "grade_after",
    "closed",
    "opened",
)
_GAP_COLUMNS = (
    "id",
    "change",
    "gap",
    "rule",
    "grade",
    "facility_type",
    "category",
    "distance_before_m",
    "distance_after_m",
    "in_circle_before",
    "in_circle_after",
    "message_en",
    "message_zh",
)
_GROUP_COLUMNS = (
    "level",
    "key",
    "parent",
    "communities_before",
    "communities_after",
    "livable_share_before",
    "livable_share_after",
    "livable_share_change",
    "livable_needed_before",
    "livable_needed_after",
    "livable_needed_change",
    "happy_share_before",
    "happy_share_after",
    "happy_share_change",
    "happy_needed_before",
    "happy_needed_after",
    "happy_needed_change",
)


def _label(value: str | None) -> str:
    return "-" if value is None else show(value, quote=False)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _signed_pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:+.1f}"


def _metres(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} m"


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def _gap_text(g: GapChange) -> str:
    text = f"{_label(g.key)} (nearest {_metres(g.distance_before_m)} -> "
    text += _metres(g.distance_after_m)
    if g.in_circle_before is not None or g.in_circle_after is not None:
        text += f", in circle {_count(g.in_circle_before)} -> {_count(g.in_circle_after)}"
    return text + ")"


def _community_lines(c: CommunityChange) -> list[str]:
    name = f" {_label(c.name)}" if c.name else ""
    where = f"{_label(c.district)} / {_label(c.subdistrict)}"
    lines = [f"  {_label(c.id)}{name} ({where}): {c.grade_before.value} -> {c.grade_after.value}"]
    if c.closed:
        lines.append("    closed 补齐: " + "; ".join(_gap_text(g) for g in c.closed))
    if c.opened:
        lines.append("    opened 新增短板: " + "; ".join(_gap_text(g) for g in c.opened))
    return lines


def _group_line(g: GroupChange) -> str:
    key = _label(g.key) if g.parent is None else f"{_label(g.parent)} / {_label(g.key)}"
    head = g.level if g.level == g.key else f"{g.level} {key}"
    return (
        f"  {head}: livable {_pct(g.livable_share_before)} -> "
        f"{_pct(g.livable_share_after)} ({_signed_pct(g.livable_share_change)} pts), "
        f"need {g.livable_needed_before if g.livable_needed_before is not None else '-'} -> "
        f"{g.livable_needed_after if g.livable_needed_after is not None else '-'}; "
        f"happy {_pct(g.happy_share_before)} -> {_pct(g.happy_share_after)} "
        f"({_signed_pct(g.happy_share_change)} pts), "
        f"need {g.happy_needed_before if g.happy_needed_before is not None else '-'} -> "
        f"{g.happy_needed_after if g.happy_needed_after is not None else '-'}"
    )


def _ids(title: str, ids: Sequence[str]) -> list[str]:
    if not ids:
        return []
    shown = ", ".join(_label(i) for i in ids[:20])
    more = f" ... ({len(ids)} in all)" if len(ids) > 20 else ""
    return [f"{title} ({len(ids)}): {shown}{more}"]


def format_diff(d: ReportDiff) -> str:
    """The diff as the terminal text ``livable diff`` prints.

    >>> import livable
    >>> from livable.report.diff import diff
    >>> from livable.testing import community
    >>> r = livable.evaluate([community("c1", 108.94, 34.26)], [])
    >>> print(format_diff(diff(r, r)).splitlines()[-1])
    no change 无变化
    """
    lines = [
        f"livable diff: before profile {_label(d.profile_before)}, distance "
        f"{_label(d.distance_before)}; after profile {_label(d.profile_after)}, distance "
        f"{_label(d.distance_after)}"
    ]
    if d.different_profile:
        lines.append(
            "warning 注意: the reports were made with different profiles or distance "
            "providers (compared with --allow-different-profile); a change of grade may "
            "come from the rules, not from the city 两份报告的规则或距离计算方式不同"
        )
    restyled = sum(1 for c in d.stayed if c.changed)
    lines.append(
        f"communities 社区: {len(d.up)} up 上升, {len(d.down)} down 下降, "
        f"{len(d.stayed)} same 不变 ({restyled} with changed gaps 短板有变化), "
        f"{len(d.added)} added 新增, {len(d.removed)} removed 移除"
    )
    for title, members in (
        ("up 等级上升", d.up),
        ("down 等级下降", d.down),
        ("same grade, gaps changed 等级不变、短板变化", [c for c in d.stayed if c.changed]),
    ):
        if members:
            lines += ["", f"{title}:"]
            for c in members:
                lines += _community_lines(c)
    membership = [
        *_ids("added 新增", d.added),
        *_ids("removed 移除", d.removed),
        *_ids("rejected before only 仅在前一份报告中未评估", d.rejected_before_only),
        *_ids("rejected after only 仅在后一份报告中未评估", d.rejected_after_only),
    ]
    if membership:
        lines += ["", *membership]
    moved = [g for g in d.groups if g.changed]
    if moved:
        lines += ["", "targets by group 各级目标进展 (changed rows):"]
        lines += [_group_line(g) for g in moved]
    if d.is_empty:
        lines += ["", "no change 无变化"]
    return "\n".join(lines)


def _markdown(d: ReportDiff) -> str:
    return "# livable diff\n\n```text\n" + format_diff(d) + "\n```\n"


def _gap_keys(gaps: Sequence[GapChange]) -> str:
    return ";".join(g.key for g in gaps)


def diff_tables(d: ReportDiff) -> dict[str, tuple[tuple[str, ...], list[tuple[Cell, ...]]]]:
    """The diff as three tables (columns, rows): ``communities``, ``gaps``, ``groups``.

    >>> import livable
    >>> from livable.report.diff import diff
    >>> from livable.testing import community
    >>> r = livable.evaluate([community("c1", 108.94, 34.26)], [])
    >>> {name: len(rows) for name, (_, rows) in diff_tables(diff(r, r)).items()}
    {'communities': 0, 'gaps': 0, 'groups': 3}
    """
    communities: list[tuple[Cell, ...]] = [
        (
            c.id,
            c.name,
            c.district,
            c.subdistrict,
            None if c.zone is None else c.zone.value,
            c.direction,
            c.grade_before.value,
            c.grade_after.value,
            _gap_keys(c.closed),
            _gap_keys(c.opened),
        )
        for c in d.changed
    ]
    for direction, ids in (
        ("added", d.added),
        ("removed", d.removed),
        ("rejected_before_only", d.rejected_before_only),
        ("rejected_after_only", d.rejected_after_only),
    ):
        communities += [(i, None, None, None, None, direction, None, None, None, None) for i in ids]
    gaps: list[tuple[Cell, ...]] = [
        (
            c.id,
            change,
            g.key,
            g.rule,
            None if g.grade is None else g.grade.value,
            g.facility_type,
            g.category,
            round_m(g.distance_before_m),
            round_m(g.distance_after_m),
            g.in_circle_before,
            g.in_circle_after,
            g.message_en,
            g.message_zh,
        )
        for c in d.changed
        for change, members in (("closed", c.closed), ("opened", c.opened))
        for g in members
    ]
    groups: list[tuple[Cell, ...]] = [
        (
            g.level,
            g.key,
            g.parent,
            g.communities_before,
            g.communities_after,
            round_share(g.livable_share_before),
            round_share(g.livable_share_after),
            round_share(g.livable_share_change),
            g.livable_needed_before,
            g.livable_needed_after,
            g.livable_needed_change,
            round_share(g.happy_share_before),
            round_share(g.happy_share_after),
            round_share(g.happy_share_change),
            g.happy_needed_before,
            g.happy_needed_after,
            g.happy_needed_change,
        )
        for g in d.groups
    ]
    return {
        "communities": (_COMMUNITY_COLUMNS, communities),
        "gaps": (_GAP_COLUMNS, gaps),
        "groups": (_GROUP_COLUMNS, groups),
    }


def _write_csv(d: ReportDiff, out: Path) -> None:
    columns, rows = diff_tables(d)["communities"]
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerows(["" if v is None else v for v in row] for row in rows)


def _write_xlsx(d: ReportDiff, out: Path) -> None:
    tables = [Table(name, columns, tuple(rows)) for name, (columns, rows) in diff_tables(d).items()]
    about = (
        ("profile", d.profile_before, d.profile_after),
        ("distance", d.distance_before, d.distance_after),
        ("different_profile", d.different_profile, d.different_profile),
    )
    write_workbook([*tables, Table("reports", ("", "before", "after"), about)], out, width=None)


def write_diff(d: ReportDiff, path: str | Path) -> Path:
    """Write the diff to ``path`` as JSON, Markdown, CSV or XLSX, chosen by its suffix.

    >>> import json, livable, tempfile
    >>> from livable.report.diff import diff
    >>> from livable.testing import community
    >>> r = livable.evaluate([community("c1", 108.94, 34.26)], [])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     data = json.loads(write_diff(diff(r, r), f"{tmp}/d.json").read_text("utf-8"))
    >>> data["empty"]
    True
    >>> write_diff(diff(r, r), "d.txt")
    Traceback (most recent call last):
    ...
    livable.errors.LivableError: d.txt: write a diff to a file ending in .json, .md, .csv, .xlsx
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in DIFF_SUFFIXES:
        raise LivableError(
            f"{show(str(out), quote=False)}: write a diff to a file ending in "
            f"{', '.join(DIFF_SUFFIXES)}"
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".json":
            out.write_text(dumps(d.to_dict()), encoding="utf-8")
        elif suffix == ".md":
            out.write_text(_markdown(d), encoding="utf-8")
        elif suffix == ".csv":
            _write_csv(d, out)
        else:
            _write_xlsx(d, out)
    except OSError as exc:
        raise LivableError(f"{out}: cannot write the diff: {exc.strerror or exc}") from exc
    return out
