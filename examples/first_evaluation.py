"""First evaluation: grade a small city and print each community's grade and gaps.

Run it with ``python examples/first_evaluation.py``. It evaluates the bundled synthetic
sample city (:mod:`livable.io.sample`, the data of ``livable demo``) when this version of
livable has it, and otherwise a three-community city built here with
:mod:`livable.testing`: one happy, one livable, one with gaps. Nothing is read from or
written to disk.
"""

from __future__ import annotations

import importlib.util

import livable
from livable.models import FACILITY_TYPES, Community, Facility
from livable.testing import community, facility, offset


def small_city() -> tuple[list[Community], list[Facility]]:
    """Three square communities 6 km apart in Xi'an, and the facilities around them."""
    communities = [
        community(
            "yanta-happy",
            108.940,
            34.220,
            size_m=600,
            name="Happy estate",
            population=3000,
            district="Yanta",
            green_ratio=0.36,
            governance_score=88,
            vitality_score=84,
            satisfaction=0.91,
        ),
        community(
            "beilin-livable",
            109.005,
            34.220,
            size_m=600,
            name="Livable estate",
            population=3000,
            district="Beilin",
        ),
        community(
            "changan-gaps",
            108.940,
            34.275,
            size_m=600,
            name="New estate",
            population=3000,
            district="Chang'an",
        ),
    ]
    facilities: list[Facility] = []

    def place(
        owner: str, lon: float, lat: float, type_id: str, count: int, metres: float, **props: object
    ) -> None:
        for k in range(count):
            x, y = offset(lon, lat, metres, 40.0 * k)
            facilities.append(facility(f"{owner}-{type_id}-{k}", type_id, x, y, **props))

    # Happy: two of everything (three restaurants) 300 m away, branded shops.
    for type_id in FACILITY_TYPES:
        brand = "Meiyijia" if type_id in ("convenience_store", "breakfast_outlet") else None
        count = 3 if type_id == "restaurant" else 2
        place("h", 108.940, 34.220, type_id, count, 300.0, brand=brand)
    # Livable: the 12 ones, one each (two restaurants), 700 m away.
    for type_id in livable.TWELVE_ONES:
        place("l", 109.005, 34.220, type_id, 2 if type_id == "restaurant" else 1, 700.0)
    # Gaps: no kindergarten, and the clinic 1.5 km away.
    for type_id in livable.TWELVE_ONES:
        if type_id == "kindergarten":
            continue
        metres = 1500.0 if type_id == "clinic" else 500.0
        place("g", 108.940, 34.275, type_id, 2 if type_id == "restaurant" else 1, metres)
    return communities, facilities


def main() -> None:
    """Evaluate and print one line per community, then its gaps."""
    if importlib.util.find_spec("livable.io.sample") is not None:
        from livable.io.sample import generate_sample_city

        city = generate_sample_city()
        communities, facilities = city.communities, city.facilities
        print("the bundled synthetic sample city (livable demo)")
    else:
        communities, facilities = small_city()
        print("a small city built with livable.testing")
    # as_of: the date the report describes (default today); a fixed one keeps the output
    # the same whatever the day
    report = livable.evaluate(communities, facilities, profile="xian-2020", as_of="2021-06-30")
    s = report.summary
    print(
        f"{s.evaluated} communities: {s.happy} happy, {s.livable} livable, "
        f"{s.not_livable} not yet livable"
    )
    if s.stage is not None:
        print(f"as of {s.as_of}: {s.stage.label_en}, {s.days_to_deadline} days to the deadline")
    for c in report.communities:
        print(f"{c.id:<24} {c.grade.value:<12} {c.grade.label_zh}  ({len(c.gaps)} gaps)")
    shown = [c for c in report.communities if c.grade != livable.Grade.HAPPY][:2]
    for c in shown:
        print(f"\nwhat {c.id} lacks for the next grade:")
        for gap in c.gaps[:4]:
            print(f"  [{gap.rule}] {gap.message_en}")
            print(f"  {'':{len(gap.rule) + 2}} {gap.message_zh}")


if __name__ == "__main__":
    main()
