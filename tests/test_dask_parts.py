"""Tile tasks that write their rows to parts: the merged report.json is the single pass's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import distributed
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import livable
from livable.models import FACILITY_TYPES
from livable.scale.dask import evaluate_dask, evaluate_dask_to_parts
from livable.scale.parts import read_part
from livable.testing import community, facility, offset

LON0, LAT0 = 108.94, 34.26
TYPES = sorted(FACILITY_TYPES)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=False,
        threads_per_worker=1,
        dashboard_address=":0",
        silence_logs=40,
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@st.composite
def cities(draw: Any) -> tuple[list[livable.Community], list[livable.Facility]]:
    """A few communities spread over several 3 km tiles, facilities around them."""
    comms = []
    for i in range(draw(st.integers(1, 8))):
        lon, lat = offset(LON0, LAT0, draw(st.floats(0, 12_000)), draw(st.floats(0, 9_000)))
        size = draw(st.sampled_from([None, 300.0, 2_500.0]))
        district = draw(st.sampled_from([None, "碑林区", "长安区"]))
        comms.append(community(f"c{i}", lon, lat, size_m=size, district=district))
    facs = []
    for j in range(draw(st.integers(1, 80))):
        e, n = draw(st.integers(-20, 140)) * 100.0, draw(st.integers(-20, 110)) * 100.0
        facs.append(facility(f"f{j}", draw(st.sampled_from(TYPES)), *offset(LON0, LAT0, e, n)))
    return comms, facs


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(city=cities())
def test_parts_give_the_single_pass_report_json(
    client: Any, tmp_path_factory: pytest.TempPathFactory, city: Any
) -> None:
    comms, facs = city
    folder = tmp_path_factory.mktemp("parts")
    single = livable.evaluate(comms, facs)
    tiled = evaluate_dask_to_parts(comms, facs, client=client, folder=folder, tile_m=3_000.0)
    text = tiled.write_json(folder / "report.json").read_bytes()
    assert text == single.to_json().encode("utf-8")
    assert tiled.report.summary == single.summary
    # the pickled path gives the same report
    assert evaluate_dask(comms, facs, client=client, tile_m=3_000.0).to_json() == single.to_json()


def test_each_part_holds_its_tile_sorted_and_slim_results_come_back(
    client: Any, tmp_path: Path
) -> None:
    comms = [community(f"c{i:02d}", *offset(LON0, LAT0, 2_500.0 * i, 0.0)) for i in range(6)]
    facs = [
        facility(f"k{i}", "kindergarten", *offset(LON0, LAT0, 2_500.0 * i, 300.0)) for i in range(6)
    ]
    tiled = evaluate_dask_to_parts(comms, facs, client=client, folder=tmp_path, tile_m=5_000.0)
    assert len(tiled.parts) > 1
    ids = [[i for i, _ in read_part(p)] for p in tiled.parts]
    assert all(part == sorted(part) for part in ids)
    assert sorted(i for part in ids for i in part) == [c.id for c in comms]
    assert all(r.access == () for r in tiled.report.communities)
    assert [i for i, _ in tiled.rows()] == [c.id for c in comms]
