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

from typing import Unpack

import numpy as np

from livable.io._reader import FeatureReader, ReadOptions, read_features
from livable.io._shapes import street_geometry
from livable.io.layers import FeatureSource, StreetLayer

__all__ = ["STREETS", "read_streets"]

STREETS = FeatureReader("street", "streets", "--streets-crs", street_geometry, properties="ignored")
"""How streets are read: an id each, unique; LineString or MultiLineString of non-zero
length; properties are not looked at."""


def read_streets(source: FeatureSource, **options: Unpack[ReadOptions]) -> StreetLayer:
    """Read and validate streets (LineString/MultiLineString features with an ``id``).

    As the other readers do, each bad feature is rejected with its ``file#index``, id
    and reason (with ``strict``, the first one in file order raises
    :class:`~livable.errors.InputError`); coordinates outside the CRS's area are
    rejected; lines are returned in WGS84 lon/lat. ``crs``, ``datum`` and ``encoding`` as
    for :func:`~livable.read_communities`.

    >>> read_streets({"type": "FeatureCollection", "features": []}).count
    0
    """
    read = read_features(source, STREETS, **options)
    rejected, _ = read.result()
    return StreetLayer(
        ids=np.array([read.ids[i] for i in read.rows.tolist()], dtype=object),
        lines=read.shapes,
        rejected=rejected,
        source=read.info,
        count=len(read.features),
    )
