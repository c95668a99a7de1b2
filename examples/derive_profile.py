"""Derive a profile: load a TOML that ``extends`` xian-2020, derive another in Python.

Shows the two ways to write a profile for another city or district: a TOML file that names
its parent with ``extends`` and lists only what differs (``examples/profiles/``), and
:meth:`livable.Profile.derive` in code. Prints what changed against the parent and how one
small community's grade depends on the circle radius.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import livable
from livable.testing import community, facility, offset

HERE = Path(__file__).resolve().parent


def changed(parent: livable.Profile, child: livable.Profile) -> list[str]:
    """The top-level fields (and nested ones) whose value differs from the parent's."""
    import attrs

    lines = []
    for field in attrs.fields(livable.Profile):
        if field.name in ("id", "label_en", "label_zh", "description", "parent", "assumptions"):
            continue
        old, new = getattr(parent, field.name), getattr(child, field.name)
        if attrs.has(type(old)):
            for sub in attrs.fields(type(old)):
                a, b = getattr(old, sub.name), getattr(new, sub.name)
                if a != b:
                    lines.append(f"{field.name}.{sub.name}: {a!r} -> {b!r}")
        elif isinstance(old, Mapping):
            for key in sorted(set(old) | set(new)):
                if old.get(key) != new.get(key):
                    lines.append(f"{field.name}.{key}: {old.get(key)!r} -> {new.get(key)!r}")
        elif old != new:
            lines.append(f"{field.name}: {old!r} -> {new!r}")
    return lines


def main() -> None:
    """Load, derive, compare, evaluate."""
    parent = livable.load_profile("xian-2020")
    beilin = livable.load_profile(HERE / "profiles" / "xian-beilin-2022.toml")
    print(f"{beilin.id} extends {beilin.parent}:")
    for line in changed(parent, beilin):
        print(f"  {line}")

    elderly = parent.derive(
        id="xian-elderly",
        label_en="Xi'an, at an older resident's pace",
        label_zh="西安（老年人步速）",
        walking_speed_m_per_min=60.0,
    )
    tiers = ", ".join(f"{d:g} m" for d in elderly.tier_distances_m)
    print(f"\n{elderly.id} (derived in Python): walk tiers {tiers}")

    # One small community with each of the 12 ones 1.1 km away (two restaurants).
    home = community("c1", 108.94, 34.26, population=3000)
    facilities = []
    for k, type_id in enumerate(livable.TWELVE_ONES):
        for j in range(2 if type_id == "restaurant" else 1):
            lon, lat = offset(108.94, 34.26, 1100.0, 30.0 * (k + j))
            facilities.append(facility(f"{type_id}-{j}", type_id, lon, lat))
    print("\na community with the 12 ones about 1.1 km away:")
    for profile in (parent, beilin):
        report = livable.evaluate([home], facilities, profile=profile)
        grade = report.communities[0].grade
        print(f"  {profile.id:<18} circle {profile.circle_radius_m:g} m -> {grade.value}")


if __name__ == "__main__":
    main()
