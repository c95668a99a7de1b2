"""Command-line conventions (issue 20): short flags, a description for every command and
option, global options after the command, ``-`` for standard input and output."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from livable import __version__
from livable.cli import _parser, main
from livable.io.sample import write_sample_city


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("city")
    c, f = write_sample_city(folder)
    report = folder / "report.json"
    assert (
        main(["evaluate", "-q", "--communities", str(c), "--facilities", str(f), "-o", str(report)])
        == 0
    )
    return c, f, report


def _stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def _commands(parser: argparse.ArgumentParser, name: str = "livable"):
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _commands(sub, f"{name} {sub_name}")


def test_every_command_and_option_is_described():
    for name, parser in _commands(_parser()):
        assert parser.description, f"{name} has no description"
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"


def test_short_flags_and_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["-V"])
    assert stop.value.code == 0 and capsys.readouterr().out == f"livable {__version__}\n"
    for name, parser in _commands(_parser()):
        strings = {s for a in parser._actions for s in a.option_strings}
        assert "-q" in strings, name
        if "--out" in strings:
            assert "-o" in strings, name


def test_global_options_after_the_command(tmp_path, capsys):
    missing = str(tmp_path / "missing.json")
    assert main(["summary", missing]) == 1
    assert "Traceback" not in capsys.readouterr().err
    for argv in (["--debug", "summary", missing], ["summary", missing, "--debug"]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "Traceback" in err and "file not found" in err, argv


def test_evaluate_from_stdin_to_stdout_is_the_file_report(city, monkeypatch, capsysbinary):
    c, f, report = city
    _stdin(monkeypatch, c.read_bytes())
    assert main(["evaluate", "--communities", "-", "--facilities", str(f), "-o", "-"]) == 0
    captured = capsysbinary.readouterr()
    got, want = json.loads(captured.out), json.loads(report.read_bytes())
    assert got["inputs"][0]["path"] == "<bytes>"
    assert got["inputs"][0]["sha256"] == want["inputs"][0]["sha256"]
    assert got["communities"] == want["communities"] and got["summary"] == want["summary"]
    err = captured.err.decode("utf-8")  # the table and the status line, all on stderr
    assert "livable share 宜居占比" in err and "report written to standard output" in err
    assert not Path("-").exists()


def test_two_inputs_from_stdin_are_a_usage_error(city, monkeypatch, capsys):
    _stdin(monkeypatch, b"{}")
    with pytest.raises(SystemExit) as stop:
        main(["evaluate", "--communities", "-", "--facilities", "-", "-o", "-"])
    assert stop.value.code == 2
    assert "only one input can be read from standard input" in capsys.readouterr().err


def test_summary_json_and_stdin(city, monkeypatch, capsys):
    _, _, report = city
    assert main(["summary", str(report), "--json"]) == 0
    from_file = capsys.readouterr().out
    assert json.loads(from_file) == json.loads(report.read_bytes())["summary"]
    _stdin(monkeypatch, report.read_bytes())
    assert main(["summary", "-", "--json"]) == 0
    assert capsys.readouterr().out == from_file
    _stdin(monkeypatch, b"not json")
    assert main(["summary", "-"]) == 1
    assert capsys.readouterr().err.startswith("livable: error: <stdin>: not a readable report")


def test_handbook_and_plan_to_stdout(city, monkeypatch, tmp_path, capsysbinary):
    _, _, report = city
    _stdin(monkeypatch, report.read_bytes())
    argv = ["handbook", "-", "--community", "BL-004", "--lang", "en", "-o", "-"]
    assert main(argv) == 0
    piped = capsysbinary.readouterr()
    assert piped.out.startswith(b"# ") and piped.err == b""
    md = tmp_path / "h.md"
    assert (
        main(["handbook", str(report), "--community", "BL-004", "--lang", "en", "-o", str(md)]) == 0
    )
    assert md.read_bytes() == piped.out
    assert b"handbook written to" in capsysbinary.readouterr().err
    argv = ["plan", str(report), "--facility-type", "kindergarten", "--grid", "400"]
    assert main([*argv, "--budget", "1", "--no-verify", "-o", "-"]) == 0
    piped = capsysbinary.readouterr()
    assert json.loads(piped.out)["features"] and b"plan written to standard output" in piped.err


def test_map_to_stdout(city, capsysbinary):
    _, _, report = city
    assert main(["map", str(report), "-o", "-", "--format", "png", "--dpi", "50"]) == 0
    assert capsysbinary.readouterr().out.startswith(b"\x89PNG\r\n")
    assert main(["map", str(report), "-o", "-"]) == 0
    assert b"<svg" in capsysbinary.readouterr().out[:500]


def test_format_must_match_the_file(city, tmp_path, capsys):
    _, _, report = city
    with pytest.raises(SystemExit) as stop:
        main(["map", str(report), "-o", str(tmp_path / "m.png"), "--format", "svg"])
    assert stop.value.code == 2 and "does not match" in capsys.readouterr().err


def test_a_real_pipe(city, tmp_path):
    """``livable evaluate ... -o - | livable summary -`` in a shell."""
    c, f, _ = city
    exe = [sys.executable, "-m", "livable.cli"]
    ev = subprocess.run(
        [*exe, "evaluate", "--communities", str(c), "--facilities", str(f), "-o", "-", "-q"],
        capture_output=True,
        check=True,
    )
    sm = subprocess.run([*exe, "summary", "-"], input=ev.stdout, capture_output=True, check=True)
    assert "livable share 宜居占比" in sm.stdout.decode("utf-8") and ev.stderr == b""


def _plan(city, tmp_path, capsysbinary) -> Path:
    _, _, report = city
    plan = tmp_path / "plan.geojson"
    argv = ["plan", str(report), "--facility-type", "kindergarten", "--grid", "400"]
    assert main([*argv, "--budget", "3", "--no-verify", "-q", "-o", str(plan)]) == 0
    capsysbinary.readouterr()
    return plan


def test_plan_candidates_from_stdin(city, tmp_path, monkeypatch, capsysbinary):
    _, _, report = city
    candidates = _plan(city, tmp_path, capsysbinary)  # a plan's sites are points with ids
    argv = ["plan", str(report), "--facility-type", "kindergarten", "--budget", "2"]
    argv += ["--no-verify", "-o", "-", "-q"]
    assert main([*argv, "--candidates", str(candidates)]) == 0
    from_file = capsysbinary.readouterr().out
    _stdin(monkeypatch, candidates.read_bytes())
    assert main([*argv, "--candidates", "-"]) == 0
    assert capsysbinary.readouterr().out == from_file
    assert len(json.loads(from_file)["features"]) == 2


def test_map_plan_from_stdin(city, tmp_path, monkeypatch, capsysbinary):
    _, _, report = city
    plan = _plan(city, tmp_path, capsysbinary)
    assert main(["map", str(report), "--plan", str(plan), "-o", "-"]) == 0
    from_file = capsysbinary.readouterr().out
    _stdin(monkeypatch, plan.read_bytes())
    assert main(["map", str(report), "--plan", "-", "-o", "-"]) == 0
    assert capsysbinary.readouterr().out == from_file
    _stdin(monkeypatch, b"[1, 2")
    assert main(["map", str(report), "--plan", "-", "-o", "-"]) == 1
    assert b"<stdin>: not a readable plan GeoJSON" in capsysbinary.readouterr().err


def test_profile_from_stdin(city, tmp_path, monkeypatch, capsysbinary):
    c, f, report = city
    toml = b'extends = "xian-2020"\nid = "piped"\nlabel_en = "Piped"\nlabel_zh = "Piped"\n'
    _stdin(monkeypatch, toml)
    argv = ["evaluate", "--communities", str(c), "--facilities", str(f), "-q"]
    assert main([*argv, "--profile", "-", "-o", "-"]) == 0
    got, want = json.loads(capsysbinary.readouterr().out), json.loads(report.read_bytes())
    assert got["profile"] == "piped" and got["summary"] == want["summary"]
    hb = ["handbook", str(report), "--community", "BL-004", "--lang", "en", "-o", "-"]
    assert main(hb) == 0
    default = capsysbinary.readouterr().out
    _stdin(monkeypatch, toml)
    assert main([*hb, "--profile", "-"]) == 0
    assert capsysbinary.readouterr().out == default  # the same rules, piped
    _stdin(monkeypatch, b"id = [")
    assert main([*argv, "--profile", "-", "-o", str(tmp_path / "r.json")]) == 1
    assert b"<stdin>: not a profile TOML" in capsysbinary.readouterr().err


def test_one_stdin_per_command(capsys):
    for argv in (
        ["plan", "-", "--facility-type", "clinic", "--candidates", "-", "--budget", "1"],
        ["map", "-", "--plan", "-", "-o", "-"],
        ["handbook", "-", "--community", "BL-004", "--profile", "-", "-o", "-"],
    ):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2, argv
        assert "only one input can be read from standard input" in capsys.readouterr().err


_OSM = b"""<osm version="0.6">
<node id="1" lat="34.26" lon="108.94"><tag k="amenity" v="kindergarten"/></node>
<node id="2" lat="34.27" lon="108.95"><tag k="amenity" v="clinic"/></node>
</osm>"""


def test_import_from_stdin_to_stdout(tmp_path, monkeypatch, capsysbinary):
    amap = Path(__file__).parent / "data" / "amap" / "pois.csv"
    assert main(["import", "amap", str(amap), "-o", str(tmp_path / "a")]) == 0
    printed = capsysbinary.readouterr()
    _stdin(monkeypatch, amap.read_bytes())
    assert main(["import", "amap", "-", "--format", "csv", "-o", "-"]) == 0
    piped = capsysbinary.readouterr()
    assert piped.out == (tmp_path / "a" / "facilities.geojson").read_bytes()
    assert piped.err.decode().startswith("facilities 设施:")  # the lines for people
    from_file = printed.out.decode().replace(str(amap), "<bytes>")
    assert from_file.startswith(piped.err.decode().split("\nwrote")[0])
    assert "<bytes>:line 6 (id 'amap:C4')" in piped.err.decode()
    osm = tmp_path / "tiny.osm"
    osm.write_bytes(_OSM)
    assert main(["import", "osm", str(osm), "--no-streets", "-q", "-o", str(tmp_path / "o")]) == 0
    _stdin(monkeypatch, _OSM)
    assert main(["import", "osm", "-", "--format", "osm", "--no-streets", "-q", "-o", "-"]) == 0
    piped = capsysbinary.readouterr()
    assert piped.err == b"" and piped.out == (tmp_path / "o" / "facilities.geojson").read_bytes()
    assert [f["properties"]["id"] for f in json.loads(piped.out)["features"]] == [
        "osm:n1",
        "osm:n2",
    ]


def test_import_usage_errors(tmp_path, capsys):
    amap = Path(__file__).parent / "data" / "amap" / "pois.csv"
    for argv, says in (
        (["import", "osm", "x.osm", "-o", "-"], "add --no-streets"),
        (["import", "amap", str(amap), "--format", "json", "-o", "-"], "the format of FILE -"),
        (["demo", "-o", "-"], "the demo writes a folder"),
    ):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2, argv
        assert says in capsys.readouterr().err, argv
    assert not Path("-").exists()


def test_summary_workbook_to_stdout(city, tmp_path, capsysbinary):
    _, _, report = city
    book = tmp_path / "s.xlsx"
    assert main(["summary", str(report), "--xlsx", str(book)]) == 0
    to_file = capsysbinary.readouterr()
    assert main(["summary", str(report), "--xlsx", "-"]) == 0
    piped = capsysbinary.readouterr()
    assert piped.out.startswith(b"PK")  # the workbook alone, a zip
    assert piped.err.decode("utf-8") == to_file.out.decode("utf-8")  # the table on stderr
    import openpyxl

    sheets = openpyxl.load_workbook(io.BytesIO(piped.out)).sheetnames
    assert sheets == openpyxl.load_workbook(book).sheetnames
    for bad in (["--xlsx", "-", "--json"], ["--csv", "-"]):
        with pytest.raises(SystemExit) as stop:
            main(["summary", str(report), *bad])
        assert stop.value.code == 2
    assert b"a folder of CSV files, not standard output" in capsysbinary.readouterr().err


def test_streets_from_stdin(city, tmp_path, monkeypatch, capsysbinary):
    _, _, report = city
    line = [[108.9, 34.2], [109.0, 34.3]]
    streets = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "s1", "name": "长安路"},
                "geometry": {"type": "LineString", "coordinates": line},
            }
        ],
    }
    _stdin(monkeypatch, json.dumps(streets).encode("utf-8"))
    assert main(["map", str(report), "--streets", "-", "-o", "-"]) == 0
    assert b'id="streets"' in capsysbinary.readouterr().out
    _stdin(monkeypatch, json.dumps(streets).encode("utf-8"))
    argv = ["handbook", str(report), "--community", "BL-004", "--lang", "en", "-o", "-"]
    assert main([*argv, "--streets", "-"]) == 0
    assert b"| On street |" in capsysbinary.readouterr().out
