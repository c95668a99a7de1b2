"""Every script in examples/ runs to completion and prints what the docs show."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.py"))


def test_there_are_examples() -> None:
    names = {p.name for p in EXAMPLES}
    assert {"first_evaluation.py", "derive_profile.py", "web_service.py"} <= names


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=script.parent.parent,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip(), f"{script.name} printed nothing"
    assert "Traceback" not in proc.stderr


def test_first_evaluation_grades_its_small_city() -> None:
    """P3: the hand-built city has one community of each grade (when no sample city)."""
    sys.path.insert(0, str(EXAMPLES_DIR))
    try:
        import first_evaluation
    finally:
        sys.path.pop(0)
    import livable

    communities, facilities = first_evaluation.small_city()
    report = livable.evaluate(communities, facilities)
    grades = {c.id: c.grade.value for c in report.communities}
    assert grades == {
        "yanta-happy": "happy",
        "beilin-livable": "livable",
        "changan-gaps": "not_livable",
    }
    gaps = report.community("changan-gaps").gaps
    assert {g.facility_type for g in gaps if g.rule == "P4.twelve_ones"} == {
        "kindergarten",
        "clinic",
    }


def test_derived_profile_example_loads() -> None:
    """P6.circle, P6.tiers, P5: the example TOML extends xian-2020 and changes what it says."""
    import livable

    path = EXAMPLES_DIR / "profiles" / "xian-beilin-2022.toml"
    beilin = livable.load_profile(path)
    parent = livable.load_profile("xian-2020")
    assert beilin.parent == "xian-2020"
    assert beilin.circle_radius_m == 1000.0
    assert beilin.tier_distance_m("finance") == 800.0
    assert beilin.happy.vitality_min is None
    assert beilin.happy.min_kinds == 16
    assert beilin.required == parent.required
    assert beilin.targets.deadline == "2022-12-31"
    assert "happy.min_kinds" in beilin.assumptions
    assert set(parent.assumptions) <= set(beilin.assumptions)
