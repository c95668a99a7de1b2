"""CI runs what the README and the tutorials say, as a new user would type it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")
TUTORIALS = sorted((ROOT / "docs" / "tutorials").glob("*.md"))


def _quick_start_lines() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```bash\n(.+?)\n```", section, flags=re.M)


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"^```bash\n(.*?)^```", text, flags=re.M | re.S)


def test_ci_runs_the_readme_test_command() -> None:
    """`.ci/run` executes exactly the README's test command (read from README.md)."""
    proc = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run"), "--print-test-command"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    (expected,) = [line for line in _quick_start_lines() if "pytest" in line]
    assert proc.stdout.strip() == expected
    assert expected.startswith("python3 -m venv .venv && ")  # a venv made by the command itself
    run = (ROOT / ".ci" / "run").read_text("utf-8")
    assert 'bash -euo pipefail -c "$test_cmd"' in run
    assert "fresh_copy" in run.split('-c "$test_cmd"')[0].rsplit("step ", 1)[1]


def test_the_readme_quick_start_installs_the_maps_it_promises() -> None:
    """README "What you get" lists city.png and a community map: the install has `maps`."""
    (install,) = [line for line in _quick_start_lines() if "livable demo" in line]
    assert "'.[maps]'" in install
    assert "city.png" in README.split("## What you get", 1)[1]


def test_ci_copies_a_tree_without_build_outputs(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / ".ci"))
    try:
        import readme
    finally:
        sys.path.pop(0)
    readme.copy_tree(tmp_path / "copy")
    copied = {p.relative_to(tmp_path / "copy").parts[0] for p in (tmp_path / "copy").iterdir()}
    assert {"src", "tests", "README.md", "pyproject.toml", ".ci"} <= copied
    assert not copied & {".venv", ".venv-ci", ".venv-plugin"}


def test_tutorials_use_one_venv_and_install_from_the_clone() -> None:
    """Every tutorial shell block uses `.venv/`, and installs livable from `./livable`."""
    installs = []
    for page in TUTORIALS:
        for block in _bash_blocks(page.read_text("utf-8")):
            for line in block.splitlines():
                assert not re.search(r"(?<![.\w])venv/", line), (page.name, line)
                if "pip install" in line:
                    assert line.startswith(".venv/bin/pip install "), (page.name, line)
                    installs.append(line)
                    assert not re.search(r"pip install +'?livable\b", line), (page.name, line)
    assert any("./livable" in line for line in installs)
    assert len(TUTORIALS) >= 2


def test_ci_runs_every_tutorial_block() -> None:
    sys.path.insert(0, str(ROOT / ".ci"))
    try:
        import tutorials
    finally:
        sys.path.pop(0)
    for page in TUTORIALS:
        text = page.read_text("utf-8")
        assert tutorials.bash_blocks(text) == [b for b in _bash_blocks(text) if b.strip()]
    assert "python3 .ci/tutorials.py" in (ROOT / ".ci" / "run").read_text("utf-8")


def test_ci_installs_the_browser_of_the_browser_test() -> None:
    """`.ci/run` installs Debian's chromium and chromium-driver when missing, before the
    suite (tests/test_serve_browser.py drives them); the check runs on every CI run."""
    run = (ROOT / ".ci" / "run").read_text("utf-8")
    head = run.split('step "install the dev extra', 1)[0]
    assert "apt-get install" in head and "chromium chromium-driver" in head
    assert "command -v chromium" in head and "command -v chromedriver" in head
