"""The public readers: communities, facilities and resident points.

Inputs are RFC 7946 FeatureCollections (a file path, ``bytes`` or an in-memory mapping),
lon/lat WGS84 unless a CRS or a Chinese map datum is named. Every problem gets one of three
decisions (``docs/reference/input-problems.md`` lists them all):

- **stop**: the file as a whole cannot be used (not found, over a :class:`Limits` limit, not
  UTF-8, not JSON, not a FeatureCollection, an unknown CRS): :class:`~livable.errors.InputError`
  (or its subclasses) naming the file and the fix;
- **reject**: one feature cannot be used (no geometry, NaN coordinates, swapped lon/lat, a
  duplicate id, text where a number belongs, ...): it is listed in ``rejected`` with its file,
  index, id and the reason, and the others are read;
- **repair**: one feature is usable once fixed (a self-intersecting polygon is repaired with
  :func:`shapely.make_valid`, an unclosed ring is closed): it is read and listed in
  ``repaired``.

With ``strict=True`` the first problem in file order (reject or repair) raises
:class:`~livable.errors.InputError` instead. Nothing is dropped silently: every input feature
ends in the layer or in ``rejected``.

>>> fc = {"type": "FeatureCollection", "features": [
...     {"type": "Feature", "properties": {"id": "c1", "population": 3000},
...      "geometry": {"type": "Point", "coordinates": [108.94, 34.26]}},
...     {"type": "Feature", "properties": {"id": "c2"}, "geometry": None}]}
>>> layer = read_communities(fc)
>>> [c.id for c in layer.communities], [r.reason for r in layer.rejected]
(['c1'], ['feature has no geometry (null): give its Polygon, MultiPolygon or Point'])

Every reader (streets too, :func:`livable.io.read_streets`) is one
:class:`~livable.io._reader.FeatureReader` spec run by the same skeleton
(:func:`~livable.io._reader.read_features`); this module builds the layers from what it
kept.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from typing import Any, Unpack

import numpy as np
import numpy.typing as npt
import shapely

from livable.io._coordinates import AREA_MARGIN_DEG, PROJECTED_MARGIN_DEG
from livable.io._fast import fast_facilities
from livable.io._reader import FeatureReader, ReadOptions, read_features
from livable.io._shapes import (
    community_geometry,
    facility_geometry,
    resident_geometry,
)
from livable.io._validate import (
    COMMUNITY_KEYS,
    MAX_POPULATION,
    QUALITY_MAX,
    QUALITY_MIN,
    RADIUS_KEYS,
    community_problem,
    facility_problem,
    fast_id,
    plain_point,
    resident_problem,
)
from livable.io.layers import (
    CommunityLayer,
    FacilityLayer,
    FeatureSource,
    Limits,
    PropertyAttributes,
    ResidentLayer,
)
from livable.models import FACILITY_TYPES, Community
from livable.models.results import Rejection, SourceInfo

__all__ = [
    "AREA_MARGIN_DEG",
    "MAX_POPULATION",
    "PROJECTED_MARGIN_DEG",
    "QUALITY_MAX",
    "QUALITY_MIN",
    "CommunityLayer",
    "FacilityLayer",
    "FeatureSource",
    "Limits",
    "ReadOptions",
    "Rejection",
    "ResidentLayer",
    "SourceInfo",
    "read_communities",
    "read_facilities",
    "read_residents",
]

COMMUNITIES = FeatureReader(
    "community",
    "communities",
    "--communities-crs",
    community_geometry,
    check=community_problem,
    repair=True,
    names=frozenset((*COMMUNITY_KEYS, *RADIUS_KEYS)),
    all_names=False,
)
"""How communities are read: an id each, unique; Polygon, MultiPolygon or Point."""

RESIDENTS = FeatureReader(
    "resident point",
    "residents",
    "--residents-crs",
    resident_geometry,
    properties="required",
    check=resident_problem,
    unique_ids=False,
    columns=True,
    names=frozenset({"id", "community", "population"}),
)
"""How resident points are read: Points with ``population`` and ``community``; no ids."""


def facility_reader(known: Collection[str]) -> FeatureReader:
    """How facilities of the ``known`` types are read (Points on a fast path, areas kept).

    >>> facility_reader({"clinic"}).noun
    'facility'
    """
    return FeatureReader(
        "facility",
        "facilities",
        "--facilities-crs",
        facility_geometry,
        check=functools.partial(facility_problem, known=known),
        ids=fast_id,
        plain=functools.partial(plain_point, known=known),
        repair=True,
        columns=True,
        names=frozenset({"id", "type", "name", "brand", "quality"}),
        all_names=False,
    )


def read_communities(source: FeatureSource, **options: Unpack[ReadOptions]) -> CommunityLayer:
    """Read and validate communities; geometries are returned in WGS84 lon/lat.

    ``crs`` names the source CRS (else the legacy GeoJSON ``crs`` member, else WGS84);
    ``datum`` names a Chinese map-vendor datum (``gcj02``, ``bd09``) of lon/lat input.
    Invalid polygons are repaired with :func:`shapely.make_valid` and listed in
    ``repaired``; other problems reject the feature (or raise, with ``strict``). Every
    feature ends in ``communities`` or ``rejected``. Shapefiles, GeoPackages, FlatGeobuf,
    GeoParquet and CSV are read by suffix (see :mod:`livable.io.gis`; ``encoding``
    names a shapefile's or CSV's text encoding), and a GeoDataFrame's own CRS is honoured.

    >>> bad = {"type": "FeatureCollection", "features": [{"type": "Feature",
    ...     "properties": {"id": "c1", "population": "3000"},
    ...     "geometry": {"type": "Point", "coordinates": [34.26, 108.94]}}]}
    >>> print(read_communities(bad).rejected[0].reason)
    population must be a number (residents), not the text '3000': write it without quotes,
    e.g. 3000
    >>> read_communities(bad, strict=True)
    Traceback (most recent call last):
    ...
    livable.errors.InputError: <memory>#0 (id 'c1'): population must be a number ...
    """
    read = read_features(source, COMMUNITIES, **options)
    out = read.out
    geom_of = dict(zip(read.shape_rows.tolist(), read.shapes, strict=True))
    communities: list[Community] = []
    sources: list[str] = []
    for index, props in zip(read.rows.tolist(), read.properties(), strict=True):
        fid = read.ids[index]
        assert fid is not None
        try:
            community = Community(
                id=fid,
                geometry=geom_of[index],
                name=props.get("name"),
                population=props.get("population"),
                district=props.get("district"),
                subdistrict=props.get("subdistrict"),
                zone=props.get("zone"),
                attributes={k: v for k, v in props.items() if k not in COMMUNITY_KEYS},
            )
        except (TypeError, ValueError) as exc:  # checked above; kept as a safety net
            out.reject(index, fid, str(exc))
            continue
        communities.append(community)
        sources.append(out.where(index))
    rejected, repaired = read.result()
    return CommunityLayer(
        communities=tuple(communities),
        rejected=rejected,
        repaired=repaired,
        source=read.info,
        count=len(read.features),
        sources=tuple(sources),
    )


def read_facilities(
    source: FeatureSource,
    *,
    known_types: Collection[str] | None = None,
    **options: Unpack[ReadOptions],
) -> FacilityLayer:
    """Read and validate facilities into columns (WGS84 lon/lat).

    Points take a fast path; areas (a park, a campus) keep their geometry so distances
    reach their nearest edge. ``known_types`` (default: the built-in facility types)
    rejects features whose ``type`` is missing or unknown. GIS files, CSV and
    GeoDataFrames are read as in :func:`read_communities`.

    >>> fc = {"type": "FeatureCollection", "features": [{"type": "Feature",
    ...     "properties": {"id": "f1", "type": "Clinic"},
    ...     "geometry": {"type": "Point", "coordinates": [108.94, 34.26]}}]}
    >>> read_facilities(fc).rejected[0].reason
    "unknown facility type 'Clinic' (did you mean 'clinic'? `livable plugins` lists ...)"
    """
    if known_types is None:
        known_types = FACILITY_TYPES.keys()
    known = set(known_types)
    fast = fast_facilities(source, known, options)
    if fast is not None:
        return fast
    read = read_features(source, facility_reader(known), **options)
    lon, lat = read.lon, read.lat
    areas: npt.NDArray[np.object_] | None = None
    if read.shape_rows.size:
        areas = np.full(read.rows.size, None, dtype=object)
        rows_of = np.searchsorted(read.rows, read.shape_rows)
        areas[rows_of] = read.shapes
        inside = shapely.get_coordinates(shapely.point_on_surface(read.shapes))
        lon[rows_of], lat[rows_of] = inside[:, 0], inside[:, 1]
    kept_props = read.properties()
    rejected, repaired = read.result()
    return FacilityLayer(
        ids=np.array([read.ids[i] for i in read.rows.tolist()], dtype=object),
        types=np.array([p["type"] for p in kept_props], dtype=object),
        lon=lon,
        lat=lat,
        names=np.array([_text(p.get("name")) for p in kept_props], dtype=object),
        brands=np.array([_text(p.get("brand")) for p in kept_props], dtype=object),
        quality=np.array(
            [np.nan if (q := p.get("quality")) is None else float(q) for p in kept_props],
            dtype=np.float64,
        ),
        attributes=PropertyAttributes(kept_props),
        areas=areas,
        rejected=rejected,
        repaired=repaired,
        source=read.info,
        count=len(read.features),
    )


def read_residents(source: FeatureSource, **options: Unpack[ReadOptions]) -> ResidentLayer:
    """Read residential points: Points with ``population`` and ``community`` properties.

    Coordinates as for :func:`read_facilities` (``crs``, the legacy ``crs`` member,
    ``datum``). A feature that is not a Point, lacks a ``community`` id, or has a
    ``population`` that is not a number >= 0 is rejected (or raises, with ``strict``).
    Ids are optional.

    >>> fc = {"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {"community": "c1", "population": 120},
    ...      "geometry": {"type": "Point", "coordinates": [108.94, 34.26]}},
    ...     {"type": "Feature", "properties": {"community": "c1", "population": -5},
    ...      "geometry": {"type": "Point", "coordinates": [108.95, 34.26]}}]}
    >>> layer = read_residents(fc)
    >>> layer.population.tolist(), layer.community.tolist(), [r.reason for r in layer.rejected]
    ([120.0], ['c1'], ['population must be >= 0, not -5'])
    """
    read = read_features(source, RESIDENTS, **options)
    props = read.properties()
    rejected, _ = read.result()
    return ResidentLayer(
        lon=read.lon,
        lat=read.lat,
        population=np.array([float(p["population"]) for p in props], dtype=np.float64),
        community=np.array([str(p["community"]).strip() for p in props], dtype=object),
        feature_index=read.rows,
        rejected=rejected,
        source=read.info,
        count=len(read.features),
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = (value if type(value) is str else str(value)).strip()
    return text or None
