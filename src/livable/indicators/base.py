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

from livable.models import Community, FacilityType, SizeClass
from livable.profile import Profile
from livable.report import Gap, IndicatorResult, NearbyFacility, Status, TypeAccess

__all__ = ["INPUT_KINDS", "CommunityContext", "FacilityFilter", "Indicator"]

INPUT_KINDS = frozenset({"access", "community_attributes", "facility_attributes"})
"""What an indicator may read: spatial access, community attributes, facility attributes."""


FacilityFilter = Callable[[Mapping[str, "np.ndarray[Any, Any]"]], "np.ndarray[Any, Any]"]
"""A vectorised selection of facilities: given columns (``"id"``, ``"type"``, ``"name"``,
``"brand"``, ``"quality"`` (NaN when unknown), ``"distance_m"``), one numpy array per
field with one entry per facility, return a boolean array of the facilities to keep."""


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


class Indicator:
    """Base class of indicators: metadata as class attributes, and :meth:`evaluate`.

    Subclasses set ``id``, ``label_en``, ``label_zh``, ``clause``, ``requirement``
    (``convenience``/``smart``/``harmony``), ``key_content`` (one of the six of ``P2``) and
    ``inputs`` (a subset of :data:`INPUT_KINDS`), and implement :meth:`evaluate`.
    """

    id: ClassVar[str]
    label_en: ClassVar[str]
    label_zh: ClassVar[str]
    clause: ClassVar[str]
    requirement: ClassVar[str]
    key_content: ClassVar[str]
    inputs: ClassVar[frozenset[str]] = frozenset({"access"})
    unit: ClassVar[str | None] = None
    rule: ClassVar[str] = ""
    """A one-line statement of the rule, for the docs' indicator table."""

    def applies(self, profile: Profile) -> bool:
        """Whether the profile asks for this indicator at all (default: always)."""
        return True

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """This indicator's verdict on one community."""
        raise NotImplementedError

    def result(
        self,
        status: Status,
        value: Any,
        message_en: str,
        message_zh: str,
        *,
        gaps: tuple[Gap, ...] = (),
        unit: str | None = None,
    ) -> IndicatorResult:
        """An :class:`IndicatorResult` carrying this indicator's metadata."""
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
        )

    def from_attribute(
        self,
        context: CommunityContext,
        name: str,
        passes: Callable[[Any], bool],
        *,
        threshold_en: str = "",
        threshold_zh: str = "",
    ) -> IndicatorResult:
        """Judge a numeric community attribute; missing or non-numeric is "not assessed".

        ``threshold_en``/``threshold_zh`` describe the rule in the failure gap.
        """
        value = context.community.attributes.get(name)
        if value is None:
            return self.result(
                "not_assessed",
                None,
                f"{self.label_en}: attribute '{name}' not given, so not assessed",
                f"{self.label_zh}：未提供属性“{name}”，未评估",
                gaps=(
                    Gap(
                        rule=self.clause + "." + self.id,
                        message_en=f"{self.label_en} not assessed: give '{name}'",
                        message_zh=f"{self.label_zh}未评估：请提供“{name}”",
                    ),
                ),
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
            return self.result(
                "not_assessed",
                None,
                f"{self.label_en}: attribute '{name}' is not a number ({value!r})",
                f"{self.label_zh}：属性“{name}”不是数值（{value!r}）",
                gaps=(
                    Gap(
                        rule=self.clause + "." + self.id,
                        message_en=f"{self.label_en} not assessed: '{name}' is not a number",
                        message_zh=f"{self.label_zh}未评估：“{name}”不是数值",
                    ),
                ),
            )
        if passes(value):
            return self.result(
                "passed",
                value,
                f"{self.label_en}: {value} meets {threshold_en}",
                f"{self.label_zh}：{value}，达到{threshold_zh}",
            )
        message_en = f"{self.label_en}: {value} does not meet {threshold_en}"
        message_zh = f"{self.label_zh}：{value}，未达到{threshold_zh}"
        return self.result(
            "failed",
            value,
            message_en,
            message_zh,
            gaps=(
                Gap(rule=self.clause + "." + self.id, message_en=message_en, message_zh=message_zh),
            ),
        )
