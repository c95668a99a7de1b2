"""The gap-closing planner (P6 stage 2): greedy vs exact, and claims confirmed by re-evaluation."""

from __future__ import annotations

import json
import math
import random

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import livable
from livable.cli import main
from livable.errors import LivableError, ReportError
from livable.io.sample import write_sample_city
from livable.models import Grade
from livable.models.results import CommunityResult, Gap, Report, Summary
from livable.models.serialize import dumps
from livable.plugins import PluginManager
from livable.report.planner import Candidate, Plan, as_plan, plan, verify_plan
from livable.testing import offset

LON, LAT = 108.94, 34.26


def _community(cid: str, lon: float, lat: float, radius: float, need: int, population, type_id):
    gaps = ()
    if need:
        gaps = (
            Gap(
                rule="P4.twelve_ones",
                message_en=f"needs {need} {type_id}",
                message_zh=f"缺{type_id}",
                grade=Grade.LIVABLE,
                facility_type=type_id,
                required=need,
                found=0,
            ),
        )
    return CommunityResult(
        id=cid,
        name=None,
        grade=Grade.NOT_LIVABLE if need else Grade.LIVABLE,
        center=(lon, lat),
        center_inside=True,
        center_source="point",
        radius_m=radius,
        radius_reason=None,
        geometry=shapely.Point(lon, lat),
        district=None,
        subdistrict=None,
        zone=None,
        population=population,
        size_class="small",
        access=(),
        gaps=gaps,
        indicators=(),
    )


def _report(rnd: random.Random, n: int, type_id: str = "clinic") -> Report:
    """A typed report of ``n`` communities short of 0-2 facilities of ``type_id``."""
    comms = []
    for i in range(n):
        lon, lat = offset(LON, LAT, rnd.uniform(-4000, 4000), rnd.uniform(-4000, 4000))
        need = rnd.choice([0, 1, 1, 2])
        radius = rnd.choice([1200.0, 1600.0])
        population = rnd.choice([None, 1000, 5000])
        comms.append(_community(f"c{i}", lon, lat, radius, need, population, type_id))
    short = sum(c.grade == "not_livable" for c in comms)
    summary = Summary(
        communities=n,
        evaluated=n,
        rejected=0,
        not_livable=short,
        livable=n - short,
        happy=0,
        livable_share=(n - short) / n,
        happy_share=0.0,
        happy_share_central=None,
        happy_share_peripheral=None,
        target_livable_share=1.0,
        target_happy_share_central=0.5,
        target_happy_share_peripheral=0.3,
    )
    return Report(
        livable_version=livable.__version__,
        profile="xian-2020",
        profile_sha256="0" * 64,
        distance="euclidean",
        working_crs="EPSG:32649",
        inputs=(),
        plugins=(),
        communities=tuple(comms),
        rejected=(),
        summary=summary,
    )


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
    blocked = {c.id for c in report.communities if c.grade == "not_livable"}
    assert set(greedy.grade_changes) | set(greedy.unreachable) >= blocked - {
        c.id for c in report.communities if c.gaps and c.gaps[0].required == 2
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
    result = plan(out, ["kindergarten", "clinic"], grid_m=250.0, budget=6)
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
    empty = livable.evaluate([], [])
    with pytest.raises(LivableError, match="at least one facility type"):
        plan(empty, [], grid_m=100, budget=1)
    with pytest.raises(LivableError, match="candidate sites or a grid"):
        plan(empty, ["clinic"], budget=1)


@pytest.mark.parametrize(
    "data",
    [
        {"communities": []},
        {"working_crs": "EPSG:32649", "profile": "xian-2020", "communities": []},
        {"type": "FeatureCollection", "features": []},
    ],
)
def test_a_mapping_that_is_not_a_report_is_a_report_error(data):
    with pytest.raises(ReportError, match=r"^<memory>: not a livable report"):
        plan(data, ["clinic"], grid_m=300.0, budget=1)


def test_a_report_and_its_file_give_the_same_plan(sample, tmp_path):
    """The plan is made from the typed report: the evaluation's object (unrounded), its
    file, its text and its parsed data give the same sites and the same plan.geojson."""
    c, f, out = sample
    report = livable.evaluate(c, f, plugins=PluginManager(load_entry_points=False))
    sources = [report, out, str(out), out.read_bytes(), report.to_dict()]
    made = [
        dumps(plan(s, ["kindergarten", "clinic"], grid_m=300.0, budget=4).to_geojson())
        for s in sources
    ]
    assert all(m == made[0] for m in made[1:])
    assert json.loads(made[0])["features"]


def test_a_plan_reads_back_from_its_geojson(sample, tmp_path):
    _, _, out = sample
    result = plan(out, ["kindergarten"], grid_m=300.0, budget=2)
    path = tmp_path / "plan.geojson"
    path.write_text(dumps(result.to_geojson()), encoding="utf-8")
    back = as_plan(path)
    assert dumps(back.to_geojson()) == dumps(result.to_geojson())
    assert as_plan(result) == back == Plan.from_geojson(json.loads(path.read_text("utf-8")))
    data = result.to_geojson()
    del data["features"][0]["properties"]["rank"]
    with pytest.raises(LivableError, match=r"^<memory>: not a plan GeoJSON \(no 'rank'\)"):
        Plan.from_geojson(data)


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
