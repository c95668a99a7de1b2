"""The summary as text: the city's grades against the plan's targets (``P6``, ``P8``).

:func:`format_summary` turns a report into the table ``livable summary`` (and ``livable
evaluate``) print: the city's grades, the ``P6`` stage targets with the gap and the
communities still needed, the zone, district and (up to 40) subdistrict rows, the most
common gaps, the communities closest to their next grade and the rejected communities.
Every input value is escaped and cut (``livable._text.show``), so a hostile name
cannot act on the terminal. The command line only prints the text.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Callable, Sequence

from livable._text import escape, show, where
from livable.models import Grade
from livable.models.results import Rejection, ReportSource, SourceInfo, ZoneSummary, as_report
from livable.models.serialize import round_share

__all__ = ["format_summary"]

_NOT_LIVABLE_ZH = Grade.NOT_LIVABLE.label_zh
_ZONE_ZH = {"central": "中心城区", "peripheral": "周边城区"}
_MAX_SUBDISTRICTS = 40
_WRAP = 100
_GROUP_HEAD = (
    "n",
    "happy",
    "livable",
    "not",
    "livable%",
    "target",
    "need",
    "happy%",
    "target",
    "need",
    "score",
)
_GROUP_WIDTHS = (5, 7, 9, 5, 10, 8, 6, 8, 8, 6, 7)
_TARGETS = ("livable_share", "happy_share_central", "happy_share_peripheral")


def _width(text: str) -> int:
    """Terminal columns of a text: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _cell(value: object, width: int, *, left: bool = False) -> str:
    text = "-" if value is None else str(value)
    pad = " " * max(0, width - _width(text))
    return text + pad if left else pad + text


def _row(cells: Sequence[tuple[object, int]], first: int) -> str:
    (head, _), rest = cells[0], cells[1:]
    return _cell(head, first, left=True) + "".join(_cell(v, w) for v, w in rest)


def _met(actual: float | None, target: float) -> str:
    if actual is None:
        return "-"
    return "yes" if actual >= target - 1e-12 else "no"


def _label(value: str) -> str:
    """An input name (district, subdistrict, community) as a table shows it: escaped, cut."""
    return show(value, quote=False)


def _group_lines(
    title: str, groups: Sequence[ZoneSummary], label: Callable[[ZoneSummary], str]
) -> list[str]:
    first = max([_width(title), *(_width(label(g)) for g in groups)]) + 2
    lines = [_row([(title, 0), *zip(_GROUP_HEAD, _GROUP_WIDTHS, strict=True)], first)]
    for g in groups:
        values = (
            g.communities,
            g.happy,
            g.livable,
            g.not_livable,
            # the shares as report.json writes them, so the file and the object print alike
            _pct(round_share(g.livable_share)),
            _pct(g.target_livable_share),
            g.livable_needed,
            _pct(round_share(g.happy_share)),
            _pct(g.target_happy_share),
            g.happy_needed,
            None if g.mean_score is None else f"{g.mean_score:.0f}",
        )
        lines.append(_row([(label(g), 0), *zip(values, _GROUP_WIDTHS, strict=True)], first))
    return lines


def _rejected_lines(entry: Rejection) -> list[str]:
    """One rejection as the summary lists it, in the words of the ``--strict`` error,
    wrapped at 100 columns."""
    text = f"{where(entry.source, entry.id)}: {escape(entry.reason)}"
    return textwrap.wrap(
        text,
        _WRAP,
        initial_indent="  ",
        subsequent_indent="      ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def _facility_lines(inputs: Sequence[SourceInfo]) -> list[str]:
    """How many facilities were read, used and rejected, by reason (from the inputs)."""
    lines = []
    for info in inputs:
        if info.layer != "facilities" or info.features is None or info.used is None:
            continue
        line = (
            f"Facilities 设施: {info.features:,} in input, {info.used:,} used, "
            f"{info.features - info.used:,} rejected"
        )
        reasons = [f"{n.count:,} {n.what}" for n in info.notes if n.kind == "rejected"]
        if reasons:
            line += f" ({'; '.join(reasons[:3])}{'; ...' if len(reasons) > 3 else ''})"
        lines.append(escape(line))
    return lines


def format_summary(report: ReportSource) -> str:
    """A readable terminal table of a report's summary.

    ``report`` is a :class:`~livable.Report` or anything ``livable.report.as_report`` takes
    (a ``report.json`` path, its text or its parsed data); the text made from a report
    equals the text made from its file.

    >>> import livable
    >>> from livable.testing import community
    >>> report = livable.evaluate([community("c1", 108.94, 34.26, district="碑林区")], [])
    >>> print(format_summary(report).splitlines()[1])
    Communities 社区: 1 in input, 1 evaluated, 0 rejected
    >>> format_summary({"communities": []})
    Traceback (most recent call last):
    ...
    livable.errors.ReportError: <memory>: not a livable report: required field missing @ ...
    """
    data = as_report(report)
    s = data.summary
    n = s.evaluated

    def share(count: int) -> str:
        return _pct(count / n if n else None)

    lines = [
        f"livable {data.livable_version} | profile {data.profile} | "
        f"distance {data.distance} | working CRS {data.working_crs}",
        f"Communities 社区: {s.communities} in input, {s.evaluated} evaluated, "
        f"{s.rejected} rejected",
        *_facility_lines(data.inputs),
        "",
        _row([("grade 等级", 0), ("count", 7), ("share", 9)], 28),
        _row([("happy 幸福社区", 0), (s.happy, 7), (share(s.happy), 9)], 28),
        _row([("livable 宜居社区", 0), (s.livable, 7), (share(s.livable), 9)], 28),
        _row(
            [(f"not livable {_NOT_LIVABLE_ZH}", 0), (s.not_livable, 7), (share(s.not_livable), 9)],
            28,
        ),
    ]
    if s.provisional:
        lines.append(
            f"provisional grades 暂定等级: {s.provisional} (inputs missing, e.g. population; "
            "see each community's provisional 见各社区暂定原因)"
        )
    if s.mean_score is not None:
        basis = s.score_coverage
        on = "" if basis is None else f" ({_pct(basis)} of scored indicators assessed 已评估)"
        lines.append(f"mean framework score 框架平均得分: {s.mean_score:.0f}/100{on}")
    zones = {grp.key: grp for grp in s.level("zone")}
    city = next(iter(s.level("city")), None)
    central, peripheral = zones.get("central"), zones.get("peripheral")
    title = f"target 目标 (P6{', by ' + s.deadline if s.deadline else ''})"
    widths = [("actual", 8), ("target", 8), ("gap", 8), ("needed", 8), ("met", 5)]
    actual = {
        "livable_share": s.livable_share,
        "happy_share_central": s.happy_share_central,
        "happy_share_peripheral": s.happy_share_peripheral,
    }
    target = {
        "livable_share": s.target_livable_share,
        "happy_share_central": s.target_happy_share_central,
        "happy_share_peripheral": s.target_happy_share_peripheral,
    }
    needed = {
        "livable_share": None if city is None else city.livable_needed,
        "happy_share_central": None if central is None else central.happy_needed,
        "happy_share_peripheral": None if peripheral is None else peripheral.happy_needed,
    }
    labels = (
        "livable share 宜居占比",
        "happy share, central 中心城区幸福",
        "happy share, peripheral 周边城区幸福",
    )
    gaps = s.target_gaps or {}
    lines += ["", _row([(title, 0), *widths], 38)]
    for label, key in zip(labels, _TARGETS, strict=True):
        values = (
            _pct(actual[key]),
            _pct(target[key]),
            _pct(gaps.get(key)),
            needed[key],
            _met(actual[key], target[key]),
        )
        lines.append(_row([(label, 0), *zip(values, (w for _, w in widths), strict=True)], 38))
    if s.unzoned:
        lines.append(f"  {s.unzoned} communities without a zone 未划分城区类别，不计入幸福目标")
        if s.unlisted_districts:
            names = "、".join(escape(d) for d in s.unlisted_districts)
            lines.append(
                f"  districts not in the profile's table 不在区县对照表中: {names} "
                "(give each a zone or unzoned in district_zones)"
            )
    if zones:
        lines += [
            "",
            *_group_lines(
                "zone 城区类别",
                list(zones.values()),
                lambda grp: f"{_label(grp.key)} {_ZONE_ZH.get(grp.key, '')}".strip(),
            ),
        ]
    districts = s.level("district")
    if districts:
        lines += [
            "",
            *_group_lines(
                "district 区",
                districts,
                lambda grp: f"{_label(grp.key)} ({_label(grp.zone.value if grp.zone else '-')})",
            ),
        ]
    subdistricts = s.level("subdistrict")
    if 0 < len(subdistricts) <= _MAX_SUBDISTRICTS:
        lines += [
            "",
            *_group_lines(
                "subdistrict 街道",
                subdistricts,
                lambda grp: f"{_label(grp.parent or '-')} / {_label(grp.key)}",
            ),
        ]
    elif subdistricts:
        lines += [
            "",
            f"{len(subdistricts)} subdistricts 个街道: export them with --csv DIR or --xlsx FILE",
        ]
    if s.gap_counts:
        lines += ["", "most common gaps 最常见短板:"]
        for gap in s.gap_counts[:10]:
            what = escape(f"{gap.label_en} / {gap.label_zh}" if gap.label_en else gap.key)
            grade = "" if gap.grade is None else f"  [{gap.grade.value}]"
            lines.append(f"  {gap.communities:>4}{_pct(gap.share):>7}  {what}{grade}")
    elif s.top_gaps:
        lines += ["", "most common gaps 最常见短板:"]
        lines += [f"  {count:>4}  {escape(key)}" for key, count in s.top_gaps[:10]]
    if s.closest:
        lines += ["", "closest to the next grade 最接近下一等级 (fewest gaps first):"]
        for rank, c in enumerate(s.closest[:10], start=1):
            missing = ", ".join(map(_label, c.missing[:3]))
            missing += " ..." if len(c.missing) > 3 else ""
            name = f" {_label(c.name)}" if c.name else ""
            lines.append(
                f"  {rank:>2}. {_label(c.id)}{name} ({_label(c.district or '-')}): "
                f"{c.grade.value} -> {c.next_grade.value}, {c.gaps} gap(s): {missing}"
            )
    if data.rejected:
        lines += ["", f"rejected 未参评 ({len(data.rejected)}):"]
        lines += [line for r in data.rejected for line in _rejected_lines(r)]
    return "\n".join(lines)
