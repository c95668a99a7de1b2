"""Tile results written to disk by the tasks: the client merges only what the summary needs.

At country scale the calling process of a tiled evaluation spends as long receiving and
unpickling the tiles' per-community results as the workers spend computing them. With
:func:`run_tile_to_part` a tile task writes its communities' ``report.json`` rows to a
*part* of its own (a Parquet file, one row a community: ``id`` and ``json``, the row's
UTF-8 JSON text) and returns a :class:`TilePart`: the tile's report with *slim*
community results (no access lists, no geometry: what :func:`livable.grading.summarize`
reads) and the part's path. :func:`~livable.scale.tiles.merge_tiles` merges the slim
reports as it merges full ones, and :meth:`TiledReport.write_json` streams the parts'
rows, merged by id, into the bytes :meth:`livable.Report.write_json` writes for
the single pass.

>>> import tempfile, livable
>>> from livable.testing import community, facility
>>> from livable.scale.tiles import Tiling, prepare_tasks, merge_tiles
>>> from livable.engine import EvaluationSettings, Inputs
>>> comms = [community(f"c{i}", 108.90 + 0.05 * i, 34.26) for i in range(3)]
>>> facs = [facility(f"k{i}", "kindergarten", 108.902 + 0.05 * i, 34.26) for i in range(3)]
>>> folder = Path(tempfile.mkdtemp())
>>> prepared, tasks = prepare_tasks(Inputs(comms, facs), EvaluationSettings(),
...                                 tiling=Tiling(5_000.0))
>>> parts = [run_tile_to_part(t, folder) for t in tasks]
>>> merged = merge_tiles([p.report for p in parts], communities=prepared.communities,
...                      facilities=prepared.facilities, profile=prepared.profile,
...                      plugins=prepared.plugins)
>>> tiled = TiledReport(merged, tuple(p.path for p in parts))
>>> text = tiled.write_json(folder / "report.json").read_text(encoding="utf-8")
>>> text == livable.evaluate(comms, facs).to_json()
True
"""

from __future__ import annotations

import heapq
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import orjson
import shapely

from livable.models import CommunityResult, Report
from livable.models.serialize import dump_head, dump_with, write_rows
from livable.plugins.manager import PluginManager
from livable.scale.tiles import TileTask, run_tile

__all__ = ["TilePart", "TiledReport", "read_part", "run_tile_to_part", "slim_result"]

_EMPTY = shapely.Point()
_ROWS_PER_BATCH = 256


def slim_result(result: CommunityResult) -> CommunityResult:
    """``result`` without what the city summary does not read (access lists, geometry,
    isochrones, provider details): what a tile sends back to be merged.

    >>> import livable
    >>> from livable.testing import community, facility
    >>> r = livable.evaluate([community("c1", 108.94, 34.26)],
    ...                      [facility("k1", "kindergarten", 108.945, 34.26)]).communities[0]
    >>> s = slim_result(r)
    >>> (s.access, s.grade == r.grade, s.indicators == r.indicators)
    ((), True, True)
    """
    return attrs.evolve(result, access=(), geometry=_EMPTY, isochrones=None, details={})


@attrs.frozen(eq=False)
class TilePart:
    """What a tile task returns: its report with slim community results (see
    :func:`slim_result`) and the path of the part holding the full rows."""

    key: tuple[int, int]
    report: Report
    path: str


def run_tile_to_part(
    task: TileTask, folder: str | os.PathLike[str], plugins: PluginManager | None = None
) -> TilePart:
    """Evaluate one tile, write its communities' ``report.json`` rows to a Parquet part in
    ``folder`` (sorted by id) and return the slim :class:`TilePart` (a top-level function,
    so that Dask workers can call it; ``folder`` must be writable by every worker and
    readable by the client)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    report = run_tile(task, plugins)
    results = sorted(report.communities, key=lambda r: r.id)
    residents = report.rejected_residents is not None
    rows = [
        orjson.dumps(dump_with(r, residents=residents), option=orjson.OPT_INDENT_2) for r in results
    ]
    table = pa.table(
        {"id": pa.array([r.id for r in results], pa.string()), "json": pa.array(rows, pa.binary())}
    )
    path = Path(folder) / f"tile_{task.key[0]}_{task.key[1]}.parquet"
    pq.write_table(table, path, row_group_size=_ROWS_PER_BATCH, compression="zstd")
    slim = attrs.evolve(report, communities=tuple(slim_result(r) for r in results))
    return TilePart(key=task.key, report=slim, path=str(path))


def read_part(path: str | os.PathLike[str]) -> Iterator[tuple[str, bytes]]:
    """The ``(id, json)`` rows of a part, in its order, one row group at a time."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    for group in range(pf.num_row_groups):
        table = pf.read_row_group(group)
        ids = table.column("id").to_pylist()
        texts = table.column("json").to_pylist()
        yield from zip(ids, texts, strict=True)


@attrs.frozen(eq=False)
class TiledReport:
    """A tiled evaluation whose communities are in parts on disk.

    ``report`` is the merged report with slim community results: its summary, inputs,
    rejections and faults are the single pass's; ``parts`` hold the full rows.
    """

    report: Report
    parts: tuple[str, ...]

    def rows(self) -> Iterator[tuple[str, bytes]]:
        """Every community's ``(id, json)`` row, merged by id, a part's row group at a time."""
        return heapq.merge(*(read_part(p) for p in self.parts), key=lambda row: row[0])

    def write_json(self, path: str | os.PathLike[str]) -> Path:
        """Write ``report.json``: the bytes the single pass's
        :meth:`~livable.Report.write_json` writes, streamed from the parts."""
        target = Path(path)
        rows: Iterator[Any] = (orjson.Fragment(text) for _id, text in self.rows())
        with open(target, "wb", buffering=1 << 20) as fh:
            write_rows(dump_head(self.report, "communities"), "communities", rows, fh)
        return target
