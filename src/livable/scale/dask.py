"""Run the tiles of a country-scale evaluation as Dask tasks (the ``dask`` extra).

:func:`evaluate_dask` is :func:`~livable.scale.tiles.evaluate_partitioned` with a
``dask.distributed.Client`` instead of a local process pool: the calling process
reads the communities, plans the tiles (one working CRS for all, a halo per tile that
covers every distance an answer depends on, ``P6.circle``/``P6.tiers``) and submits one
task per tile; the tiles' reports are merged into the single-pass report.

Facilities reach the workers in one of two ways:

- a GeoParquet file (``.parquet``/``.geoparquet``, needs ``pyarrow``) that every worker
  can read at the same path: each task reads only the row groups whose bounding box
  reaches its tile's window (:mod:`livable.io.geoparquet`), so no process ever holds the
  whole country's facilities;
- anything else (GeoJSON, layers, model objects) is read once by the calling process
  and each tile's slice is scattered to the workers.

Results come back in one of two ways: :func:`evaluate_dask` receives each tile's report
(every community's result, pickled); :func:`evaluate_dask_to_parts` has each task write
its communities' ``report.json`` rows to a Parquet part on disk and receives only slim
results for the summary (:mod:`livable.scale.parts`), so the client's work and memory
per community stay small.

See :func:`evaluate_dask` for an example on a local cluster.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from livable.errors import LivableError
from livable.io.readers import FacilityLayer, FeatureSource
from livable.models import Community, Facility
from livable.scale.parts import TiledReport, TilePart, run_tile_to_part
from livable.scale.tiles import (
    DEFAULT_TILE_M,
    Prepared,
    TileTask,
    Tiling,
    evaluate_tiled,
    run_tile,
)

if TYPE_CHECKING:
    from distributed import Client

    from livable.engine import EvaluationSettings, LayerSpec, Progress
    from livable.io.readers import CommunityLayer
    from livable.models import Report
    from livable.plugins.manager import PluginManager

__all__ = ["evaluate_dask", "evaluate_dask_to_parts"]


def _in_flight(client: Any) -> int:
    threads = sum(client.nthreads().values()) or 1
    return max(2, 2 * int(threads))


def evaluate_dask(
    communities: FeatureSource | CommunityLayer | Iterable[Community] | LayerSpec,
    facilities: FeatureSource | FacilityLayer | Iterable[Facility] | LayerSpec,
    *,
    client: Client,
    streets: FeatureSource | LayerSpec | None = None,
    settings: EvaluationSettings | None = None,
    plugins: PluginManager | None = None,
    plugin_options: Mapping[str, Any] | None = None,
    tile_m: float = DEFAULT_TILE_M,
    origin: tuple[float, float] = (0.0, 0.0),
    progress: Progress | None = None,
    **options: Any,
) -> Report:
    """Evaluate tile by tile on a Dask cluster and merge: the single-pass report.

    The inputs, ``settings`` and ``options`` are those of
    :func:`~livable.scale.tiles.evaluate_partitioned`. Files named here must be readable at the
    same path by every worker (a shared file system or the same container image); a
    GeoParquet facility file is read per tile by the workers, other inputs are read here
    and sliced. At most twice as many tiles as the cluster has threads are in flight.
    Workers use the plugins installed on them (a ``plugins`` manager stays here: it is
    used to read and to merge).

    >>> from distributed import Client, LocalCluster
    >>> from livable.testing import community, facility
    >>> comms = [community(f"c{i}", 108.90 + 0.05 * i, 34.26) for i in range(3)]
    >>> facs = [facility(f"k{i}", "kindergarten", 108.902 + 0.05 * i, 34.26) for i in range(3)]
    >>> with LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster:
    ...     with Client(cluster) as client:
    ...         report = evaluate_dask(comms, facs, client=client, tile_m=5_000.0)
    >>> import livable
    >>> report.to_json() == livable.evaluate(comms, facs).to_json()
    True
    """
    return _evaluate(
        communities,
        facilities,
        client,
        None,
        streets=streets,
        settings=settings,
        plugins=plugins,
        plugin_options=plugin_options,
        tiling=Tiling(tile_m, origin),
        progress=progress,
        caller="evaluate_dask",
        options=options,
    )[0]


def evaluate_dask_to_parts(
    communities: FeatureSource | CommunityLayer | Iterable[Community] | LayerSpec,
    facilities: FeatureSource | FacilityLayer | Iterable[Facility] | LayerSpec,
    *,
    client: Client,
    folder: str | os.PathLike[str],
    streets: FeatureSource | LayerSpec | None = None,
    settings: EvaluationSettings | None = None,
    plugins: PluginManager | None = None,
    plugin_options: Mapping[str, Any] | None = None,
    tile_m: float = DEFAULT_TILE_M,
    origin: tuple[float, float] = (0.0, 0.0),
    progress: Progress | None = None,
    **options: Any,
) -> TiledReport:
    """:func:`evaluate_dask` with the tiles' community rows written to disk by the tasks.

    Each task writes a Parquet part in ``folder`` (which every worker can write and this
    process can read) and sends back only its slim results (:mod:`livable.scale.parts`),
    so this process never unpickles a community's access lists. The
    :class:`~livable.scale.parts.TiledReport` holds the merged summary and streams
    ``report.json`` from the parts (:meth:`~livable.scale.parts.TiledReport.write_json`:
    the single pass's bytes).

    >>> import tempfile, pathlib
    >>> from distributed import Client, LocalCluster
    >>> from livable.testing import community, facility
    >>> comms = [community(f"c{i}", 108.90 + 0.05 * i, 34.26) for i in range(3)]
    >>> facs = [facility(f"k{i}", "kindergarten", 108.902 + 0.05 * i, 34.26) for i in range(3)]
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> with LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster:
    ...     with Client(cluster) as client:
    ...         tiled = evaluate_dask_to_parts(comms, facs, client=client, folder=folder,
    ...                                        tile_m=5_000.0)
    >>> import livable
    >>> text = tiled.write_json(folder / "report.json").read_text(encoding="utf-8")
    >>> text == livable.evaluate(comms, facs).to_json()
    True
    """
    report, parts = _evaluate(
        communities,
        facilities,
        client,
        str(folder),
        streets=streets,
        settings=settings,
        plugins=plugins,
        plugin_options=plugin_options,
        tiling=Tiling(tile_m, origin),
        progress=progress,
        caller="evaluate_dask_to_parts",
        options=options,
    )
    return TiledReport(report, tuple(parts))


def _evaluate(
    communities: Any,
    facilities: Any,
    client: Any,
    folder: str | None,
    *,
    streets: Any,
    settings: EvaluationSettings | None,
    plugins: PluginManager | None,
    plugin_options: Mapping[str, Any] | None,
    tiling: Tiling,
    progress: Progress | None,
    caller: str,
    options: Mapping[str, Any],
) -> tuple[Report, list[str]]:
    """The tiles as tasks on ``client``: full tile reports back, or (with ``folder``)
    parts written by the tasks and slim reports back; the merged report and part paths."""
    try:
        from distributed import as_completed
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise LivableError("evaluate_dask needs Dask: pip install 'livable[dask]'") from exc
    token = uuid.uuid4().hex
    limit = _in_flight(client)
    paths: list[str] = []

    def received(value: Report | TilePart) -> Report:
        if isinstance(value, TilePart):
            paths.append(value.path)
            return value.report
        return value

    def run(
        tasks: Iterator[TileTask], total: int, _prepared: Prepared, report: Progress
    ) -> list[Report]:
        reports: list[Report] = []
        it = iter(tasks)
        pending: Any = as_completed()  # type: ignore[no-untyped-call]
        for task in it:
            pending.add(_submit(client, task, token, folder))
            if pending.count() >= limit:
                break
        for fut in pending:
            reports.append(received(fut.result()))
            fut.release()
            report("tiles", len(reports) / total)
            nxt = next(it, None)
            if nxt is not None:
                pending.add(_submit(client, nxt, token, folder))
        return reports

    merged = evaluate_tiled(
        communities,
        facilities,
        run,
        streets=streets,
        settings=settings,
        plugins=plugins,
        plugin_options=plugin_options,
        tiling=tiling,
        progress=progress,
        caller=caller,
        options=options,
    )
    return merged, sorted(paths)


def _submit(client: Any, task: TileTask, token: str, folder: str | None) -> Any:
    [data] = client.scatter([task], hash=False)
    key = f"livable-tile-{task.key[0]}_{task.key[1]}-{token}"
    if folder is None:
        return client.submit(run_tile, data, pure=False, key=key)
    return client.submit(run_tile_to_part, data, folder, pure=False, key=key)
