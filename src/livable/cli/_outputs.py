"""The one guard every command that writes a file runs first: never overwrite an input.

``livable evaluate --communities c.geojson --out c.geojson`` would replace the
communities with the report. :func:`check_outputs` refuses an output that is the same file
as any input of the command, however it is spelled: the same path, a relative path, a
symlink or a hard link (:func:`os.path.samefile`); the side files of a shapefile count
as the input too. It also refuses an output whose folder is a file, or which is a folder
itself, with a message that says so (rather than the operating system's "File exists").

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     data = Path(tmp, "c.geojson")
...     _ = data.write_text("{}")
...     check_outputs([Path(tmp, ".", "c.geojson")], [data])
Traceback (most recent call last):
...
livable.errors.LivableError: refusing to write .../c.geojson: it is the input .../c.geojson...
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from livable._text import escape
from livable.errors import LivableError

__all__ = ["SHAPEFILE_PARTS", "check_outputs"]

SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".shp.xml")
"""The files that make up a shapefile ``x.shp`` (each ``x`` + one of these)."""


def _input_files(inputs: Iterable[str | os.PathLike[str] | None]) -> list[tuple[Path, str]]:
    """The existing input files and folders (and the side files of shapefiles), each with
    the name the user gave it."""
    found: list[tuple[Path, str]] = []
    for raw in inputs:
        if raw is None or os.fspath(raw) == "":
            continue
        path = Path(raw)
        if not path.exists():
            continue
        found.append((path, os.fspath(raw)))
        if path.suffix.lower() == ".shp":
            stem = path.name[: -len(path.suffix)]
            parts = (path.parent / (stem + ext) for ext in SHAPEFILE_PARTS)
            found += [(p, str(p)) for p in parts if p.exists() and p != path]
    return found


def _same(output: Path, source: Path) -> bool:
    try:
        return os.path.samefile(output, source)
    except OSError:
        return False


def _check_folder(output: Path, what: str) -> None:
    """The nearest existing ancestor of ``output`` must be a folder."""
    for parent in output.absolute().parents:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                raise LivableError(
                    f"cannot write {what}: {escape(str(parent))} is a file, not a folder"
                )
            return


def check_outputs(
    outputs: Iterable[str | os.PathLike[str]],
    inputs: Iterable[str | os.PathLike[str] | None],
    *,
    folders: Iterable[str | os.PathLike[str]] = (),
) -> None:
    """Refuse to write any of ``outputs`` (files) or into ``folders`` if it would harm an input.

    ``inputs`` are every file the command reads (``None`` and paths that do not exist are
    skipped: they cannot be overwritten). For a folder output, pass the folder in
    ``folders`` and each file the command would write into it in ``outputs``. Raises
    :class:`~livable.errors.LivableError` naming both paths.
    """
    sources = _input_files(inputs)
    for raw in folders:
        folder, shown = Path(raw), escape(os.fspath(raw))
        if folder.exists() and not folder.is_dir():
            raise LivableError(f"cannot write into {shown}: it is a file, not a folder")
        _check_folder(folder, f"into {shown}")
    for raw in outputs:
        output, shown = Path(raw), escape(os.fspath(raw))  # named as the user spelled it
        _check_folder(output, shown)
        if output.is_dir():
            raise LivableError(f"cannot write {shown}: it is a folder; give a file name")
        if not output.exists():
            continue
        for source, name in sources:
            if _same(output, source):
                raise LivableError(
                    f"refusing to write {shown}: it is the input "
                    f"{escape(name)}, which would be overwritten; choose another "
                    "output path"
                )
