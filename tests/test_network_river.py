"""A city cut by a river with two bridges: network grades and isochrones (``P4``, ``P6``).

Straight-line circles (``P6.circle``) ignore the river; walking distance does not. The
grades must differ from the euclidean ones exactly for the community whose walk to its
kindergarten has to detour over a far bridge, and its isochrones must stay on its own bank.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import shape

from livable import LayerSpec, evaluate
from livable.cli import main
from livable.report import Report
from livable.schemas import load_schema

UTM = "EPSG:32649"
X0, Y0 = 500_000.0, 3_790_000.0  # on zone 49's central meridian, near Xi'an's latitude
RIVER = 60.0  # the river runs along y = 0, from y = -60 to y = 60
BRIDGES = (-1500.0, 1500.0)
TO_UTM = pyproj.Transformer.from_crs("EPSG:4326", UTM, always_xy=True)

TWELVE = (
    "transit_stop",
    "convenience_store",
    "vegetable_store",
    "fitness_venue",
    "leisure_space",
    "community_library",
    "clinic",
    "elderly_care_station",
    "government_service_station",
    "breakfast_outlet",
    "restaurant",
    "restaurant",
)


def fc(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def point(fid: str, x: float, y: float, **props: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"id": fid, **props},
        "geometry": {"type": "Point", "coordinates": [X0 + x, Y0 + y]},
    }


def streets() -> dict[str, Any]:
    """A 100 m grid on each bank (x from -2 km to 2 km, 2 km deep) and two bridges."""
    feats = []
    xs = np.arange(-2000.0, 2001.0, 100.0)
    for sign, bank in ((1, "n"), (-1, "s")):
        ys = sign * np.arange(100.0, 2001.0, 100.0)
        for i, y in enumerate(ys):
            for j, x in enumerate(xs):
                if j + 1 < len(xs):
                    feats.append(_line(f"{bank}h{i}_{j}", (x, y), (xs[j + 1], y)))
                if i + 1 < len(ys):
                    feats.append(_line(f"{bank}v{i}_{j}", (x, y), (x, ys[i + 1])))
    for k, x in enumerate(BRIDGES):
        feats.append(_line(f"bridge{k}", (x, -100.0), (x, 100.0)))
    return fc(feats)


def _line(fid: str, a: tuple[float, float], b: tuple[float, float]) -> dict[str, Any]:
    coords = [[X0 + a[0], Y0 + a[1]], [X0 + b[0], Y0 + b[1]]]
    return {
        "type": "Feature",
        "properties": {"id": fid},
        "geometry": {"type": "LineString", "coordinates": coords},
    }


def city() -> tuple[dict[str, Any], dict[str, Any]]:
    """Three communities north of the river, each with the 12 ones close by on its bank,
    except the kindergartens of ``away`` and ``bridge``, 600 m south across the river."""
    centres = {"away": (0.0, 300.0), "bridge": (1500.0, 300.0), "north": (-500.0, 1500.0)}
    comms = [point(cid, x, y, population=3000) for cid, (x, y) in centres.items()]
    facs = []
    for cid, (x, y) in centres.items():
        for n, ftype in enumerate(TWELVE):
            facs.append(
                point(f"{cid}-{n}", x + 100.0 * (n % 4) - 100.0, y + 100.0 * (n // 4), type=ftype)
            )
        ky = y - 600.0 if cid != "north" else y + 300.0
        facs.append(point(f"{cid}-kg", x, ky, type="kindergarten"))
    return fc(comms), fc(facs)


def run(distance: str) -> Report:
    comms, facs = city()
    return evaluate(
        LayerSpec(comms, crs=UTM),
        LayerSpec(facs, crs=UTM),
        distance=distance,
        streets=LayerSpec(streets(), crs=UTM) if distance == "network" else None,
        working_crs=UTM,
        isochrones=True,
    )


@pytest.fixture(scope="module")
def reports() -> tuple[Report, Report]:
    return run("euclidean"), run("network")


def to_local(geom: Any) -> Any:
    """A WGS84 report geometry back in metres relative to (X0, Y0)."""
    projected = shapely.transform(
        shape(geom) if isinstance(geom, dict) else geom,
        lambda c: np.column_stack(TO_UTM.transform(c[:, 0], c[:, 1])),
    )
    return shapely.affinity.translate(projected, -X0, -Y0)


def test_grades_differ_exactly_where_the_walk_detours(reports: tuple[Report, Report]) -> None:
    euclid, network = reports
    assert network.distance == "network"
    e = {c.id: c.grade for c in euclid.communities}
    n = {c.id: c.grade for c in network.communities}
    assert e == {"away": "livable", "bridge": "livable", "north": "livable"}
    assert {cid for cid in e if e[cid] != n[cid]} == {"away"}
    assert n["away"] == "not_livable"
    away = network.community("away").access_to("kindergarten")
    # its own kindergarten is 600 m away in a straight line but 3.6 km on foot (1500 m
    # along the bank, over the east bridge and back), beyond the 3 km search radius; the
    # nearest on foot is the north community's, 500 + 1500 m along the grid
    assert away.nearest_m == pytest.approx(2000.0)
    assert [f.id for f in away.nearest] == ["north-kg", "bridge-kg"]
    assert away.nearest[1].distance_m == pytest.approx(1500 + 200 + 200 + 200)
    assert euclid.community("away").access_to("kindergarten").nearest_m == pytest.approx(600.0)
    bridge = network.community("bridge").access_to("kindergarten")
    assert bridge.nearest_m == pytest.approx(600.0)
    gaps = [g.facility_type for g in network.community("away").gaps if g.rule.startswith("P4")]
    assert "kindergarten" in gaps


def test_isochrones_stay_on_their_bank_except_near_bridges(
    reports: tuple[Report, Report],
) -> None:
    _, network = reports
    south = shapely.box(-5000, -5000, 5000, -RIVER)
    away = network.community("away")
    assert away.isochrones is not None
    assert set(away.isochrones) == {400, 800, 1200}
    iso = {r: to_local(g) for r, g in away.isochrones.items()}
    for r, g in iso.items():
        assert not g.intersects(south), r  # no walk crosses the river within 1.2 km
        assert g.area < np.pi * r**2  # much less than the straight-line circle
    assert iso[400].within(iso[800])
    assert iso[800].within(iso[1200])
    # the euclidean circle would have crossed
    assert shapely.Point(0, 300).buffer(1200).intersects(south)

    bridge = network.community("bridge")
    assert bridge.isochrones is not None
    iso_b = to_local(bridge.isochrones[800])
    across = iso_b.intersection(south)
    assert not across.is_empty  # it crosses the river, by the bridge
    # 400 m to the bridge's south end leaves 400 m of walk (plus the 50 m walk-shed)
    assert across.within(shapely.Point(1500, -100).buffer(400 + 50 + 1))


def test_report_json_carries_snaps_isochrones_and_network_facts(
    reports: tuple[Report, Report],
) -> None:
    _, network = reports
    data = network.to_dict()
    jsonschema.validate(data, load_schema("report"))
    assert data["distance"] == "network"
    away = next(c for c in data["communities"] if c["id"] == "away")
    assert away["details"]["snap_m"] == 0.0
    assert away["details"]["on_network"] is True
    assert set(away["isochrones"]) == {"400", "800", "1200"}
    assert away["isochrones"]["400"]["type"] in ("Polygon", "MultiPolygon")
    facts = data["details"]["network"]
    assert facts["components"] == 1
    assert facts["noding"] is False
    assert facts["off_network_facilities"] == []
    assert facts["rejected_streets"] == []


def test_cli_evaluates_with_the_network(tmp_path: Path) -> None:
    comms, facs = city()
    paths = {}
    for name, data in (("c", comms), ("f", facs), ("s", streets())):
        paths[name] = tmp_path / f"{name}.geojson"
        paths[name].write_text(json.dumps(data), encoding="utf-8")
    # a facility 300 m from every street, and a broken street
    facs["features"].append(point("lost", 2300.0, 1000.0, type="clinic"))
    paths["f"].write_text(json.dumps(facs), encoding="utf-8")
    s = streets()
    s["features"].append({"type": "Feature", "properties": {"id": "bad"}, "geometry": None})
    paths["s"].write_text(json.dumps(s), encoding="utf-8")
    out = tmp_path / "report.json"
    code = main(
        [
            "evaluate",
            "--communities", str(paths["c"]),
            "--facilities", str(paths["f"]),
            "--streets", str(paths["s"]),
            "--distance", "network",
            "--communities-crs", UTM,
            "--facilities-crs", UTM,
            "--streets-crs", UTM,
            "--isochrones",
            "--quiet",
            "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(report, load_schema("report"))
    assert report["distance"] == "network"
    facts = report["details"]["network"]
    assert [f["id"] for f in facts["off_network_facilities"]] == ["lost"]
    assert facts["off_network_facilities"][0]["nearest_street_m"] == pytest.approx(300.0)
    assert [r["id"] for r in facts["rejected_streets"]] == ["bad"]
    assert facts["rejected_streets"][0]["source"].endswith(f"s.geojson#{len(s['features']) - 1}")
    grades = {c["id"]: c["grade"] for c in report["communities"]}
    assert grades == {"away": "not_livable", "bridge": "livable", "north": "livable"}


def test_network_needs_streets() -> None:
    comms, facs = city()
    with pytest.raises(Exception, match="needs streets"):
        evaluate(LayerSpec(comms, crs=UTM), LayerSpec(facs, crs=UTM), distance="network")


def test_profile_switches_reach_the_provider() -> None:
    from livable.profile import load_profile

    comms, facs = city()
    profile = load_profile("xian-2020").derive(
        id="no-drawings", network_isochrones=False, network_snap_tolerance_m=350.0
    )
    facs["features"].append(point("lost", 2300.0, 1000.0, type="clinic"))
    report = evaluate(
        LayerSpec(comms, crs=UTM),
        LayerSpec(facs, crs=UTM),
        profile=profile,
        distance="network",
        streets=LayerSpec(streets(), crs=UTM),
        isochrones=True,  # asked for, but the profile switches the drawing off
    )
    data = report.to_dict()
    assert all("isochrones" not in c for c in data["communities"])
    assert all(c["details"]["on_network"] for c in data["communities"])
    facts = data["details"]["network"]
    assert facts["snap_tolerance_m"] == 350.0
    assert facts["off_network_facilities"] == []  # 300 m from a street: now within reach


def test_isochrones_only_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    comms, facs = city()
    plain = evaluate(
        LayerSpec(comms, crs=UTM),
        LayerSpec(facs, crs=UTM),
        distance="network",
        streets=LayerSpec(streets(), crs=UTM),
        working_crs=UTM,
    )
    assert all(c.isochrones is None for c in plain.communities)
    asked = run("network")
    assert all(c.isochrones for c in asked.communities)
    assert [c.grade for c in plain.communities] == [c.grade for c in asked.communities]
    path = tmp_path / "plain.json"
    path.write_text(plain.to_json(), encoding="utf-8")
    assert main(["map", str(path), "--out", str(tmp_path / "m.png")]) == 0
    assert "rerun livable evaluate with --isochrones" in capsys.readouterr().err
    path.write_text(asked.to_json(), encoding="utf-8")
    assert main(["map", str(path), "--out", str(tmp_path / "m.png")]) == 0
    assert "--isochrones" not in capsys.readouterr().err
