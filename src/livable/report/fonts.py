"""The CJK font the products embed, cut down to the characters a page uses (``P7``).

The interactive map and the HTML handbook carry their own font as a ``data:`` URL in an
``@font-face`` rule, so their Chinese text renders on a machine without any CJK font and
without fetching one. The font is Noto Sans SC of the ``maps`` extra
(``pylopdf-fonts-zh-cn``) unless a file is given; it is cut with fontTools (a dependency
of matplotlib) to the glyphs of the page. Without either, nothing is embedded and the
page's CSS names the common system CJK fonts instead.

>>> font_face("LivableHandbook", "福寿社区", None)
''
"""

from __future__ import annotations

import base64
import importlib
import io
import logging
from pathlib import Path

__all__ = ["bundled_cjk_font", "font_face", "subset_font"]


def bundled_cjk_font() -> Path | None:
    """The Noto Sans SC file of the ``maps`` extra, or ``None`` when it is not installed.

    >>> path = bundled_cjk_font()
    >>> path is None or path.suffix in (".otf", ".ttf")
    True
    """
    try:
        bundled = importlib.import_module("pylopdf_fonts_zh_cn")
        path = Path(bundled.sans_path())
    except (ImportError, AttributeError):
        return None
    return path if path.is_file() else None


def subset_font(path: str | Path, text: str) -> bytes | None:
    """The font file ``path`` cut down to the glyphs of ``text`` (its layout features and
    names kept), or ``None`` when fontTools is missing or cannot read or cut the font.

    >>> subset_font("no-such-font.otf", "社区") is None
    True
    """
    try:
        subset = importlib.import_module("fontTools.subset")
    except ImportError:
        return None
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    buf = io.BytesIO()
    log = logging.getLogger("fontTools")
    level = log.level
    log.setLevel(logging.ERROR)  # not "FFTM NOT subset; ... dropped" in a notebook
    try:
        font = subset.load_font(str(path), options, lazy=False)
        try:
            subsetter = subset.Subsetter(options)
            subsetter.populate(text=text)
            subsetter.subset(font)
            subset.save_font(font, buf, options)
        finally:
            font.close()
    except Exception:  # a font fontTools cannot cut (or no file): fall back to system fonts
        return None
    finally:
        log.setLevel(level)
    data: bytes = buf.getvalue()
    return data


def font_face(family: str, text: str, path: str | Path | None) -> str:
    """An ``@font-face`` rule naming ``family``: the font ``path`` cut to ``text``, as a
    ``data:`` URL; ``""`` when there is no ``.otf``/``.ttf`` font or it cannot be cut.

    >>> font_face("X", "社区", "fonts.ttc")
    ''
    """
    if path is None or not str(path).lower().endswith((".otf", ".ttf")):
        return ""
    data = subset_font(path, text)
    if data is None:
        return ""
    kind = "opentype" if str(path).lower().endswith(".otf") else "truetype"
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'@font-face{{font-family:"{family}";src:url(data:font/{kind};base64,{encoded}) '
        f'format("{kind}")}}'
    )
