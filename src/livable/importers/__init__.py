"""Importers: real data in, as facility layers the engine evaluates.

- :func:`read_osm`: OpenStreetMap extracts (``.osm.pbf``, ``.osm``) into facilities and
  walkable streets (``osm`` extra).
- :func:`read_amap`: Amap (高德) place-search exports, JSON or CSV, GCJ-02 -> WGS84.
- GIS files (shapefile, GeoPackage, GeoParquet, FlatGeobuf, CSV) are read directly by
  :func:`livable.read_communities` / :func:`livable.read_facilities` (``gis`` extra).
- :func:`dedupe_facilities`: the same facility from two sources, merged and reported.

Nothing here is imported by ``import livable``; each reader imports its optional
dependency when called.
"""

from livable.importers._common import (
    ImportResult,
    StreetLayer,
    facilities_to_geojson,
    streets_to_geojson,
    write_geojson,
)
from livable.importers.amap import AmapTable, load_amap_typecodes, read_amap
from livable.importers.dedupe import (
    DedupeResult,
    Merge,
    concat_facilities,
    dedupe_facilities,
    name_similarity,
)
from livable.importers.osm import OsmMapping, load_osm_mapping, read_osm

__all__ = [
    "AmapTable",
    "DedupeResult",
    "ImportResult",
    "Merge",
    "OsmMapping",
    "StreetLayer",
    "concat_facilities",
    "dedupe_facilities",
    "facilities_to_geojson",
    "load_amap_typecodes",
    "load_osm_mapping",
    "name_similarity",
    "read_amap",
    "read_osm",
    "streets_to_geojson",
    "write_geojson",
]
