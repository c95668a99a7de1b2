"""Every kind of ``report.json`` the project writes, made from fixed inputs.

Used by ``test_report_digest.py`` (byte-identity guard) and ``test_report_roundtrip.py``
(``read_report(p).to_json()`` gives the file's bytes back). Each case runs in the current
working directory and names its input files by relative paths, so the ``inputs[].path``
members of the reports do not depend on where the tests run: call :func:`build` with the
working directory set to an empty temporary folder.

Cases: the demo (``livable demo``), the tests' fixture inputs under ``tests/data/ok``
(euclidean and geodesic), the sample city (``livable.io.sample``: rejected communities and
facilities), the sample city by tiles (``livable.scale.tiles``), a river city on a street
network (isochrones, network details), resident points (``resident_access``,
``rejected_residents``), the district plugin of ``examples/district-plugin`` (a plugin
facility type, indicator, profile and distance provider), a faulty plugin in record mode
(``skipped``) and a self-intersecting community (``repaired``).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import livable
from livable import FacilityType, Indicator, hookimpl
from livable.cli import main
from livable.io.sample import write_sample_city
from livable.plugins import PluginManager
from livable.scale.tiles import evaluate_partitioned
from livable.testing import offset

HERE = Path(__file__).parent
OK = HERE / "data" / "ok"
PLUGIN_SRC = HERE.parent / "examples" / "district-plugin" / "src"
UTM = "EPSG:32649"
X0, Y0 = 500_000.0, 3_790_000.0
LON, LAT = 108.94, 34.26
AS_OF = "2021-06-30"
"""Every case's date (``as_of``): the demo's (``livable.io.sample.SAMPLE_AS_OF``), mid-way
through the plan's stage 2, so the bytes do not depend on the day the tests run."""


def _pm(**kw: Any) -> PluginManager:
    return PluginManager(load_entry_points=False, **kw)


def _fc(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _point(fid: str | None, x: float, y: float, **props: Any) -> dict[str, Any]:
    properties = dict(props) if fid is None else {"id": fid, **props}
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Point", "coordinates": [x, y]},
    }


def _write(name: str, data: dict[str, Any]) -> str:
    Path(name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return name


def _ok_inputs() -> tuple[str, str]:
    for name in ("communities.geojson", "facilities.geojson"):
        shutil.copyfile(OK / name, name)
    return "communities.geojson", "facilities.geojson"


def _sample() -> tuple[str, str]:
    c, f = write_sample_city(Path("city"))
    return str(c), str(f)


def demo() -> str:
    assert main(["demo", "--out", "livable-demo", "--quiet"]) == 0
    return Path("livable-demo/report.json").read_text(encoding="utf-8")


def ok_euclidean() -> str:
    return livable.evaluate(*_ok_inputs(), plugins=_pm(), as_of=AS_OF).to_json()


def ok_geodesic() -> str:
    return livable.evaluate(
        *_ok_inputs(), distance="geodesic", plugins=_pm(), as_of=AS_OF
    ).to_json()


def sample_city() -> str:
    return livable.evaluate(*_sample(), plugins=_pm(), as_of=AS_OF).to_json()


def sample_tiles() -> str:
    return evaluate_partitioned(
        *_sample(), tile_m=1_500.0, origin=(321.0, -77.0), as_of=AS_OF
    ).to_json()


def _line(fid: str, a: tuple[float, float], b: tuple[float, float]) -> dict[str, Any]:
    coords = [[X0 + a[0], Y0 + a[1]], [X0 + b[0], Y0 + b[1]]]
    return {
        "type": "Feature",
        "properties": {"id": fid},
        "geometry": {"type": "LineString", "coordinates": coords},
    }


def river_network() -> str:
    """Two banks of 200 m street grids joined by one bridge; one street is broken."""
    streets = []
    xs = [-1000.0 + 200.0 * i for i in range(11)]
    for sign, bank in ((1, "n"), (-1, "s")):
        ys = [sign * (100.0 + 200.0 * i) for i in range(6)]
        for i, y in enumerate(ys):
            for j, x in enumerate(xs):
                if j + 1 < len(xs):
                    streets.append(_line(f"{bank}h{i}_{j}", (x, y), (xs[j + 1], y)))
                if i + 1 < len(ys):
                    streets.append(_line(f"{bank}v{i}_{j}", (x, y), (x, ys[i + 1])))
    streets.append(_line("bridge", (200.0, -100.0), (200.0, 100.0)))
    streets.append({"type": "Feature", "properties": {"id": "bad"}, "geometry": None})
    comms = [
        _point("away", X0 - 400.0, Y0 + 300.0, population=3000),
        _point("near", X0 + 200.0, Y0 + 500.0, population=800),
    ]
    facs = []
    for cid, (x, y) in {"away": (-400.0, 300.0), "near": (200.0, 500.0)}.items():
        for n, ftype in enumerate(livable.TWELVE_ONES):
            fx, fy = x + 100.0 * (n % 4) - 100.0, y + 100.0 * (n // 4)
            facs.append(_point(f"{cid}-{n}", X0 + fx, Y0 + fy, type=ftype))
        facs.append(_point(f"{cid}-kg", X0 + x, Y0 + y - 600.0, type="kindergarten"))
    facs.append(_point("lost", X0 + 3000.0, Y0 + 3000.0, type="bank"))
    return livable.evaluate(
        livable.LayerSpec(_write("river-c.geojson", _fc(comms)), crs=UTM),
        livable.LayerSpec(_write("river-f.geojson", _fc(facs)), crs=UTM),
        streets=livable.LayerSpec(_write("river-s.geojson", _fc(streets)), crs=UTM),
        distance="network",
        isochrones=True,
        working_crs=UTM,
        plugins=_pm(),
        as_of=AS_OF,
    ).to_json()


def _lonlat_point(fid: str | None, east: float, north: float, **props: Any) -> dict[str, Any]:
    return _point(fid, *offset(LON, LAT, east, north), **props)


def residents() -> str:
    """Resident points: one community with some, one without, one point rejected."""
    x1, y1 = offset(LON, LAT, -600.0, -600.0)
    x2, y2 = offset(LON, LAT, 600.0, 600.0)
    square = {
        "type": "Polygon",
        "coordinates": [[[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]]],
    }
    comms = _fc(
        [
            {
                "type": "Feature",
                "properties": {"id": "c1", "name": "一号", "population": 400},
                "geometry": square,
            },
            _lonlat_point("c2", 20_000.0, 3_000.0),
        ]
    )
    facs = _fc(
        [
            _lonlat_point("s1", 0.0, 0.0, type="convenience_store", brand="Lawson", quality=4.5),
            _lonlat_point("k1", 1000.0, 0.0, type="clinic"),
        ]
    )
    people = _fc(
        [
            _lonlat_point(None, 150.0, 0.0, community="c1", population=300),
            _lonlat_point(None, -900.0, 0.0, community="c1", population=100),
            _lonlat_point(None, 0.0, 0.0, community="c1", population=-5),
        ]
    )
    return livable.evaluate(
        _write("res-c.geojson", comms),
        _write("res-f.geojson", facs),
        residents=_write("res-r.geojson", people),
        plugins=_pm(),
        as_of=AS_OF,
    ).to_json()


def district_plugin() -> str:
    """The example plugin: its facility type, indicator, profile and distance provider."""
    if str(PLUGIN_SRC) not in sys.path:
        sys.path.insert(0, str(PLUGIN_SRC))
    import livable_yanta

    c, f = _sample()
    data = json.loads(Path(f).read_text(encoding="utf-8"))
    first = data["features"][0]["geometry"]["coordinates"]
    data["features"].append(
        _point("ev-1", first[0] + 0.001, first[1], type="charging_station", name="充电站")
    )
    return livable.evaluate(
        c,
        _write("city/facilities-ev.geojson", data),
        profile=livable_yanta.PROFILE_ID,
        distance="euclidean_detour",
        plugins=_pm(plugins=[livable_yanta]),
        as_of=AS_OF,
    ).to_json()


class _Exploding(Indicator):
    id = "exploding"
    label_en = "exploding"
    label_zh = "爆炸"
    clause = "P5"
    requirement = "convenience"
    key_content = "convenience_services"

    def evaluate(self, context: Any) -> Any:
        raise ZeroDivisionError("division by zero")


class _Faulty:
    @hookimpl
    def livable_indicators(self) -> list[Indicator]:
        return [_Exploding()]

    @hookimpl
    def livable_facility_types(self) -> list[FacilityType]:
        raise RuntimeError("database unreachable")


def skipped_and_repaired() -> str:
    """A faulty plugin in record mode (``skipped``) and a bow-tie community (``repaired``)."""
    x1, y1 = offset(LON, LAT, -300.0, -300.0)
    x2, y2 = offset(LON, LAT, 300.0, 300.0)
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[x1, y1], [x2, y2], [x2, y1], [x1, y2], [x1, y1]]],
    }
    comms = _fc(
        [
            {"type": "Feature", "properties": {"id": "bow", "zone": "central"}, "geometry": bowtie},
            _lonlat_point("c2", 2000.0, 0.0, district="雁塔区"),
            _lonlat_point("c2", 2500.0, 0.0),
        ]
    )
    facs = _fc(
        [
            _lonlat_point("s1", 100.0, 0.0, type="convenience_store"),
            _lonlat_point("x1", 100.0, 50.0, type="no_such_type"),
        ]
    )
    return livable.evaluate(
        _write("rep-c.geojson", comms),
        _write("rep-f.geojson", facs),
        plugins=_pm(plugins=[_Faulty()], fault_mode="record"),
        as_of=AS_OF,
    ).to_json()


CASES: dict[str, Callable[[], str]] = {
    "demo": demo,
    "ok_euclidean": ok_euclidean,
    "ok_geodesic": ok_geodesic,
    "sample_city": sample_city,
    "sample_tiles": sample_tiles,
    "river_network": river_network,
    "residents": residents,
    "district_plugin": district_plugin,
    "skipped_and_repaired": skipped_and_repaired,
}


def build(names: list[str] | None = None) -> dict[str, str]:
    """The report text of each case (run in an empty working directory)."""
    return {name: CASES[name]() for name in names or list(CASES)}


def first_subdistrict(report_path: str) -> str:
    """The first subdistrict named in a report (for the subdistrict handbook)."""
    data = json.loads(Path(report_path).read_text(encoding="utf-8"))
    return sorted({c["subdistrict"] for c in data["communities"] if c["subdistrict"]})[0]
