"""Rule profiles: every number the grading uses, as a named, documented field.

A :class:`Profile` is data only. The built-in profile ``xian-2020`` encodes the Xi'an plan;
where the plan gives no number, the profile's ``assumptions`` table names the field and says
why the value was chosen. Profiles load from and save to TOML, and a profile for another
city or district names its parent with ``extends`` and lists only what differs.

>>> from livable.profile import load_profile
>>> p = load_profile("xian-2020")
>>> p.circle_radius_m, p.tier_distance_m("shopping")
(1200.0, 400.0)
>>> p.size_class_of(8000).id
'medium'
>>> p2 = p.derive(id="xian-beilin", circle_radius_m=1000.0)
>>> p2.circle_radius_m, p2.parent
(1000.0, 'xian-2020')
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import importlib.resources
import itertools
import tomllib
import types
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import attrs
import cattrs
import tomli_w
from cattrs.gen import make_dict_structure_fn

from livable._profile_checks import (
    BadValue,
    Choice,
    Date,
    Flag,
    IdList,
    Number,
    Table,
    Text,
    did_you_mean,
    profile_field,
    shown,
)
from livable.errors import ProfileError
from livable.models import CATEGORIES, FACILITY_TYPES, TARGET_IDS, PlanStage, SizeClass, Zone

__all__ = [
    "BUILTIN_PROFILES",
    "MAX_EXTENDS_DEPTH",
    "MAX_PROFILE_BYTES",
    "UNZONED",
    "CircleRules",
    "FrameworkCriteria",
    "HappyCriteria",
    "Profile",
    "Targets",
    "load_profile",
    "profile_from_mapping",
]

CenterRule = Literal["centroid", "inside_point"]


# Bounds of the profile's numbers. No real profile comes near them; they keep every
# computation meaningful (a circle of 1e9 m, a speed of 0 or 1,000 minutes of walk are
# mistakes, not policies). The plan's circle is 1.2 km (P6.circle), 1.6 km enlarged.
MAX_RADIUS_M = 10_000.0
"""The largest circle (``circle_radius_m``, ``circle.enlarged_radius_m``): 10 km, a
two-hour walk, over eight times the plan's 1.2 km (``P6.circle``)."""
MAX_SEARCH_RADIUS_M = 50_000.0
"""The largest ``search_radius_m``: 50 km, across any city."""
MAX_WALKING_SPEED_M_PER_MIN = 200.0
"""The fastest walking speed: 200 m/min (12 km/h) is already a run; the plan's is 80."""
MAX_TIER_MINUTES = 120.0
"""The longest walk tier: two hours; the plan's longest is 15 minutes (``P6.tiers``)."""
MAX_POPULATION = 100_000_000
"""The largest population threshold (size classes, extra-large communities)."""
MAX_COUNT = 1000
"""The largest count a profile may ask for (facilities per type, kinds, measures)."""

_RADIUS = Number(low=0.0, high=MAX_RADIUS_M, low_open=True, unit="m")
_SHARE = Number(low=0.0, high=1.0, unit="share")
_OPT_SHARE = Number(low=0.0, high=1.0, unit="share", optional=True)
_OPT_COUNT = Number(low=0, high=MAX_COUNT, whole=True, optional=True)
_OPT_SCORE = Number(low=0.0, high=100.0, unit="score 0-100", optional=True)
_FLAG = Flag()
_TEXT = Text()
_FACILITY_TYPE_ID = Text(id_syntax=True, known=tuple(FACILITY_TYPES))


@attrs.frozen
class HappyCriteria:
    """The further criteria of the happy grade (``P5``); ``None`` switches one off.

    ``P5`` asks, compared with livable, for more facilities, more kinds, higher quality,
    closer services, a more beautiful environment, better governance, more vitality and a
    higher evaluation by residents. The attribute-based criteria read the community
    properties named below; a missing attribute makes the criterion "not assessed", which
    never counts as passed.
    """

    more_extra: int | None = profile_field(_OPT_COUNT, 1)
    """``P5`` "more": each of the 12 ones needs at least this many more than livable asks."""
    min_kinds: int | None = profile_field(_OPT_COUNT, 15)
    """``P5`` "more kinds": distinct facility types within the circle."""
    closer: bool = profile_field(_FLAG, True)
    """``P5`` "closer": every service category within its walk tier (``P6.tiers``)."""
    quality_types: tuple[str, ...] = profile_field(
        IdList(_FACILITY_TYPE_ID), ("convenience_store", "breakfast_outlet")
    )
    """``P4``/``P5`` quality: types that need a branded or high-quality facility in the circle."""
    min_quality: float = profile_field(Number(low=1.0, high=5.0, unit="1-5 scale"), 4.0)
    """A facility counts as high quality with ``quality`` >= this (1-5 scale) or a ``brand``."""
    green_ratio_min: float | None = profile_field(_OPT_SHARE, 0.30)
    """``P5`` environment: community attribute ``green_ratio`` (share of area, 0-1)."""
    governance_min: float | None = profile_field(_OPT_SCORE, 80.0)
    """``P5`` governance: community attribute ``governance_score`` (0-100)."""
    vitality_min: float | None = profile_field(_OPT_SCORE, 80.0)
    """``P5`` vitality: community attribute ``vitality_score`` (0-100)."""
    satisfaction_min: float | None = profile_field(_OPT_SHARE, 0.85)
    """``P5`` residents' evaluation: community attribute ``satisfaction`` (share 0-1)."""


@attrs.frozen
class FrameworkCriteria:
    """Thresholds of the "136" framework indicators beyond the grades (``P2``).

    Each field feeds one built-in indicator (named in brackets); ``None`` (``"off"`` in
    TOML) or ``false`` switches it off. Whether an indicator gates a grade, counts towards
    the framework score or is only reported is the profile's ``indicator_roles``. The
    attribute-based indicators read the community properties named below; a missing
    attribute makes the indicator "not assessed", never passed.
    """

    parcel_points_min: int | None = profile_field(_OPT_COUNT, 1)
    """``P2.C2`` logistics and delivery (``parcel_points``): ``parcel_point`` facilities
    within the circle."""
    property_management_min: float | None = profile_field(_OPT_SHARE, 0.8)
    """``P2.C2`` property management (``property_management``): community attribute
    ``property_management``, the share (0-1) of residential estates with professional
    property management (``true``/``false`` mean all/none)."""
    low_carbon_min: int | None = profile_field(_OPT_COUNT, 1)
    """``P2.C3`` low-carbon living (``low_carbon``): community attribute
    ``low_carbon_measures``, the number of low-carbon measures in place (``true`` = 1)."""
    digital_platform: bool = profile_field(_FLAG, True)
    """``P2.C4`` (``digital_platform``): community attribute ``digital_platform`` (yes/no),
    the community is run on the city's digital management platform."""
    sensing_coverage_min: float | None = profile_field(_OPT_SHARE, 0.5)
    """``P2.C4`` sensing systems (``sensing_coverage``): community attribute
    ``sensing_coverage``, the share (0-1) of the community covered by its sensing system."""
    workers_per_1000_min: float | None = profile_field(
        Number(low=0.0, high=1000.0, unit="per 1,000 residents", optional=True), 1.8
    )
    """``P2.C5`` professional community workers (``community_workers``): community
    attribute ``community_workers`` (a head count) per 1,000 residents (``population``)."""
    emergency_plan: bool = profile_field(_FLAG, True)
    """``P2.C5``/``P7`` emergency and safety (``emergency_plan``): community attribute
    ``emergency_plan`` (yes/no)."""
    survey_held: bool = profile_field(_FLAG, True)
    """``P7`` residents' opinion surveys (``survey_held``): community attribute
    ``survey_held`` (yes/no), a survey held in the assessment year."""
    employment_service: bool = profile_field(_FLAG, True)
    """``P2.C6`` start-up and employment services (``employment_service``): community
    attribute ``employment_service_point`` (yes/no)."""
    closeness_max_ratio: float | None = profile_field(
        Number(low=0.0, high=100.0, unit="ratio", optional=True), 1.0
    )
    """``P5`` "closer" (``closeness``): the median over the service categories of nearest
    distance / tier distance may be at most this."""


@attrs.frozen
class Targets:
    """City targets by stage (``P6``): shares of urban communities by the deadline."""

    livable_share: float = profile_field(_SHARE, 1.0)
    """``P6`` stage 2: 100 % of urban communities livable by the end of 2021."""
    happy_share_central: float = profile_field(_SHARE, 0.5)
    """``P6`` stage 3: 50 % of communities in central districts basically happy."""
    happy_share_peripheral: float = profile_field(_SHARE, 0.3)
    """``P6`` stage 3: 30 % of communities in peripheral districts basically happy."""
    deadline: str = profile_field(Date(), "2021-12-31")
    """The date the plan sets for both targets."""


@attrs.frozen
class CircleRules:
    """When a community gets a larger circle than ``circle_radius_m`` (``P6.circle``).

    The plan allows a larger circle for extra-large or dispersed communities without
    numbers; the thresholds are profile fields. ``None`` switches a rule off.
    """

    extra_large_population: int | None = profile_field(
        Number(low=0, high=MAX_POPULATION, whole=True, unit="residents", optional=True), 30000
    )
    """Residents above which a community is extra-large."""
    extra_large_area_km2: float | None = profile_field(
        Number(low=0.0, high=1000.0, unit="km2", optional=True), 3.0
    )
    """Area above which a community is extra-large."""
    dispersed_outside_share: float | None = profile_field(_OPT_SHARE, 0.2)
    """Share of the community's area outside the standard circle above which it is dispersed."""
    enlarged_radius_m: float = profile_field(_RADIUS, 1600.0)
    """The enlarged circle's radius (a 20-minute walk at 80 m/min)."""
    approved_max_radius_m: float = profile_field(_RADIUS, 2000.0)
    """The largest radius a district may approve for one community (``radius_m`` with a
    ``radius_reason`` on the community): 2 km, a 25-minute walk at 80 m/min. A community
    asking for more is rejected (an error with ``strict``)."""


_ROLES = ("livable", "happy", "scored", "info")  # livable.indicators.ROLES


@attrs.frozen
class _Nested:
    """A nested table of the profile (``[happy]``): an instance of ``cls`` once built."""

    cls: type

    def normalize(self, value: Any) -> Any:
        return value

    def check(self, value: Any) -> Any:
        if not isinstance(value, self.cls):
            raise BadValue(f"must be a table ({self.cls.__name__}), not {shown(value)}")
        return value

    def describe(self) -> str:
        return "a table (the rows below)"


@attrs.frozen
class _SizeClasses:
    """``[[size_classes]]``: at least one, ``min_population`` from 0, strictly increasing."""

    def normalize(self, value: Any) -> Any:
        return tuple(value) if isinstance(value, list | tuple) else value

    def check(self, value: Any) -> Any:
        if not isinstance(value, tuple):
            raise BadValue(_type_problem_table_array(value))
        if not value:
            raise BadValue("must name at least one size class")
        population = Number(low=0, high=MAX_POPULATION, whole=True, unit="residents")
        ids: set[str] = set()
        for i, size_class in enumerate(value):
            if not isinstance(size_class, SizeClass):
                raise BadValue(_type_problem_table_array(size_class), f"[{i}]")
            try:
                population.check(size_class.min_population)
            except BadValue as exc:
                raise BadValue(exc.problem, f"[{i}].min_population") from None
            if size_class.id in ids:
                raise BadValue(f"size class id {size_class.id!r} is given twice", f"[{i}].id")
            ids.add(size_class.id)
        mins = [c.min_population for c in value]
        if mins[0] != 0 or any(a >= b for a, b in itertools.pairwise(mins)):
            raise BadValue("must be in increasing min_population order, starting at 0")
        return value

    def describe(self) -> str:
        return (
            "an array of tables (id, label_en, label_zh, min_population: whole number, "
            f"0 <= x <= {MAX_POPULATION:g}), increasing from 0"
        )


def _type_problem_table_array(value: Any) -> str:
    return f"must be an array of tables ([[size_classes]]), not {shown(value)}"


@attrs.frozen
class _Stages:
    """``[[stages]]``: in date order, each starting the day after the one before ends
    (no gap, no overlap); only the last may be open (no ``end``)."""

    def normalize(self, value: Any) -> Any:
        return tuple(value) if isinstance(value, list | tuple) else value

    def check(self, value: Any) -> Any:
        if not isinstance(value, tuple):
            raise BadValue(f"must be an array of tables ([[stages]]), not {shown(value)}")
        ids: set[str] = set()
        for i, stage in enumerate(value):
            if not isinstance(stage, PlanStage):
                raise BadValue(
                    f"must be an array of tables ([[stages]]), not {shown(stage)}", f"[{i}]"
                )
            if stage.id in ids:
                raise BadValue(f"stage id {stage.id!r} is given twice", f"[{i}].id")
            ids.add(stage.id)
            if stage.start is None:
                raise BadValue("missing: the stage's first day (YYYY-MM-DD)", f"[{i}].start")
        for i, (a, b) in enumerate(itertools.pairwise(value), start=1):
            if a.end is None:
                raise BadValue(
                    f"stage {a.id!r} has no end, so it must be the last (stage {b.id!r} "
                    "follows it)",
                    f"[{i - 1}].end",
                )
            if b.start != a.end + datetime.timedelta(days=1):
                raise BadValue(
                    f"stage {b.id!r} starts {b.start}, but must start the day after stage "
                    f"{a.id!r} ends ({a.end + datetime.timedelta(days=1)}): stages are in "
                    "date order without gap or overlap",
                    f"[{i}].start",
                )
        return value

    def describe(self) -> str:
        return (
            "an array of tables (id, label_en, label_zh, start, end: dates YYYY-MM-DD, end "
            "left out for an ongoing last stage; clause; targets: ids of [targets] shares), "
            "in date order, each starting the day after the one before ends"
        )


@attrs.frozen
class _StageDate:
    """A stage's ``start`` or ``end``: a TOML date or ``"YYYY-MM-DD"``, as a :class:`date`."""

    def normalize(self, value: Any) -> Any:
        return value

    def check(self, value: Any) -> Any:
        if value is None:
            return None
        return datetime.date.fromisoformat(Date().check(Date().normalize(value)))

    def describe(self) -> str:
        return Date().describe()


@attrs.frozen
class _FieldPath:
    """An ``[assumptions]`` key: a profile field, or a key below a table field."""

    def normalize(self, value: Any) -> Any:
        return value

    def check(self, value: Any) -> Any:
        if not isinstance(value, str):
            raise BadValue(f"must be a field name, not {shown(value)}")
        head, _, rest = value.partition(".")
        fields = attrs.fields_dict(Profile)
        if head not in fields:
            raise BadValue(f"{shown(value)} is not a profile field{did_you_mean(head, fields)}")
        nested = fields[head].metadata.get("check")
        if rest and isinstance(nested, _Nested):
            name = rest.partition(".")[0]
            names = attrs.fields_dict(nested.cls)
            if name not in names:
                raise BadValue(f"{shown(value)} is not a profile field{did_you_mean(name, names)}")
        return value

    def describe(self) -> str:
        return "a field name (`happy.min_kinds`)"


def _required_size_classes(inst: Any, _attribute: Any, value: Mapping[str, Any]) -> None:
    """``required``: every count is for one of the profile's own size classes."""
    ids = [c.id for c in inst.size_classes]
    for facility_type, counts in value.items():
        for size_class in counts:
            if size_class not in ids:
                raise ProfileError(
                    f"required.{facility_type}.{size_class}: not a size class of the profile "
                    f"({', '.join(ids)}){did_you_mean(size_class, ids)}"
                )


_CATEGORY_TIERS = Table(
    key=Choice(tuple(CATEGORIES), noun="service category"),
    value=Number(low=0.0, high=MAX_TIER_MINUTES, low_open=True, unit="minutes"),
    what="service category id",
)
_REQUIRED = Table(
    key=_FACILITY_TYPE_ID,
    value=Table(
        key=Text(id_syntax=True),
        value=Number(low=0, high=MAX_COUNT, whole=True, unit="facilities"),
        what="size class id",
    ),
    what="facility type id",
)
UNZONED = "unzoned"
"""The ``district_zones`` value of a unit that is in neither zone (``P6`` stage 3 names only
中心城区 and 周边城区): its communities count for the livable target, not for a happy one."""

_DISTRICT_ZONES = Table(
    key=Text(non_empty=True),
    value=Choice(
        (*(z.value for z in Zone), UNZONED), convert=lambda v: v if v == UNZONED else Zone(v)
    ),
    what="district name",
)
_INDICATOR_ROLES = Table(key=Text(id_syntax=True), value=Choice(_ROLES), what="indicator id")
_CENTER_RULE = Choice(("centroid", "inside_point"))
_HAPPY = _Nested(HappyCriteria)
_FRAMEWORK = _Nested(FrameworkCriteria)
_TARGETS = _Nested(Targets)
_CIRCLE = _Nested(CircleRules)
_ASSUMPTIONS = Table(key=_FieldPath(), value=Text(non_empty=True), what="field name")


@attrs.frozen
class Profile:
    """A rule profile: every number and switch the grading uses.

    Build one with :func:`load_profile` (a built-in id or a TOML file) or derive one with
    :meth:`derive`. Distances are metres, times minutes.
    """

    id: str = profile_field(Text(non_empty=True))
    """The profile's id (``--profile ID``, ``profile`` in the report)."""
    label_en: str = profile_field(_TEXT)
    """English name."""
    label_zh: str = profile_field(_TEXT)
    """Chinese name."""
    city: str = profile_field(_TEXT, "")
    """The city whose policy the profile encodes."""
    description: str = profile_field(_TEXT, "")
    """One or two sentences on the policy and its source."""
    parent: str | None = profile_field(Text(non_empty=True, optional=True), None)
    """The id of the profile this one was derived from (``extends`` or :meth:`derive`)."""
    walking_speed_m_per_min: float = profile_field(
        Number(low=0.0, high=MAX_WALKING_SPEED_M_PER_MIN, low_open=True, unit="m/min"), 80.0
    )
    """``P6.tiers``: 1.2 km in 15 minutes is 80 m/min."""
    circle_radius_m: float = profile_field(_RADIUS, 1200.0)
    """``P6.circle``: the circle's radius, a 15-minute walk, generally 1.2 km."""
    search_radius_m: float = profile_field(
        Number(low=0.0, high=MAX_SEARCH_RADIUS_M, low_open=True, unit="m"), 3000.0
    )
    """How far to look for the nearest facility of a type (``nearest_m``; null beyond)."""
    brand_names: tuple[str, ...] = profile_field(IdList(Text(non_empty=True)), ())
    """``P4`` 品牌便利店: chain names; a facility whose ``name`` contains one (any case) is
    branded, as is one with a ``brand``. With names listed, a named store that matches none
    is not a chain; without, only ``brand`` says a store is one."""
    nearest_k: int = profile_field(Number(low=1, high=100, whole=True), 3)
    """How many nearest facilities per type the report lists."""
    center_rule: CenterRule = profile_field(_CENTER_RULE, "centroid")
    """``P6.circle``: ``centroid`` (the plan's geometric centre) or ``inside_point``."""
    category_tiers: Mapping[str, float] = profile_field(
        _CATEGORY_TIERS,
        factory=lambda: {c.id: float(c.tier_minutes) for c in CATEGORIES.values()},
    )
    """``P6.tiers``: walking minutes per service category."""
    size_classes: tuple[SizeClass, ...] = profile_field(_SizeClasses(), factory=tuple)
    """``P4``: community size classes by residents, smallest first."""
    required: Mapping[str, Mapping[str, int]] = profile_field(
        _REQUIRED, factory=dict, also=_required_size_classes
    )
    """``P4``: per facility type, the count required per size class id."""
    livable_requires_tiers: bool = profile_field(_FLAG, False)
    """``P4``/``P6.tiers``: whether livable also needs every category within its tier."""
    happy: HappyCriteria = profile_field(_HAPPY, factory=HappyCriteria)
    framework: FrameworkCriteria = profile_field(_FRAMEWORK, factory=FrameworkCriteria)
    """``P2``: thresholds of the framework indicators beyond the grades."""
    targets: Targets = profile_field(_TARGETS, factory=Targets)
    """``P6``: the city's targets (TOML table ``[targets]``)."""
    stages: tuple[PlanStage, ...] = profile_field(_Stages(), factory=tuple)
    """``P6`` (三、实施步骤): the plan's stages with their dates and the targets each works
    towards, in date order without gap or overlap (TOML ``[[stages]]``); the summary of a
    report names the stage of its date (``as_of``, :meth:`stage_of`)."""
    circle: CircleRules = profile_field(_CIRCLE, factory=CircleRules)
    """``P6.circle``: when a community gets an enlarged circle (TOML table ``[circle]``)."""
    network_snap_tolerance_m: float = profile_field(
        Number(low=0.0, high=5000.0, low_open=True, unit="m"), 100.0
    )
    """Network distance: a facility farther than this from every street is reported as off
    the network, not joined to it (community centres always snap)."""
    network_min_component_m: float = profile_field(
        Number(low=0.0, high=1_000_000.0, unit="m"), 1000.0
    )
    """Network distance: connected parts of the street network with less street than this
    (metres, in total) are not snapped to (sidewalk stubs, private paths)."""
    network_noding: bool = profile_field(_FLAG, False)
    """Network distance: join lines wherever they cross, not only at shared vertices (off:
    bridges and tunnels cross without joining)."""
    network_walkshed_m: float = profile_field(
        Number(low=0.0, high=1000.0, low_open=True, unit="m"), 50.0
    )
    """Network isochrones: half-width of the band along reached streets drawn as reachable."""
    network_isochrones: bool = profile_field(_FLAG, True)
    """Network distance: allow each community's walking isochrones per tier in the report,
    drawn only when asked (``evaluate --isochrones``, ``isochrones=True``); false never
    draws them. Distances and grades do not depend on them."""
    district_zones: Mapping[str, Zone | str] = profile_field(_DISTRICT_ZONES, factory=dict)
    """``P6`` stage 3 and ``P8``: every assessment unit (district, county, new area,
    development zone) to its zone or ``unzoned``, for communities without their own
    ``zone``. A district not listed has no zone either, and the summary names it
    (``Summary.unlisted_districts``): it is never dropped silently."""
    indicator_roles: Mapping[str, str] = profile_field(_INDICATOR_ROLES, factory=dict)
    """Per indicator id: ``livable`` (needed for livable), ``happy`` (needed for happy),
    ``scored`` (counts towards the 0-100 framework score, never gates a grade) or ``info``
    (reported only). Indicators not named are ``info``."""
    assumptions: Mapping[str, str] = profile_field(_ASSUMPTIONS, factory=dict)
    """Fields whose value the plan does not give, with the reason for the value chosen."""

    def tier_distance_m(self, category: str) -> float:
        """The walk tier distance of a category in metres (minutes x walking speed).

        >>> load_profile("xian-2020").tier_distance_m("medical")
        1200.0
        """
        return float(self.category_tiers[category]) * self.walking_speed_m_per_min

    @property
    def tier_distances_m(self) -> tuple[float, ...]:
        """The distinct tier distances in increasing order (``count_within`` keys).

        >>> load_profile("xian-2020").tier_distances_m
        (400.0, 800.0, 1200.0)
        """
        return tuple(sorted({self.tier_distance_m(c) for c in self.category_tiers}))

    def size_class_of(self, population: int | None) -> SizeClass:
        """The size class of a community; ``None`` (unknown) is treated as the smallest.

        >>> load_profile("xian-2020").size_class_of(None).id
        'small'
        """
        chosen = self.size_classes[0]
        if population is None:
            return chosen
        for size_class in self.size_classes:
            if population >= size_class.min_population:
                chosen = size_class
        return chosen

    def stage_of(self, date: datetime.date) -> PlanStage | None:
        """The stage (``P6``) a date falls in;
        :meth:`~livable.models.vocabulary.PlanStage.before` the first stage before it
        starts; ``None`` for a profile without stages.

        >>> import datetime
        >>> p = load_profile("xian-2020")
        >>> [p.stage_of(datetime.date(y, m, d)).id
        ...  for y, m, d in ((2020, 6, 30), (2020, 7, 1), (2021, 12, 31), (2022, 1, 1))]
        ['before', 'evaluation', 'basically_livable', 'quality']
        """
        if not self.stages:
            return None
        for stage in self.stages:
            if stage.contains(date):
                return stage
        return PlanStage.before(self.stages[0])

    def required_count(self, facility_type: str, size_class: str) -> int:
        """How many facilities of a type a community of a size class needs (``P4``)."""
        counts = self.required.get(facility_type, {})
        return int(counts.get(size_class, 0))

    def zone_of(self, district: str | None, own_zone: Zone | None = None) -> Zone | None:
        """A community's zone: its own, else its district's in ``district_zones``."""
        if own_zone is not None:
            return own_zone
        if district is None:
            return None
        zone = self.district_zones.get(district)
        return zone if isinstance(zone, Zone) else None

    def lists_district(self, district: str) -> bool:
        """Whether ``district_zones`` names the unit (with a zone or ``unzoned``).

        >>> p = load_profile("xian-2020")
        >>> p.lists_district("西咸新区"), p.lists_district("蓝田县"), p.lists_district("某区")
        (True, True, False)
        >>> p.zone_of("高新区").value, p.zone_of("蓝田县")
        ('central', None)
        """
        return district in self.district_zones

    def derive(self, **changes: Any) -> Profile:
        """A new profile from this one, with ``parent`` set to this profile's id.

        Nested tables may be given as mappings; they are merged into this profile's.
        """
        data = _converter.unstructure(self)
        merged = _deep_merge(data, {"parent": self.id, **changes})
        return profile_from_mapping(merged, source="<derive>")

    def to_toml(self) -> str:
        """This profile as TOML text that :func:`load_profile` reads back.

        A switched-off criterion (``None``) is written as ``"off"``, as TOML has no null.

        >>> p = load_profile("xian-2020").derive(framework={"parcel_points_min": None})
        >>> 'parcel_points_min = "off"' in p.to_toml()
        True
        """
        data = _converter.unstructure(self)
        for table in _OFF_TABLES:
            if isinstance(data.get(table), dict):
                data[table] = {k: ("off" if v is None else v) for k, v in data[table].items()}
        return tomli_w.dumps(_drop_none(data))

    @property
    def sha256(self) -> str:
        """A digest of the profile's content (``profile_sha256`` in the report)."""
        return hashlib.sha256(self.to_toml().encode("utf-8")).hexdigest()


_converter = cattrs.Converter(forbid_extra_keys=True)
_converter.register_unstructure_hook(
    types.MappingProxyType, lambda m: {k: _converter.unstructure(v) for k, v in m.items()}
)

_SIZE_CLASS_FIELDS = {
    "id": Text(id_syntax=True),
    "label_en": Text(non_empty=True),
    "label_zh": Text(non_empty=True),
    "min_population": Number(low=0, high=MAX_POPULATION, whole=True, unit="residents"),
    "clause": Text(non_empty=True),
}
"""The checks of :class:`~livable.models.SizeClass` fields read from a profile."""

_STAGE_FIELDS = {
    "id": Text(id_syntax=True),
    "label_en": Text(non_empty=True),
    "label_zh": Text(non_empty=True),
    "start": _StageDate(),
    "end": _StageDate(),
    "clause": Text(non_empty=True),
    "targets": IdList(Text(id_syntax=True, known=TARGET_IDS)),
}
"""The checks of :class:`~livable.models.PlanStage` fields read from a profile."""


def _checked(check: Any) -> Any:
    def hook(value: Any, _type: Any) -> Any:
        return check.check(check.normalize(value))

    return hook


def _table_hook(cls: type, checks: Mapping[str, Any]) -> Any:
    """The strict structure hook of one table: every key known, every value checked."""
    overrides: dict[str, Any] = {}
    for field in attrs.fields(cls):
        check = checks.get(field.name)
        if check is None or isinstance(check, _Nested):
            continue  # nested tables structure through their own hooks
        if isinstance(check, _SizeClasses):
            overrides[field.name] = cattrs.gen.override(struct_hook=_size_classes_hook)
        elif isinstance(check, _Stages):
            overrides[field.name] = cattrs.gen.override(struct_hook=_stages_hook)
        else:
            overrides[field.name] = cattrs.gen.override(struct_hook=_checked(check))
    structure: Callable[[Any, Any], Any] = make_dict_structure_fn(
        cls, _converter, _cattrs_forbid_extra_keys=True, **overrides
    )

    def hook(value: Any, type_: Any) -> Any:
        if not isinstance(value, Mapping):
            raise BadValue(f"must be a table, not {shown(value)}")
        return structure(value, type_)

    return hook


def _size_classes_hook(value: Any, _type: Any) -> Any:
    if not isinstance(value, list | tuple):
        raise BadValue(f"must be an array of tables ([[size_classes]]), not {shown(value)}")
    return _SizeClasses().check(_converter.structure(value, tuple[SizeClass, ...]))


def _stages_hook(value: Any, _type: Any) -> Any:
    if not isinstance(value, list | tuple):
        raise BadValue(f"must be an array of tables ([[stages]]), not {shown(value)}")
    return _Stages().check(_converter.structure(value, tuple[PlanStage, ...]))


# nested tables first: a table's hook is looked up when its parent's hook is made
_converter.register_structure_hook(SizeClass, _table_hook(SizeClass, _SIZE_CLASS_FIELDS))
_converter.register_structure_hook(PlanStage, _table_hook(PlanStage, _STAGE_FIELDS))
for _cls in (HappyCriteria, FrameworkCriteria, Targets, CircleRules, Profile):
    _converter.register_structure_hook(
        _cls, _table_hook(_cls, {f.name: f.metadata.get("check") for f in attrs.fields(_cls)})
    )


def _problems(exc: BaseException, path: str) -> list[str]:
    """Every problem in a cattrs error tree, as ``dotted.path: problem``."""
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        known = [f.name for f in attrs.fields(exc.cl)]
        return [
            f"{_join(path, key)}: unknown field{did_you_mean(key, known)}"
            for key in sorted(exc.extra_fields)
        ]
    if isinstance(exc, cattrs.ClassValidationError | cattrs.IterableValidationError):
        found: list[str] = []
        for sub, note in _noted(exc):
            found += _problems(sub, _join(path, note))
        return found
    if isinstance(exc, BadValue):
        return [f"{path}{exc.path}: {exc.problem}" if path else f"{exc.path[1:]}: {exc.problem}"]
    if isinstance(exc, KeyError) and exc.args:
        return [f"{_join(path, str(exc.args[0]))}: missing (no default)"]
    if isinstance(exc, ProfileError):  # a check across fields, naming its own path
        return [_join(path, str(exc))]
    return [f"{path or 'profile'}: {exc}"]


def _noted(exc: BaseException) -> list[tuple[BaseException, str]]:
    out: list[tuple[BaseException, str]] = []
    for sub in getattr(exc, "exceptions", ()):
        note = next(
            (
                n
                for n in getattr(sub, "__notes__", ())
                if isinstance(n, cattrs.AttributeValidationNote | cattrs.IterableValidationNote)
            ),
            None,
        )
        if isinstance(note, cattrs.AttributeValidationNote):
            out.append((sub, note.name))
        elif isinstance(note, cattrs.IterableValidationNote):
            out.append((sub, f"[{note.index}]"))
        else:
            out.append((sub, ""))
    return out


def _join(path: str, name: str) -> str:
    if not name:
        return path
    if not path or name.startswith("["):
        return path + name
    return f"{path}.{name}"


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_drop_none(v) for v in value]
    return value


def _deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(out[key], value)
        elif attrs.has(type(value)):
            out[key] = _converter.unstructure(value)
        else:
            out[key] = value
    return out


_OFF_TABLES = ("happy", "circle", "framework")


def _fix_nulls(data: dict[str, Any]) -> dict[str, Any]:
    # TOML has no null: optional happy/circle/framework fields are written as "off".
    for table in _OFF_TABLES:
        sub = data.get(table)
        if isinstance(sub, dict):
            data[table] = {k: (None if v == "off" else v) for k, v in sub.items()}
    return data


MAX_PROFILE_BYTES = 1024**2
"""The largest profile file read (a profile is a page of TOML; larger is not a profile)."""

MAX_EXTENDS_DEPTH = 8
"""How many ``extends`` links a profile may follow."""


@attrs.frozen
class _Context:
    """Where ``extends`` may reach while loading one profile (see :func:`load_profile`)."""

    registered: Mapping[str, Profile]
    base: Path | None
    """The folder of the file being read (``extends`` paths are relative to it)."""
    root: Path | None
    """The folder ``extends`` files must stay within."""
    seen: tuple[str, ...] = ()


def profile_from_mapping(
    data: Mapping[str, Any],
    *,
    source: str = "<memory>",
    registered: Mapping[str, Profile] | None = None,
) -> Profile:
    """Build a profile from a mapping as read from TOML; ``extends`` names a parent.

    A mapping not read from a file may extend only a built-in or ``registered`` profile
    id. Raises :class:`~livable.errors.ProfileError` naming the source and every bad field.

    >>> profile_from_mapping({"extends": "xian-2020", "id": "x", "label_en": "X",
    ...                       "label_zh": "X"}).parent
    'xian-2020'
    >>> profile_from_mapping({"extends": "../evil.toml"})
    Traceback (most recent call last):
    ...
    livable.errors.ProfileError: <memory>: extends '../evil.toml' ...
    """
    return _from_mapping(data, source, _Context(registered or {}, None, None))


def _from_mapping(data: Mapping[str, Any], source: str, ctx: _Context) -> Profile:
    data = dict(data)
    parent_ref = data.pop("extends", None)
    if parent_ref is not None:
        parent = _parent(parent_ref, source, ctx)
        data = _deep_merge(_converter.unstructure(parent), {"parent": parent.id, **data})
    data = _fix_nulls(data)
    try:
        return _converter.structure(data, Profile)
    except (cattrs.BaseValidationError, BadValue, ProfileError) as exc:
        problems = "; ".join(_problems(exc, ""))
        raise ProfileError(f"{source}: invalid profile: {problems}") from exc


def _parent(ref: Any, source: str, ctx: _Context) -> Profile:
    """The profile ``extends`` names: a built-in or registered id, or a file within the root."""
    if not isinstance(ref, str) or not ref.strip():
        raise ProfileError(f"{source}: extends must be a profile id or a .toml file name")
    if ref in ctx.seen:
        chain = " -> ".join((*ctx.seen, ref))
        raise ProfileError(f"{source}: extends forms a cycle ({chain})")
    if len(ctx.seen) >= MAX_EXTENDS_DEPTH:
        raise ProfileError(f"{source}: more than {MAX_EXTENDS_DEPTH} levels of extends")
    if ref in ctx.registered:
        return ctx.registered[ref]
    if ref in BUILTIN_PROFILES:
        return _load_builtin(ref)
    allowed = f"a built-in profile id ({', '.join(BUILTIN_PROFILES)}), a registered id"
    rel = Path(ref)
    if ctx.base is None or ctx.root is None:
        raise ProfileError(
            f"{source}: extends {ref!r} is not a known profile id; a profile not read from "
            f"a file may extend only {allowed}"
        )
    if rel.is_absolute() or rel.drive or ".." in rel.parts or rel.suffix.lower() != ".toml":
        raise ProfileError(
            f"{source}: extends {ref!r} is not allowed: give {allowed}, or a relative .toml "
            f"file name inside {ctx.root} (no absolute paths, no '..')"
        )
    path = ctx.base / rel
    _check_within(path, ctx.root, source, f"extends {ref!r}")
    seen = (*ctx.seen, ref)
    return _load_file(path, attrs.evolve(ctx, base=path.parent, seen=seen))


def _check_within(path: Path, root: Path, source: str, what: str) -> None:
    try:
        real, real_root = path.resolve(), root.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise ProfileError(f"{source}: {what}: cannot resolve the path ({exc})") from exc
    if not real.is_relative_to(real_root):
        raise ProfileError(
            f"{source}: {what} resolves to {real}, outside the allowed folder {real_root}"
        )


def _load_file(path: Path, ctx: _Context) -> Profile:
    try:
        size = path.stat().st_size
        if size > MAX_PROFILE_BYTES:
            raise ProfileError(
                f"{path}: profile is {size:,} bytes, over the limit of {MAX_PROFILE_BYTES:,}"
            )
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read profile: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ProfileError(f"{path}: profile is not UTF-8 text") from exc
    return _load_text(text, str(path), ctx)


def _load_text(text: str, source: str, ctx: _Context) -> Profile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{source}: not valid TOML: {exc}") from exc
    return _from_mapping(data, source, ctx)


def _builtin_text(profile_id: str) -> str:
    resource = importlib.resources.files("livable.data").joinpath(f"{profile_id}.toml")
    return resource.read_text(encoding="utf-8")


BUILTIN_PROFILES: tuple[str, ...] = ("xian-2020",)
"""Ids of the profiles shipped with :mod:`livable`."""


@functools.cache
def _load_builtin(profile_id: str) -> Profile:
    # profiles are frozen, so the parsed built-in can be shared
    data = tomllib.loads(_builtin_text(profile_id))
    return profile_from_mapping(data, source=f"built-in profile {profile_id}")


def load_profile(
    profile: str | Path | Profile,
    *,
    allowed_dir: str | Path | None = None,
    registered: Mapping[str, Profile] | None = None,
) -> Profile:
    """Load a profile: a built-in id (``"xian-2020"``), a registered id, a TOML file, or a Profile.

    Profiles are data only: TOML read with :mod:`tomllib`, never code. A file's ``extends``
    may name a built-in id, an id in ``registered`` (e.g. profiles added by plugins), or a
    relative ``.toml`` file next to it, which must stay inside ``allowed_dir`` (default: the
    folder of the file loaded). With ``allowed_dir`` the file itself must lie inside it too.
    Absolute paths, ``..``, symlinks that leave the folder, cycles and more than
    :data:`MAX_EXTENDS_DEPTH` links raise :class:`~livable.errors.ProfileError`.

    >>> load_profile("xian-2020").id
    'xian-2020'
    >>> load_profile("/etc/passwd.toml", allowed_dir="/srv/profiles")
    Traceback (most recent call last):
    ...
    livable.errors.ProfileError: /etc/passwd.toml: the profile file resolves to ...
    """
    if isinstance(profile, Profile):
        return profile
    known = registered or {}
    if isinstance(profile, str) and profile in known:
        return known[profile]
    if isinstance(profile, str) and profile in BUILTIN_PROFILES:
        return _load_builtin(profile)
    path = Path(profile)
    if path.suffix.lower() != ".toml":
        # the built-in plugin registers the built-in profiles too: name each id once
        ids = ", ".join(dict.fromkeys((*BUILTIN_PROFILES, *sorted(known))))
        raise ProfileError(
            f"unknown profile {str(profile)!r}: give a profile id ({ids}) or a .toml file"
        )
    root = Path(allowed_dir) if allowed_dir is not None else path.parent
    if allowed_dir is not None:
        _check_within(path, root, str(path), "the profile file")
    return _load_file(path, _Context(known, path.parent, root, (path.name,)))
