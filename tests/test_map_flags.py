"""The city map keeps its numbered flags apart (issue 20, part 5): no two flags touch, and
no flag covers another flagged community."""

from __future__ import annotations

import itertools
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import livable
from livable.io.sample import write_sample_city
from livable.report.maps import city_figure
from livable.testing import community


def flag_clashes(report) -> tuple[int, int, int]:
    """(flags, pairs of flags that overlap, flags over another flagged community's point)."""
    fig = city_figure(report)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs missing from the fallback font: sizes stand
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    flags = [t for t in ax.texts if (t.get_gid() or "").startswith("flag-")]
    boxes = [f.get_bbox_patch().get_window_extent(renderer) for f in flags]
    points = [ax.transData.transform(f.xy) for f in flags]
    pairs = sum(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
    covers = sum(
        boxes[i].contains(*points[j]) for i, j in itertools.permutations(range(len(flags)), 2)
    )
    return len(flags), pairs, covers


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    c, f = write_sample_city(tmp_path_factory.mktemp("city"))
    return livable.evaluate(c, f)


def test_the_sample_city_flags_are_apart(sample_report):
    # measured before this change: 14 flags, 1 overlapping pair, 2 flags over a community
    assert flag_clashes(sample_report) == (14, 0, 0)


@settings(max_examples=8, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=2, max_size=12, unique=True)
)
def test_crowded_flags_are_apart(cells):
    """Not-livable communities (no facilities at all) 45 m apart on a grid, 10 pt on the
    map: each gets a flag, and the flags stay apart."""
    report = livable.evaluate(
        [
            community(f"c{k:02d}", 108.94 + 0.0005 * i, 34.26 + 0.0004 * j, size_m=30)
            for k, (i, j) in enumerate(cells)
        ],
        [],
    )
    flags, pairs, covers = flag_clashes(report)
    assert flags == len(cells) and pairs == 0 and covers == 0
