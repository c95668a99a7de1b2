"""The 考核 table: what each district and subdistrict reports to the assessment (``P8``).

``P8`` puts livable and happy community building into the city's target assessment:
every district reports its progress. :func:`assessment_tables` makes, from one report,
one table per level (``district``, ``subdistrict``) with, per unit: communities,
residents, the livable and happy counts and shares, the targets, the gap to each, the
communities still needed, the population-weighted shares (:mod:`livable.report.coverage`)
and the ``P6`` stage of the report's date; with a ``baseline`` report, the change since
it (:func:`~livable.diff`). :func:`write_assessment_xlsx` writes them as the sheets of a
workbook, column headers in Chinese first, English beside them (``社区数 communities``).

``date`` is the date to report on (the CLI's ``--date``; the CLI's default is the
report's ``as_of``, for an older report without one the day its file was last written).
:func:`plan_stage` names the stage, from the report's own stage on its date.

>>> import datetime, livable
>>> from livable.testing import community
>>> r = livable.evaluate([community("c1", 108.94, 34.26, district="碑林区",
...                                 population=100)], [])
>>> t = assessment_tables(r, date=datetime.date(2021, 6, 30))
>>> list(t), t["district"].rows[0][:4]
(['district', 'subdistrict'], ('碑林区', 'central', 1, 100))
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path

from livable.errors import LivableError
from livable.models import PlanStage, Report, ReportSource, ZoneSummary, as_report
from livable.models.serialize import round_share
from livable.profile import Profile, load_profile
from livable.report.coverage import GroupCoverage, ResidentSource, coverage
from livable.report.diff import CommunityChange, GroupChange, ReportDiff, diff
from livable.report.export import Cell, Table, write_workbook

__all__ = [
    "ASSESSMENT_COLUMNS",
    "PlanStage",
    "assessment_tables",
    "plan_stage",
    "write_assessment_xlsx",
]


def plan_stage(date: datetime.date, profile: str | Path | Profile = "xian-2020") -> PlanStage:
    """The ``P6`` stage of a date in a profile's ``stages`` (default the built-in
    ``xian-2020``: before the plan, 建设评价 Jul-Sep 2020, 基本宜居 Oct 2020 - Dec 2021,
    the targets' deadline, then 品质提升, ongoing).

    >>> import datetime
    >>> plan_stage(datetime.date(2021, 12, 31)).id
    'basically_livable'
    >>> plan_stage(datetime.date(2026, 12, 6)).label_zh
    '第三阶段：品质提升'
    """
    prof = load_profile(profile)
    stage = prof.stage_of(date)
    if stage is None:
        raise LivableError(f"profile {prof.id!r} has no stages ([[stages]]) to place {date} in")
    return stage


def _stage_of(report: Report, date: datetime.date) -> PlanStage:
    """The stage of ``date``: the report's own when it is the report's date (its profile's
    stages), else the built-in profile's."""
    if report.summary.stage is not None and report.as_of == date:
        return report.summary.stage
    return plan_stage(date)


ASSESSMENT_COLUMNS: Mapping[str, tuple[str, str]] = {
    "parent": ("所属区", "district"),
    "key": ("名称", "name"),
    "zone": ("城区类别", "zone"),
    "communities": ("社区数", "communities"),
    "residents": ("居民数", "residents"),
    "uncounted": ("无人口数据社区数", "communities without a population"),
    "livable": ("宜居社区数（含幸福）", "livable communities (happy included)"),
    "happy": ("幸福社区数", "happy communities"),
    "livable_share": ("宜居占比", "livable share"),
    "target_livable_share": ("宜居目标", "livable target"),
    "livable_gap": ("宜居差距", "livable gap"),
    "livable_needed": ("尚需宜居社区数", "communities still needed, livable"),
    "happy_share": ("幸福占比", "happy share"),
    "target_happy_share": ("幸福目标", "happy target"),
    "happy_gap": ("幸福差距", "happy gap"),
    "happy_needed": ("尚需幸福社区数", "communities still needed, happy"),
    "residents_livable_share": ("居民宜居占比", "residents in livable communities"),
    "residents_happy_share": ("居民幸福占比", "residents in happy communities"),
    "stage": ("阶段", "stage"),
    "livable_share_change": ("宜居占比变化", "livable share change"),
    "happy_share_change": ("幸福占比变化", "happy share change"),
    "livable_needed_change": ("尚需宜居变化", "livable still needed, change"),
    "happy_needed_change": ("尚需幸福变化", "happy still needed, change"),
    "up": ("等级上升社区数", "communities up"),
    "down": ("等级下降社区数", "communities down"),
}
"""Every column of the 考核 sheets: its Chinese and English header."""

_PERCENT = frozenset(
    {
        "livable_share",
        "target_livable_share",
        "livable_gap",
        "happy_share",
        "target_happy_share",
        "happy_gap",
        "residents_livable_share",
        "residents_happy_share",
        "livable_share_change",
        "happy_share_change",
    }
)
_BASE = (
    "key",
    "zone",
    "communities",
    "residents",
    "uncounted",
    "livable",
    "happy",
    "livable_share",
    "target_livable_share",
    "livable_gap",
    "livable_needed",
    "happy_share",
    "target_happy_share",
    "happy_gap",
    "happy_needed",
    "residents_livable_share",
    "residents_happy_share",
    "stage",
)
_CHANGE = (
    "livable_share_change",
    "happy_share_change",
    "livable_needed_change",
    "happy_needed_change",
    "up",
    "down",
)


def _row(
    g: ZoneSummary,
    cov: GroupCoverage,
    stage: PlanStage,
    change: GroupChange | None,
    moved: tuple[int, int] | None,
    subdistrict: bool,
    baseline: bool,
) -> tuple[Cell, ...]:
    cells: list[Cell] = [g.parent] if subdistrict else []
    cells += [
        g.key,
        None if g.zone is None else g.zone.value,
        g.communities,
        cov.residents,
        cov.uncounted,
        g.livable + g.happy,
        g.happy,
        round_share(g.livable_share),
        g.target_livable_share,
        round_share(g.livable_gap),
        g.livable_needed,
        round_share(g.happy_share),
        g.target_happy_share,
        round_share(g.happy_gap),
        g.happy_needed,
        round_share(cov.livable_share),
        round_share(cov.happy_share),
        stage.label_zh + " " + stage.label_en,
    ]
    if baseline:
        cells += [
            None if change is None else round_share(change.livable_share_change),
            None if change is None else round_share(change.happy_share_change),
            None if change is None else change.livable_needed_change,
            None if change is None else change.happy_needed_change,
            None if moved is None else moved[0],
            None if moved is None else moved[1],
        ]
    return tuple(cells)


def _moved(d: ReportDiff, level: str, g: ZoneSummary) -> tuple[int, int]:
    """How many of the unit's communities went up and down since the baseline."""

    def member(c: CommunityChange) -> bool:
        if level == "district":
            return c.district == g.key
        return c.subdistrict == g.key and (c.district or None) == g.parent

    return sum(1 for c in d.up if member(c)), sum(1 for c in d.down if member(c))


def assessment_tables(
    report: ReportSource,
    *,
    date: datetime.date,
    baseline: ReportSource | None = None,
    allow_different_profile: bool = False,
    residents: ResidentSource | None = None,
) -> dict[str, Table]:
    """The 考核 tables, ``district`` and ``subdistrict``: one row per unit (columns:
    :data:`ASSESSMENT_COLUMNS` ids). ``date`` is the report's date (its ``P6`` stage);
    ``baseline`` an earlier report, adding the change since it (reports of different
    profiles need ``allow_different_profile``, as for :func:`~livable.diff`);
    ``residents`` the resident points counting each community's residents (the
    residents file; else each community's ``population``, see
    :func:`~livable.report.coverage.community_residents`).

    >>> import datetime, livable
    >>> from livable.testing import community
    >>> r = livable.evaluate([community("c1", 108.94, 34.26, district="碑林区")], [])
    >>> t = assessment_tables(r, date=datetime.date(2021, 1, 1), baseline=r)
    >>> dict(zip(t["district"].columns, t["district"].rows[0]))["up"]
    0
    """
    data = as_report(report)
    stage = _stage_of(data, date)
    cov = coverage(data, residents=residents)
    d = (
        None
        if baseline is None
        else diff(baseline, data, allow_different_profile=allow_different_profile)
    )
    tables: dict[str, Table] = {}
    for level in ("district", "subdistrict"):
        sub = level == "subdistrict"
        columns = (("parent",) if sub else ()) + _BASE + (_CHANGE if d is not None else ())
        rows = []
        for g in data.summary.level(level):
            change = None
            moved = None
            if d is not None:
                change = next(
                    (x for x in d.level(level) if (x.key, x.parent) == (g.key, g.parent)), None
                )
                moved = _moved(d, level, g)
            rows.append(
                _row(g, cov.group(level, g.key, g.parent), stage, change, moved, sub, d is not None)
            )
        tables[level] = Table(level, columns, tuple(rows))
    return tables


_SHEETS = {"district": "区 district", "subdistrict": "街道 subdistrict"}


def write_assessment_xlsx(
    report: ReportSource,
    path: str | Path,
    *,
    date: datetime.date,
    baseline: ReportSource | None = None,
    allow_different_profile: bool = False,
    residents: ResidentSource | None = None,
) -> Path:
    """Write the 考核 workbook: sheets ``区 district`` and ``街道 subdistrict``, a bold,
    frozen header row in Chinese then English (``社区数 communities``), shares as
    percentages; the arguments as for :func:`assessment_tables`. Needs ``openpyxl`` (the
    ``xlsx`` extra).

    >>> import datetime, livable, tempfile, openpyxl
    >>> from livable.testing import community
    >>> r = livable.evaluate([community("c1", 108.94, 34.26, district="碑林区")], [])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     book = openpyxl.load_workbook(
    ...         write_assessment_xlsx(r, f"{tmp}/a.xlsx", date=datetime.date(2021, 1, 1)))
    >>> book.sheetnames, book["区 district"]["C1"].value
    (['区 district', '街道 subdistrict'], '社区数 communities')
    """
    tables = assessment_tables(
        report,
        date=date,
        baseline=baseline,
        allow_different_profile=allow_different_profile,
        residents=residents,
    )
    headers = {c: " ".join(labels) for c, labels in ASSESSMENT_COLUMNS.items()}
    return write_workbook(
        tables.values(), path, titles=_SHEETS, headers=headers, percent=_PERCENT, width=16
    )
