"""Safe embedding (SECURITY.md): profiles are data confined to a folder, plugin loading can
be locked down, and the library reads no environment variable and opens no connection.
"""

from __future__ import annotations

import ast
import importlib.metadata
import os
import sys
import types
from pathlib import Path

import pytest

import livable
from livable import PluginManager, ProfileError, evaluate, hookimpl, load_profile
from livable.profile import MAX_EXTENDS_DEPTH, MAX_PROFILE_BYTES, profile_from_mapping
from livable.testing import community, facility

SRC = Path(livable.__file__).parent

CHILD = """
extends = "{parent}"
id = "{id}"
label_en = "Test"
label_zh = "测试"
circle_radius_m = 1000.0
"""


def _write(path: Path, parent: str, pid: str = "child") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CHILD.format(parent=parent, id=pid), encoding="utf-8")
    return path


# -- profiles: data only, confined ------------------------------------------------------------


def test_extends_a_builtin_id(tmp_path: Path) -> None:
    p = load_profile(_write(tmp_path / "a.toml", "xian-2020"))
    assert (p.parent, p.circle_radius_m, p.walking_speed_m_per_min) == ("xian-2020", 1000.0, 80.0)


def test_extends_a_file_beside_it(tmp_path: Path) -> None:
    _write(tmp_path / "base.toml", "xian-2020", "base")
    _write(tmp_path / "sub" / "mid.toml", "../base.toml", "mid")  # '..' is refused
    p = load_profile(_write(tmp_path / "child.toml", "base.toml"))
    assert p.parent == "base"
    with pytest.raises(ProfileError, match=r"no absolute paths, no '\.\.'"):
        load_profile(tmp_path / "sub" / "mid.toml", allowed_dir=tmp_path)


@pytest.mark.parametrize(
    "parent",
    ["../outside.toml", "sub/../../outside.toml", "/etc/livable.toml", "base.py", "base"],
)
def test_extends_cannot_escape_or_name_other_things(tmp_path: Path, parent: str) -> None:
    (tmp_path / "outside.toml").write_text('id = "x"', encoding="utf-8")
    child = _write(tmp_path / "profiles" / "child.toml", parent)
    with pytest.raises(ProfileError) as exc:
        load_profile(child)
    message = str(exc.value)
    assert str(child) in message
    assert parent in message


def test_a_symlink_cannot_leave_the_folder(tmp_path: Path) -> None:
    secret = _write(tmp_path / "secret" / "base.toml", "xian-2020", "secret")
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "base.toml").symlink_to(secret)
    child = _write(folder / "child.toml", "base.toml")
    with pytest.raises(ProfileError, match="outside the allowed folder"):
        load_profile(child)


def test_allowed_dir_confines_the_file_itself(tmp_path: Path) -> None:
    inside = _write(tmp_path / "allowed" / "ok.toml", "xian-2020")
    outside = _write(tmp_path / "elsewhere" / "p.toml", "xian-2020")
    assert load_profile(inside, allowed_dir=tmp_path / "allowed").id == "child"
    with pytest.raises(ProfileError, match="outside the allowed folder"):
        load_profile(outside, allowed_dir=tmp_path / "allowed")
    sneaky = tmp_path / "allowed" / ".." / "elsewhere" / "p.toml"
    with pytest.raises(ProfileError, match="outside the allowed folder"):
        load_profile(sneaky, allowed_dir=tmp_path / "allowed")


def test_allowed_dir_bounds_extends_chains(tmp_path: Path) -> None:
    _write(tmp_path / "base.toml", "xian-2020", "base")
    _write(tmp_path / "team" / "mid.toml", "xian-2020", "mid")
    child = _write(tmp_path / "team" / "child.toml", "mid.toml")
    assert load_profile(child, allowed_dir=tmp_path / "team").parent == "mid"


def test_cycles_and_long_chains_are_refused(tmp_path: Path) -> None:
    _write(tmp_path / "a.toml", "b.toml", "a")
    _write(tmp_path / "b.toml", "a.toml", "b")
    with pytest.raises(ProfileError, match="cycle"):
        load_profile(tmp_path / "a.toml")
    for i in range(MAX_EXTENDS_DEPTH + 2):
        _write(tmp_path / f"p{i}.toml", f"p{i + 1}.toml", f"p{i}")
    _write(tmp_path / f"p{MAX_EXTENDS_DEPTH + 2}.toml", "xian-2020", "last")
    with pytest.raises(ProfileError, match="levels of extends"):
        load_profile(tmp_path / "p0.toml")


def test_a_huge_profile_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * MAX_PROFILE_BYTES, encoding="utf-8")
    with pytest.raises(ProfileError, match="over the limit"):
        load_profile(big)


def test_a_mapping_may_extend_ids_only() -> None:
    data = {"extends": "base.toml", "id": "m", "label_en": "M", "label_zh": "M"}
    with pytest.raises(ProfileError, match="not read from a file"):
        profile_from_mapping(data)


def test_profiles_hold_no_code(tmp_path: Path) -> None:
    path = tmp_path / "code.toml"
    path.write_text(CHILD.format(parent="xian-2020", id="c") + 'hook = "os.system"\n', "utf-8")
    with pytest.raises(ProfileError, match="hook"):
        load_profile(path)


def test_extends_a_profile_a_plugin_registered(tmp_path: Path) -> None:
    district = load_profile("xian-2020").derive(id="xian-beilin", circle_radius_m=900.0)

    class District:
        @hookimpl
        def livable_profiles(self) -> list[object]:
            return [district]

    pm = PluginManager(load_entry_points=False, plugins=[District()])
    child = _write(tmp_path / "child.toml", "xian-beilin")
    report = evaluate(
        [community("c1", 108.94, 34.26)],
        [facility("k1", "kindergarten", 108.945, 34.26)],
        profile=child,
        plugins=pm,
    )
    assert report.profile == "child"
    with pytest.raises(ProfileError, match="xian-beilin"):
        load_profile(child)  # without the plugin the id is unknown


# -- plugins: locked down ----------------------------------------------------------------------


def test_entry_points_are_not_loaded_when_locked_down(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("livable_test_untrusted")

    class Untrusted:
        @hookimpl
        def livable_classify(self) -> str:
            return "happy"

    module.plugin = Untrusted()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "livable_test_untrusted", module)
    ep = importlib.metadata.EntryPoint(
        name="untrusted", value="livable_test_untrusted:plugin", group="livable"
    )
    real = importlib.metadata.entry_points

    def fake_entry_points(**kwargs: object) -> object:
        if kwargs.get("group") == "livable":
            return [ep]
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.metadata, "entry_points", fake_entry_points)
    args = ([community("c1", 108.94, 34.26)], [facility("k1", "kindergarten", 108.945, 34.26)])

    open_pm = PluginManager()  # the default loads installed plugins...
    assert "untrusted" in [p.name for p in open_pm.plugins()]
    assert evaluate(*args, plugins=open_pm).communities[0].grade == "happy"

    for locked in (PluginManager(load_entry_points=False), PluginManager(allow=())):
        assert [p.name for p in locked.plugins()] == ["livable.builtin"]  # ...these do not
        assert evaluate(*args, plugins=locked).communities[0].grade == "not_livable"


# -- no environment, no network ----------------------------------------------------------------

FORBIDDEN_MODULES = {
    "socket",
    "ssl",
    "http",
    "urllib",
    "ftplib",
    "smtplib",
    "requests",
    "httpx",
    "aiohttp",
    "subprocess",
    "pickle",
    "marshal",
    "shelve",
    "ctypes",
}
FORBIDDEN_CALLS = {"getenv", "putenv", "environ", "environb", "eval", "exec", "system", "popen"}
ALLOWED: set[tuple[str, str]] = {
    # The command line's progress bar stays off on a dumb terminal (TERM=dumb), as
    # terminal programs do; only the CLI builds a TerminalProgress, never the library API.
    ("cli/progress.py", "environ"),
    # `livable serve --workers N`: uvicorn starts each worker process from an import
    # string, so the command hands the worker factory its settings (the files the operator
    # named on the command line) in one environment variable; the library API never
    # reads the environment (create_app takes its settings as arguments).
    ("cli/__init__.py", "environ"),
    ("serve/app.py", "environ"),
    # The `livable` command (only: told from its argv, numpy not loaded yet) sets
    # OPENBLAS_NUM_THREADS=1 unless it is set; a library import changes nothing
    # (tests/test_command_threads.py).
    ("_threads.py", "environ"),
}
"""(file relative to src/livable, name) pairs allowed to use a forbidden name, with a reason."""


def _uses(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names} & FORBIDDEN_MODULES
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in FORBIDDEN_MODULES:
                found.add(node.module.split(".")[0])
            found |= {a.name for a in node.names} & FORBIDDEN_CALLS
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_CALLS:
            found.add(node.attr)
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_CALLS | {"__import__"}:
            found.add(node.id)
    return found


def test_the_scan_finds_what_it_looks_for() -> None:
    code = "import os, socket\nfrom urllib.request import urlopen\nx = os.environ['A']\n"
    code += "y = os.getenv('B')\neval('1')\n"
    assert _uses(ast.parse(code)) == {"socket", "urllib", "environ", "getenv", "eval"}


def test_no_environment_network_or_code_loading_in_the_library() -> None:
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 20
    found = {}
    for path in files:
        rel = path.relative_to(SRC).as_posix()
        uses = {u for u in _uses(ast.parse(path.read_text("utf-8"))) if (rel, u) not in ALLOWED}
        if uses:
            found[rel] = sorted(uses)
    assert found == {}, f"environment/network/code-loading use outside the allowlist: {found}"


def test_evaluate_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    args = ([community("c1", 108.94, 34.26)], [facility("k1", "kindergarten", 108.945, 34.26)])
    pm = PluginManager(load_entry_points=False)
    before = evaluate(*args, plugins=pm).to_json()
    for key in ("LIVABLE_PROFILE", "LIVABLE_DISTANCE", "LIVABLE_STRICT", "HTTP_PROXY"):
        monkeypatch.setenv(key, "junk")
    assert "LIVABLE_PROFILE" in os.environ
    assert evaluate(*args, plugins=pm).to_json() == before
