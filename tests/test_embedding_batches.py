"""Grouping texts into model batches by length (pure logic, no model)."""

from __future__ import annotations

import random

from assistant.embedding import length_batches


def test_batches_cover_every_text_once_longest_first() -> None:
    rng = random.Random(5)
    lengths = [rng.randint(3, 256) for _ in range(3000)]
    batches = length_batches(lengths, budget=64 * 256)
    flat = [position for batch in batches for position in batch]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[p] for p in flat] == sorted(lengths, reverse=True)
    assert all(len(batch) * max(lengths[p] for p in batch) <= 64 * 256 for batch in batches)


def test_short_texts_share_big_batches_and_long_ones_small() -> None:
    lengths = [256] * 128 + [30] * 1000
    sizes = [len(batch) for batch in length_batches(lengths, budget=64 * 256, max_texts=1024)]
    assert sizes[:2] == [64, 64]
    assert sizes[2:] == [546, 454]


def test_a_text_over_budget_still_gets_a_batch() -> None:
    assert length_batches([500, 10], budget=100) == [[0], [1]]
