"""matplotlib, imported on first use: a map's settings, its Chinese font, a new figure.

>>> SYSTEM_CJK_FAMILIES[0]
'Noto Sans SC'
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livable.errors import LivableError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

SYSTEM_CJK_FAMILIES = (
    "Noto Sans SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Hiragino Sans GB",
    "Noto Sans CJK JP",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)
"""System font families with Chinese glyphs, in the order they are tried."""


def require_matplotlib() -> Any:
    """matplotlib itself, or a :class:`~livable.errors.LivableError` naming the ``maps`` extra.

    >>> require_matplotlib().__name__
    'matplotlib'
    """
    try:
        return importlib.import_module("matplotlib")
    except ImportError:
        raise LivableError(
            "maps need matplotlib, from the optional 'maps' extra: pip install 'livable[maps]'"
        ) from None


def find_cjk_font(font: str | Path | None, system_families: Sequence[str]) -> str | None:
    """The family name of a font with Chinese glyphs, registered with matplotlib; ``None``: none.

    In order: the font file ``font``; Noto Sans SC from the ``maps`` extra; the first of
    ``system_families`` matplotlib knows (:func:`livable.report.maps.cjk_font` warns on ``None``).

    >>> find_cjk_font(None, ())
    'Noto Sans SC'
    """
    require_matplotlib()
    font_manager = importlib.import_module("matplotlib.font_manager")
    fm = font_manager.fontManager
    candidates: list[Path] = []
    if font is not None:
        if not Path(font).is_file():
            raise LivableError(f"{font}: font file not found")
        candidates.append(Path(font))
    try:
        bundled = importlib.import_module("pylopdf_fonts_zh_cn")
        candidates.append(Path(bundled.sans_path()))
    except (ImportError, AttributeError):
        pass
    for path in candidates:
        if path.is_file():
            name = _register(fm, font_manager, path)
            if name:
                return name
    available = {f.name for f in fm.ttflist}
    for family in system_families:
        if family in available:
            return family
    return None


_REGISTERED: dict[str, str] = {}


def _register(fm: Any, font_manager: Any, path: Path) -> str | None:
    key = str(path.resolve())
    if key in _REGISTERED:
        return _REGISTERED[key]
    try:
        fm.addfont(key)
        name = str(font_manager.FontProperties(fname=key).get_name())
    except (OSError, RuntimeError, ValueError):
        return None
    _REGISTERED[key] = name
    return name


@contextmanager
def map_style(family: str | None) -> Iterator[None]:
    """matplotlib settings for a map drawn in the CJK font ``family`` (``None``: none found).

    >>> with map_style("Noto Sans SC"):
    ...     importlib.import_module("matplotlib").rcParams["svg.fonttype"]
    'none'
    """
    mpl = require_matplotlib()
    families = ([family] if family else []) + ["DejaVu Sans"]
    rc = {
        "font.family": families,
        "svg.fonttype": "none",
        "svg.hashsalt": "livable",
        "axes.unicode_minus": False,
        "path.simplify": True,
    }
    with mpl.rc_context(rc), warnings.catch_warnings():
        if family is None:  # one CJKFontWarning was given; not one per character
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        yield


def new_figure(size: tuple[float, float]) -> Figure:
    """A white figure of ``size`` inches on an Agg canvas (no GUI backend).

    >>> new_figure((2.0, 1.0)).get_size_inches().tolist()
    [2.0, 1.0]
    """
    figure_mod = importlib.import_module("matplotlib.figure")
    agg = importlib.import_module("matplotlib.backends.backend_agg")
    fig: Figure = figure_mod.Figure(figsize=size, facecolor="white")
    agg.FigureCanvasAgg(fig)
    return fig
