"""The results: per-community verdicts, the city summary, and the report document.

These frozen attrs classes are the public face of an evaluation. :meth:`Report.to_json`
writes the ``report.json`` of DESIGN.md's output contract, validated by the JSON Schema
shipped as ``livable/schemas/report.schema.json``.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import html
import importlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, overload

import attrs
import orjson
import shapely
from cattrs.errors import AttributeValidationNote, ClassValidationError, IterableValidationError
from shapely.geometry.base import BaseGeometry

from livable._text import show
from livable.errors import LivableError, ReportError
from livable.models.serialize import (
    Field,
    converter,
    dump_head,
    dump_with,
    dumps,
    geometry_to_geojson,
    int_key,
    items,
    keyed,
    register,
    round_deg,
    round_m,
    round_share,
    structure,
    structure_fields,
    write_rows,
)
from livable.models.summary import ClosestCommunity, GapCount, Summary, ZoneSummary, html_table
from livable.models.vocabulary import Grade, PlanStage, Zone

__all__ = [
    "NOTE_EXAMPLES",
    "SCHEMA_VERSION",
    "ClosestCommunity",
    "CommunityResult",
    "CommunityScore",
    "Gap",
    "GapCount",
    "IndicatorResult",
    "InputNote",
    "NearbyFacilities",
    "NearbyFacility",
    "PluginInfo",
    "Provisional",
    "Rejection",
    "Report",
    "ReportSource",
    "Skipped",
    "SourceInfo",
    "Status",
    "Summary",
    "TypeAccess",
    "ZoneSummary",
    "as_report",
    "grade_from_results",
    "read_report",
]

SCHEMA_VERSION = "1"
"""The version of the ``report.json`` schema this release writes."""

Status = Literal["passed", "failed", "not_assessed"]


def _unit(_inst: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not (isinstance(value, int | float) and 0.0 <= value <= 1.0):
        raise ValueError(f"{attribute.name} must be a number from 0 to 1, not {value!r}")


NOTE_KINDS = (
    "rejected",
    "renamed",
    "ignored",
    "ids_from_index",
    "missing_type",
    "dropped_components",
    "dropped_segments",
    "unreachable",
)
"""Every kind of :class:`InputNote`, in the order the terminal reports them."""

NOTE_EXAMPLES = 3
"""How many examples an :class:`InputNote` keeps."""


@attrs.frozen
class InputNote:
    """One kind of thing a read could not use as given, counted, with the first examples.

    ``kind`` is one of ``NOTE_KINDS``: ``rejected`` (``what``: the reason, without its
    values), ``renamed`` (``what``: ``old -> new, ...``), ``ignored`` (properties nothing
    in the run reads: ``what`` lists them), ``ids_from_index`` (ids made from a
    GeoDataFrame's row index), ``missing_type`` (a facility type the profile needs with no
    facility at all: ``what`` names it), or, for streets, ``dropped_components``,
    ``dropped_segments`` and ``unreachable``. ``examples`` are sanitised input values (at
    most ``NOTE_EXAMPLES``, 3).

    >>> InputNote("rejected", 2, "unknown facility type", ("'kindergarden'",)).count
    2
    >>> InputNote("misread", 1)
    Traceback (most recent call last):
    ...
    ValueError: ("'kind' must be in ('rejected', 'renamed', 'ignored', ...) (got 'misread')", ...)
    """

    kind: str = attrs.field(validator=attrs.validators.in_(NOTE_KINDS))
    count: int = attrs.field(validator=attrs.validators.ge(0))
    what: str = ""
    examples: tuple[str, ...] = attrs.field(
        default=(), validator=attrs.validators.max_len(NOTE_EXAMPLES)
    )


@attrs.frozen
class SourceInfo:
    """Where an input came from: a path and the SHA-256 of its bytes, or ``<memory>``.

    In a report, ``layer`` names the input (``communities``, ``facilities``,
    ``residents``, ``streets``), ``features`` counts its features, ``used`` those kept,
    and ``notes`` says what could not be used as given (:class:`~livable.InputNote`).
    For streets, ``crs`` and ``datum`` say what they were read in when that was not
    WGS84 lon/lat (a CRS name such as ``EPSG:32649``; ``gcj02`` or ``bd09``), so the map
    and the handbook can read them back (:mod:`livable.report.streets`).
    """

    path: str
    sha256: str | None = None
    layer: str | None = None
    features: int | None = None
    used: int | None = None
    notes: tuple[InputNote, ...] = ()
    crs: str | None = None
    datum: str | None = None


@attrs.frozen
class Rejection:
    """A feature that was not used (or was repaired), and why (``source`` is ``file#index``)."""

    id: str | None
    source: str
    reason: str


@attrs.frozen
class NearbyFacility:
    """A facility near a community centre, with its WGS84 position and distance."""

    id: str
    type: str
    name: str | None
    lon: float
    lat: float
    distance_m: float
    brand: str | None = None
    quality: float | None = None


class NearbyFacilities(Sequence[NearbyFacility]):
    """The nearest facilities of one type to one community centre, built when first read.

    An evaluation measures every community's nearest facilities as arrays; building the
    :class:`NearbyFacility` objects of all of them (tens of them a community) costs more
    than grading the community, and most uses never read them (the columnar report, the
    summary). So :attr:`TypeAccess.nearest` holds this sequence: ``build`` returns the
    facilities of every type of the community at once (called at most once, by whichever
    of its types is read first; ``slot`` picks this type's), and ``length`` is known
    without building. It equals the tuple of its items, and pickles and copies as that
    tuple (a Dask worker sends built values, not the run's columns).

    >>> f = NearbyFacility("k1", "kindergarten", None, 108.94, 34.26, 461.0)
    >>> near = NearbyFacilities(lambda: [(f,)], 0, 1)
    >>> len(near), near[0].id, near == (f,), tuple(near) == (f,)
    (1, 'k1', True, True)
    """

    __slots__ = ("_build", "_items", "_length", "_slot")

    def __init__(
        self,
        build: Callable[[], Sequence[tuple[NearbyFacility, ...]]],
        slot: int,
        length: int,
    ) -> None:
        self._build: Callable[[], Sequence[tuple[NearbyFacility, ...]]] | None = build
        self._slot, self._length = slot, length
        self._items: tuple[NearbyFacility, ...] | None = None

    def _built(self) -> tuple[NearbyFacility, ...]:
        items = self._items
        if items is None:
            assert self._build is not None  # set until built
            items = self._items = tuple(self._build()[self._slot])
            self._build = None  # the run's columns are no longer needed
            if len(items) != self._length:
                raise LivableError(
                    f"nearest facilities: {len(items)} built where {self._length} were measured"
                )
        return items

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, i: int) -> NearbyFacility: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[NearbyFacility, ...]: ...
    def __getitem__(self, i: int | slice) -> NearbyFacility | tuple[NearbyFacility, ...]:
        return self._built()[i]

    def __iter__(self) -> Iterator[NearbyFacility]:
        return iter(self._built())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, NearbyFacilities):
            return self._length == other._length and self._built() == other._built()
        if isinstance(other, tuple):
            return self._length == len(other) and self._built() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._built())

    def __repr__(self) -> str:
        return repr(self._built())

    def __reduce__(self) -> tuple[type[tuple[Any, ...]], tuple[tuple[NearbyFacility, ...]]]:
        return tuple, (self._built(),)


@attrs.frozen
class TypeAccess:
    """Access from one community centre to one facility type.

    ``nearest_m`` is ``None`` beyond the profile's search radius; ``count_within`` is keyed
    by the profile's tier distances in whole metres.
    """

    facility_type: str
    category: str | None
    nearest_m: float | None
    count_within: Mapping[int, int]
    count_in_circle: int
    nearest: Sequence[NearbyFacility] = ()
    """The nearest facilities, nearest first: a tuple, or (from an evaluation) a
    :class:`NearbyFacilities` that builds them when first read."""


@attrs.frozen
class Gap:
    """Something a community lacks for a grade, with bilingual messages.

    ``rule`` is the clause-based rule id (``P4.twelve_ones``, ``P6.tiers``, ``P5.green_ratio``,
    ...); ``grade`` the grade the gap blocks (set by the engine from the indicator's role).
    """

    rule: str
    message_en: str
    message_zh: str
    grade: Grade | None = None
    facility_type: str | None = None
    category: str | None = None
    distance_m: float | None = None
    required: int | None = None
    found: int | None = None


@attrs.frozen
class Provisional:
    """Why a community's grade is provisional: it rests on an input that was missing.

    ``reason`` is ``population`` (no resident population: graded as the smallest size
    class, ``P4``) or ``qualifier:<facility type>`` (the input does not say whether its
    facilities of that type have the plan's qualifier, ``P4``: 品牌, 放心早餐, 特色); the
    messages say it in both languages.

    >>> Provisional("population", "P4", "no population", "未提供常住人口").reason
    'population'
    """

    reason: str
    clause: str
    message_en: str
    message_zh: str


@attrs.frozen
class IndicatorResult:
    """One indicator's verdict on one community (DESIGN.md's ``indicators`` fields).

    ``role`` is what the profile makes of the indicator (``livable``, ``happy``, ``scored``
    or ``info``, see :data:`livable.indicators.ROLES`). ``decisive`` is true when the
    indicator decided the grade: a failed one blocked the next grade, or a passed one was
    needed for the grade reached. ``score`` (0-1, ``None`` when not assessed) is the
    indicator's part of the community's framework score when its role is ``scored``.
    ``label_en``/``label_zh``/``clause`` repeat the indicator's metadata so the report
    explains itself.
    """

    id: str
    status: Status = attrs.field(
        validator=attrs.validators.in_(("passed", "failed", "not_assessed"))
    )
    value: Any
    unit: str | None
    requirement: str
    key_content: str
    message_en: str
    message_zh: str
    role: str = "info"
    decisive: bool = False
    gaps: tuple[Gap, ...] = ()
    label_en: str = ""
    label_zh: str = ""
    clause: str = ""
    score: float | None = attrs.field(default=None, validator=attrs.validators.optional(_unit))
    provisional: tuple[Provisional, ...] = ()
    """Inputs the verdict rests on that were missing (a qualifier not carried, ``P4``);
    a grade indicator's make the community's grade provisional."""


@attrs.frozen
class CommunityScore:
    """A community's 0-100 framework score (``P2``): its ``scored`` indicators, averaged.

    ``value`` is 100 times the mean ``score`` of the ``scored`` indicators that could be
    assessed; ``assessed`` of ``total`` says how many counted. With fewer than half of them
    assessed the score says nothing of the framework, so ``value`` is ``None`` and the
    score reads "not enough assessed" (评估项不足, :attr:`enough`). The score never changes
    a grade; it shows how far a community is along the rest of the "136" framework (market
    services, ecology, smart living, governance, innovation).

    >>> r = IndicatorResult(id="a", status="passed", value=1, unit=None,
    ...     requirement="smart", key_content="smart_living", message_en="",
    ...     message_zh="", role="scored", score=1.0)
    >>> s = IndicatorResult(id="b", status="not_assessed", value=None, unit=None,
    ...     requirement="smart", key_content="smart_living", message_en="",
    ...     message_zh="", role="scored")
    >>> CommunityScore.from_results([r, s])
    CommunityScore(value=100.0, assessed=1, total=2)
    >>> CommunityScore.from_results([r, s, s]).text("zh")
    '框架得分：评估项不足（3项计分指标中评估1项，至少需要2项）'
    """

    value: float | None
    assessed: int
    total: int

    @classmethod
    def from_results(cls, results: Sequence[IndicatorResult]) -> CommunityScore | None:
        """The score of a community's results; ``None`` when no indicator is ``scored``."""
        scored = [r for r in results if r.role == "scored"]
        if not scored:
            return None
        known = [r.score for r in scored if r.score is not None]
        enough = bool(known) and 2 * len(known) >= len(scored)
        value = 100.0 * sum(known) / len(known) if enough else None
        return cls(value=value, assessed=len(known), total=len(scored))

    @property
    def needed(self) -> int:
        """How many scored indicators must be assessed for the score to be shown: half."""
        return (self.total + 1) // 2

    @property
    def enough(self) -> bool:
        """Whether at least half the scored indicators were assessed (the score is shown)."""
        return self.total > 0 and self.assessed >= self.needed

    def text(self, lang: str = "en") -> str:
        """The score as the explanation prints it, or "not enough assessed"."""
        zh = lang == "zh"
        if self.value is None or not self.enough:
            return (
                f"框架得分：评估项不足（{self.total}项计分指标中评估{self.assessed}项，"
                f"至少需要{self.needed}项）"
                if zh
                else f"Framework score: not enough assessed ({self.assessed} of {self.total} "
                f"scored indicators; at least {self.needed} needed)"
            )
        return (
            f"框架得分{self.value:.0f}/100（{self.total}项计分指标中评估{self.assessed}项）"
            if zh
            else f"Framework score {self.value:.0f}/100 ({self.assessed} of {self.total} "
            "scored indicators assessed)"
        )


def grade_from_results(results: Sequence[IndicatorResult]) -> Grade:
    """The grade the indicator results give (``P3``-``P5``).

    Livable needs every ``livable``-role indicator passed; happy needs livable and every
    ``happy``-role indicator passed. "Not assessed" never counts as passed.

    >>> r = IndicatorResult(id="twelve_ones", status="passed", value=12, unit=None,
    ...     requirement="convenience", key_content="convenience_services",
    ...     message_en="", message_zh="", role="livable")
    >>> grade_from_results([r])
    <Grade.HAPPY: 'happy'>
    """
    livable = all(r.status == "passed" for r in results if r.role == "livable")
    if not livable:
        return Grade.NOT_LIVABLE
    happy = all(r.status == "passed" for r in results if r.role == "happy")
    return Grade.HAPPY if happy else Grade.LIVABLE


@attrs.frozen
class CommunityResult:
    """The verdict on one community, with the distances and indicators behind it.

    :meth:`explain` says, in English or Chinese, which indicators decided the grade.
    """

    id: str
    name: str | None
    grade: Grade
    center: tuple[float, float]
    center_inside: bool
    center_source: str
    radius_m: float
    radius_reason: str | None
    geometry: BaseGeometry
    district: str | None
    subdistrict: str | None
    zone: Zone | None
    population: int | None
    size_class: str
    access: tuple[TypeAccess, ...]
    gaps: tuple[Gap, ...]
    indicators: tuple[IndicatorResult, ...]
    isochrones: Mapping[int, BaseGeometry] | None = None
    details: Mapping[str, Any] = attrs.field(factory=dict)
    """Provider-specific facts (e.g. the network snap length of the centre)."""
    score: CommunityScore | None = None
    """The 0-100 framework score of the ``scored`` indicators (``None``: none scored)."""
    radius_approval: str | None = None
    """Why the district approved the community's own radius (``radius_reason``
    ``"approved"``, ``P6.circle``): its ``radius_reason`` property."""
    resident_access: Mapping[str, float] | None = None
    """Beyond the plan: per service category, the share of the community's residents
    (weighted by population) who reach it within its walk tier (``P6.tiers``); ``None``
    unless resident points were given (:mod:`livable.indicators.residents`)."""
    provisional: tuple[Provisional, ...] = ()
    """Why the grade is provisional (empty: it is not): inputs it rests on were missing."""
    explanation: Mapping[str, str] | None = attrs.field(default=None, eq=False)
    """The ``explanation`` member as read from a ``report.json`` (``en`` and ``zh``);
    ``None`` for a result of an evaluation, whose explanation is made by :meth:`explain`.
    Kept so that a report read back writes the same text (its scores are rounded)."""

    def __repr__(self) -> str:
        name = "" if self.name is None else f" {show(self.name, 40, quote=False)}"
        gaps = len(self.gaps)
        return (
            f"<CommunityResult {show(self.id, 40, quote=False)}{name}: {self.grade.value}, "
            f"{gaps} gap{'' if gaps == 1 else 's'}>"
        )

    def _repr_html_(self) -> str:
        """A compact HTML view for notebooks: who and where, the grade, then the gaps."""
        facts = [
            ("id", self.id),
            ("name", self.name or "-"),
            ("grade 等级", f"{self.grade.value} {self.grade.label_zh}"),
            ("district 区", self.district or "-"),
            ("subdistrict 街道", self.subdistrict or "-"),
            ("zone", "-" if self.zone is None else self.zone.value),
            ("population", "-" if self.population is None else self.population),
            ("circle radius", f"{self.radius_m:.0f} m"),
        ]
        gaps = [
            (g.rule, g.facility_type or g.category or "-", g.message_en, g.message_zh)
            for g in self.gaps
        ]
        return html_table(("", ""), facts) + (
            html_table(("rule", "what", "gap", "短板"), gaps) if gaps else "<p>no gaps 无短板</p>"
        )

    @property
    def next_grade(self) -> Grade | None:
        """The grade above this one (``None`` for a happy community)."""
        return {Grade.NOT_LIVABLE: Grade.LIVABLE, Grade.LIVABLE: Grade.HAPPY}.get(self.grade)

    def blocking(self) -> tuple[IndicatorResult, ...]:
        """The grade indicators standing between this community and its next grade.

        Those whose role is the next grade and that did not pass (failed or not assessed).
        """
        target = self.next_grade
        if target is None:
            return ()
        return tuple(r for r in self.indicators if r.role == target.value and r.status != "passed")

    def explain(self, lang: str = "en", *, full: bool = True) -> str:
        """Why this community has its grade, indicator by indicator (``lang``: en or zh).

        Lists, grade by grade, every grade indicator with its status and message, marking
        with ``*`` those that decided the grade (needed and passed, or keeping the community
        from the next grade); then the ``scored`` and ``info`` indicators and the framework
        score. ``full=False`` keeps only the decisive indicators and the score (the
        ``explanation`` of ``report.json``, whose ``indicators`` hold the rest).
        """
        if lang not in ("en", "zh"):
            raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")
        zh = lang == "zh"
        grade = self.grade
        label = grade.label_zh if zh else grade.label_en
        lines = [
            f"评定结果：{label}。标*的指标决定了等级。"
            if zh
            else f"{label} ({grade.clause}). Indicators marked * decided the grade."
        ]
        for p in self.provisional:
            lines.append(
                f"等级为暂定：{p.message_zh}" if zh else f"Provisional grade: {p.message_en}"
            )
        ruled = grade_from_results(self.indicators)
        if ruled != grade:
            rl = ruled.label_zh if zh else ruled.label_en
            lines.append(
                f"等级由插件设定；按评定规则应为{rl}。"
                if zh
                else f"Grade set by a plugin (livable_classify); the rules give {rl}."
            )
        for target in (Grade.LIVABLE, Grade.HAPPY):
            members = [r for r in self.indicators if r.role == target.value]
            if not members:
                continue
            tl = target.label_zh if zh else target.label_en
            if grade.rank >= target.rank:
                head = f"{tl}：已达到" if zh else f"{tl} ({target.clause}): reached"
            elif grade.rank + 1 == target.rank:
                head = (
                    f"{tl}：未达到，原因见标*的指标"
                    if zh
                    else f"{tl} ({target.clause}): not reached, because of those marked *"
                )
            else:
                head = (
                    f"{tl}：未达到（须先达到宜居标准）"
                    if zh
                    else f"{tl} ({target.clause}): not reached (livable comes first)"
                )
            shown = [r for r in members if full or r.decisive]
            if shown:
                lines.append(head)
                lines += [_line(r, zh) for r in shown]
        extra = [r for r in self.indicators if r.role in ("scored", "info")]
        if extra and full:
            lines.append(
                "其他指标（不影响等级）：" if zh else "Other indicators (do not decide the grade):"
            )
            lines += [_line(r, zh) for r in extra]
        if self.score is not None:
            lines.append(self.score.text(lang))
        return "\n".join(lines)

    def access_to(self, facility_type: str) -> TypeAccess:
        """The access entry of one facility type."""
        for entry in self.access:
            if entry.facility_type == facility_type:
                return entry
        raise KeyError(facility_type)

    def indicator(self, indicator_id: str) -> IndicatorResult:
        """The result of one indicator."""
        for result in self.indicators:
            if result.id == indicator_id:
                return result
        raise KeyError(indicator_id)


_STATUS = {
    "passed": ("passed", "达标"),
    "failed": ("failed", "未达标"),
    "not_assessed": ("not assessed", "未评估"),
}


def _line(r: IndicatorResult, zh: bool) -> str:
    en_status, zh_status = _STATUS[r.status]
    label = (r.label_zh if zh else r.label_en) or r.id
    mark = "*" if r.decisive else "-"
    if zh:
        message = r.message_zh.removeprefix(f"{label}：").removesuffix(f"，{zh_status}")
        return f"  {mark} {label}（{zh_status}）：{message}"
    return f"  {mark} {label} ({r.id}, {r.clause or '-'}) {en_status}: {r.message_en}"


@attrs.frozen
class PluginInfo:
    """A loaded plugin and its version (``plugins`` in the report)."""

    name: str
    version: str | None


@attrs.frozen
class Skipped:
    """A plugin contribution skipped in record-and-continue mode, and why (``skipped``).

    ``hook`` is ``None`` for a plugin that could not be loaded at all; ``community`` names
    the community for faults during its evaluation (an indicator that raised, a grade of
    the wrong type).
    """

    plugin: str
    hook: str | None
    reason: str
    community: str | None = None


@attrs.frozen
class Report:
    """An evaluation: every input community in ``communities`` or in ``rejected``."""

    livable_version: str
    profile: str
    profile_sha256: str
    distance: str
    working_crs: str
    inputs: tuple[SourceInfo, ...]
    plugins: tuple[PluginInfo, ...]
    communities: tuple[CommunityResult, ...]
    rejected: tuple[Rejection, ...]
    summary: Summary
    rejected_facilities: tuple[Rejection, ...] = ()
    rejected_residents: tuple[Rejection, ...] | None = None
    """Resident points not used, and why; ``None`` when no resident points were given."""
    repaired: tuple[Rejection, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    """Plugin contributions skipped in record-and-continue mode, with the reason."""
    details: Mapping[str, Any] = attrs.field(factory=dict)
    """Provider facts about the whole run (e.g. ``network``: the graph, rejected streets,
    facilities off the network); written as ``details`` when not empty."""
    schema_version: str = SCHEMA_VERSION

    @property
    def as_of(self) -> datetime.date | None:
        """The date the report describes (``evaluate --as-of``; the summary's ``as_of``)."""
        return self.summary.as_of

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"<Report {show(self.profile, 40, quote=False)}: {s.evaluated} communities, "
            f"{s.happy} happy, {s.livable} livable, {s.not_livable} not livable>"
        )

    def _repr_html_(self) -> str:
        """The notebook view: the run's facts and the summary's grades and targets."""
        head = (
            f"<p>livable {html.escape(self.livable_version)}, profile "
            f"{html.escape(self.profile)}, distance {html.escape(self.distance)}, working CRS "
            f"{html.escape(self.working_crs)}</p>"
        )
        return head + self.summary._repr_html_()

    def map(self, out: str | os.PathLike[str], **options: Any) -> Path:
        """Draw the convenience-service map (``P7``) of this report to ``out`` (``.png``,
        ``.svg`` or ``.html``): :func:`livable.report.maps.render_map` with this report;
        ``options`` are its keywords (``community=``, ``dpi=``, ``font=``, ``plan=``, ...).
        """
        path: Path = _product("livable.report.maps", "render_map")(self, out, **options)
        return path

    def handbook(self, out: str | os.PathLike[str], **options: Any) -> Path:
        """Write the residents' handbook (``P7``) of this report to ``out`` (``.md`` or
        ``.html``): :func:`livable.report.handbook.write_handbook` with this report;
        ``options`` are its keywords (``community=`` or ``subdistrict=``, ``lang=``, ...).

        >>> import livable, tempfile
        >>> from livable.testing import community
        >>> report = livable.evaluate([community("c1", 108.94, 34.26)], [])
        >>> with tempfile.TemporaryDirectory() as d:
        ...     path = report.handbook(Path(d) / "c1.md", community="c1", lang="en")
        ...     path.read_text(encoding="utf-8").startswith("# c1: convenience-service handbook")
        True
        """
        path: Path = _product("livable.report.handbook", "write_handbook")(self, out, **options)
        return path

    def plan(self, facility_types: Sequence[str], **options: Any) -> Any:
        """Sites for new facilities that close this report's gaps (``P6``): a
        :class:`livable.report.planner.Plan` of :func:`livable.report.planner.plan` with
        this report; ``options`` are its keywords (``grid_m=``, ``budget=``, ``mode=``, ...).

        >>> import livable
        >>> from livable.testing import community
        >>> report = livable.evaluate([community("c1", 108.94, 34.26)], [])
        >>> [site.facility_type for site in report.plan(["clinic"], grid_m=200, budget=1).sites]
        ['clinic']
        """
        return _product("livable.report.planner", "plan")(self, facility_types, **options)

    def community(self, community_id: str) -> CommunityResult:
        """The result of one community by id."""
        for result in self.communities:
            if result.id == community_id:
                return result
        raise KeyError(community_id)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data (DESIGN.md's output contract)."""
        return dump_with(self)

    def to_json(self, *, indent: bool = True) -> str:
        """The report as ``report.json`` text (UTF-8, keys in contract order)."""
        with _sharing_dumps():  # the data goes straight to text: shared parts may be
            return dumps(dump_with(self), indent=indent)

    def write_json(self, path: str | os.PathLike[str]) -> Path:
        """Write ``report.json`` (the bytes of :meth:`to_json`) one community at a time:
        neither the whole text nor every community's data is held in memory.

        >>> import livable, tempfile, pathlib
        >>> from livable.testing import community
        >>> report = livable.evaluate([community("c1", 108.94, 34.26)], [])
        >>> path = report.write_json(pathlib.Path(tempfile.mkdtemp()) / "report.json")
        >>> path.read_text(encoding="utf-8") == report.to_json()
        True
        """
        target = Path(path)
        residents = _has_residents(self)
        rows = (dump_with(c, residents=residents) for c in self.communities)
        with _sharing_dumps(), open(target, "wb", buffering=1 << 20) as fh:
            write_rows(dump_head(self, "communities"), "communities", rows, fh)
        return target

    def to_parquet(self, path: str | os.PathLike[str]) -> Path:
        """Write the report as GeoParquet 1.1, one row a community (needs ``pyarrow``).

        The columns (a contract, listed on the documentation's "report columns" page):
        ``id``, ``name``, ``district``, ``subdistrict``, ``zone``, ``grade``, ``geometry``
        (WKB, WGS84), ``center_lon``, ``center_lat``, ``radius_m``, per facility type
        ``{type}_nearest_m``, ``{type}_count_{r}`` per tier distance and
        ``{type}_count_in_circle``, then ``gap_count``, ``gaps`` and per indicator
        ``indicator_{id}`` (its status). Values equal those of ``report.json``.

        >>> import livable, tempfile, pathlib
        >>> from livable.testing import community
        >>> report = livable.evaluate([community("c1", 108.94, 34.26)], [])
        >>> report.to_parquet(pathlib.Path(tempfile.mkdtemp()) / "r.parquet").name
        'r.parquet'
        """
        from livable.models.columnar import write_report_parquet

        return write_report_parquet(self, path)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, where: str = "<memory>") -> Report:
        """A report from its parsed ``report.json`` (the inverse of :meth:`to_dict`).

        ``where`` names the source in error messages. Anything that is not a report of
        this ``schema_version`` (a missing or extra key, a value of the wrong type) raises
        :class:`~livable.ReportError` naming each field's path.

        >>> Report.from_dict({"schema_version": "1", "communities": []})
        Traceback (most recent call last):
        ...
        livable.errors.ReportError: <memory>: not a livable report: required field missing @ ...
        """
        if isinstance(data, Mapping) and data.get("schema_version", SCHEMA_VERSION) != (
            SCHEMA_VERSION
        ):
            raise ReportError(
                f"{where}: report schema_version {data['schema_version']!r} is not "
                f"supported (this release reads {SCHEMA_VERSION!r})"
            )
        return structure(data, cls, where=where)

    def to_geodataframe(self, *, geometry: Literal["community", "center"] = "community") -> Any:
        """A GeoDataFrame (EPSG:4326) with one row per evaluated community (the
        ``geopandas`` extra, imported when called; the core never imports pandas).

        Columns: ``id``, ``name``, ``grade``, ``livable`` and ``happy`` (booleans), ``zone``,
        ``district``, ``subdistrict``, ``population``, ``size_class``, ``radius_m``,
        ``center_lon``, ``center_lat``, ``center_inside``, ``gap_count``, ``gaps`` (the gaps'
        facility types or rules, ``;``-separated), then for every facility type
        ``nearest_m_<type>`` (metres, NaN beyond the search radius) and
        ``in_circle_<type>`` (count within the community's circle). ``geometry`` is the
        community's own shape or, with ``geometry="center"``, its circle centre.

        ``grade`` is an ordered categorical, ``not_livable < livable < happy``, so that sorts,
        group-bys and plots keep the grades in their order (``docs/howto/notebook.md`` has
        an ``explore()`` recipe in the maps' grade colours).

        >>> import livable
        >>> from livable.testing import community
        >>> gdf = livable.evaluate([community("c1", 108.94, 34.26)], []).to_geodataframe()
        >>> list(gdf["grade"].cat.categories), gdf["grade"].cat.ordered
        (['not_livable', 'livable', 'happy'], True)
        """
        try:
            import geopandas as gpd
            import pandas as pd
        except ImportError:
            raise LivableError(
                "GeoDataFrames need GeoPandas: pip install 'livable[geopandas]'"
            ) from None
        if geometry not in ("community", "center"):
            raise LivableError(f"geometry must be 'community' or 'center', not {geometry!r}")
        rows = [_frame_row(c) for c in self.communities]
        shapes = [
            c.geometry if geometry == "community" else shapely.Point(*c.center)
            for c in self.communities
        ]
        frame = pd.DataFrame(rows)
        order = [g.value for g in sorted(Grade, key=lambda g: g.rank)]
        grades = frame["grade"] if rows else []
        frame["grade"] = pd.Categorical(grades, categories=order, ordered=True)
        return gpd.GeoDataFrame(frame, geometry=shapes, crs="EPSG:4326")


def _product(module: str, name: str) -> Any:
    """A product maker of the report layer, loaded when first used.

    The models are the bottom layer and must not import ``livable.report`` (the layers
    contract); the thin :class:`Report` methods reach it by name at call time instead, as
    ``livable/__init__`` does for its lazy names, so that ``import livable`` stays light.
    """
    return getattr(importlib.import_module(module), name)


def _frame_row(c: CommunityResult) -> dict[str, Any]:
    """One community as a row of :meth:`Report.to_geodataframe`."""
    row: dict[str, Any] = {
        "id": c.id,
        "name": c.name,
        "grade": str(c.grade),
        "livable": c.grade.rank >= 1,
        "happy": c.grade.rank >= 2,
        "zone": None if c.zone is None else str(c.zone),
        "district": c.district,
        "subdistrict": c.subdistrict,
        "population": c.population,
        "size_class": c.size_class,
        "radius_m": c.radius_m,
        "center_lon": c.center[0],
        "center_lat": c.center[1],
        "center_inside": c.center_inside,
        "gap_count": len(c.gaps),
        "gaps": ";".join(dict.fromkeys(g.facility_type or g.category or g.rule for g in c.gaps)),
    }
    for a in c.access:
        row[f"nearest_m_{a.facility_type}"] = float("nan") if a.nearest_m is None else a.nearest_m
    for a in c.access:
        row[f"in_circle_{a.facility_type}"] = a.count_in_circle
    return row


def read_report(source: str | os.PathLike[str] | bytes) -> Report:
    """Read a ``report.json`` back into a :class:`Report`: from a path, or the JSON itself.

    ``source`` is a path (a ``str`` or :class:`os.PathLike`), or the document as text
    (a ``str`` starting with ``{``) or ``bytes``. ``read_report(p).to_json()`` gives the
    bytes of any report ``livable`` wrote. A file that is not a report raises
    :class:`~livable.ReportError` naming the file and the field.

    >>> import livable
    >>> from livable.testing import community
    >>> text = livable.evaluate([community("c1", 108.94, 34.26)], []).to_json()
    >>> report = read_report(text)
    >>> report.communities[0].grade, report.to_json() == text
    (<Grade.NOT_LIVABLE: 'not_livable'>, True)
    >>> read_report("no-such-report.json")
    Traceback (most recent call last):
    ...
    livable.errors.ReportError: no-such-report.json: file not found
    """
    if isinstance(source, bytes):
        where, raw = "<bytes>", source
    elif isinstance(source, str) and source.lstrip().startswith("{"):
        where, raw = "<text>", source.encode("utf-8")
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        where = str(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise ReportError(f"{where}: file not found") from None
        except OSError as exc:
            raise ReportError(f"{where}: cannot read the report ({exc.strerror})") from None
    else:
        raise TypeError(f"read_report takes a path, text or bytes, not {type(source).__name__}")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ReportError(f"{where}: not a readable report.json ({exc})") from None
    if not isinstance(data, dict):
        raise ReportError(f"{where}: not a livable report (a JSON {type(data).__name__})")
    return Report.from_dict(data, where=where)


ReportSource = Report | str | os.PathLike[str] | bytes | Mapping[str, Any]
"""A report for the products made from it: a :class:`Report`, a ``report.json`` path,
its text or bytes, or its parsed data."""


def as_report(source: ReportSource) -> Report:
    """The report as written to ``report.json``, typed: what maps, handbooks, plans and
    summary tables are made from (``P7``: from the report alone).

    A :class:`~livable.Report` of an evaluation is passed through its JSON form, so its numbers are
    rounded as in the file and a product made from it equals one made from the file.
    Parsed data goes through :meth:`~livable.Report.from_dict`; a path, text or bytes through
    :func:`~livable.read_report`.

    >>> as_report({"communities": []})
    Traceback (most recent call last):
    ...
    livable.errors.ReportError: <memory>: not a livable report: required field missing @ ...
    """
    if isinstance(source, Report):
        return Report.from_dict(source.to_dict())
    if isinstance(source, Mapping):
        return Report.from_dict(source)
    return read_report(source)


# -- report.json both ways: one table per JSON object, keys in the order written -------------


def _enum_value(value: Any) -> Any:
    return None if value is None else value.value


def _opt(t: Any) -> Any:
    return t | None


_NEARBY = [
    Field("id", str),
    Field("name", _opt(str)),
    Field("lon", float, dump=round_deg),
    Field("lat", float, dump=round_deg),
    Field("distance_m", float, dump=round_m),
    Field("brand", _opt(str), omit=lambda f, _: f.brand is None),
    Field("quality", _opt(float), omit=lambda f, _: f.quality is None),
]
register(NearbyFacility, _NEARBY)


def _dump_nearest(rows: Sequence[NearbyFacility]) -> list[dict[str, Any]]:
    """``_NEARBY``'s JSON objects of many facilities, written out (a report has tens of
    thousands of them; the table's generic walk costs several times as much)."""
    out: list[dict[str, Any]] = []
    for f in rows:
        row = {
            "id": f.id,
            "name": f.name,
            "lon": round_deg(f.lon),
            "lat": round_deg(f.lat),
            "distance_m": round_m(f.distance_m),
        }
        if f.brand is not None:
            row["brand"] = f.brand
        if f.quality is not None:
            row["quality"] = f.quality
        out.append(row)
    return out


def _any_list(data: Any) -> tuple[Any, ...]:
    if not isinstance(data, list):
        raise TypeError(f"expected a JSON array, not {type(data).__name__}")
    return tuple(data)


def _count_within(data: Any) -> dict[int, int]:
    return {
        int_key(k): v for k, v in keyed(data, lambda _k, v: converter.structure(v, int)).items()
    }


_TYPE_ACCESS = [
    Field("category", _opt(str)),
    Field("nearest_m", _opt(float), dump=round_m),
    Field(
        "count_within",
        _count_within,
        dump=lambda counts: {str(k): v for k, v in counts.items()},
    ),
    Field("count_in_circle", int),
    Field("nearest", _any_list, dump=_dump_nearest),
]
register(TypeAccess, _TYPE_ACCESS)


def _access(key: str, data: Any) -> TypeAccess:
    """One facility type's access; the type is its key, also for the ``nearest`` rows."""
    access = structure_fields(data, TypeAccess, _TYPE_ACCESS, facility_type=key)
    try:
        nearest = items(
            access.nearest, lambda r: structure_fields(r, NearbyFacility, _NEARBY, type=key)
        )
    except IterableValidationError as exc:
        exc.add_note(AttributeValidationNote("", "nearest", list))
        raise ClassValidationError("While structuring TypeAccess", [exc], TypeAccess) from None
    return attrs.evolve(access, nearest=nearest)


register(
    Gap,
    [
        Field("rule", str),
        Field("grade", _opt(Grade), dump=_enum_value),
        Field("facility_type", _opt(str)),
        Field("category", _opt(str)),
        Field("distance_m", _opt(float), dump=round_m),
        Field("required", _opt(int)),
        Field("found", _opt(int)),
        Field("message_en", str),
        Field("message_zh", str),
    ],
)


_DUMPED: contextvars.ContextVar[dict[int, Any] | None] = contextvars.ContextVar(
    "livable_dumped", default=None
)
"""While a report is written: per indicator result seen (by ``id``; the result kept
alive in the entry), ``None`` the first time, its JSON object from the second on."""


def _dump_shared(result: IndicatorResult) -> dict[str, Any]:
    """:func:`dump_with` of an indicator result, made once for a result many communities
    share (the engine builds each shared result once)."""
    seen = _DUMPED.get()
    if seen is None:
        return dump_with(result)
    entry = seen.get(id(result))
    if entry is not None and entry[0] is result:
        if entry[1] is None:
            entry[1] = dump_with(result)
        dumped: dict[str, Any] = entry[1]
        return dumped
    seen[id(result)] = [result, None]
    return dump_with(result)


@contextlib.contextmanager
def _sharing_dumps() -> Iterator[None]:
    token = _DUMPED.set({})
    try:
        yield
    finally:
        _DUMPED.reset(token)


def _indicator_value(value: Any) -> Any:
    return round(value, 6) if isinstance(value, float) else value


def _any(value: Any) -> Any:
    return value


_INDICATOR = [
    Field("status", str),
    Field("value", _any, dump=_indicator_value),
    Field("unit", _opt(str)),
    Field("requirement", str),
    Field("key_content", str),
    Field("role", str),
    Field("decisive", bool),
    Field("message_en", str),
    Field("message_zh", str),
    Field("label_en", str),
    Field("label_zh", str),
    Field("clause", str),
    Field("score", _opt(float), dump=round_share),
    Field("provisional", tuple[Provisional, ...], omit=lambda r, _: not r.provisional),
]
register(IndicatorResult, _INDICATOR)
register(
    Provisional,
    [
        Field("reason", str),
        Field("clause", str),
        Field("message_en", str),
        Field("message_zh", str),
    ],
)
register(
    CommunityScore,
    [
        Field("value", _opt(float), dump=lambda v: None if v is None else round(v, 1)),
        Field("assessed", int),
        Field("of", int, attr="total"),
    ],
)


def _explanation(c: CommunityResult, _ctx: Mapping[str, Any]) -> dict[str, str]:
    if c.explanation is not None:
        return dict(c.explanation)
    return {"en": c.explain("en", full=False), "zh": c.explain("zh", full=False)}


def _load_explanation(data: Any) -> dict[str, str]:
    text = converter.structure(data, dict[str, str])
    if set(text) != {"en", "zh"}:
        raise ValueError("expected the keys 'en' and 'zh'")
    return text


def _isochrones(data: Any) -> dict[int, BaseGeometry]:
    shapes = keyed(data, lambda _k, g: converter.structure(g, BaseGeometry))
    return {int_key(k): g for k, g in shapes.items()}


def _details(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise TypeError(f"expected a JSON object, not {type(data).__name__}")
    return data


register(
    CommunityResult,
    [
        Field("id", str),
        Field("name", _opt(str)),
        Field("grade", Grade, dump=_enum_value),
        Field("provisional", tuple[Provisional, ...], omit=lambda c, _: not c.provisional),
        Field("center", tuple[float, float], dump=lambda c: [round_deg(c[0]), round_deg(c[1])]),
        Field("center_inside", bool),
        Field("center_source", str),
        Field("radius_m", float, dump=round_m),
        Field("radius_reason", _opt(str)),
        Field("radius_approval", _opt(str), omit=lambda c, _: c.radius_approval is None),
        Field("district", _opt(str)),
        Field("subdistrict", _opt(str)),
        Field("zone", _opt(Zone), dump=_enum_value),
        Field("population", _opt(int)),
        Field("size_class", str),
        Field("geometry", BaseGeometry, dump=geometry_to_geojson),
        Field(
            "access",
            lambda d: tuple(keyed(d, _access).values()),
            dump=lambda access: {a.facility_type: dump_with(a) for a in access},
        ),
        Field("gaps", tuple[Gap, ...]),
        Field(
            "indicators",
            lambda d: tuple(
                keyed(
                    d, lambda k, v: structure_fields(v, IndicatorResult, _INDICATOR, id=k)
                ).values()
            ),
            dump=lambda results: {r.id: _dump_shared(r) for r in results},
        ),
        Field("score", _opt(CommunityScore)),
        Field("explanation", _load_explanation, get=_explanation),
        Field(
            "isochrones",
            _isochrones,
            dump=lambda iso: {str(k): geometry_to_geojson(g) for k, g in iso.items()},
            omit=lambda c, _: c.isochrones is None,
        ),
        Field("details", _details, dump=dict, omit=lambda c, _: not c.details),
        Field(
            "resident_access",
            dict[str, float | None] | None,
            dump=lambda shares: (
                None if shares is None else {k: round_share(v) for k, v in shares.items()}
            ),
            omit=lambda c, ctx: c.resident_access is None and not ctx.get("residents"),
        ),
    ],
)

register(
    InputNote,
    [
        Field("kind", str),
        Field("count", int),
        Field("what", str),
        Field("examples", tuple[str, ...]),
    ],
)
register(
    SourceInfo,
    [
        Field("path", str),
        Field("sha256", _opt(str)),
        Field("layer", _opt(str), omit=lambda s, _: s.layer is None),
        Field("features", _opt(int), omit=lambda s, _: s.features is None),
        Field("used", _opt(int), omit=lambda s, _: s.used is None),
        Field("notes", tuple[InputNote, ...], omit=lambda s, _: not s.notes),
        Field("crs", _opt(str), omit=lambda s, _: s.crs is None),
        Field("datum", _opt(str), omit=lambda s, _: s.datum is None),
    ],
)
register(PluginInfo, [Field("name", str), Field("version", _opt(str))])
register(Rejection, [Field("id", _opt(str)), Field("source", str), Field("reason", str)])
register(
    Skipped,
    [
        Field("plugin", str),
        Field("hook", _opt(str)),
        Field("community", _opt(str)),
        Field("reason", str),
    ],
)


def _top_gaps(pairs: Sequence[tuple[str, int]]) -> list[dict[str, Any]]:
    return [{"gap": k, "communities": n} for k, n in pairs]


def _load_top_gaps(data: Any) -> tuple[tuple[str, int], ...]:
    rows = converter.structure(data, tuple[_GapRow, ...])
    return tuple((r.gap, r.communities) for r in rows)


@attrs.frozen
class _GapRow:
    gap: str
    communities: int


register(_GapRow, [Field("gap", str), Field("communities", int)])

register(
    ZoneSummary,
    [
        Field("level", str),
        Field("key", str),
        Field("parent", _opt(str)),
        Field("zone", _opt(Zone), dump=_enum_value),
        Field("communities", int),
        Field("not_livable", int),
        Field("livable", int),
        Field("happy", int),
        Field(
            "shares",
            attr=None,
            get=lambda g, _: {k: round_share(v) for k, v in g.grade_shares.items()},
        ),
        Field("livable_share", attr=None, get=lambda g, _: round_share(g.livable_share)),
        Field("happy_share", attr=None, get=lambda g, _: round_share(g.happy_share)),
        Field(
            "targets",
            fields=[
                Field("livable_share", _opt(float), attr="target_livable_share"),
                Field("happy_share", _opt(float), attr="target_happy_share"),
            ],
        ),
        Field(
            "target_gaps",
            fields=[
                Field("livable_share", attr=None, get=lambda g, _: round_share(g.livable_gap)),
                Field("happy_share", attr=None, get=lambda g, _: round_share(g.happy_gap)),
            ],
        ),
        Field(
            "needed",
            fields=[
                Field("livable", attr=None, get=lambda g, _: g.livable_needed),
                Field("happy", attr=None, get=lambda g, _: g.happy_needed),
            ],
        ),
        Field("mean_score", _opt(float), dump=lambda v: None if v is None else round(v, 1)),
        Field("score_coverage", _opt(float), dump=round_share),
        Field("top_gaps", _load_top_gaps, dump=_top_gaps),
    ],
)

register(
    GapCount,
    [
        Field("gap", str, attr="key"),
        Field("communities", int),
        Field("share", float, dump=round_share),
        Field("rule", str),
        Field("grade", _opt(Grade), dump=_enum_value),
        Field("facility_type", _opt(str)),
        Field("category", _opt(str)),
        Field("label_en", str),
        Field("label_zh", str),
    ],
)
register(
    ClosestCommunity,
    [
        Field("id", str),
        Field("name", _opt(str)),
        Field("district", _opt(str)),
        Field("subdistrict", _opt(str)),
        Field("zone", _opt(Zone), dump=_enum_value),
        Field("grade", Grade, dump=_enum_value),
        Field("next_grade", Grade, dump=_enum_value),
        Field("gaps", int),
        Field("shortfall", int),
        Field("missing", tuple[str, ...]),
    ],
)


def _target_gap(actual: float | None, target: float) -> float | None:
    return None if actual is None else round_share(max(0.0, target - actual))


def _optional_float(value: Any) -> float | None:
    return None if value is None else converter.structure(value, float)


def _day(value: Any) -> datetime.date | None:
    """A ``YYYY-MM-DD`` text as a date (``null`` stays ``None``)."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) != 10:
        raise TypeError(f"expected a date YYYY-MM-DD, not {value!r}")
    return datetime.date.fromisoformat(value)


def _iso(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


register(
    PlanStage,
    [
        Field("id", str),
        Field("label_en", str),
        Field("label_zh", str),
        Field("start", _day, dump=_iso),
        Field("end", _day, dump=_iso),
        Field("clause", str),
        Field("targets", tuple[str, ...]),
    ],
)


_TARGET_GAPS = ("livable_share", "happy_share_central", "happy_share_peripheral")


def _summary_target_gaps(s: Summary, _ctx: Mapping[str, Any]) -> dict[str, float | None]:
    if s.target_gaps is not None:
        return dict(s.target_gaps)
    return {
        "livable_share": _target_gap(s.livable_share, s.target_livable_share),
        "happy_share_central": _target_gap(s.happy_share_central, s.target_happy_share_central),
        "happy_share_peripheral": _target_gap(
            s.happy_share_peripheral, s.target_happy_share_peripheral
        ),
    }


def _load_target_gaps(data: Any) -> dict[str, float | None]:
    gaps: dict[str, float | None] = keyed(data, lambda _k, v: _optional_float(v))
    if list(gaps) != list(_TARGET_GAPS):
        raise ValueError(f"expected the keys {', '.join(_TARGET_GAPS)}, in this order")
    return gaps


def _summary_top_gaps(s: Summary, _ctx: Mapping[str, Any]) -> list[dict[str, Any]]:
    if s.gap_counts:
        return [dump_with(g) for g in s.gap_counts]
    return _top_gaps(s.top_gaps)


def _load_summary_top_gaps(data: Any) -> dict[str, Any]:
    """Rows with a ``rule`` are :class:`GapCount` rows; plain ``gap``/``communities``
    rows are the top gaps of a summary without them."""
    if isinstance(data, list) and data and all(isinstance(r, dict) and "rule" in r for r in data):
        counts = converter.structure(data, tuple[GapCount, ...])
        return {"gap_counts": counts, "top_gaps": tuple((g.key, g.communities) for g in counts)}
    return {"top_gaps": _load_top_gaps(data)}


register(
    Summary,
    [
        Field("communities", int),
        Field("evaluated", int),
        Field("rejected", int),
        Field("unzoned", int),
        Field("provisional", int),
        Field("unlisted_districts", tuple[str, ...]),
        Field(
            "grades",
            fields=[Field("not_livable", int), Field("livable", int), Field("happy", int)],
        ),
        Field("livable_share", _opt(float), dump=round_share),
        Field("happy_share", _opt(float), dump=round_share),
        Field("happy_share_central", _opt(float), dump=round_share),
        Field("happy_share_peripheral", _opt(float), dump=round_share),
        Field("mean_score", _opt(float), dump=lambda v: None if v is None else round(v, 1)),
        Field("score_coverage", _opt(float), dump=round_share),
        Field(
            "targets",
            fields=[
                Field("livable_share", float, attr="target_livable_share"),
                Field("happy_share_central", float, attr="target_happy_share_central"),
                Field("happy_share_peripheral", float, attr="target_happy_share_peripheral"),
                Field("deadline", _opt(str)),
            ],
        ),
        Field("target_gaps", _load_target_gaps, get=_summary_target_gaps),
        Field("as_of", _day, dump=_iso, omit=lambda s, _: s.as_of is None),
        Field("stage", PlanStage, omit=lambda s, _: s.stage is None),
        Field(
            "days_to_deadline",
            get=lambda s, _: s.days_to_deadline,
            omit=lambda s, _: s.days_to_deadline is None,
        ),
        Field("groups", tuple[ZoneSummary, ...]),
        Field("top_gaps", _load_summary_top_gaps, attr=None, many=True, get=_summary_top_gaps),
        Field("closest", tuple[ClosestCommunity, ...]),
    ],
)


def _has_residents(r: Report) -> bool:
    return r.rejected_residents is not None


register(
    Report,
    [
        Field("schema_version", str),
        Field("livable_version", str),
        Field("profile", str),
        Field("profile_sha256", str),
        Field("distance", str),
        Field("working_crs", str),
        Field("inputs", tuple[SourceInfo, ...]),
        Field("plugins", tuple[PluginInfo, ...]),
        Field(
            "communities",
            tuple[CommunityResult, ...],
            get=lambda r, _: [dump_with(c, residents=_has_residents(r)) for c in r.communities],
        ),
        Field("rejected", tuple[Rejection, ...]),
        Field("rejected_facilities", tuple[Rejection, ...]),
        Field(
            "rejected_residents",
            tuple[Rejection, ...],
            omit=lambda r, _: not _has_residents(r),
        ),
        Field("repaired", tuple[Rejection, ...]),
        Field("skipped", tuple[Skipped, ...]),
        Field("summary", Summary),
        Field("details", _details, dump=dict, omit=lambda r, _: not r.details),
    ],
)
