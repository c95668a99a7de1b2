"""The words on the maps: wrapped bilingual text, distances, gaps and reasons (``P4``).

>>> wrap("服务圈 service circle", 8)
['服务圈', 'service', 'circle']
>>> metres_text(1250.0)
'1.25 km'
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from livable.models import Grade
from livable.models.results import CommunityResult, Gap
from livable.report._doc import type_label


def cols(text: str) -> int:
    """The width of ``text`` in columns: CJK characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Wrap mixed Chinese/Latin text to ``width`` columns (CJK characters count two)."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF" or ch == " ":
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        else:
            word += ch
    if word:
        tokens.append(word)
    lines: list[str] = []
    line = ""
    for tok in tokens:
        if line and cols(line) + cols(tok) > width:
            lines.append(line.rstrip())
            line = "" if tok == " " else tok
        else:
            line += tok
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def metres_text(d: float | None) -> str:
    """A distance for a label: ``850 m``, ``1.25 km``, ``-`` when unknown."""
    if d is None:
        return "-"
    if d >= 1000:
        return f"{d / 1000:.2f} km".replace(".00 km", " km")
    return f"{round(d):,} m"


def gap_line(gap: Gap, search_m: float) -> str:
    """A short bilingual line for a gap: what is missing and how far the nearest is."""
    ftype = gap.facility_type
    found, required = gap.found, gap.required
    if ftype and gap.rule.startswith("P4"):
        what = f"{type_label(ftype, 'zh')} {type_label(ftype, 'en')}"
        if found:
            return f"{what}: 圈内{found}处，需{required}处 {found} of {required} in the circle"
        if gap.distance_m is None:
            return f"{what}: {round(search_m / 1000, 1):g} km 内没有 none within reach"
        return f"{what}: 最近 nearest {metres_text(gap.distance_m)}"
    return (gap.message_zh or gap.rule) + " / " + gap.message_en


def short_reason(gaps: Sequence[Gap]) -> str:
    """Why a community is not livable, in one short line (``P4`` gaps)."""
    parts = []
    for g in gaps:
        ftype = g.facility_type
        if not ftype:
            parts.append(g.message_zh or g.rule)
            continue
        label = f"{type_label(ftype, 'zh')} {type_label(ftype, 'en')}"
        if g.found:
            parts.append(f"{label}: {g.found} of {g.required} needed")
        elif g.distance_m is None:
            parts.append(f"{label} (none nearby)")
        else:
            parts.append(f"{label} ({metres_text(g.distance_m)})")
    return "; ".join(parts)


def livable_gaps_of(result: CommunityResult) -> list[Gap]:
    """The gaps that keep a community from being livable (``P4``)."""
    return [g for g in result.gaps if g.grade is Grade.LIVABLE]
