"""The bad-input corpus: every file gives its documented message and exit status.

``tests/data/bad/expected.toml`` lists, per file, the exit status of ``livable evaluate``
(0: the feature is rejected or repaired and listed in the report; 1: the file cannot be used)
and the message. Every case runs in process through :func:`livable.cli.main`; a few also
run as a real subprocess. No case may print a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from livable.cli import main

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"
CASES: list[dict[str, Any]] = tomllib.loads((BAD / "expected.toml").read_text("utf-8"))["case"]


def _argv(case: dict[str, Any], out: Path) -> list[str]:
    bad = str(BAD / case["file"])
    ok_communities = str(DATA / "ok" / "communities.geojson")
    ok_facilities = str(DATA / "ok" / "facilities.geojson")
    if case.get("role", "communities") == "facilities":
        layers = ["--communities", ok_communities, "--facilities", bad]
    elif case.get("role") == "streets":
        layers = ["--communities", ok_communities, "--facilities", ok_facilities]
        layers += ["--streets", bad, "--distance", "network"]
    else:
        layers = ["--communities", bad, "--facilities", str(DATA / "ok" / "facilities.geojson")]
    return ["evaluate", *layers, "--quiet", "--out", str(out), *case.get("args", [])]


def _features(path: Path) -> int:
    return len(json.loads(path.read_text("utf-8"))["features"])


def test_every_corpus_file_has_a_case() -> None:
    files = {p.name for p in [*BAD.glob("*.geojson"), *BAD.glob("*.shp")]}
    assert files == {c["file"] for c in CASES}
    assert len(files) >= 15


@pytest.mark.parametrize("case", CASES, ids=[f"{c['file']}-{i}" for i, c in enumerate(CASES)])
def test_corpus_case(
    case: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.json"
    code = main(_argv(case, out))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert code == case["exit"], captured.err
    if case["exit"] != 0:
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1, captured.err
        assert lines[0].startswith("livable: error: ")
        assert case["message"] in lines[0]
        assert not out.exists()
        return
    report = json.loads(out.read_text("utf-8"))
    if "note" in case:  # used, with a note on its input; --strict stops for the note
        _check_note(case, report, captured.err, tmp_path, capsys)
        return
    if case.get("accepted"):  # read as given: nothing rejected, nothing repaired
        assert not report["rejected"] + report["repaired"] + report["rejected_facilities"]
        assert len(report["communities"]) == _features(BAD / case["file"])
        assert main([*_argv(case, tmp_path / "strict.json"), "--strict"]) == 0
        return
    reasons = [r["reason"] for r in report[case["where"]]]
    assert any(case["message"] in r for r in reasons), reasons
    for entry in report[case["where"]]:
        assert entry["source"].rsplit("#", 1)[1].isdigit()  # file#index names the feature
    communities = DATA / "ok" / "communities.geojson"
    if case.get("role", "communities") == "communities":
        communities = BAD / case["file"]
    assert len(report["communities"]) + len(report["rejected"]) == _features(communities)
    assert report["summary"]["communities"] == _features(communities)
    if "strict" in case:
        code = main([*_argv(case, tmp_path / "strict.json"), "--strict"])
        err = capsys.readouterr().err
        assert code == case["strict"]
        assert "Traceback" not in err
        assert case["message"] in err
        assert f"{case['file']}#" in err  # names the feature


def _check_note(
    case: dict[str, Any],
    report: dict[str, Any],
    err: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    entry = next(i for i in report["inputs"] if i["path"].endswith(case["file"]))
    assert entry["used"] == entry["features"]  # nothing rejected: it is all read
    notes = [n for n in entry["notes"] if n["kind"] == case["note"]]
    assert notes, entry["notes"]
    assert any(case["message"] in n["what"] + " ".join(n["examples"]) for n in notes)
    assert case["message"] not in err  # --quiet: no note lines
    loud = [a for a in _argv(case, tmp_path / "loud.json") if a != "--quiet"]
    assert main(loud) == 0
    assert case["message"] in capsys.readouterr().err  # without it, one line on stderr
    if case.get("role") != "streets":
        assert not report["rejected"]
    code = main([*_argv(case, tmp_path / "strict.json"), "--strict"])
    strict_err = capsys.readouterr().err
    assert code == case["strict"]
    assert "Traceback" not in strict_err
    assert case["strict_message"] in strict_err.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("name", "extra", "code", "message"),
    [
        ("encoding_gb18030.geojson", [], 1, "iconv -f GB18030 -t UTF-8"),
        ("lonlat_swapped.geojson", ["--strict"], 1, "longitude and latitude look swapped"),
        ("json_truncated.geojson", [], 1, "not valid JSON"),
    ],
)
def test_corpus_as_a_subprocess(
    name: str, extra: list[str], code: int, message: str, tmp_path: Path
) -> None:
    case = {"file": name}
    argv = [sys.executable, "-m", "livable.cli", *_argv(case, tmp_path / "r.json"), *extra]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == code
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert len(done.stderr.strip().splitlines()) == 1


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["--debug", *_argv({"file": "json_empty.geojson"}, tmp_path / "r.json")])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" in err
    assert err.strip().splitlines()[-1].startswith("livable: error: ")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for bad in (["--max-features", "0"], ["--max-file-mb", "-1"], ["--max-file-mb", "lots"]):
        with pytest.raises(SystemExit) as exc:
            main([*_argv({"file": "json_empty.geojson"}, tmp_path / "r.json"), *bad])
        assert exc.value.code == 2
    assert "Traceback" not in capsys.readouterr().err
