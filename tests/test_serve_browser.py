"""The interactive map in a real browser: headless Chromium (Debian's ``chromium``) driven by
selenium through ``chromium-driver`` (both installed by ``.ci/run`` when missing).

The page is loaded from the running server (``GET /`` of ``livable serve``, uvicorn on a
loopback port) and from the file ``livable map --interactive`` writes; in each the
communities layer is drawn, a click on a community opens a popup with its grade (the
report's), a click on a facility its name and distance; a screenshot of each is written
under the test's temporary folder. Nothing is fetched from the network: the page inlines
Leaflet, and any request leaving the loopback would fail the page's load.
"""

from __future__ import annotations

import json
import math
import shutil
import sys
from pathlib import Path

import httpx
import pytest
import shapely
from selenium import webdriver
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import livable
from livable.cli import main
from livable.io.sample import write_sample_city
from livable.models.vocabulary import FACILITY_TYPES
from livable.plugins import PluginManager
from livable.serve import Service, create_app

sys.path.insert(0, str(Path(__file__).parent))
import serve_support

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-city")
    c, f = write_sample_city(folder)
    report = livable.evaluate(c, f, plugins=PluginManager(load_entry_points=False))
    path = folder / "report.json"
    path.write_text(report.to_json(), encoding="utf-8")
    return path, json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).exists() and Path(DRIVER).exists()):
        pytest.fail(
            "the browser test needs Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver; .ci/run installs them)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--lang=zh-CN",
        "--allow-file-access-from-files",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=ChromeService(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _pick(report: dict) -> tuple[dict, tuple[float, float]]:
    """A community with an outline, the first with gaps if any (its popup then lists them),
    and a point inside it, in no other community, and as far as can be from the facility
    markers drawn over it (so that a click there hits the community)."""
    shapes = {
        c["id"]: shapely.geometry.shape(c["geometry"])
        for c in report["communities"]
        if c["geometry"]["type"] != "Point"
    }
    marks = shapely.MultiPoint(
        [
            (f["lon"], f["lat"])
            for c in report["communities"]
            for a in c["access"].values()
            for f in a["nearest"]
        ]
    )
    order = sorted(report["communities"], key=lambda c: not c["gaps"])
    for c in order:
        if c["id"] not in shapes:
            continue
        g = shapes[c["id"]]
        x0, y0, x1, y1 = g.bounds
        best, where = 0.0, None
        for i in range(1, 20):
            for j in range(1, 20):
                p = shapely.Point(x0 + (x1 - x0) * i / 20, y0 + (y1 - y0) * j / 20)
                if not g.contains(p) or any(o.covers(p) for k, o in shapes.items() if k != c["id"]):
                    continue
                d = p.distance(marks)
                if d > best:
                    best, where = d, (p.x, p.y)
        if where is not None and best > 0.0003:  # about 30 m: 15 px at zoom 16
            return c, where
    raise AssertionError("no community to click")


def _wait_drawn(driver, expected: int) -> None:
    WebDriverWait(driver, 30).until(
        lambda d: (
            d.find_element(By.TAG_NAME, "body").get_attribute("data-livable-ready") == str(expected)
        )
    )


def _click_at(driver, lon: float, lat: float) -> None:
    """A real mouse click at a lon/lat of the map (the page's own projection)."""
    x, y = driver.execute_script(
        "var p = window.livableMap.map.latLngToContainerPoint([arguments[1], arguments[0]]);"
        "return [p.x, p.y];",
        lon,
        lat,
    )
    box = driver.find_element(By.ID, "livable-map")
    size = box.size
    ActionChains(driver).move_to_element_with_offset(
        box, round(x - size["width"] / 2), round(y - size["height"] / 2)
    ).click().perform()


def _shown(driver, css: str):
    """The element, once the popup holding it has faded in (its text is visible)."""
    return WebDriverWait(driver, 10).until(
        lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, css) if e.text), False)
    )


def _check_page(driver, report: dict, shot: Path) -> dict:
    n = len(report["communities"])
    _wait_drawn(driver, n)
    drawn = driver.find_elements(By.CSS_SELECTOR, "path.livable-community")
    assert len(drawn) == n, "the communities layer is not drawn"
    grades = {c["grade"] for c in report["communities"]}
    for g in grades:
        assert driver.find_elements(By.CSS_SELECTOR, f"path.livable-grade-{g}")
    assert driver.find_elements(By.CSS_SELECTOR, "path.livable-facility")
    target, (lon, lat) = _pick(report)
    driver.execute_script(
        "window.livableMap.map.setView([arguments[1], arguments[0]], 16, {animate: false});",
        lon,
        lat,
    )
    _click_at(driver, lon, lat)
    popup = _shown(driver, ".leaflet-popup-content .livable-popup")
    assert popup.get_attribute("data-community") == target["id"], popup.get_attribute("outerHTML")
    grade = popup.find_element(By.CSS_SELECTOR, ".grade")
    assert grade.get_attribute("data-grade") == target["grade"]
    label = {"happy": "幸福", "livable": "宜居", "not_livable": "不"}[target["grade"]]
    assert label in grade.text
    assert f"{len(target['gaps'])}" in popup.text
    # the selected community's circle and tiers are drawn
    assert driver.find_elements(By.CSS_SELECTOR, "path.livable-circle")
    assert len(driver.find_elements(By.CSS_SELECTOR, "path.livable-tier")) == 3
    # the popup's Chinese is drawn in the page's embedded font, not left to the system's
    family = driver.execute_script("return getComputedStyle(arguments[0]).fontFamily;", grade)
    assert family.split(",")[0].strip('"') == "LivableMapText", family
    loaded = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "document.fonts.load('12px LivableMapText', arguments[0]).then(faces => done("
        "faces.filter(f => f.family.replace(/\"/g, '') === 'LivableMapText'"
        " && f.status === 'loaded').length));",
        grade.text,
    )
    assert loaded == 1, "the embedded font did not load"
    driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    # a facility of the selected community: its name and distance as the report measured it
    near = next(f for a in target["access"].values() for f in a["nearest"])
    driver.execute_script(
        "window.livableMap.map.closePopup();"
        "window.livableMap.map.setView([arguments[1], arguments[0]], 18, {animate: false});",
        near["lon"],
        near["lat"],
    )
    _click_at(driver, near["lon"], near["lat"])
    fpop = _shown(driver, ".leaflet-popup-content [data-facility]")
    assert fpop.get_attribute("data-facility") == near["id"]
    assert f"{near['distance_m']:.1f} m" in fpop.text
    if near["name"]:
        assert near["name"] in fpop.text
    logs = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not logs, logs
    return target


def _outside_but_served(report: dict) -> tuple[float, float]:
    """A point in no community, about 150 m east of a facility (not on its marker)."""
    shapes = [shapely.geometry.shape(c["geometry"]) for c in report["communities"]]
    for c in report["communities"]:
        for access in c["access"].values():
            for f in access["nearest"]:
                point = shapely.Point(f["lon"] + 0.0016, f["lat"])
                if not any(s.buffer(0.0005).contains(point) for s in shapes):
                    return point.x, point.y
    raise AssertionError("the sample city has no point outside its communities")


def test_the_map_from_the_server(browser, city, tmp_path):
    path, report = city
    app = create_app(Service.from_report(path))
    with serve_support.running(app) as url:
        browser.get(url + "/")
        _check_page(browser, report, tmp_path / "map-server.png")
        # a click outside the communities asks /api/near of the server
        lon, lat = _outside_but_served(report)
        browser.execute_script(
            "window.livableMap.map.closePopup();"
            "window.livableMap.map.setView([arguments[1], arguments[0]], 16, {animate: false});",
            lon,
            lat,
        )
        _click_at(browser, lon, lat)
        here = _shown(browser, ".leaflet-popup-content [data-near]")
        assert "此处" in here.text
        # each type in Chinese and English, with the nearest facility the API gives there
        answer = httpx.get(f"{url}/api/near?{here.get_attribute('data-near')}").json()
        assert answer["access"]
        for t, access in answer["access"].items():
            row = here.find_element(By.CSS_SELECTOR, f'li[data-type="{t}"]')
            text = row.get_attribute("textContent")
            ft = FACILITY_TYPES[t]
            assert f"{ft.label_zh} {ft.label_en}" in text and t not in text.replace(ft.label_en, "")
            if access["nearest"]:
                first = access["nearest"][0]
                assert (
                    f"{math.floor(first['distance_m'] + 0.5)} 米" in text
                )  # JS toFixed(0) and (first["name"] or "") in text
            else:
                assert "范围内没有" in text
        assert any(a["nearest"] for a in answer["access"].values())
        browser.save_screenshot(str(tmp_path / "map-server-near.png"))


def test_the_map_from_the_file(browser, city, tmp_path, capsys):
    path, report = city
    page = tmp_path / "map.html"
    assert main(["map", str(path), "--out", str(page), "--interactive"]) == 0
    assert "interactive map written" in capsys.readouterr().err
    browser.get(page.as_uri())
    _check_page(browser, report, tmp_path / "map-file.png")
