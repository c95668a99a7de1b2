"""``TypeAccess.nearest`` is built when first read (issue 16: result objects built lazily),
and is in every way the tuple it stands for: equal, hashable, pickled and written as one."""

from __future__ import annotations

import copy
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import livable
from livable import LivableError, NearbyFacilities, NearbyFacility, read_report
from livable.testing import community, facility

F1 = NearbyFacility("k1", "kindergarten", None, 108.94, 34.26, 461.0)
F2 = NearbyFacility("k2", "kindergarten", "园", 108.95, 34.26, 900.0)


def test_the_facilities_are_built_once_and_only_when_read():
    calls = []

    def build():
        calls.append(1)
        return [(F1, F2), ()]

    near, none = NearbyFacilities(build, 0, 2), NearbyFacilities(build, 1, 0)
    assert len(near) == 2 and len(none) == 0 and calls == []  # the length needs no build
    assert near[0] is F1 and near[-1] is F2 and near[:1] == (F1,) and list(near) == [F1, F2]
    assert calls == [1]
    assert none == () and tuple(none) == ()
    assert near == (F1, F2) and (F1, F2) == near  # noqa: SIM300 (the reflected ==)
    assert near != (F2, F1) and near != [F1, F2]
    assert hash(near) == hash((F1, F2)) and repr(near) == repr((F1, F2))


def test_it_pickles_and_copies_as_the_tuple():
    near = NearbyFacilities(lambda: [(F1,)], 0, 1)
    for twin in (pickle.loads(pickle.dumps(near)), copy.copy(near), copy.deepcopy(near)):
        assert type(twin) is tuple and twin == (F1,)


def test_a_build_that_disagrees_with_the_measured_length_is_an_error():
    near = NearbyFacilities(lambda: [(F1,)], 0, 2)
    with pytest.raises(LivableError, match="1 built where 2 were measured"):
        tuple(near)


@settings(max_examples=25, deadline=None)
@given(
    offsets=st.lists(
        st.tuples(st.floats(-0.02, 0.02), st.floats(-0.02, 0.02), st.sampled_from([0, 1])),
        min_size=1,
        max_size=12,
    )
)
def test_an_evaluation_reads_the_nearest_facilities_it_measured(offsets):
    """Every type's nearest facilities, read lazily, are the ``k`` nearest of that type in
    order, their distances those measured; the report survives JSON and pickling equal."""
    kinds = ("kindergarten", "convenience_store")
    facilities = [
        facility(f"f{i}", kinds[t], 108.94 + dx, 34.26 + dy)
        for i, (dx, dy, t) in enumerate(offsets)
    ]
    report = livable.evaluate(
        [community("c1", 108.94, 34.26), community("c2", 108.95, 34.27)], facilities
    )
    for result in report.communities:
        for access in result.access:
            assert isinstance(access.nearest, NearbyFacilities)
            near = list(access.nearest)
            assert all(f.type == access.facility_type for f in near)
            distances = [f.distance_m for f in near]
            assert distances == sorted(distances)
            if near:
                assert distances[0] == pytest.approx(access.nearest_m)
            else:
                assert access.nearest_m is None
    text = report.to_json()  # written from the lazy sequences, read back as tuples
    assert read_report(text).to_json() == text
    assert pickle.loads(pickle.dumps(report)).communities == report.communities
