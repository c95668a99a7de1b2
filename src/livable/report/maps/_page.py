"""The interactive map page: the SVG inline, hover tooltips, the font embedded (``P7``).

>>> page = html_page("<svg></svg>", {"c1": "福寿社区"}, "地图", None)
>>> page.startswith("<!DOCTYPE html>") and '{"c1": "福寿社区"}' in page
True
"""

from __future__ import annotations

import html
import importlib
import json
import re
from collections.abc import Mapping

from livable.report.fonts import font_face

_HTML = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{margin:0;background:#fff;font-family:"Noto Sans SC","Noto Sans CJK SC","Source Han Sans SC",
"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif}}
{font_face}
#map svg{{display:block;width:100%;height:auto;max-width:1600px;margin:0 auto}}
#map svg text{{font-family:"LivableMap","Noto Sans SC","Noto Sans CJK SC","Source Han Sans SC",
"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif !important}}
#tip{{position:fixed;display:none;pointer-events:none;background:#fff;border:1px solid #888;
border-radius:4px;padding:4px 8px;font-size:13px;white-space:pre-line;max-width:28em;
box-shadow:0 2px 6px rgba(0,0,0,.25);z-index:10}}
.hastip{{cursor:pointer}}.hastip:hover{{opacity:.7}}
</style>
</head>
<body>
<div id="map">
{svg}
</div>
<div id="tip" role="tooltip"></div>
<script type="application/json" id="tips">{tips}</script>
<script>
(function () {{
  var tips = JSON.parse(document.getElementById("tips").textContent);
  var tip = document.getElementById("tip");
  Object.keys(tips).forEach(function (id) {{
    var el = document.getElementById(id);
    if (!el) return;
    el.classList.add("hastip");
    el.addEventListener("mousemove", function (e) {{
      tip.textContent = tips[id];
      tip.style.display = "block";
      tip.style.left = (e.clientX + 14) + "px";
      tip.style.top = (e.clientY + 14) + "px";
    }});
    el.addEventListener("mouseleave", function () {{ tip.style.display = "none"; }});
  }});
}})();
</script>
</body>
</html>
"""


def svg_with_font(svg: str, family: str | None) -> str:
    """The SVG with its text's font embedded (an ``@font-face`` of the glyphs it uses).

    Text stays text (searchable, selectable) and shows without the font installed on
    the viewer's machine: the rules name the families the text is drawn in (``family``,
    then matplotlib's fallback ``DejaVu Sans`` for a sign the CJK font lacks, such as
    ``✗``), so each ``<text>`` finds its glyphs.
    Unchanged when the font cannot be embedded.

    >>> svg = '<svg><defs><style type="text/css">*{x}</style></defs><text>a</text></svg>'
    >>> "@font-face" in svg_with_font(svg, None)
    True
    """
    families = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]  # matplotlib's list
    rule = "\n".join(r for f in families if (r := _font_face(svg, f, name=f)))
    if not rule:
        return svg
    tag = '<style type="text/css">'
    if tag in svg:
        return svg.replace(tag, tag + rule + "\n", 1)
    start = svg.find(">", svg.find("<svg")) + 1
    return f"{svg[:start]}<defs>{tag}{rule}</style></defs>{svg[start:]}"


def _font_face(svg: str, family: str | None, *, name: str = "LivableMap") -> str:
    """An ``@font-face`` rule embedding the map's font, cut down to the glyphs it uses.

    The page then shows the same letters as the PNG without any font on the viewer's
    machine and without fetching one (a ``data:`` URL). Empty when the font is a
    collection or cannot be read; the CSS font list still names common CJK fonts.
    ``name`` is the family the rule defines.
    """
    if family is None:
        return ""
    font_manager = importlib.import_module("matplotlib.font_manager")
    try:
        path = font_manager.findfont(
            font_manager.FontProperties(family=family), fallback_to_default=False
        )
    except ValueError:
        return ""
    chars = {html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}
    return font_face(name, "".join(chars) + "0123456789%.,:-/ ()", path)


def html_page(svg: str, tips: Mapping[str, str], title: str, family: str | None) -> str:
    """The page: ``svg`` inline (its metadata dropped), ``tips`` as JSON, the font embedded."""
    start = svg.find("<svg")
    body = svg[start:] if start >= 0 else svg
    body = re.sub(r"<metadata>.*?</metadata>\s*", "", body, count=1, flags=re.S)
    payload = json.dumps(dict(tips), ensure_ascii=False).replace("</", "<\\/")
    return _HTML.format(
        title=html.escape(title), svg=body, tips=payload, font_face=_font_face(svg, family)
    )
