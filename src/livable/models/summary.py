"""The city roll-up (``P6``, ``P8``) and its terminal table.

:class:`Summary` holds the city, zone, district and subdistrict rows
(:class:`ZoneSummary`), the most common gaps (:class:`GapCount`) and the communities
closest to their next grade (:class:`ClosestCommunity`). ``str(summary)`` is the table
``livable summary`` prints (without the report's header and rejected list, which
:func:`livable.report.summary.format_summary` adds); in a notebook ``_repr_html_`` shows
the grades against the targets. Every input value is escaped and cut
(``livable._text.show``), so a hostile name cannot act on the terminal.
"""

from __future__ import annotations

import datetime
import html
import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence

import attrs

from livable._text import escape, show
from livable.models.serialize import round_share
from livable.models.vocabulary import BEFORE_STAGE_ID, Grade, PlanStage, Zone

__all__ = [
    "ClosestCommunity",
    "GapCount",
    "Summary",
    "ZoneSummary",
    "html_table",
    "summary_lines",
]

_NOT_LIVABLE_ZH = Grade.NOT_LIVABLE.label_zh


def _needed(target: float | None, have: int, n: int) -> int | None:
    if target is None or not n:
        return None
    # round first: 0.3 * 10 is 3.0000000000000004, which must need 3, not 4
    return max(0, math.ceil(round(target * n, 9)) - have)


@attrs.frozen
class ZoneSummary:
    """Counts, shares and targets of one group of communities (``P6``, ``P7``, ``P8``).

    ``level`` is ``city``, ``zone``, ``district`` or ``subdistrict``; ``parent`` the
    district of a subdistrict. ``zone`` is the group's zone when all its communities share
    one. The targets are the profile's (``P6``): ``target_livable_share`` for every group,
    ``target_happy_share`` by zone (central 50 %, peripheral 30 % in ``xian-2020``;
    ``None`` for a group without a single zone).

    >>> z = ZoneSummary(key="Beilin", level="district", zone=Zone.CENTRAL, communities=10,
    ...     not_livable=2, livable=5, happy=3, target_livable_share=1.0,
    ...     target_happy_share=0.5)
    >>> z.livable_share, z.livable_needed, z.happy_needed
    (0.8, 2, 2)
    >>> sum(z.grade_shares.values())
    1.0
    """

    key: str
    level: str
    zone: Zone | None
    communities: int
    not_livable: int
    livable: int
    happy: int
    parent: str | None = None
    target_livable_share: float | None = None
    target_happy_share: float | None = None
    mean_score: float | None = None
    """Mean framework score (0-100) of the group's communities that have one."""
    score_coverage: float | None = None
    """Share of the group's scored indicators that could be assessed (the score's basis)."""
    top_gaps: tuple[tuple[str, int], ...] = ()
    """The group's most common gaps: (gap key, communities)."""

    @property
    def livable_share(self) -> float | None:
        """Share of communities livable or happy (``None`` for an empty group)."""
        if not self.communities:
            return None
        return (self.livable + self.happy) / self.communities

    @property
    def happy_share(self) -> float | None:
        """Share of communities happy (``None`` for an empty group)."""
        if not self.communities:
            return None
        return self.happy / self.communities

    @property
    def grade_shares(self) -> Mapping[str, float | None]:
        """Share of each grade exactly (they add up to 1; ``None`` for an empty group)."""
        n = self.communities
        counts = {"not_livable": self.not_livable, "livable": self.livable, "happy": self.happy}
        return {k: (v / n if n else None) for k, v in counts.items()}

    @property
    def livable_gap(self) -> float | None:
        """How far the livable share is below its target (0 when met)."""
        return _shortfall(self.livable_share, self.target_livable_share)

    @property
    def happy_gap(self) -> float | None:
        """How far the happy share is below its target (0 when met; ``None`` if none)."""
        return _shortfall(self.happy_share, self.target_happy_share)

    @property
    def livable_needed(self) -> int | None:
        """How many more communities must become livable to meet the target."""
        return _needed(self.target_livable_share, self.livable + self.happy, self.communities)

    @property
    def happy_needed(self) -> int | None:
        """How many more communities must become happy to meet the target."""
        return _needed(self.target_happy_share, self.happy, self.communities)


def _shortfall(actual: float | None, target: float | None) -> float | None:
    if actual is None or target is None:
        return None
    return max(0.0, target - actual)


@attrs.frozen
class GapCount:
    """One of the most common gaps city-wide: how many communities share it.

    ``key`` is ``rule:facility_type`` (or ``rule:category``, or the rule alone);
    ``grade`` the grade it blocks; ``share`` of the evaluated communities.
    """

    key: str
    rule: str
    communities: int
    share: float
    label_en: str
    label_zh: str
    grade: Grade | None = None
    facility_type: str | None = None
    category: str | None = None


@attrs.frozen
class ClosestCommunity:
    """A community close to its next grade (``P8``: where a little work pays most).

    ``gaps`` counts what stands between it and ``next_grade`` (each failed or not-assessed
    grade indicator counts its gaps, at least one); ``shortfall`` adds up the missing
    facilities (``required - found``, one for a gap without counts).
    """

    id: str
    name: str | None
    district: str | None
    subdistrict: str | None
    zone: Zone | None
    grade: Grade
    next_grade: Grade
    gaps: int
    shortfall: int
    missing: tuple[str, ...]
    """The gap keys (as in :class:`GapCount`) to close."""


@attrs.frozen
class Summary:
    """The city roll-up against the plan's targets (``P6``, ``P8``).

    ``communities`` counts every input community (evaluated or rejected). ``groups`` holds
    the city, zone, district and subdistrict rows (:class:`ZoneSummary`); ``gap_counts`` the
    most common gaps city-wide; ``closest`` the communities closest to their next grade,
    fewest gaps first.
    """

    communities: int
    evaluated: int
    rejected: int
    not_livable: int
    livable: int
    happy: int
    livable_share: float | None
    happy_share: float | None
    happy_share_central: float | None
    happy_share_peripheral: float | None
    target_livable_share: float
    target_happy_share_central: float
    target_happy_share_peripheral: float
    groups: tuple[ZoneSummary, ...] = ()
    top_gaps: tuple[tuple[str, int], ...] = ()
    """Most common gaps city-wide: (``rule:facility_type-or-category``, communities)."""
    gap_counts: tuple[GapCount, ...] = ()
    closest: tuple[ClosestCommunity, ...] = ()
    unzoned: int = 0
    """Evaluated communities with no zone (own or by district): outside the happy targets."""
    provisional: int = 0
    """Evaluated communities whose grade is provisional (:attr:`CommunityResult.provisional`)."""
    unlisted_districts: tuple[str, ...] = ()
    """Districts of unzoned communities that the profile's ``district_zones`` does not list
    (an unknown assessment unit is named, never dropped silently)."""
    mean_score: float | None = None
    """Mean framework score (0-100) of the communities that have one."""
    score_coverage: float | None = None
    """Share of the scored indicators city-wide that could be assessed."""
    deadline: str | None = None
    """The date of the targets (``P6``: end of 2021)."""
    as_of: datetime.date | None = None
    """The date the report describes (``evaluate --as-of``, default the day of the run)."""
    stage: PlanStage | None = None
    """The stage of the plan (``P6``) that :attr:`as_of` falls in, with the targets it
    works towards (:meth:`livable.Profile.stage_of`; ``id`` ``before`` before the
    first stage); ``None`` without a date or without stages in the profile."""
    target_gaps: Mapping[str, float | None] | None = attrs.field(default=None, eq=False)
    """The ``target_gaps`` member as read from a ``report.json``; ``None`` for a summary
    of an evaluation, whose gaps are worked out from the unrounded shares. Kept so that a
    report read back writes the same numbers (the shares in the file are rounded)."""

    @property
    def days_to_deadline(self) -> int | None:
        """Days from :attr:`as_of` to the targets' :attr:`deadline` (negative once it has
        passed); ``None`` without both.

        >>> import datetime
        >>> s = Summary(communities=0, evaluated=0, rejected=0, not_livable=0, livable=0,
        ...     happy=0, livable_share=None, happy_share=None, happy_share_central=None,
        ...     happy_share_peripheral=None, target_livable_share=1.0,
        ...     target_happy_share_central=0.5, target_happy_share_peripheral=0.3,
        ...     deadline="2021-12-31", as_of=datetime.date(2021, 6, 30))
        >>> s.days_to_deadline
        184
        """
        if self.as_of is None or self.deadline is None:
            return None
        return (datetime.date.fromisoformat(self.deadline) - self.as_of).days

    def level(self, level: str) -> tuple[ZoneSummary, ...]:
        """The groups of one level (``city``, ``zone``, ``district``, ``subdistrict``)."""
        return tuple(g for g in self.groups if g.level == level)

    def __str__(self) -> str:
        """The terminal table of ``livable summary`` (grades, targets, groups, gaps)."""
        return "\n".join(summary_lines(self))

    def __repr__(self) -> str:
        return (
            f"<Summary: {self.evaluated} communities, {self.happy} happy, "
            f"{self.livable} livable, {self.not_livable} not livable>"
        )

    def _repr_html_(self) -> str:
        """A compact HTML table for notebooks: the grades and the ``P6`` targets."""
        n = self.evaluated

        def share(count: int) -> str:
            return _pct(count / n if n else None)

        rows = [
            ("happy 幸福", str(self.happy), share(self.happy)),
            ("livable 宜居", str(self.livable), share(self.livable)),
            (f"not livable {_NOT_LIVABLE_ZH}", str(self.not_livable), share(self.not_livable)),
        ]
        targets = [
            ("livable share 宜居占比", self.livable_share, self.target_livable_share),
            (
                "happy, central 中心城区幸福",
                self.happy_share_central,
                self.target_happy_share_central,
            ),
            (
                "happy, peripheral 周边城区幸福",
                self.happy_share_peripheral,
                self.target_happy_share_peripheral,
            ),
        ]
        return (
            f"<p>{n} communities evaluated, {self.rejected} rejected</p>"
            + html_table(("grade 等级", "count", "share"), rows)
            + html_table(
                ("target 目标 (P6)", "actual", "target", "met"),
                [(label, _pct(a), _pct(t), _met(a, t)) for label, a, t in targets],
            )
        )


_ZONE_ZH = {"central": "中心城区", "peripheral": "周边城区"}
_MAX_SUBDISTRICTS = 40
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


def _score(value: float | None) -> str | None:
    """A mean score as the table shows it: rounded as ``report.json`` writes it (one
    decimal) first, so a summary and the summary of its file print alike."""
    return None if value is None else f"{round(value, 1):.0f}"


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
            _score(g.mean_score),
        )
        lines.append(_row([(label(g), 0), *zip(values, _GROUP_WIDTHS, strict=True)], first))
    return lines


def html_table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A small HTML table, every cell escaped (for the notebook reprs).

    >>> html_table(("a",), [("<b>",)])
    '<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>&lt;b&gt;</td></tr></tbody></table>'
    """
    th = "".join(f"<th>{html.escape(str(h))}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


_TARGET_WORDS = {
    "livable_share": ("livable share", "宜居占比", "宜居社区"),
    "happy_share_central": ("happy share, central", "中心城区幸福占比", "幸福社区"),
    "happy_share_peripheral": ("happy share, peripheral", "周边城区幸福占比", "幸福社区"),
}


def _stage_lines(
    s: Summary,
    stage: PlanStage,
    as_of: datetime.date,
    actual: Mapping[str, float | None],
    target: Mapping[str, float],
    needed: Mapping[str, int | None],
) -> list[str]:
    """Where the report's date stands (``P6``): its stage, that stage's targets and how
    far they are, and the days to (or since) the targets' deadline."""
    if stage.start is None:
        when = f"to {stage.end}" if stage.end else ""
    elif stage.end is None:
        when = f"from {stage.start}, ongoing 持续推进"
    else:
        when = f"{stage.start} to {stage.end}"
    lines = [
        "",
        f"as of 截至 {as_of}: {stage.label_en} {stage.label_zh}" + (f" ({when})" if when else ""),
    ]
    if not stage.targets:
        what = "the plan has not started" if stage.id == BEFORE_STAGE_ID else "no share target"
        zh = "方案尚未实施" if stage.id == BEFORE_STAGE_ID else "本阶段不设占比目标"
        lines.append(f"  {what} {zh}")
    for key in stage.targets:
        en, zh, grade_zh = _TARGET_WORDS[key]
        have, goal, short = actual.get(key), target[key], needed.get(key)
        if have is None:
            lines.append(f"  {en} {zh}: no community 无社区 (target 目标 {_pct(goal)})")
            continue
        head = f"  {en} {zh}: {_pct(have)} against the target 目标 {_pct(goal)}"
        if not short:
            lines.append(f"{head}, met 已达到目标")
        else:
            lines.append(
                f"{head}, {short} {'community' if short == 1 else 'communities'} still "
                f"needed 尚需{short}个社区建成{grade_zh}"
            )
    days = s.days_to_deadline
    if days is not None:
        if days > 0:
            left = f"{days} days to go 还有{days}天"
        elif days == 0:
            left = "today 今天到期"
        else:
            left = f"passed {-days} days ago 已过{-days}天"
        lines.append(f"  deadline 目标期限 {s.deadline}: {left}")
    return lines


def summary_lines(s: Summary) -> list[str]:
    """The lines of the summary table (``str(summary)``).

    >>> s = Summary(communities=2, evaluated=2, rejected=0, not_livable=1, livable=1,
    ...     happy=0, livable_share=0.5, happy_share=0.0, happy_share_central=None,
    ...     happy_share_peripheral=None, target_livable_share=1.0,
    ...     target_happy_share_central=0.5, target_happy_share_peripheral=0.3)
    >>> summary_lines(s)[0]
    'Communities 社区: 2 in input, 2 evaluated, 0 rejected'
    """
    n = s.evaluated

    def share(count: int) -> str:
        return _pct(count / n if n else None)

    lines = [
        f"Communities 社区: {s.communities} in input, {s.evaluated} evaluated, "
        f"{s.rejected} rejected",
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
        lines.append(f"mean framework score 框架平均得分: {_score(s.mean_score)}/100{on}")
    zones = {grp.key: grp for grp in s.level("zone")}
    city = next(iter(s.level("city")), None)
    central, peripheral = zones.get("central"), zones.get("peripheral")
    title = f"target 目标 (P6{', by ' + s.deadline if s.deadline else ''})"
    widths = [("actual", 8), ("target", 8), ("gap", 8), ("needed", 8), ("met", 5)]
    actual = {  # as report.json writes them, so the file and the object print alike
        "livable_share": round_share(s.livable_share),
        "happy_share_central": round_share(s.happy_share_central),
        "happy_share_peripheral": round_share(s.happy_share_peripheral),
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
    gaps = s.target_gaps
    if gaps is None:  # a summary of an evaluation: the gaps from the unrounded shares
        unrounded = (s.livable_share, s.happy_share_central, s.happy_share_peripheral)
        gaps = {
            key: None if value is None else round_share(max(0.0, target[key] - value))
            for key, value in zip(_TARGETS, unrounded, strict=True)
        }
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
    if s.stage is not None and s.as_of is not None:
        lines += _stage_lines(s, s.stage, s.as_of, actual, target, needed)
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
    return lines
