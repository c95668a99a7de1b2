"""The README's two commands, read from README.md itself, and a fresh copy to run them in.

    python3 .ci/readme.py command install   # prints the README's install-and-demo command
    python3 .ci/readme.py command test      # prints the README's test command
    python3 .ci/readme.py copy DEST         # copies the tree (tracked and untracked files that
                                            # git does not ignore) into DEST, a new folder

``.ci/run`` runs each command in a fresh copy, so that no earlier step's virtual environment
or build output can hide a missing install step. ``tests/test_ci.py`` checks that what
``.ci/run`` runs is what the README says.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands(text: str) -> dict[str, str]:
    """The one-line commands of the README's fenced ``bash`` blocks in "Quick start"."""
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```bash\n(.*?)^```", section, flags=re.M | re.S)
    lines = [line.strip() for block in blocks for line in block.splitlines() if line.strip()]
    found = {
        "install": [line for line in lines if "livable demo" in line],
        "test": [line for line in lines if "pytest" in line],
    }
    for name, matches in found.items():
        if len(matches) != 1:
            raise SystemExit(f"README.md: expected one {name} command in Quick start: {matches}")
    return {name: matches[0] for name, matches in found.items()}


def _listed_files() -> list[str]:
    """The files git tracks or would track (not ignored); outside a checkout, every file
    but those the top-level .gitignore's patterns name (a copy made by ``copy_tree``)."""
    if (ROOT / ".git").exists():
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8")
        return [name for name in listed.split("\0") if name]
    patterns = [
        line.strip().strip("/")
        for line in (ROOT / ".gitignore").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    names = []
    for path in sorted(ROOT.rglob("*")):
        rel = path.relative_to(ROOT).as_posix()
        parts = rel.split("/")
        ignored = any(
            fnmatch.fnmatch(part, pattern) or fnmatch.fnmatch(rel, pattern + "*")
            for pattern in patterns
            for part in parts
        )
        if path.is_file() and not ignored:
            names.append(rel)
    return names


def copy_tree(dest: Path) -> None:
    """Copy the tree as a fresh clone would have it into ``dest``, a new folder."""
    dest.mkdir(parents=True, exist_ok=False)
    for name in _listed_files():
        source = ROOT / name
        if not source.is_file():  # deleted in the work tree but still in the index
            continue
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "command" and argv[1] in ("install", "test"):
        print(readme_commands((ROOT / "README.md").read_text("utf-8"))[argv[1]])
        return 0
    if len(argv) == 2 and argv[0] == "copy":
        copy_tree(Path(argv[1]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
