"""The district's indicator: EV charging stations within the community's service circle."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from livable import CommunityContext, Gap, Indicator, IndicatorResult


class EvCharging(Indicator):
    """Enough EV charging stations within the circle for the community's size class.

    ``required`` maps the profile's size class ids to the number of stations needed; a
    size class it does not name needs the largest number. Whether the result counts for a
    grade is the profile's choice (``indicator_roles``): ``xian-yanta`` makes it ``happy``.
    """

    id = "ev_charging"
    label_en = "EV charging"
    label_zh = "新能源汽车充电"
    clause = "P2.C3"
    requirement = "convenience"
    key_content = "ecology"
    inputs = frozenset({"access"})
    unit = "stations"
    rule = "At least 1 / 2 / 3 EV charging stations within the circle (small / medium / large)."
    required: ClassVar[Mapping[str, int]] = {"small": 1, "medium": 2, "large": 3}

    def evaluate(self, context: CommunityContext) -> IndicatorResult:
        """Count ``charging_station`` facilities in the community's circle."""
        size = context.size_class
        need = self.required.get(size.id, max(self.required.values()))
        access = context.access["charging_station"]
        have = access.count_in_circle
        if have >= need:
            return self.result(
                "passed",
                have,
                f"{have} EV charging station{'s' if have != 1 else ''} within the circle "
                f"(a {size.label_en} needs {need})",
                f"圈内充电站{have}处（{size.label_zh}需要{need}处）",
            )
        nearest = "none within the search radius"
        nearest_zh = "搜索范围内没有"
        if access.nearest_m is not None:
            nearest, nearest_zh = f"{access.nearest_m:,.0f} m", f"{access.nearest_m:.0f}米"
        en = (
            f"{have} EV charging station{'s' if have != 1 else ''} within "
            f"{context.radius_m:,.0f} m of the centre; a "
            f"{size.label_en} needs {need} (nearest: {nearest})."
        )
        zh = (
            f"中心{context.radius_m:.0f}米范围内充电站{have}处；{size.label_zh}需要{need}处"
            f"（最近：{nearest_zh}）。"
        )
        gap = Gap(
            rule="P2.C3.ev_charging",
            message_en=en,
            message_zh=zh,
            facility_type="charging_station",
            distance_m=access.nearest_m,
            required=need,
            found=have,
        )
        return self.result("failed", have, en, zh, gaps=(gap,))
