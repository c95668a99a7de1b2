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
