"""Tests for :mod:`livable.io.datums` (WGS-84, GCJ-02, BD-09)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pyproj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livable.errors import CRSError, InputError
from livable.io import datums
from livable.io.datums import (
    CHINA_BOX,
    Datum,
    bd09_to_gcj02,
    bd09_to_wgs84,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_china,
    parse_datum,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

Convert = Callable[[npt.ArrayLike, npt.ArrayLike], tuple[np.ndarray, np.ndarray]]

GEOD = pyproj.Geod(ellps="WGS84")
ALL_FUNCTIONS: list[Convert] = [
    wgs84_to_gcj02,
    gcj02_to_wgs84,
    gcj02_to_bd09,
    bd09_to_gcj02,
    wgs84_to_bd09,
    bd09_to_wgs84,
]
PAIRS: list[tuple[Convert, Convert]] = [
    (wgs84_to_gcj02, gcj02_to_wgs84),
    (gcj02_to_bd09, bd09_to_gcj02),
    (wgs84_to_bd09, bd09_to_wgs84),
]
PAIR_IDS = ["gcj02", "gcj02-bd09", "bd09"]

# Well inside the China box, so that the offsets (< 0.01 degrees) never cross its edge.
china_lon = st.floats(73.5, 135.0, allow_nan=False)
china_lat = st.floats(18.0, 53.5, allow_nan=False)


def metres(lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike):
    """Geodesic distance in metres on the WGS-84 ellipsoid."""
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def china_sample(n: int, seed: int = 20200701) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(73.5, 135.0, n), rng.uniform(18.0, 53.5, n)


# --- published reference values -----------------------------------------------------------

# googollee/eviltransform test vectors: (wgs lat, wgs lon) -> (gcj lat, gcj lon).
EVILTRANSFORM = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM)
def test_eviltransform_vectors(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    lon, lat = wgs84_to_gcj02(wgs[1], wgs[0])
    assert float(lon) == pytest.approx(gcj[1], abs=1e-9)
    assert float(lat) == pytest.approx(gcj[0], abs=1e-9)
    back_lon, back_lat = gcj02_to_wgs84(gcj[1], gcj[0])
    assert float(back_lon) == pytest.approx(wgs[1], abs=1e-8)
    assert float(back_lat) == pytest.approx(wgs[0], abs=1e-8)


def test_widely_cited_beijing_pair() -> None:
    # WGS84 (116.404, 39.915) -> GCJ-02 approx (116.41024, 39.91640).
    lon, lat = wgs84_to_gcj02(116.404, 39.915)
    assert float(lon) == pytest.approx(116.41024, abs=1e-5)
    assert float(lat) == pytest.approx(39.91640, abs=1e-5)


# wandergis/coordtransform test/app.js, all applied to (116.404, 39.915).
def test_coordtransform_vectors() -> None:
    p = (116.404, 39.915)
    # Closed forms: exact agreement.
    assert np.allclose(wgs84_to_gcj02(*p), (116.41024449916938, 39.91640428150164), atol=1e-9)
    assert np.allclose(gcj02_to_bd09(*p), (116.41036949371029, 39.92133699351021), atol=1e-9)
    # Their inverses are approximations that ours refines; agreement to 1e-5 degrees.
    assert np.allclose(bd09_to_gcj02(*p), (116.39762729119315, 39.90865673957631), atol=1e-5)
    assert np.allclose(gcj02_to_wgs84(*p), (116.39775550083061, 39.91359571849836), atol=1e-5)


def test_iterated_inverse_beats_one_step_approximation() -> None:
    # coordtransform's one-step gcj02towgs84(116.404, 39.915) does not map back onto the
    # input to 1e-7 degrees; the iterated inverse does to 1e-9.
    one_step = (116.39775550083061, 39.91359571849836)
    assert not np.allclose(wgs84_to_gcj02(*one_step), (116.404, 39.915), atol=1e-7, rtol=0)
    ours = gcj02_to_wgs84(116.404, 39.915)
    assert np.allclose(wgs84_to_gcj02(*ours), (116.404, 39.915), atol=1e-9, rtol=0)
    closed = (116.39762729119315, 39.90865673957631)
    assert not np.allclose(gcj02_to_bd09(*closed), (116.404, 39.915), atol=1e-7, rtol=0)
    ours = bd09_to_gcj02(116.404, 39.915)
    assert np.allclose(gcj02_to_bd09(*ours), (116.404, 39.915), atol=1e-9, rtol=0)


# --- round trips ------------------------------------------------------------------------


@pytest.mark.parametrize(("forward", "inverse"), PAIRS, ids=PAIR_IDS)
@given(lon=china_lon, lat=china_lat)
@settings(max_examples=300, deadline=None)
def test_round_trip_inside_china(
    forward: Convert, inverse: Convert, lon: float, lat: float
) -> None:
    shifted = forward(lon, lat)
    assert metres(lon, lat, *shifted) > 1.0  # something happened
    assert metres(lon, lat, *inverse(*shifted)) < 0.5
    # ... and the other way round: the inverse's image maps back onto the input.
    assert metres(lon, lat, *forward(*inverse(lon, lat))) < 0.5


@pytest.mark.parametrize("datum", list(Datum))
@given(lon=china_lon, lat=china_lat)
@settings(max_examples=100, deadline=None)
def test_to_from_wgs84_round_trip(datum: Datum, lon: float, lat: float) -> None:
    assert metres(lon, lat, *to_wgs84(*from_wgs84(lon, lat, datum), datum)) < 0.5
    assert metres(lon, lat, *from_wgs84(*to_wgs84(lon, lat, datum), datum)) < 0.5


@pytest.mark.parametrize(("forward", "inverse"), PAIRS, ids=PAIR_IDS)
def test_round_trip_accuracy_over_many_points(forward: Convert, inverse: Convert) -> None:
    # The accuracy the module docstring states: below 1e-6 m (measured: about 6e-8 m for
    # GCJ-02, 2e-7 m through BD-09) over 200,000 random points in China.
    lon, lat = china_sample(200_000)
    assert metres(lon, lat, *inverse(*forward(lon, lat))).max() < 1e-6
    assert metres(lon, lat, *forward(*inverse(lon, lat))).max() < 1e-6


def test_gcj02_offset_is_tens_to_hundreds_of_metres() -> None:
    lon, lat = china_sample(50_000)
    shift = metres(lon, lat, *wgs84_to_gcj02(lon, lat))
    assert shift.min() > 10.0
    assert shift.max() < 800.0
    # BD-09 adds roughly another 0.0065/0.006 degrees (several hundred metres).
    extra = metres(*wgs84_to_gcj02(lon, lat), *wgs84_to_bd09(lon, lat))
    assert extra.min() > 300.0
    assert extra.max() < 1200.0


def test_iteration_converges_within_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # Four rounds already suffice everywhere; the budget of ten is a safety margin.
    monkeypatch.setattr(datums, "MAX_ITERATIONS", 4)
    lon, lat = china_sample(20_000, seed=7)
    assert metres(lon, lat, *gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))).max() < 1e-6
    assert metres(lon, lat, *bd09_to_wgs84(*wgs84_to_bd09(lon, lat))).max() < 1e-6


# --- outside China ------------------------------------------------------------------------

OUTSIDE = {
    "London": (-0.1278, 51.5074),
    "Tokyo": (139.7, 35.68),  # east of 137.8347: outside the box
    "Sydney": (151.21, -33.87),
    "New York": (-74.006, 40.7128),
    "Moscow": (37.6173, 55.7558),
    "north of the box": (100.0, 56.0),
}


@pytest.mark.parametrize("convert", ALL_FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("place", list(OUTSIDE))
def test_outside_china_passes_through(convert: Convert, place: str) -> None:
    lon, lat = OUTSIDE[place]
    out = convert(lon, lat)
    assert float(out[0]) == lon
    assert float(out[1]) == lat


@pytest.mark.parametrize("datum", list(Datum))
def test_outside_china_to_wgs84_is_identity(datum: Datum) -> None:
    lon = np.array([p[0] for p in OUTSIDE.values()])
    lat = np.array([p[1] for p in OUTSIDE.values()])
    out_lon, out_lat = to_wgs84(lon, lat, datum)
    np.testing.assert_array_equal(out_lon, lon)
    np.testing.assert_array_equal(out_lat, lat)


def test_china_box_edges_are_inside() -> None:
    min_lon, min_lat, max_lon, max_lat = CHINA_BOX
    assert CHINA_BOX == (72.004, 0.8293, 137.8347, 55.8271)
    lon = np.array([min_lon, max_lon, 100.0, 100.0, min_lon - 1e-6, max_lon + 1e-6])
    lat = np.array([30.0, 30.0, min_lat, max_lat, 30.0, 30.0])
    assert in_china(lon, lat).tolist() == [True, True, True, True, False, False]
    shifted_lon, _ = wgs84_to_gcj02(lon, lat)
    assert (shifted_lon != lon).tolist() == [True, True, True, True, False, False]


def test_box_covers_neighbours_too() -> None:
    # Seoul is in the box, so it is shifted, as the vendors' converters do.
    lon, lat = wgs84_to_gcj02(126.978, 37.5665)
    assert metres(126.978, 37.5665, lon, lat) > 10.0


# --- shapes and values --------------------------------------------------------------------


@pytest.mark.parametrize("convert", ALL_FUNCTIONS, ids=lambda f: f.__name__)
def test_shapes(convert: Convert) -> None:
    lon, lat = convert(108.9, 34.3)
    assert lon.shape == lat.shape == ()
    assert lon.dtype == lat.dtype == np.float64

    lon, lat = convert([108.9, 0.0, 116.4], [34.3, 51.5, 39.9])
    assert lon.shape == lat.shape == (3,)
    assert lon[1] == 0.0
    assert lat[1] == 51.5

    grid_lon, grid_lat = np.meshgrid(np.linspace(100, 120, 4), np.linspace(20, 50, 3))
    lon, lat = convert(grid_lon, grid_lat)
    assert lon.shape == lat.shape == (3, 4)
    flat = convert(grid_lon.ravel(), grid_lat.ravel())
    np.testing.assert_array_equal(lon.ravel(), flat[0])
    np.testing.assert_array_equal(lat.ravel(), flat[1])

    lon, lat = convert(np.array([108.9, 109.0]), 34.3)  # broadcast
    assert lon.shape == lat.shape == (2,)

    lon, lat = convert(np.array([], dtype=np.float64), np.array([], dtype=np.float64))
    assert lon.shape == lat.shape == (0,)

    lon, lat = convert([np.nan, 108.9], [34.3, np.nan])
    assert np.isnan(lon[0])
    assert np.isnan(lat[1])


@pytest.mark.parametrize("convert", ALL_FUNCTIONS, ids=lambda f: f.__name__)
def test_vectorised_equals_scalar(convert: Convert) -> None:
    lon, lat = china_sample(25, seed=3)
    vec_lon, vec_lat = convert(lon, lat)
    for i in range(lon.size):
        one_lon, one_lat = convert(lon[i], lat[i])
        assert float(one_lon) == pytest.approx(vec_lon[i], abs=1e-11)
        assert float(one_lat) == pytest.approx(vec_lat[i], abs=1e-11)


def test_inputs_are_not_modified() -> None:
    lon = np.array([108.9, 116.4])
    lat = np.array([34.3, 39.9])
    for convert in ALL_FUNCTIONS:
        out_lon, _ = convert(lon, lat)
        assert out_lon is not lon
    np.testing.assert_array_equal(lon, [108.9, 116.4])
    np.testing.assert_array_equal(lat, [34.3, 39.9])


def test_integer_input_is_float64() -> None:
    lon, lat = wgs84_to_gcj02([109, 0], [34, 0])
    assert lon.dtype == np.float64
    assert lat.tolist()[1] == 0.0


# --- datum names ----------------------------------------------------------------------------


def test_datum_is_str_enum() -> None:
    assert Datum.GCJ02 == "gcj02"
    assert [d.value for d in Datum] == ["wgs84", "gcj02", "bd09"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("wgs84", Datum.WGS84),
        ("WGS-84", Datum.WGS84),
        ("gcj02", Datum.GCJ02),
        (" GCJ-02 ", Datum.GCJ02),
        ("gcj_02", Datum.GCJ02),
        ("BD09", Datum.BD09),
        ("bd-09", Datum.BD09),
        (Datum.BD09, Datum.BD09),
    ],
)
def test_parse_datum(text: str, expected: Datum) -> None:
    assert parse_datum(text) is expected


@pytest.mark.parametrize("bad", ["mars", "", "epsg:4326", "gcj", 4326, None])
def test_unknown_datum_raises(bad: object) -> None:
    with pytest.raises(CRSError, match=r"accepted values: wgs84, gcj02, bd09") as info:
        parse_datum(bad, source="shops.csv")  # type: ignore[arg-type]
    assert isinstance(info.value, InputError)
    assert info.value.source == "shops.csv"
    assert str(info.value).startswith("shops.csv: ")
    with pytest.raises(CRSError, match="unknown datum"):
        to_wgs84(108.9, 34.3, bad)  # type: ignore[arg-type]
    with pytest.raises(CRSError, match="unknown datum"):
        from_wgs84(108.9, 34.3, bad)  # type: ignore[arg-type]


def test_wgs84_datum_is_identity_copy() -> None:
    lon = np.array([116.404])
    out_lon, out_lat = to_wgs84(lon, [39.915], "wgs84")
    assert out_lon.tolist() == [116.404]
    assert out_lat.tolist() == [39.915]
    assert out_lon is not lon
    assert from_wgs84(116.404, 39.915, Datum.WGS84)[0] == 116.404


def test_to_wgs84_dispatches() -> None:
    p = (116.404, 39.915)
    np.testing.assert_array_equal(to_wgs84(*p, "gcj02"), gcj02_to_wgs84(*p))
    np.testing.assert_array_equal(to_wgs84(*p, "bd09"), bd09_to_wgs84(*p))
    np.testing.assert_array_equal(from_wgs84(*p, "gcj02"), wgs84_to_gcj02(*p))
    np.testing.assert_array_equal(from_wgs84(*p, "bd09"), wgs84_to_bd09(*p))
