"""The ``livable`` command runs with one BLAS thread; a library import changes nothing
(issue 16: OpenBLAS's threads cost the command 0.2 CPU-s at start, ``livable._threads``)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from livable._threads import is_command

PROBE = "import os, sys; {before}import livable; print(os.environ.get('OPENBLAS_NUM_THREADS'))"


@pytest.mark.parametrize(
    ("orig_argv", "argv", "expected"),
    [
        (["python", "-m", "livable.cli", "evaluate"], ["-m"], True),
        (["python", "-X", "importtime", "-m", "livable.cli"], ["-m"], True),
        (["python", "-m", "livable"], ["-m"], True),
        (["python", "-m", "pytest", "tests"], ["-m"], False),
        (["python", "-m", "livable.dask"], ["-m"], False),
        (["/venv/bin/python", "/venv/bin/livable", "demo"], ["/venv/bin/livable"], True),
        (["python", "C:\\venv\\Scripts\\livable-script.py"], ["livable-script.py"], True),
        (["python", "script.py"], ["script.py"], False),
        (["python", "-c", "import livable"], ["-c"], False),
        (["python"], [""], False),
        ([], [], False),
    ],
)
def test_the_command_is_told_from_other_programs(orig_argv, argv, expected):
    assert is_command(orig_argv, argv) is expected


def _probe(code: str, env: dict[str, str] | None = None) -> str:
    base = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_a_library_import_leaves_the_threads_alone():
    assert _probe(PROBE.format(before="")) == "None"


def test_the_command_script_gets_one_blas_thread():
    """A fresh interpreter whose ``argv[0]`` is the ``livable`` script, as pip writes it."""
    assert _probe(PROBE.format(before="sys.argv[0] = '/venv/bin/livable'; ")) == "1"


def test_an_explicit_setting_wins_and_a_loaded_numpy_is_left_alone():
    as_script = "sys.argv[0] = '/venv/bin/livable'; "
    assert _probe(PROBE.format(before=as_script), {"OPENBLAS_NUM_THREADS": "2"}) == "2"
    assert _probe(PROBE.format(before=as_script + "import numpy; ")) == "None"
