"""The convenience-service map (P7 "one map"): real PNG/SVG/HTML files, checked layer by
layer, with Chinese labels rendered (no missing-glyph warnings)."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
import warnings
import xml.etree.ElementTree as ET

import attrs
import numpy as np
import PIL.Image as PIL_Image
import pylopdf_fonts_zh_cn
import pytest
import shapely

import livable
from livable.cli import main
from livable.errors import LivableError, ReportError
from livable.io.sample import write_sample_city
from livable.models.serialize import dumps
from livable.plugins import PluginManager
from livable.report import maps
from livable.report.maps import (
    GRADE_COLORS,
    CJKFontWarning,
    city_figure,
    community_figure,
    render_map,
)
from livable.report.planner import plan
from livable.testing import offset

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> livable.Report:
    """The sample city's report as the evaluation returns it (unrounded numbers)."""
    folder = tmp_path_factory.mktemp("city")
    c, f = write_sample_city(folder)
    return livable.evaluate(c, f, plugins=PluginManager(load_entry_points=False))


@pytest.fixture(scope="module")
def report_file(sample, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.json"
    path.write_text(sample.to_json(), encoding="utf-8")
    return path


def _first(sample: livable.Report, grade: str) -> livable.CommunityResult:
    return next(c for c in sample.communities if c.grade == grade)


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)])


def _pixels_near(img: np.ndarray, hex_color: str, tol: int = 6) -> int:
    diff = np.abs(img[..., :3].astype(int) - _rgb(hex_color)).max(axis=-1)
    return int((diff <= tol).sum())


def _draw(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def _no_glyph_warnings(caught) -> None:
    glyph = [w for w in caught if "missing from font" in str(w.message)]
    assert glyph == [], [str(w.message) for w in glyph]


def test_city_png_is_a4_sharp_and_shows_every_grade_colour(sample, tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = render_map(sample, tmp_path / "city.png")
    _no_glyph_warnings(caught)
    with PIL_Image.open(path) as im:
        assert im.size[0] >= 1600 and im.size == (2338, 1654)  # A4 landscape at 200 dpi
        assert im.info.get("dpi", (200, 200))[0] == pytest.approx(200, abs=1)
        img = np.asarray(im.convert("RGB"))
    counts = {g: _pixels_near(img, c) for g, c in GRADE_COLORS.items()}
    # every grade present in the sample city is painted (P3), not-livable ones in red
    assert all(n > 2000 for n in counts.values()), counts


def test_community_map_layers_each_draw_pixels(sample):
    entry = _first(sample, "not_livable")
    fig = community_figure(sample, entry.id, size=(6.0, 4.25))
    fig.set_dpi(60)
    gids = {a.get_gid() for a in fig.findobj() if a.get_gid()}
    layers = ["community", "centre", "circle", "tier-400", "tier-800", "tier-1200", "title"]
    layers += sorted(g for g in gids if g.startswith("gap-") and not g.endswith("label"))
    layers += [next(g for g in sorted(gids) if g.startswith("fac-"))]
    assert any(g.startswith("gap-") for g in layers), "a not-livable community shows its gap"
    base = _draw(fig)
    for gid in layers:
        artists = fig.findobj(lambda a, gid=gid: a.get_gid() == gid)
        assert artists, gid
        for a in artists:
            a.set_visible(False)
        without = _draw(fig)
        for a in artists:
            a.set_visible(True)
        changed = int((without != base).any(axis=-1).sum())
        assert changed > 10, f"layer {gid} drew {changed} pixels"


def test_city_map_layers_each_draw_pixels(sample):
    fig = city_figure(sample, size=(6.0, 4.25))
    fig.set_dpi(60)
    base = _draw(fig)
    for prefix in ("com-not_livable-", "com-happy-", "flag-", "district-0", "targets", "title"):
        artists = fig.findobj(lambda a, p=prefix: str(a.get_gid() or "").startswith(p))
        assert artists, prefix
        for a in artists:
            a.set_visible(False)
        without = _draw(fig)
        for a in artists:
            a.set_visible(True)
        assert (without != base).any(axis=-1).sum() > 10, prefix


def _svg(path) -> tuple[ET.Element, dict[str, ET.Element], str]:
    text = path.read_text(encoding="utf-8")
    root = ET.fromstring(text)
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    return root, ids, text


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_community_svg_has_the_layers_and_chinese_labels_as_text(sample, tmp_path):
    entry = sample.community("BL-004")
    assert entry.grade == "not_livable"
    root, ids, _text = _svg(render_map(sample, tmp_path / "c.svg", community="BL-004"))
    for layer in ("community", "centre", "circle", "tier-400", "tier-800", "tier-1200"):
        assert layer in ids, layer
    gap_types = [g.facility_type for g in entry.gaps if g.grade == "livable"]
    assert gap_types == ["kindergarten"]
    assert "gap-kindergarten" in ids and "gap-kindergarten-label" in ids
    cats = {m.group(1) for i in ids if (m := re.match(r"fac-([a-z_]+)-\d+$", i))}
    assert {"shopping", "education", "medical", "finance", "other"} <= cats
    n_nearest = len({f.id for a in entry.access for f in a.nearest})
    assert sum(1 for i in ids if i.startswith("fac-")) == n_nearest
    texts = _texts(root)
    joined = "\n".join(texts)
    # svg.fonttype none: the Chinese labels are text, not glyph outlines
    assert f"{entry.name}（BL-004）便民服务地图" in texts
    assert "尚未达到宜居  not yet livable" in texts
    assert "缺幼儿园 no kindergarten" in joined and "为何未达到宜居" in joined
    assert "5分钟 5 min · 400 m" in texts


def test_too_few_of_a_type_rings_the_ones_there_are(sample, tmp_path):
    (gap,) = [g for g in sample.community("LT-013").gaps if g.grade == "livable"]
    assert (gap.facility_type, gap.found, gap.required) == ("restaurant", 2, 3)
    root, ids, _text = _svg(render_map(sample, tmp_path / "lt.svg", community="LT-013"))
    assert {"gap-restaurant-have-0", "gap-restaurant-have-1"} <= set(ids)
    assert "gap-restaurant" not in ids  # no line: the type is there, just too few (P4)
    assert "特色餐馆：圈内2处，需3处  specialty restaurant: 2 of 3 needed" in _texts(root)


def test_city_svg_has_every_community_by_grade(sample, tmp_path):
    root, ids, _text = _svg(render_map(sample, tmp_path / "city.svg"))
    by_grade: dict[str, int] = {}
    for i in ids:
        if m := re.match(r"com-(not_livable|livable|happy)-\d+$", i):
            by_grade[m.group(1)] = by_grade.get(m.group(1), 0) + 1
    s = sample.summary
    assert by_grade == {"not_livable": s.not_livable, "livable": s.livable, "happy": s.happy}
    failing = sum(1 for c in sample.communities if c.grade == "not_livable")
    assert sum(1 for i in ids if re.fullmatch(r"flag-\d+", i)) == failing
    joined = "\n".join(_texts(root))
    assert "便民服务地图  Convenience-service map" in joined
    assert "目标完成情况" in joined and "80.0% / 100% ✗" in joined
    for c in sample.communities:
        if c.grade == "not_livable":
            assert c.id in joined  # listed with its reason


def test_many_failing_communities_are_summed_up_per_district(sample, tmp_path, monkeypatch):
    monkeypatch.setattr(maps, "MAX_FLAGS", 3)
    root, ids, _text = _svg(render_map(sample, tmp_path / "crowded.svg"))
    assert not any(re.fullmatch(r"flag-\d+", i) for i in ids)
    rows = [t for t in _texts(root) if re.match(r"\S+区: \d+ / \d+ · ", t)]
    failing = [c for c in sample.communities if c.grade == "not_livable"]
    districts = {c.district for c in failing}
    assert len(rows) == len(districts)
    per = {r.split(":")[0]: int(r.split(": ")[1].split(" /")[0]) for r in rows}
    assert per == {d: sum(c.district == d for c in failing) for d in districts}


def test_html_map_is_self_contained_with_tooltips(sample, tmp_path):
    path = render_map(sample, tmp_path / "city.html")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    # nothing fetched when viewed: only XML namespace URIs mention http
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
    assert " src=" not in page and "<link" not in page
    blob = re.search(r'<script type="application/json" id="tips">(.*?)</script>', page, re.S)
    assert blob is not None
    tips = json.loads(blob.group(1))
    svg_ids = set(re.findall(r' id="([^"]+)"', page))
    assert set(tips) <= svg_ids
    bl = next(k for k, v in tips.items() if v.startswith(_first(sample, "not_livable").name))
    assert "幼儿园" in tips[bl]


def test_isochrones_replace_the_tier_rings(sample, tmp_path):
    entry = _first(sample, "happy")
    lon, lat = entry.center
    ring = [offset(lon, lat, 300 * np.cos(a), 250 * np.sin(a)) for a in np.linspace(0, 6.28, 24)]
    with_iso = attrs.evolve(entry, isochrones={400: shapely.Polygon(ring)})
    data = attrs.evolve(
        sample, communities=tuple(with_iso if c is entry else c for c in sample.communities)
    )
    _root, ids, text = _svg(render_map(data, tmp_path / "iso.svg", community=entry.id))
    assert "isochrone-400" in ids and "tier-400" not in ids
    assert "tier-800" in ids  # tiers without an isochrone keep their ring
    assert "路网 network" in text


@pytest.mark.parametrize("cid", ["LT-005", "BL-006", "CA-016"])
def test_point_multipolygon_and_enlarged_communities_render(sample, tmp_path, cid):
    entry = sample.community(cid)
    _root, ids, text = _svg(render_map(sample, tmp_path / f"{cid}.svg", community=cid))
    assert "community" in ids and "circle" in ids
    assert f"服务圈 service circle {round(entry.radius_m):,} m" in text


def test_without_a_cjk_font_one_clear_warning(sample, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pylopdf_fonts_zh_cn", None)
    monkeypatch.setattr(maps, "_SYSTEM_CJK_FAMILIES", ())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_map(sample, tmp_path / "nofont.png", community="BL-004", dpi=50)
    kinds = [w.category for w in caught]
    assert kinds == [CJKFontWarning], [str(w.message) for w in caught]
    assert "livable[maps]" in str(caught[0].message)


def test_font_named_by_the_caller(sample, tmp_path, monkeypatch):
    path = str(pylopdf_fonts_zh_cn.sans_path())
    monkeypatch.setitem(sys.modules, "pylopdf_fonts_zh_cn", None)
    monkeypatch.setattr(maps, "_SYSTEM_CJK_FAMILIES", ())
    assert maps.cjk_font(path) == "Noto Sans SC"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        render_map(sample, tmp_path / "font.png", community="BL-004", dpi=50, font=path)
    with pytest.raises(LivableError, match="font file not found"):
        maps.cjk_font(tmp_path / "nope.ttf")


def test_missing_matplotlib_is_a_clear_error(sample, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(LivableError, match=r"pip install 'livable\[maps\]'"):
        render_map(sample, tmp_path / "x.png")


def test_map_command_and_its_errors(report_file, tmp_path, capsys):
    out = tmp_path / "one.png"
    assert (
        main(["map", str(report_file), "--community", "BL-004", "--out", str(out), "--dpi", "60"])
        == 0
    )
    with PIL_Image.open(out) as im:
        assert im.size == (701, 496)
    assert "map written to" in capsys.readouterr().err
    assert main(["map", str(report_file), "--community", "NOPE", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("livable: error: no community 'NOPE' in the report (ids: BL-001")
    assert err.count("\n") == 1
    assert main(["map", str(report_file), "--community", "DUP-001", "--out", str(out)]) == 1
    assert "it was rejected: duplicate id" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["map", str(report_file), "--out", str(tmp_path / "map.pdf")])
    assert exc.value.code == 2
    assert main(["map", str(tmp_path / "none.json"), "--out", str(out)]) == 1
    assert "none.json: file not found" in capsys.readouterr().err


def test_figures_accept_report_objects_and_paths(report_file, sample):
    fig = city_figure(report_file, size=(4.0, 3.0))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    assert buf.getvalue().startswith(b"\x89PNG")
    with pytest.raises(LivableError, match="no evaluated community"):
        city_figure(attrs.evolve(sample, communities=()))


@pytest.mark.parametrize("community", [None, "BL-004", "LT-013"])
@pytest.mark.parametrize("suffix", [".svg", ".html"])
def test_a_report_and_its_file_draw_the_same_map(sample, report_file, tmp_path, community, suffix):
    """The map is made from the typed report: the evaluation's object (unrounded), its
    file, its text and its parsed data draw the same bytes."""
    made = [
        render_map(source, tmp_path / f"{n}{suffix}", community=community).read_bytes()
        for n, source in enumerate(
            [sample, report_file, str(report_file), report_file.read_bytes(), sample.to_dict()]
        )
    ]
    assert all(m == made[0] for m in made[1:])


def test_a_plan_and_its_file_draw_the_same_map(sample, report_file, tmp_path):
    result = plan(sample, ["kindergarten", "clinic"], grid_m=400.0, budget=3)
    assert result.sites
    plan_file = tmp_path / "plan.geojson"
    plan_file.write_text(dumps(result.to_geojson()), encoding="utf-8")
    from_object = render_map(sample, tmp_path / "a.svg", plan=result).read_bytes()
    from_file = render_map(report_file, tmp_path / "b.svg", plan=plan_file).read_bytes()
    assert from_object == from_file
    assert b'id="plan-site-0"' in from_file


@pytest.mark.parametrize(
    "data",
    [{"communities": []}, {"summary": {}, "communities": []}, {"type": "FeatureCollection"}],
)
def test_a_mapping_that_is_not_a_report_is_a_report_error(data, tmp_path):
    with pytest.raises(ReportError, match=r"^<memory>: not a livable report"):
        render_map(data, tmp_path / "x.svg")
    with pytest.raises(ReportError, match=r"^<memory>: not a livable report"):
        community_figure(data, "c1")


def test_a_plan_file_that_is_not_a_plan_is_a_clear_error(report_file, tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(LivableError, match=r"bad\.geojson: not a plan GeoJSON \(no 'plan'"):
        render_map(report_file, tmp_path / "x.svg", plan=bad)
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(LivableError, match=r"bad\.geojson: not a readable plan GeoJSON"):
        render_map(report_file, tmp_path / "x.svg", plan=bad)


def test_demo_without_the_maps_extra_says_how_to_get_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "pip install 'livable[maps]'" in text
    assert not (out / "city.png").exists()
    assert (out / "handbook-zh.html").exists()  # the handbook needs no extra


@pytest.fixture(scope="module")
def with_kindergarten(tmp_path_factory, sample) -> livable.Report:
    """The sample city with one kindergarten at BL-004's centre (its only livable gap)."""
    folder = tmp_path_factory.mktemp("city-after")
    c, f = write_sample_city(folder)
    data = json.loads(f.read_text(encoding="utf-8"))
    lon, lat = sample.community("BL-004").center
    data["features"].append(
        {
            "type": "Feature",
            "properties": {"id": "new-kg", "type": "kindergarten", "name": "新幼儿园"},
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
        }
    )
    f.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return livable.evaluate(c, f, plugins=PluginManager(load_entry_points=False))


def _moved(ids) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {"up": set(), "down": set()}
    for i in ids:
        if m := re.fullmatch(r"moved-(up|down)-(\d+)", i):
            found[m.group(1)].add(int(m.group(2)))
    return found


@pytest.mark.parametrize("direction", ["up", "down"])
def test_city_svg_marks_the_communities_that_moved_with_a_legend(
    sample, with_kindergarten, tmp_path, direction
):
    before, after = (
        (sample, with_kindergarten) if direction == "up" else (with_kindergarten, sample)
    )
    changes = livable.diff(before, after)
    moved = changes.up if direction == "up" else changes.down
    assert "BL-004" in {c.id for c in moved}
    assert (changes.down if direction == "up" else changes.up) == ()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        root, ids, _text = _svg(render_map(after, tmp_path / "change.svg", baseline=before))
    _no_glyph_warnings(caught)
    index = {c.id: i for i, c in enumerate(after.communities)}
    marked = _moved(ids)
    other = "down" if direction == "up" else "up"
    assert marked == {direction: {index[c.id] for c in moved}, other: set()}
    for i in marked[direction]:  # the marker sits on the community drawn in its new grade
        assert f"com-{after.communities[i].grade.value}-{i}" in ids
    assert {"change-legend", "change-legend-up", "change-legend-down"} <= set(ids)
    assert "相比基期  Since the baseline" in _texts(ids["change-legend"])
    ups, downs = (len(moved), 0) if direction == "up" else (0, len(moved))
    texts = _texts(root)
    assert f"等级上升 moved up: {ups}" in texts and f"等级下降 moved down: {downs}" in texts
    # without a baseline there is neither a marker nor the legend
    _root, plain, _text = _svg(render_map(after, tmp_path / "plain.svg"))
    assert not any(i.startswith(("moved-", "change-legend")) for i in plain)


def test_a_baseline_equal_to_the_report_marks_nothing_but_keeps_the_legend(sample, tmp_path):
    root, ids, _text = _svg(render_map(sample, tmp_path / "same.svg", baseline=sample))
    assert _moved(ids) == {"up": set(), "down": set()}
    assert "change-legend" in ids
    assert {"等级上升 moved up: 0", "等级下降 moved down: 0"} <= set(_texts(root))


def test_html_change_map_has_a_tooltip_per_moved_community(sample, with_kindergarten, tmp_path):
    page = render_map(with_kindergarten, tmp_path / "c.html", baseline=sample).read_text(
        encoding="utf-8"
    )
    blob = re.search(r'<script type="application/json" id="tips">(.*?)</script>', page, re.S)
    assert blob is not None
    tips = json.loads(blob.group(1))
    moved = {k: v for k, v in tips.items() if k.startswith("moved-")}
    i = next(i for i, c in enumerate(with_kindergarten.communities) if c.id == "BL-004")
    tip = moved[f"moved-up-{i}"]
    assert tip.splitlines() == [
        "福寿社区 (BL-004): 尚未达到宜居 → 宜居社区 (not_livable → livable)",
        "补齐 closed: P4.twelve_ones:kindergarten",
    ]
    assert set(tips) <= set(re.findall(r' id="([^"]+)"', page))


def test_map_command_with_a_baseline(sample, with_kindergarten, report_file, tmp_path, capsys):
    after = tmp_path / "after.json"
    after.write_text(with_kindergarten.to_json(), encoding="utf-8")
    out = tmp_path / "change.svg"
    assert main(["map", str(after), "--baseline", str(report_file), "--out", str(out)]) == 0
    assert "map written to" in capsys.readouterr().err
    assert _moved(_svg(out)[1])["up"]
    for bad in (
        ["--baseline", str(report_file), "--community", "BL-004"],
        ["--allow-different-profile"],
    ):
        with pytest.raises(SystemExit) as exc:
            main(["map", str(after), *bad, "--out", str(tmp_path / "x.svg")])
        assert exc.value.code == 2
    not_a_report = tmp_path / "bad.json"
    not_a_report.write_text("{}", encoding="utf-8")
    assert main(["map", str(after), "--baseline", str(not_a_report), "--out", str(out)]) == 1
    assert "bad.json" in capsys.readouterr().err
    with pytest.raises(LivableError, match="leave out community"):
        render_map(after, tmp_path / "x.svg", community="BL-004", baseline=report_file)


def _embedded_fonts(root: ET.Element) -> dict[str, set[int]]:
    """Family -> the code points its ``@font-face`` font holds, for every embedded font."""
    import base64
    import io as _io

    from fontTools.ttLib import TTFont

    fonts: dict[str, set[int]] = {}
    for style in root.iter(f"{SVG}style"):
        for family, data in re.findall(
            r'@font-face\{font-family:"([^"]+)";src:url\(data:font/\w+;base64,([A-Za-z0-9+/=]+)\)',
            style.text or "",
        ):
            font = TTFont(_io.BytesIO(base64.b64decode(data)))
            fonts[family] = set(font.getBestCmap())
    return fonts


@pytest.mark.parametrize("community", [None, "BL-004"])
def test_svg_text_is_only_in_embedded_fonts(sample, tmp_path, community):
    root, _ids, _text = _svg(render_map(sample, tmp_path / "m.svg", community=community))
    fonts = _embedded_fonts(root)
    assert fonts, "no font embedded"
    texts = list(root.iter(f"{SVG}text"))
    assert texts
    for el in texts:
        style = dict(
            part.split(":", 1) for part in (el.get("style") or "").split(";") if ":" in part
        )
        listed = style[" font-family" if " font-family" in style else "font-family"]
        families = [f.strip().strip("'\"") for f in listed.split(",")]
        assert families[0] in fonts, f"text in {families[0]!r}, which the SVG does not embed"
        for char in "".join(el.itertext()):
            if char.isspace():
                continue
            # the first family listed that has the glyph draws it: it must be embedded
            assert any(ord(char) in fonts.get(f, set()) for f in families), (char, families)


def test_embedding_the_font_logs_nothing(sample, tmp_path, caplog):
    """fontTools' notes on the tables it drops (``FFTM``) do not reach the user's stderr."""
    with caplog.at_level(logging.DEBUG):
        root, _ids, _text = _svg(render_map(sample, tmp_path / "quiet.svg"))
    assert _embedded_fonts(root)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("fontTools")] == []
    assert logging.getLogger("fontTools").level == logging.NOTSET  # left as it was
