"""The interactive convenience-service map (便民服务地图, ``P7``): one self-contained HTML page.

The page carries Leaflet (vendored from the npm registry, ``static/leaflet``, BSD-2-Clause
licence kept) and its data inline, so it works offline, from ``livable serve`` (``GET /``)
and as a file (``livable map report.json --out map.html --interactive``). Its layers:

* communities by grade (``P3``), one layer per grade; a click opens the community's grade,
  framework score and gaps (``P4``/``P5``) and selects it;
* the selected community's service circle (``P6.circle``) and walk tiers (``P6.tiers``;
  5/10/15 minutes);
* facilities by service category (the report's nearest facilities of every community); a
  click opens the facility's name and type and its distance from the selected community's
  centre as the report measured it (straight-line ``≈`` otherwise);
* the streets, when given;
* a base map, when a tile URL is given (``tiles``); none by default, so nothing is fetched.

Base maps in GCJ-02 (Amap/高德, Tencent): Leaflet places tiles by WGS84 Web Mercator, and
GCJ-02 tiles are offset from WGS84 by up to several hundred metres in China. With
``tiles_datum="gcj02"`` every overlay is moved into GCJ-02 before drawing (the same formula
as :func:`livable.io.datums.wgs84_to_gcj02`), so the overlays sit on the tiles as the tiles'
own features do; positions shown in popups stay WGS84, and in ``serve`` a click on the map
is sent to ``/api/near`` with ``datum=gcj02``. The shift is the published GCJ-02 formula:
it matches Amap's tiles to about a metre, far below a tile pixel at street zoom levels.

>>> import livable
>>> from livable.testing import community, facility
>>> report = livable.evaluate([community("c1", 108.94, 34.26, name="福寿社区")],
...                           [facility("k1", "kindergarten", 108.945, 34.26)])
>>> html = map_page(report)
>>> "福寿社区" in html and "Leaflet 1.9.4" in html and "<script src" not in html
True
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np
import orjson
import shapely
from shapely.geometry.base import BaseGeometry

from livable.errors import LivableError
from livable.io.datums import Datum, wgs84_to_gcj02
from livable.models import Grade, Report
from livable.models.results import ReportSource, as_report
from livable.models.serialize import geometry_to_geojson
from livable.models.vocabulary import CATEGORIES, FACILITY_TYPES
from livable.report.fonts import bundled_cjk_font, font_face
from livable.report.maps import CATEGORY_COLORS, GRADE_COLORS

__all__ = ["LEAFLET_VERSION", "map_page", "write_map_page"]

LEAFLET_VERSION = "1.9.4"
"""The vendored Leaflet release."""


def _asset(name: str) -> str:
    return resources.files("livable.serve").joinpath("static", name).read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    """Text safe inside an inline ``<script>`` (no ``</script>`` or ``<!--``)."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _shift(geom: BaseGeometry, datum: Datum) -> BaseGeometry:
    if datum is Datum.WGS84:
        return geom

    def move(coords: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, move)


def _point(lon: float, lat: float, datum: Datum) -> list[float]:
    if datum is Datum.WGS84:
        return [round(lon, 7), round(lat, 7)]
    x, y = wgs84_to_gcj02(np.array([lon]), np.array([lat]))
    return [round(float(x[0]), 7), round(float(y[0]), 7)]


def page_data(
    report: Report,
    *,
    streets: Sequence[BaseGeometry] = (),
    tiles: str | None = None,
    tiles_datum: Datum | str = Datum.WGS84,
    api: bool = False,
) -> dict[str, Any]:
    """The JSON the page draws: communities, facilities, streets, legends (positions in
    ``tiles_datum``, the datum the map is drawn in).

    >>> import livable
    >>> from livable.testing import community
    >>> data = page_data(livable.evaluate([community("c1", 108.94, 34.26)], []))
    >>> [f["properties"]["id"] for f in data["communities"]["features"]], data["tiers"]
    (['c1'], [400, 800, 1200])
    """
    datum = Datum(tiles_datum)
    facilities: dict[str, list[Any]] = {}
    features = []
    for c in report.communities:
        near: list[list[Any]] = []
        for a in c.access:
            for f in a.nearest:
                if f.id not in facilities:
                    facilities[f.id] = [
                        f.id,
                        f.name,
                        a.facility_type,
                        a.category,
                        *_point(f.lon, f.lat, datum),
                    ]
                near.append([f.id, round(f.distance_m, 1)])
        features.append(
            {
                "type": "Feature",
                "geometry": geometry_to_geojson(_shift(c.geometry, datum)),
                "properties": {
                    "id": c.id,
                    "name": c.name,
                    "grade": c.grade.value,
                    "district": c.district,
                    "subdistrict": c.subdistrict,
                    "center": _point(c.center[0], c.center[1], datum),
                    "radius_m": c.radius_m,
                    "score": None if c.score is None else c.score.value,
                    "gaps": [[g.message_zh, g.message_en] for g in c.gaps],
                    "near": near,
                },
            }
        )
    tiers = sorted({round(t) for t in _tiers(report)})
    return {
        "communities": {"type": "FeatureCollection", "features": features},
        "facilities": list(facilities.values()),
        "streets": [geometry_to_geojson(_shift(s, datum)) for s in streets],
        "grades": {g.value: [GRADE_COLORS[g.value], g.label_zh, g.label_en] for g in Grade},
        "categories": {
            **{
                k: [CATEGORY_COLORS.get(k, "#666666"), v.label_zh, v.label_en]
                for k, v in CATEGORIES.items()
            },
            "other": ["#666666", "其他", "other"],
        },
        "types": {k: [v.label_zh, v.label_en] for k, v in FACILITY_TYPES.items()},
        "tiers": tiers,
        "tiles": tiles,
        "tiles_datum": datum.value,
        "api": api,
    }


def _tiers(report: Report) -> list[int]:
    for c in report.communities:
        for a in c.access:
            return [int(k) for k in a.count_within]
    return [400, 800, 1200]


def map_page(
    report: ReportSource,
    *,
    streets: Sequence[BaseGeometry] = (),
    tiles: str | None = None,
    tiles_datum: Datum | str = Datum.WGS84,
    api: bool = False,
    title: str | None = None,
) -> str:
    """The interactive map of a report as one HTML page (Leaflet and the data inline).

    ``streets`` are WGS84 lines to draw; ``tiles`` a tile URL template
    (``https://.../{z}/{x}/{y}.png``) for a base map, none by default; ``tiles_datum`` the
    datum of those tiles (``gcj02`` for Amap's); ``api`` makes a click on the map outside
    the communities ask ``/api/near`` of the serving ``livable serve``.
    """
    rep = as_report(report)
    if tiles is not None and not tiles.startswith(("http://", "https://")):
        raise LivableError(f"tile URL {tiles[:80]!r} must start with http:// or https://")
    data = page_data(rep, streets=streets, tiles=tiles, tiles_datum=tiles_datum, api=api)
    heading = title or "便民服务地图 · convenience-service map"
    payload = orjson.dumps(data).decode("utf-8")
    script = _asset("map.js")
    glyphs = "".join(sorted({ch for ch in heading + payload + script if ord(ch) > 0x7F}))
    return _TEMPLATE.format(
        title=html_lib.escape(heading),
        font_face=font_face(FONT_FAMILY, glyphs + _ASCII, bundled_cjk_font()),
        leaflet_css=_asset("leaflet/leaflet.css"),
        map_css=_asset("map.css"),
        leaflet_js=_script_safe(_asset("leaflet/leaflet.js")),
        data=_script_safe(payload),
        map_js=_script_safe(script),
        version=LEAFLET_VERSION,
    )


FONT_FAMILY = "LivableMapText"
"""The family of the page's embedded font; ``map.css`` names it first."""

_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))


def write_map_page(report: ReportSource, out: Any, **options: Any) -> Any:
    """Write :func:`map_page` to ``out`` (a path), returning the path."""
    from pathlib import Path

    path = Path(out)
    path.write_text(map_page(report, **options), encoding="utf-8")
    return path


_TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{title}</title>
<!-- Leaflet {version} (BSD-2-Clause, (c) Volodymyr Agafonkin, CloudMade), inline -->
<style>{font_face}</style>
<style>{leaflet_css}</style>
<style>{map_css}</style>
</head>
<body>
<div id="livable-map"></div>
<div id="livable-panel"><h1>{title}</h1><div id="livable-info"></div></div>
<script>{leaflet_js}</script>
<script id="livable-data" type="application/json">{data}</script>
<script>{map_js}</script>
</body>
</html>
"""
