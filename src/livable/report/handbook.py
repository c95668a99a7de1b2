"""The residents' convenience-service handbook (便民服务手册, ``P7``), made from a report.

For one community (or every community of a subdistrict, one page each) the handbook lists,
per service category in walk-tier order (5, 10, 15 minutes, ``P6.tiers``), the nearest
facilities of each type with their name, walking minutes and distance, the tier the plan
promises and whether it is met, and then what the community still lacks (its gaps, in the
chosen language). Walking minutes are the distance divided by the profile's walking speed
(80 m/min in ``xian-2020``), rounded up.

The handbook is made from ``report.json`` alone, offline: Markdown, or a self-contained
UTF-8 HTML page (no external style, script or font; the CJK font it uses is embedded, cut
to its characters; every value escaped) that prints one community per A4 page.

>>> import livable
>>> from livable.report.handbook import handbook_markdown
>>> from livable.testing import community, facility, offset
>>> report = livable.evaluate(
...     [community("c1", 108.94, 34.26, size_m=600, name="福寿社区")],
...     [facility("b1", "bank", *offset(108.94, 34.26, 300, 0), name="建设银行")])
>>> text = handbook_markdown(report, community="c1", lang="en")
>>> print(next(line for line in text.splitlines() if "建设银行" in line))
| bank | 建设银行 | 4 min | 300 m |
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Literal

import attrs

from livable._text import show
from livable.errors import LivableError
from livable.models import Grade
from livable.models.results import CommunityResult, Report, ReportSource, TypeAccess, as_report
from livable.profile import Profile
from livable.report._doc import (
    category_label,
    category_order,
    find_community,
    report_profile,
    report_projector,
    tier_minutes,
    type_label,
    walking_minutes,
)
from livable.report.fonts import bundled_cjk_font, font_face
from livable.report.streets import StreetNames, StreetSource, report_streets

__all__ = [
    "CategoryPage",
    "CommunityPage",
    "Listing",
    "community_page",
    "community_pages",
    "handbook_html",
    "handbook_markdown",
    "write_handbook",
]

Lang = Literal["zh", "en"]

_TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "title": "{name}便民服务手册",
        "book": "{name}便民服务手册",
        "contents": "目录",
        "where": "所在：{where}",
        "grade": "评估等级：{grade}",
        "speed": "步行时间按每分钟{speed}米计算，向上取整",
        "tier": "{minutes}分钟生活圈（{metres}米内）",
        "other_tier": "其他服务",
        "promise": "规划承诺：步行{minutes}分钟（{metres}米）内可达",
        "met": "已达到",
        "not_met_nearest": "未达到：最近的需步行{minutes}分钟",
        "not_met_none": "未达到：{radius}米内没有",
        "type": "设施类型",
        "name": "名称",
        "walk": "步行",
        "distance": "距离",
        "street": "所在道路",
        "minutes": "{n}分钟",
        "metres": "{n}米",
        "unnamed": "（未命名）",
        "none_of_type": "{radius}米内没有",
        "missing": "还缺什么",
        "for_livable": "达到宜居社区还需（P4）",
        "for_happy": "达到幸福社区还需（P5）",
        "for_other": "其他提示",
        "no_gaps": "没有短板：本社区已达到幸福社区标准。",
        "footer": "根据 livable {version} 的评估报告生成（规则 {profile}，{distance}距离）。",
        "dist_euclidean": "直线",
        "dist_geodesic": "大地线",
        "dist_network": "步行路网",
        "sep": "，",
        "colon": "：",
    },
    "en": {
        "title": "{name}: convenience-service handbook",
        "book": "{name}: convenience-service handbook",
        "contents": "Contents",
        "where": "Location: {where}",
        "grade": "Grade: {grade}",
        "speed": "Walking times at {speed} m per minute, rounded up",
        "tier": "{minutes}-minute circle (within {metres} m)",
        "other_tier": "Other services",
        "promise": "The plan promises: within a {minutes}-minute walk ({metres} m)",
        "met": "met",
        "not_met_nearest": "not met: the nearest is a {minutes}-minute walk",
        "not_met_none": "not met: none within {radius} m",
        "type": "Type",
        "name": "Name",
        "walk": "Walk",
        "distance": "Distance",
        "street": "On street",
        "minutes": "{n} min",
        "metres": "{n} m",
        "unnamed": "(unnamed)",
        "none_of_type": "none within {radius} m",
        "missing": "What is missing",
        "for_livable": "To become a livable community (P4)",
        "for_happy": "To become a happy community (P5)",
        "for_other": "Other notes",
        "no_gaps": "No gaps: this community meets the happy standard.",
        "footer": "Made from a livable {version} report (profile {profile}, {distance} distance).",
        "dist_euclidean": "straight-line",
        "dist_geodesic": "geodesic",
        "dist_network": "street-network",
        "sep": ", ",
        "colon": ": ",
    },
}


@attrs.frozen
class Listing:
    """One nearby facility as the handbook lists it (``name`` ``None`` when unnamed)."""

    facility_type: str
    type_label: str
    name: str | None
    facility_id: str | None
    minutes: int | None
    distance_m: float | None
    """``None`` (with ``minutes`` ``None``) when no facility of the type is within reach."""
    street: str | None = None
    """The named street the facility is on, when the handbook has the report's streets."""


@attrs.frozen
class CategoryPage:
    """One service category: the tier the plan promises (``P6.tiers``) and the listings.

    ``met`` is ``None`` for facility types outside the tiered categories.
    """

    category: str | None
    label: str
    tier_minutes: float | None
    tier_m: float | None
    met: bool | None
    nearest_minutes: int | None
    listings: tuple[Listing, ...]


@attrs.frozen
class CommunityPage:
    """One community's page of the handbook, in one language."""

    id: str
    name: str
    grade: str
    where: str
    categories: tuple[CategoryPage, ...]
    gaps: Mapping[str, tuple[str, ...]]
    """Gap messages by the grade they stand in the way of: ``livable``, ``happy``, ``other``."""
    streets: bool = False
    """Whether the page names the street of each facility (it had named streets)."""


def _where(result: CommunityResult, lang: Lang) -> str:
    parts = [result.district, result.subdistrict]
    if result.zone is not None:
        parts.append(result.zone.label_zh if lang == "zh" else result.zone.label_en)
    return (" · ").join(str(p) for p in parts if p)


def _tier_met(access: Sequence[TypeAccess], tier_m: float) -> bool:
    key = round(tier_m)
    for a in access:
        if key in a.count_within:
            if a.count_within[key] > 0:
                return True
        elif a.nearest_m is not None and a.nearest_m <= tier_m:
            return True
    return False


def _listings(
    access: Sequence[TypeAccess], lang: Lang, speed: float, streets: StreetNames | None
) -> tuple[Listing, ...]:
    ordered = [(a, sorted(a.nearest, key=lambda f: f.distance_m)) for a in access]
    listed = [f for _, nearest in ordered for f in nearest]
    if streets is None:
        on: Iterator[str | None] = iter([None] * len(listed))
    else:  # one lookup for every listed facility
        on = iter(streets.streets_at([f.lon for f in listed], [f.lat for f in listed]))
    out: list[Listing] = []
    for a, nearest in ordered:
        label = type_label(a.facility_type, lang)
        if not nearest:
            out.append(Listing(a.facility_type, label, None, None, None, None))
        for f in nearest:
            d = f.distance_m
            minutes = walking_minutes(d, speed)
            out.append(Listing(a.facility_type, label, f.name, f.id, minutes, d, next(on)))
    return tuple(out)


def _capital(label: str) -> str:
    return label[:1].upper() + label[1:]


def community_page(
    result: CommunityResult,
    profile: Profile,
    lang: Lang,
    streets: StreetNames | None = None,
) -> CommunityPage:
    """The handbook page of one community of a report; with ``streets``, each listed
    facility names the street it is on
    (:meth:`livable.report.streets.StreetNames.street_at`).

    >>> import livable
    >>> from livable.profile import load_profile
    >>> from livable.testing import community, facility, offset
    >>> report = livable.evaluate([community("c1", 108.94, 34.26)],
    ...     [facility("b1", "bank", *offset(108.94, 34.26, 300, 0), name="建设银行")])
    >>> page = community_page(report.community("c1"), load_profile("xian-2020"), "zh")
    >>> bank = next(c for c in page.categories if c.category == "finance")
    >>> bank.label, bank.met, bank.listings[0].name, bank.listings[0].minutes
    ('金融', True, '建设银行', 4)
    """
    speed = profile.walking_speed_m_per_min
    by_category: dict[str | None, list[TypeAccess]] = {}
    for a in result.access:
        by_category.setdefault(a.category, []).append(a)
    pages: list[CategoryPage] = []
    order: list[str | None] = [c for c in category_order(profile) if c in by_category]
    order += [c for c in by_category if c not in order]
    for cat in order:
        types = by_category[cat]
        listings = _listings(types, lang, speed, streets)
        found = [x.minutes for x in listings if x.minutes is not None]
        if cat is None:
            label = _capital(category_label(None, lang))
            pages.append(CategoryPage(None, label, None, None, None, None, listings))
            continue
        minutes = tier_minutes(cat, profile)
        tier_m = minutes * speed
        pages.append(
            CategoryPage(
                category=cat,
                label=_capital(category_label(cat, lang)),
                tier_minutes=minutes,
                tier_m=tier_m,
                met=_tier_met(types, tier_m),
                nearest_minutes=min(found) if found else None,
                listings=listings,
            )
        )
    gaps: dict[str, list[str]] = {"livable": [], "happy": [], "other": []}
    for gap in result.gaps:
        key = gap.grade.value if gap.grade in (Grade.LIVABLE, Grade.HAPPY) else "other"
        message = (gap.message_zh if lang == "zh" else gap.message_en) or gap.rule
        if message not in gaps[key]:
            gaps[key].append(message)
    grade = result.grade
    return CommunityPage(
        id=result.id,
        name=result.name or result.id,
        grade=grade.label_zh if lang == "zh" else grade.label_en,
        where=_where(result, lang),
        categories=tuple(pages),
        gaps={k: tuple(v) for k, v in gaps.items()},
        streets=streets is not None and len(streets) > 0,
    )


def community_pages(
    report: ReportSource,
    *,
    community: str | None = None,
    subdistrict: str | None = None,
    lang: Lang = "zh",
    profile: str | Path | Profile | None = None,
    streets: StreetSource | Literal[False] | None = None,
) -> list[CommunityPage]:
    """The handbook pages of one community, or of every community of a subdistrict (by id).

    Give exactly one of ``community`` (an id) and ``subdistrict`` (a name). ``profile``
    supplies the walking speed and tiers; by default the report's built-in profile.
    ``report`` is a :class:`~livable.Report` or anything ``livable.report.as_report`` takes.
    Where the report records its streets (a ``--distance network`` run) or ``streets`` are
    given, each listed facility names the street it is on
    (:func:`~livable.report.streets.report_streets`; ``streets=False``: none).

    >>> import livable
    >>> community_pages(livable.evaluate([], []), subdistrict="柏树林街道")
    Traceback (most recent call last):
    ...
    livable.errors.LivableError: no community in subdistrict '柏树林街道' (subdistricts: none)
    """
    return _pages_and_data(report, community, subdistrict, lang, profile, streets)[0]


def _pages_and_data(
    report: ReportSource,
    community: str | None,
    subdistrict: str | None,
    lang: Lang,
    profile: str | Path | Profile | None,
    streets: StreetSource | Literal[False] | None,
) -> tuple[list[CommunityPage], Report, Profile]:
    """The pages, the report they come from (converted once) and the profile."""
    if lang not in _TEXT:
        raise LivableError(f"unknown handbook language {lang!r}: use zh or en")
    if (community is None) == (subdistrict is None):
        raise LivableError("give a community id or a subdistrict name (one of them)")
    data = as_report(report)
    prof = report_profile(data, profile)
    if community is not None:
        entries = [find_community(data, community)]
    else:
        entries = sorted(
            (c for c in data.communities if c.subdistrict == subdistrict), key=lambda c: c.id
        )
        if not entries:
            names = sorted({c.subdistrict for c in data.communities if c.subdistrict})
            raise LivableError(
                f"no community in subdistrict {show(subdistrict)} "
                f"(subdistricts: {', '.join(names) or 'none'})"
            )
    layer = report_streets(data, streets)
    named = None if layer is None else StreetNames.from_layer(layer, report_projector(data))
    return [community_page(e, prof, lang, named) for e in entries], data, prof


def _metres(d: float, t: Mapping[str, str]) -> str:
    return t["metres"].format(n=f"{round(d):,}" if d >= 10_000 else str(round(d)))


def _status(c: CategoryPage, t: Mapping[str, str], radius: float) -> str:
    if c.met is None:
        return ""
    if c.met:
        return "✓ " + t["met"]
    if c.nearest_minutes is None:
        return "✗ " + t["not_met_none"].format(radius=round(radius))
    return "✗ " + t["not_met_nearest"].format(minutes=c.nearest_minutes)


def _fmt_num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _footer(data: Report, t: Mapping[str, str]) -> str:
    dist = data.distance
    return t["footer"].format(
        version=data.livable_version,
        profile=data.profile,
        distance=t.get(f"dist_{dist}", dist),
    )


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|<>#~])")


def _md(text: object) -> str:
    """Text safe inside Markdown (table cells too): markup characters backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def handbook_markdown(
    report: ReportSource,
    *,
    community: str | None = None,
    subdistrict: str | None = None,
    lang: Lang = "zh",
    profile: str | Path | Profile | None = None,
    streets: StreetSource | Literal[False] | None = None,
) -> str:
    """The handbook as Markdown: one community, or a subdistrict's book (pages split by ---).

    Where the report's streets (or ``streets``) have names, each facility's row says the
    street it is on (see :func:`community_pages`).

    >>> import livable
    >>> from livable.testing import community
    >>> report = livable.evaluate([community("c1", 108.94, 34.26, name="福寿社区")], [])
    >>> print(handbook_markdown(report, community="c1").splitlines()[0])
    # 福寿社区便民服务手册
    """
    pages, data, prof = _pages_and_data(report, community, subdistrict, lang, profile, streets)
    t = _TEXT[lang]
    radius = prof.search_radius_m
    out: list[str] = []
    level = "#"
    if subdistrict is not None:
        out += [f"# {_md(t['book'].format(name=subdistrict))}", "", f"## {t['contents']}", ""]
        out += [f"1. {_md(p.name)} ({_md(p.id)}): {_md(p.grade)}" for p in pages]
        out.append("")
        level = "##"
    for n, page in enumerate(pages):
        if subdistrict is not None or n:
            out += ["---", ""]
        out += [f"{level} {_md(t['title'].format(name=page.name))}", ""]
        meta = [f"ID {page.id}"]
        if page.where:
            meta.append(t["where"].format(where=page.where))
        meta.append(t["grade"].format(grade=page.grade))
        meta.append(t["speed"].format(speed=_fmt_num(prof.walking_speed_m_per_min)))
        out += [_md(t["sep"].join(meta)), ""]
        current: float | str | None = "start"
        for cat in page.categories:
            if cat.tier_minutes != current:
                current = cat.tier_minutes
                if cat.tier_minutes is None or cat.tier_m is None:
                    heading = t["other_tier"]
                else:
                    heading = t["tier"].format(
                        minutes=_fmt_num(cat.tier_minutes), metres=round(cat.tier_m)
                    )
                out += [f"{level}# {_md(heading)}", ""]
            if cat.category is not None:
                out += [f"{level}## {_md(cat.label)}", ""]
            if cat.tier_minutes is not None and cat.tier_m is not None:
                promise = t["promise"].format(
                    minutes=_fmt_num(cat.tier_minutes), metres=round(cat.tier_m)
                )
                out += [f"{_md(promise)}{t['colon']}**{_md(_status(cat, t, radius))}**", ""]
            extra = f" {t['street']} |" if page.streets else ""
            out += [
                f"| {t['type']} | {t['name']} | {t['walk']} | {t['distance']} |{extra}",
                "| --- | --- | ---: | ---: |" + (" --- |" if page.streets else ""),
            ]
            for x in cat.listings:
                if x.distance_m is None or x.minutes is None:
                    none = t["none_of_type"].format(radius=round(radius))
                    dash = " - |" if page.streets else ""
                    out.append(f"| {_md(x.type_label)} | {_md(none)} | - | - |{dash}")
                else:
                    name = x.name if x.name else t["unnamed"]
                    street = f" {_md(x.street or '-')} |" if page.streets else ""
                    out.append(
                        f"| {_md(x.type_label)} | {_md(name)} | "
                        f"{t['minutes'].format(n=x.minutes)} | {_metres(x.distance_m, t)} |"
                        f"{street}"
                    )
            out.append("")
        out += [f"{level}# {t['missing']}", ""]
        if not any(page.gaps.values()):
            out += [_md(t["no_gaps"]), ""]
        for key in ("livable", "happy", "other"):
            if page.gaps.get(key):
                out += [f"{level}## {_md(t['for_' + key])}", ""]
                out += [f"- {_md(m)}" for m in page.gaps[key]]
                out.append("")
    out += ["---", "", f"*{_md(_footer(data, t))}*", ""]
    return "\n".join(out)


_CSS = """
body{font-family:"Noto Sans SC","Noto Sans CJK SC","Source Han Sans SC","PingFang SC",
"Microsoft YaHei","WenQuanYi Micro Hei",system-ui,sans-serif;margin:2rem auto;max-width:52rem;
color:#222;line-height:1.5;padding:0 1rem}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{border-bottom:2px solid #2166ac;padding-bottom:.2rem;
margin-top:1.6rem}h3{margin:1rem 0 .3rem}.meta{color:#555}.grade{font-weight:bold}
.g-not_livable{color:#c0392b}.g-livable{color:#2a7fb8}.g-happy{color:#1b5e20}
.promise{margin:.2rem 0 .4rem;color:#444}.ok{color:#1b7a2b;font-weight:bold}
.no{color:#c0392b;font-weight:bold}table{border-collapse:collapse;width:100%;margin-bottom:.6rem;
table-layout:fixed}th:nth-child(1){width:30%}th:nth-child(2){width:44%}th.num{width:13%}
th,td{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left}
td.num,th.num{text-align:right;white-space:nowrap}tr.none td{color:#c0392b}
tr.in-tier td:nth-child(2){font-weight:bold}
.gaps li{margin:.15rem 0}.gaps.livable li{color:#c0392b}footer{color:#777;font-size:.85rem;
margin-top:2rem}section.page{break-after:page;page-break-after:always}
@media print{body{margin:0;max-width:none}section.page{break-after:page}}
""".strip()


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


def handbook_html(
    report: ReportSource,
    *,
    community: str | None = None,
    subdistrict: str | None = None,
    lang: Lang = "zh",
    profile: str | Path | Profile | None = None,
    font: str | Path | None = None,
    streets: StreetSource | Literal[False] | None = None,
) -> str:
    """The handbook as one self-contained UTF-8 HTML page (one printed page per community).

    Where the report's streets (or ``streets``) have names, each facility's row says the
    street it is on (see :func:`community_pages`).

    The page embeds the CJK font it uses, cut down to its characters (an ``@font-face``
    ``data:`` URL, :mod:`livable.report.fonts`), so it renders on a machine without a
    Chinese font: ``font`` (a ``.ttf``/``.otf`` file), else Noto Sans SC of the ``maps``
    extra; without either the CSS names the common system CJK fonts.

    >>> import livable
    >>> from livable.testing import community
    >>> report = livable.evaluate([community("c1", 108.94, 34.26, name="<b>社区")], [])
    >>> page = handbook_html(report, community="c1", lang="en")
    >>> "<title>&lt;b&gt;社区: convenience-service handbook</title>" in page
    True
    """
    pages, data, prof = _pages_and_data(report, community, subdistrict, lang, profile, streets)
    t = _TEXT[lang]
    radius = prof.search_radius_m
    grade_of = {c.id: c.grade.value for c in data.communities}
    title = (
        t["book"].format(name=subdistrict) if subdistrict else t["title"].format(name=pages[0].name)
    )
    body: list[str] = []
    if subdistrict is not None:
        body.append(f'<header><h1>{_h(title)}</h1><h2>{_h(t["contents"])}</h2><ol class="toc">')
        body += [
            f'<li><a href="#community-{_h(p.id)}">{_h(p.name)}</a> ({_h(p.id)}): '
            f'<span class="g-{_h(grade_of.get(p.id, ""))}">{_h(p.grade)}</span></li>'
            for p in pages
        ]
        body.append("</ol></header>")
    for page in pages:
        grade_cls = f"g-{grade_of.get(page.id, '')}"
        body.append(f'<section class="page" id="community-{_h(page.id)}">')
        body.append(f"<h1>{_h(t['title'].format(name=page.name))}</h1>")
        meta = [f"ID {_h(page.id)}"]
        if page.where:
            meta.append(_h(t["where"].format(where=page.where)))
        meta.append(
            _h(t["grade"].format(grade=""))
            + f'<span class="grade {grade_cls}">{_h(page.grade)}</span>'
        )
        meta.append(_h(t["speed"].format(speed=_fmt_num(prof.walking_speed_m_per_min))))
        body.append(f'<p class="meta">{_h(t["sep"]).join(meta)}</p>')
        current: float | str | None = "start"
        for cat in page.categories:
            if cat.tier_minutes != current:
                current = cat.tier_minutes
                if cat.tier_minutes is None or cat.tier_m is None:
                    heading = t["other_tier"]
                else:
                    heading = t["tier"].format(
                        minutes=_fmt_num(cat.tier_minutes), metres=round(cat.tier_m)
                    )
                body.append(f"<h2>{_h(heading)}</h2>")
            cat_id = cat.category or "other"
            body.append(f'<div class="category" data-category="{_h(cat_id)}">')
            if cat.category is not None:
                body.append(f"<h3>{_h(cat.label)}</h3>")
            if cat.tier_minutes is not None and cat.tier_m is not None:
                promise = t["promise"].format(
                    minutes=_fmt_num(cat.tier_minutes), metres=round(cat.tier_m)
                )
                cls = "ok" if cat.met else "no"
                body.append(
                    f'<p class="promise">{_h(promise)}{_h(t["colon"])}'
                    f'<span class="{cls}">{_h(_status(cat, t, radius))}</span></p>'
                )
            street_th = f'<th class="street">{_h(t["street"])}</th>' if page.streets else ""
            body.append(
                ('<table class="streets">' if page.streets else "<table>")
                + f"<thead><tr><th>{_h(t['type'])}</th><th>{_h(t['name'])}</th>"
                f'<th class="num">{_h(t["walk"])}</th><th class="num">{_h(t["distance"])}</th>'
                f"{street_th}</tr></thead><tbody>"
            )
            for x in cat.listings:
                if x.distance_m is None or x.minutes is None:
                    none = t["none_of_type"].format(radius=round(radius))
                    body.append(
                        f'<tr class="none" data-type="{_h(x.facility_type)}">'
                        f"<td>{_h(x.type_label)}</td><td>{_h(none)}</td>"
                        '<td class="num">-</td><td class="num">-</td>'
                        + ("<td>-</td>" if page.streets else "")
                        + "</tr>"
                    )
                    continue
                name = x.name if x.name else t["unnamed"]
                near = cat.tier_m is not None and x.distance_m <= cat.tier_m
                row_cls = ' class="in-tier"' if near else ""
                body.append(
                    f'<tr{row_cls} data-type="{_h(x.facility_type)}" '
                    f'data-id="{_h(x.facility_id or "")}">'
                    f"<td>{_h(x.type_label)}</td><td>{_h(name)}</td>"
                    f'<td class="num">{_h(t["minutes"].format(n=x.minutes))}</td>'
                    f'<td class="num">{_h(_metres(x.distance_m, t))}</td>'
                    + (f"<td>{_h(x.street or '-')}</td>" if page.streets else "")
                    + "</tr>"
                )
            body.append("</tbody></table></div>")
        body.append(f"<h2>{_h(t['missing'])}</h2>")
        if not any(page.gaps.values()):
            body.append(f"<p>{_h(t['no_gaps'])}</p>")
        for key in ("livable", "happy", "other"):
            if page.gaps.get(key):
                body.append(f"<h3>{_h(t['for_' + key])}</h3>")
                body.append(f'<ul class="gaps {key}">')
                body += [f"<li>{_h(m)}</li>" for m in page.gaps[key]]
                body.append("</ul>")
        body.append(f"<footer>{_h(_footer(data, t))}</footer></section>")
    html_lang = "zh-CN" if lang == "zh" else "en"
    text = "\n".join(body)
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_h(title)}</title>\n<style>\n{_css(title, text, font, pages)}\n</style>\n"
        "</head>\n<body>\n" + text + "\n</body>\n</html>\n"
    )


_STREETS_CSS = (
    "table.streets th:nth-child(1){width:22%}table.streets th:nth-child(2){width:32%}"
    "table.streets th.street{width:20%}"
)


def _css(title: str, body: str, font: str | Path | None, pages: Sequence[CommunityPage]) -> str:
    """The page's style, with the embedded font first when there is one to embed."""
    if font is not None and not Path(font).is_file():
        raise LivableError(f"{font}: font file not found")
    shown = html.unescape(re.sub(r"<[^>]*>", "", body)) + title
    chars = "".join(sorted(set(shown) - set("\n\r\t")))
    face = font_face(_FONT_FAMILY, chars, font or bundled_cjk_font())
    css = _CSS + ("\n" + _STREETS_CSS if any(p.streets for p in pages) else "")
    if not face:
        return css
    first = css.replace("body{font-family:", f'body{{font-family:"{_FONT_FAMILY}",', 1)
    return f"{face}\n{first}"


_FONT_FAMILY = "LivableHandbook"


def write_handbook(
    report: ReportSource,
    out: str | Path,
    *,
    community: str | None = None,
    subdistrict: str | None = None,
    lang: Lang = "zh",
    profile: str | Path | Profile | None = None,
    font: str | Path | None = None,
    streets: StreetSource | Literal[False] | None = None,
) -> Path:
    """Write the handbook to ``out``: ``.md`` for Markdown, ``.html`` for HTML (UTF-8).

    >>> import livable, tempfile
    >>> from livable.testing import community
    >>> report = livable.evaluate([community("c1", 108.94, 34.26)], [])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = write_handbook(report, Path(d) / "c1.md", community="c1", lang="en")
    ...     path.read_text(encoding="utf-8").startswith("# c1: convenience-service handbook")
    True
    """
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix == ".md":
        text = handbook_markdown(
            report,
            community=community,
            subdistrict=subdistrict,
            lang=lang,
            profile=profile,
            streets=streets,
        )
    elif suffix in (".html", ".htm"):
        text = handbook_html(
            report,
            community=community,
            subdistrict=subdistrict,
            lang=lang,
            profile=profile,
            font=font,
            streets=streets,
        )
    else:
        raise LivableError(f"{path}: the handbook is written as .md or .html, not {suffix!r}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise LivableError(f"{path}: cannot write: {exc.strerror}") from exc
    return path
