"""Faithful to the plan (issue 17): the framework score (P2), provisional grades (P4),
the assessment units (P6 stage 3, P8), the stages (P6), qualifiers (P4), approved radii
(P6.circle)."""

from __future__ import annotations

import pytest

import livable
from livable.models import CommunityScore, IndicatorResult
from livable.testing import community, facility, offset

LON, LAT = 108.94, 34.26
PROFILE = livable.load_profile("xian-2020")


def _scored(status: str) -> IndicatorResult:
    return IndicatorResult(
        id=f"x_{status}",
        status=status,  # type: ignore[arg-type]
        value=None,
        unit=None,
        requirement="smart",
        key_content="smart_living",
        message_en="",
        message_zh="",
        role="scored",
        score=None if status == "not_assessed" else float(status == "passed"),
    )


# -- P2: the framework score needs half its indicators assessed (point 8) --------------


@pytest.mark.parametrize(
    ("assessed", "total", "shown"),
    [(0, 9, False), (1, 9, False), (4, 9, False), (5, 9, True), (9, 9, True), (1, 2, True)],
)
def test_framework_score_is_shown_only_with_half_its_indicators_assessed(
    assessed: int, total: int, shown: bool
) -> None:
    results = [_scored("passed")] * assessed + [_scored("not_assessed")] * (total - assessed)
    score = CommunityScore.from_results(results)
    assert score is not None
    assert (score.value is not None) is shown
    assert score.enough is shown
    if shown:
        assert score.value == 100.0
        assert score.text("zh").startswith("框架得分100/100")
    else:
        assert score.text("zh").startswith("框架得分：评估项不足")
        assert "100/100" not in score.text("en")


def test_one_of_nine_assessed_never_reads_100() -> None:
    # issue 17 measured 100/100 with 1 of 9 scored indicators assessed
    c = livable.evaluate(
        [community("c", LON, LAT, population=3000)],
        [facility("p", "parcel_point", *offset(LON, LAT, 100.0, 0.0))],
    ).communities[0]
    assert c.score is not None and (c.score.assessed, c.score.total) == (1, 9)
    assert c.score.value is None
    assert "100/100" not in c.explain("zh") and "评估项不足" in c.explain("zh")
