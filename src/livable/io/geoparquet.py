"""Facilities in GeoParquet, read by window: the input format for country scale.

A country's tens of millions of facilities do not fit one process comfortably as GeoJSON.
In GeoParquet (https://geoparquet.org, version 1.1) with a ``bbox`` covering column and
spatially sorted row groups, a tile reads only the row groups whose bounding box reaches
its window. :func:`write_facilities` writes such a file from a
:class:`~livable.io.FacilityLayer`; :func:`read_facilities` reads one (or any GeoParquet
file with ``id`` and ``type`` columns and a WKB geometry column), optionally by window.

A row group of clean points is checked over its columns (the checks of
``livable.io._fast.points_layer``); any other group's rows go through
:func:`livable.io.read_facilities`, so validation, CRS and datum handling, area
facilities and rejection reasons are those of GeoJSON input; a rejection's source is
``file#row``. Facilities come in the file's row order (the engine then sorts them
canonically, so the order of a file never changes a report). Needs ``pyarrow`` (the
``dask`` extra installs it).

>>> import tempfile, pathlib
>>> from livable.testing import facility
>>> layer = FacilityLayer.from_facilities(
...     [facility("k1", "kindergarten", 108.94, 34.26), facility("c1", "clinic", 109.5, 34.3)])
>>> path = write_facilities(layer, pathlib.Path(tempfile.mkdtemp()) / "f.parquet")
>>> read_facilities(path, bbox=(108.9, 34.2, 109.0, 34.3)).ids.tolist()
['k1']
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import orjson
import pyproj
import shapely

from livable._geoparquet import geo_metadata
from livable.errors import InputError, LivableError
from livable.io._fast import points_layer
from livable.io._validate import duplicate_reason
from livable.io.account import ignored_note
from livable.io.datums import Datum
from livable.io.layers import FacilityLayer, Limits
from livable.io.readers import facility_reader
from livable.io.readers import read_facilities as read_facility_features
from livable.models import FACILITY_TYPES
from livable.models.results import InputNote, Rejection, SourceInfo

__all__ = [
    "PARQUET_SUFFIXES",
    "ParquetWindow",
    "is_parquet_path",
    "read_facilities",
    "scan_facilities",
    "window_lonlat",
    "write_facilities",
]

PARQUET_SUFFIXES = (".parquet", ".geoparquet")
"""Suffixes read as GeoParquet."""

_LIMITS = Limits()
_SORT_CELL_DEG = 0.05
_CORE = ("id", "type", "name", "brand", "quality")


def _pa() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as exc:  # pragma: no cover - exercised only without pyarrow
        raise LivableError(
            "GeoParquet needs pyarrow: pip install 'livable[dask]' (or pyarrow)"
        ) from exc
    return pyarrow


def is_parquet_path(source: object) -> bool:
    """Whether ``source`` is a path read as GeoParquet (by suffix).

    >>> is_parquet_path("f.parquet"), is_parquet_path("f.geojson"), is_parquet_path(b"")
    (True, False, False)
    """
    if not isinstance(source, str | os.PathLike):
        return False
    return Path(source).suffix.lower() in PARQUET_SUFFIXES


def write_facilities(
    layer: FacilityLayer,
    path: str | os.PathLike[str],
    *,
    row_group_size: int = 16_384,
    spatial_sort: bool = True,
) -> Path:
    """Write a facility layer (WGS84) as GeoParquet 1.1 with a ``bbox`` covering column.

    ``spatial_sort`` orders rows by 0.05-degree cells (row by row, west to east) so that
    each row group covers a compact area and window reads skip most of the file; the
    facilities' order in the file is then their order in every evaluation of it.
    Attributes beyond ``id``, ``type``, ``name``, ``brand`` and ``quality`` are kept as a
    JSON ``attributes`` column.
    """
    pa = _pa()
    n = len(layer)
    order = np.arange(n)
    if spatial_sort and n:
        cx = np.floor(layer.lon / _SORT_CELL_DEG).astype(np.int64)
        cy = np.floor(layer.lat / _SORT_CELL_DEG).astype(np.int64)
        order = np.lexsort((np.arange(n), cx, cy))
    geoms = shapely.points(layer.lon[order], layer.lat[order])
    if layer.areas is not None:
        areas = layer.areas[order]
        mask = np.fromiter((g is not None for g in areas), dtype=bool, count=n)
        geoms[mask] = areas[mask]
    bounds = shapely.bounds(geoms) if n else np.zeros((0, 4))
    attributes = [layer.attributes[i] for i in order.tolist()]
    quality = layer.quality[order]
    table = pa.table(
        {
            "id": pa.array(layer.ids[order].tolist(), type=pa.string()),
            "type": pa.array(layer.types[order].tolist(), type=pa.string()),
            "name": pa.array(layer.names[order].tolist(), type=pa.string()),
            "brand": pa.array(layer.brands[order].tolist(), type=pa.string()),
            "quality": pa.array(quality, type=pa.float64(), mask=np.isnan(quality)),
            "attributes": pa.array(
                [orjson.dumps(dict(a)).decode() if a else None for a in attributes],
                type=pa.string(),
            ),
            "geometry": pa.array(shapely.to_wkb(geoms).tolist(), type=pa.binary()),
            "bbox": pa.StructArray.from_arrays(
                [pa.array(bounds[:, k], type=pa.float64()) for k in range(4)],
                names=["xmin", "ymin", "xmax", "ymax"],
            ),
        }
    )
    geo = geo_metadata(geoms, covering=True, bounds=bounds)
    table = table.replace_schema_metadata({b"geo": json.dumps(geo).encode()})
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    pa.parquet.write_table(table, out, row_group_size=row_group_size)
    return out


@attrs.frozen
class _Meta:
    geometry: str
    crs: pyproj.CRS | None
    covering: Mapping[str, tuple[str, ...]] | None
    columns: tuple[str, ...]


def _meta(pf: Any, path: Path) -> _Meta:
    raw = (pf.schema_arrow.metadata or {}).get(b"geo")
    names = tuple(pf.schema_arrow.names)
    if raw is None:
        if "geometry" not in names:
            raise InputError("not a GeoParquet file (no 'geo' metadata)", source=str(path))
        return _Meta("geometry", None, None, names)
    geo = json.loads(raw)
    column = geo.get("primary_column", "geometry")
    spec = geo.get("columns", {}).get(column, {})
    if spec.get("encoding", "WKB").upper() != "WKB":
        raise InputError(
            f"geometry encoding {spec.get('encoding')!r} is not supported (use WKB)",
            source=str(path),
        )
    crs = None
    if spec.get("crs") is not None:
        try:
            crs = pyproj.CRS.from_json_dict(spec["crs"])
        except pyproj.exceptions.CRSError as exc:
            raise InputError(f"unreadable GeoParquet crs: {exc}", source=str(path)) from None
    covering = None
    cov = (spec.get("covering") or {}).get("bbox")
    if isinstance(cov, Mapping) and all(k in cov for k in ("xmin", "ymin", "xmax", "ymax")):
        covering = {k: tuple(cov[k]) for k in ("xmin", "ymin", "xmax", "ymax")}
    for need in ("id", "type"):
        if need not in names:
            raise InputError(f"GeoParquet facilities need a {need!r} column", source=str(path))
    return _Meta(column, crs, covering, names)


def _stats(pf: Any, group: int, dotted: str) -> tuple[float, float] | None:
    rg = pf.metadata.row_group(group)
    for c in range(rg.num_columns):
        col = rg.column(c)
        if col.path_in_schema == dotted:
            st = col.statistics
            if st is None or not st.has_min_max:
                return None
            return float(st.min), float(st.max)
    return None


def _groups(pf: Any, meta: _Meta, bbox: tuple[float, float, float, float] | None) -> list[int]:
    every = list(range(pf.metadata.num_row_groups))
    if bbox is None or meta.covering is None:
        return every
    qx0, qy0, qx1, qy1 = bbox
    chosen = []
    for g in every:
        s = {k: _stats(pf, g, ".".join(meta.covering[k])) for k in meta.covering}
        if any(v is None for v in s.values()):
            chosen.append(g)
            continue
        xmin, ymin, xmax, ymax = (s[k] or (0.0, 0.0) for k in ("xmin", "ymin", "xmax", "ymax"))
        if xmin[0] <= qx1 and xmax[1] >= qx0 and ymin[0] <= qy1 and ymax[1] >= qy0:
            chosen.append(g)
    return chosen


def _features(table: Any, meta: _Meta) -> list[dict[str, Any]]:
    cols = {c: table.column(c).to_pylist() for c in _CORE if c in meta.columns}
    attrs_col = table.column("attributes").to_pylist() if "attributes" in meta.columns else None
    wkb = table.column(meta.geometry).to_numpy(zero_copy_only=False)
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    n = table.num_rows
    is_point = shapely.get_type_id(geoms) == 0
    xy = np.full((n, 2), np.nan)
    if is_point.any():
        xy[is_point] = shapely.get_coordinates(geoms[is_point])
    features: list[dict[str, Any]] = []
    for i in range(n):
        props: dict[str, Any] = {}
        if attrs_col is not None and attrs_col[i]:
            props.update(orjson.loads(attrs_col[i]))
        for c, values in cols.items():
            if values[i] is not None:
                props[c] = values[i]
        g = geoms[i]
        if g is None:
            geometry: Any = None
        elif is_point[i] and not shapely.is_empty(g):
            geometry = {"type": "Point", "coordinates": [float(xy[i, 0]), float(xy[i, 1])]}
        else:
            geometry = shapely.geometry.mapping(g)
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return features


def _group_columns(
    table: Any,
    meta: _Meta,
    *,
    crs: object,
    datum: Datum | str,
    known_types: Collection[str] | None,
    excluded: Collection[str],
) -> FacilityLayer | None:
    """A row group of clean points read as columns (``livable.io._fast``), the rows whose
    id is in ``excluded`` left out; ``None`` when a row needs the per-feature checks (they
    then say why in their usual words)."""
    if "attributes" in meta.columns and table.column("attributes").null_count != len(table):
        return None
    ids = table.column("id").to_pylist()
    if excluded:
        kept = [
            i for i, fid in enumerate(ids) if not (type(fid) is str and fid.strip() in excluded)
        ]
        if len(kept) != len(ids):
            table = table.take(_pa().array(kept, type=_pa().int64()))
            ids = [ids[i] for i in kept]
    geoms = shapely.from_wkb(
        table.column(meta.geometry).to_numpy(zero_copy_only=False), on_invalid="ignore"
    )
    columns = {c: table.column(c).to_pylist() for c in _CORE[1:] if c in meta.columns}
    return points_layer(
        {"id": ids, **columns},
        geoms,
        known=FACILITY_TYPES.keys() if known_types is None else known_types,
        limits=_LIMITS,
        info=SourceInfo("<memory>"),
        collection={},
        options={"crs": crs, "datum": datum},
    )


def _lonlat(meta: _Meta, crs: object, datum: Datum | str) -> bool:
    """Whether the file's coordinates are WGS84 lon/lat as read (bbox filters apply)."""
    return crs is None and meta.crs is None and Datum(datum) is Datum.WGS84


def _row_bounds(table: Any, meta: _Meta) -> np.ndarray:
    if meta.covering is not None:
        cols = []
        for k in ("xmin", "ymin", "xmax", "ymax"):
            first, *rest = meta.covering[k]
            col: Any = table.column(first).combine_chunks()
            for part in rest:
                col = col.field(part)
            cols.append(col.to_numpy(zero_copy_only=False).astype(np.float64))
        return np.column_stack(cols)
    wkb = table.column(meta.geometry).to_numpy(zero_copy_only=False)
    out: np.ndarray = shapely.bounds(shapely.from_wkb(wkb, on_invalid="ignore"))
    return out


def _batches(
    path: Path,
    bbox: tuple[float, float, float, float] | None,
    *,
    crs: object = None,
    datum: Datum | str = Datum.WGS84,
) -> Iterator[tuple[int, np.ndarray, Any, _Meta]]:
    """Per row group read: its first row, the rows kept (positions in the group), their
    table. With ``bbox`` on a lon/lat file, row groups and rows outside it are skipped
    (by the ``bbox`` covering column, else by the geometries' bounds)."""
    pa = _pa()
    pf = pa.parquet.ParquetFile(path)
    meta = _meta(pf, path)
    starts = np.cumsum([0] + [pf.metadata.row_group(g).num_rows for g in range(pf.num_row_groups)])
    window = bbox if bbox is not None and _lonlat(meta, crs, datum) else None
    for g in _groups(pf, meta, window):
        table = pf.read_row_group(g)
        rows = np.arange(table.num_rows, dtype=np.int64)
        if window is not None:
            b = _row_bounds(table, meta)
            x0, y0, x1, y1 = window
            hit = (b[:, 2] >= x0) & (b[:, 0] <= x1) & (b[:, 3] >= y0) & (b[:, 1] <= y1)
            rows = np.flatnonzero(hit).astype(np.int64)
            table = table.take(pa.array(rows))
        yield int(starts[g]), rows, table, meta


def _in_bbox(layer: FacilityLayer, bbox: tuple[float, float, float, float]) -> np.ndarray:
    x0, y0, x1, y1 = bbox
    keep = (layer.lon >= x0) & (layer.lon <= x1) & (layer.lat >= y0) & (layer.lat <= y1)
    if layer.areas is not None:
        mask = np.fromiter((g is not None for g in layer.areas), dtype=bool, count=len(layer))
        if mask.any():
            b = shapely.bounds(layer.areas[mask])
            keep[mask] = (b[:, 2] >= x0) & (b[:, 0] <= x1) & (b[:, 3] >= y0) & (b[:, 1] <= y1)
    return np.asarray(keep, dtype=bool)


def _concat(parts: list[FacilityLayer]) -> FacilityLayer:
    if not parts:
        return FacilityLayer.from_facilities([])
    any_area = any(p.areas is not None for p in parts)
    areas = None
    if any_area:
        areas = np.concatenate(
            [p.areas if p.areas is not None else np.full(len(p), None, dtype=object) for p in parts]
        )
    return FacilityLayer(
        ids=np.concatenate([p.ids for p in parts]),
        types=np.concatenate([p.types for p in parts]),
        lon=np.concatenate([p.lon for p in parts]),
        lat=np.concatenate([p.lat for p in parts]),
        names=np.concatenate([p.names for p in parts]),
        brands=np.concatenate([p.brands for p in parts]),
        quality=np.concatenate([p.quality for p in parts]),
        attributes=tuple(a for p in parts for a in p.attributes),
        areas=areas,
        rejected=tuple(r for p in parts for r in p.rejected),
        repaired=tuple(r for p in parts for r in p.repaired),
        count=sum(p.count for p in parts),
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read(
    path: Path,
    *,
    bbox: tuple[float, float, float, float] | None,
    crs: str | int | pyproj.CRS | None,
    datum: Datum | str,
    known_types: Collection[str] | None,
    exclude_ids: Collection[str],
    strict: bool,
    limits: Limits,
    columnar: bool = True,
) -> FacilityLayer:
    parts: list[FacilityLayer] = []
    excluded = set(exclude_ids)
    for offset, group_rows, table, meta in _batches(path, bbox, crs=crs, datum=datum):
        use_crs = crs if crs is not None else meta.crs
        fast = None
        if columnar:
            fast = _group_columns(
                table,
                meta,
                crs=use_crs,
                datum=datum,
                known_types=known_types,
                excluded=excluded,
            )
        if fast is not None:
            parts.append(fast.take(_in_bbox(fast, bbox)) if bbox is not None else fast)
            continue
        features = _features(table, meta)
        keep_rows = list(range(len(features)))
        if excluded:
            keep_rows = [
                i
                for i, f in enumerate(features)
                if str(f["properties"].get("id", "")).strip() not in excluded
            ]
        layer = read_facility_features(
            {"type": "FeatureCollection", "features": [features[i] for i in keep_rows]},
            crs=use_crs,
            datum=datum,
            known_types=known_types,
            strict=strict,
            limits=limits,
        )
        rows = group_rows[np.array(keep_rows, dtype=np.int64)]

        def fix(rs: tuple[Rejection, ...], rows: np.ndarray = rows, offset: int = offset) -> Any:
            return tuple(
                attrs.evolve(
                    r, source=f"{path}#{offset + int(rows[int(r.source.rsplit('#', 1)[1])])}"
                )
                for r in rs
            )

        layer = attrs.evolve(layer, rejected=fix(layer.rejected), repaired=fix(layer.repaired))
        if bbox is not None:
            layer = layer.take(_in_bbox(layer, bbox))
        parts.append(layer)
    return _concat(parts)


def read_facilities(
    path: str | os.PathLike[str],
    *,
    bbox: tuple[float, float, float, float] | None = None,
    crs: str | int | pyproj.CRS | None = None,
    datum: Datum | str = Datum.WGS84,
    known_types: Collection[str] | None = None,
    strict: bool = False,
    limits: Limits = _LIMITS,
    columnar: bool = True,
) -> FacilityLayer:
    """Read GeoParquet facilities into columns (WGS84), in file order.

    Without ``bbox`` the whole file is read and validated as
    :func:`livable.io.read_facilities` validates GeoJSON (duplicate ids rejected, every
    copy). With ``bbox`` (WGS84 ``(west, south, east, north)``) only row groups whose
    ``bbox`` covering reaches it are read and only facilities in it (areas: whose bounds
    reach it) are kept; duplicates are then only those within the window (use
    :func:`scan_facilities` for the whole file's). The file's CRS (GeoParquet ``crs``,
    default OGC:CRS84) is honoured unless ``crs`` names another.

    Row groups of clean points are checked over their columns; a group with a row the
    checks would stop (or ``columnar=False``) is read row by row, with the same result
    and the reasons of the per-feature path.
    """
    src = Path(path)
    if not src.is_file():
        raise InputError("file not found", source=str(src))
    layer = _read(
        src,
        bbox=bbox,
        crs=crs,
        datum=datum,
        known_types=known_types,
        exclude_ids=(),
        strict=strict,
        limits=limits,
        columnar=columnar,
    )
    if bbox is None:
        dupes = _duplicate_rejections(src)
        if dupes:
            bad = {r.id for r in dupes}
            keep = np.fromiter((i not in bad for i in layer.ids), dtype=bool, count=len(layer))
            layer = layer.take(keep)
            rejected = sorted(
                (*(r for r in layer.rejected if r.id not in bad), *dupes),
                key=lambda r: int(r.source.rsplit("#", 1)[1]),
            )
            if strict:
                first = rejected[0]
                raise InputError(first.reason, source=first.source, feature_id=first.id)
            layer = attrs.evolve(layer, rejected=tuple(rejected))
    return attrs.evolve(layer, source=SourceInfo(str(src), _sha256(src)), count=_rows(src))


def _rows(path: Path) -> int:
    pa = _pa()
    return int(pa.parquet.ParquetFile(path).metadata.num_rows)


def _duplicate_rejections(path: Path) -> tuple[Rejection, ...]:
    pa = _pa()
    import pyarrow.compute as pc

    ids = pa.parquet.read_table(path, columns=["id"]).column("id")
    if ids.type != pa.string():
        ids = pc.cast(ids, pa.string())
    ids = pc.utf8_trim_whitespace(ids)
    counts = pc.value_counts(ids.drop_null())
    flat = counts.flatten()
    values, n = flat[0], flat[1].to_numpy()
    dup = values.filter(pa.array(n > 1))
    dup = dup.filter(pc.not_equal(dup, ""))
    if len(dup) == 0:
        return ()
    rows = np.flatnonzero(pc.is_in(ids, value_set=dup).to_numpy(zero_copy_only=False))
    names = ids.take(pa.array(rows)).to_pylist()
    where: dict[str, list[int]] = {}
    for row, fid in zip(rows.tolist(), names, strict=True):
        where.setdefault(fid, []).append(row)
    return tuple(  # the same words as for GeoJSON
        Rejection(fid, f"{path}#{row}", duplicate_reason(fid, where[fid]))
        for row, fid in zip(rows.tolist(), names, strict=True)
    )


@attrs.frozen
class ParquetWindow:
    """A picklable reader of one window of a GeoParquet facility file (a tile's task).

    ``exclude_ids`` are the ids the whole file has more than once (all copies rejected).
    """

    path: str
    bbox: tuple[float, float, float, float]
    known_types: tuple[str, ...]
    exclude_ids: frozenset[str]
    source: SourceInfo
    crs: str | None = None
    datum: str = "wgs84"

    def __call__(self) -> FacilityLayer:
        """Read the window (rows in file order), rejections left to the whole-file scan."""
        layer = _read(
            Path(self.path),
            bbox=self.bbox,
            crs=self.crs,
            datum=self.datum,
            known_types=self.known_types,
            exclude_ids=self.exclude_ids,
            strict=False,
            limits=_LIMITS,
        )
        return attrs.evolve(layer, rejected=(), repaired=(), source=self.source)


def scan_facilities(
    path: str | os.PathLike[str],
    *,
    crs: str | int | pyproj.CRS | None = None,
    datum: Datum | str = Datum.WGS84,
    known_types: Collection[str] | None = None,
    strict: bool = False,
    limits: Limits = _LIMITS,
    names: Collection[str] | None = None,
    columnar: bool = True,
) -> tuple[FacilityLayer, frozenset[str]]:
    """Validate a whole GeoParquet facility file one row group at a time.

    Returns an empty layer carrying the file's source, row count, rejections and repairs
    (what :func:`read_facilities` would list) and the set of duplicate ids; memory
    follows one row group, not the file. ``names`` (the attributes the run's indicators
    read) notes the other properties as ignored, as the whole-file readers do. Row groups
    of clean points are checked over their columns (``columnar=False``: row by row).
    """
    src = Path(path)
    if not src.is_file():
        raise InputError("file not found", source=str(src))
    dupes = _duplicate_rejections(src)
    bad = frozenset(r.id for r in dupes if r.id is not None)
    rejected: list[Rejection] = list(dupes)
    repaired: list[Rejection] = []
    present: set[str] = set()
    for offset, group_rows, table, meta in _batches(src, None):
        if columnar and (
            _group_columns(
                table,
                meta,
                crs=crs if crs is not None else meta.crs,
                datum=datum,
                known_types=known_types,
                excluded=bad,
            )
            is not None
        ):
            present.update(
                c for c in _CORE if c in meta.columns and table.column(c).null_count < len(table)
            )
            continue
        features = _features(table, meta)
        if names is not None:
            for feature in features:
                present.update(feature["properties"].keys())
        keep_rows = [
            i
            for i, f in enumerate(features)
            if str(f["properties"].get("id", "")).strip() not in bad
        ]
        layer = read_facility_features(
            {"type": "FeatureCollection", "features": [features[i] for i in keep_rows]},
            crs=crs if crs is not None else meta.crs,
            datum=datum,
            known_types=known_types,
            strict=strict,
            limits=limits,
        )
        rows = group_rows[np.array(keep_rows, dtype=np.int64)]
        for target, items in ((rejected, layer.rejected), (repaired, layer.repaired)):
            for r in items:
                local = int(r.source.rsplit("#", 1)[1])
                target.append(attrs.evolve(r, source=f"{src}#{offset + int(rows[local])}"))
    rejected.sort(key=lambda r: int(r.source.rsplit("#", 1)[1]))
    if strict and rejected:
        first = rejected[0]
        raise InputError(first.reason, source=first.source, feature_id=first.id)
    empty = FacilityLayer.from_facilities([])
    notes: tuple[InputNote, ...] = ()
    if names is not None:
        note = ignored_note(present, facility_reader(()).names | set(names))
        notes = () if note is None else (note,)
    return (
        attrs.evolve(
            empty,
            rejected=tuple(rejected),
            repaired=tuple(repaired),
            source=SourceInfo(str(src), _sha256(src), notes=notes),
            count=_rows(src),
        ),
        bad,
    )


def window_lonlat(
    window: tuple[float, float, float, float], inverse: Any, *, margin_deg: float = 1e-4
) -> tuple[float, float, float, float]:
    """The WGS84 bounding box of a working-CRS window (its densified edge, plus a margin).

    >>> from livable.geometry.crs import Projector
    >>> p = Projector.for_crs(pyproj.CRS("EPSG:32649"))
    >>> x, y = p.forward([108.94], [34.26])
    >>> box = window_lonlat((x[0] - 1000, y[0] - 1000, x[0] + 1000, y[0] + 1000), p.inverse)
    >>> box[0] < 108.94 < box[2] and box[1] < 34.26 < box[3]
    True
    """
    x0, y0, x1, y1 = window
    t = np.linspace(0.0, 1.0, 33)
    xs = np.concatenate([x0 + (x1 - x0) * t, np.full(33, x1), x1 - (x1 - x0) * t, np.full(33, x0)])
    ys = np.concatenate([np.full(33, y0), y0 + (y1 - y0) * t, np.full(33, y1), y1 - (y1 - y0) * t])
    lon, lat = inverse(xs, ys)
    lon, lat = np.asarray(lon), np.asarray(lat)
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        return (-180.0, -90.0, 180.0, 90.0)
    return (
        max(-180.0, float(lon.min()) - margin_deg),
        max(-90.0, float(lat.min()) - margin_deg),
        min(180.0, float(lon.max()) + margin_deg),
        min(90.0, float(lat.max()) + margin_deg),
    )
