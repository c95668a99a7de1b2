"""Tiles as Dask tasks on a LocalCluster of two worker processes: the single-pass report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import distributed
import pytest

import livable
from livable.io.geoparquet import read_facilities, write_facilities
from livable.io.sample import write_sample_city
from livable.scale.dask import evaluate_dask


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=":0",
        silence_logs=40,
    )
    client = distributed.Client(cluster, timeout="60s")
    try:
        client.wait_for_workers(2, timeout=120)
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("dask")
    communities, facilities = write_sample_city(folder)
    parquet = write_facilities(
        livable.read_facilities(facilities), folder / "facilities.parquet", row_group_size=128
    )
    return communities, facilities, parquet


def test_geojson_on_the_cluster_equals_single_pass(
    client: Any, sample: tuple[Path, Path, Path]
) -> None:
    communities, facilities, _ = sample
    single = livable.evaluate(communities, facilities)
    seen: list[tuple[str, float]] = []
    distributed_report = evaluate_dask(
        communities,
        facilities,
        client=client,
        tile_m=1_500.0,
        progress=lambda stage, f: seen.append((stage, f)),
    )
    assert distributed_report.to_json() == single.to_json()
    assert seen[-1] == ("tiles", 1.0)
    assert len([s for s in seen if s[0] == "tiles"]) > 10


def test_geoparquet_read_by_the_workers_equals_single_pass(
    client: Any, sample: tuple[Path, Path, Path]
) -> None:
    communities, _, parquet = sample
    single = livable.evaluate(communities, read_facilities(parquet))
    distributed_report = evaluate_dask(communities, parquet, client=client, tile_m=2_500.0)
    assert distributed_report.to_json() == single.to_json()
    assert distributed_report.inputs[1].path == str(parquet)


def test_layer_specs_and_settings_reach_the_workers(
    client: Any, sample: tuple[Path, Path, Path]
) -> None:
    """A GeoParquet LayerSpec with its CRS and a settings object: workers measure with them."""
    from livable.engine import EvaluationSettings, LayerSpec

    communities, _, parquet = sample
    settings = EvaluationSettings(distance="geodesic")
    single = livable.evaluate(communities, read_facilities(parquet), distance="geodesic")
    distributed_report = evaluate_dask(
        LayerSpec(communities, crs="EPSG:4326"),
        LayerSpec(parquet, crs="EPSG:4326"),
        client=client,
        settings=settings,
        tile_m=2_500.0,
    )
    assert distributed_report.distance == "geodesic"
    assert distributed_report.to_json() == single.to_json()


def test_geoparquet_windows_to_parts_on_worker_processes(
    client: Any, sample: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """Worker processes read their windows and write their parts: report.json's bytes."""
    from livable.scale.dask import evaluate_dask_to_parts

    communities, _, parquet = sample
    single = livable.evaluate(communities, read_facilities(parquet))
    tiled = evaluate_dask_to_parts(
        communities, parquet, client=client, folder=tmp_path, tile_m=2_500.0
    )
    out = tiled.write_json(tmp_path / "report.json")
    assert out.read_text(encoding="utf-8") == single.to_json()
