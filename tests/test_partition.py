"""Spatial partitioning: the merged report equals the single-pass report, byte for byte.

``P6.circle`` (centres, enlarged circles) and ``P6.tiers`` (tier counts) decide which
facilities a community's answers depend on; the tile halo must cover them all.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import livable
from livable.cli import main
from livable.errors import LivableError
from livable.io import FacilityLayer
from livable.io.sample import write_sample_city
from livable.models import FACILITY_TYPES, TWELVE_ONES
from livable.profile import load_profile
from livable.scale.tiles import (
    FacilityBins,
    Tiling,
    evaluate_partitioned,
    halo_for,
    plan_partition,
    prepare_tasks,
    slice_facilities,
)
from livable.testing import community, facility, offset

LON0, LAT0 = 108.94, 34.26
TYPES = sorted(FACILITY_TYPES)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_sample_city(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def single(sample: tuple[Path, Path]) -> str:
    return livable.evaluate(*sample).to_json()


@pytest.mark.parametrize(
    ("tile_m", "origin"),
    [(500.0, (0.0, 0.0)), (1_500.0, (321.0, -77.0)), (4_000.0, (0.0, 0.0)), (1e6, (0.0, 0.0))],
)
def test_sample_city_partitioned_equals_single_pass(
    sample: tuple[Path, Path], single: str, tile_m: float, origin: tuple[float, float]
) -> None:
    merged = evaluate_partitioned(*sample, tile_m=tile_m, origin=origin)
    assert merged.to_json() == single


def test_sample_city_really_splits(sample: tuple[Path, Path]) -> None:
    """The 500 m tiling is not one tile in disguise, and every community is in one tile."""
    layer = livable.read_communities(sample[0])
    work = livable.engine.select_working_crs(layer.communities, FacilityLayer.from_facilities([]))
    part = plan_partition(layer.communities, load_profile("xian-2020"), work, tiling=Tiling(500.0))
    assert len(part) > 20
    members = np.sort(np.concatenate([t.members for t in part.tiles]))
    assert members.tolist() == list(range(len(layer.communities)))


def test_two_workers_equal_single_pass(sample: tuple[Path, Path], single: str) -> None:
    merged = evaluate_partitioned(*sample, tile_m=2_000.0, workers=2)
    assert merged.to_json() == single


def test_cli_workers_1_and_2_write_the_single_pass_report(
    sample: tuple[Path, Path], tmp_path: Path
) -> None:
    args = ["evaluate", "--communities", str(sample[0]), "--facilities", str(sample[1])]
    plain = tmp_path / "plain.json"
    assert main([*args, "--quiet", "--out", str(plain)]) == 0
    outs = [plain.read_bytes()]
    for n in (1, 2):
        out = tmp_path / f"r{n}.json"
        assert (
            main([*args, "--workers", str(n), "--tile-km", "3", "--quiet", "--out", str(out)]) == 0
        )
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]
    assert b'"communities"' in outs[0]


def test_halo_covers_the_enlarged_circle_and_the_search_radius() -> None:
    """``P6.circle``: an enlarged circle wider than the search radius widens the halo."""
    prof = load_profile("xian-2020")
    assert halo_for(prof, np.array([1200.0])) == pytest.approx(3000.0 * 1.02 + 10.0)
    wide = prof.derive(circle={"enlarged_radius_m": 5000.0})
    assert halo_for(wide, np.array([1200.0, 5000.0])) == pytest.approx(5000.0 * 1.02 + 10.0)


def test_profile_travels_to_workers_unchanged() -> None:
    from livable.scale.tiles import _profile_from_toml

    prof = load_profile("xian-2020").derive(framework={"parcel_points_min": None})
    back = _profile_from_toml(prof.to_toml())
    assert back == prof
    assert back.sha256 == prof.sha256


def test_bad_arguments() -> None:
    with pytest.raises(LivableError, match="workers"):
        evaluate_partitioned([], [], workers=0)
    with pytest.raises(LivableError, match="residents"):
        evaluate_partitioned([], [], residents="r.geojson")
    with pytest.raises(ValueError, match="tile_m"):
        Tiling(0.0)


def test_no_communities_gives_the_single_pass_report() -> None:
    facs = [facility("k1", "kindergarten", LON0, LAT0)]
    assert evaluate_partitioned([], facs).to_json() == livable.evaluate([], facs).to_json()


# --- facility windows -----------------------------------------------------------------


@settings(max_examples=60)
@given(
    pts=st.lists(
        st.tuples(st.floats(-20_000, 20_000), st.floats(-20_000, 20_000)), min_size=0, max_size=60
    ),
    areas=st.lists(
        st.tuples(
            st.floats(-20_000, 20_000),
            st.floats(-20_000, 20_000),
            st.floats(1, 4_000),
            st.floats(1, 4_000),
        ),
        max_size=5,
    ),
    window=st.tuples(
        st.floats(-25_000, 25_000),
        st.floats(-25_000, 25_000),
        st.floats(0, 20_000),
        st.floats(0, 20_000),
    ),
    bin_m=st.sampled_from([100.0, 1_000.0, 5_000.0]),
)
def test_facility_bins_select_exactly_the_window(
    pts: list[tuple[float, float]],
    areas: list[tuple[float, float, float, float]],
    window: tuple[float, float, float, float],
    bin_m: float,
) -> None:
    x = np.array([p[0] for p in pts] + [a[0] for a in areas], dtype=np.float64)
    y = np.array([p[1] for p in pts] + [a[1] for a in areas], dtype=np.float64)
    bounds = np.column_stack([x, y, x, y])
    for k, (ax, ay, w, h) in enumerate(areas):
        bounds[len(pts) + k] = (ax, ay, ax + w, ay + h)
    box = (window[0], window[1], window[0] + window[2], window[1] + window[3])
    got = FacilityBins(x, y, bounds=bounds, bin_m=bin_m).select(box)
    want = np.flatnonzero(
        (bounds[:, 2] >= box[0])
        & (bounds[:, 0] <= box[2])
        & (bounds[:, 3] >= box[1])
        & (bounds[:, 1] <= box[3])
    )
    assert got.tolist() == want.tolist()


def test_slice_keeps_order_and_source() -> None:
    layer = FacilityLayer.from_facilities(
        [facility(f"f{i}", "clinic", LON0 + i * 1e-3, LAT0) for i in range(5)]
    )
    part = slice_facilities(layer, np.array([1, 3, 4]))
    assert part.ids.tolist() == ["f1", "f3", "f4"]
    assert part.source == layer.source
    assert len(part.attributes) == 3


# --- random cities, random tilings ----------------------------------------------------


@st.composite
def cities(draw: Any) -> tuple[list[livable.Community], list[livable.Facility]]:
    """A random city a few km across: point and square communities, some huge (enlarged
    circle), facilities on a coarse lattice so that equal distances (ties) are common, a
    few area facilities."""
    n_comm = draw(st.integers(1, 14))
    span = draw(st.sampled_from([3_000.0, 8_000.0, 20_000.0]))
    comms = []
    for i in range(n_comm):
        e = draw(st.floats(0, span))
        n = draw(st.floats(0, span))
        lon, lat = offset(LON0, LAT0, e, n)
        size = draw(st.sampled_from([None, 300.0, 900.0, 2_500.0]))
        pop = draw(st.sampled_from([None, 2_000, 9_000, 40_000]))
        comms.append(community(f"c{i:02d}", lon, lat, size_m=size, population=pop))
    n_fac = draw(st.integers(0, 120))
    step = draw(st.sampled_from([100.0, 250.0]))
    facs = []
    for j in range(n_fac):
        e = draw(st.integers(-4, int(span / step) + 4)) * step
        n = draw(st.integers(-4, int(span / step) + 4)) * step
        ftype = draw(st.sampled_from(TWELVE_ONES if j % 3 else tuple(TYPES)))
        lon, lat = offset(LON0, LAT0, e, n)
        if draw(st.integers(0, 19)) == 0:
            x0, y0 = offset(LON0, LAT0, e, n)
            x1, y1 = offset(LON0, LAT0, e + 400.0, n + 300.0)
            geom = shapely.box(x0, y0, x1, y1)
            facs.append(livable.Facility(id=f"a{j:03d}", type=ftype, geometry=geom))
        else:
            facs.append(facility(f"f{j:03d}", ftype, lon, lat))
    return comms, facs


@pytest.mark.slow
@settings(max_examples=25)
@given(
    city=cities(),
    tile_m=st.floats(300.0, 25_000.0),
    ox=st.floats(-50_000.0, 50_000.0),
    oy=st.floats(-50_000.0, 50_000.0),
    geodesic=st.booleans(),
)
def test_random_tilings_equal_single_pass(
    city: tuple[list[livable.Community], list[livable.Facility]],
    tile_m: float,
    ox: float,
    oy: float,
    geodesic: bool,
) -> None:
    comms, facs = city
    distance = "geodesic" if geodesic else "euclidean"
    single = livable.evaluate(comms, facs, distance=distance)
    merged = evaluate_partitioned(comms, facs, tile_m=tile_m, origin=(ox, oy), distance=distance)
    assert merged.to_json() == single.to_json()
    assert [c.id for c in merged.communities] == sorted(c.id for c in comms)
    assert math.isclose(merged.summary.evaluated, len(comms))


def test_cli_rejects_a_bad_tile_size(
    sample: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["evaluate", "--communities", str(sample[0]), "--facilities", str(sample[1])]
    with pytest.raises(SystemExit) as exc:  # a usage error (issue 21, class 7)
        main([*args, "--tile-km", "0", "--out", str(tmp_path / "r.json")])
    assert exc.value.code == 2
    assert "--tile-km" in capsys.readouterr().err


def test_network_distance_tiles_equal_single_pass() -> None:
    """With the street network every tile reads the same streets: same report (``P6.tiers``
    walked, not flown)."""
    import importlib

    river = importlib.import_module("tests.test_network_river")
    comms, facs = river.city()
    comms, facs = livable.LayerSpec(comms, crs=river.UTM), livable.LayerSpec(facs, crs=river.UTM)
    options: dict[str, Any] = {
        "distance": "network",
        "streets": livable.LayerSpec(river.streets(), crs=river.UTM),
        "working_crs": river.UTM,
    }
    single = livable.evaluate(comms, facs, **options)
    merged = evaluate_partitioned(comms, facs, tile_m=600.0, **options)
    assert merged.to_json() == single.to_json()


def test_tiles_take_layer_specs_and_one_settings_object(
    sample: tuple[Path, Path], single: str
) -> None:
    """The tiled path reads the same LayerSpecs and EvaluationSettings as a single pass."""
    from livable.engine import EvaluationSettings, Inputs, LayerSpec

    comms, facs = (LayerSpec(p, crs="EPSG:4326") for p in sample)
    settings = EvaluationSettings(profile="xian-2020", strict=False)
    merged = evaluate_partitioned(comms, facs, settings=settings, tile_m=1_500.0)
    assert merged.to_json() == single
    # keywords go over the settings object, as evaluate's do
    geodesic = evaluate_partitioned(*sample, settings=settings, distance="geodesic")
    assert geodesic.distance == "geodesic"
    prepared, tasks = prepare_tasks(Inputs(*sample), settings, tiling=Tiling(1_500.0))
    task = next(tasks)
    assert task.settings.strict is False and task.settings.working_crs is None
    assert task.settings.profile == "xian-2020" and prepared.profile.id == "xian-2020"


def test_tiles_deprecated_layer_keyword_warns(sample: tuple[Path, Path], single: str) -> None:
    with pytest.warns(DeprecationWarning, match=r"evaluate_partitioned\(facilities_datum=") as w:
        merged = evaluate_partitioned(*sample, tile_m=4_000.0, facilities_datum="wgs84")
    assert merged.to_json() == single
    assert w[0].filename == __file__
    with pytest.raises(TypeError, match="unexpected keyword argument 'tile_size'"):
        evaluate_partitioned(*sample, tile_size=4_000.0)
