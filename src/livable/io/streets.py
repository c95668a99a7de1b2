"""Reading streets for the walking network: LineString/MultiLineString features with an id.

The ``network`` distance provider (:mod:`livable.geometry.network`) measures on the
:class:`~livable.io.layers.StreetLayer` this returns; the reader is the same skeleton as
every other layer's (:mod:`livable.io._reader`).

>>> fc = {"type": "FeatureCollection", "features": [
...     {"type": "Feature", "properties": {"id": "s1"}, "geometry":
...      {"type": "LineString", "coordinates": [[108.94, 34.26], [108.95, 34.26]]}},
...     {"type": "Feature", "properties": {"id": "s2"}, "geometry":
...      {"type": "Point", "coordinates": [108.94, 34.26]}}]}
>>> layer = read_streets(fc)
>>> layer.ids.tolist(), [(r.source, r.reason) for r in layer.rejected]
(['s1'], [('<memory>#1', 'a street must be a LineString or MultiLineString, not a Point')])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

import numpy as np

from livable.io._reader import FeatureReader, ReadOptions, read_features
from livable.io._shapes import street_geometry
from livable.io.layers import FeatureSource, StreetLayer

__all__ = ["STREETS", "read_streets"]

STREETS = FeatureReader("street", "streets", "--streets-crs", street_geometry, properties="ignored")
"""How streets are read: an id each, unique; LineString or MultiLineString of non-zero
length; properties do not reject a street (only a text ``name`` is kept)."""


def _street_names(properties: list[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    """Per street, ``{"name": ...}`` when it has a text name (as the OpenStreetMap import
    writes), else ``{}``; ``()`` when no street has one, as for a layer with no properties."""
    names = [p.get("name") for p in properties]
    if not any(isinstance(n, str) and n.strip() for n in names):
        return ()
    return tuple({"name": n.strip()} if isinstance(n, str) and n.strip() else {} for n in names)


def read_streets(source: FeatureSource, **options: Unpack[ReadOptions]) -> StreetLayer:
    """Read and validate streets (LineString/MultiLineString features with an ``id``).

    As the other readers do, each bad feature is rejected with its ``file#index``, id
    and reason (with ``strict``, the first one in file order raises
    :class:`~livable.errors.InputError`); coordinates outside the CRS's area are
    rejected; lines are returned in WGS84 lon/lat. ``crs``, ``datum`` and ``encoding`` as
    for :func:`~livable.read_communities`. A street's text ``name`` property is kept in
    ``properties`` (the handbook names the street a facility is on); other properties are
    not read.

    >>> read_streets({"type": "FeatureCollection", "features": []}).count
    0
    >>> line = {"type": "LineString", "coordinates": [[108.94, 34.26], [108.95, 34.26]]}
    >>> read_streets({"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {"id": "s1", "name": "长安路"}, "geometry": line},
    ...     {"type": "Feature", "properties": {"id": "s2", "lanes": 2}, "geometry": line},
    ... ]}).properties
    ({'name': '长安路'}, {})
    """
    read = read_features(source, STREETS, **options)
    rejected, _ = read.result()
    return StreetLayer(
        ids=np.array([read.ids[i] for i in read.rows.tolist()], dtype=object),
        lines=read.shapes,
        properties=_street_names(read.properties()),
        rejected=rejected,
        source=read.info,
        count=len(read.features),
    )
