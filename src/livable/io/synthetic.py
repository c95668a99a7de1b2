"""Seeded synthetic cities for benchmarks, tests and planning experiments (not real places).

:func:`synthetic_city` draws a city of ``n_communities`` residential communities and
``n_facilities`` service facilities around a centre (Xi'an's by default) from a fixed
random seed, so every run of a benchmark or test sees the same city. The spatial model is
that of a real Chinese city at the scale the plan works at: a dense monocentric core whose
density decays exponentially, a few sub-centres, commercial streets (runs of collinear
facilities) and a thin uniform background, all inside a square of ``extent_km``. Facility
types are drawn with unequal frequencies (restaurants are common, community reading rooms
rare), so rare types leave some communities without one nearby, as real data do.

The result comes two ways: GeoJSON-like mappings (:meth:`SyntheticCity.communities_geojson`,
:meth:`SyntheticCity.facilities_geojson`, :meth:`SyntheticCity.write`) for anything that
reads files, and columns (the arrays of :class:`SyntheticCity`,
:meth:`SyntheticCity.facility_layer`, :meth:`SyntheticCity.community_layer`) for the hot
path, without half a million dictionaries.

>>> city = synthetic_city(20, 1_000, seed=7)
>>> len(city.community_ids), len(city.facility_ids), city.type_ids[0]
(20, 1000, 'transit_stop')
>>> fc = city.facilities_geojson()
>>> fc["features"][0]["properties"]["id"], fc["features"][0]["geometry"]["type"]
('f0000000', 'Point')
>>> bool((synthetic_city(20, 1_000, seed=7).facility_lon == city.facility_lon).all())
True
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import orjson
import shapely

from livable.io.readers import CommunityLayer, FacilityLayer
from livable.models import FACILITY_TYPES, Community

__all__ = ["TYPE_WEIGHTS", "SyntheticCity", "synthetic_city"]

TYPE_WEIGHTS: dict[str, float] = {
    "transit_stop": 9.0,
    "convenience_store": 10.0,
    "vegetable_store": 5.0,
    "fitness_venue": 3.0,
    "leisure_space": 4.0,
    "community_library": 0.6,
    "kindergarten": 2.0,
    "clinic": 3.0,
    "elderly_care_station": 1.0,
    "government_service_station": 0.8,
    "breakfast_outlet": 6.0,
    "restaurant": 24.0,
    "bank": 4.0,
    "hotel": 5.0,
    "attraction": 0.8,
    "entertainment_venue": 4.0,
    "school": 1.2,
    "parcel_point": 5.0,
}
"""Relative frequency of each built-in facility type in a synthetic city (a rough picture of
a Chinese city's points of interest: restaurants and shops common, reading rooms rare)."""

_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON_EQUATOR = 111_320.0


@attrs.frozen(eq=False)
class SyntheticCity:
    """A synthetic city as columns (WGS84 lon/lat), with GeoJSON views of it.

    Communities are rotated rectangles (``community_geometries``, shapely, WGS84) with a
    resident ``community_population``; facilities are points of ``facility_types``
    (ids of :data:`~livable.models.FACILITY_TYPES`, from ``type_ids``).
    """

    community_ids: npt.NDArray[np.object_]
    community_geometries: npt.NDArray[np.object_]
    community_population: npt.NDArray[np.int64]
    facility_ids: npt.NDArray[np.object_]
    facility_types: npt.NDArray[np.object_]
    facility_lon: npt.NDArray[np.float64]
    facility_lat: npt.NDArray[np.float64]
    facility_brand: npt.NDArray[np.object_]
    type_ids: tuple[str, ...]
    seed: int

    def communities_geojson(self) -> dict[str, Any]:
        """The communities as a GeoJSON FeatureCollection mapping (WGS84).

        >>> fc = synthetic_city(3, 10, seed=1).communities_geojson()
        >>> fc["features"][0]["geometry"]["type"], sorted(fc["features"][0]["properties"])
        ('Polygon', ['id', 'name', 'population'])
        """
        features = []
        for cid, geom, pop in zip(
            self.community_ids, self.community_geometries, self.community_population, strict=True
        ):
            ring = np.round(shapely.get_coordinates(geom), 7).tolist()
            features.append(
                {
                    "type": "Feature",
                    "properties": {"id": cid, "name": f"社区 {cid}", "population": int(pop)},
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            )
        return {"type": "FeatureCollection", "features": features}

    def facilities_geojson(self) -> dict[str, Any]:
        """The facilities as a GeoJSON FeatureCollection mapping of Points (WGS84).

        >>> f = synthetic_city(3, 10, seed=1).facilities_geojson()["features"][0]
        >>> sorted(f["properties"])
        ['id', 'name', 'type']
        """
        lon = np.round(self.facility_lon, 7).tolist()
        lat = np.round(self.facility_lat, 7).tolist()
        labels = {t: FACILITY_TYPES[t].label_zh for t in self.type_ids}
        features = []
        for fid, ftype, brand, x, y in zip(
            self.facility_ids.tolist(),
            self.facility_types.tolist(),
            self.facility_brand.tolist(),
            lon,
            lat,
            strict=True,
        ):
            props: dict[str, Any] = {"id": fid, "type": ftype, "name": f"{labels[ftype]}{fid}"}
            if brand is not None:
                props["brand"] = brand
            features.append(
                {
                    "type": "Feature",
                    "properties": props,
                    "geometry": {"type": "Point", "coordinates": [x, y]},
                }
            )
        return {"type": "FeatureCollection", "features": features}

    def write(self, folder: str | os.PathLike[str]) -> tuple[Path, Path]:
        """Write ``communities.geojson`` and ``facilities.geojson`` into ``folder``.

        Returns the two paths. The files are UTF-8 RFC 7946 GeoJSON.

        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     c, f = synthetic_city(3, 10, seed=1).write(tmp)
        ...     c.name, f.stat().st_size > 0
        ('communities.geojson', True)
        """
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        communities = out / "communities.geojson"
        facilities = out / "facilities.geojson"
        communities.write_bytes(orjson.dumps(self.communities_geojson()))
        facilities.write_bytes(orjson.dumps(self.facilities_geojson()))
        return communities, facilities

    def facility_layer(self) -> FacilityLayer:
        """The facilities as a :class:`~livable.io.FacilityLayer` (columns, no parsing).

        >>> len(synthetic_city(3, 10, seed=1).facility_layer())
        10
        """
        n = len(self.facility_ids)
        return FacilityLayer(
            ids=self.facility_ids,
            types=self.facility_types,
            lon=self.facility_lon,
            lat=self.facility_lat,
            names=np.full(n, None, dtype=object),
            brands=self.facility_brand,
            quality=np.full(n, np.nan),
            attributes=({},) * n,
            count=n,
        )

    def community_layer(self) -> CommunityLayer:
        """The communities as a :class:`~livable.io.CommunityLayer` of model objects.

        >>> synthetic_city(3, 10, seed=1).community_layer().communities[0].id
        'c00000'
        """
        items = tuple(
            Community(id=cid, geometry=geom, population=int(pop))
            for cid, geom, pop in zip(
                self.community_ids,
                self.community_geometries,
                self.community_population,
                strict=True,
            )
        )
        return CommunityLayer(communities=items, count=len(items))


def _resolve_types(n_types: int | Sequence[str] | None) -> tuple[str, ...]:
    builtin = tuple(FACILITY_TYPES)
    if n_types is None:
        return builtin
    if isinstance(n_types, int):
        if not 1 <= n_types <= len(builtin):
            raise ValueError(f"n_types must be between 1 and {len(builtin)}, not {n_types}")
        return builtin[:n_types]
    chosen = tuple(n_types)
    unknown = [t for t in chosen if t not in FACILITY_TYPES]
    if unknown or not chosen:
        raise ValueError(f"unknown or no facility types: {unknown}")
    return chosen


class _Sampler:
    """Draws positions (metres from the centre) from the city's density model."""

    def __init__(self, rng: np.random.Generator, half: float):
        self.rng = rng
        self.half = half
        k = 6
        angle = rng.uniform(0.0, 2 * math.pi, k)
        dist = rng.uniform(0.25, 0.6, k) * half
        self.sub_x = dist * np.cos(angle)
        self.sub_y = dist * np.sin(angle)
        self.sub_sigma = rng.uniform(0.08, 0.16, k) * half
        n_streets = 40
        self.street_x0 = rng.uniform(-0.7, 0.7, n_streets) * half
        self.street_y0 = rng.uniform(-0.7, 0.7, n_streets) * half
        self.street_angle = rng.choice([0.0, math.pi / 2], n_streets) + rng.normal(
            0.0, 0.05, n_streets
        )
        self.street_len = rng.uniform(0.1, 0.4, n_streets) * half

    def _raw(self, n: int, street_share: float) -> tuple[npt.NDArray[np.float64], ...]:
        rng = self.rng
        kind = rng.choice(
            4, size=n, p=[0.35, 0.30 - street_share / 2, 0.35 - street_share / 2, street_share]
        )
        x = np.empty(n)
        y = np.empty(n)
        core = kind == 0
        r = rng.exponential(self.half / 2.5, core.sum())
        th = rng.uniform(0.0, 2 * math.pi, core.sum())
        x[core], y[core] = r * np.cos(th), r * np.sin(th)
        sub = kind == 1
        which = rng.integers(0, len(self.sub_x), sub.sum())
        x[sub] = rng.normal(self.sub_x[which], self.sub_sigma[which])
        y[sub] = rng.normal(self.sub_y[which], self.sub_sigma[which])
        bg = kind == 2
        x[bg] = rng.uniform(-self.half, self.half, bg.sum())
        y[bg] = rng.uniform(-self.half, self.half, bg.sum())
        st = kind == 3
        s = rng.integers(0, len(self.street_x0), st.sum())
        along = rng.uniform(0.0, 1.0, st.sum()) * self.street_len[s]
        # shops line the street: exactly collinear, on 5 m plots
        along = np.round(along / 5.0) * 5.0
        x[st] = self.street_x0[s] + along * np.cos(self.street_angle[s])
        y[st] = self.street_y0[s] + along * np.sin(self.street_angle[s])
        return x, y

    def sample(self, n: int, street_share: float = 0.0) -> tuple[npt.NDArray[np.float64], ...]:
        xs: list[npt.NDArray[np.float64]] = []
        ys: list[npt.NDArray[np.float64]] = []
        have = 0
        while have < n:
            x, y = self._raw(int((n - have) * 1.3) + 16, street_share)
            ok = (np.abs(x) <= self.half) & (np.abs(y) <= self.half)
            xs.append(x[ok])
            ys.append(y[ok])
            have += int(ok.sum())
        return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def synthetic_city(
    n_communities: int,
    n_facilities: int,
    *,
    seed: int,
    n_types: int | Sequence[str] | None = None,
    extent_km: float = 30.0,
    centre: tuple[float, float] = (108.94, 34.26),
) -> SyntheticCity:
    """Draw a synthetic city from ``seed`` (the same seed gives the same city).

    ``n_types`` is the number of built-in facility types to use, in
    :data:`~livable.models.FACILITY_TYPES` order (17 leaves out ``parcel_point``; ``None``,
    the default, uses all 18), or a sequence of type ids. ``extent_km`` is the side of the
    square the city fills, ``centre`` its lon/lat. Communities are rotated rectangles of
    150-1,500 m sides (median about 500 m) with 10,000-25,000 residents per km2;
    facilities are points, 10 % of them on straight commercial streets.

    >>> city = synthetic_city(100, 5_000, seed=3, n_types=17, extent_km=10.0)
    >>> sorted(set(city.facility_types)) == sorted(city.type_ids), "parcel_point" in city.type_ids
    (True, False)
    >>> west, south, east, north = shapely.total_bounds(city.community_geometries)
    >>> bool(108.88 < west < east < 109.0 and 34.2 < south < north < 34.32)
    True
    """
    if n_communities < 0 or n_facilities < 0:
        raise ValueError("n_communities and n_facilities must not be negative")
    if not (isinstance(extent_km, int | float) and extent_km > 0):
        raise ValueError(f"extent_km must be positive, not {extent_km!r}")
    types = _resolve_types(n_types)
    rng = np.random.default_rng(seed)
    half = extent_km * 500.0
    sampler = _Sampler(rng, half)
    lon0, lat0 = centre
    m_per_lon = _M_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat0))

    # communities: rotated rectangles around centres drawn from the residential density
    cx, cy = sampler.sample(n_communities)
    w = np.clip(rng.lognormal(math.log(500.0), 0.45, n_communities), 150.0, 1500.0)
    h = np.clip(w * rng.lognormal(0.0, 0.3, n_communities), 150.0, 1500.0)
    angle = rng.uniform(0.0, math.pi, n_communities)
    corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5], [-0.5, -0.5]])
    dx = corners[None, :, 0] * w[:, None]
    dy = corners[None, :, 1] * h[:, None]
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    px = cx[:, None] + dx * cos - dy * sin
    py = cy[:, None] + dx * sin + dy * cos
    ring_lon = lon0 + px / m_per_lon
    ring_lat = lat0 + py / _M_PER_DEG_LAT
    coords = np.stack([ring_lon, ring_lat], axis=-1)
    geoms = shapely.polygons(coords) if n_communities else np.zeros(0, dtype=object)
    density = rng.uniform(10_000.0, 25_000.0, n_communities)
    population = np.maximum(np.round(w * h / 1e6 * density), 100).astype(np.int64)

    # facilities: the same city, busier, with commercial streets
    fx, fy = sampler.sample(n_facilities, street_share=0.10)
    weights = np.array([TYPE_WEIGHTS.get(t, 1.0) for t in types])
    codes = rng.choice(len(types), size=n_facilities, p=weights / weights.sum())
    type_arr = np.array(types, dtype=object)[codes] if n_facilities else np.zeros(0, dtype=object)
    brand = np.full(n_facilities, None, dtype=object)
    branded = (type_arr == "convenience_store") & (rng.random(n_facilities) < 0.6)
    brand[branded] = rng.choice(
        np.array(["美宜佳", "全家", "罗森", "见福"], dtype=object), int(branded.sum())
    )
    return SyntheticCity(
        community_ids=np.array([f"c{i:05d}" for i in range(n_communities)], dtype=object),
        community_geometries=np.asarray(geoms, dtype=object),
        community_population=population,
        facility_ids=np.array([f"f{i:07d}" for i in range(n_facilities)], dtype=object),
        facility_types=type_arr,
        facility_lon=lon0 + fx / m_per_lon,
        facility_lat=lat0 + fy / _M_PER_DEG_LAT,
        facility_brand=brand,
        type_ids=types,
        seed=seed,
    )
