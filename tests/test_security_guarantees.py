"""Each guarantee of SECURITY.md's "What is guaranteed" that the command line owns.

One test per guarantee; the thorough, class-wide versions are in
``tests/test_cli_hardening.py``. The profile, reader and numeric guarantees are checked by
the tests of the profile and reader hardening.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import livable
from livable._text import CONTROL, show
from livable.cli import WRITERS, format_summary, main
from livable.io import read_communities

ROOT = Path(__file__).parent.parent
OK = Path(__file__).parent / "data" / "ok"


def test_security_md_states_the_guarantees() -> None:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    section = text.split("## What is guaranteed", 1)[1].split("\n## ", 1)[0]
    for claim in (
        "Outputs never overwrite inputs",
        "Every echoed value is sanitised",
        "cut to 40 characters",
        "Usage errors exit 2",
        "Profiles are strictly typed",
        "Only `LivableError` escapes",
        "Numbers out of range are rejected",
    ):
        assert claim in section


def test_outputs_never_overwrite_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every writing command, its output a symlink to its first input: refused, unchanged."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(OK / "communities.geojson", "c.geojson")
    shutil.copy(OK / "facilities.geojson", "f.geojson")
    Path("report.html").write_text('{"summary": {}, "communities": []}', encoding="utf-8")
    Path("d").mkdir()
    Path("d/facilities.geojson").write_text("{}", encoding="utf-8")
    Path("d/city.csv").write_text("{}", encoding="utf-8")
    Path("link.html").symlink_to("report.html")
    Path("link.json").symlink_to("report.html")  # diff writes .json/.md/.csv/.xlsx only
    Path("link.geojson").symlink_to("c.geojson")
    Path("dlink").symlink_to("d")
    argvs = {
        "evaluate": ["evaluate", "--communities", "c.geojson", "--facilities", "f.geojson"],
        "plan": ["plan", "report.html", "--facility-type", "clinic", "--grid", "300"],
        "map": ["map", "report.html"],
        "handbook": ["handbook", "report.html", "--community", "c1"],
        "summary": ["summary", "d/city.csv", "--csv"],
        "import": ["import", "amap", "d/facilities.geojson"],
        "diff": ["diff", "report.html", "c.geojson"],
    }
    outs = {"evaluate": "link.geojson", "summary": "dlink", "import": "dlink", "diff": "link.json"}
    before = {p: p.read_bytes() for p in map(Path, ("c.geojson", "report.html", "d/city.csv"))}
    assert set(argvs) | {"demo"} == set(WRITERS)  # demo reads nothing the user gave
    for command, argv in argvs.items():
        out = outs.get(command, "link.html")
        full = [*argv, out] if argv[-1] == "--csv" else [*argv, "--out", out]
        assert main(full) == 1, command
        err = capsys.readouterr().err
        assert err.startswith(f"livable: error: refusing to write {out}"), err
        assert "it is the input" in err
    assert {p: p.read_bytes() for p in before} == before


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=50)
@given(st.lists(st.text(min_size=1, max_size=6000), min_size=1, max_size=4))
def test_every_echoed_value_is_sanitised(ids: list[str]) -> None:
    """Rejected ids, whatever they hold, reach the summary quoted, escaped and cut."""
    features = [{"type": "Feature", "properties": {"id": fid}, "geometry": None} for fid in ids * 2]
    layer = read_communities({"type": "FeatureCollection", "features": features})
    rejected = [{"source": r.source, "id": r.id, "reason": r.reason} for r in layer.rejected]
    assert len(rejected) == len(features)
    # a real (empty) report with these rejections: the summary takes a typed Report
    report = {**livable.evaluate([], []).to_dict(), "rejected": rejected}
    text = format_summary(report)
    for line in text.split("\n"):
        assert not CONTROL.search(line)
        assert len(line) <= 200
    joined = " ".join(text.split())
    for entry in rejected:
        if entry["id"] is not None:
            assert f"(id {' '.join(show(entry['id']).split())})" in joined


@pytest.mark.parametrize(
    "bad",
    [["--workers", "0"], ["--tile-km", "0"], ["--dedupe-m", "-5"], ["--distance", "teleport"]],
)
def test_usage_errors_exit_2(
    bad: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["evaluate", "--communities", str(OK / "communities.geojson")]
    argv += ["--facilities", str(OK / "facilities.geojson"), "--out", str(tmp_path / "r.json")]
    with pytest.raises(SystemExit) as info:
        main([*argv, *bad])
    assert info.value.code == 2
    assert capsys.readouterr().err.startswith("usage: livable evaluate")
    assert not (tmp_path / "r.json").exists()
