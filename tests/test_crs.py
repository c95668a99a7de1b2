"""Tests for :mod:`livable.geometry.crs` (the working CRS) and :mod:`livable.io.crs`
(input CRSs into WGS-84)."""

from __future__ import annotations

import attrs
import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from livable.errors import CRSError, InputError
from livable.geometry import crs as crs_module
from livable.geometry.crs import Projector, choose_working_crs, max_scale_error
from livable.io import crs as io_crs
from livable.io.crs import WGS84, crs_from_geojson, geometry_to_wgs84, resolve_crs, to_wgs84
from livable.io.datums import gcj02_to_wgs84, wgs84_to_gcj02

GEOD = pyproj.Geod(ellps="WGS84")
XIAN = (108.94, 34.26)
UTM49 = pyproj.CRS.from_epsg(32649)
# CGCS2000 3-degree Gauss-Kruger CM 114E, written out independently of the EPSG entry
# (on the WGS-84 ellipsoid; GRS80 differs by 0.1 mm in the semi-minor axis).
GK114 = "+proj=tmerc +lat_0=0 +lon_0=114 +k=1 +x_0=500000 +y_0=0 +ellps=WGS84 +units=m"
GK114_FROM_WGS84 = pyproj.Transformer.from_crs(WGS84, GK114, always_xy=True)


def metres(lon1: object, lat1: object, lon2: object, lat2: object) -> np.ndarray:
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


# --- resolve_crs ------------------------------------------------------------------------


def test_wgs84_constant() -> None:
    assert WGS84.to_epsg() == 4326
    assert WGS84.is_geographic


@pytest.mark.parametrize(
    ("value", "epsg"),
    [
        (None, 4326),
        (4547, 4547),
        (4490, 4490),
        ("EPSG:4547", 4547),
        ("epsg:4490", 4490),
        ("4547", 4547),
        (" 4326 ", 4326),
        ("urn:ogc:def:crs:EPSG::4547", 4547),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", 4326),
        ("OGC:CRS84", 4326),
        ("http://www.opengis.net/def/crs/EPSG/0/4490", 4490),
        ("+proj=utm +zone=49 +datum=WGS84 +units=m +no_defs", 32649),
        ("EPSG:4547+5773", 4547),  # compound: horizontal part
        (pyproj.CRS.from_epsg(4547).to_wkt(), 4547),
        (pyproj.CRS.from_epsg(32649).to_wkt("WKT1_GDAL"), 32649),
    ],
)
def test_resolve_crs_accepted_forms(value: str | int | None, epsg: int) -> None:
    crs = resolve_crs(value)
    assert isinstance(crs, pyproj.CRS)
    assert crs.to_epsg() == epsg


def test_resolve_crs84_is_wgs84_lonlat() -> None:
    assert resolve_crs("urn:ogc:def:crs:OGC:1.3:CRS84") is WGS84
    assert resolve_crs(None) is WGS84


def test_resolve_crs_passes_crs_objects_through() -> None:
    crs = pyproj.CRS.from_epsg(4547)
    assert resolve_crs(crs) is crs


@pytest.mark.parametrize(
    "value",
    ["EPSG:999999", "foo", "", "urn:ogc:def:crs:EPSG::0", "+proj=nonsense", 999999, 0],
)
def test_resolve_crs_unknown(value: str | int) -> None:
    with pytest.raises(CRSError) as info:
        resolve_crs(value, source="communities.geojson")
    message = str(info.value)
    assert message.startswith("communities.geojson: ")
    assert repr(value) in message
    assert "EPSG" in message  # says what to give instead
    assert isinstance(info.value, InputError)
    assert info.value.source == "communities.geojson"


@pytest.mark.parametrize("value", [True, 4326.0, [4326], {"init": "epsg:4326"}])
def test_resolve_crs_wrong_type(value: object) -> None:
    with pytest.raises(CRSError, match="cannot use"):
        resolve_crs(value)  # type: ignore[arg-type]


def test_resolve_crs_datum_name_hint() -> None:
    with pytest.raises(CRSError, match="map datum"):
        resolve_crs("gcj02")
    with pytest.raises(CRSError, match="map datum"):
        resolve_crs("BD-09")


@pytest.mark.parametrize("value", ["EPSG:4978", "EPSG:5773"])  # geocentric, vertical
def test_resolve_crs_rejects_non_horizontal(value: str) -> None:
    with pytest.raises(CRSError, match="neither geographic nor projected"):
        resolve_crs(value, source="x.geojson")


# --- crs_from_geojson -----------------------------------------------------------------------


def fc(crs: object = None, *, with_member: bool = True) -> dict[str, object]:
    out: dict[str, object] = {"type": "FeatureCollection", "features": []}
    if with_member:
        out["crs"] = crs
    return out


@pytest.mark.parametrize(
    ("member", "epsg"),
    [
        ({"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}}, 4547),
        ({"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}, 4326),
        ({"type": "name", "properties": {"name": "EPSG:4490"}}, 4490),
        ({"type": "Name", "properties": {"name": "EPSG:4326"}}, 4326),
        ({"type": "EPSG", "properties": {"code": 4326}}, 4326),
        ({"type": "EPSG", "properties": {"code": "4547"}}, 4547),
        ("EPSG:4326", 4326),
        ("urn:ogc:def:crs:EPSG::4547", 4547),
    ],
)
def test_crs_from_geojson(member: object, epsg: int) -> None:
    crs = crs_from_geojson(fc(member))
    assert crs is not None
    assert crs.to_epsg() == epsg


def test_crs_from_geojson_absent() -> None:
    assert crs_from_geojson(fc(with_member=False)) is None
    assert crs_from_geojson(fc(None)) is None


@pytest.mark.parametrize(
    ("member", "match"),
    [
        ({"type": "name"}, "unrecognised GeoJSON crs member"),
        ({"type": "name", "properties": {"name": 4326}}, "unrecognised"),
        ({"type": "EPSG", "properties": {"code": True}}, "unrecognised"),
        ({"type": "link", "properties": {"href": "x.wkt", "type": "ogcwkt"}}, "linked"),
        ({"type": "name", "properties": {"name": "urn:bogus"}}, "urn:bogus"),
        (4326, "unrecognised"),
        (["EPSG:4326"], "unrecognised"),
    ],
)
def test_crs_from_geojson_errors(member: object, match: str) -> None:
    with pytest.raises(CRSError, match=match) as info:
        crs_from_geojson(fc(member), source="shops.geojson")
    assert info.value.source == "shops.geojson"


# --- choose_working_crs -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "lon", "lat", "epsg"),
    [
        ("Xi'an", 108.9, 34.3, 32649),
        ("Urumqi", 87.6, 43.8, 32645),
        ("Harbin", 126.6, 45.75, 32652),
        ("Kashgar", 75.99, 39.47, 32643),
        ("Sanya", 109.5, 18.25, 32649),
        ("Sydney", 151.21, -33.87, 32756),
        ("Santiago", -70.65, -33.45, 32719),
        ("Cape Town", 18.42, -33.92, 32734),
        ("London", -0.1278, 51.5074, 32630),
        ("Quito (just south)", -78.47, -0.18, 32717),
    ],
)
def test_choose_working_crs_cities(name: str, lon: float, lat: float, epsg: int) -> None:
    rng = np.random.default_rng(1)
    lons = lon + rng.uniform(-0.15, 0.15, 500)
    lats = lat + rng.uniform(-0.1, 0.1, 500)
    lats = np.clip(lats, lat - 0.1, lat + 0.1)
    if name.startswith("Quito"):
        lats = np.minimum(lats, -0.01)
    crs = choose_working_crs(lons, lats)
    assert crs.to_epsg() == epsg, name
    assert crs.is_projected


def test_choose_working_crs_scalar() -> None:
    assert choose_working_crs(108.9, 34.3).to_epsg() == 32649


def test_choose_working_crs_uses_bbox_centre_not_mean() -> None:
    lon = np.array([100.1] * 10 + [113.9])  # bbox centre 107.0 (zone 48), mean 101.35 (47)
    lat = np.full(lon.shape, 30.0)
    assert choose_working_crs(lon, lat).to_epsg() == 32648


def test_choose_working_crs_hemisphere_by_bbox_centre() -> None:
    assert choose_working_crs([100.0, 100.0], [-1.0, 3.0]).to_epsg() == 32647
    assert choose_working_crs([100.0, 100.0], [-3.0, 1.0]).to_epsg() == 32747


@pytest.mark.parametrize(
    ("lon", "expected"),
    [
        ([178.0, -179.0], 32760),  # across 180: centre 179.5E, not 0.5W
        ([-178.0, 179.0], 32701),  # centre 180.5E = 179.5W
        ([-179.5, -178.0], 32701),
        ([179.5, 181.5], 32701),  # longitudes past 180 are normalised
        ([-0.5, 0.3], 32730),  # across Greenwich: unchanged
    ],
)
def test_choose_working_crs_antimeridian(lon: list[float], expected: int) -> None:
    assert choose_working_crs(lon, [-17.0, -16.0]).to_epsg() == expected


def test_choose_working_crs_ignores_nan() -> None:
    assert choose_working_crs([np.nan, 108.9], [34.3, 34.3]).to_epsg() == 32649


@pytest.mark.parametrize(
    ("lon", "lat"),
    [([], []), (np.array([np.nan]), np.array([np.nan])), ([np.inf], [0.0])],
)
def test_choose_working_crs_empty(lon: list[float], lat: list[float]) -> None:
    with pytest.raises(CRSError, match="no coordinates"):
        choose_working_crs(lon, lat)


def test_choose_working_crs_rejects_projected_input() -> None:
    with pytest.raises(CRSError, match="not WGS-84 longitude/latitude"):
        choose_working_crs([500000.0], [3800000.0])


# --- max_scale_error ------------------------------------------------------------------------


def test_max_scale_error_city_is_small() -> None:
    lon = [XIAN[0] - 0.25, XIAN[0] + 0.25]
    lat = [XIAN[1] - 0.2, XIAN[1] + 0.2]
    err = max_scale_error(choose_working_crs(lon, lat), lon, lat)
    assert 0.0 < err < 1e-3


def test_max_scale_error_on_central_meridian_is_k0() -> None:
    assert max_scale_error(UTM49, [111.0], [0.0]) == pytest.approx(4e-4, abs=1e-9)


def test_max_scale_error_finds_central_meridian_inside_box() -> None:
    # Corners 1.5 degrees either side of 111E: k = 1 - 2.8e-4 there, 1 - 4e-4 on 111E.
    assert max_scale_error(UTM49, [109.5, 112.5], [17.0, 17.5]) == pytest.approx(4e-4, abs=2e-6)


def test_max_scale_error_grows_with_extent() -> None:
    lon, lat = [73.5, 135.0], [18.0, 53.5]  # all of China in one UTM zone
    assert max_scale_error(choose_working_crs(lon, lat), lon, lat) > 0.01


def test_max_scale_error_geographic_raises() -> None:
    with pytest.raises(CRSError, match="not a projected CRS"):
        max_scale_error(WGS84, [108.9], [34.3])


@given(
    lon0=st.floats(74.0, 134.0),
    lat0=st.floats(18.0, 53.0),
    half_width=st.floats(0.05, 4.0),
    fractions=st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4),
)
@settings(max_examples=100, deadline=None)
def test_max_scale_error_bounds_measured_distances(
    lon0: float, lat0: float, half_width: float, fractions: list[float]
) -> None:
    west, east = lon0 - half_width, lon0 + half_width
    south, north = lat0 - half_width / 2, lat0 + half_width / 2
    crs = choose_working_crs([west, east], [south, north])
    bound = max_scale_error(crs, [west, east], [south, north])
    a = (west + fractions[0] * (east - west), south + fractions[1] * (north - south))
    b = (west + fractions[2] * (east - west), south + fractions[3] * (north - south))
    geodesic = float(metres(*a, *b))
    assume(geodesic > 100.0)
    x, y = Projector.for_crs(crs).forward([a[0], b[0]], [a[1], b[1]])
    planar = float(np.hypot(x[1] - x[0], y[1] - y[0]))
    # Grid sampling may miss the extreme by (half a grid step)^2 / 2, a few 1e-6.
    assert abs(planar / geodesic - 1.0) <= bound + 1e-5


# --- Projector ------------------------------------------------------------------------------


def test_projector_basics() -> None:
    p = Projector.for_crs(UTM49)
    assert p.name == "EPSG:32649"
    assert p.crs is UTM49
    x, y = p.forward(111.0, 0.0)
    assert (float(x), float(y)) == pytest.approx((500000.0, 0.0), abs=1e-6)
    assert x.shape == ()
    assert x.dtype == np.float64
    lon, lat = p.inverse(np.array([500000.0]), np.array([0.0]))
    assert lon.tolist() == pytest.approx([111.0])
    assert lat.tolist() == pytest.approx([0.0], abs=1e-12)


def test_projector_name_from_proj_string_and_without_code() -> None:
    assert Projector.for_crs(resolve_crs("+proj=utm +zone=45 +datum=WGS84")).name == "EPSG:32645"
    custom = Projector.for_crs(resolve_crs("+proj=tmerc +lon_0=108.9 +ellps=WGS84 +units=m"))
    assert ":" not in custom.name
    assert custom.name == custom.crs.name


def test_projector_gauss_kruger_is_easting_first() -> None:
    # EPSG:4547 declares northing first; always_xy keeps x = easting.
    x, y = Projector.for_crs(pyproj.CRS.from_epsg(4547)).forward(114.0, 30.0)
    assert float(x) == pytest.approx(500000.0, abs=1e-3)
    assert float(y) == pytest.approx(3320000.0, abs=10000.0)


@pytest.mark.parametrize("value", ["EPSG:4326", "EPSG:4490", "EPSG:2264"])  # ftUS
def test_projector_requires_projected_metres(value: str) -> None:
    with pytest.raises(CRSError, match="must be projected, in metres"):
        Projector.for_crs(resolve_crs(value))


def test_projector_is_frozen_slotted_and_compares_by_crs() -> None:
    p = Projector.for_crs(UTM49)
    q = Projector.for_crs(pyproj.CRS.from_epsg(32649))
    assert p == q
    assert hash(p) == hash(q)
    assert p != Projector.for_crs(pyproj.CRS.from_epsg(32650))
    assert not hasattr(p, "__dict__")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        p.crs = WGS84  # type: ignore[misc]


def test_transformers_are_cached() -> None:
    Projector.for_crs(UTM49)
    before = crs_module._transformer.cache_info().hits
    Projector.for_crs(pyproj.CRS.from_epsg(32649))
    assert crs_module._transformer.cache_info().hits == before + 2


@given(
    lon=st.floats(XIAN[0] - 1.0, XIAN[0] + 1.0),
    lat=st.floats(XIAN[1] - 1.0, XIAN[1] + 1.0),
)
@settings(max_examples=200, deadline=None)
def test_projector_round_trip(lon: float, lat: float) -> None:
    p = Projector.for_crs(UTM49)
    back = p.inverse(*p.forward(lon, lat))
    assert float(metres(lon, lat, *back)) < 1e-6


def test_projector_vectorised_shapes() -> None:
    p = Projector.for_crs(UTM49)
    lon, lat = np.meshgrid(np.linspace(108.5, 109.5, 5), np.linspace(34.0, 34.5, 3))
    x, y = p.forward(lon, lat)
    assert x.shape == y.shape == (3, 5)
    x1, y1 = p.forward(lon.ravel(), lat.ravel())
    np.testing.assert_allclose(x.ravel(), x1)
    np.testing.assert_allclose(y.ravel(), y1)
    x, y = p.forward(np.array([]), np.array([]))
    assert x.shape == (0,)
    x, y = p.forward([108.9, np.nan], [34.3, 34.3])
    assert np.isfinite(x[0])
    assert np.isnan(x[1])


def test_projector_geometry() -> None:
    p = Projector.for_crs(UTM49)
    # A 0.01 x 0.01 degree square at Xi'an: about 920 m x 1110 m.
    square = shapely.box(108.94, 34.26, 108.95, 34.27)
    projected = p.forward_geometry(square)
    assert isinstance(projected, shapely.Polygon)
    assert projected.area == pytest.approx(0.01 * 0.01 * 111_000 * 92_000, rel=0.02)
    back = p.inverse_geometry(projected)
    assert shapely.equals_exact(back, square, tolerance=1e-9)

    geoms = np.array(
        [shapely.Point(108.9, 34.3), square, None, shapely.Point(108.9, 34.3, 412.0)],
        dtype=object,
    )
    out = p.forward_geometry(geoms)
    assert isinstance(out, np.ndarray)
    assert out.shape == (4,)
    assert out[2] is None
    assert out[0].x == pytest.approx(float(p.forward(108.9, 34.3)[0]))
    assert out[3].has_z
    assert out[3].z == 412.0
    assert not out[0].has_z
    back_all = p.inverse_geometry(out)
    assert shapely.equals_exact(back_all[1], square, tolerance=1e-9)


# --- to_wgs84 / geometry_to_wgs84 -------------------------------------------------------------


@given(lon=st.floats(112.5, 115.5), lat=st.floats(21.6, 45.4))
@settings(max_examples=200, deadline=None)
def test_epsg4547_matches_wgs84_within_a_metre(lon: float, lat: float) -> None:
    easting, northing = GK114_FROM_WGS84.transform(lon, lat)
    out_lon, out_lat = to_wgs84([easting], [northing], "EPSG:4547")
    assert float(metres(lon, lat, out_lon[0], out_lat[0])) < 1.0


def test_epsg4547_axis_order_matters() -> None:
    easting, northing = GK114_FROM_WGS84.transform(114.3, 30.6)  # Wuhan
    lon, lat = to_wgs84(easting, northing, 4547)
    assert float(metres(114.3, 30.6, lon, lat)) < 1.0
    # Northing first (the EPSG axis order) is wrong here and lands far away.
    lon, lat = to_wgs84(northing, easting, 4547)
    assert float(metres(114.3, 30.6, lon, lat)) > 1_000_000.0


def test_cgcs2000_geographic_is_wgs84_equivalent() -> None:
    lon = np.array([108.9, 87.6, 126.6])
    lat = np.array([34.3, 43.8, 45.75])
    out_lon, out_lat = to_wgs84(lon, lat, "EPSG:4490")
    np.testing.assert_allclose(out_lon, lon, atol=1e-9)
    np.testing.assert_allclose(out_lat, lat, atol=1e-9)


@pytest.mark.parametrize("crs", [WGS84, "OGC:CRS84", 4326, "EPSG:4326"])
def test_wgs84_input_is_identity(crs: object) -> None:
    lon, lat = to_wgs84([108.9, -0.1], [34.3, 51.5], crs)  # type: ignore[arg-type]
    assert lon.tolist() == [108.9, -0.1]
    assert lat.tolist() == [34.3, 51.5]


def test_to_wgs84_from_utm() -> None:
    p = Projector.for_crs(UTM49)
    x, y = p.forward([108.9, 109.1], [34.3, 34.2])
    lon, lat = to_wgs84(x, y, UTM49)
    assert metres([108.9, 109.1], [34.3, 34.2], lon, lat).max() < 1e-6


@pytest.mark.parametrize("datum", ["gcj02", "bd09"])
def test_to_wgs84_applies_datum_after_crs(datum: str) -> None:
    lon, lat = wgs84_to_gcj02([116.404, 108.9], [39.915, 34.3])
    if datum == "bd09":
        from livable.io.datums import gcj02_to_bd09

        lon, lat = gcj02_to_bd09(lon, lat)
    for crs in (WGS84, "EPSG:4490", "OGC:CRS84"):
        out_lon, out_lat = to_wgs84(lon, lat, crs, datum=datum)  # type: ignore[arg-type]
        assert metres([116.404, 108.9], [39.915, 34.3], out_lon, out_lat).max() < 0.01


def test_datum_with_projected_crs_raises() -> None:
    with pytest.raises(CRSError, match=r"datum 'gcj02' applies to geographic lon/lat") as info:
        to_wgs84([500000.0], [3385000.0], "EPSG:4547", datum="gcj02", source="f.geojson")
    assert info.value.source == "f.geojson"
    with pytest.raises(CRSError, match="projected"):
        geometry_to_wgs84(shapely.Point(500000.0, 3385000.0), UTM49, datum="bd09")


def test_unknown_datum_raises() -> None:
    with pytest.raises(CRSError, match="accepted values"):
        to_wgs84([108.9], [34.3], WGS84, datum="wgs72")


def test_projected_coordinates_declared_as_lonlat() -> None:
    with pytest.raises(CRSError, match="look projected") as info:
        to_wgs84([108.9, 306738.0], [34.3, 3797416.0], WGS84, source="shops.geojson")
    assert info.value.index == 1
    assert str(info.value).startswith("shops.geojson#1: ")


def test_projection_failure_raises() -> None:
    with pytest.raises(CRSError, match="not valid in EPSG:4547") as info:
        to_wgs84([500000.0, 1e12], [3385000.0, 1e12], "EPSG:4547")
    assert info.value.index == 1


def test_to_wgs84_nan_passes_through() -> None:
    lon, lat = to_wgs84([np.nan, 500000.0], [np.nan, 3385000.0], "EPSG:4547")
    assert np.isnan(lon[0])
    assert np.isnan(lat[0])
    assert lon[1] == pytest.approx(114.0)


def test_to_wgs84_shapes() -> None:
    lon, lat = to_wgs84(500000.0, 3385000.0, 4547)
    assert lon.shape == lat.shape == ()
    lon, lat = to_wgs84(np.full((2, 3), 500000.0), 3385000.0, 4547)
    assert lon.shape == lat.shape == (2, 3)
    lon, lat = to_wgs84(np.array([]), np.array([]), 4547)
    assert lon.shape == (0,)


def test_geometry_to_wgs84() -> None:
    e0, n0 = GK114_FROM_WGS84.transform(114.30, 30.60)
    e1, n1 = GK114_FROM_WGS84.transform(114.31, 30.61)
    box = shapely.box(e0, n0, e1, n1)
    out = geometry_to_wgs84(box, "EPSG:4547")
    assert isinstance(out, shapely.Polygon)
    corners = shapely.get_coordinates(out)
    assert corners.shape == (5, 2)
    ones = np.ones(len(corners))
    assert metres(*corners.T, 114.30 * ones, 30.60 * ones).min() < 1.0  # south-west corner
    assert metres(*corners.T, 114.31 * ones, 30.61 * ones).min() < 1.0  # north-east corner
    expected = np.column_stack(to_wgs84(*shapely.get_coordinates(box).T, 4547))
    np.testing.assert_allclose(corners, expected, atol=1e-12)

    arr = np.array([shapely.Point(e0, n0, 20.0), None, box], dtype=object)
    out_arr = geometry_to_wgs84(arr, 4547)
    assert out_arr.shape == (3,)
    assert out_arr[1] is None
    assert out_arr[0].z == 20.0
    assert metres(out_arr[0].x, out_arr[0].y, 114.30, 30.60) < 1.0


def test_geometry_to_wgs84_with_datum() -> None:
    wgs = shapely.LineString([(108.90, 34.30), (108.95, 34.25)])
    gcj_x, gcj_y = wgs84_to_gcj02(*shapely.get_coordinates(wgs).T)
    gcj = shapely.LineString(np.column_stack([gcj_x, gcj_y]))
    out = geometry_to_wgs84(gcj, WGS84, datum="gcj02")
    coords = shapely.get_coordinates(out)
    expected = np.column_stack(gcj02_to_wgs84(gcj_x, gcj_y))
    np.testing.assert_allclose(coords, expected, atol=1e-12)
    assert shapely.equals_exact(out, wgs, tolerance=1e-8)


def test_geometry_to_wgs84_bad_coordinates() -> None:
    with pytest.raises(CRSError, match="look projected") as info:
        geometry_to_wgs84(shapely.Point(306738.0, 3797416.0), WGS84, source="c.geojson")
    assert info.value.index is None  # a coordinate position is not a feature index


# --- distances in the working CRS -----------------------------------------------------------


@given(
    lon0=st.floats(74.0, 134.0),
    lat0=st.floats(18.0, 53.0),
    fractions=st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4),
)
@settings(max_examples=300, deadline=None)
def test_working_crs_distances_match_geodesic_across_a_city(
    lon0: float, lat0: float, fractions: list[float]
) -> None:
    # A ~40 km x 40 km city around (lon0, lat0).
    half_lat = 20_000.0 / 111_000.0
    half_lon = 20_000.0 / (111_000.0 * np.cos(np.radians(lat0)))
    west, east = lon0 - half_lon, lon0 + half_lon
    south, north = lat0 - half_lat, lat0 + half_lat
    projector = Projector.for_crs(choose_working_crs([west, east], [south, north]))
    lons = np.array([west + fractions[0] * (east - west), west + fractions[2] * (east - west)])
    lats = np.array(
        [south + fractions[1] * (north - south), south + fractions[3] * (north - south)]
    )
    geodesic = float(metres(lons[0], lats[0], lons[1], lats[1]))
    assume(geodesic > 1.0)
    x, y = projector.forward(lons, lats)
    planar = float(np.hypot(x[1] - x[0], y[1] - y[0]))
    assert planar == pytest.approx(geodesic, rel=0.005)


@pytest.mark.parametrize(
    "name", ["resolve_crs", "crs_from_geojson", "to_wgs84", "geometry_to_wgs84"]
)
def test_moved_names_still_import_from_geometry_crs_with_a_warning(name: str) -> None:
    with pytest.warns(
        DeprecationWarning, match=f"livable.geometry.crs.{name} moved to livable.io.crs"
    ):
        old = getattr(crs_module, name)
    assert old is getattr(io_crs, name)


def test_geometry_crs_has_no_other_names() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        crs_module.nothing  # noqa: B018
