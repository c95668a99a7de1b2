"""The README's test command runs the whole suite: nothing skips for a missing dependency."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run_with_our_conftest(tmp_path: Path, test_source: str) -> subprocess.CompletedProcess[str]:
    shutil.copy(ROOT / "tests" / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_probe.py").write_text(test_source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_skip_for_a_missing_module_fails_the_run(tmp_path: Path) -> None:
    proc = _run_with_our_conftest(
        tmp_path,
        "import pytest\n\n"
        "def test_needs_it():\n"
        "    pytest.importorskip('no_such_module_for_livable')\n\n"
        "def test_skips_for_a_reason():\n"
        "    pytest.skip('not on this platform')\n",
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 failed, 1 skipped" in proc.stdout
    assert "skipped for a missing dependency" in proc.stdout


def test_a_module_level_importorskip_fails_the_run(tmp_path: Path) -> None:
    proc = _run_with_our_conftest(
        tmp_path,
        "import pytest\n\npytest.importorskip('no_such_module_for_livable')\n\n"
        "def test_never_runs():\n    pass\n",
    )
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "skipped for a missing dependency" in proc.stdout


def test_no_test_module_uses_importorskip() -> None:
    """Everything the suite imports is in the dev extra, so nothing needs importorskip."""
    offenders = [
        p.name
        for p in sorted((ROOT / "tests").rglob("*.py"))
        if p.name not in ("conftest.py", "test_suite_setup.py")
        and re.search(r"importorskip\(", p.read_text("utf-8"))
    ]
    assert offenders == []


def test_the_dev_extra_is_installed_whole() -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import conftest
    finally:
        sys.path.pop(0)
    assert conftest._missing_dev_requirements() == []
