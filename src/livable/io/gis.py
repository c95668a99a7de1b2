"""GIS files as feature collections: shapefile, GeoPackage, FlatGeobuf, GeoParquet, CSV.

:func:`livable.read_communities` and :func:`livable.read_facilities` call
:func:`load_features` for paths with these suffixes, so ``livable evaluate`` reads them
directly. The file's own CRS is honoured (it travels as the collection's ``crs`` member,
and a ``--*-crs`` flag still wins). Shapefiles, GeoPackages and FlatGeobuf go through
pyogrio, GeoParquet through pyarrow (the ``gis`` extra installs both); CSV needs nothing.

Text encodings: a shapefile's ``.cpg`` (or its DBF language id) names its encoding and is
honoured. A shapefile without one whose text is not plain ASCII is read as UTF-8 when it
decodes as UTF-8, and otherwise stops with a message naming ``--encoding gb18030``; CSV is
UTF-8 unless ``encoding`` says otherwise. A name is never garbled silently.

CSV columns: ``lon``/``lat`` (also ``lng``, ``longitude``/``latitude``, ``经度``/``纬度``),
``x``/``y`` for projected coordinates (name the CRS), or ``wkt`` (also ``geometry``) with
WKT geometry, for polygons. Values that read as numbers become numbers, except the text
fields (``id``, ``name``, ``type``, ``brand``, ``district``, ``subdistrict``, ``zone``, ...).

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "f.csv"
>>> _ = p.write_text("id,type,lon,lat,population\\nk1,kindergarten,108.95,34.26,12\\n")
>>> fc, info = load_features(p)
>>> fc["features"][0]["properties"], fc["features"][0]["geometry"]["type"]
({'id': 'k1', 'type': 'kindergarten', 'population': 12}, 'Point')
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import orjson
import pyproj
import shapely
from shapely.geometry import mapping

from livable._text import show
from livable.errors import InputError, LivableError
from livable.io._common import source_info
from livable.io._csv import ENCODING_HINT, decode_text, read_csv_rows
from livable.models.results import SourceInfo

__all__ = [
    "GIS_SUFFIXES",
    "FeatureColumns",
    "FeatureTable",
    "is_gis_path",
    "load_columns",
    "load_features",
]

OGR_SUFFIXES = frozenset({".shp", ".gpkg", ".fgb"})
PARQUET_SUFFIXES = frozenset({".parquet", ".geoparquet"})
CSV_SUFFIXES = frozenset({".csv", ".tsv"})
GIS_SUFFIXES = OGR_SUFFIXES | PARQUET_SUFFIXES | CSV_SUFFIXES
"""Suffixes :func:`load_features` reads (everything else is read as GeoJSON)."""

_TEXT_FIELDS = frozenset(
    {
        "id",
        "name",
        "type",
        "brand",
        "district",
        "subdistrict",
        "zone",
        "address",
        "typecode",
        "名称",
        "地址",
    }
)
_LON = ("lon", "lng", "longitude", "经度")
_LAT = ("lat", "latitude", "纬度")
_WKT = ("wkt", "geometry", "geom", "the_geom")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


class FeatureTable(dict[str, Any]):
    """A FeatureCollection mapping that also knows where each feature came from.

    ``labels[i]`` names feature ``i`` for reports (``"f.csv:line 7"``) and
    ``problems[i]`` says why it cannot be used, when the loader already knows.
    """

    labels: list[str]
    problems: dict[int, str]

    def __init__(
        self,
        features: list[dict[str, Any]],
        crs: str | None,
        labels: list[str],
        problems: dict[int, str] | None = None,
    ):
        super().__init__(type="FeatureCollection", features=features)
        if crs is not None:
            self["crs"] = crs
        self.labels = labels
        self.problems = problems or {}


def is_gis_path(source: object) -> bool:
    """Whether ``source`` is a path that :func:`load_features` reads (by suffix).

    >>> is_gis_path("parks.gpkg"), is_gis_path("parks.geojson"), is_gis_path(b"{}")
    (True, False, False)
    """
    if not isinstance(source, str | os.PathLike):
        return False
    return Path(source).suffix.lower() in GIS_SUFFIXES


def load_features(
    path: str | os.PathLike[str], *, encoding: str | None = None, layer: str | int | None = None
) -> tuple[FeatureTable, SourceInfo]:
    """Read a GIS file into a FeatureCollection (the file's CRS in its ``crs`` member)."""
    src = Path(path)
    suffix = src.suffix.lower()
    info = source_info(src)
    if suffix in CSV_SUFFIXES:
        return _csv(src, encoding), info
    if suffix in PARQUET_SUFFIXES:
        return _parquet(src), info
    if suffix in OGR_SUFFIXES:
        return _ogr(src, encoding, layer), info
    raise InputError(f"unsupported file type {suffix!r}", source=str(src))


@attrs.frozen(eq=False)
class FeatureColumns:
    """A GIS file read as columns (:func:`load_columns`): no dictionary per feature."""

    columns: Mapping[str, Sequence[Any]]
    """Attribute columns by name, Python values (``None`` where null), in file order."""
    geometries: npt.NDArray[np.object_]
    """One shapely geometry (or ``None``) a feature."""
    crs: str | None
    """The file's CRS as WKT; ``None`` when the file names none (lon/lat WGS84)."""
    info: SourceInfo


def load_columns(
    path: str | os.PathLike[str], *, encoding: str | None = None
) -> FeatureColumns | None:
    """A shapefile, GeoPackage, FlatGeobuf, GeoParquet or CSV file as columns, read as
    :func:`load_features` reads it (encodings, CRS, CSV values), else ``None``.

    A CSV file is parsed by pyarrow (the ``gis`` extra) when every row has one value a
    column, its coordinates are ``lon``/``lat`` or ``x``/``y`` numbers and it has no WKT
    column; any other file (or without pyarrow) gives ``None``: :func:`load_features`
    then reads it row by row and names each row it cannot use.

    >>> import tempfile, pathlib
    >>> from livable.io.geoparquet import write_facilities
    >>> from livable.io.layers import FacilityLayer
    >>> from livable.testing import facility
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "f.parquet"
    >>> _ = write_facilities(FacilityLayer.from_facilities(
    ...     [facility("k1", "kindergarten", 108.94, 34.26)]), p)
    >>> read = load_columns(p)
    >>> read.columns["id"], read.geometries[0].wkt, read.crs
    (['k1'], 'POINT (108.94 34.26)', None)
    """
    src = Path(path)
    suffix = src.suffix.lower()
    if suffix not in GIS_SUFFIXES:
        return None
    info = source_info(src)
    if suffix in CSV_SUFFIXES:
        return _csv_columns(src, encoding, info)
    if suffix in PARQUET_SUFFIXES:
        crs, geoms, columns = _parquet_columns(src)
        return FeatureColumns(columns, geoms, crs, info)
    meta, geoms, columns = _ogr_columns(src, encoding, None)
    crs = meta.get("crs")
    return FeatureColumns(columns, geoms, _wkt(crs, str(src)) if crs else None, info)


def _need(module: str) -> LivableError:
    return LivableError(f"reading this file needs {module}: pip install 'livable[gis]'")


def _python(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bytes):
        return value.hex()
    return value


def _features(
    geoms: Sequence[Any], columns: Mapping[str, list[Any]], n: int
) -> list[dict[str, Any]]:
    names = list(columns)
    features = []
    for i in range(n):
        g = geoms[i]
        features.append(
            {
                "type": "Feature",
                "properties": {k: _python(columns[k][i]) for k in names},
                "geometry": None if g is None or g.is_empty else mapping(g),
            }
        )
    return features


def _has_high_latin1(values: Sequence[Any]) -> bool:
    return any(isinstance(v, str) and any("\x80" <= ch <= "\xff" for ch in v) for v in values)


def _ogr(src: Path, encoding: str | None, layer: str | int | None) -> FeatureTable:
    name = str(src)
    meta, geoms, columns = _ogr_columns(src, encoding, layer)
    n = len(geoms)
    features = _features(list(geoms), columns, n)
    crs = meta.get("crs")
    return FeatureTable(
        features, _wkt(crs, name) if crs else None, [f"{name}#{i}" for i in range(n)]
    )


def _ogr_columns(
    src: Path, encoding: str | None, layer: str | int | None
) -> tuple[dict[str, Any], npt.NDArray[np.object_], dict[str, list[Any]]]:
    """The OGR layer's metadata, geometries and attribute columns (Python values)."""
    try:
        import pyogrio.raw
        from pyogrio.errors import DataLayerError, DataSourceError
    except ImportError:
        raise _need("pyogrio") from None
    name = str(src)
    kwargs: dict[str, Any] = {"datetime_as_string": True}
    if layer is not None:
        kwargs["layer"] = layer
    if encoding is not None and src.suffix.lower() == ".shp":
        kwargs["encoding"] = encoding
    try:
        meta, _fids, wkb, fields = pyogrio.raw.read(name, **kwargs)
        if (
            src.suffix.lower() == ".shp"
            and encoding is None
            and str(meta.get("encoding", "")).upper() in ("ISO-8859-1", "LATIN1")
            and _has_high_latin1([v for arr in fields for v in arr.tolist()])
        ):
            text = [v for arr in fields for v in arr.tolist() if isinstance(v, str)]
            try:
                for v in text:
                    v.encode("latin-1").decode("utf-8")
            except UnicodeError:
                raise InputError(
                    "the shapefile has non-ASCII text but no .cpg file names its encoding "
                    f"and it is not UTF-8; {ENCODING_HINT}, or add a .cpg file",
                    source=name,
                ) from None
            meta, _fids, wkb, fields = pyogrio.raw.read(name, encoding="UTF-8", **kwargs)
    except (DataSourceError, DataLayerError) as exc:
        raise InputError(f"cannot read: {exc}", source=name) from None
    except LookupError:
        raise InputError(f"unknown text encoding {encoding!r}", source=name) from None
    geoms = shapely.from_wkb(wkb) if wkb is not None else np.full(len(_fids or []), None)
    columns = {str(k): arr.tolist() for k, arr in zip(meta["fields"], fields, strict=True)}
    return meta, geoms, columns


def _wkt(crs: Any, name: str) -> str:
    try:
        return pyproj.CRS.from_user_input(crs).to_wkt()
    except pyproj.exceptions.CRSError as exc:
        raise InputError(f"the file's CRS is not usable: {exc}", source=name) from None


def _parquet(src: Path) -> FeatureTable:
    name = str(src)
    crs, geoms, columns = _parquet_columns(src)
    n = len(geoms)
    for k, values in columns.items():  # dates and times as ISO text, like GDAL's
        columns[k] = [v.isoformat() if hasattr(v, "isoformat") else v for v in values]
    features = _features(list(geoms), columns, n)
    if _attributes_column(columns.get("attributes")):
        for feature in features:  # livable's writer keeps other properties as JSON here
            props = feature["properties"]
            packed = props.pop("attributes", None)
            if packed:
                props.update({k: v for k, v in orjson.loads(packed).items() if k not in props})
    return FeatureTable(features, crs, [f"{name}#{i}" for i in range(n)])


def _parquet_columns(src: Path) -> tuple[str | None, npt.NDArray[np.object_], dict[str, list[Any]]]:
    """The GeoParquet file's CRS (WKT; ``None``: OGC:CRS84), geometries and columns."""
    name = str(src)
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise _need("pyarrow") from None
    try:
        table = pq.read_table(name)
    except Exception as exc:  # pyarrow raises several kinds for unreadable files
        raise InputError(f"cannot read Parquet: {exc}", source=name) from None
    raw_meta = (table.schema.metadata or {}).get(b"geo")
    if raw_meta is None:
        raise InputError("not a GeoParquet file (no 'geo' metadata)", source=name)
    geo = orjson.loads(raw_meta)
    column = geo.get("primary_column", "geometry")
    spec = geo.get("columns", {}).get(column, {})
    if str(spec.get("encoding", "WKB")).upper() != "WKB":
        raise InputError(
            f"GeoParquet geometry encoding {spec.get('encoding')!r} is not supported (WKB is)",
            source=name,
        )
    crs: str | None
    if "crs" not in spec:
        crs = None  # GeoParquet: an absent crs means OGC:CRS84 (lon/lat WGS84)
    elif spec["crs"] is None:
        raise InputError("the GeoParquet CRS is undefined (crs: null); name it", source=name)
    else:
        crs = _wkt(orjson.dumps(spec["crs"]).decode(), name)
    geoms = shapely.from_wkb(table.column(column).to_pylist())
    covering = {  # GeoParquet 1.1 bounding-box columns: an index, not properties
        path[0]
        for path in ((spec.get("covering") or {}).get("bbox") or {}).values()
        if isinstance(path, list) and path
    }
    skip = {column, *covering}
    columns = {k: table.column(k).to_pylist() for k in table.column_names if k not in skip}
    return crs, geoms, columns


def _attributes_column(values: list[Any] | None) -> bool:
    """Whether a column is the JSON ``attributes`` column :mod:`livable.io.geoparquet`
    writes: text that is a JSON object (or null) in every row.

    >>> _attributes_column(['{"seats": 40}', None]), _attributes_column(["a note"])
    (True, False)
    """
    if not values:
        return False
    for value in values:
        if value is None:
            continue
        if not (isinstance(value, str) and value.startswith("{")):
            return False
        try:
            if not isinstance(orjson.loads(value), dict):
                return False
        except orjson.JSONDecodeError:
            return False
    return True


def _value(key: str, text: str) -> Any:
    text = text.strip()
    if text == "":
        return None
    if key in _TEXT_FIELDS or not _NUMBER.match(text):
        return text
    if re.fullmatch(r"[+-]?\d+", text):
        if len(text.lstrip("+-")) > 1 and text.lstrip("+-").startswith("0"):
            return text  # a code with leading zeros stays text
        return int(text)
    return float(text)


def _csv_columns(src: Path, encoding: str | None, info: SourceInfo) -> FeatureColumns | None:
    """A clean CSV file's columns (see :func:`load_columns`), else ``None``."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pa_csv
    except ImportError:
        return None
    text = decode_text(src.read_bytes(), encoding=encoding, source=str(src))
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    raw_header = next(csv.reader([first.rstrip("\r")], delimiter=delimiter), [])
    header = [h.strip() for h in raw_header]
    if not header or len(set(header)) != len(header) or _pick(header, _WKT) is not None:
        return None
    lon_col, lat_col = _pick(header, _LON), _pick(header, _LAT)
    if lon_col is None or lat_col is None:
        lon_col, lat_col = _pick(header, ("x",)), _pick(header, ("y",))
    if lon_col is None or lat_col is None:
        return None
    try:
        table = pa_csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pa_csv.ReadOptions(use_threads=False),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(raw_header, pa.string()), strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError, pa.ArrowTypeError):
        return None  # a row with more or fewer values, a quoted newline: read row by row
    if table.column_names != raw_header:
        return None
    values = {
        h: [v.strip() for v in table.column(raw).to_pylist()]
        for h, raw in zip(header, raw_header, strict=True)
    }
    filled = [any(row) for row in zip(*values.values(), strict=True)]
    if not all(filled):  # a row of blank values is skipped, as read_csv_rows skips it
        values = {
            h: [v for v, f in zip(col, filled, strict=True) if f] for h, col in values.items()
        }
    coordinates = []
    for col in (lon_col, lat_col):
        if not all(_NUMBER.match(v) for v in values[col]):
            return None
        coordinates.append(np.array([float(v) for v in values.pop(col)], dtype=np.float64))
    columns = {
        k: [v or None for v in col] if k in _TEXT_FIELDS else [_value(k, v) for v in col]
        for k, col in values.items()
    }
    return FeatureColumns(columns, shapely.points(*coordinates), None, info)


def _pick(header: Sequence[str], names: Sequence[str]) -> str | None:
    lower = {h.lower(): h for h in header}
    for n in names:
        if n in lower:
            return lower[n]
    return None


def _csv(src: Path, encoding: str | None) -> FeatureTable:
    name = str(src)
    rows, header = read_csv_rows(src.read_bytes(), source=name, encoding=encoding)
    lon_col, lat_col = _pick(header, _LON), _pick(header, _LAT)
    if lon_col is None or lat_col is None:
        lon_col, lat_col = _pick(header, ("x",)), _pick(header, ("y",))
    wkt_col = _pick(header, _WKT)
    if (lon_col is None or lat_col is None) and wkt_col is None:
        raise InputError(
            "no coordinate columns: expected lon/lat (lng, longitude/latitude, 经度/纬度), "
            f"x/y, or wkt (found {', '.join(header)})",
            source=name,
        )
    geometry_cols = {c for c in (lon_col, lat_col, wkt_col) if c is not None}
    features: list[dict[str, Any]] = []
    labels: list[str] = []
    problems: dict[int, str] = {}
    for line, row in rows:
        index = len(features)
        labels.append(f"{name}:line {line}")
        props = {
            k: _value(k, v) for k, v in row.items() if k not in geometry_cols and k != "\0extra"
        }
        geometry: dict[str, Any] | None = None
        if "\0extra" in row:
            problems[index] = "more values than header columns"
        elif wkt_col is not None and row.get(wkt_col, "").strip():
            try:
                geometry = mapping(shapely.from_wkt(row[wkt_col]))
            except shapely.errors.GEOSException as exc:
                problems[index] = f"{wkt_col} is not valid WKT: {exc}"
        elif lon_col is not None and lat_col is not None:
            x, y = row.get(lon_col, "").strip(), row.get(lat_col, "").strip()
            try:
                geometry = {"type": "Point", "coordinates": [float(x), float(y)]}
            except ValueError:
                problems[index] = f"{lon_col}/{lat_col} {show(x)}, {show(y)} are not numbers"
        else:
            problems[index] = f"no {wkt_col} geometry"
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return FeatureTable(features, None, labels, problems)
