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
from collections.abc import Sequence

import attrs

from livable._text import escape, where
from livable.models.results import Rejection, Report, ReportSource, SourceInfo, as_report
from livable.models.summary import summary_lines

__all__ = ["format_summary"]

_WRAP = 100


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
    if isinstance(report, Report):  # the table reads the summary: its rows stay out
        report = attrs.evolve(report, communities=())
    data = as_report(report)
    body = summary_lines(data.summary)
    lines = [
        f"livable {data.livable_version} | profile {data.profile} | "
        f"distance {data.distance} | working CRS {data.working_crs}",
        *body[:1],
        *_facility_lines(data.inputs),
        *body[1:],
    ]
    if data.rejected:
        lines += ["", f"rejected 未参评 ({len(data.rejected)}):"]
        lines += [line for r in data.rejected for line in _rejected_lines(r)]
    return "\n".join(lines)
