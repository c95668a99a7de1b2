"""The columnar GeoJSON facility reader gives exactly the per-feature path's layer.

``livable.io._fast`` decodes a clean facility file in one typed pass; any feature a check
would stop sends the file down the per-feature path. Either way the layer (columns,
rejections, their words, the source) must be the one the per-feature path builds. A
``rename`` mapping always takes the per-feature path, so it is the reference here.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livable.errors import InputError
from livable.io import FacilityLayer, read_facilities
from livable.io._fast import fast_facilities

KNOWN = {"kindergarten", "clinic", "park"}
REFERENCE = {"rename": {"no_such_column": "no_such_column_either"}}

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)
clean_props = st.fixed_dictionaries(
    {"type": st.sampled_from(sorted(KNOWN))},
    optional={
        "name": st.none() | texts,
        "brand": st.none() | texts,
        "quality": st.none() | st.integers(1, 5) | st.floats(1, 5),
    },
)
odd_props = st.fixed_dictionaries(
    {"type": st.sampled_from([*sorted(KNOWN), "Clinic", "", 3])},
    optional={
        "name": st.none() | texts | st.integers(-3, 3),
        "quality": st.none() | st.integers(0, 7) | st.floats(allow_nan=False) | st.booleans(),
        "beds": st.integers(0, 9),
    },
)
coordinates = st.tuples(st.floats(108.5, 109.5), st.floats(34.0, 34.5))
odd_coordinates = st.lists(
    st.floats(-400, 400) | st.integers(-200, 200) | st.just("1"), min_size=1, max_size=4
)


@st.composite
def collections(draw: Any, clean: bool) -> tuple[bytes, bool]:
    """A facility file as bytes, and whether every feature is clean."""
    n = draw(st.integers(1, 12))
    features = []
    all_clean = True
    for i in range(n):
        odd = not clean and draw(st.booleans())
        props = dict(draw(odd_props if odd else clean_props))
        props["id"] = (
            draw(st.sampled_from([f"f{i}", f" f{i} ", f"a:{i}", "f0"])) if odd else f"f{i}"
        )
        coords = draw(odd_coordinates if odd else coordinates)
        geometry: Any = {"type": "Point", "coordinates": list(coords)}
        if odd and draw(st.booleans()):
            geometry = draw(st.sampled_from([None, {"type": "LineString", "coordinates": []}]))
        features.append({"type": "Feature", "properties": props, "geometry": geometry})
        all_clean &= not odd
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    if not clean and draw(st.booleans()):  # a repeated key, or an escaped colon
        text = text.replace(
            '"type": "Feature", ',
            draw(
                st.sampled_from(
                    [
                        '"type": "Feature", "type": "Feature", ',
                        '"type": "Feature", "x": "\\u003a", ',
                    ]
                )
            ),
            1,
        )
        all_clean = False
    return text.encode("utf-8"), all_clean


def assert_same(a: FacilityLayer, b: FacilityLayer) -> None:
    for name in ("ids", "types", "names", "brands"):
        assert getattr(a, name).tolist() == getattr(b, name).tolist(), name
    for name in ("lon", "lat", "quality"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert (a.areas is None) == (b.areas is None)
    assert list(a.attributes) == list(b.attributes)
    assert (a.rejected, a.repaired, a.source, a.count) == (
        b.rejected,
        b.repaired,
        b.source,
        b.count,
    )


@settings(max_examples=60, deadline=None)
@given(collections(clean=True))
def test_a_clean_file_takes_the_columnar_path_with_the_same_layer(case: tuple[bytes, bool]) -> None:
    data, _ = case
    fast = fast_facilities(data, KNOWN, {})
    assert fast is not None
    assert_same(fast, read_facilities(data, known_types=KNOWN, **REFERENCE))
    assert_same(read_facilities(data, known_types=KNOWN), fast)


@settings(max_examples=150, deadline=None)
@given(collections(clean=False))
def test_any_file_reads_as_the_per_feature_path_reads_it(case: tuple[bytes, bool]) -> None:
    data, clean = case
    try:
        reference = read_facilities(data, known_types=KNOWN, **REFERENCE)
    except InputError as exc:  # e.g. NaN in the text: both paths stop with the same message
        message = str(exc)
    else:
        message = None
    if message is not None:
        assert not clean
        with pytest.raises(InputError) as fast_exc:
            read_facilities(data, known_types=KNOWN)
        assert str(fast_exc.value) == message
        return
    assert_same(read_facilities(data, known_types=KNOWN), reference)
    if fast_facilities(data, KNOWN, {}) is not None:  # only when nothing was wanting
        assert not reference.rejected and not reference.repaired
    if clean:
        assert fast_facilities(data, KNOWN, {}) is not None


def test_a_file_path_keeps_its_name_and_digest(tmp_path: Any) -> None:
    path = tmp_path / "f.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"id": "k1", "type": "park"}, "geometry": {"type": "Point", '
        '"coordinates": [108.9, 34.2]}}]}',
        encoding="utf-8",
    )
    fast = fast_facilities(path, KNOWN, {})
    assert fast is not None and fast.source.path == str(path) and fast.source.sha256
    assert_same(fast, read_facilities(path, known_types=KNOWN, **REFERENCE))
