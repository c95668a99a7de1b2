"""The indicator protocol.

An indicator reads one community's :class:`CommunityContext` (its access to every facility
type, its attributes, the facilities in its circle) and returns an
:class:`~livable.report.IndicatorResult`. It declares the requirement and key content of
the "136" framework it serves (``P2``) and the inputs it needs. The profile's
``indicator_roles`` says whether it is needed for livable, for happy, scored or
informational. Indicators are registered through the ``livable_indicators`` hook.

>>> from livable.indicators.base import Indicator
>>> class HasWifi(Indicator):
...     id = "has_wifi"
...     label_en, label_zh = "public wifi", "公共无线网络"
...     clause, requirement, key_content = "P2.C4", "smart", "smart_living"
...     inputs = frozenset({"community_attributes"})
...     def evaluate(self, context):
...         return self.from_attribute(context, "wifi", lambda v: v >= 1,
...                                    threshold_en="1", threshold_zh="1")
>>> HasWifi().id
'has_wifi'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import attrs
import numpy as np

from livable._numbers import finite_float, is_number
from livable._text import show
from livable.models import (
    Community,
    FacilityType,
    Gap,
    IndicatorResult,
    NearbyFacility,
    Provisional,
    SizeClass,
    Status,
    TypeAccess,
)
from livable.profile import Profile

__all__ = [
    "INPUT_KINDS",
    "ROLES",
    "CommunitiesContext",
    "CommunityContext",
    "FacilityFilter",
    "Indicator",
    "PerFacility",
    "echo_zh",
    "role_of",
    "value_key",
]

INPUT_KINDS = frozenset({"access", "community_attributes", "facility_attributes"})
"""What an indicator may read: spatial access, community attributes, facility attributes."""

ROLES = ("livable", "happy", "scored", "info")
"""What a profile may make of an indicator (``Profile.indicator_roles``):

- ``livable``: must pass for the livable grade (``P4``);
- ``happy``: must pass, on top of livable, for the happy grade (``P5``);
- ``scored``: counts towards the community's 0-100 framework score (``P2``) and never gates
  a grade;
- ``info``: reported only.
"""

_TRUE = frozenset({"true", "yes", "y", "1", "是", "有"})
_FALSE = frozenset({"false", "no", "n", "0", "否", "无"})


def role_of(profile: Profile, indicator_id: str) -> str:
    """The role a profile gives an indicator; one it does not name is ``info``.

    ``tier_access`` is a ``livable`` indicator when ``livable_requires_tiers`` is on
    (``P4``/``P6.tiers``).

    >>> from livable.profile import load_profile
    >>> p = load_profile("xian-2020")
    >>> role_of(p, "twelve_ones"), role_of(p, "parcel_points"), role_of(p, "no_such")
    ('livable', 'scored', 'info')
    """
    if indicator_id == "tier_access" and profile.livable_requires_tiers:
        return "livable"
    return profile.indicator_roles.get(indicator_id, "info")


FacilityFilter = Callable[[Mapping[str, "np.ndarray[Any, Any]"]], "np.ndarray[Any, Any]"]
"""A vectorised selection of facilities: given columns (``"id"``, ``"type"``, ``"name"``,
``"brand"``, ``"quality"`` (NaN when unknown), ``"distance_m"``, and the ``P4``
qualifiers ``"certified"`` and ``"specialty"``: ``True``, ``False`` or ``None`` when the
facility does not say), one numpy array per field with one entry per facility, return a
boolean array of the facilities to keep."""


@attrs.frozen
class PerFacility:
    """A :data:`FacilityFilter` that decides each facility on its own columns alone (never
    ``distance_m``): the engine decides it once per facility of a run, and counts every
    community's selection at once (:meth:`livable.CommunityContext.count_in_circle`).

    Filters with equal ``key`` select the same facilities (the engine keeps one decision
    per key and facility type).

    >>> import numpy as np
    >>> big = PerFacility(("big", 3.0), lambda c: np.asarray(c["quality"]) >= 3.0)
    >>> big({"quality": np.array([2.0, 4.0])}).tolist(), big == PerFacility(("big", 3.0), len)
    ([False, True], True)
    """

    key: tuple[Any, ...]
    select: FacilityFilter = attrs.field(eq=False, repr=False)

    def __call__(self, columns: Mapping[str, np.ndarray[Any, Any]]) -> np.ndarray[Any, Any]:
        """The facilities ``select`` keeps."""
        return self.select(columns)


@attrs.frozen
class CommunityContext:
    """Everything an indicator may read about one community.

    ``access`` maps every facility type of the profile to its :class:`TypeAccess`;
    :meth:`in_circle` lists the facilities within the community's circle.
    """

    community: Community
    profile: Profile
    size_class: SizeClass
    radius_m: float
    access: Mapping[str, TypeAccess]
    facility_types: Mapping[str, FacilityType]
    _in_circle: Callable[[str | None, FacilityFilter | None], Sequence[NearbyFacility]] = (
        attrs.field(default=lambda _type=None, _where=None: (), alias="in_circle")
    )
    """Called with a facility type id (return only that type) or ``None`` (all types), and
    a :data:`FacilityFilter` or ``None``. The engine's answer is a lazy sequence."""
    _count: Callable[[str, FacilityFilter | None], int] | None = attrs.field(
        default=None, alias="count"
    )
    """Called with a facility type id and a :data:`FacilityFilter` or ``None``: how many
    facilities :meth:`count_in_circle` finds (``None``: the length of :meth:`in_circle`)."""

    def in_circle(
        self, facility_type: str | None = None, *, where: FacilityFilter | None = None
    ) -> Sequence[NearbyFacility]:
        """Facilities within the community's circle (of one type), nearest first.

        ``where`` keeps only the facilities it selects, decided on columns before any
        object is built: a city-scale circle holds thousands of facilities. The sequence
        builds its items when read.

        >>> import numpy as np
        >>> def branded(columns):
        ...     return np.array([b is not None for b in columns["brand"]], dtype=bool)
        >>> branded({"brand": np.array(["Lawson", None], dtype=object)}).tolist()
        [True, False]
        """
        return self._in_circle(facility_type, where)

    def count_in_circle(self, facility_type: str, *, where: FacilityFilter | None = None) -> int:
        """How many facilities of a type are within the community's circle (those ``where``
        selects): ``len(in_circle(facility_type, where=where))``, which the engine answers
        for every community at once when ``where`` is a
        :class:`~livable.indicators.base.PerFacility` filter.

        >>> from livable.testing import context
        >>> context().count_in_circle("clinic")
        0
        """
        if self._count is not None:
            return self._count(facility_type, where)
        return len(self.in_circle(facility_type, where=where))


@attrs.frozen(eq=False)
class CommunitiesContext:
    """Every community of a run at once, as arrays: what :meth:`livable.Indicator.bulk_keys` reads.

    Row ``i`` of the arrays is ``communities[i]``; columns are the run's facility types,
    in ``type_ids`` order. ``nearest_m`` is NaN where none is within the search radius.
    """

    communities: Sequence[Community]
    profile: Profile
    size_classes: Sequence[SizeClass]
    radius_m: np.ndarray[Any, Any]
    type_ids: tuple[str, ...]
    facility_types: Mapping[str, FacilityType]
    nearest_m: np.ndarray[Any, Any]
    count_in_circle: np.ndarray[Any, Any]
    _counts: Callable[[str, PerFacility], np.ndarray[Any, Any] | None] | None = attrs.field(
        default=None, alias="counts"
    )

    def __len__(self) -> int:
        return len(self.communities)

    def column(self, type_id: str) -> int | None:
        """The column of a facility type (``None``: not a type of the run)."""
        try:
            return self.type_ids.index(type_id)
        except ValueError:
            return None

    def counts_where(self, type_id: str, where: PerFacility) -> np.ndarray[Any, Any]:
        """Per community, :meth:`livable.CommunityContext.count_in_circle` of ``type_id`` and
        ``where`` (zeros for a type the run does not know).

        >>> import numpy as np
        >>> from livable.profile import load_profile
        >>> c = CommunitiesContext([], load_profile("xian-2020"), [], np.zeros(0), (), {},
        ...                        np.zeros((0, 0)), np.zeros((0, 0), dtype=np.int64))
        >>> c.counts_where("clinic", PerFacility(("any",), lambda cols: cols["id"])).tolist()
        []
        """
        counts = None if self._counts is None else self._counts(type_id, where)
        if counts is None:
            return np.zeros(len(self), dtype=np.int64)
        return counts


def value_key(value: Any) -> tuple[type, str] | None:
    """A key of an input value that tells apart any two values an indicator could: the
    type and ``repr`` of ``None``, a bool, int, float or str; ``None`` (no key) for others.

    >>> value_key(1) == value_key(1.0), value_key(0.0) == value_key(-0.0), value_key([1])
    (False, False, None)
    """
    if value is None or type(value) in (bool, int, float, str):
        return (type(value), repr(value))
    return None


class Indicator:
    """Base class of indicators: metadata as class attributes, and :meth:`evaluate`.

    Subclasses set ``id``, ``label_en``, ``label_zh``, ``clause``, ``requirement``
    (``convenience``/``smart``/``harmony``), ``key_content`` (one of the six of ``P2``),
    ``inputs`` (a subset of :data:`INPUT_KINDS`), ``unit`` and a one-line ``rule`` for the
    docs, and implement :meth:`evaluate`. Results are built with :meth:`result`, which
    stamps the metadata on them, or with :meth:`from_attribute` / :meth:`from_flag` for a
    community attribute. A missing or unusable input gives ``not_assessed``, never a pass.
    """

    id: ClassVar[str]
    label_en: ClassVar[str]
    label_zh: ClassVar[str]
    clause: ClassVar[str]
    requirement: ClassVar[str]
    key_content: ClassVar[str]
    inputs: ClassVar[frozenset[str]] = frozenset({"access"})
    reads: ClassVar[tuple[str, ...]] = ()
    """The community (or facility) attributes it reads by name (a threshold's or flag's
    ``attribute`` counts too): a shapefile's truncated column of one is mapped back to it,
    and an input property that no indicator declares is reported as ignored."""
    unit: ClassVar[str | None] = None
    rule: ClassVar[str] = ""
    """A one-line statement of the rule, for the docs' indicator table."""

    def applies(self, profile: Profile) -> bool:
        """Whether the profile asks for this indicator at all (default: always)."""
        return True

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """This indicator's verdict on one community."""
        raise NotImplementedError

    def bulk_keys(self, communities: CommunitiesContext) -> Sequence[Any] | None:
        """Optional: per community, a hashable key such that communities with equal keys
        get equal results from :meth:`evaluate`, decided over the arrays of every
        community at once; ``None`` for a community (or as the whole answer, the
        default) means "evaluate it". The engine then evaluates one community per key
        and shares the result, built once.

        >>> Indicator().bulk_keys(None) is None  # type: ignore[arg-type]
        True
        """
        return None

    def result(
        self,
        status: Status,
        value: Any,
        message_en: str,
        message_zh: str,
        *,
        gaps: tuple[Gap, ...] = (),
        unit: str | None = None,
        score: float | None = None,
        provisional: tuple[Provisional, ...] = (),
    ) -> IndicatorResult:
        """An :class:`IndicatorResult` carrying this indicator's metadata.

        ``score`` (0-1) is the indicator's part of the framework score when its role is
        ``scored``; by default 1 when passed, 0 when failed and ``None`` when not assessed.

        >>> from livable.indicators.builtin import GreenRatio
        >>> r = GreenRatio().result("failed", 0.2, "low", "低")
        >>> r.status, r.score, r.clause, r.label_zh
        ('failed', 0.0, 'P5', '绿地率')
        """
        if score is None and status != "not_assessed":
            score = 1.0 if status == "passed" else 0.0
        return IndicatorResult(
            id=self.id,
            status=status,
            value=value,
            unit=unit if unit is not None else self.unit,
            requirement=self.requirement,
            key_content=self.key_content,
            message_en=message_en,
            message_zh=message_zh,
            gaps=gaps,
            label_en=self.label_en,
            label_zh=self.label_zh,
            clause=self.clause,
            score=None if status == "not_assessed" else score,
            provisional=provisional,
        )

    def not_assessed(
        self, reason_en: str, reason_zh: str, *, ask_en: str, ask_zh: str
    ) -> IndicatorResult:
        """A "not assessed" result whose gap asks for the missing input.

        >>> from livable.indicators.builtin import GreenRatio
        >>> r = GreenRatio().not_assessed("no data", "无数据", ask_en="give it", ask_zh="请提供")
        >>> r.status, r.value, r.gaps[0].message_en
        ('not_assessed', None, 'green space ratio not assessed: give it')
        """
        return self.result(
            "not_assessed",
            None,
            f"{self.label_en}: {reason_en}, so not assessed",
            f"{self.label_zh}：{reason_zh}，未评估",
            gaps=(
                Gap(
                    rule=self._rule_id,
                    message_en=f"{self.label_en} not assessed: {ask_en}",
                    message_zh=f"{self.label_zh}未评估：{ask_zh}",
                ),
            ),
        )

    @property
    def _rule_id(self) -> str:
        return self.clause + "." + self.id

    def judged(
        self,
        passed: bool,
        value: Any,
        *,
        shown_en: str,
        shown_zh: str,
        threshold_en: str,
        threshold_zh: str,
        score: float | None = None,
    ) -> IndicatorResult:
        """A passed or failed result; a failure carries one gap with the same message."""
        if passed:
            return self.result(
                "passed",
                value,
                f"{self.label_en}: {shown_en} meets {threshold_en}",
                f"{self.label_zh}：{shown_zh}，达到{threshold_zh}",
                score=score,
            )
        message_en = f"{self.label_en}: {shown_en} does not meet {threshold_en}"
        message_zh = f"{self.label_zh}：{shown_zh}，未达到{threshold_zh}"
        return self.result(
            "failed",
            value,
            message_en,
            message_zh,
            gaps=(Gap(rule=self._rule_id, message_en=message_en, message_zh=message_zh),),
            score=score,
        )

    def from_attribute(
        self,
        context: CommunityContext,
        name: str,
        passes: Callable[[Any], bool],
        *,
        threshold_en: str = "",
        threshold_zh: str = "",
        low: float | None = None,
        high: float | None = None,
        convert: Callable[[Any], Any] | None = None,
    ) -> IndicatorResult:
        """Judge a numeric community attribute; missing or non-numeric is "not assessed".

        ``threshold_en``/``threshold_zh`` describe the rule in the failure gap. A value
        outside ``[low, high]`` (when given) is a data error, also "not assessed": a green
        ratio of 35 was meant as 35 % and must not pass as 3,500 %. ``convert`` maps the
        raw value first (e.g. ``true`` to 1.0 for a share).

        >>> from livable.indicators.builtin import GreenRatio
        >>> from livable.testing import context
        >>> g = GreenRatio()
        >>> g.evaluate(context(green_ratio=0.35)).status
        'passed'
        >>> g.evaluate(context(green_ratio=35)).message_en
        "green space ratio: attribute 'green_ratio' is 35, outside 0-1, so not assessed"
        >>> g.evaluate(context()).status
        'not_assessed'
        """
        raw = context.community.attributes.get(name)
        if convert is not None and raw is not None:
            raw = convert(raw)
        if raw is None:
            return self.not_assessed(
                f"attribute '{name}' not given",
                "未提供数据",
                ask_en=f"give '{name}'",
                ask_zh=f"请提供{self.label_zh}数据",
            )
        value = finite_float(raw)  # the one numeric guard: no OverflowError on 10**400
        if value is None:
            what = "not a finite number" if is_number(raw) else "not a number"
            what_zh = "不是有限数值" if is_number(raw) else "不是数值"
            return self.not_assessed(
                f"attribute '{name}' is {what} ({show(raw)})",
                f"数据{what_zh}（{echo_zh(raw)}）",
                ask_en=f"'{name}' must be a number",
                ask_zh=f"{self.label_zh}须填写数值",
            )
        if (low is not None and value < low) or (high is not None and value > high):
            span = f"{_g(low)}-{_g(high)}" if high is not None else f">= {_g(low)}"
            span_zh = f"{_g(low)}至{_g(high)}之间" if high is not None else f"不小于{_g(low)}"
            return self.not_assessed(
                f"attribute '{name}' is {show(raw)}, outside {span}",
                f"数据为{echo_zh(raw)}，不在{span_zh}",
                ask_en=f"'{name}' must lie in {span}",
                ask_zh=f"{self.label_zh}须{span_zh}",
            )
        return self.judged(
            bool(passes(value)),
            value,
            shown_en=f"{value:g}",
            shown_zh=f"{value:g}",
            threshold_en=threshold_en,
            threshold_zh=threshold_zh,
        )

    def from_flag(self, context: CommunityContext, name: str) -> IndicatorResult:
        """Judge a yes/no community attribute that must be true.

        JSON ``true``/``false``, ``1``/``0`` and the strings ``true``/``false``,
        ``yes``/``no``, ``是``/``否``, ``有``/``无`` are understood; anything else, or a
        missing attribute, is "not assessed".

        >>> from livable.indicators.builtin import EmergencyPlan
        >>> from livable.testing import context
        >>> [EmergencyPlan().evaluate(context(emergency_plan=v)).status
        ...  for v in (True, "否", None, "maybe")]
        ['passed', 'failed', 'not_assessed', 'not_assessed']
        """
        raw = context.community.attributes.get(name)
        flag = _flag(raw)
        if raw is None:
            return self.not_assessed(
                f"attribute '{name}' not given",
                "未提供数据",
                ask_en=f"give '{name}' (true or false)",
                ask_zh=f"请填写{self.label_zh}（是或否）",
            )
        if flag is None:
            return self.not_assessed(
                f"attribute '{name}' is not yes or no ({show(raw)})",
                f"数据不是“是”或“否”（{echo_zh(raw)}）",
                ask_en=f"'{name}' must be true or false",
                ask_zh=f"{self.label_zh}须填写是或否",
            )
        if flag:
            return self.result(
                "passed",
                True,
                f"{self.label_en}: yes ('{name}')",
                f"{self.label_zh}：有",
            )
        message_en = f"{self.label_en}: no ('{name}' is false); the profile asks for yes"
        message_zh = f"{self.label_zh}：无（要求：有）"
        return self.result(
            "failed",
            False,
            message_en,
            message_zh,
            gaps=(Gap(rule=self._rule_id, message_en=message_en, message_zh=message_zh),),
        )


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def echo_zh(value: Any) -> str:
    """An input value quoted in a Chinese message: yes/no as 是/否, others as :func:`show`.

    >>> echo_zh(True), echo_zh("很多")
    ('是', "'很多'")
    """
    if isinstance(value, bool):
        return "是" if value else "否"
    return show(value)


def _g(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
