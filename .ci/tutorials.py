"""Run every fenced ``bash`` block of docs/tutorials/*.md, in order, as a reader would.

    python3 .ci/tutorials.py [TUTORIAL.md ...]

Each tutorial runs in a new temporary folder that holds a fresh copy of this repository as
``livable/`` (the clone the tutorials install from), in one bash session with ``set -euo
pipefail``, so a ``cd`` in one block holds for the next, as in a reader's terminal. Exits
non-zero at the first block that fails, showing its output.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from readme import ROOT, copy_tree

FENCE = re.compile(r"^```bash\n(.*?)^```", flags=re.M | re.S)


def bash_blocks(text: str) -> list[str]:
    """The fenced ``bash`` blocks of a Markdown page, in order."""
    return [block for block in FENCE.findall(text) if block.strip()]


def run_tutorial(page: Path) -> bool:
    blocks = bash_blocks(page.read_text("utf-8"))
    with tempfile.TemporaryDirectory(prefix="livable-tutorial-") as tmp:
        work = Path(tmp)
        copy_tree(work / "livable")
        script = ["set -euo pipefail"]
        for i, block in enumerate(blocks, 1):
            script.append(f"echo '--- {page.name}: block {i} of {len(blocks)}' >&2")
            script.append(block)
        started = time.monotonic()
        proc = subprocess.run(
            ["bash", "-c", "\n".join(script)],
            cwd=work,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        took = time.monotonic() - started
    log = proc.stderr.splitlines()
    reached = [line for line in log if line.startswith("--- ")]
    if proc.returncode != 0:
        print(f"{page.name}: FAILED (exit {proc.returncode}) after {took:.0f} s", file=sys.stderr)
        print(proc.stdout[-4000:], file=sys.stderr)
        print("\n".join(log[-60:]), file=sys.stderr)
        return False
    print(f"{page.name}: {len(reached)} of {len(blocks)} bash blocks ran, in {took:.0f} s")
    print("  last line: " + (proc.stdout.strip().splitlines() or [""])[-1])
    return True


def main(argv: list[str]) -> int:
    pages = [Path(a) for a in argv] or sorted((ROOT / "docs" / "tutorials").glob("*.md"))
    results = [run_tutorial(page) for page in pages]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
