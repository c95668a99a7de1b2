"""Progress on long work: the evaluate stages, the terminal bar, quiet off a terminal."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

import livable
from livable.cli import main
from livable.cli.progress import STAGES, TerminalProgress, terminal_progress
from livable.testing import community, facility, offset

LON, LAT = 108.94, 34.26


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    def point(fid: str, lon: float, lat: float, **props: object) -> dict:
        return {
            "type": "Feature",
            "properties": {"id": fid, **props},
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
        }

    comms = [point(f"c{i}", *offset(LON, LAT, 500.0 * i, 0)) for i in range(3)]
    facs = [point("k1", LON, LAT, type="kindergarten")]
    c, f = tmp_path / "c.geojson", tmp_path / "f.geojson"
    c.write_text(json.dumps({"type": "FeatureCollection", "features": comms}), encoding="utf-8")
    f.write_text(json.dumps({"type": "FeatureCollection", "features": facs}), encoding="utf-8")
    return c, f


def test_evaluate_reports_its_stages_in_order():
    calls: list[tuple[str, float]] = []
    livable.evaluate(
        [community("c1", LON, LAT)],
        [facility("k1", "kindergarten", LON, LAT)],
        progress=lambda stage, fraction: calls.append((stage, fraction)),
    )
    stages = list(dict.fromkeys(s for s, _ in calls))
    assert stages == list(STAGES[:4])  # the CLI adds "writing"
    assert all(0.0 <= f <= 1.0 for _, f in calls)
    for stage in stages:
        fractions = [f for s, f in calls if s == stage]
        assert fractions[0] == 0.0 and fractions[-1] == 1.0
        assert fractions == sorted(fractions)


def test_terminal_bar_draws_overall_progress_and_erases_itself():
    buf = _Tty()
    bar = TerminalProgress(buf, width=10, min_interval=0.0)
    assert bar.enabled
    bar("reading", 0.0)
    bar("indicators", 0.5)
    bar("writing", 1.0)
    frames = [f for f in buf.getvalue().split("\r\x1b[K") if f]
    assert frames == [
        "livable [----------]   0% reading (1/5)",
        "livable [#######---]  70% indicators (4/5)",
        "livable [##########] 100% writing (5/5)",
    ]
    bar.close()
    assert buf.getvalue().endswith("100% writing (5/5)\r\x1b[K")


def test_terminal_bar_throttles_within_a_stage_and_clamps():
    buf = _Tty()
    bar = TerminalProgress(buf, width=4, min_interval=3600.0)
    for i in range(50):
        bar("indicators", i / 10)  # > 1 clamps to 1
    bar("writing", -1.0)
    frames = [f for f in buf.getvalue().split("\r\x1b[K") if f]
    assert frames == ["livable [##--]  60% indicators (4/5)", "livable [###-]  80% writing (5/5)"]


def test_bar_is_off_when_not_a_terminal_quiet_or_dumb(monkeypatch):
    assert not TerminalProgress(io.StringIO()).enabled
    assert not terminal_progress(quiet=True, stream=_Tty()).enabled
    assert terminal_progress(stream=_Tty()).enabled
    monkeypatch.setenv("TERM", "dumb")
    assert not TerminalProgress(_Tty()).enabled
    silent = io.StringIO()
    TerminalProgress(silent)("reading", 0.5)
    assert silent.getvalue() == ""


def _evaluate(inputs, tmp_path, *extra: str) -> int:
    c, f = inputs
    out = tmp_path / "r.json"
    return main(
        ["evaluate", "--communities", str(c), "--facilities", str(f), "--out", str(out), *extra]
    )


def test_cli_shows_the_bar_on_a_terminal_with_all_five_stages(inputs, tmp_path, monkeypatch):
    monkeypatch.delenv("TERM", raising=False)
    err = _Tty()
    monkeypatch.setattr(sys, "stderr", err)
    assert _evaluate(inputs, tmp_path) == 0
    text = err.getvalue()
    for i, stage in enumerate(STAGES, start=1):
        assert f"{stage} ({i}/5)" in text
    bar, _, after = text.rpartition("\r\x1b[K")  # erased before the summary is printed
    *notes, status = after.splitlines()
    assert bar and all(line.startswith("livable: ") for line in notes)
    assert status.startswith("report written to ") and "\r" not in status


def test_cli_is_quiet_with_quiet_or_off_a_terminal(inputs, tmp_path, monkeypatch, capsys):
    err = _Tty()
    monkeypatch.setattr(sys, "stderr", err)
    assert _evaluate(inputs, tmp_path, "--quiet") == 0
    assert err.getvalue() == ""
    monkeypatch.undo()
    assert _evaluate(inputs, tmp_path) == 0  # capsys: not a terminal
    captured = capsys.readouterr()  # no bar; the input notes (issue 24), if any, the status
    assert "livable [" not in captured.err + captured.out
    *notes, status = captured.err.splitlines()
    assert all(line.startswith("livable: ") for line in notes)
    assert status.startswith("report written to ")


def test_bar_is_erased_when_evaluation_fails(tmp_path, monkeypatch):
    err = _Tty()
    monkeypatch.setattr(sys, "stderr", err)
    bad = tmp_path / "bad.geojson"
    bad.write_text("{", encoding="utf-8")
    code = main(
        [
            "evaluate",
            "--communities",
            str(bad),
            "--facilities",
            str(bad),
            "--out",
            str(tmp_path / "r.json"),
        ]
    )
    assert code == 1
    text = err.getvalue()
    assert "reading (1/5)" in text
    assert "\r\x1b[Klivable: error:" in text  # the bar's line is cleared before the error
