"""Writing a map: the figure as PNG or SVG, or the SVG in an HTML page (``P7``).

>>> import tempfile
>>> from pathlib import Path
>>> from livable.report.maps._matplotlib import new_figure
>>> with tempfile.TemporaryDirectory() as d:
...     path = Path(d) / "blank.svg"
...     write_figure(new_figure((2.0, 1.0)), path, dpi=50, tips={}, title="", family=None)
...     path.read_text(encoding="utf-8").startswith("<?xml")
True
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from livable.errors import LivableError
from livable.report.maps._page import html_page, svg_with_font

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


def write_figure(
    fig: Figure,
    path: Path,
    *,
    dpi: int,
    tips: Mapping[str, str],
    title: str,
    family: str | None,
) -> None:
    """Write ``fig`` to ``path`` as its suffix says: ``.png`` (``dpi``), ``.svg`` or ``.html``.

    The HTML page carries ``tips`` (SVG id -> tooltip), ``title`` and the font ``family``.
    """
    suffix = path.suffix.lower()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".png":
            fig.savefig(path, dpi=dpi, format="png", metadata={"Software": None})
        elif suffix == ".svg":  # the glyphs travel with it (svg_with_font)
            buf = io.StringIO()
            fig.savefig(buf, format="svg", metadata={"Date": None})
            path.write_text(svg_with_font(buf.getvalue(), family), encoding="utf-8")
        else:
            buf = io.StringIO()
            fig.savefig(buf, format="svg", metadata={"Date": None})
            page = html_page(buf.getvalue(), tips, title, family)
            path.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise LivableError(f"{path}: cannot write: {exc.strerror}") from exc
