"""The io side of the layer contract: io and geometry apart, one skeleton, one StreetLayer."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import livable
from livable.geometry.crs import Projector, choose_working_crs
from livable.io import FacilityLayer, StreetLayer, read_streets
from livable.io.dedupe import _utm_metres
from livable.testing import facility

sys.path.insert(0, str(Path(__file__).parent))
from architecture import read_graph

PACKAGE = Path(livable.__file__).parent
_CONTRACTS = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))
ALIASES = {
    tuple(rule.split(" -> "))
    for contract in _CONTRACTS["tool"]["importlinter"]["contracts"]
    for rule in contract.get("ignore_imports", [])
}
"""The deprecated 0.1 aliases the layer contract lets geometry import from io."""


def _edges(graph: object, src: str, dst: str) -> list[str]:
    return sorted(
        f"{imp.source}:{imp.line} imports {imp.target}"
        for imp in graph.imports  # type: ignore[attr-defined]
        if (imp.source == src or imp.source.startswith(src + "."))
        and (imp.target == dst or imp.target.startswith(dst + "."))
        and (imp.source, imp.target) not in ALIASES
    )


def test_io_and_geometry_do_not_import_each_other() -> None:
    graph = read_graph(PACKAGE)
    assert _edges(graph, "livable.io", "livable.geometry") == []
    assert _edges(graph, "livable.geometry", "livable.io") == []


def test_io_has_no_cycle_and_no_private_import_from_outside() -> None:
    graph = read_graph(PACKAGE)
    assert [c for c in graph.cycles() if any(m.startswith("livable.io") for m in c)] == []
    outside = sorted(
        f"{imp.source}:{imp.line} imports {imp.target}"
        for imp in graph.imports
        if imp.target.startswith("livable.io._") and not imp.source.startswith("livable.io")
    )
    assert outside == []


def test_there_is_one_street_layer_class() -> None:
    line = {"type": "LineString", "coordinates": [[108.94, 34.26], [108.95, 34.26]]}
    fc = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"id": "s1"}, "geometry": line}],
    }
    layer = read_streets(fc)
    assert type(layer) is StreetLayer
    assert livable.io.StreetLayer is StreetLayer
    assert layer.geometries is layer.lines and layer.ids.tolist() == ["s1"]


def test_readers_refuse_an_unknown_keyword() -> None:
    with pytest.raises(
        TypeError, match="read_streets\\(\\) got an unexpected keyword argument 'stirct'"
    ):
        read_streets({"type": "FeatureCollection", "features": []}, stirct=True)  # type: ignore[call-arg]


@given(st.lists(st.booleans(), min_size=0, max_size=12))
@settings(max_examples=50, deadline=None)
def test_take_by_mask_is_take_by_index(mask: list[bool]) -> None:
    items = [facility(f"f{i}", "clinic", 108.9 + i * 1e-3, 34.2) for i in range(len(mask))]
    layer = FacilityLayer.from_facilities(items)
    by_mask = layer.take(np.array(mask, dtype=bool))
    by_index = layer.take(np.flatnonzero(mask))
    assert (
        by_mask.ids.tolist()
        == by_index.ids.tolist()
        == [f"f{i}" for i, keep in enumerate(mask) if keep]
    )
    assert list(by_mask.attributes) == list(by_index.attributes)


@given(
    st.lists(st.tuples(st.floats(-179.9, 179.9), st.floats(-80.0, 80.0)), min_size=1, max_size=20)
)
@settings(max_examples=100, deadline=None)
def test_dedupe_measures_in_the_engine_working_crs(points: list[tuple[float, float]]) -> None:
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    x, y = _utm_metres(lon, lat)
    ex, ey = Projector.for_crs(choose_working_crs(lon, lat)).forward(lon, lat)
    np.testing.assert_array_equal(x, ex)
    np.testing.assert_array_equal(y, ey)
