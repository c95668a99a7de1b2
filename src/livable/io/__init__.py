"""Every way data comes in: GeoJSON, CSV and GIS files, GeoParquet, GeoDataFrames, OSM and
Amap exports, streets, resident points, and merging duplicate facilities.

The readers (:func:`~livable.read_communities`, :func:`~livable.read_facilities`,
:func:`~livable.read_residents`, :func:`read_streets`) validate each
feature and list the ones they reject with the reason; the importers turn
real data (:func:`read_osm`, :func:`read_amap`) into facility layers; :func:`dedupe_facilities`
merges the same facility from two sources. Each importer imports its optional dependency
when called, so ``import livable`` stays light.
"""

from __future__ import annotations

from livable.io._common import (
    ImportResult,
    facilities_to_geojson,
    streets_to_geojson,
    type_counts,
    write_geojson,
)
from livable.io.amap import AmapTable, load_amap_typecodes, read_amap
from livable.io.dedupe import (
    DedupeResult,
    Merge,
    concat_facilities,
    dedupe_facilities,
    name_similarity,
)
from livable.io.layers import StreetLayer
from livable.io.osm import OsmMapping, load_osm_mapping, read_osm
from livable.io.readers import (
    AREA_MARGIN_DEG,
    MAX_POPULATION,
    PROJECTED_MARGIN_DEG,
    QUALITY_MAX,
    QUALITY_MIN,
    CommunityLayer,
    FacilityLayer,
    FeatureSource,
    Limits,
    ReadOptions,
    ResidentLayer,
    read_communities,
    read_facilities,
    read_residents,
)
from livable.io.streets import read_streets
from livable.models.results import Rejection, SourceInfo

__all__ = [
    "AREA_MARGIN_DEG",
    "MAX_POPULATION",
    "PROJECTED_MARGIN_DEG",
    "QUALITY_MAX",
    "QUALITY_MIN",
    "AmapTable",
    "CommunityLayer",
    "DedupeResult",
    "FacilityLayer",
    "FeatureSource",
    "ImportResult",
    "Limits",
    "Merge",
    "OsmMapping",
    "ReadOptions",
    "Rejection",
    "ResidentLayer",
    "SourceInfo",
    "StreetLayer",
    "concat_facilities",
    "dedupe_facilities",
    "facilities_to_geojson",
    "load_amap_typecodes",
    "load_osm_mapping",
    "name_similarity",
    "read_amap",
    "read_communities",
    "read_facilities",
    "read_osm",
    "read_residents",
    "read_streets",
    "streets_to_geojson",
    "type_counts",
    "write_geojson",
]
