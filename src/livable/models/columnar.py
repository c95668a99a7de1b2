"""A report as columns: one row a community, written as GeoParquet 1.1.

The column names are a contract (``docs/reference/report-columns.md``; the list is
:func:`report_columns` and ``livable/schemas/report-columns.json``):

* ``id``, ``name``, ``district``, ``subdistrict``, ``zone``, ``grade``, ``geometry`` (the
  community's shape, WKB, WGS84), ``center_lon``, ``center_lat``, ``radius_m``;
* per facility type ``{type}_nearest_m`` (null beyond the search radius),
  ``{type}_count_{r}`` for each tier distance ``r`` in whole metres and
  ``{type}_count_in_circle``;
* ``gap_count`` and ``gaps`` (a list of ``rule:facility_type-or-category`` keys, the keys of
  the summary's ``top_gaps``);
* per indicator ``indicator_{id}``: its status (``passed``, ``failed``, ``not_assessed``).

Numbers are those of ``report.json`` (distances to 0.1 m, coordinates to 1e-7 degree), so
a value read from either file is the same. Needs ``pyarrow`` (the ``dask`` extra).

>>> import livable, tempfile, pathlib
>>> from livable.testing import community, facility
>>> report = livable.evaluate([community("c1", 108.94, 34.26)],
...                           [facility("k1", "kindergarten", 108.945, 34.26)])
>>> path = report.to_parquet(pathlib.Path(tempfile.mkdtemp()) / "report.parquet")
>>> import pyarrow.parquet as pq
>>> row = pq.read_table(path).to_pylist()[0]
>>> row["id"], row["grade"], row["kindergarten_nearest_m"], row["kindergarten_count_800"]
('c1', 'not_livable', 460.5, 1)
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from livable._geoparquet import geo_metadata
from livable.errors import LivableError
from livable.models.serialize import COORD_DECIMALS, round_deg, round_m

# Reports and results are typed ``Any`` here: livable.models.results imports this module
# (Report.to_parquet), and a typed import back would be a cycle.

__all__ = ["FIXED_COLUMNS", "report_columns", "write_report_parquet"]

FIXED_COLUMNS = (
    "id",
    "name",
    "district",
    "subdistrict",
    "zone",
    "grade",
    "geometry",
    "center_lon",
    "center_lat",
    "radius_m",
)
"""The columns every columnar report starts with, in order."""


def _layout(
    communities: Sequence[Any],
) -> tuple[dict[str, list[int]], list[str]]:
    """Facility types with their tier distances, and indicator ids, in first-seen order."""
    tiers: dict[str, dict[int, None]] = {}
    indicators: dict[str, None] = {}
    for c in communities:
        for a in c.access:
            tiers.setdefault(a.facility_type, {}).update(dict.fromkeys(a.count_within))
        indicators.update(dict.fromkeys(i.id for i in c.indicators))
    return {t: list(rs) for t, rs in tiers.items()}, list(indicators)


def _names(tiers: dict[str, list[int]], indicators: Sequence[str]) -> list[str]:
    names = list(FIXED_COLUMNS)
    for t, rs in tiers.items():
        names.append(f"{t}_nearest_m")
        names.extend(f"{t}_count_{r}" for r in rs)
        names.append(f"{t}_count_in_circle")
    names += ["gap_count", "gaps"]
    names += [f"indicator_{i}" for i in indicators]
    return names


def report_columns(report: Any) -> list[str]:
    """The column names of ``report``'s columnar form, in order.

    >>> import livable
    >>> from livable.testing import community
    >>> report_columns(livable.evaluate([community("c1", 108.94, 34.26)], []))[:6]
    ['id', 'name', 'district', 'subdistrict', 'zone', 'grade']
    """
    return _names(*_layout(report.communities))


def _validity(values: Sequence[Any]) -> Any:
    """The Arrow validity bitmap of ``values`` (None where an item is None), or None when
    every item is present."""
    import pyarrow as pa

    present = np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
    if present.all():
        return None
    return pa.py_buffer(np.packbits(present, bitorder="little"))


def _column(values: Sequence[Any], kind: str) -> Any:
    """An Arrow array of ``values`` (``float64``, ``int64``, ``string``, ``binary`` or
    ``list<string>``; None for null), built from buffers.

    ``pyarrow.array`` imports pandas to ask whether a list is a pandas object (about half a
    second); building from buffers does not.

    >>> _column([1.5, None], "float64").to_pylist(), _column(["a", None], "string").to_pylist()
    ([1.5, None], ['a', None])
    >>> _column([["x", "y"], []], "list<string>").to_pylist()
    [['x', 'y'], []]
    """
    import pyarrow as pa

    n = len(values)
    validity = _validity(values)
    if kind in ("float64", "int64"):
        dtype = np.float64 if kind == "float64" else np.int64
        data = np.fromiter((0 if v is None else v for v in values), dtype=dtype, count=n)
        return pa.Array.from_buffers(
            pa.float64() if kind == "float64" else pa.int64(), n, [validity, pa.py_buffer(data)]
        )
    if kind == "list<string>":
        flat = [s for v in values for s in (v or ())]
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum([len(v or ()) for v in values], out=offsets[1:])
        child = _column(flat, "string")
        return pa.Array.from_buffers(
            pa.list_(pa.string()), n, [validity, pa.py_buffer(offsets)], children=[child]
        )
    raw = [b"" if v is None else (v if kind == "binary" else v.encode()) for v in values]
    ends = np.zeros(n + 1, dtype=np.int32)
    np.cumsum([len(b) for b in raw], out=ends[1:])
    arrow = pa.binary() if kind == "binary" else pa.string()
    return pa.Array.from_buffers(
        arrow, n, [validity, pa.py_buffer(ends), pa.py_buffer(b"".join(raw))]
    )


def _gap_key(rule: str, what: str | None) -> str:
    """As :func:`livable.grading.gap_key` (a layer above)."""
    return f"{rule}:{what}" if what else rule


def write_report_parquet(report: Any, path: str | os.PathLike[str]) -> Path:
    """Write ``report`` as GeoParquet 1.1, one row a community (see the module docstring).

    >>> import livable, tempfile, pathlib
    >>> empty = livable.evaluate([], [])
    >>> write_report_parquet(empty, pathlib.Path(tempfile.mkdtemp()) / "r.parquet").suffix
    '.parquet'
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - exercised only without pyarrow
        raise LivableError(
            "a columnar report needs pyarrow: pip install 'livable[dask]' (or pyarrow)"
        ) from None
    cs = report.communities
    tiers, indicators = _layout(cs)
    geoms = np.array([c.geometry for c in cs], dtype=object)
    if len(geoms):
        geoms = shapely.transform(geoms, lambda xy: np.round(xy, COORD_DECIMALS))
    columns: dict[str, Any] = {
        "id": _column([c.id for c in cs], "string"),
        "name": _column([c.name for c in cs], "string"),
        "district": _column([c.district for c in cs], "string"),
        "subdistrict": _column([c.subdistrict for c in cs], "string"),
        "zone": _column([None if c.zone is None else c.zone.value for c in cs], "string"),
        "grade": _column([c.grade.value for c in cs], "string"),
        "geometry": _column(shapely.to_wkb(geoms).tolist() if len(geoms) else [], "binary"),
        "center_lon": _column([round_deg(c.center[0]) for c in cs], "float64"),
        "center_lat": _column([round_deg(c.center[1]) for c in cs], "float64"),
        "radius_m": _column([round_m(c.radius_m) for c in cs], "float64"),
    }
    by_type = [{a.facility_type: a for a in c.access} for c in cs]
    for t, rs in tiers.items():
        access = [row.get(t) for row in by_type]
        columns[f"{t}_nearest_m"] = _column(
            [None if a is None else round_m(a.nearest_m) for a in access], "float64"
        )
        for r in rs:
            columns[f"{t}_count_{r}"] = _column(
                [None if a is None else a.count_within.get(r) for a in access], "int64"
            )
        columns[f"{t}_count_in_circle"] = _column(
            [None if a is None else a.count_in_circle for a in access], "int64"
        )
    columns["gap_count"] = _column([len(c.gaps) for c in cs], "int64")
    columns["gaps"] = _column(
        [
            list(dict.fromkeys(_gap_key(g.rule, g.facility_type or g.category) for g in c.gaps))
            for c in cs
        ],
        "list<string>",
    )
    statuses = [{i.id: i.status for i in c.indicators} for c in cs]
    for i in indicators:
        columns[f"indicator_{i}"] = _column([s.get(i) for s in statuses], "string")
    table = pa.Table.from_arrays(list(columns.values()), names=list(columns))
    geo = geo_metadata(geoms, covering=False)
    meta = {b"geo": json.dumps(geo).encode(), b"livable_version": report.livable_version.encode()}
    if report.as_of is not None:  # the date the report describes (evaluate --as-of)
        meta[b"as_of"] = report.as_of.isoformat().encode()
    table = table.replace_schema_metadata(meta)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out)
    return out
