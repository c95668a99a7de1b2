"""Arbitrary JSON values in every property and every position, through the Python API.

``tests/test_fuzz.py`` generates GeoJSON as a broken database would; this file is the
adversary of issue 21: any JSON-like value (``None``, booleans, integers far beyond a float,
NaN and infinities, text with control characters and CJK, lists, objects) in any property
of a community or a facility and in any coordinate of its geometry, given to
:func:`livable.evaluate` as parsed mappings. The properties:

- only :class:`~livable.errors.LivableError` subclasses escape;
- every input community ends in ``report.communities`` or ``report.rejected``.

Budget and derandomisation as in ``tests/test_fuzz.py`` (derandomized when ``CI=true``).
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from livable import LivableError, PluginManager, evaluate, load_profile

CI = os.environ.get("CI") == "true"
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=CI,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PLUGINS = PluginManager(load_entry_points=False)
PROFILE = load_profile("xian-2020")
X, Y = 108.94, 34.26

text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "\x00", "\x1b[2J", "\r\n", "社区", "幼儿园", "3000", "NaN", "1e999"]),
)
scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**400, -(10**400), 2**70, 2**64, 10**308 * 2]),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
)
value = st.recursive(
    scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3)),
    max_leaves=6,
)
number = st.one_of(
    st.floats(X - 0.01, X + 0.01), st.floats(Y - 0.01, Y + 0.01), value
)  # near the city, or anything

COMMUNITY_KEYS = [
    "id",
    "name",
    "population",
    "district",
    "subdistrict",
    "zone",
    "green_ratio",
    "satisfaction",
    "property_management",
    "low_carbon_measures",
    "community_workers",
    "emergency_plan",
]
FACILITY_KEYS = ["id", "type", "name", "brand", "quality", "opening_hours"]


def _position(draw: st.DrawFn, x: float, y: float) -> list[Any]:
    """A position near (x, y) whose coordinates may each be replaced by any value."""
    pos: list[Any] = [x, y] + ([draw(st.floats(-10, 10))] if draw(st.booleans()) else [])
    for k in range(len(pos)):
        if draw(st.integers(0, 7)) == 0:
            pos[k] = draw(number)
    return pos


@st.composite
def geometries(draw: st.DrawFn) -> Any:
    x, y = draw(st.floats(X - 0.02, X + 0.02)), draw(st.floats(Y - 0.02, Y + 0.02))
    kind = draw(st.sampled_from(["Point", "Polygon", "MultiPolygon", "junk"]))
    if kind == "junk":
        return draw(value)
    if kind == "Point":
        return {"type": "Point", "coordinates": _position(draw, x, y)}
    d = 0.003
    ring = [_position(draw, *p) for p in [(x, y), (x + d, y), (x + d, y + d), (x, y + d), (x, y)]]
    coords: Any = [ring]
    if kind == "MultiPolygon":
        coords = [coords]
    return {"type": kind, "coordinates": coords}


def _props(draw: st.DrawFn, keys: list[str], base: dict[str, Any]) -> dict[str, Any]:
    props = dict(base)
    for key in keys:
        if draw(st.integers(0, 5)) == 0:
            props[key] = draw(value)
    return props


@st.composite
def communities(draw: st.DrawFn) -> Any:
    n = draw(st.integers(0, 6))
    features = []
    for i in range(n):
        base: dict[str, Any] = {"id": f"c{i}", "population": 3000}
        features.append(
            {
                "type": "Feature",
                "properties": _props(draw, COMMUNITY_KEYS, base),
                "geometry": draw(geometries()),
            }
        )
    return {"type": "FeatureCollection", "features": features}


@st.composite
def facilities(draw: st.DrawFn) -> Any:
    n = draw(st.integers(0, 6))
    features = []
    for i in range(n):
        base: dict[str, Any] = {"id": f"f{i}", "type": "clinic", "quality": 4}
        features.append(
            {
                "type": "Feature",
                "properties": _props(draw, FACILITY_KEYS, base),
                "geometry": draw(geometries()),
            }
        )
    return {"type": "FeatureCollection", "features": features}


@FUZZ
@given(communities(), facilities(), st.booleans())
def test_any_value_anywhere_gives_a_livable_error_or_a_full_report(
    c: dict[str, Any], f: dict[str, Any], strict: bool
) -> None:
    try:
        report = evaluate(c, f, profile=PROFILE, plugins=PLUGINS, strict=strict)
    except LivableError as exc:
        event(f"stopped: {type(exc).__name__}")
        return
    event(f"evaluated {min(len(report.communities), 2)}+ of {min(len(c['features']), 2)}+")
    assert len(report.communities) + len(report.rejected) == len(c["features"])
    report.to_json()  # and it serialises
