"""The city summary as tables for the assessment (``P8``): CSV files and an XLSX workbook.

The summary of a report (its ``summary`` member) becomes seven tables, in this order:

- ``city``, ``zone``, ``district``, ``subdistrict``: one row per group of that level
  (``P6``, ``P7``) with the number and share of communities per grade, the stage targets
  and the gap to each, the communities still needed to meet them, the mean framework
  score and the group's most common gaps;
- ``top_gaps``: the most common gaps city-wide;
- ``closest``: the communities closest to their next grade, ranked;
- ``columns``: what every column means, in English and Chinese.

:func:`write_csv` writes one file per table (``city.csv`` ... ``columns.csv``) into a
folder: UTF-8 with a byte-order mark, so spreadsheet programs show Chinese names correctly,
comma-separated, a header row of column ids, empty cells for "none". :func:`write_xlsx`
writes the same tables as the sheets of one workbook (``openpyxl``, the optional extra
``xlsx``), shares formatted as percentages. Both read the same data, from a
:class:`~livable.report.Report` or the parsed ``report.json``, so a report on disk can be
exported without evaluating again (``livable summary report.json --csv DIR --xlsx FILE``).

>>> import livable, tempfile
>>> from livable.testing import community
>>> report = livable.evaluate([community("c1", 108.94, 34.26, district="Beilin")], [])
>>> tables = summary_tables(report)
>>> list(tables)
['city', 'zone', 'district', 'subdistrict', 'top_gaps', 'closest', 'columns']
>>> tables["district"].rows[0][:5]
('district', 'Beilin', None, 'central', 1)
"""

from __future__ import annotations

import csv
import enum
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import attrs

from livable.errors import LivableError
from livable.models import ClosestCommunity, GapCount, ReportSource, ZoneSummary, as_report
from livable.models.serialize import round_share

__all__ = [
    "COLUMNS",
    "TABLES",
    "Table",
    "summary_tables",
    "write_csv",
    "write_workbook",
    "write_xlsx",
]

Cell = str | int | float | None

TABLES = ("city", "zone", "district", "subdistrict", "top_gaps", "closest", "columns")
"""The tables, in order: the four levels, then the common gaps, the ranking and the key."""

_GROUP_COLUMNS = (
    "level",
    "key",
    "parent",
    "zone",
    "communities",
    "not_livable",
    "livable",
    "happy",
    "grade_share_not_livable",
    "grade_share_livable",
    "grade_share_happy",
    "livable_share",
    "target_livable_share",
    "livable_gap",
    "livable_needed",
    "happy_share",
    "target_happy_share",
    "happy_gap",
    "happy_needed",
    "mean_score",
    "score_coverage",
    "top_gaps",
)
_GAP_COLUMNS = (
    "rank",
    "gap",
    "label_en",
    "label_zh",
    "rule",
    "grade",
    "facility_type",
    "category",
    "communities",
    "share",
)
_CLOSEST_COLUMNS = (
    "rank",
    "id",
    "name",
    "district",
    "subdistrict",
    "zone",
    "grade",
    "next_grade",
    "gaps",
    "shortfall",
    "missing",
)

COLUMNS: Mapping[str, tuple[str, str]] = {
    "level": ("city, zone, district or subdistrict", "层级：全市、城区类别、区、街道"),
    "key": ("the group: zone id, district or subdistrict name", "分组：城区类别、区或街道名称"),
    "parent": ("the district of a subdistrict", "街道所属区"),
    "zone": (
        "central or peripheral districts (P6), when the whole group lies in one",
        "中心城区或周边城区（P6），整组同属一类时填写",
    ),
    "communities": ("communities evaluated", "参评社区数"),
    "not_livable": ("communities not yet livable", "尚未宜居社区数"),
    "livable": ("communities livable but not happy", "宜居（未达幸福）社区数"),
    "happy": ("communities happy", "幸福社区数"),
    "grade_share_not_livable": ("share not yet livable", "尚未宜居占比"),
    "grade_share_livable": ("share livable but not happy", "宜居（未达幸福）占比"),
    "grade_share_happy": ("share happy", "幸福社区占比"),
    "livable_share": (
        "share livable or happy (what the livable target counts)",
        "宜居及以上占比（宜居目标的口径）",
    ),
    "target_livable_share": ("livable target (P6 stage 2)", "宜居目标（P6第二阶段）"),
    "livable_gap": ("livable target minus livable share, 0 when met", "距宜居目标差距，达标为0"),
    "livable_needed": (
        "more communities that must become livable to meet the target",
        "达到宜居目标还需新增的宜居社区数",
    ),
    "happy_share": ("share happy", "幸福社区占比"),
    "target_happy_share": (
        "happy target of the group's zone (P6 stage 3); empty without one zone",
        "所属城区类别的幸福目标（P6第三阶段）；无单一类别时为空",
    ),
    "happy_gap": ("happy target minus happy share, 0 when met", "距幸福目标差距，达标为0"),
    "happy_needed": (
        "more communities that must become happy to meet the target",
        "达到幸福目标还需新增的幸福社区数",
    ),
    "mean_score": ("mean framework score, 0-100 (scored indicators)", "平均框架得分（0-100）"),
    "score_coverage": (
        "share of the scored indicators that could be assessed",
        "计分指标中已评估的比例",
    ),
    "top_gaps": ("the group's most common gaps (communities)", "本组最常见短板（社区数）"),
    "rank": ("rank, 1 first", "排名"),
    "gap": ("gap key: rule:facility type or category", "短板：规则:设施类型或服务类别"),
    "label_en": ("the gap in English", "短板（英文）"),
    "label_zh": ("the gap in Chinese", "短板（中文）"),
    "rule": ("the clause-based rule id", "规则（条款编号）"),
    "grade": ("the grade blocked (top_gaps) or reached (closest)", "受阻等级或当前等级"),
    "facility_type": ("facility type id", "设施类型"),
    "category": ("service category id", "服务类别"),
    "share": ("share of evaluated communities", "占参评社区比例"),
    "id": ("community id", "社区编号"),
    "name": ("community name", "社区名称"),
    "district": ("district", "区"),
    "subdistrict": ("subdistrict", "街道"),
    "next_grade": ("the next grade", "下一等级"),
    "gaps": ("gaps to the next grade", "距下一等级的短板数"),
    "shortfall": ("facilities missing for the next grade", "距下一等级缺少的设施数"),
    "missing": ("the gaps to close", "需补齐的短板"),
}
"""Every column id with its English and Chinese description (the ``columns`` table)."""

_PERCENT = frozenset(
    {
        "grade_share_not_livable",
        "grade_share_livable",
        "grade_share_happy",
        "livable_share",
        "target_livable_share",
        "livable_gap",
        "happy_share",
        "target_happy_share",
        "happy_gap",
        "share",
        "score_coverage",
    }
)


@attrs.frozen
class Table:
    """One exported table: its name, column ids and rows (``None`` is an empty cell)."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def _value(value: Any) -> Cell:
    """An enum (a grade, a zone) as its id; other cells as they are."""
    if isinstance(value, enum.Enum):
        return str(value.value)
    return value  # type: ignore[no-any-return]


def _group_row(g: ZoneSummary) -> tuple[Cell, ...]:
    gaps = "; ".join(f"{key} ({n})" for key, n in g.top_gaps)
    shares = g.grade_shares
    mean = None if g.mean_score is None else round(g.mean_score, 1)
    return (
        g.level,
        g.key,
        g.parent,
        _value(g.zone),
        g.communities,
        g.not_livable,
        g.livable,
        g.happy,
        round_share(shares["not_livable"]),
        round_share(shares["livable"]),
        round_share(shares["happy"]),
        round_share(g.livable_share),
        g.target_livable_share,
        round_share(g.livable_gap),
        g.livable_needed,
        round_share(g.happy_share),
        g.target_happy_share,
        round_share(g.happy_gap),
        g.happy_needed,
        mean,
        round_share(g.score_coverage),
        gaps or None,
    )


def _gap_row(rank: int, g: GapCount) -> tuple[Cell, ...]:
    return (
        rank,
        g.key,
        g.label_en,
        g.label_zh,
        g.rule,
        _value(g.grade),
        g.facility_type,
        g.category,
        g.communities,
        round_share(g.share),
    )


def _closest_row(rank: int, c: ClosestCommunity) -> tuple[Cell, ...]:
    return (
        rank,
        c.id,
        c.name,
        c.district,
        c.subdistrict,
        _value(c.zone),
        c.grade.value,
        c.next_grade.value,
        c.gaps,
        c.shortfall,
        "; ".join(c.missing) or None,
    )


def summary_tables(report: ReportSource) -> dict[str, Table]:
    """The summary of a report as named tables, with the numbers of ``report.json``.

    ``report`` is a :class:`~livable.Report`, or a ``report.json`` path, text or parsed
    data (read as :func:`livable.read_report` reads it). See the module docstring for the
    tables and their order; :data:`COLUMNS` describes every column.
    """
    summary = as_report(report).summary
    tables: dict[str, Table] = {}
    for level in ("city", "zone", "district", "subdistrict"):
        rows = tuple(_group_row(g) for g in summary.level(level))
        tables[level] = Table(level, _GROUP_COLUMNS, rows)
    if summary.gap_counts:
        gap_rows = tuple(_gap_row(i, g) for i, g in enumerate(summary.gap_counts, start=1))
    else:  # a summary without labelled gap counts lists the gaps and their counts only
        gap_rows = tuple(
            (i, key, *([None] * 6), n, None) for i, (key, n) in enumerate(summary.top_gaps, 1)
        )
    tables["top_gaps"] = Table("top_gaps", _GAP_COLUMNS, gap_rows)
    tables["closest"] = Table(
        "closest",
        _CLOSEST_COLUMNS,
        tuple(_closest_row(i, c) for i, c in enumerate(summary.closest, start=1)),
    )
    used = dict.fromkeys(c for t in tables.values() for c in t.columns)
    tables["columns"] = Table(
        "columns",
        ("column", "description_en", "description_zh"),
        tuple((c, *COLUMNS[c]) for c in used),
    )
    return tables


def write_csv(report: ReportSource, folder: str | Path) -> list[Path]:
    """Write one CSV file per summary table into ``folder``; returns the paths in order.

    UTF-8 with a byte-order mark (Excel then reads Chinese correctly), a header row of
    column ids, empty cells for none.

    >>> import csv, livable, tempfile
    >>> from livable.testing import community
    >>> report = livable.evaluate([community("c1", 108.94, 34.26)], [])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = write_csv(report, tmp)
    ...     with paths[0].open(encoding="utf-8-sig", newline="") as f:
    ...         rows = list(csv.DictReader(f))
    >>> [p.name for p in paths][:2], rows[0]["communities"], rows[0]["livable_needed"]
    (['city.csv', 'zone.csv'], '1', '1')
    """
    out = Path(folder)
    tables = summary_tables(report)
    paths: list[Path] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for table in tables.values():
            path = out / f"{table.name}.csv"
            with path.open("w", encoding="utf-8-sig", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(table.columns)
                writer.writerows(["" if v is None else v for v in row] for row in table.rows)
            paths.append(path)
    except OSError as exc:
        raise LivableError(f"{out}: cannot write CSV files: {exc.strerror or exc}") from exc
    return paths


def write_xlsx(report: ReportSource, path: str | Path) -> Path:
    """Write the summary tables as the sheets of one XLSX workbook (needs ``openpyxl``).

    One sheet per table, named as the table; a bold, frozen header row of column ids;
    shares formatted as percentages. Install the extra with ``pip install 'livable[xlsx]'``.

    >>> import livable, tempfile, openpyxl
    >>> from livable.testing import community
    >>> report = livable.evaluate([community("c1", 108.94, 34.26)], [])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     book = openpyxl.load_workbook(write_xlsx(report, f"{tmp}/summary.xlsx"))
    >>> book.sheetnames[:4], book["city"]["E2"].value
    (['city', 'zone', 'district', 'subdistrict'], 1)
    """
    return write_workbook(summary_tables(report).values(), path, percent=_PERCENT)


def write_workbook(
    tables: Iterable[Table],
    path: str | Path,
    *,
    titles: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    percent: Collection[str] = frozenset(),
    width: int | Literal["fit"] | None = "fit",
) -> Path:
    """Write ``tables`` as the sheets of one XLSX workbook, in order (needs ``openpyxl``).

    Each sheet is titled ``titles[table.name]`` (default the name) and starts with a bold,
    frozen header row: ``headers[column]`` (default the column id). Columns in ``percent``
    are formatted as percentages. ``width`` sets every column's width: a number, ``"fit"``
    (the longest cell, at most 60) or ``None`` (openpyxl's default). The one writer of the
    summary, the diff and the 考核 workbooks.

    >>> import tempfile, openpyxl
    >>> t = Table("t", ("a", "share"), (("x", 0.5),))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     book = openpyxl.load_workbook(write_workbook([t], f"{tmp}/t.xlsx", percent={"share"}))
    >>> book["t"]["B2"].number_format, book["t"].freeze_panes
    ('0.0%', 'A2')
    """
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
    except ImportError:
        raise LivableError(
            "writing an XLSX workbook needs openpyxl: pip install 'livable[xlsx]'"
        ) from None
    out = Path(path)
    book = Workbook()
    for i, table in enumerate(tables):
        sheet = book.active if i == 0 else book.create_sheet()
        sheet.title = (titles or {}).get(table.name, table.name)
        sheet.append([(headers or {}).get(c, c) for c in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(list(row))
        sheet.freeze_panes = "A2"
        for j, column in enumerate(table.columns, start=1):
            if column in percent:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell.number_format = "0.0%"
            if width == "fit":
                longest = max([len(column), *(len(str(r[j - 1] or "")) for r in table.rows)])
                sheet.column_dimensions[get_column_letter(j)].width = min(60, longest + 2)
            elif width is not None:
                sheet.column_dimensions[get_column_letter(j)].width = width
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        book.save(out)
    except OSError as exc:
        raise LivableError(f"{out}: cannot write the workbook: {exc.strerror or exc}") from exc
    return out
