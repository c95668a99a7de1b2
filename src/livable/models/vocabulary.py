"""The policy vocabulary and the input models.

Every policy concept carries an ``id`` (the contract), an English and a Chinese label, and
the clause of the Xi'an plan it comes from (see ``policy/README.md``: ``P2`` is the "136"
framework, ``P4`` the "12 ones", ``P6.tiers`` the walk tiers).

>>> from livable.models import CATEGORIES, FACILITY_TYPES, Grade
>>> CATEGORIES["shopping"].label_zh
'购物'
>>> FACILITY_TYPES["kindergarten"].category
'education'
>>> Grade.LIVABLE == "livable"
True
"""

from __future__ import annotations

import datetime
import enum
import re
import types
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import attrs
from shapely.geometry.base import BaseGeometry

from livable._numbers import finite_float, is_number

__all__ = [
    "BEFORE_STAGE_ID",
    "CATEGORIES",
    "FACILITY_TYPES",
    "FLAG_QUALIFIERS",
    "KEY_CONTENTS",
    "QUALIFIERS",
    "REQUIREMENTS",
    "TARGET_IDS",
    "TWELVE_ONES",
    "Community",
    "Facility",
    "FacilityType",
    "Grade",
    "KeyContent",
    "PlanStage",
    "Requirement",
    "ServiceCategory",
    "SizeClass",
    "Zone",
    "qualifier_flag",
]

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def _frozen_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return types.MappingProxyType(dict(value or {}))


def _check_id(_inst: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not _ID_RE.match(value):
        raise ValueError(
            f"{attribute.name} {value!r} is not a valid id: use lower-case letters, digits "
            "and '_', starting with a letter"
        )


def _non_empty(_inst: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise ValueError(f"{attribute.name} must not be empty")


class Grade(enum.StrEnum):
    """The grade of a community (``P3``): not yet livable, livable, or happy.

    Members compare equal to their plain string values and are ordered by rank.

    >>> Grade("happy") is Grade.HAPPY
    True
    >>> Grade.LIVABLE.rank > Grade.NOT_LIVABLE.rank
    True
    >>> Grade.HAPPY.label_zh
    '幸福社区'
    """

    NOT_LIVABLE = "not_livable"
    LIVABLE = "livable"
    HAPPY = "happy"

    @property
    def rank(self) -> int:
        """0 for not livable, 1 for livable, 2 for happy."""
        return _GRADE_RANK[self]

    @property
    def label_en(self) -> str:
        """English label."""
        return _GRADE_LABELS[self][0]

    @property
    def label_zh(self) -> str:
        """Chinese label."""
        return _GRADE_LABELS[self][1]

    @property
    def clause(self) -> str:
        """The plan's clause that defines the grade."""
        return {"not_livable": "P3", "livable": "P4", "happy": "P5"}[self.value]


_GRADE_RANK = {Grade.NOT_LIVABLE: 0, Grade.LIVABLE: 1, Grade.HAPPY: 2}
_GRADE_LABELS = {
    Grade.NOT_LIVABLE: ("not yet livable", "未达到宜居标准"),
    Grade.LIVABLE: ("livable community", "宜居社区"),
    Grade.HAPPY: ("happy community", "幸福社区"),
}


class Zone(enum.StrEnum):
    """Where a community's district lies (``P6`` stage 3 sets targets per zone).

    >>> Zone("central").label_zh
    '中心城区'
    """

    CENTRAL = "central"
    PERIPHERAL = "peripheral"

    @property
    def label_en(self) -> str:
        """English label."""
        return {"central": "central districts", "peripheral": "peripheral districts"}[self.value]

    @property
    def label_zh(self) -> str:
        """Chinese label."""
        return {"central": "中心城区", "peripheral": "周边城区"}[self.value]


@attrs.frozen
class Requirement:
    """One of the three basic requirements of the "136" framework (``P2``)."""

    id: str = attrs.field(validator=_check_id)
    label_en: str = attrs.field(validator=_non_empty)
    label_zh: str = attrs.field(validator=_non_empty)
    clause: str = attrs.field(validator=_non_empty)


@attrs.frozen
class KeyContent:
    """One of the six key contents of the "136" framework (``P2``)."""

    id: str = attrs.field(validator=_check_id)
    label_en: str = attrs.field(validator=_non_empty)
    label_zh: str = attrs.field(validator=_non_empty)
    clause: str = attrs.field(validator=_non_empty)


@attrs.frozen
class ServiceCategory:
    """A service category of the circle and its default walk tier (``P6.tiers``).

    ``tier_minutes`` is the plan's walking time; the distance follows from the profile's
    walking speed (80 m/min by default, so 5/10/15 min are 400/800/1200 m).
    """

    id: str = attrs.field(validator=_check_id)
    label_en: str = attrs.field(validator=_non_empty)
    label_zh: str = attrs.field(validator=_non_empty)
    tier_minutes: int = attrs.field(validator=attrs.validators.in_((5, 10, 15)))
    clause: str = "P6.tiers"


QUALIFIERS = ("brand", "certified", "specialty")
"""What the plan asks of a facility beyond its type (``P4``): a branded chain store
(品牌便利店), an outlet of the city's trusted-breakfast programme (放心早餐网点), a
specialty restaurant (特色餐馆)."""

FLAG_QUALIFIERS = ("certified", "specialty")
"""The qualifiers a facility carries as a yes/no property of its own name (``brand`` is a
text field of :class:`Facility`, or a match of the profile's ``brand_names``)."""

_YES = ("true", "yes", "y", "1", "是", "有")
_NO = ("false", "no", "n", "0", "否", "无")


def qualifier_flag(value: object) -> bool | None:
    """A facility's ``certified`` or ``specialty`` property as a bool; ``None`` when not
    given. True/false, 1/0 (also 1.0/0.0: a GIS file's or a data frame's boolean column
    with gaps is read as floats) and the texts yes/no, true/false, 是/否 (any case) are
    read; anything else raises ``ValueError``.

    >>> qualifier_flag(True), qualifier_flag("否"), qualifier_flag(None), qualifier_flag(1)
    (True, False, None, True)
    >>> qualifier_flag(1.0), qualifier_flag(0.0)
    (True, False)
    >>> qualifier_flag("maybe")
    Traceback (most recent call last):
    ...
    ValueError: must be true or false (yes/no, 是/否), not 'maybe'
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text == "":
            return None
        if text in _YES:
            return True
        if text in _NO:
            return False
    raise ValueError(f"must be true or false (yes/no, 是/否), not {value!r}")


@attrs.frozen
class FacilityType:
    """A kind of facility and the category it serves.

    ``category`` is ``None`` for a type outside the tiered categories (``parcel_point``
    serves market services). ``twelve_ones`` marks the "12 ones" of ``P4``.
    ``qualifier`` is what the plan asks of a facility of the type beyond being one
    (``P4``: ``brand`` for 品牌便利店, ``certified`` for 放心早餐网点, ``specialty`` for
    特色餐馆); ``noun_en``/``noun_zh`` name the type without it (便利店), for messages that
    say the qualifier is missing.

    >>> FacilityType(id="charging_station", label_en="EV charging station",
    ...              label_zh="充电站", category=None, key_content="market_services")
    FacilityType(id='charging_station', ...)
    """

    id: str = attrs.field(validator=_check_id)
    label_en: str = attrs.field(validator=_non_empty)
    label_zh: str = attrs.field(validator=_non_empty)
    category: str | None = attrs.field(default=None, validator=attrs.validators.optional(_check_id))
    key_content: str = attrs.field(default="convenience_services", validator=_check_id)
    clause: str = "P4"
    twelve_ones: bool = False
    qualifier: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.in_(QUALIFIERS))
    )
    noun_en: str | None = None
    noun_zh: str | None = None

    @property
    def plain_en(self) -> str:
        """The English name without the qualifier ("convenience store")."""
        return self.noun_en or self.label_en

    @property
    def plain_zh(self) -> str:
        """The Chinese name without the qualifier (便利店)."""
        return self.noun_zh or self.label_zh


_T = TypeVar("_T", Requirement, KeyContent, ServiceCategory, FacilityType)


def _by_id(items: Iterable[_T]) -> Mapping[str, _T]:
    return types.MappingProxyType({item.id: item for item in items})


REQUIREMENTS: Mapping[str, Requirement] = _by_id(
    [
        Requirement("convenience", "convenience", "便利化", "P2.R1"),
        Requirement("smart", "smart", "智能化", "P2.R2"),
        Requirement("harmony", "harmony", "和谐化", "P2.R3"),
    ]
)
"""The three basic requirements of the "136" framework, by id (``P2``)."""

KEY_CONTENTS: Mapping[str, KeyContent] = _by_id(
    [
        KeyContent("convenience_services", "convenience services", "便民服务", "P2.C1"),
        KeyContent("market_services", "market services", "市场服务", "P2.C2"),
        KeyContent("ecology", "community ecology", "社区生态", "P2.C3"),
        KeyContent("smart_living", "smart living", "智慧生活", "P2.C4"),
        KeyContent("governance", "community governance", "社区治理", "P2.C5"),
        KeyContent("innovation", "innovation and entrepreneurship", "创新创业", "P2.C6"),
    ]
)
"""The six key contents of the "136" framework, by id (``P2``)."""

CATEGORIES: Mapping[str, ServiceCategory] = _by_id(
    [
        ServiceCategory("shopping", "shopping", "购物", 5),
        ServiceCategory("leisure", "leisure", "休闲", 5),
        ServiceCategory("finance", "finance", "金融", 5),
        ServiceCategory("catering", "catering", "餐饮", 10),
        ServiceCategory("reading", "reading", "阅读", 10),
        ServiceCategory("government", "government affairs", "政务", 10),
        ServiceCategory("accommodation", "accommodation", "住宿", 10),
        ServiceCategory("medical", "medical care", "就医", 15),
        ServiceCategory("elderly_care", "elderly care", "养老", 15),
        ServiceCategory("education", "education", "教育", 15),
        ServiceCategory("transport", "transport", "交通", 15),
        ServiceCategory("tourism", "tourism", "旅游", 15),
        ServiceCategory("fitness", "fitness", "健身", 15),
        ServiceCategory("entertainment", "entertainment", "娱乐", 15),
    ]
)
"""The 14 service categories of the circle with their walk tiers, by id (``P6.tiers``)."""


def _ft(
    id: str,
    en: str,
    zh: str,
    category: str | None,
    *,
    twelve: bool = False,
    key_content: str = "convenience_services",
    clause: str = "P4",
    qualifier: str | None = None,
    noun: tuple[str, str] | None = None,
) -> FacilityType:
    noun_en, noun_zh = noun or (None, None)
    return FacilityType(
        id, en, zh, category, key_content, clause, twelve, qualifier, noun_en, noun_zh
    )


FACILITY_TYPES: Mapping[str, FacilityType] = _by_id(
    [
        _ft("transit_stop", "public transport stop", "公共交通站点", "transport", twelve=True),
        _ft(
            "convenience_store",
            "branded convenience store",
            "品牌便利店",
            "shopping",
            twelve=True,
            qualifier="brand",
            noun=("convenience store", "便利店"),
        ),
        _ft("vegetable_store", "vegetable shop", "便民蔬菜店", "shopping", twelve=True),
        _ft("fitness_venue", "public fitness venue", "全民健身场地", "fitness", twelve=True),
        _ft("leisure_space", "leisure place", "休闲场所", "leisure", twelve=True),
        _ft("community_library", "community reading room", "社区书屋", "reading", twelve=True),
        _ft("kindergarten", "kindergarten", "幼儿园", "education", twelve=True),
        _ft("clinic", "community clinic", "社区就医点", "medical", twelve=True),
        _ft(
            "elderly_care_station",
            "home-based elderly-care service station",
            "居家养老服务站",
            "elderly_care",
            twelve=True,
        ),
        _ft(
            "government_service_station",
            "government-affairs service station",
            "政务便民服务站",
            "government",
            twelve=True,
        ),
        _ft(
            "breakfast_outlet",
            "trusted breakfast outlet",
            "放心早餐网点",
            "catering",
            twelve=True,
            qualifier="certified",
            noun=("breakfast outlet", "早餐网点"),
        ),
        _ft(
            "restaurant",
            "specialty restaurant",
            "特色餐馆",
            "catering",
            twelve=True,
            qualifier="specialty",
            noun=("restaurant", "餐馆"),
        ),
        _ft("bank", "bank", "银行网点", "finance", clause="P6.tiers"),
        _ft("hotel", "hotel", "宾馆酒店", "accommodation", clause="P6.tiers"),
        _ft("attraction", "tourist attraction", "旅游景点", "tourism", clause="P6.tiers"),
        _ft(
            "entertainment_venue",
            "entertainment venue",
            "娱乐场所",
            "entertainment",
            clause="P6.tiers",
        ),
        _ft("school", "school", "中小学", "education", clause="P6.tiers"),
        _ft(
            "parcel_point",
            "parcel pick-up point",
            "快递驿站",
            None,
            key_content="market_services",
            clause="P2.C2",
        ),
    ]
)
"""The built-in facility types, by id: the "12 ones" of ``P4`` first, then one more type
for every category that the 12 ones leave without one, and ``parcel_point``."""

TWELVE_ONES: tuple[str, ...] = tuple(t.id for t in FACILITY_TYPES.values() if t.twelve_ones)
"""The ids of the "12 ones" (``P4``), in the plan's order."""


@attrs.frozen
class SizeClass:
    """A community size class by resident population (``P4``).

    A community belongs to the class with the greatest ``min_population`` not above its
    population.
    """

    id: str = attrs.field(validator=_check_id)
    label_en: str = attrs.field(validator=_non_empty)
    label_zh: str = attrs.field(validator=_non_empty)
    min_population: int = attrs.field(validator=attrs.validators.ge(0))
    clause: str = "P4"


TARGET_IDS: tuple[str, ...] = ("livable_share", "happy_share_central", "happy_share_peripheral")
"""The city targets of ``P6`` (the profile's ``[targets]`` shares), in the summary's order."""


def _date(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise TypeError(f"{attribute.name} must be a date, not {value!r}")


def _target_ids(_inst: object, _attribute: object, value: tuple[str, ...]) -> None:
    for target in value:
        if target not in TARGET_IDS:
            raise ValueError(f"{target!r} is not a target ({', '.join(TARGET_IDS)})")


BEFORE_STAGE_ID = "before"
"""The id of the time before a profile's first stage (:meth:`PlanStage.before`)."""


@attrs.frozen
class PlanStage:
    """A stage of the plan (``P6``, 三、实施步骤) with its dates and the targets it sets.

    ``start`` and ``end`` are the first and the last day (``end`` ``None``: ongoing, as
    the plan's 第三阶段 持续推进; ``start`` ``None`` only for
    :data:`~livable.models.vocabulary.BEFORE_STAGE_ID`, the time before a profile's first
    stage); ``targets`` names the profile's ``[targets]`` shares
    (:data:`~livable.models.vocabulary.TARGET_IDS`) the stage works towards.

    >>> import datetime
    >>> s = PlanStage("basically_livable", "stage 2: basically livable", "第二阶段：基本宜居",
    ...               datetime.date(2020, 10, 1), datetime.date(2021, 12, 31),
    ...               targets=("livable_share",))
    >>> s.contains(datetime.date(2021, 12, 31)), s.contains(datetime.date(2022, 1, 1))
    (True, False)
    """

    id: str = attrs.field(validator=_check_id)
    label_en: str = attrs.field(validator=_non_empty)
    label_zh: str = attrs.field(validator=_non_empty)
    start: datetime.date | None = attrs.field(validator=_date)
    end: datetime.date | None = attrs.field(default=None, validator=_date)
    clause: str = "P6"
    targets: tuple[str, ...] = attrs.field(default=(), converter=tuple, validator=_target_ids)

    def __attrs_post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"stage {self.id!r} ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def before(cls, first: PlanStage) -> PlanStage:
        """The time before ``first``, the plan's first stage: no start, no target.

        >>> import datetime
        >>> s1 = PlanStage("evaluation", "stage 1: evaluation", "第一阶段：建设评价",
        ...                datetime.date(2020, 7, 1), datetime.date(2020, 9, 30))
        >>> PlanStage.before(s1).end, PlanStage.before(s1).label_zh
        (datetime.date(2020, 6, 30), '实施前')
        """
        end = None if first.start is None else first.start - datetime.timedelta(days=1)
        return cls(BEFORE_STAGE_ID, "before the plan", "实施前", None, end, clause=first.clause)

    def contains(self, date: datetime.date) -> bool:
        """Whether ``date`` falls within the stage (both ends included)."""
        return (self.start is None or self.start <= date) and (self.end is None or date <= self.end)


def _optional_text(value: object) -> str | None:
    if value is None:
        return None
    return str(value)


def _population(value: object) -> int | None:
    if value is None:
        return None
    if not is_number(value):
        raise TypeError(f"population must be a number of residents, not {value!r}")
    if finite_float(value) is None or value < 0:
        raise ValueError("population must be a finite number >= 0 within a float's range")
    if value != int(value):
        raise ValueError(f"population must be a whole number of residents, not {value!r}")
    return int(value)


def _check_geometry(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, BaseGeometry):
        raise TypeError(f"{attribute.name} must be a shapely geometry, not {type(value).__name__}")
    if value.is_empty:
        raise ValueError(f"{attribute.name} is empty")


@attrs.frozen
class Community:
    """An urban community (社区), the unit the plan grades (``P3``, ``P7``).

    ``geometry`` is a shapely Polygon, MultiPolygon or Point in WGS84 lon/lat. A Point is
    used as the circle's centre (``center_source: "point"`` in the report).

    >>> from shapely.geometry import Point
    >>> c = Community(id="c1", geometry=Point(108.94, 34.26), population=4200)
    >>> c.population, c.zone
    (4200, None)
    """

    id: str = attrs.field(converter=str, validator=_non_empty)
    geometry: BaseGeometry = attrs.field(validator=_check_geometry)
    name: str | None = attrs.field(default=None, converter=_optional_text)
    population: int | None = attrs.field(default=None, converter=_population)
    district: str | None = attrs.field(default=None, converter=_optional_text)
    subdistrict: str | None = attrs.field(default=None, converter=_optional_text)
    zone: Zone | None = attrs.field(default=None, converter=attrs.converters.optional(Zone))
    attributes: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_mapping)

    @geometry.validator
    def _check_kind(self, attribute: attrs.Attribute[BaseGeometry], value: BaseGeometry) -> None:
        if value.geom_type not in ("Polygon", "MultiPolygon", "Point"):
            raise ValueError(
                f"a community must be a Polygon, MultiPolygon or Point, not {value.geom_type}"
            )


def _optional_quality(value: object) -> float | None:
    if value is None:
        return None
    if not is_number(value):
        raise TypeError(f"quality must be a number, not {value!r}")
    quality = finite_float(value)
    if quality is None or not 1.0 <= quality <= 5.0:
        raise ValueError("quality must be a score from 1 to 5")
    return quality


@attrs.frozen
class Facility:
    """A service facility: a Point, or an area whose distance is measured to its edge.

    ``type`` is a facility type id (:data:`FACILITY_TYPES` or one a plugin adds).
    ``geometry`` is in WGS84 lon/lat.

    >>> from shapely.geometry import Point
    >>> Facility(id="f1", type="clinic", geometry=Point(108.95, 34.26)).type
    'clinic'
    """

    id: str = attrs.field(converter=str, validator=_non_empty)
    type: str = attrs.field(validator=_check_id)
    geometry: BaseGeometry = attrs.field(validator=_check_geometry)
    name: str | None = attrs.field(default=None, converter=_optional_text)
    brand: str | None = attrs.field(default=None, converter=_optional_text)
    quality: float | None = attrs.field(default=None, converter=_optional_quality)
    attributes: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_mapping)
