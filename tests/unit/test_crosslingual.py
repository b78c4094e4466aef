"""The multilingual vectors kept beside the store: which chunks they cover, reuse, saving, loading, ranking.

A counting stand-in encoder replaces e5 here; tests/functional/test_crosslingual.py runs the real one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from assistant.search.crosslingual import CrossLingualIndex, CrossLingualSearch, ForeignChunk
from assistant.text.languages import foreign, language_name


class CountingEncoder:
    """One fixed direction per text (by its first letter), counting the passages it was asked to embed."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def _vector(self, text: str) -> npt.NDArray[np.float32]:
        out = np.zeros(8, dtype=np.float32)
        out[(ord(text[:1] or "a") - ord("a")) % 8] = 1.0
        return out

    def queries(self, texts: list[str]) -> npt.NDArray[np.float32]:
        return np.stack([self._vector(text) for text in texts])

    def passages(self, texts: list[str]) -> npt.NDArray[np.float32]:
        self.embedded += texts
        return np.stack([self._vector(text) for text in texts])


CHUNKS = [ForeignChunk("c1", "anker"), ForeignChunk("c2", "brug"), ForeignChunk("c3", "dijk")]


@pytest.mark.parametrize(("language", "expected"), [("nl", True), ("AR", True), ("en", False), ("", False)])
def test_only_a_known_language_other_than_english_counts_as_foreign(language: str, expected: bool) -> None:
    assert foreign(language) is expected


def test_a_language_code_reads_as_its_name_and_an_unknown_one_as_itself() -> None:
    assert [language_name(code) for code in ("ar", "zh-cn", "NL", "pt_BR", "xx")] == [
        "Arabic",
        "Chinese",
        "Dutch",
        "Portuguese",
        "xx",
    ]


def test_a_rebuild_embeds_only_the_chunks_it_has_not_seen() -> None:
    encoder = CountingEncoder()
    first = CrossLingualIndex.build(CHUNKS, "g1", encoder)
    assert encoder.embedded == ["anker", "brug", "dijk"]
    encoder.embedded.clear()
    changed = [CHUNKS[0], ForeignChunk("c2", "boei"), ForeignChunk("c4", "eb")]
    second = CrossLingualIndex.build(changed, "g2", encoder, previous=first)
    assert encoder.embedded == ["boei", "eb"]  # "c2" was rewritten: its old vector no longer stands for it
    assert second.ids == ["c1", "c2", "c4"] and second.stamp == "g2"
    assert np.allclose(second.vectors[0], first.vectors[0])


def test_the_index_survives_saving_and_loading(tmp_path: Path) -> None:
    path = tmp_path / "state" / "crosslingual.npz"
    built = CrossLingualIndex.build(CHUNKS, "g1", CountingEncoder())
    built.save(path)
    loaded = CrossLingualIndex.load(path)
    assert loaded is not None
    assert (loaded.ids, loaded.digests, loaded.stamp) == (built.ids, built.digests, "g1")
    assert np.array_equal(loaded.vectors, built.vectors)
    assert not path.with_name(path.name + ".tmp").exists()


def test_an_empty_index_is_valid_and_matches_nothing(tmp_path: Path) -> None:
    path = tmp_path / "crosslingual.npz"
    CrossLingualIndex.build([], "g1", CountingEncoder()).save(path)
    loaded = CrossLingualIndex.load(path)
    assert loaded is not None and len(loaded) == 0
    search = CrossLingualSearch(loaded, CountingEncoder())
    assert search.start("anything") is None
    assert search.nearest(None, 5) == []


@pytest.mark.parametrize("damage", ["missing", "truncated", "not numpy"])
def test_a_missing_or_damaged_file_loads_as_nothing_so_it_is_rebuilt(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "crosslingual.npz"
    if damage != "missing":
        CrossLingualIndex.build(CHUNKS, "g1", CountingEncoder()).save(path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] if damage == "truncated" else b"ids,vectors\n1,2\n")
    assert CrossLingualIndex.load(path) is None


def test_nearest_ranks_by_similarity_and_keeps_to_the_allowed_chunks() -> None:
    encoder = CountingEncoder()
    index = CrossLingualIndex.build(CHUNKS, "g1", encoder)
    search = CrossLingualSearch(index, encoder)
    assert [chunk_id for chunk_id, _ in search.nearest(search.start("brief"), 1)] == ["c2"]
    allowed = search.nearest(search.start("brief"), 3, allowed={"c1", "c3"})
    assert len(allowed) == 2 and "c2" not in dict(allowed)


def test_the_index_says_how_many_documents_of_each_language_it_covers(tmp_path: Path) -> None:
    chunks = [
        ForeignChunk("c1", "anker", "a.md", "nl"),
        ForeignChunk("c2", "brug", "a.md", "nl"),
        ForeignChunk("c3", "dijk", "b.md", "fr"),
        ForeignChunk("c4", "eb", "c.md", "fr"),
        ForeignChunk("c5", "fort", "d.md", "ar"),
    ]
    path = tmp_path / "crosslingual.npz"
    CrossLingualIndex.build(chunks, "g1", CountingEncoder()).save(path)
    loaded = CrossLingualIndex.load(path)
    assert loaded is not None
    assert loaded.documents_by_language() == {"fr": 2, "ar": 1, "nl": 1}
