"""Issue 21 on the command line: no command overwrites its input, no raw control character
reaches the terminal, usage errors exit 2, the known profiles are listed once.

Each class is tested over every command that writes, every spelling of a path and every
numeric option, not one example.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livable._text import CONTROL, escape, show
from livable.cli import WRITERS, main
from livable.errors import InputError, ProfileError
from livable.io import read_communities
from livable.plugins import PluginManager
from livable.profile import load_profile

DATA = Path(__file__).parent / "data"
OK = DATA / "ok"
BAD = DATA / "bad"
HOSTILE = BAD / "ids_control_characters.geojson"

# -- class 1: an output never overwrites an input --------------------------------------

Argv = Callable[[str, str], list[str]]
"""The command line, given the output as spelled and the input as spelled."""


def _ev(flag: str, *extra: str) -> Argv:
    def argv(out: str, inp: str) -> list[str]:
        layers = {"--communities": "c.geojson", "--facilities": "f.geojson", flag: inp}
        args = [x for kv in layers.items() for x in kv]
        return ["evaluate", *args, *extra, "--quiet", "--out", out]

    return argv


# (case id, the input file the output would overwrite, the command line)
FILE_WRITERS: list[tuple[str, str, Argv]] = [
    ("evaluate-communities", "c.geojson", _ev("--communities")),
    ("evaluate-facilities", "f.geojson", _ev("--facilities")),
    ("evaluate-streets", "s.geojson", _ev("--streets", "--distance", "network")),
    ("evaluate-residents", "r.geojson", _ev("--residents")),
    ("evaluate-profile", "p.toml", _ev("--profile")),
    (
        "plan-report",
        "report.json",
        lambda o, i: ["plan", i, "--facility-type", "clinic", "--grid", "300", "--out", o],
    ),
    (
        "plan-candidates",
        "cand.geojson",
        lambda o, i: [
            *("plan", "report.json", "--facility-type", "clinic", "--candidates", i),
            *("--budget", "1", "--out", o),
        ],
    ),
    ("map-report", "report.svg", lambda o, i: ["map", i, "--out", o]),
    ("map-plan", "plan.html", lambda o, i: ["map", "report.json", "--plan", i, "--out", o]),
    ("map-font", "font.png", lambda o, i: ["map", "report.json", "--font", i, "--out", o]),
    (
        "handbook-report",
        "report.md",
        lambda o, i: ["handbook", i, "--community", "c1", "--out", o],
    ),
    ("summary-xlsx", "report.xlsx", lambda o, i: ["summary", i, "--xlsx", o]),
]

# (case id, the input file inside the output folder, the command line)
FOLDER_WRITERS: list[tuple[str, str, Argv]] = [
    ("summary-csv", "city.csv", lambda o, i: ["summary", i, "--csv", o]),
    ("import-osm", "facilities.geojson", lambda o, i: ["import", "osm", i, "--out", o]),
    (
        "import-osm-streets",
        "streets.geojson",
        lambda o, i: ["import", "osm", "x.osm", "--tags", i, "--out", o],
    ),
    ("import-amap", "facilities.geojson", lambda o, i: ["import", "amap", i, "--out", o]),
    (
        "import-amap-typecodes",
        "facilities.geojson",
        lambda o, i: ["import", "amap", "x.json", "--typecodes", i, "--out", o],
    ),
]

SPELLINGS = ["same", "absolute", "dotted", "parent", "symlink", "symlinked-input", "hardlink"]


def _populate(tmp: Path) -> None:
    """Every file the command lines name, with real content (copies of the ok data)."""
    for name in ("c.geojson", "s.geojson", "r.geojson", "cand.geojson"):
        shutil.copy(OK / "communities.geojson", tmp / name)
    for name in ("f.geojson", "x.osm", "x.json"):
        shutil.copy(OK / "facilities.geojson", tmp / name)
    (tmp / "p.toml").write_text('id = "mine"\nextends = "xian-2020"\n', encoding="utf-8")
    for name in ("report.json", "report.svg", "report.md", "report.xlsx", "plan.html"):
        (tmp / name).write_text('{"summary": {}, "communities": []}', encoding="utf-8")
    (tmp / "font.png").write_bytes(b"not really a font")


def _spell(tmp: Path, spelling: str, real: str, link_name: str) -> tuple[str, str]:
    """``(output, input)`` spelled so that both are the file (or folder) ``real``."""
    if spelling == "same":
        return real, real
    if spelling == "absolute":
        return str(tmp / real), real
    if spelling == "dotted":
        return f"./{real}", real
    if spelling == "parent":
        return f"../{tmp.name}/{real}", real
    if spelling == "symlink":
        (tmp / link_name).symlink_to(real)
        return link_name, real
    if spelling == "symlinked-input":
        (tmp / link_name).symlink_to(real)
        return real, link_name
    assert spelling == "hardlink"
    os.link(tmp / real, tmp / link_name)
    return link_name, real


def _refused(capsys: pytest.CaptureFixture[str], argv: list[str], *named: str) -> str:
    assert main(argv) == 1
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("livable: error: ")
    for name in named:
        assert name in lines[0]
    return lines[0]


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize(("case", "real", "argv"), FILE_WRITERS, ids=[c[0] for c in FILE_WRITERS])
def test_no_command_overwrites_an_input_file(
    case: str,
    real: str,
    argv: Argv,
    spelling: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    _populate(tmp_path)
    before = (tmp_path / real).read_bytes()
    out, inp = _spell(tmp_path, spelling, real, "link" + Path(real).suffix)
    line = _refused(capsys, argv(out, inp), f"refusing to write {out}", f"the input {inp}")
    assert "would be overwritten" in line
    assert (tmp_path / real).read_bytes() == before


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize(
    ("case", "name", "argv"), FOLDER_WRITERS, ids=[c[0] for c in FOLDER_WRITERS]
)
def test_no_command_writes_an_input_into_its_folder(
    case: str,
    name: str,
    argv: Argv,
    spelling: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    _populate(tmp_path)
    (tmp_path / "d").mkdir()
    shutil.copy(tmp_path / "report.json", tmp_path / "d" / name)
    before = (tmp_path / "d" / name).read_bytes()
    if spelling in ("symlinked-input", "hardlink"):  # the input names the file another way
        alias = "alias" + Path(name).suffix
        if spelling == "hardlink":
            os.link(tmp_path / "d" / name, tmp_path / alias)
        else:
            (tmp_path / alias).symlink_to(Path("d") / name)
        out, inp = "d", alias
    else:
        out, _ = _spell(tmp_path, spelling, "d", "linked-d")
        inp = f"d/{name}"
    _refused(capsys, argv(out, inp), "refusing to write", name, f"the input {inp}")
    assert (tmp_path / "d" / name).read_bytes() == before


def test_plan_does_not_overwrite_the_layers_its_report_was_made_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    _populate(tmp_path)
    args = ["--communities", "c.geojson", "--facilities", "f.geojson", "--quiet"]
    assert main(["evaluate", *args, "--out", "report.json"]) == 0
    before = Path("c.geojson").read_bytes()
    plan = ["plan", "report.json", "--facility-type", "clinic", "--grid", "300", "--budget", "1"]
    _refused(capsys, [*plan, "--out", "./c.geojson"], "./c.geojson", "the input c.geojson")
    assert Path("c.geojson").read_bytes() == before


def _all_commands(capsys: pytest.CaptureFixture[str]) -> list[str]:
    with pytest.raises(SystemExit):
        main(["no-such-command"])
    err = capsys.readouterr().err
    return re.findall(r"'([a-z-]+)'", err.split("choose from", 1)[1])


def test_every_command_with_an_output_option_is_guarded(
    capsys: pytest.CaptureFixture[str],
) -> None:
    commands = _all_commands(capsys)
    assert {"evaluate", "demo", "summary", "plan", "import", "map", "handbook"} <= set(commands)
    for command in commands:
        helps = [[command, "--help"]]
        if command == "import":
            helps = [["import", "osm", "--help"], ["import", "amap", "--help"]]
        for argv in helps:
            with pytest.raises(SystemExit):
                main(argv)
            text = capsys.readouterr().out
            if re.search(r"--(out|csv|xlsx)\b", text):
                assert command in WRITERS, f"`livable {command}` writes but is not guarded"


_INPUT_OF = {case: real for case, real, _ in FILE_WRITERS} | {
    "summary-csv": "report.json",
    "import-osm": "x.osm",
    "import-osm-streets": "p.toml",
    "import-amap": "x.json",
    "import-amap-typecodes": "p.toml",
}


def _parent_is_a_file_cases() -> list[tuple[str, Callable[[str], list[str]]]]:
    writers = [*FILE_WRITERS, *FOLDER_WRITERS]
    cases = [(c, lambda o, a=argv, i=_INPUT_OF[c]: a(o, i)) for c, _, argv in writers]
    return [*cases, ("demo", lambda o: ["demo", "--quiet", "--out", o])]


@pytest.mark.parametrize(
    ("case", "argv"), _parent_is_a_file_cases(), ids=[c[0] for c in _parent_is_a_file_cases()]
)
def test_an_output_under_a_file_says_the_folder_is_a_file(
    case: str,
    argv: Callable[[str], list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    _populate(tmp_path)
    Path("notes.txt").write_text("a file\n", encoding="utf-8")
    suffix = {"map": ".svg", "handbook": ".md", "summary-xlsx": ".xlsx"}
    name = "out" + next((s for k, s in suffix.items() if case.startswith(k)), ".json")
    _refused(capsys, argv(f"notes.txt/sub/{name}"), "notes.txt is a file, not a folder")
    assert Path("notes.txt").read_text(encoding="utf-8") == "a file\n"


@pytest.mark.parametrize("command", ["demo", "import-osm", "summary-csv"])
def test_a_folder_output_that_is_a_file_is_refused(
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    _populate(tmp_path)
    argv = {
        "demo": ["demo", "--quiet", "--out", "notes.txt"],
        "import-osm": ["import", "osm", "x.osm", "--out", "notes.txt"],
        "summary-csv": ["summary", "report.json", "--csv", "notes.txt"],
    }[command]
    Path("notes.txt").write_text("a file\n", encoding="utf-8")
    _refused(capsys, argv, "cannot write into notes.txt: it is a file, not a folder")
    assert Path("notes.txt").read_text(encoding="utf-8") == "a file\n"


def test_a_file_output_that_is_a_folder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    _populate(tmp_path)
    Path("somewhere").mkdir()
    _refused(capsys, _ev("--communities")("somewhere", "c.geojson"), "somewhere: it is a folder")


# -- class 2: no raw control character reaches the terminal ----------------------------


def _raw(text: str) -> list[str]:
    """The control characters in ``text`` other than the newlines that end its lines."""
    return [m.group() for line in text.split("\n") for m in CONTROL.finditer(line)]


def _hostile_run(strict: bool, tmp: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    argv = [
        "evaluate",
        "--communities",
        str(HOSTILE),
        "--facilities",
        str(OK / "facilities.geojson"),
    ]
    code = main([*argv, "--out", str(tmp / "r.json"), *(["--strict"] if strict else [])])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("strict", [False, True], ids=["summary", "strict"])
def test_hostile_ids_print_no_control_character_and_no_long_line(
    strict: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = _hostile_run(strict, tmp_path, capsys)
    assert code == (1 if strict else 0)
    assert not _raw(text), _raw(text)
    assert "\\x1b]0;owned\\x07title" in text  # shown escaped, not dropped
    if strict:  # one line by contract, bounded: each value in it is cut to 40 characters
        (line,) = text.strip().splitlines()
        assert len(line) - len(str(HOSTILE)) <= 250
        return
    assert "'" + "x" * 36 + "..." in text  # the 5,000-character id cut to 40
    assert max(len(line) for line in text.splitlines()) <= 200


def test_strict_and_summary_name_a_rejected_feature_in_the_same_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, summary = _hostile_run(False, tmp_path, capsys)
    _, strict = _hostile_run(True, tmp_path, capsys)
    message = strict.strip().removeprefix("livable: error: ")
    assert " ".join(message.split()) in " ".join(summary.split())


def test_the_import_listing_escapes_rejected_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"id": "\x1b[2Jwipe", "name": "x", "type": "050000", "location": "nowhere"},
        {"id": "ok\r\nfake line", "name": "y", "type": "050000", "location": "108.9,34.2,1"},
    ]
    import json

    src = tmp_path / "pois.json"
    src.write_text(json.dumps({"pois": rows}), encoding="utf-8")
    code = main(["import", "amap", str(src), "--out", str(tmp_path / "o")])
    captured = capsys.readouterr()
    assert code in (0, 1)
    assert not _raw(captured.out + captured.err)


@given(st.text())
def test_show_quotes_escapes_and_cuts_any_text(value: str) -> None:
    shown = show(value)
    assert not CONTROL.search(shown)
    assert len(shown) <= 40
    if len(repr(value)) <= 40 and not CONTROL.search(value):
        assert shown == repr(value)


@given(st.text(), st.integers(min_value=4, max_value=200))
def test_escape_leaves_nothing_a_terminal_acts_on(value: str, width: int) -> None:
    assert not CONTROL.search(escape(value))
    assert len(show(value, width)) <= width


@given(st.text(min_size=1).filter(lambda s: s.strip() != ""))
def test_a_reader_error_quotes_the_id_as_the_summary_does(fid: str) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"id": fid}, "geometry": None},
        ],
    }
    with pytest.raises(InputError) as info:
        read_communities(collection, strict=True)
    message = str(info.value)
    assert not CONTROL.search(message)
    assert f"(id {show(fid.strip())})" in message
    assert len(message) < 400


@pytest.mark.parametrize(
    "value",
    ["\x1b[31mred", "a\x00b", "new\nline", "\u202eevil", "\x9b1m", "x" * 5000],
)
def test_every_cli_error_line_is_escaped(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A value from the command line itself (a CRS name) is escaped in the error too."""
    argv = [
        *("evaluate", "--communities", str(OK / "communities.geojson")),
        *("--facilities", str(OK / "facilities.geojson"), "--communities-crs", value),
    ]
    assert main([*argv, "--out", str(tmp_path / "r.json")]) == 1
    err = capsys.readouterr().err
    assert not _raw(err)
    assert len(err.strip().splitlines()) == 1
    assert len(err) < 400


# -- class 7: usage errors exit 2 ------------------------------------------------------

_EVALUATE = [
    *("evaluate", "--communities", str(OK / "communities.geojson")),
    *("--facilities", str(OK / "facilities.geojson")),
]
_PLAN = ["plan", "report.json", "--facility-type", "clinic"]
_POSITIVE = ["0", "-1", "-5", "nan", "inf", "-inf", "1e400", "lots", ""]
_WHOLE_FROM_1 = ["0", "-1", "1.5", "lots", ""]

NUMERIC = [
    *((_EVALUATE, "--dedupe-m", v) for v in _POSITIVE),
    *((_EVALUATE, "--workers", v) for v in _WHOLE_FROM_1),
    *((_EVALUATE, "--tile-km", v) for v in _POSITIVE),
    *((_EVALUATE, "--max-file-mb", v) for v in _POSITIVE),
    *((_EVALUATE, "--max-features", v) for v in _WHOLE_FROM_1),
    *(([*_PLAN, "--budget", "1"], "--grid", v) for v in _POSITIVE),
    *(([*_PLAN, "--grid", "300"], "--budget", v) for v in _WHOLE_FROM_1),
    *((["import", "osm", "x.osm", "--out", "o"], "--dedupe-m", v) for v in _POSITIVE),
    *((["import", "amap", "x.json", "--out", "o"], "--dedupe-m", v) for v in _POSITIVE),
    *((["import", "osm", "x.osm", "--out", "o"], "--top", v) for v in ["-1", "2.5", "many"]),
    *((["map", "report.json", "--out", "m.png"], "--dpi", v) for v in ["0", "49", "1201", "9e9"]),
]


@pytest.mark.parametrize(
    ("prefix", "option", "value"), NUMERIC, ids=[f"{o}={v}" for _, o, v in NUMERIC]
)
def test_a_bad_number_is_a_usage_error(
    prefix: list[str], option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main([*prefix, f"{option}={value}"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: livable")
    assert f"argument {option}" in err
    assert "Traceback" not in err


def test_an_unknown_distance_provider_is_a_usage_error_listing_the_known(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main([*_EVALUATE, "--distance", "teleport", "--out", str(tmp_path / "r.json")])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: livable evaluate")
    assert "unknown distance provider 'teleport'" in err
    assert f"available: {', '.join(sorted(PluginManager().distance_providers()))}" in err
    assert not (tmp_path / "r.json").exists()


# -- class 8: the known profiles, each named once --------------------------------------


def test_an_unknown_profile_lists_each_known_profile_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*_EVALUATE, "--profile", "nope", "--out", str(tmp_path / "r.json")]) == 1
    err = capsys.readouterr().err
    listed = re.search(r"give a profile id \(([^)]*)\)", err)
    assert listed is not None, err
    ids = listed.group(1).split(", ")
    assert sorted(ids) == sorted(set(ids))
    assert set(ids) == set(PluginManager().profiles())


def test_registered_and_built_in_profiles_are_listed_once() -> None:
    known = PluginManager().profiles()
    base = load_profile("xian-2020")
    other = base.derive(id="zz-test") if hasattr(base, "derive") else base
    with pytest.raises(ProfileError) as info:
        load_profile("nope", registered={**known, other.id: other})
    text = str(info.value)
    ids = text.split("(", 1)[1].split(")", 1)[0].split(", ")
    assert len(ids) == len(set(ids))
    assert other.id in ids
