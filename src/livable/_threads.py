"""One BLAS thread for the ``livable`` command, unless its environment says otherwise.

numpy's and scipy's wheels each bundle OpenBLAS, which starts one thread per core (and a
work buffer for each) when the library is loaded: on a 2-core machine about 0.1 s of wall
time and 0.2 s of CPU before the command reads a byte (issue 16's end-to-end benchmark:
3.98 against 3.79 CPU-s for ``evaluate --out report.parquet`` at 2,000 x 500,000). livable
does no linear algebra those threads would share. So when the process is the command line
(``livable ...`` or ``python -m livable.cli ...``) and numpy is not loaded yet,
:func:`limit_command_threads` sets ``OPENBLAS_NUM_THREADS=1``, unless the environment
already sets it (an explicit value always wins). Imported as a library, livable changes
nothing: the host program's threads are its own. ``import livable`` imports this module
before anything that loads numpy, and importing it makes the check.

>>> is_command(["python", "-m", "livable.cli", "evaluate"], ["-m"])
True
>>> is_command(["/venv/bin/python", "/venv/bin/livable", "demo"], ["/venv/bin/livable"])
True
>>> is_command(["python", "-c", "import livable"], ["-c"])
False
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import PurePath

__all__ = ["COMMAND_MODULES", "is_command", "limit_command_threads"]

COMMAND_MODULES = frozenset({"livable", "livable.cli"})
"""The modules ``python -m`` runs as the command line."""


def is_command(orig_argv: Sequence[str], argv: Sequence[str]) -> bool:
    """Whether a process started as the ``livable`` command: ``python -m livable.cli``
    (``orig_argv``, the interpreter's own arguments) or the ``livable`` script (``argv[0]``).
    """
    args = list(orig_argv)
    i = 1
    while i < len(args) - 1:  # the interpreter's options, up to what it runs
        if args[i] == "-m":
            return args[i + 1] in COMMAND_MODULES
        if args[i] in ("-c", "--") or not args[i].startswith("-"):
            break
        i += 2 if args[i] in ("-X", "-W") else 1  # these two take a value
    if not argv:
        return False
    script = PurePath(argv[0]).name.lower()
    return script in ("livable", "livable.exe", "livable-script.py")


def limit_command_threads() -> bool:
    """Set ``OPENBLAS_NUM_THREADS=1`` for the command line (see the module); whether set."""
    if "numpy" in sys.modules or "OPENBLAS_NUM_THREADS" in os.environ:
        return False
    if not is_command(getattr(sys, "orig_argv", ()), sys.argv):
        return False
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    return True


limit_command_threads()
