"""``livable._gc.paused_gc``: the collector paused in the block, its objects promoted after.

The objects a paused block builds go to the oldest generation when it ends (no young
collection rescans them), cycles among them are still collected, and a program's own
frozen objects stay frozen.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from livable._gc import paused_gc


class Node:
    """A GC-tracked object that can form a cycle."""

    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def collector() -> Iterator[None]:
    """A clean collector state before and after each test."""
    was = gc.isenabled()
    gc.enable()
    gc.collect()
    yield
    gc.unfreeze()
    gc.collect()
    if not was:
        gc.disable()


def test_the_blocks_objects_are_promoted_to_the_oldest_generation(collector: None) -> None:
    with paused_gc():
        assert not gc.isenabled()
        made = [Node() for _ in range(1000)]
    assert gc.isenabled()
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(node) in oldest for node in made)
    assert gc.get_count()[0] < 700  # no young collection is owed the block's objects


def test_cycles_made_in_the_block_are_still_collected(collector: None) -> None:
    with paused_gc():
        a, b = Node(), Node()
        a.other, b.other = b, a
        marker = id(a)
    del a, b
    gc.collect()
    assert marker not in {id(o) for o in gc.get_objects()}


def test_a_programs_frozen_objects_stay_frozen(collector: None) -> None:
    kept = [Node() for _ in range(10)]
    gc.freeze()
    frozen = gc.get_freeze_count()
    with paused_gc():
        made = [Node() for _ in range(10)]
    assert gc.get_freeze_count() == frozen and frozen >= len(kept)
    assert gc.isenabled() and made


def test_a_nested_block_leaves_the_collector_to_the_outer_one(collector: None) -> None:
    with paused_gc():
        with paused_gc():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
