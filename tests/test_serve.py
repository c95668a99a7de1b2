"""``livable serve`` (P7 "one network"): the real uvicorn server on a loopback port, called
with a real HTTP client (httpx).

The answer of ``/api/near`` at a community's centre must be that community's ``access`` in
``report.json``: equal as JSON over HTTP, and within a centimetre before rounding.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import livable
from livable.errors import LivableError
from livable.io.datums import from_wgs84, to_wgs84
from livable.io.sample import write_sample_city
from livable.plugins import PluginManager
from livable.serve import RequestError, Service, create_app
from livable.serve.app import MAX_QUERY_STRING
from livable.serve.service import MAX_PAGE_SIZE
from livable.testing import community, facility, offset

sys.path.insert(0, str(Path(__file__).parent))
import serve_support


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> tuple[Path, Path, Path, livable.Report]:
    """The sample city: its two input files, its report.json, and the report in memory
    (unrounded numbers)."""
    folder = tmp_path_factory.mktemp("city")
    c, f = write_sample_city(folder)
    report = livable.evaluate(c, f, plugins=PluginManager(load_entry_points=False))
    path = folder / "report.json"
    path.write_text(report.to_json(), encoding="utf-8")
    return c, f, path, report


@pytest.fixture(scope="module")
def service(city) -> Service:
    _c, _f, path, _report = city
    return Service.from_report(path)


@pytest.fixture(scope="module")
def base(service) -> str:
    with serve_support.running(create_app(service)) as url:
        yield url


@pytest.fixture(scope="module")
def client(base):
    with httpx.Client(base_url=base, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def report_json(city) -> dict:
    return json.loads(city[2].read_text(encoding="utf-8"))


# -- /api/near ----------------------------------------------------------------------------


def test_near_at_each_centre_is_the_report_access(client, city, report_json):
    """Over HTTP, at the centre of every community: the access is report.json's, byte for
    byte as JSON, and the point lies in that community when its polygon holds its centre."""
    report = city[3]
    assert len(report.communities) >= 20
    for c, entry in zip(report.communities, report_json["communities"], strict=True):
        lon, lat = c.center
        r = client.get("/api/near", params={"lon": repr(lon), "lat": repr(lat)})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["point"] == [lon, lat]
        assert body["datum"] == "wgs84"
        assert body["access"] == entry["access"], c.id
        if c.geometry.covers(shapely.Point(lon, lat)):
            assert body["community"] == c.id


def test_near_at_each_centre_to_the_centimetre(service, city):
    """In memory, before rounding: every distance within 1 cm, the same facilities, the same
    counts."""
    worst = 0.0
    for c in city[3].communities:
        got = {a.facility_type: a for a in service.near(*c.center).access}
        for want in c.access:
            have = got[want.facility_type]
            assert have.count_within == want.count_within
            assert have.count_in_circle == want.count_in_circle
            assert [f.id for f in have.nearest] == [f.id for f in want.nearest]
            if want.nearest_m is None:
                assert have.nearest_m is None
                continue
            worst = max(worst, abs(have.nearest_m - want.nearest_m))
            for a, b in zip(have.nearest, want.nearest, strict=True):
                worst = max(worst, abs(a.distance_m - b.distance_m))
    assert worst < 0.01


def test_near_at_the_rounded_centre_of_report_json(client, report_json):
    """An app knows the centre as report.json gives it (7 decimals, about 1 cm): the
    answer is the same to the report's 0.1 m."""
    for entry in report_json["communities"][:10]:
        lon, lat = entry["center"]
        body = client.get("/api/near", params={"lon": lon, "lat": lat}).json()
        for t, want in entry["access"].items():
            have = body["access"][t]
            assert have["count_within"] == want["count_within"]
            assert [f["id"] for f in have["nearest"]] == [f["id"] for f in want["nearest"]]
            for a, b in zip(have["nearest"], want["nearest"], strict=True):
                assert abs(a["distance_m"] - b["distance_m"]) <= 0.1 + 1e-9


@pytest.mark.parametrize("datum", ["gcj02", "bd09"])
def test_near_in_the_callers_datum(client, report_json, datum):
    """A point sent in GCJ-02 or BD-09 is the same place; positions come back in that datum."""
    entry = report_json["communities"][0]
    lon, lat = entry["center"]
    x, y = from_wgs84(np.array([lon]), np.array([lat]), datum)
    body = client.get(
        "/api/near", params={"lon": float(x[0]), "lat": float(y[0]), "datum": datum}
    ).json()
    assert body["datum"] == datum
    assert body["point"] == [float(x[0]), float(y[0])]
    wgs = client.get("/api/near", params={"lon": lon, "lat": lat}).json()
    assert body["community"] == wgs["community"]
    for t, a in body["access"].items():
        assert a["count_within"] == wgs["access"][t]["count_within"]
        for f, g in zip(a["nearest"], wgs["access"][t]["nearest"], strict=True):
            assert f["id"] == g["id"]
            assert abs(f["distance_m"] - g["distance_m"]) <= 0.2
            back_lon, back_lat = to_wgs84(np.array([f["lon"]]), np.array([f["lat"]]), datum)
            assert abs(back_lon[0] - g["lon"]) < 1e-6 and abs(back_lat[0] - g["lat"]) < 1e-6
            assert abs(f["lon"] - g["lon"]) > 1e-4  # moved into the datum (in China)


def test_near_types_and_categories(client, report_json):
    lon, lat = report_json["communities"][0]["center"]
    one = client.get("/api/near", params={"lon": lon, "lat": lat, "types": "kindergarten"})
    assert list(one.json()["access"]) == ["kindergarten"]
    cat = client.get("/api/near", params={"lon": lon, "lat": lat, "types": "education"}).json()
    assert "kindergarten" in cat["access"]
    assert all(a["category"] == "education" for a in cat["access"].values())
    both = client.get(
        "/api/near", params=[("lon", lon), ("lat", lat), ("types", "clinic"), ("types", "bank")]
    ).json()
    assert list(both["access"]) == ["clinic", "bank"]


def test_near_walk_minutes(client, report_json, service):
    lon, lat = report_json["communities"][0]["center"]
    body = client.get("/api/near", params={"lon": lon, "lat": lat}).json()
    speed = service.profile.walking_speed_m_per_min
    for t, minutes in body["walk_min"].items():
        dist = [f["distance_m"] for f in body["access"][t]["nearest"]]
        assert minutes == pytest.approx([d / speed for d in dist], abs=0.06)


def test_near_outside_every_community(client):
    body = client.get("/api/near", params={"lon": 100.0, "lat": 30.0})
    assert body.status_code == 200
    data = body.json()
    assert data["community"] is None
    assert all(a["nearest_m"] is None and a["nearest"] == [] for a in data["access"].values())


def _projected_distances(service: Service, lon: float, lat: float) -> np.ndarray:
    """Straight-line distances from a point to every facility in the working CRS: to the
    position, or to the area's outline for a facility with an area (a park, a school)."""
    proj = service.projector

    def forward(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(proj.forward(coords[:, 0], coords[:, 1]))

    x0, y0 = proj.forward(np.array([lon]), np.array([lat]))
    fx, fy = proj.forward(service.facilities.lon, service.facilities.lat)
    dist = np.hypot(fx - x0[0], fy - y0[0])
    origin = shapely.Point(x0[0], y0[0])
    for i, area in enumerate(service.facilities.areas):
        if area is not None:
            dist[i] = shapely.distance(origin, shapely.transform(area, forward))
    return dist


@settings(max_examples=40)
@given(st.floats(108.88, 109.02), st.floats(34.20, 34.32))
def test_near_is_the_brute_force_nearest(service, lon, lat):
    """Anywhere in the city: each type's nearest distance is the smallest straight-line
    distance to a facility of the type (within the search radius), and each tier count
    the number of facilities of the type within the tier."""
    answer = service.near(lon, lat)
    dist = _projected_distances(service, lon, lat)
    types = np.asarray(service.facilities.types)
    assert {a.facility_type for a in answer.access} == set(service.type_ids)
    for a in answer.access:
        d = np.sort(dist[types == a.facility_type])
        near = d[d <= service.profile.search_radius_m]
        if near.size == 0:
            assert a.nearest_m is None
        else:
            assert a.nearest_m == pytest.approx(near[0], abs=1e-6)
            assert [f.distance_m for f in a.nearest] == pytest.approx(
                near[: len(a.nearest)], abs=1e-6
            )
        for tier, count in a.count_within.items():
            assert count == int(np.count_nonzero(d <= float(tier) + 1e-6))


# -- /api/communities ---------------------------------------------------------------------


def test_community_entry_is_report_json(client, report_json):
    for entry in report_json["communities"][:5]:
        r = client.get(f"/api/communities/{entry['id']}")
        assert r.status_code == 200
        assert r.json() == entry


def test_unknown_community_404(client):
    r = client.get("/api/communities/NOPE-1")
    assert r.status_code == 404
    err = r.json()["error"]
    assert err["code"] == "no_community" and "NOPE-1" in err["message_en"]
    assert "NOPE-1" in err["message_zh"]


def test_communities_filters_and_pages(client, report_json):
    entries = report_json["communities"]
    first = entries[0]
    by_district = client.get("/api/communities", params={"district": first["district"]}).json()
    assert by_district["total"] == sum(e["district"] == first["district"] for e in entries)
    assert {i["district"] for i in by_district["items"]} == {first["district"]}
    grade = client.get("/api/communities", params={"grade": "not_livable"}).json()
    assert grade["total"] == sum(e["grade"] == "not_livable" for e in entries)
    name_zh = first["name"][:2]
    by_name = client.get("/api/communities", params={"q": name_zh}).json()
    assert first["id"] in {i["id"] for i in by_name["items"]}
    by_id = client.get("/api/communities", params={"q": first["id"].lower()}).json()
    assert [i["id"] for i in by_id["items"]] == [first["id"]]
    sub = client.get("/api/communities", params={"subdistrict": first["subdistrict"]}).json()
    assert all(i["subdistrict"] == first["subdistrict"] for i in sub["items"])
    seen = []
    for offset_ in range(0, len(entries), 7):
        page = client.get("/api/communities", params={"offset": offset_, "limit": 7}).json()
        assert page["total"] == len(entries) and page["limit"] == 7
        seen += [i["id"] for i in page["items"]]
    assert seen == [e["id"] for e in entries]
    head = client.get("/api/communities", params={"limit": 1}).json()["items"][0]
    assert head["grade"] == first["grade"] and head["gaps"] == len(first["gaps"])


def test_summary_is_report_json(client, report_json):
    r = client.get("/api/summary")
    assert r.status_code == 200
    assert r.json() == report_json["summary"]


def test_openapi_docs_healthz(client, report_json):
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/near", "/api/communities", "/api/communities/{id}", "/api/summary"} <= set(
        doc["paths"]
    )
    docs = client.get("/docs")
    assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]
    assert "/api/near" in docs.text and "<script" not in docs.text
    health = client.get("/healthz").json()
    assert health["status"] == "ok"
    assert health["communities"] == len(report_json["communities"])


def test_index_is_the_interactive_map(client):
    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "Leaflet 1.9.4" in r.text and "<script src" not in r.text
    assert '"api":true' in r.text


# -- errors and safety --------------------------------------------------------------------


BAD = [
    ("/api/near", {"lat": "34.2"}, 400, "missing_parameter"),
    ("/api/near", {"lon": "east", "lat": "34.2"}, 400, "not_a_number"),
    ("/api/near", {"lon": "nan", "lat": "34.2"}, 400, "not_a_number"),
    ("/api/near", {"lon": "inf", "lat": "34.2"}, 400, "not_a_number"),
    ("/api/near", {"lon": "108.9", "lat": "100"}, 422, "bad_point"),
    ("/api/near", {"lon": "181", "lat": "34"}, 422, "bad_point"),
    ("/api/near", {"lon": "108.9", "lat": "34.2", "datum": "itrf"}, 422, "bad_datum"),
    ("/api/near", {"lon": "108.9", "lat": "34.2", "types": "casino"}, 422, "bad_type"),
    ("/api/near", {"lon": "108.9", "lat": "34.2", "file": "/etc/passwd"}, 400, "unknown_parameter"),
    ("/api/near", {"lon": "108.9", "lat": "34.2", "types": ",".join(["clinic"] * 65)}, 422, None),
    ("/api/communities", {"limit": str(MAX_PAGE_SIZE + 1)}, 422, "bad_page"),
    ("/api/communities", {"limit": "0"}, 422, "bad_page"),
    ("/api/communities", {"offset": "-1"}, 422, "bad_page"),
    ("/api/communities", {"limit": "ten"}, 400, "not_an_integer"),
    ("/api/communities", {"grade": "great"}, 422, "bad_grade"),
    ("/api/communities", {"q": "x" * 101}, 400, "parameter_too_long"),
    ("/api/communities", {"profile": "../../secret.toml"}, 400, "unknown_parameter"),
    ("/api/communities/x", {"profile": "a"}, 400, "unknown_parameter"),
    ("/api/nowhere", {}, 404, "not_found"),
    ("/api/near", {"lon": "1", "lat": "2", "types": "c" * (MAX_QUERY_STRING + 1)}, 400, None),
]


@pytest.mark.parametrize(("path", "params", "status", "code"), BAD)
def test_bad_requests_answer_json_in_zh_and_en(client, city, path, params, status, code):
    r = client.get(path, params=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    err = r.json()["error"]
    assert err["status"] == status
    if code is not None:
        assert err["code"] == code
    assert err["message_en"] and err["message_zh"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message_zh"])
    folder = str(city[2].parent)
    assert folder not in r.text and "Traceback" not in r.text and ".py" not in r.text


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_read_only(client, method):
    r = client.request(method, "/api/summary", content=b"{}")
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "method_not_allowed"


def test_no_cors_unless_asked(client, service):
    r = client.get("/api/summary", headers={"Origin": "https://app.example"})
    assert "access-control-allow-origin" not in r.headers
    app = create_app(service, cors_origins=["https://app.example"])
    with serve_support.running(app) as url, httpx.Client(base_url=url) as c:
        ok = c.get("/api/summary", headers={"Origin": "https://app.example"})
        assert ok.headers["access-control-allow-origin"] == "https://app.example"
        other = c.get("/api/summary", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


class _Broken(Service):
    """A service with a fault: its near() fails in a way no request can cause."""

    def near(self, *args, **kwargs):
        raise RuntimeError(f"fault in {__file__}")


def test_a_fault_answers_500_without_a_trace(city):
    broken = _Broken.from_report(city[2])
    with serve_support.running(create_app(broken)) as url, httpx.Client(base_url=url) as cl:
        r = cl.get("/api/near", params={"lon": 108.94, "lat": 34.26})
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "internal_error"
    assert "Traceback" not in r.text and "fault" not in r.text and __file__ not in r.text


# -- building the service -----------------------------------------------------------------


def test_from_report_finds_and_checks_the_facilities(city, tmp_path):
    """The report's facilities file is found as recorded or beside the report, and must be
    the file the report was made from (its SHA-256)."""
    _c, f, path, _report = city
    data = json.loads(path.read_text(encoding="utf-8"))
    data["inputs"][1]["path"] = f"elsewhere/{f.name}"
    moved = tmp_path / "report.json"
    moved.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(LivableError, match="not found"):
        Service.from_report(moved)
    (tmp_path / f.name).write_bytes(f.read_bytes())
    assert len(Service.from_report(moved).facilities) == len(Service.from_report(path).facilities)
    (tmp_path / f.name).write_bytes(f.read_bytes() + b"\n")
    with pytest.raises(LivableError, match="SHA-256"):
        Service.from_report(moved)


def test_from_report_rejects_another_profile(city, tmp_path):
    _c, f, path, _report = city
    text = (Path(livable.__file__).parent / "data" / "xian-2020.toml").read_text(encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text(text.replace('id = "xian-2020"', 'id = "other"', 1), encoding="utf-8")
    with pytest.raises(LivableError, match="profile"):
        Service.from_report(path, f, profile=other)


def test_evaluate_once_from_communities_and_facilities():
    centre = (108.94, 34.26)
    service = Service.evaluate(
        [community("c1", *centre, size_m=600, name="福寿社区")],
        [facility("k1", "kindergarten", *offset(*centre, 300, 0))],
    )
    answer = service.near(*centre).to_dict()
    assert answer["community"] == "c1"
    assert answer["access"]["kindergarten"]["nearest_m"] == pytest.approx(300, abs=1)
    with pytest.raises(RequestError) as info:
        service.community("c2")
    assert info.value.status == 404


def test_create_app_needs_something_to_serve():
    with pytest.raises(TypeError):
        create_app()


# -- the command ----------------------------------------------------------------------------


def _wait(url: str, proc: subprocess.Popen) -> httpx.Response:
    deadline = time.monotonic() + 120
    while True:
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read() if proc.stdout else ""
                raise AssertionError(f"livable serve did not start: {out}") from None
            time.sleep(0.2)


@pytest.mark.parametrize(("source", "workers"), [("report", 1), ("inputs", 1), ("report", 2)])
def test_livable_serve_command(city, report_json, source, workers):
    """The command serves; with ``--workers 2`` each worker process loads its own index and
    answers as one worker does (a community's centre gives its access in report.json)."""
    c, f, path, _report = city
    port = serve_support.free_port()
    args = (
        ["--report", str(path)]
        if source == "report"
        else ["--communities", str(c), "--facilities", str(f)]
    )
    args += ["--workers", str(workers)]
    cmd = [str(Path(sys.executable).parent / "livable"), "serve", *args, "--port", str(port)]
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    try:
        health = _wait(f"http://127.0.0.1:{port}/healthz", proc)
        assert health.json()["status"] == "ok"
        near = httpx.get(f"http://127.0.0.1:{port}/api/near", params={"lon": 108.94, "lat": 34.26})
        assert near.status_code == 200 and "server" not in near.headers
        one = report_json["communities"][0]
        for _ in range(2 * workers):  # several requests: more than one worker answers
            at = httpx.get(
                f"http://127.0.0.1:{port}/api/near",
                params={"lon": one["center"][0], "lat": one["center"][1]},
            )
            assert at.json()["access"] == one["access"]
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out


def test_serve_binds_loopback_by_default():
    from livable.cli import _parser

    args = _parser().parse_args(["serve", "--report", "r.json"])
    assert args.host == "127.0.0.1" and args.cors == []


def test_serve_usage_errors(city, capsys):
    from livable.cli import main

    c, _f, _path, _report = city
    with pytest.raises(SystemExit) as info:
        main(["serve", "--communities", str(c)])
    assert info.value.code == 2
    assert "--facilities" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["serve"])


# -- on a street network --------------------------------------------------------------------


@pytest.fixture(scope="module")
def grid_city(tmp_path_factory):
    """A 4 km street grid (200 m blocks) and an overpass, five communities along it,
    facilities off-grid."""
    folder = tmp_path_factory.mktemp("grid")
    c0 = (108.94, 34.26)
    lines = []
    for i in range(-10, 11):  # one segment per block side, so that the streets meet
        for j in range(-10, 10):
            for name, a, b in (
                (f"v{i}_{j}", offset(*c0, i * 200, j * 200), offset(*c0, i * 200, j * 200 + 200)),
                (f"h{i}_{j}", offset(*c0, j * 200, i * 200), offset(*c0, j * 200 + 200, i * 200)),
            ):
                lines.append(
                    {
                        "type": "Feature",
                        "properties": {"id": name},
                        "geometry": {"type": "LineString", "coordinates": [list(a), list(b)]},
                    }
                )
    # an elevated road drawn as one line over the grid (it meets no other street)
    a, b = offset(*c0, -2000, -50), offset(*c0, 2000, -50)
    lines.append(
        {
            "type": "Feature",
            "properties": {"id": "overpass"},
            "geometry": {"type": "LineString", "coordinates": [list(a), list(b)]},
        }
    )
    streets = folder / "streets.geojson"
    streets.write_text(json.dumps({"type": "FeatureCollection", "features": lines}))
    comms = [
        community(f"c{i}", *offset(*c0, i * 500, 0), size_m=400, name=f"社区{i}")
        for i in range(-2, 3)
    ]
    facs = [
        facility(f"k{i}", "kindergarten", *offset(*c0, i * 330 + 50, 170)) for i in range(-5, 6)
    ] + [facility(f"s{i}", "convenience_store", *offset(*c0, -i * 270, -90)) for i in range(-5, 6)]
    return comms, facs, streets


def test_near_on_the_street_network_is_the_report_access(grid_city):
    """With streets, /api/near walks the network as the evaluation did (each request snaps
    its own point; the facilities are snapped again onto that graph)."""
    comms, facs, streets = grid_city
    service = Service.evaluate(comms, facs, streets=streets)
    assert service.report.distance == "network"
    report = json.loads(service.report.to_json())
    with serve_support.running(create_app(service)) as url, httpx.Client(base_url=url) as cl:
        for c, entry in zip(service.report.communities, report["communities"], strict=True):
            body = cl.get("/api/near", params={"lon": repr(c.center[0]), "lat": repr(c.center[1])})
            assert body.status_code == 200
            assert body.json()["access"] == entry["access"], c.id
            assert body.json()["community"] == c.id
    straight = Service.evaluate(comms, facs)
    k = "kindergarten"
    walk = service.near(*service.report.communities[0].center).to_dict()["access"][k]["nearest_m"]
    line = straight.near(*service.report.communities[0].center).to_dict()["access"][k]["nearest_m"]
    assert walk is not None and line is not None
    assert walk > line + 1  # the walk follows the grid


# -- the interactive page's data --------------------------------------------------------------


def test_gcj02_tiles_shift_every_overlay(city):
    """With Amap (GCJ-02) tiles, communities, centres, facilities and streets are drawn in
    GCJ-02: each position is the WGS84 one shifted by ``from_wgs84``; with WGS84 tiles they
    are the report's positions."""
    from livable.serve.page import page_data

    report = city[3]
    line = shapely.LineString([(108.93, 34.25), (108.95, 34.27)])
    plain = page_data(report, streets=[line])
    shifted = page_data(
        report, streets=[line], tiles="https://t/{z}/{x}/{y}.png", tiles_datum="gcj02"
    )
    assert shifted["tiles_datum"] == "gcj02" and plain["tiles_datum"] == "wgs84"
    for a, b, c in zip(
        plain["communities"]["features"],
        shifted["communities"]["features"],
        report.communities,
        strict=True,
    ):
        assert a["properties"]["center"] == pytest.approx(list(c.center), abs=1e-7)
        x, y = from_wgs84(np.array([c.center[0]]), np.array([c.center[1]]), "gcj02")
        assert b["properties"]["center"] == pytest.approx([x[0], y[0]], abs=1e-7)
        moved = shapely.geometry.shape(b["geometry"])
        px, py = np.asarray(c.geometry.representative_point().coords[0])
        gx, gy = from_wgs84(np.array([px]), np.array([py]), "gcj02")
        # the shift is some hundreds of metres in Xi'an: the polygon moved with it
        assert 100 < offset_m(px, py, gx[0], gy[0]) < 1000
        assert moved.distance(shapely.Point(gx[0], gy[0])) < 1e-6
    for (fid, _n, _t, _c, lon, lat), (_f2, _n2, _t2, _c2, glon, glat) in zip(
        plain["facilities"], shifted["facilities"], strict=True
    ):
        x, y = from_wgs84(np.array([lon]), np.array([lat]), "gcj02")
        assert [glon, glat] == pytest.approx([x[0], y[0]], abs=2e-7), fid
    (street,) = shifted["streets"]
    x, y = from_wgs84(np.array([108.93, 108.95]), np.array([34.25, 34.27]), "gcj02")
    assert np.allclose(street["coordinates"], np.column_stack([x, y]), atol=1e-9)


def offset_m(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    """Metres between two nearby points (a local equirectangular measure, for the test)."""
    k = 111_320.0
    return float(np.hypot((lon1 - lon0) * k * np.cos(np.radians(lat0)), (lat1 - lat0) * k))


def test_map_interactive_draws_the_streets_given(city, tmp_path, capsys):
    """``livable map --interactive --streets FILE`` puts every street line in the page's
    data; ``--tiles`` without ``--interactive`` is a usage error."""
    from livable.cli import main

    _c, _f, path, _report = city
    lines = [
        {
            "type": "Feature",
            "properties": {"id": f"s{i}", "name": f"路{i}"},
            "geometry": {
                "type": "LineString",
                "coordinates": [[108.90 + i * 0.01, 34.20], [108.90 + i * 0.01, 34.30]],
            },
        }
        for i in range(5)
    ]
    streets = tmp_path / "streets.geojson"
    streets.write_text(json.dumps({"type": "FeatureCollection", "features": lines}))
    page = tmp_path / "map.html"
    assert (
        main(["map", str(path), "--out", str(page), "--interactive", "--streets", str(streets)])
        == 0
    )
    text = page.read_text(encoding="utf-8")
    start = text.index('<script id="livable-data" type="application/json">') + len(
        '<script id="livable-data" type="application/json">'
    )
    data = json.loads(text[start : text.index("</script>", start)])
    assert len(data["streets"]) == 5
    assert data["streets"][2]["coordinates"][0] == pytest.approx([108.92, 34.20])
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(
            [
                "map",
                str(path),
                "--out",
                str(tmp_path / "m.html"),
                "--tiles",
                "https://t/{z}/{x}/{y}.png",
            ]
        )
    assert info.value.code == 2 and "--interactive" in capsys.readouterr().err
