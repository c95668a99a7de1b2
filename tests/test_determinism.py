"""Determinism: the same inputs and profile give the same ``report.json``, whatever the order.

The contract (``docs/explanation/determinism.md``): the same input bytes give byte-identical
reports; inputs holding the same features in another order give reports that are
byte-identical once two order-bound details are set aside: ``inputs[].sha256`` (the digest
of the file's bytes, which a reordering changes) and the ``#index`` feature numbers in
``rejected``, ``rejected_facilities`` and ``repaired`` (positions in the file). Everything
else, including the order of those lists and tie-breaks between facilities at equal
distance, is independent of the input order. Floats are rounded to the documented precision.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livable import PluginManager, evaluate, load_profile
from livable.cli import main
from livable.models.serialize import COORD_DECIMALS, DISTANCE_DECIMALS, SHARE_DECIMALS
from livable.testing import offset

X, Y = 108.94, 34.26
PLUGINS = PluginManager(load_entry_points=False)
PROFILE = load_profile("xian-2020")
TYPES = [
    "transit_stop",
    "convenience_store",
    "vegetable_store",
    "fitness_venue",
    "leisure_space",
    "community_library",
    "kindergarten",
    "clinic",
    "elderly_care_station",
    "government_service_station",
    "breakfast_outlet",
    "restaurant",
    "bank",
]


def _square(x: float, y: float, size_m: float) -> dict[str, Any]:
    x0, y0 = offset(x, y, -size_m / 2, -size_m / 2)
    x1, y1 = offset(x, y, size_m / 2, size_m / 2)
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


def _feature(fid: Any, geometry: Any, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"id": fid, **props}, "geometry": geometry}


def _communities() -> list[dict[str, Any]]:
    out = []
    for i in range(12):
        x, y = offset(X, Y, 700.0 * (i % 4), 650.0 * (i // 4))
        out.append(
            _feature(
                f"c{i:02d}",
                _square(x, y, 300.0 + 40 * i),
                name=f"社区{i}",
                population=[2500, 8000, 16000][i % 3],
                district=["碑林区", "雁塔区", "长安区"][i % 3],
                zone=["central", "peripheral", None][i % 3],
                green_ratio=0.1 * (i % 5),
            )
        )
    bowtie = [[X, Y], [X + 0.01, Y + 0.01], [X + 0.01, Y], [X, Y + 0.01], [X, Y]]
    out += [
        _feature("dup", _square(X, Y, 200.0)),
        _feature("dup", _square(X + 0.01, Y, 200.0)),
        _feature("bow", {"type": "Polygon", "coordinates": [bowtie]}),
        _feature("swap", {"type": "Point", "coordinates": [Y, X]}),
        _feature(None, _square(X, Y, 100.0)),
        _feature(None, None),
        _feature("pop", _square(X, Y, 100.0), population="3000"),
    ]
    return out


def _facilities() -> list[dict[str, Any]]:
    out = []
    for i in range(150):
        t = TYPES[i % len(TYPES)]
        x, y = offset(X, Y, (i * 137) % 2600 - 300, (i * 89) % 1900 - 200)
        out.append(_feature(f"f{i:03d}", {"type": "Point", "coordinates": [x, y]}, type=t))
    # exact ties: several facilities of one type at one spot, so only ids can order them
    for j in range(4):
        out.append(_feature(f"tie{j}", {"type": "Point", "coordinates": [X, Y]}, type="clinic"))
    out.append(_feature("park", _square(X + 0.004, Y + 0.004, 250.0), type="leisure_space"))
    out.append(_feature("bad", {"type": "Point", "coordinates": [X, Y]}, type="Clinic"))
    out.append(_feature("f000", {"type": "Point", "coordinates": [X, Y]}, type="bank"))
    return out


def _fc(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


COMMUNITIES = _communities()
FACILITIES = _facilities()


def _report(communities: list[Any], facilities: list[Any]) -> str:
    return evaluate(_fc(communities), _fc(facilities), profile=PROFILE, plugins=PLUGINS).to_json()


def normalise(text: str) -> str:
    """The report with its documented order-bound details set aside."""
    data = json.loads(text)
    for entry in data["inputs"]:
        entry["sha256"] = None
    for key in ("rejected", "rejected_facilities", "repaired"):
        for entry in data[key]:
            entry["source"] = re.sub(r"#\d+", "#", entry["source"])
            entry["reason"] = re.sub(r"#\d+", "#", entry["reason"])
    return json.dumps(data, ensure_ascii=False, indent=1)


REFERENCE = _report(COMMUNITIES, FACILITIES)


def test_the_fixture_exercises_what_order_could_change() -> None:
    data = json.loads(REFERENCE)
    assert len(data["communities"]) == 13
    assert len(data["rejected"]) == 6
    assert data["repaired"]
    assert data["rejected_facilities"]
    c00 = next(c for c in data["communities"] if c["id"] == "c00")
    clinic = c00["access"]["clinic"]["nearest"]
    assert [f["id"] for f in clinic[:3]] == ["tie0", "tie1", "tie2"]  # ties ordered by id


def test_same_inputs_same_bytes() -> None:
    again = evaluate(
        _fc(COMMUNITIES), _fc(FACILITIES), profile="xian-2020", plugins=PluginManager()
    ).to_json()
    assert again == REFERENCE


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.permutations(range(len(COMMUNITIES))), st.permutations(range(len(FACILITIES))))
def test_any_input_order_gives_the_same_report(
    community_order: list[int], facility_order: list[int]
) -> None:
    communities = [COMMUNITIES[i] for i in community_order]
    shuffled = _report(communities, [FACILITIES[i] for i in facility_order])
    assert normalise(shuffled) == normalise(REFERENCE)
    data = json.loads(shuffled)
    assert len(data["communities"]) + len(data["rejected"]) == len(COMMUNITIES)


def test_in_memory_reports_need_no_normalising_but_indices() -> None:
    reversed_report = _report(COMMUNITIES[::-1], FACILITIES[::-1])
    assert reversed_report != REFERENCE  # the #index numbers differ...
    assert normalise(reversed_report) == normalise(REFERENCE)  # ...and nothing else


def _walk(value: Any, key: str = "") -> list[tuple[str, float]]:
    if isinstance(value, dict):
        return [kv for k, v in value.items() for kv in _walk(v, k)]
    if isinstance(value, list):
        return [kv for v in value for kv in _walk(v, key)]
    if isinstance(value, float):
        return [(key, value)]
    return []


def test_floats_are_rounded_to_the_documented_precision() -> None:
    data = json.loads(REFERENCE)
    floats = _walk(data["communities"]) + _walk(data["summary"])
    decimals = {"coordinates": COORD_DECIMALS, "center": COORD_DECIMALS}
    decimals |= {"lon": COORD_DECIMALS, "lat": COORD_DECIMALS}
    checked = 0
    for key, value in floats:
        if key in decimals:
            places = decimals[key]
        elif key.endswith("_m"):
            places = DISTANCE_DECIMALS
        elif key.endswith("_share") or key in ("livable_share", "happy_share"):
            places = SHARE_DECIMALS
        else:
            continue
        assert round(value, places) == value, (key, value)
        checked += 1
    assert checked > 1000


@pytest.mark.parametrize("workers", ["1", "2"])
def test_cli_reports_from_shuffled_files_match(tmp_path: Path, workers: str) -> None:
    reports = []
    for name, order in (("a", 1), ("b", -1)):
        folder = tmp_path / name
        folder.mkdir()
        c = folder / "communities.geojson"
        f = folder / "facilities.geojson"
        c.write_bytes(orjson.dumps(_fc(COMMUNITIES[::order])))
        f.write_bytes(orjson.dumps(_fc(FACILITIES[::order])))
        out = tmp_path / f"{name}.json"
        argv = ["evaluate", "--communities", "communities.geojson"]
        argv += ["--facilities", "facilities.geojson", "--quiet", "--workers", workers]
        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(folder)  # relative paths: the same inputs[].path in both runs
            assert main([*argv, "--out", str(out)]) == 0
        reports.append(out.read_text("utf-8"))
    assert normalise(reports[0]) == normalise(reports[1])
    file_based, in_memory = json.loads(reports[0]), json.loads(REFERENCE)
    assert file_based["communities"] == in_memory["communities"]
    assert file_based["summary"] == in_memory["summary"]
