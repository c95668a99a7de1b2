"""The gap-closing planner (P6 stage 2): greedy vs exact, and claims confirmed by re-evaluation."""

from __future__ import annotations

import json
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livable.cli import main
from livable.errors import LivableError
from livable.report.planner import Candidate, plan, verify_plan
from livable.plugins import PluginManager
from livable.io.sample import write_sample_city
from livable.testing import offset

LON, LAT = 108.94, 34.26


def _report(rnd: random.Random, n: int, type_id: str = "clinic") -> dict:
    comms = []
    for i in range(n):
        lon, lat = offset(LON, LAT, rnd.uniform(-4000, 4000), rnd.uniform(-4000, 4000))
        need = rnd.choice([0, 1, 1, 2])
        gaps = (
            [
                {
                    "rule": "P4.twelve_ones",
                    "facility_type": type_id,
                    "required": need,
                    "found": 0,
                    "grade": "livable",
                }
            ]
            if need
            else []
        )
        comms.append(
            {
                "id": f"c{i}",
                "center": [lon, lat],
                "radius_m": rnd.choice([1200.0, 1600.0]),
                "grade": "not_livable" if need else "livable",
                "population": rnd.choice([None, 1000, 5000]),
                "gaps": gaps,
                "indicators": {},
            }
        )
    return {"working_crs": "EPSG:32649", "profile": "xian-2020", "communities": comms}


@settings(max_examples=25)
@given(st.randoms(use_true_random=False), st.integers(min_value=1, max_value=4))
def test_exact_at_least_greedy_at_least_63_percent_of_exact(rnd, budget):
    """Nemhauser-Wolsey-Fisher: greedy >= (1 - 1/e) optimum for the coverage objective."""
    report = _report(rnd, rnd.randint(3, 12))
    cands = [
        Candidate(f"s{k}", *offset(LON, LAT, rnd.uniform(-4500, 4500), rnd.uniform(-4500, 4500)))
        for k in range(15)
    ]
    greedy = plan(report, ["clinic"], candidates=cands, budget=budget)
    exact = plan(report, ["clinic"], candidates=cands, budget=budget, method="exact")
    assert len(greedy.sites) <= budget and len(exact.sites) <= budget
    assert exact.objective >= greedy.objective - 1e-6
    assert greedy.objective >= (1 - 1 / math.e) * exact.objective - 1e-6


def test_target_mode_needs_no_more_sites_than_greedy_cover():
    rnd = random.Random(3)
    report = _report(rnd, 12)
    cands = [
        Candidate(f"s{k}", *offset(LON, LAT, rnd.uniform(-4500, 4500), rnd.uniform(-4500, 4500)))
        for k in range(30)
    ]
    exact = plan(report, ["clinic"], candidates=cands, mode="target", method="exact")
    greedy = plan(report, ["clinic"], candidates=cands, mode="target")
    assert len(exact.sites) <= len(greedy.sites)
    # both close every gap some candidate can reach
    assert exact.grade_changes.keys() == greedy.grade_changes.keys()
    blocked = {c["id"] for c in report["communities"] if c["grade"] == "not_livable"}
    assert set(greedy.grade_changes) | set(greedy.unreachable) >= blocked - {
        c["id"] for c in report["communities"] if c["gaps"] and c["gaps"][0]["required"] == 2
    }


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample")
    c, f = write_sample_city(folder)
    out = folder / "report.json"
    assert (
        main(
            [
                "evaluate",
                "--quiet",
                "--communities",
                str(c),
                "--facilities",
                str(f),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    return c, f, out


def test_claimed_grade_changes_are_confirmed_by_re_evaluation(sample):
    c, f, out = sample
    report = json.loads(out.read_text(encoding="utf-8"))
    result = plan(report, ["kindergarten", "clinic"], grid_m=250.0, budget=6)
    assert result.grade_changes, "the sample city has kindergarten and clinic gaps to close"
    changes = verify_plan(result, c, f, plugins=PluginManager(load_entry_points=False))
    for cid, claim in result.grade_changes.items():
        assert changes[cid] == claim
    assert result.livable_after - result.livable_before == len(result.grade_changes)


def test_plan_command_writes_verified_geojson(sample, tmp_path, capsys):
    _, _, out = sample
    dest = tmp_path / "plan.geojson"
    code = main(
        [
            "plan",
            str(out),
            "--facility-type",
            "kindergarten",
            "--grid",
            "250",
            "--budget",
            "3",
            "--out",
            str(dest),
        ]
    )
    assert code == 0
    data = json.loads(dest.read_text(encoding="utf-8"))
    assert len(data["features"]) == 3
    assert data["plan"]["verified"]["not_confirmed"] == []
    assert data["features"][0]["properties"]["serves"]
    assert "grade changes confirmed" in capsys.readouterr().out


def test_plan_needs_a_budget_or_target(sample, capsys):
    _, _, out = sample
    assert main(["plan", str(out), "--facility-type", "clinic", "--grid", "300"]) == 1
    assert "--budget" in capsys.readouterr().err


def test_errors_are_livable_errors():
    with pytest.raises(LivableError, match="at least one facility type"):
        plan({"communities": []}, [], grid_m=100, budget=1)
    with pytest.raises(LivableError, match="candidate sites or a grid"):
        plan({"working_crs": "EPSG:32649", "communities": []}, ["clinic"], budget=1)


def test_plan_is_drawn_on_the_city_map(sample, tmp_path):
    """P6 stage 2 on the P7 map: planned sites appear as numbered stars with tooltips."""
    _, _, out = sample
    dest = tmp_path / "plan.geojson"
    assert (
        main(
            [
                "plan",
                str(out),
                "--facility-type",
                "kindergarten",
                "--grid",
                "250",
                "--budget",
                "2",
                "--no-verify",
                "--out",
                str(dest),
            ]
        )
        == 0
    )
    svg = tmp_path / "city.svg"
    assert main(["map", str(out), "--plan", str(dest), "--out", str(svg)]) == 0
    text = svg.read_text(encoding="utf-8")
    assert text.count('id="plan-site-0"') == 1 and 'id="plan-site-1"' in text
    assert "规划新增设施 planned sites: 2" in text
    html = tmp_path / "city.html"
    assert main(["map", str(out), "--plan", str(dest), "--out", str(html)]) == 0
    assert "planned 幼儿园 kindergarten #1" in html.read_text(encoding="utf-8")
