"""The HTML handbook embeds the CJK font it uses (issue 20): every character of the page
is in the embedded font's character map, so it renders without a Chinese font installed."""

from __future__ import annotations

import base64
import html
import io
import re
import unicodedata

import pytest
from fontTools.ttLib import TTFont

import livable
from livable.io.sample import write_sample_city
from livable.plugins import PluginManager
from livable.report.fonts import bundled_cjk_font
from livable.report.handbook import handbook_html
from livable.testing import community


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> livable.Report:
    c, f = write_sample_city(tmp_path_factory.mktemp("city"))
    return livable.evaluate(c, f, plugins=PluginManager(load_entry_points=False))


def _embedded(page: str) -> TTFont:
    found = re.findall(
        r'font-family:"LivableHandbook";src:url\(data:font/\w+;base64,([^)]+)\)', page
    )
    assert len(found) == 1, "one embedded font"
    return TTFont(io.BytesIO(base64.b64decode(found[0])))


def _cjk(page: str) -> set[str]:
    """The CJK characters a reader sees: the text of the title and the body."""
    body = page[page.index("<title>") :].replace(
        page[page.index("<style>") : page.index("</style>")], ""
    )
    text = html.unescape(re.sub(r"<[^>]*>", "", body))
    return {ch for ch in text if unicodedata.east_asian_width(ch) in "WF"}


@pytest.mark.parametrize(
    ("options"),
    [
        {"community": "BL-004", "lang": "zh"},
        {"community": "BL-004", "lang": "en"},
        {"subdistrict": "柏树林街道", "lang": "zh"},
    ],
)
def test_the_embedded_font_covers_every_cjk_character_of_the_page(report, options):
    assert bundled_cjk_font() is not None  # the maps extra is part of dev
    page = handbook_html(report, **options)
    cmap = _embedded(page).getBestCmap()
    used = _cjk(page)
    assert len(used) > 20
    missing = sorted(ch for ch in used if ord(ch) not in cmap)
    assert missing == []
    assert 'body{font-family:"LivableHandbook",' in page


def test_the_font_is_cut_to_the_page(report):
    page = handbook_html(report, community="BL-004")
    cmap = _embedded(page).getBestCmap()
    assert "爨" not in _cjk(page) and ord("爨") not in cmap  # not a whole 8 MB font
    assert len(page.encode("utf-8")) < 1_000_000


def test_hostile_and_rare_names_are_covered():
    result = livable.evaluate(
        [community("c1", 108.94, 34.26, name="<b>鑫淼社区</b>")],
        [],
        plugins=PluginManager(load_entry_points=False),
    )
    page = handbook_html(result, community="c1")
    cmap = _embedded(page).getBestCmap()
    assert all(ord(ch) in cmap for ch in "鑫淼社区") and "<b>鑫" not in page


def test_a_missing_font_file_is_an_error(report, tmp_path):
    with pytest.raises(livable.LivableError, match="font file not found"):
        handbook_html(report, community="BL-004", font=tmp_path / "none.otf")


def test_cutting_the_font_logs_nothing(caplog):
    """fontTools warns of the tables it drops ("FFTM NOT subset"): not in a notebook."""
    from livable.report.fonts import subset_font

    font = bundled_cjk_font()
    assert font is not None
    with caplog.at_level("INFO"):
        assert subset_font(font, "福寿社区 123")
    assert caplog.records == []
